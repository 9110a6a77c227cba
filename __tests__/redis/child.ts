import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

/** `tripswitch` and `tripswitch/redis` bundled as a user would load them (CommonJS), the client libraries left outside. */
export function bundleEntries(): { dir: string; core: string; redis: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tripswitch-child-'));
  const build = (entry: string, out: string) => {
    buildSync({
      entryPoints: [resolve(__dirname, '../../src', entry)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(dir, out),
      external: ['ioredis', 'redis'],
      logLevel: 'silent',
    });
    return join(dir, out);
  };
  return {
    dir,
    core: build('index.ts', 'core.cjs'),
    redis: build('stores/redis/index.ts', 'redis.cjs'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What a script run in a child process printed, how it exited, and how long it ran. */
export interface ChildRun {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
  /** When it exited (`Date.now()`). */
  readonly exitedAt: number;
}

/** Runs `source` in a child Node process; kills it after `deadlineMs`. */
export function runChild(dir: string, source: string, deadlineMs = 15_000): Promise<ChildRun> {
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, source);
  const started = Date.now();
  return new Promise((done) => {
    const proc = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      output += '[killed: did not exit]';
    }, deadlineMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, output, ms: Date.now() - started, exitedAt: Date.now() });
    });
  });
}
