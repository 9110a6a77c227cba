// The scale benchmark's settings: defaults, `--quick`, and flags such as `--p=4,32` or
// `--seconds=10`, given after `npm run bench -- --group fleet-scale` (or to
// `node bench/fleet-scale.mjs` directly; bench/run.mjs passes them on).

/** The flags the group accepts, each with what it sets. */
export const SCALE_FLAGS = {
  '--quick': 'P = 4, 8 and 32 only, 10 s warm-up, 8 s measured',
  '--p': 'instances per run, a comma-separated list (default 4,8,16,32)',
  '--breakers': 'breakers per instance, K (default 100)',
  '--seconds': 'measured seconds per run (default 20)',
  '--warmup': 'seconds of calls before measuring (default 12: the 10 s window fills)',
  '--processes': 'child processes the instances are spread over (default 4)',
  '--modes': 'consecutive, rate or both (default consecutive,rate)',
  '--restart-p': 'instances during the empty restart (default the largest P; 0: no restart)',
};

const DEFAULTS = {
  p: [4, 8, 16, 32],
  breakers: 100,
  seconds: 20,
  warmup: 12,
  processes: 4,
  modes: ['consecutive', 'rate'],
  restartP: undefined,
  callsPerSecond: 5,
  failureRate: 0.02,
  // Redis stays down this long before the empty server starts, as a real restart does.
  downMs: 1000,
  // INFO is read this often during the resynchronization; the peak is a rate over this long.
  sampleMs: 100,
};
const QUICK = { p: [4, 8, 32], seconds: 8, warmup: 10 };

const positive = (flag, text) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${flag} must be a positive integer, got "${text}"`);
  return value;
};

/** Reads the flags in `argv` (unknown ones are an error naming them) into the settings. */
export function scaleOptions(argv) {
  const settings = { ...DEFAULTS };
  const given = {};
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, ''];
    if (!(flag in SCALE_FLAGS))
      throw new Error(`unknown flag "${flag}"; the fleet-scale group takes ${Object.keys(SCALE_FLAGS).join(', ')}`);
    if (flag !== '--quick' && value === '') throw new Error(`${flag} needs a value: ${flag}=... (${SCALE_FLAGS[flag]})`);
    given[flag] = value;
  }
  if ('--quick' in given) Object.assign(settings, QUICK);
  if (given['--p'] !== undefined) settings.p = given['--p'].split(',').map((v) => positive('--p', v));
  if (given['--breakers'] !== undefined) settings.breakers = positive('--breakers', given['--breakers']);
  if (given['--seconds'] !== undefined) settings.seconds = positive('--seconds', given['--seconds']);
  if (given['--warmup'] !== undefined) settings.warmup = positive('--warmup', given['--warmup']);
  if (given['--processes'] !== undefined) settings.processes = positive('--processes', given['--processes']);
  if (given['--modes'] !== undefined) {
    settings.modes = given['--modes'].split(',');
    for (const m of settings.modes)
      if (m !== 'consecutive' && m !== 'rate') throw new RangeError(`--modes takes consecutive and rate, got "${m}"`);
  }
  if (given['--restart-p'] !== undefined) {
    const value = Number(given['--restart-p']);
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`--restart-p must be 0 or a positive integer, got "${given['--restart-p']}"`);
    settings.restartP = value;
  }
  settings.restartP ??= Math.max(...settings.p);
  return settings;
}

/** Whether `arg` is one of the group's flags (for bench/run.mjs, which passes them on). */
export function isScaleFlag(arg) {
  return (arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg) in SCALE_FLAGS;
}
