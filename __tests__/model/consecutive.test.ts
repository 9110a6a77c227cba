import { consecutiveMode, runModel } from './arbitraries.js';

test('the breaker behaves as the reference model (consecutive mode, 1000 random command sequences)', async () => {
  await runModel(consecutiveMode, 1000);
}, 60_000);
