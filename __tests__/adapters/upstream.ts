import { createServer, type Server } from 'node:http';
import { listen, signal, stop } from './helpers.js';

/**
 * An upstream that can be told what to do by path: /ok, /status/:code, /retry/:code?after=...
 * (a status with a Retry-After), /hang (answers nothing; tells when the request arrived and
 * when its connection closed).
 */
export interface Upstream {
  url: string;
  hits: string[];
  arrived(): Promise<void>;
  gone(): Promise<void>;
  close(): Promise<void>;
}

export async function upstream(): Promise<Upstream> {
  const hits: string[] = [];
  let arrived = signal();
  let gone = signal();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url as string, 'http://upstream');
    hits.push(`${req.method} ${url.pathname}`);
    const [, route, code] = url.pathname.split('/');
    if (route === 'hang') {
      res.once('close', () => gone.resolve());
      arrived.resolve();
      return;
    }
    const status = route === 'ok' ? 200 : Number(code);
    const after = url.searchParams.get('after');
    res.writeHead(status, after === null ? {} : { 'Retry-After': after });
    res.end(`upstream said ${status}`);
  });
  const base = await listen(server);
  return {
    url: base,
    hits,
    arrived: async () => {
      await arrived.promise;
      arrived = signal();
    },
    gone: async () => {
      await gone.promise;
      gone = signal();
    },
    close: () => stop(server),
  };
}
