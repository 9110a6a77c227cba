// Runs the portable suite on Node.js: `node runtimes/hosts/node.mjs`, with UPSTREAM_URL set.
import { builtPackageTest, runSuite } from '../run.mjs';

const extra = [builtPackageTest((specifier) => import.meta.resolve(specifier))];

console.log(`# node ${process.version}`);
const { failed } = await runSuite({ upstream: process.env.UPSTREAM_URL, log: (line) => console.log(line), extra });
process.exitCode = failed === 0 ? 0 : 1;
