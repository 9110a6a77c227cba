// A flaky HTTP upstream on 127.0.0.1: healthy, then failing, then healthy again, on a schedule.
import { createServer } from 'node:http';

/**
 * The phases of the upstream, in scenario milliseconds (divided by the speed at run time).
 * @type {readonly { name: 'healthy' | 'failing', untilMs: number }[]}
 */
export const PHASES = [
  { name: 'healthy', untilMs: 3_000 },
  { name: 'failing', untilMs: 7_500 },
  { name: 'healthy', untilMs: Number.POSITIVE_INFINITY },
];

/** The phase at `elapsedMs` of real time, for a run at `speed`. */
export function phaseAt(elapsedMs, speed) {
  const scenarioMs = elapsedMs * speed;
  return PHASES.find((phase) => scenarioMs < phase.untilMs).name;
}

/**
 * Starts the upstream. While failing, it answers 503 to a share `failureRate` of requests, and
 * hangs for `hangMs` (longer than the client waits) on the first of them and on one in ten of
 * the others, so that some calls time out. Every other answer takes a few milliseconds, like a
 * real service.
 */
export async function startUpstream({ startedAt, speed, failureRate, hangMs, random = Math.random }) {
  const timers = new Set();
  let hungOnce = false;
  const server = createServer((req, res) => {
    const failing = phaseAt(performance.now() - startedAt, speed) === 'failing' && random() < failureRate;
    const hangs = failing && (!hungOnce || random() < 0.1);
    hungOnce ||= hangs;
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (res.destroyed) return; // the client gave up (timed out) and closed the connection
        res.writeHead(failing ? 503 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(failing ? { error: 'overloaded' } : { ok: true, path: req.url }));
      },
      hangs ? hangMs : (5 + random() * 15) / speed,
    );
    timers.add(timer);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Stops answering, drops kept-alive connections and resolves once the server is closed. */
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    },
  };
}
