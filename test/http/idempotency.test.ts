// The generic Idempotency-Key layer of creating POSTs (src/http/plugins/idempotency.ts) through real HTTP, on both
// engines: the header is required (after sign-in and authorization), a retry replays the stored response and writes
// nothing, another request with the same key is 409 IDEMPOTENCY_CONFLICT, keys are per actor, refusals are replayed
// as refused, a running first request is 409 IDEMPOTENCY_IN_PROGRESS (and a crashed one is taken over after the lease).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_RETENTION_MS, idempotentRoutesOf, requestFingerprint } from '../../src/http/plugins/idempotency.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { apiFixture, stateFingerprint, TOKYO } from './support/api-fixture.js';
import { signInAs } from './support/principals.js';
import { errorOf, testClock, testServer, type TestClock } from './support/server.js';

const AGENCIES = `/api/v1/jurisdictions/${TOKYO}/verification-agencies`;
const AGENCIES_ROUTE = '/api/v1/jurisdictions/:code/verification-agencies';

for (const engine of testEngines()) {
  describe(`Idempotency-Key on creating POSTs on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let clock: TestClock;

    const admin = async (login?: string): Promise<Record<string, string>> => (await signInAs(app, 'authority_admin', login === undefined ? {} : { login })) ?? {};
    const post = async (url: string, headers: Record<string, string>, payload: unknown, key?: string): Promise<LightMyRequestResponse> =>
      app.inject({ method: 'POST', url, headers: { ...headers, ...(key !== undefined ? { 'idempotency-key': key } : {}) }, payload: payload as Record<string, unknown> });
    /** The state a request may change, without the audit log's count: fetching a CSRF token writes an audit event. */
    const domainState = async (): Promise<string> => (await stateFingerprint(t.db)).replace(/"audit_events=\d+",?/, '');
    const keyRows = async (): Promise<number> => Number((await t.db.kysely.selectFrom('idempotency_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      clock = testClock(new Date('2026-06-01T00:00:00.000Z'));
      app = await testServer(t.db, { clock: clock.now }, { fillIdempotencyKeys: false });
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    it('declares the required header in the OpenAPI document of every idempotent route', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>> }>();
      const routes = [...idempotentRoutesOf(app).keys()];
      assert.ok(routes.length >= 15, `creating POSTs marked idempotent: ${routes.join(', ')}`);
      for (const route of routes) {
        const path = route.replace(/^POST /, '').replace(/:(\w+)/g, '{$1}');
        const params = doc.paths[path]?.post?.parameters ?? [];
        assert.ok(params.some((p) => p.in === 'header' && p.name === 'idempotency-key' && p.required === true), `${route} declares Idempotency-Key`);
      }
    });

    it('refuses a creating POST without (or with a malformed) Idempotency-Key: 400 naming the header; 401/403 still come first', async () => {
      const headers = await admin();
      const verifierHeaders = (await signInAs(app, 'verifier')) ?? {};
      const before = await domainState();
      const missing = await post(AGENCIES, headers, { name: 'No Key', categories: ['I-1'] });
      assert.equal(missing.statusCode, 400, missing.body);
      assert.equal(errorOf(missing).field, 'idempotency-key');
      assert.match(errorOf(missing).message, /idempotency-key/i);
      const blank = await post(AGENCIES, headers, { name: 'No Key', categories: ['I-1'] }, ' padded ');
      assert.equal(blank.statusCode, 400, blank.body);
      assert.equal(errorOf(blank).field, 'idempotency-key');
      const anonymous = await post(AGENCIES, {}, { name: 'No Key', categories: ['I-1'] });
      assert.equal(anonymous.statusCode, 401, anonymous.body);
      const verifier = await post(AGENCIES, verifierHeaders, { name: 'No Key', categories: ['I-1'] });
      assert.equal(verifier.statusCode, 403, verifier.body);
      assert.equal(await domainState(), before);
    });

    it('replays the first response to a retry (same status and body, Idempotent-Replayed) and writes nothing new', async () => {
      const headers = await admin();
      const body = { name: 'Agency Replay', categories: ['I-1'] };
      const first = await post(AGENCIES, headers, body, 'agency-replay-1');
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const [state, rows] = [await domainState(), await keyRows()];
      const again = await post(AGENCIES, headers, { categories: ['I-1'], name: 'Agency Replay' }, 'agency-replay-1'); // same request, keys reordered
      assert.equal(again.statusCode, first.statusCode);
      assert.equal(again.body, first.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.match(String(again.headers['content-type']), /^application\/json/);
      assert.equal(await domainState(), state);
      assert.equal(await keyRows(), rows);
      const agencies = await t.db.kysely.selectFrom('verification_agencies').select('id').where('name', '=', 'Agency Replay').execute();
      assert.equal(agencies.length, 1);
    });

    it('refuses the same key with a different request: 409 IDEMPOTENCY_CONFLICT (another body, or another route)', async () => {
      const headers = await admin();
      assert.equal((await post(AGENCIES, headers, { name: 'Agency Conflict', categories: ['I-1'] }, 'agency-conflict-1')).statusCode, 200);
      const state = await domainState();
      const other = await post(AGENCIES, headers, { name: 'Agency Conflict 2', categories: ['I-1'] }, 'agency-conflict-1');
      assert.equal(other.statusCode, 409, other.body);
      assert.equal(errorOf(other).code, 'IDEMPOTENCY_CONFLICT');
      const elsewhere = await post(`/api/v1/jurisdictions/${TOKYO}/facilities/T-101/reliefs`, headers, { period: 3, reliefCode: 'x' }, 'agency-conflict-1');
      assert.equal(elsewhere.statusCode, 409, elsewhere.body);
      assert.equal(errorOf(elsewhere).code, 'IDEMPOTENCY_CONFLICT');
      assert.equal(await domainState(), state);
    });

    it('keeps keys per actor: another user with the same key is independent', async () => {
      const a = await post(AGENCIES, await admin(), { name: 'Agency of A', categories: ['I-1'] }, 'shared-key');
      assert.equal(a.statusCode, 200, a.body);
      const b = await post(AGENCIES, await admin('admin-two'), { name: 'Agency of B', categories: ['II'] }, 'shared-key');
      assert.equal(b.statusCode, 200, b.body);
      assert.equal(b.headers['idempotent-replayed'], undefined);
      assert.notEqual(b.json<{ id: string }>().id, a.json<{ id: string }>().id);
      const names = await t.db.kysely.selectFrom('verification_agencies').select('name').where('name', 'in', ['Agency of A', 'Agency of B']).execute();
      assert.equal(names.length, 2);
    });

    it('replays a refused request as refused (a 4xx is stored too)', async () => {
      const url = `/api/v1/jurisdictions/${TOKYO}/facilities`;
      const body = { code: 'T-101', name: 'Duplicate', owner: 'Owner KK', category: 'I-1', useType: 'office', floorAreaM2: '1000' };
      const refused = await post(url, await admin(), body, 'dup-facility-1');
      assert.ok(refused.statusCode >= 400 && refused.statusCode < 500, refused.body);
      const rows = await keyRows();
      const again = await post(url, await admin(), body, 'dup-facility-1');
      assert.equal(again.statusCode, refused.statusCode);
      assert.equal(again.body, refused.body);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(await keyRows(), rows);
    });

    it('answers 409 IDEMPOTENCY_IN_PROGRESS while the first request runs; a crashed one is taken over after the lease', async () => {
      const headers = await admin();
      const userId = (await t.db.kysely.selectFrom('users').select('id').where('login', 'like', 'authority_admin%').executeTakeFirstOrThrow()).id;
      const body = { name: 'Agency In Progress', categories: ['I-1'] };
      // A reservation as the first request leaves it before it has answered.
      await t.db.kysely
        .insertInto('idempotency_keys')
        .values({ actor_id: userId, idempotency_key: 'running-1', method: 'POST', route: AGENCIES_ROUTE, fingerprint: requestFingerprint('POST', AGENCIES_ROUTE, { code: TOKYO }, body), status_code: null, response_body: null, created_at: clock.now().toISOString() })
        .execute();
      const running = await post(AGENCIES, headers, body, 'running-1');
      assert.equal(running.statusCode, 409, running.body);
      assert.equal(errorOf(running).code, 'IDEMPOTENCY_IN_PROGRESS');
      clock.advance(IDEMPOTENCY_LEASE_MS + 1000);
      const retried = await post(AGENCIES, await admin(), body, 'running-1');
      assert.equal(retried.statusCode, 200, retried.body);
      const replay = await post(AGENCIES, await admin(), body, 'running-1');
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      assert.equal(replay.body, retried.body);
    });

    it('forgets keys after the retention period (pruned; the key may be used again)', async () => {
      const body = { name: 'Agency Retained', categories: ['I-1'] };
      assert.equal((await post(AGENCIES, await admin(), body, 'retained-1')).statusCode, 200);
      clock.advance(IDEMPOTENCY_RETENTION_MS + 120_000);
      const later = await post(AGENCIES, await admin(), { name: 'Agency Retained Later', categories: ['I-1'] }, 'retained-1');
      assert.equal(later.statusCode, 200, later.body);
      assert.equal(later.headers['idempotent-replayed'], undefined);
      const old = await t.db.kysely.selectFrom('idempotency_keys').select('idempotency_key').where('created_at', '<', new Date(clock.now().getTime() - IDEMPOTENCY_RETENTION_MS).toISOString()).execute();
      assert.deepEqual(old, []);
    });
  });
}
