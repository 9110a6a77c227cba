import { manualClock, memoryStore } from '../../src/testing/index.js';
import { flush } from '../helpers.js';
import { type FleetFactory, fleetBehaviour } from './behaviour.js';
import { fleetCounting } from './counting.js';

const memoryFleet: FleetFactory = async ({ quorum, counting }) => {
  const clock = manualClock(1_000_000);
  const store = memoryStore({ clock, quorum, counting });
  const settle = async (): Promise<void> => {
    await store.flush();
    await flush();
  };
  return {
    member: () => store,
    clock,
    unit: 1000,
    async advance(ms) {
      clock.advance(ms);
      await settle();
    },
    settle,
    close: async () => undefined,
  };
};

fleetBehaviour('memoryStore', memoryFleet);
fleetCounting('memoryStore', memoryFleet);
