import { eachBreaker, ownerOf, type Thresholds, thresholdsOf, unwrap } from './breakers.js';
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
  /** Ends each feed open now, and its response. */
  private readonly finishes = new Set<() => void>();
  private closed = false;

  constructor(private readonly settings: Settings) {}

  /** A Server-Sent Events response: the whole list first, then every tick what changed. */
  open(signal: AbortSignal): Response {
    if (this.closed) return new Response('the dashboard is closed', { status: 503, headers: { 'Content-Type': 'text/plain' } });
    let stop: (() => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        const finish = (): void => {
          stop?.();
          try {
            controller.close();
          } catch {
            // Already closed or cancelled by the server.
          }
        };
        stop = this.watch((text) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            stop?.(); // the stream is gone: stop counting it
          }
        }, finish);
        signal.addEventListener('abort', finish);
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

  /** Ends every feed and refuses new ones: the server can then close. */
  close(): void {
    this.closed = true;
    for (const finish of [...this.finishes]) finish();
  }

  /** Starts one page's updates; returns the function that ends them (once). `finish` ends its response. */
  private watch(send: (text: string) => void, finish: () => void): () => void {
    const { sources, storeStats, reader } = this.settings;
    const lasts = new Map<string, Transition>();
    const offs = sources.map((source, i) =>
      // A registry exported summed or by its keys not closed is listened to as the registry it wraps.
      unwrap(source).on('stateChange', ({ name, from, to, remote, instance }) => {
        if (ownerOf(sources, name) !== i) return; // shown from another source, listed first
        const last: { -readonly [K in keyof Transition]: Transition[K] } = { from, to, at: Date.now() };
        if (remote) last.remote = true;
        if (instance !== undefined) last.instance = instance;
        lasts.set(name, last);
      }),
    );
    const thresholds = new Map<string, Thresholds | undefined>();
    const sent = new Map<string, string>();
    // The fleet's figures of each breaker, as last read, and since when they have not changed.
    const fleets = new Map<string, [string, number]>();
    let first = true;
    const tick = (): void => {
      const now = Date.now();
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
        if (row.fleet !== undefined) {
          const figures = JSON.stringify(row.fleet);
          let seen = fleets.get(row.name);
          if (seen?.[0] !== figures) fleets.set(row.name, (seen = [figures, now]));
          row.fleetSince = seen[1];
        }
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
          fleets.delete(name);
          gone.push(name);
        }
      }
      const store = storeOf(reading, storeStats);
      // Sent every tick, even empty: the page counts calls per second between two messages.
      send(`data: ${JSON.stringify({ at: now, full: first, breakers: changed, gone, store })}\n\n`);
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
    this.finishes.add(finish);
    const end = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      for (const off of offs) off();
      this.finishes.delete(finish);
      this.live--;
    };
    safeTick();
    return end;
  }
}
