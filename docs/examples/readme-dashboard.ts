import { createServer } from 'node:http';
import { createBreaker } from 'tripswitch';
import { dashboard } from 'tripswitch/dashboard';

const payments = createBreaker({ name: 'payments' });
const board = dashboard({ sources: [payments] }); // read-only by default
createServer(board.node).listen(9090, '127.0.0.1'); // an internal port: never expose it publicly
