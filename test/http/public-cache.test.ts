import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { installPublicCache } from '../../src/http/plugins/public-cache.js';

async function counterServer(ttlMs: number, clock: { t: number }, maxEntries?: number) {
  const app = Fastify();
  let served = 0;
  await app.register((scope, _opts, done) => {
    installPublicCache(scope, { ttlMs, now: () => clock.t, ...(maxEntries === undefined ? {} : { maxEntries }) });
    scope.get('/count', () => ({ served: ++served }));
    scope.get('/missing', async (_req, reply) => reply.code(404).send({ error: { code: 'UNKNOWN', message: 'no' } }));
    scope.post('/count', () => ({ served: ++served }));
    done();
  });
  return app;
}

describe('public read cache', () => {
  it('serves the same response again until it expires, then asks the handler again', async () => {
    const clock = { t: 0 };
    const app = await counterServer(1000, clock);
    const first = await app.inject({ url: '/count' });
    assert.equal(first.json<{ served: number }>().served, 1);
    assert.equal(first.headers['x-cache'], 'miss');
    assert.equal(first.headers['cache-control'], 'public, max-age=1');
    clock.t = 999;
    const again = await app.inject({ url: '/count' });
    assert.equal(again.json<{ served: number }>().served, 1);
    assert.equal(again.headers['x-cache'], 'hit');
    assert.match(String(again.headers['content-type']), /^application\/json/);
    clock.t = 1000;
    assert.equal((await app.inject({ url: '/count' })).json<{ served: number }>().served, 2);
  });

  it('keeps URLs apart and never caches errors or other methods', async () => {
    const clock = { t: 0 };
    const app = await counterServer(1000, clock);
    await app.inject({ url: '/count?a=1' });
    assert.equal((await app.inject({ url: '/count?a=2' })).json<{ served: number }>().served, 2);
    await app.inject({ url: '/missing' });
    assert.equal((await app.inject({ url: '/missing' })).headers['x-cache'], undefined);
    assert.equal((await app.inject({ method: 'POST', url: '/count' })).json<{ served: number }>().served, 3);
    assert.equal((await app.inject({ method: 'POST', url: '/count' })).json<{ served: number }>().served, 4);
  });

  it('is off with a time to live of 0, and bounded in entries', async () => {
    const off = await counterServer(0, { t: 0 });
    await off.inject({ url: '/count' });
    assert.equal((await off.inject({ url: '/count' })).json<{ served: number }>().served, 2);
    const small = await counterServer(1000, { t: 0 }, 2);
    for (const q of ['a', 'b', 'c']) await small.inject({ url: `/count?${q}` });
    // 'a' was evicted for 'c': asking again reaches the handler.
    assert.equal((await small.inject({ url: '/count?a' })).json<{ served: number }>().served, 4);
    assert.equal((await small.inject({ url: '/count?c' })).headers['x-cache'], 'hit');
  });
});
