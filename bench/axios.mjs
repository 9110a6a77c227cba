// axios: one GET through a guarded instance against the same GET through a bare instance,
// both to a local node:http server in this process over kept-alive connections. axios itself
// costs tens of µs per call; the guard's target is at most 1.02x.
// Run by bench/run.mjs as `node --expose-gc bench/axios.mjs`.

import { once } from 'node:events';
import { Agent, createServer } from 'node:http';
import axios from 'axios';
import { guardAxios } from '../dist/adapters/axios.js';
import { check, emit, interleave, printRows, summarize } from './harness.mjs';

const server = createServer((_req, res) => res.end('ok'));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const baseURL = `http://127.0.0.1:${server.address().port}`;
const make = () => axios.create({ baseURL, httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) });
const bare = make();
const guarded = make();
const unguard = guardAxios(guarded);

const cases = [
  { id: 'bare', label: 'axios GET, bare instance', fn: () => bare.get('/') },
  { id: 'guarded', label: 'axios GET, through guardAxios', fn: () => guarded.get('/') },
];
for (const c of cases) {
  await check(c.label, async () => ((await c.fn()).data === 'ok' ? undefined : 'no answer'));
}
const times = await interleave(cases, { slow: true });
const references = ['bare'];
const rows = summarize(cases, times, references);
printRows('axios, one GET to 127.0.0.1', rows, references);
const stats = unguard.registry.get(baseURL).stats();
unguard();
server.closeAllConnections();
server.close();
if (stats.totals.calls === 0 || stats.totals.successes !== stats.totals.calls) {
  throw new Error(`the guard did not count the calls: ${JSON.stringify(stats.totals)}`);
}
emit({ group: 'axios', rounds: times.bare.length, rows, counted: stats.totals.calls });
