// tripswitch demo: a flaky upstream on 127.0.0.1 and a client that calls it through a breaker.
// Run with `npm start`; `npm start -- --help` for the flags.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createBreaker, exponentialBackoff } from '../dist/index.js';
import { serveDashboard } from './dashboard-server.mjs';
import { serveMetrics } from './metrics-server.mjs';
import { createTimeline } from './timeline.mjs';
import { phaseAt, startUpstream } from './upstream.mjs';

const USAGE = `Usage: npm start -- [--speed <x>] [--failure-rate <0..1>]

  --speed <x>             time scale: 2 runs twice as fast, 0.5 half as fast (default 1, about 13 s);
                          up to 100 is accepted, but above 10 it runs at 10
  --failure-rate <0..1>   share of requests that fail while the upstream is failing (default 0.8)
  --help                  show this text

Colours and in-place updates are used on a terminal; set NO_COLOR, or pipe the output,
for plain lines.`;

// Scenario times, in milliseconds at speed 1.
const RUN_MS = 13_000;
const INTERVAL_MS = 500;
const PAUSE_MS = 50; // between two calls of the client
const TIMEOUT_MS = 1_000; // the client's per-call limit
const HANG_MS = 1_500; // how long a hanging upstream request lasts, longer than TIMEOUT_MS
// Above this speed, the timeout (100 ms at x10) would come close to what a round trip on
// localhost really takes, which does not scale: calls would time out for no reason.
const MAX_SPEED = 10;

function parseFlags(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      speed: { type: 'string', default: '1' },
      'failure-rate': { type: 'string', default: '0.8' },
      help: { type: 'boolean', default: false },
    },
  });
  const speed = Number(values.speed);
  const failureRate = Number(values['failure-rate']);
  if (!(speed > 0 && speed <= 100)) throw new RangeError(`--speed must be a number in (0, 100], got ${values.speed}`);
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new RangeError(`--failure-rate must be a number in [0, 1], got ${values['failure-rate']}`);
  }
  return { speed, failureRate, help: values.help };
}

async function main() {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { failureRate } = flags;
  const speed = Math.min(flags.speed, MAX_SPEED);
  const scale = (ms) => ms / speed;
  const fancy = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const timeline = createTimeline({ fancy });

  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  const upstream = await startUpstream({ startedAt, speed, failureRate, hangMs: scale(HANG_MS) });

  // The breaker under demonstration: rate mode over the last 20 calls, opening at 50% failures,
  // probing after 1 s, then 2 s, with two probes needed to close. The real clock, and no
  // background timers: transitions happen when the loop below calls or reads `state`.
  const breaker = createBreaker({
    name: 'upstream',
    window: { size: 20 },
    minimumCalls: 10,
    failureRateThreshold: 0.5,
    resetTimeoutMs: exponentialBackoff({ initialMs: scale(1_000), maxMs: scale(2_000) }),
    halfOpenMaxCalls: 2,
    timeoutMs: scale(TIMEOUT_MS),
  });
  const call = (path) =>
    breaker.execute(async ({ signal }) => {
      const response = await fetch(new URL(path, upstream.url), { signal });
      const body = await response.json();
      if (!response.ok) throw new Error(`upstream answered ${response.status}`);
      return body;
    });

  const metrics = await serveMetrics([breaker]);
  if (metrics !== undefined) process.stdout.write(`Prometheus metrics while the demo runs: ${metrics.url}\n`);
  const board = await serveDashboard([breaker]);
  process.stdout.write(`Live dashboard while the demo runs: ${board.url}\n`);
  timeline.header({
    speed,
    asked: flags.speed,
    failureRate,
    intervalMs: scale(INTERVAL_MS),
    timeoutMs: scale(TIMEOUT_MS),
    options: `last 20 calls, opens at 50% failed; probes after ${scale(1_000)}, ${scale(2_000)} ms`,
  });

  // One interval's row: counts from the breaker's events, and its state band.
  const cellMs = scale(INTERVAL_MS) / timeline.BAND_WIDTH;
  let current = {
    startMs: 0,
    endMs: scale(INTERVAL_MS),
    cells: [],
    counts: { successes: 0, failures: 0, timeouts: 0, rejected: 0 },
  };
  let lastState = breaker.state;
  const mark = (state, atMs = elapsed()) => {
    const cell = Math.min(timeline.BAND_WIDTH - 1, Math.floor((atMs - current.startMs) / cellMs));
    while (current.cells.length < cell) current.cells.push(lastState);
    current.cells[cell] = state;
    lastState = state;
  };
  const phase = () => phaseAt(elapsed(), speed);
  /** Prints the rows of the intervals that are over by `atMs`. */
  const finishIntervals = (atMs = elapsed()) => {
    while (atMs >= current.endMs) {
      while (current.cells.length < timeline.BAND_WIDTH) current.cells.push(lastState);
      timeline.interval({ ...current, phase: phaseAt(current.endMs - 1, speed) });
      const startMs = current.endMs;
      current = {
        startMs,
        endMs: startMs + scale(INTERVAL_MS),
        cells: [],
        counts: { successes: 0, failures: 0, timeouts: 0, rejected: 0 },
      };
    }
  };

  breaker.on('success', () => current.counts.successes++);
  breaker.on('failure', () => current.counts.failures++);
  breaker.on('reject', () => current.counts.rejected++);
  breaker.on('timeout', () => current.counts.timeouts++);
  let opened;
  breaker.on('open', (event) => {
    opened = event;
  });
  breaker.on('stateChange', ({ from, to }) => {
    const atMs = elapsed();
    finishIntervals(atMs);
    mark(to, atMs);
    let detail = '';
    if (to === 'open') {
      const { window } = breaker.stats();
      const why = opened.reason === 'probeFailed' ? 'a probe failed' : `${window.failures} of ${window.calls} calls failed`;
      detail = `${why}; probe in ${Math.round(opened.retryAfterMs)} ms`;
    } else if (to === 'halfOpen') detail = 'probes may go through';
    else if (to === 'closed') detail = 'the probes succeeded';
    timeline.change({ atMs, from, to, detail });
    timeline.progress({ ...current, phase: phase() });
  });

  // Runs until the interval that ends at RUN_MS has been printed.
  while (current.startMs < scale(RUN_MS)) {
    await call('/orders').catch(() => {}); // failures and rejections are counted by the events
    // Reading `state` is an observation: a transition due with time happens here at the latest.
    mark(breaker.state);
    finishIntervals();
    timeline.progress({ ...current, phase: phase() });
    await sleep(scale(PAUSE_MS));
  }

  timeline.footer(breaker.stats(), elapsed());
  await upstream.close();
  await metrics?.close();
  await board.close();
}

await main();
