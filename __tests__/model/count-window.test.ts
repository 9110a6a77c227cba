import { countMode, runModel } from './arbitraries.js';

test('the breaker behaves as the reference model (count-window mode, 1000 random command sequences)', async () => {
  await runModel(countMode, 1000);
}, 60_000);
