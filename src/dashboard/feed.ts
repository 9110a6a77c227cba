import { Sources } from '../metrics/sources.js';
import type { Breaker } from '../types.js';
import { eachBreaker, type Thresholds, thresholdsOf } from './breakers.js';
import type { Settings } from './options.js';
import { type Row, rowsOf, storeOf, type Transition } from './rows.js';

/** @internal How often a connected page is sent what changed, in milliseconds. */
export const TICK_MS = 500;

const encoder = new TextEncoder();

/**
 * @internal The live feeds of one dashboard. Nothing exists while no page is connected; each
 * page costs one timer and one listener per source, all removed when it disconnects.
 */
export class Feeds {
  /** Pages connected now. */
  live = 0;

  constructor(private readonly settings: Settings) {}

  /** A Server-Sent Events response: the whole list first, then every tick what changed. */
  open(signal: AbortSignal): Response {
    let stop: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        stop = this.watch((text) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            stop?.(); // the stream is gone: stop counting it
          }
        });
        signal.addEventListener('abort', () => {
          stop?.();
          try {
            controller.close();
          } catch {
            // Already closed or cancelled by the server.
          }
        });
      },
      cancel: () => stop?.(),
    });
    return new Response(body, {
      headers: {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      },
    });
  }

  /** Starts one page's updates; returns the function that ends them (once). */
  private watch(send: (text: string) => void): () => void {
    const { sources, storeStats } = this.settings;
    const reader = new Sources(sources, undefined);
    const lasts = new Map<string, Transition>();
    const offs = sources.map((source) =>
      (source as Breaker).on('stateChange', ({ name, from, to, remote, instance }) => {
        const last: { -readonly [K in keyof Transition]: Transition[K] } = { from, to, at: Date.now() };
        if (remote) last.remote = true;
        if (instance !== undefined) last.instance = instance;
        lasts.set(name, last);
      }),
    );
    const thresholds = new Map<string, Thresholds | undefined>();
    const sent = new Map<string, string>();
    let first = true;
    const tick = (): void => {
      const reading = reader.read();
      if (reading.breakers.some(({ name }) => !thresholds.has(name))) {
        for (const [name, breaker] of eachBreaker(sources))
          if (!thresholds.has(name)) thresholds.set(name, thresholdsOf(breaker));
      }
      const rows = rowsOf(reading, (name) => ({ thresholds: thresholds.get(name), last: lasts.get(name) }));
      const changed: Row[] = [];
      const present = new Set<string>();
      for (const row of rows) {
        present.add(row.name);
        const text = JSON.stringify(row);
        if (sent.get(row.name) !== text) {
          sent.set(row.name, text);
          changed.push(row);
        }
      }
      const gone: string[] = [];
      for (const name of sent.keys()) {
        if (!present.has(name)) {
          sent.delete(name);
          lasts.delete(name);
          thresholds.delete(name);
          gone.push(name);
        }
      }
      const store = storeOf(reading, storeStats);
      // Sent every tick, even empty: the page counts calls per second between two messages.
      send(`data: ${JSON.stringify({ at: Date.now(), full: first, breakers: changed, gone, store })}\n\n`);
      first = false;
    };
    let stopped = false;
    // A tick must never throw out of a timer: that would take the host process down.
    const safeTick = (): void => {
      try {
        tick();
      } catch {
        send('event: failed\ndata: {}\n\n');
        end();
      }
    };
    const timer = setInterval(safeTick, TICK_MS);
    this.live++;
    const end = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      reader.stop();
      for (const off of offs) off();
      this.live--;
    };
    safeTick();
    return end;
  }
}
