import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free port on 127.0.0.1 (listened on, then let go). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Debian's Prometheus server, scraping `target` (host:port, or several) every second, in a temporary directory. */
export async function startPrometheus(
  job: string,
  target: string | string[],
): Promise<{ url: string; stop: () => Promise<void> }> {
  const targets = (Array.isArray(target) ? target : [target]).map((t) => `'${t}'`).join(', ');
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'pipe' });
  } catch {
    throw new Error(
      "the Prometheus server is missing: these tests need Debian's prometheus package (apt-get install -y prometheus)",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'tripswitch-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: ${job}\n    static_configs:\n      - targets: [${targets}]\n`,
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited: ${log}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    if (Date.now() > end) {
      await stop();
      throw new Error(`prometheus was not ready after 30 s: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
