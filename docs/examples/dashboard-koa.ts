import Koa from 'koa';
import { createRegistry } from 'tripswitch';
import { dashboard } from 'tripswitch/dashboard';

const perUpstream = createRegistry();
const board = dashboard({ sources: [perUpstream] });

const admin = new Koa();
admin.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/breakers')) return next();
  ctx.respond = false; // the dashboard writes the response itself
  board.node(ctx.req, ctx.res);
});
admin.listen(9090, '127.0.0.1');
