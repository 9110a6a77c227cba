// Writes docs/benchmarks.md from the measurements. Only the text between a pair of
// `<!-- bench:NAME:start -->` / `<!-- bench:NAME:end -->` markers is generated; everything
// else in the file is written by hand and kept as it is. A group that was not run this time
// keeps its previous section, and the targets table is rebuilt from every group's section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderFleetScale } from './fleet-scale-report.mjs';
import { renderMetrics } from './metrics-report.mjs';
import { evaluate } from './targets.mjs';

const DOC = new URL('../docs/benchmarks.md', import.meta.url);
const SECTIONS = [
  'environment',
  'targets',
  'closed',
  'open',
  'failing',
  'heap',
  'http',
  'fastify',
  'axios',
  'metrics',
  'size',
  'fleet',
  'fleet-scale',
];
const TARGETS_TAG = /<!-- targets (.*) -->/;

const x = (r) => (r === undefined ? '—' : `${r.median.toFixed(2)}x`);
const range = (r) => (r === undefined ? '' : `${r.min.toFixed(2)}–${r.max.toFixed(2)}`);
const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const stamp = (env) => `Measured ${env.date} with Node ${env.node} (V8 ${env.v8}) on ${env.cores} cores.`;
const roundsNote = (n) =>
  `Each ratio is the median over ${n} interleaved rounds (every case measured once per round, in a rotating order, and divided by its reference from the same round); the range is the lowest and highest single-round ratio, a direct reading of the noise.`;

/** What each group's floor is, said under its table. */
const FLOORS = {
  closed:
    "The floor is the least a breaker built on a side branch can cost: a wrapper that checks a state, counts the call, and counts its outcome on a second `.then` of `fn`'s own promise (handlers made once). The time window is held to the same side branch reading `Date.now()` once per outcome; every other case to the plain side branch.",
  open: 'The floor is what any rejection with a real error costs: `Promise.reject(new Error())` (the error captures its stack), caught by `await`.',
  failing: 'The floor is the bare failing call itself: an async function that throws, caught by `await`.',
};

function timing(title, result, env, columns, floorNote) {
  const rows = result.rows.map((r) => {
    const cells = [r.label];
    for (const ref of result.references) cells.push(x(r.ratios[ref]), range(r.ratios[ref]));
    if (result.counts) cells.push(`${result.counts[r.id].rejected} / ${result.counts[r.id].calls}`);
    return cells;
  });
  const head = ['case', ...columns.flatMap((c) => [c, 'range'])];
  if (result.counts) head.push('rejected / calls');
  return [`### ${title}`, '', stamp(env), roundsNote(result.rounds), floorNote, '', table(head, rows)].join('\n');
}

