import { createServer } from 'node:http';
import { createBreaker } from 'tripswitch';
import { dashboard } from 'tripswitch/dashboard';

const board = dashboard({ sources: [createBreaker({ name: 'payments' })] });
const admin = createServer(board.node).listen(9090, '127.0.0.1');

process.once('SIGTERM', () => {
  board.close(); // ends the open pages' feeds and their timers
  admin.close(() => console.log('dashboard server closed')); // now finishes: no feed holds a connection
});
