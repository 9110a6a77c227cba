// The fleet-scale section of docs/benchmarks.md (bench/report.mjs calls it with the group's result).

const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const fixed = (digits) => (v) => (v === undefined || v === null ? '—' : v.toFixed(digits));
const whole = (v) => Math.round(v).toLocaleString('en');
const rate = (bytes) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB/s` : `${(bytes / 1e3).toFixed(1)} kB/s`);
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const seconds = (ms) => (ms === null ? 'not every one within 30 s' : `${(ms / 1000).toFixed(2)} s`);

/** Renders the group's result: a table per mode, then the empty restart. */
export function renderFleetScale(r, env) {
  const s = r.settings;
  const rows = r.rows.map((row) => [
    `${s.modes.find((m) => m.id === row.mode)?.label ?? row.mode}, P = ${row.p}`,
    whole(row.failuresPerSecond),
    whole(row.scriptsPerSecond),
    fixed(2)(row.scriptsPerFailure),
    whole(row.publishesPerSecond),
    fixed(1)(row.deliveriesPerFailure),
    rate(row.bytesOutPerSecond),
    `${row.cpuPercent.toFixed(1)} %`,
    fixed(1)(row.usPerScript),
    `${mib(row.usedMemory)} (${mib(row.fleetMemory)})`,
    `${row.trips} (${row.adopted})`,
    whole(row.storeErrors),
  ]);
  const note = [
    `Measured ${env.date} with Node ${env.node} on ${env.cores} cores, redis-server from the system on 127.0.0.1, ioredis clients.`,
    `P instances spread over ${s.processes} child processes (instance n in process n mod ${s.processes}), each instance a store of its own (\`instanceId\` given, counting 'fleet', the default) on an ioredis client of its own, each holding the same K = ${s.breakers} breakers;`,
    `every breaker of every instance is called ${s.callsPerSecond} times a second, out of step, on a function that fails at random ${s.failureRate * 100} % of the time (no HTTP).`,
    `Each run starts on an empty Redis (FLUSHALL), calls for ${s.warmup} s, then measures ${s.seconds} s.`,
    'Redis figures are differences between two INFO readings (stats, cpu, memory, commandstats) around the measured period:',
    'scripts are EVALSHA and EVAL calls; publishes are PUBLISH and SPUBLISH calls, those run inside scripts included;',
    'bytes out are total_net_output_bytes; Redis CPU is used_cpu_sys + used_cpu_user over the wall time;',
    'µs per script is the usec of EVALSHA and EVAL over their calls in the period; memory is used_memory at the end (in brackets, over the empty server).',
    'Failures are the calls whose function failed; deliveries are the pub/sub messages the instances received, counted on every connection each store opened (its `duplicate()` connections, `message`, `pmessage` and `smessage`), which is every delivery Redis made to the fleet.',
    "Trips are the instances that opened a breaker themselves during the period, in brackets those that took up an opening from the fleet; store errors are the stores' own count (`stats().errors`: scripts that failed or timed out) during the period.",
  ].join(' ');
  const parts = [
    '### Fleet at scale: what Redis does per failure',
    '',
    note,
    '',
    table(
      [
        'mode, P',
        'failures/s',
        'scripts/s',
        'scripts per failure',
        'publishes/s',
        'deliveries per failure',
        'bytes out of Redis',
        'Redis CPU',
        'µs per script',
        'Redis memory',
        'trips (adopted)',
        'store errors',
      ],
      rows,
    ),
  ];
  const x = r.restart;
  if (x !== undefined) {
    parts.push(
      '',
      `Empty restart: with P = ${x.p} instances (K = ${x.breakers}, ${s.modes[0].label}) running, their calls paused 1 s before (so that every script counted is the resynchronization's), Redis is killed (SIGKILL), kept down ${x.downMs / 1000} s, and a new empty server started on the same port. Its scripts are read every ${x.sampleMs} ms (INFO commandstats) until every instance's store has emitted 'available', and 1 s more; the peak is the highest rate between two readings at least ${x.sampleMs} ms apart (each reading stamped when its reply came in).`,
      '',
      table(
        ['', ''],
        [
          ['breakers not closed before the restart (instance x breaker)', String(x.notClosed)],
          [
            'scripts',
            `${whole(x.scripts)} (${x.scriptsPerInstance.toFixed(1)} per instance; allowed 5 per instance + 2 per breaker not closed: ${x.allowed})`,
          ],
          ['peak scripts per second', `${whole(x.peakPerSecond)} (most in one second: ${whole(x.mostInOneSecond)})`],
          [
            "instances that emitted 'unavailable' / 'available' again (of P)",
            `${x.wentDown} / ${x.available} of ${x.p}${x.downAgain > 0 ? `; ${x.downAgain} went unavailable more than once` : ''}`,
          ],
          ['every instance available, after the new server answered', seconds(x.availableAfterStartMs)],
          ['every instance available, after the kill', seconds(x.availableAfterKillMs)],
        ],
      ),
    );
  }
  return parts.join('\n');
}
