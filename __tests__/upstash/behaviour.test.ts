import { type BreakerStore, type StoreLink, systemClock } from '../../src/index.js';
import { type UpstashStore, upstashStore } from '../../src/stores/upstash/index.js';
import { sleep } from '../redis/server.js';
import { type FleetFactory, fleetBehaviour } from '../store/behaviour.js';
import { fleetCounting } from '../store/counting.js';
import { useBridge } from './bridge.js';

jest.setTimeout(30_000);

const env = useBridge();

const PROCESSES = 4;
let fleets = 0;

// Each breaker a test makes is an instance of its own: its own store and @upstash/redis
// client (round robin over four), all through the REST bridge to one real Redis. Without a
// subscription an instance learns the fleet's state when its breaker is called: waiting for
// the fleet, the test's breakers are told of a call through their link's `called` hook, as a
// call tells them. Time is real: a unit of 100 ms.
const upstashFleet: FleetFactory = async ({ quorum, counting }) => {
  const prefix = `up${++fleets}:`;
  const stores: UpstashStore[] = [];
  const links: StoreLink[] = [];
  for (let i = 0; i < PROCESSES; i++) {
    stores.push(
      upstashStore({
        client: env.bridge.client(),
        prefix,
        quorum,
        counting,
        instanceId: `p${i}`,
        timeoutMs: 1000,
        refreshMs: 20,
      }),
    );
  }
  const watched = stores.map(
    (store): BreakerStore => ({
      instanceId: store.instanceId,
      join: store.join,
      stats: () => store.stats(),
      attach(member) {
        const link = store.attach(member);
        links.push(link);
        return link;
      },
    }),
  );
  let next = 0;
  const poke = () => {
    for (const link of links) link.called?.();
  };
  return {
    member: () => watched[next++ % PROCESSES],
    clock: systemClock,
    unit: 100,
    advance: (ms) => sleep(ms),
    async settle(done) {
      if (done === undefined) {
        await sleep(40);
        for (const store of stores) await store.flush().catch(() => undefined);
        return;
      }
      const deadline = Date.now() + 5000;
      while (!done() && Date.now() < deadline) {
        poke();
        await sleep(5);
      }
    },
    async close() {
      for (const store of stores) await store.close();
    },
  };
};
/**
 * What an instance learns only from the channel, which a store without a subscription does
 * not hear (edge-store.md 2): a breaker made after a transition elsewhere takes it up one
 * request after its first call, or before it with `ready()` (tested in store.test.ts); the
 * fleet's counts are read at each refresh rather than told when a run is announced (the
 * counting suite runs whole: what a refresh reads is what the channel would have told).
 */
const NOT_HEARD = ['a breaker or registry key made after isolate() elsewhere rejects its very first call'];
const shared = globalThis.it;
globalThis.it = Object.assign(
  (title: string, fn?: jest.ProvidesCallback, timeout?: number) =>
    NOT_HEARD.includes(title) ? shared.skip(title, fn, timeout) : shared(title, fn, timeout),
  shared,
) as typeof shared;
fleetBehaviour('upstashStore through the REST bridge', upstashFleet);
fleetCounting('upstashStore through the REST bridge', upstashFleet);
globalThis.it = shared;
