// `npm start`'s first step: builds the package the demo imports from dist/, saying so on a
// terminal, since the build takes several seconds with nothing else to show.
import { execFileSync } from 'node:child_process';

if (process.stderr.isTTY) process.stderr.write('building tripswitch (a few seconds)...\n');
const npm = process.env.npm_execpath;
if (npm) execFileSync(process.execPath, [npm, 'run', 'build', '--silent'], { stdio: 'inherit' });
else execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', shell: true });
