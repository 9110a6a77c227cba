import express from 'express';
import { createBreaker, createRegistry } from 'tripswitch';
import { dashboard } from 'tripswitch/dashboard';

const payments = createBreaker({ name: 'payments', window: { size: 50 } });
const perTenant = createRegistry({ maxSize: 5_000 });

// Read-only; every request must come through the internal proxy, which names its user.
const board = dashboard({
  sources: [payments, perTenant],
  title: 'checkout: breakers',
  authorize: (request) => request.headers.get('x-forwarded-user') !== null,
});

// On an internal port, never the public one.
const admin = express();
admin.use('/breakers', board.node);
admin.listen(9090, '127.0.0.1');