const RENDER = {
  fleet,
  upstash: (r, env) =>
    [
      '### tripswitch/upstash (REST bridge in front of a real redis-server, @upstash/redis)',
      '',
      stamp(env),
      '',
      table(
        ['measurement', 'figure'],
        [
          [
            '10,000 closed calls while the endpoint answers in 2 s: calls that waited on a request; slowest call',
            `${r.callPath.callsWaiting}; ${r.callPath.slowestMs.toFixed(2)} ms`,
          ],
          ['call cost, healthy store vs no store', x(r.cost.rows[1].ratios.alone)],
          [
            `requests per called breaker per refreshMs (${r.perPeriod.refreshMs} ms); idle`,
            `${r.perPeriod.perPeriod.toFixed(2)}; ${r.perPeriod.idleRequests}`,
          ],
          [
            `a trip elsewhere seen by a called instance (refreshMs ${r.propagation.refreshMs}, a request ${r.propagation.requestMs.toFixed(1)} ms)`,
            `p50 ${r.propagation.p50.toFixed(0)} ms, max ${r.propagation.max.toFixed(0)} ms`,
          ],
          [
            '50 cold starts during an outage, 5 calls each: calls reaching the dependency (ready / no ready / no store)',
            `${r.coldStart.ready} / ${r.coldStart.withoutReady} / ${r.coldStart.alone}`,
          ],
          ['endpoint answering in 2 s: call p99 with the store vs without', `${r.slowEndpoint.ratio.toFixed(2)}x`],
        ],
      ),
    ].join('\n'),
  closed: (r, env) =>
    timing('Closed state, successful call', r, env, ['vs floor', 'vs bare', 'vs cockatiel', 'vs opossum'], FLOORS.closed),
  open: (r, env) =>
    timing('Open state, rejected call', r, env, ['vs floor', 'vs bare throw', 'vs cockatiel', 'vs opossum'], FLOORS.open),
  failing: (r, env) =>
    timing('Closed state, failing call', r, env, ['vs floor (bare throw)', 'vs cockatiel', 'vs opossum'], FLOORS.failing),
  heap: (r, env) => {
    const cockatiel = r.rows.find((row) => row.kind === 'cockatiel').bytes;
    const rows = r.rows.map((row) => [row.label, `${Math.round(row.bytes)} B`, `${(row.bytes / cockatiel).toFixed(2)}x`]);
    const note = `${r.count.toLocaleString('en')} idle breakers per kind, each kind in a process of its own: (heapUsed after − before) / ${r.count.toLocaleString('en')} after gc(), median of ${r.repeats} repeats.`;
    return [
      '### Heap per idle breaker',
      '',
      stamp(env),
      note,
      '',
      table(['kind', 'bytes per breaker', 'vs cockatiel consecutive'], rows),
    ].join('\n');
  },
  http: (r, env) => {
    const us = (v) => `${v.median >= 0 ? '+' : ''}${v.median.toFixed(2)} µs`;
    const usRange = (v) => `${v.min.toFixed(1)} to ${v.max.toFixed(1)}`;
    const usInterval = (v) => (v.ci === undefined ? '' : `${v.ci[0].toFixed(2)} to ${v.ci[1].toFixed(2)}`);
    const rows = r.rows.map((row) => [
      row.framework,
      `${row.none.median.toFixed(1)} µs`,
      us(row.noopOverNone),
      us(row.tripswitchOverNone),
      us(row.tripswitchOverNoop),
      usInterval(row.tripswitchOverNoop),
      usRange(row.tripswitchOverNoop),
      String(row.counted),
    ]);
    for (const framework of r.skipped)
      rows.push([framework, 'skipped', `dist/adapters/${framework}.js was not built`, '', '', '', '', '']);
    const note = `Server CPU time per request (\`process.cpuUsage()\` in the server process, user + system, divided by the requests it answered), autocannon against 127.0.0.1 with ${r.connections} connections, ${r.seconds} s per run; ${r.pinned ? 'the server pinned to one core and the load generator to the other (`taskset`)' : 'not pinned (no `taskset`, or one core)'}. The three apps of a framework (no middleware, a no-op middleware, tripswitch) live in one server process; each of ${r.rounds} rounds loads each once, in a rotating order, and the differences are taken within a round. Each figure is the median over rounds. The 95 % interval is a distribution-free confidence interval for that median (order statistics): the resolution of the measurement. A target is met when the whole interval is within it, missed when the whole interval is beyond it, and not resolved otherwise. The range is that of the single rounds, a direct reading of the noise. The last column is the requests the middleware counted, all as successes.`;
    const ownRows = r.rows
      .filter((row) => row.own !== undefined)
      .map(({ framework, own }) => [
        framework,
        `${own.noop.median.toFixed(2)} µs`,
        `${own.tripswitch.median.toFixed(2)} µs`,
        us(own.tripswitchOverNoop),
        usInterval(own.tripswitchOverNoop),
        usRange(own.tripswitchOverNoop),
      ]);
    const ownNote = `The middleware's own time per request, read inside the same kind of server: a probe middleware before the measured one and one after it read \`performance.now()\` on the way in and, on Koa and Hono, on the way out, and two \`close\` listeners on the Node response, one added before the measured middleware and one after, read it around the middleware's own listener. A request's sum is the time of the measured middleware plus the framework's dispatch to it, which the no-op middleware has too; the difference is what tripswitch adds, with its cache misses in a busy server, but without the garbage collection its allocations cause later. ${r.rounds} alternating rounds of ${r.ownSeconds ?? r.seconds} s, the same interval.`;
    return [
      '### HTTP middleware: server CPU per request',
      '',
      stamp(env),
      note,
      '',
      table(
        [
          'framework',
          'no middleware',
          'no-op middleware',
          'tripswitch',
          'tripswitch − no-op',
          '95 % interval',
          'range',
          'requests counted',
        ],
        rows,
      ),
      '',
      ownNote,
      '',
      table(['framework', 'no-op middleware', 'tripswitch', 'tripswitch − no-op', '95 % interval', 'range'], ownRows),
    ].join('\n');
  },
  // The same measurement as the middleware's, for the Fastify plugin (a no-op plugin: one onRequest hook).
  fastify: (r, env) =>
    RENDER.http(r, env)
      .replace('### HTTP middleware: server CPU per request', '### Fastify plugin: server CPU per request')
      .replaceAll('middleware', 'plugin')
      .replace(
        /read inside the same kind of server: .*? A request's sum/,
        "read inside the same kind of server: probe hooks registered before and after the plugin in each phase it hooks (onRequest, onSend, onResponse) read `performance.now()` around its hooks. A request's sum",
      ),
  axios: (r, env) => {
    const rows = r.rows.map((row) => {
      const ratio = row.ratios.bare;
      return [
        row.label,
        `${(row.ns / 1000).toFixed(1)} µs`,
        `${ratio.median.toFixed(3)}x`,
        `${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)}`,
      ];
    });
    return [
      '### axios: a call through guardAxios',
      '',
      stamp(env),
      `One GET per call to a node:http server in the same process (127.0.0.1, one kept-alive connection), through a bare axios instance and through one with \`guardAxios\`; the guard counted ${r.counted} calls, all successes. ${roundsNote(r.rounds)}`,
      '',
      table(['case', 'time per call', 'vs bare', 'range'], rows),
    ].join('\n');
  },
  metrics: renderMetrics,
  'fleet-scale': renderFleetScale,
  size: (r, env) => {
    const rows = r.rows.map((row) => [
      `\`${row.entry}\``,
      `${row.minified} B`,
      `${row.gzip} B`,
      row.budget === undefined ? 'none' : `${row.budget} B`,
      row.budget !== undefined && row.gzip <= row.budget ? 'within' : 'over',
    ]);
    const note =
      'Each entry point bundled by esbuild (minified, ESM, platform neutral, mitt included, Node builtins and the frameworks external), then gzipped at level 9. The same measurement as `node scripts/check-size.mjs`.';
    const parts = (r.parts ?? []).map((p) => [
      p.part,
      `${p.minified} B`,
      `${p.gzip} B`,
      p.theirs ? 'for comparison' : p.budget === undefined ? 'none' : `${p.budget} B`,
    ]);
    const partsNote =
      "What a user ships who imports only part of a package: a file such as `import { createBreaker } from 'tripswitch'` (re-exported, so nothing else is dropped) bundled and measured the same way, with cockatiel's and opossum's breakers measured alike.";
    return [
      '### Bundle size',
      '',
      stamp(env),
      note,
      '',
      table(['entry', 'min', 'min+gzip', 'budget', ''], rows),
      '',
      partsNote,
      '',
      table(['what is imported', 'min', 'min+gzip', 'budget'], parts),
    ].join('\n');
  },
};

