// Redis's own figures for the scale benchmark, read from INFO: what a fleet costs the server.

/** The `name:value` lines of an INFO reply, values as text. */
export function parseInfo(text) {
  const fields = {};
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}

/** A `cmdstat_NAME` line's `calls` and `usec` (0 and 0 for a command never run). */
export function commandStat(fields, name) {
  const line = fields[`cmdstat_${name}`];
  if (line === undefined) return { calls: 0, usec: 0 };
  const pairs = Object.fromEntries(line.split(',').map((pair) => pair.split('=')));
  return { calls: Number(pairs.calls ?? 0), usec: Number(pairs.usec ?? 0) };
}

/**
 * The counters of one moment, from INFO stats, cpu, memory and commandstats. Scripts are
 * EVALSHA and EVAL calls (each once, whatever it runs inside); publishes are PUBLISH and
 * SPUBLISH calls, from scripts or not (Redis counts the commands a script runs in
 * commandstats too).
 */
export function countersOf(fields, at) {
  const evalsha = commandStat(fields, 'evalsha');
  const evalScript = commandStat(fields, 'eval');
  const number = (name) => {
    const value = Number(fields[name]);
    if (!Number.isFinite(value)) throw new Error(`INFO has no number ${name} (got ${fields[name]})`);
    return value;
  };
  return {
    at,
    scripts: evalsha.calls + evalScript.calls,
    scriptUsec: evalsha.usec + evalScript.usec,
    publishes: commandStat(fields, 'publish').calls + commandStat(fields, 'spublish').calls,
    netOutputBytes: number('total_net_output_bytes'),
    cpuSeconds: number('used_cpu_sys') + number('used_cpu_user'),
    usedMemory: number('used_memory'),
    commands: number('total_commands_processed'),
  };
}

/** Reads the counters now, with one INFO command on `admin` (an ioredis client). */
export async function readCounters(admin) {
  const text = await admin.info('stats', 'cpu', 'memory', 'commandstats');
  return countersOf(parseInfo(text), performance.now());
}

/** Only the scripts run so far (INFO commandstats), for sampling often. */
export async function readScripts(admin) {
  const fields = parseInfo(await admin.info('commandstats'));
  return commandStat(fields, 'evalsha').calls + commandStat(fields, 'eval').calls;
}

/** What happened between two readings, per second where it is a rate. */
export function between(a, b) {
  const seconds = (b.at - a.at) / 1000;
  const scripts = b.scripts - a.scripts;
  return {
    seconds,
    scripts,
    scriptsPerSecond: scripts / seconds,
    usPerScript: scripts > 0 ? (b.scriptUsec - a.scriptUsec) / scripts : undefined,
    publishes: b.publishes - a.publishes,
    publishesPerSecond: (b.publishes - a.publishes) / seconds,
    bytesOutPerSecond: (b.netOutputBytes - a.netOutputBytes) / seconds,
    cpuPercent: ((b.cpuSeconds - a.cpuSeconds) / seconds) * 100,
    usedMemory: b.usedMemory,
    commandsPerSecond: (b.commands - a.commands) / seconds,
  };
}
