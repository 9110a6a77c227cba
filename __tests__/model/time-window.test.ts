import { runModel, timeMode } from './arbitraries.js';

test('the breaker behaves as the reference model (time-window mode, 1000 random command sequences)', async () => {
  await runModel(timeMode, 1000);
}, 60_000);
