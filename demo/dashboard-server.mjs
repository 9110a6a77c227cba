// Serves the live dashboard of the demo's breakers on 127.0.0.1 while the demo runs: open the
// printed address in a browser to watch the breaker open, probe and close.
import { createServer } from 'node:http';
import { dashboard } from '../dist/dashboard/index.js';

export async function serveDashboard(sources) {
  const board = dashboard({ sources, title: 'tripswitch demo' });
  const server = createServer(board.node);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
