// Runs the demo (`npm start`'s second half) fast and piped, as plain text, and checks what a
// user sees: every line fits in 80 columns, the state band is letters, at least one call times
// out and the output says so, the dashboard's address is printed, and a run at the largest
// speed does not time every call out.
// `node scripts/check-demo.mjs` (after `npm run build`).
import { execFileSync } from 'node:child_process';

const problems = [];
const run = (speed) =>
  execFileSync(process.execPath, ['demo/demo.mjs', '--speed', String(speed)], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

const output = run(10);
const lines = output.split('\n');
for (const line of lines) if (line.length > 80) problems.push(`a line of ${line.length} columns: ${line}`);
if (!lines.some((line) => /^\s*\d+\.\d\ds {2}[COH.]{24} /.test(line))) problems.push('no state band made of C/O/H letters');
if (!/timed out/.test(output)) problems.push('no timeout shown');
if (!/^Live dashboard while the demo runs: http:\/\/127\.0\.0\.1:\d+\/$/m.test(output))
  problems.push('no dashboard address shown');
const totals = /(\d+) ok, (\d+) failed \((\d+) timed out\)/.exec(output);
if (totals === null) problems.push('no totals line with timeouts');
else if (Number(totals[3]) < 1) problems.push(`no call timed out: ${totals[0]}`);

const fastest = /(\d+) ok, (\d+) failed \((\d+) timed out\)/.exec(run(100));
if (fastest === null || Number(fastest[1]) === 0) problems.push(`--speed 100: no call succeeded (${fastest?.[0]})`);

if (problems.length > 0) {
  console.error(`check-demo:\n  ${problems.join('\n  ')}\n\n${output}`);
  process.exit(1);
}
console.log(`check-demo: ${lines.length} lines within 80 columns, a C/O/H band, ${totals[3]} timeout(s) shown`);
