import { spawn } from 'node:child_process';

/** Runs exit-child.mjs in a new node process; measures the time from its last line of work to its exit. */
export function measureExit(variant) {
  return new Promise((resolve, reject) => {
    const started = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, [new URL('./exit-child.mjs', import.meta.url).pathname, variant], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const exited = performance.timeOrigin + performance.now();
      const { done } = JSON.parse(out || '{}');
      resolve({ variant, code, afterWorkMs: exited - done, totalMs: exited - started });
    });
  });
}
