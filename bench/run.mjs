// `npm run bench`: builds the package, runs every benchmark group in a child process of its
// own and regenerates docs/benchmarks.md from the figures.
// `npm run bench -- --group http` (or BENCH_GROUPS=closed,open) runs only those groups; the
// sections of the others stay as they were. BENCH_ROUNDS, BENCH_HTTP_SECONDS and
// BENCH_HTTP_PAIRS shorten or lengthen a run.
// `fleet-scale` (minutes of a 32-instance fleet on one Redis) runs only when named:
// `npm run bench -- --group fleet-scale [--quick] [--p=4,32] ...` (its flags are passed on to it).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { measureParts, measureSizes } from '../scripts/check-size.mjs';
import { isScaleFlag } from './fleet-scale-options.mjs';
import { writeReport } from './report.mjs';

const GROUPS = [
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
  'upstash',
  'fleet-scale',
];
/** Groups left out of a run that names none: they run only when asked for. */
const ON_REQUEST = ['fleet-scale'];
/** Flags passed on to a group's script, by group. */
const GROUP_FLAGS = { 'fleet-scale': isScaleFlag };
const passed = [];

function selectedGroups() {
  const args = process.argv.slice(2);
  const chosen = [];
  for (let k = 0; k < args.length; k++) {
    if (args[k] === '--group') chosen.push(args[++k] ?? '');
    else if (args[k].startsWith('--group=')) chosen.push(args[k].slice('--group='.length));
    else if (Object.values(GROUP_FLAGS).some((accepts) => accepts(args[k]))) passed.push(args[k]);
    else throw new Error(`unknown argument "${args[k]}"; use --group <${GROUPS.join('|')}>`);
  }
  if (chosen.length === 0 && process.env.BENCH_GROUPS) chosen.push(process.env.BENCH_GROUPS);
  const groups = chosen.flatMap((c) => c.split(',')).filter(Boolean);
  for (const g of groups) if (!GROUPS.includes(g)) throw new Error(`unknown group "${g}"; one of ${GROUPS.join(', ')}`);
  const selected = groups.length === 0 ? GROUPS.filter((g) => !ON_REQUEST.includes(g)) : GROUPS.filter((g) => groups.includes(g));
  for (const flag of passed)
    if (!selected.some((g) => GROUP_FLAGS[g]?.(flag))) throw new Error(`${flag} is for a group not selected here`);
  return selected;
}

/** Runs `bench/<group>.mjs` with --expose-gc; its last stdout line is its JSON result. */
function runGroup(group) {
  return new Promise((resolve, reject) => {
    const script = new URL(`./${group}.mjs`, import.meta.url).pathname;
    const flags = passed.filter((flag) => GROUP_FLAGS[group]?.(flag));
    const child = spawn(process.execPath, ['--expose-gc', script, ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0) reject(new Error(`bench/${group}.mjs exited with ${signal ?? code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

function version(pkg) {
  return JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version;
}

function environment() {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpu;
  } catch {
    // not Linux: the model os.cpus() reports will do
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString().slice(0, 10),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    cockatiel: version('cockatiel'),
    opossum: version('opossum'),
    fastify: version('fastify'),
    axios: version('axios'),
  };
}

const groups = selectedGroups();
const env = environment();
const results = {};
const failed = [];
const started = Date.now();
for (const group of groups) {
  process.stderr.write(`\n== ${group}\n`);
  const t0 = Date.now();
  try {
    if (group === 'size') {
      results.size = { group, rows: await measureSizes(), parts: await measureParts() };
      for (const r of results.size.rows)
        process.stderr.write(`  ${r.entry.padEnd(12)} ${r.gzip} B min+gzip (budget ${r.budget ?? 'none'})\n`);
      for (const r of results.size.parts) process.stderr.write(`  ${r.part}: ${r.gzip} B min+gzip\n`);
    } else {
      results[group] = await runGroup(group);
    }
    process.stderr.write(`  (${group}: ${Math.round((Date.now() - t0) / 1000)} s)\n`);
  } catch (error) {
    failed.push(group);
    process.stderr.write(`${group} failed: ${error.stack ?? error}\n`);
  }
}
writeReport(results, env);
process.stderr.write(
  `\ndocs/benchmarks.md updated (${Object.keys(results).join(', ') || 'nothing'}) in ${Math.round((Date.now() - started) / 1000)} s\n`,
);
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`);
  process.exitCode = 1;
}