function fleet(r, env) {
  const ms = (v) => `${v.toFixed(2)} ms`;
  const cost = r.rows
    .filter((row) => row.id.endsWith('-store'))
    .map((row) => {
      const ref = row.ref ?? row.id.replace('-store', '');
      return [row.label, x(row.ratios[ref]), range(row.ratios[ref])];
    });
  const { propagation: p, probes, outage } = r;
  const outageRows = [
    [
      'no store',
      `${outage.none.p50.toFixed(2)} µs`,
      `${outage.none.p99.toFixed(2)} µs`,
      `${Math.round(outage.none.heapKiB)} KiB`,
    ],
    [
      'Redis store, Redis down',
      `${outage.store.p50.toFixed(2)} µs`,
      `${outage.store.p99.toFixed(2)} µs`,
      `${Math.round(outage.store.heapKiB)} KiB`,
    ],
  ];
  return [
    '### Fleet: state shared through Redis',
    '',
    stamp(env),
    `A real redis-server on 127.0.0.1, ioredis clients. Call cost: ${roundsNote(r.rounds).toLowerCase()}`,
    '',
    table(['case', 'vs the same call without a store', 'range'], cost),
    '',
    `Redis commands sent by 10,000 closed-state calls (INFO total_commands_processed, before and after): **${r.commands}**.`,
    '',
    `Propagation, 8 processes: one trips, the time until each of the 7 others has taken up the opening (and rejects): p50 ${ms(p.p50)}, p99 ${ms(p.p99)}, max ${ms(p.max)} over ${p.samples} samples.`,
    '',
    `Probes, 8 processes calling a failing upstream every 2 ms for 4 s, open period ${probes.periodMs} ms: ${probes.hits} calls reached the upstream in ${probes.periods} half-open periods, ${probes.extra} of them a second probe in one period (shortest gap between two probes ${probes.minGapMs} ms); ${probes.leasesRefused} leases refused, ${probes.storeErrors} store errors (a lease the store cannot answer within its timeout is decided locally).`,
    '',
    'During a Redis outage (SIGKILL), 20,000 closed-state calls with a transition every 500 calls, against the same without a store: call latency and heap growth after gc().',
    '',
    table(['', 'p50', 'p99', 'heap growth'], outageRows),
    ...countingSection(r),
  ].join('\n');
}

