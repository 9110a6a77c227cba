import { useBridge } from './bridge.js';

jest.setTimeout(30_000);

const env = useBridge();

// The test bridge speaks the REST protocol as the real @upstash/redis client expects it.
describe('the REST bridge, with the real @upstash/redis client', () => {
  it('commands, hashes, pipelines and transactions, with base64 replies', async () => {
    const redis = env.bridge.client();
    expect(await redis.set('bridge:k', 'héllo wörld')).toBe('OK');
    expect(await redis.get('bridge:k')).toBe('héllo wörld');
    await redis.hset('bridge:h', { a: '1', b: 'two' });
    expect(await redis.hgetall('bridge:h')).toEqual({ a: 1, b: 'two' });
    const p = redis.pipeline();
    p.incr('bridge:n');
    p.incr('bridge:n');
    p.get('bridge:k');
    expect(await p.exec()).toEqual([1, 2, 'héllo wörld']);
    const m = redis.multi();
    m.incr('bridge:n');
    m.del('bridge:n');
    expect(await m.exec()).toEqual([3, 1]);
    await expect(redis.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it('refuses a wrong token with 401 Unauthorized', async () => {
    await expect(env.bridge.client({ token: 'nope' }).get('bridge:k')).rejects.toThrow(/Unauthorized/);
  });
});
