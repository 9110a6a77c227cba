import { manualClock, memoryStore } from '../../src/testing/index.js';
import { flush } from '../helpers.js';
import { fleetBehaviour } from './behaviour.js';

fleetBehaviour('memoryStore', async ({ quorum }) => {
  const clock = manualClock(1_000_000);
  const store = memoryStore({ clock, quorum });
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
});