/** Counting across the fleet: commands by failure rate, and the two detection scenarios. */
function countingSection(r) {
  if (r.commandsByRate === undefined || r.detection === undefined) return [];
  const commands = Object.entries(r.commandsByRate).map(([rate, { local, fleet }]) => [
    rate,
    `${fleet.commands} (${fleet.scripts} scripts, ${fleet.reports} count reports)`,
    `${local.commands} (${local.scripts} scripts)`,
  ]);
  const { consecutive, rate, watchMs } = r.detection;
  const seconds = (ms) => (ms === null ? `never (watched ${watchMs / 1000} s)` : `${(ms / 1000).toFixed(1)} s`);
  return [
    '',
    '#### Counting across the fleet',
    '',
    'Redis commands (INFO total_commands_processed, which counts a script with every command it runs; the scripts themselves from INFO commandstats) for 10,000 calls over 4 processes (stores on clients of their own, each making 2,500 calls about 1 ms apart), consecutive mode, `failureThreshold` 5:',
    '',
    table(['failures', "counting 'fleet'", "counting 'local'"], commands),
    '',
    'Detection, the upstream dying for every process at once (real processes, a real Redis):',
    '',
    table(
      ['scenario', "counting 'fleet'", "counting 'local'", 'no store'],
      [
        [
          'consecutive: 8 processes, a call every 20 ms each, threshold 5: calls reaching the dead upstream',
          String(consecutive.fleet),
          String(consecutive.local),
          String(consecutive.none),
        ],
        [
          'rate: 12 processes, a call per second each, 10 s window, minimumCalls 20, 50 %: time until every process rejects',
          seconds(rate.fleet),
          seconds(rate.local),
          seconds(rate.none),
        ],
      ],
    ),
  ];
}

function environment(env) {
  return table(
    ['', ''],
    [
      ['Node', `${env.node} (V8 ${env.v8})`],
      ['CPU', `${env.cpu}, ${env.cores} cores (\`nproc\`)`],
      ['memory', `${env.memoryGiB} GiB`],
      ['last run', `${env.date}: \`${env.command}\``],
      ['compared with', `cockatiel ${env.cockatiel}, opossum ${env.opossum}`],
      ['adapters measured with', `fastify ${env.fastify}, axios ${env.axios}`],
    ],
  );
}

function targets(doc) {
  const rows = [];
  for (const group of SECTIONS) {
    const tag = section(doc, group)?.match(TARGETS_TAG);
    if (tag) for (const t of JSON.parse(tag[1])) rows.push([t.text, t.target, t.measured, t.status]);
  }
  if (rows.length === 0) return 'No group has been measured yet.';
  return table(['target', 'wanted', 'measured', ''], rows);
}

const START = (name) => `<!-- bench:${name}:start -->`;
const END = (name) => `<!-- bench:${name}:end -->`;

function section(doc, name) {
  const a = doc.indexOf(START(name));
  const b = doc.indexOf(END(name));
  return a < 0 || b < a ? undefined : doc.slice(a + START(name).length, b);
}

function replace(doc, name, body) {
  const block = `${START(name)}\n${body}\n${END(name)}`;
  const a = doc.indexOf(START(name));
  const b = doc.indexOf(END(name));
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, a) + block + doc.slice(b + END(name).length);
}

/** Regenerates the sections of the groups in `results`, the environment and the targets. */
export function writeReport(results, env) {
  let doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  doc = replace(doc, 'environment', environment(env));
  for (const [group, result] of Object.entries(results)) {
    const body = `${RENDER[group](result, env)}\n\n<!-- targets ${JSON.stringify(evaluate(group, result))} -->`;
    doc = replace(doc, group, body);
  }
  doc = replace(doc, 'targets', targets(doc));
  writeFileSync(DOC, doc);
  return doc;
}
