// The built web app at `/`: index.html and hashed assets from a dist directory, gzip when asked, the app's CSP,
// unknown files as JSON 404s, the status page at /status — and the OpenAPI document still builds with these routes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { WEB_CSP } from '../../src/http/routes/web-app.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { errorOf, testServer } from './support/server.js';

describe('web app routes', () => {
  let dir: string;
  let db: Database;
  let app: FastifyInstance;
  const script = 'console.log("citycap");'.repeat(50);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'citycap-web-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>citycap</title><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc123.js'), script);
    db = openDatabase(`sqlite:${join(dir, 'c.db')}`);
    await migrateToLatest(db);
    app = await testServer(db, { webDist: join(dir, 'dist') });
  });
  after(async () => {
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / under the app CSP, uncached', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['content-security-policy'], WEB_CSP);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /<script type="module" src="\/assets\/index-abc123.js">/);
  });

  it('serves assets immutable, gzipped when the client accepts it', async () => {
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.body, script);
    assert.match(String(plain.headers['content-type']), /^text\/javascript/);
    assert.match(String(plain.headers['cache-control']), /immutable/);
    const zipped = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.rawPayload.length < script.length);
    assert.equal(gunzipSync(zipped.rawPayload).toString(), script);
  });

  it('answers an unknown file with a JSON 404 naming it, and a path outside assets with 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/..%2Fc.db' });
    assert.equal(res.statusCode, 404);
    assert.equal(errorOf(res).field, 'file');
    assert.equal((await app.inject({ method: 'GET', url: '/c.db' })).statusCode, 404);
  });

  it('keeps the status page at /status and builds the OpenAPI document with the app routes', async () => {
    const status = await app.inject({ method: 'GET', url: '/status' });
    assert.equal(status.statusCode, 200);
    assert.match(status.body, /Registry ledger status/);
    const doc = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(doc.statusCode, 200, doc.body.slice(0, 300));
    const paths = doc.json<{ paths: Record<string, unknown> }>().paths;
    assert.ok('/' in paths && '/assets/{file}' in paths && '/status' in paths);
  });
});
