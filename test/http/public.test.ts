// The public disclosure API through real routing (Fastify inject) on both engines: each route's shape and
// pagination, validation errors naming the field, JSON errors for unknown routes and oversized bodies, security
// headers, closed CORS, rate limits, and an unexpected failure answered as a logged 500.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { apiFixture, DEMO, REGISTERED, SPECIFIED, TOKYO } from './support/api-fixture.js';
import { errorOf, testServer } from './support/server.js';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface FacilityItem {
  code: string;
  name: string;
  category: string | null;
  useType: string;
  status: string;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it expects
const json = <T>(body: string): T => JSON.parse(body) as T;

for (const engine of testEngines()) {
  describe(`public API on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;

    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      app = await testServer(t.db);
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

    it('answers health', async () => {
      const res = await get('/api/v1/health');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
    });

    it('lists jurisdictions with the program in force, a page at a time', async () => {
      const all = json<Page<{ code: string; program: { id: string; kind: string } | null; fiscalYearStartMonth: number }>>((await get('/api/v1/jurisdictions')).body);
      assert.deepEqual(all.items.map((j) => j.code), [DEMO, TOKYO]);
      assert.equal(all.nextCursor, null);
      assert.equal(all.items[0]!.program, null);
      assert.equal(all.items[1]!.program?.kind, 'obligation');
      assert.equal(all.items[1]!.fiscalYearStartMonth, 4);
      const first = json<Page<{ code: string }>>((await get('/api/v1/jurisdictions?limit=1')).body);
      assert.deepEqual(first.items.map((j) => j.code), [DEMO]);
      assert.ok(first.nextCursor !== null);
      const second = json<Page<{ code: string }>>((await get(`/api/v1/jurisdictions?limit=1&cursor=${first.nextCursor}`)).body);
      assert.deepEqual(second.items.map((j) => j.code), [TOKYO]);
      assert.equal(second.nextCursor, null);
    });

    it("gives a jurisdiction's program: summary and full definition", async () => {
      const res = await get(`/api/v1/jurisdictions/${TOKYO}/program`);
      assert.equal(res.statusCode, 200);
      const body = json<{ jurisdiction: string; summary: { kind: string; periods: { number: number }[]; categories: { code: string }[] }; definition: { id: string; periods: unknown[] } }>(res.body);
      assert.equal(body.jurisdiction, TOKYO);
      assert.equal(body.summary.kind, 'obligation');
      assert.ok(body.summary.periods.some((p) => p.number === 3));
      assert.ok(body.summary.categories.some((c) => c.code === 'I-1'));
      assert.equal(body.definition.periods.length, body.summary.periods.length);
    });

    it('answers 404 with the refusal for a jurisdiction that does not exist or has no program', async () => {
      const unknown = await get('/api/v1/jurisdictions/NOPE/program');
      assert.equal(unknown.statusCode, 404);
      assert.deepEqual(errorOf(unknown), { code: 'UNKNOWN_JURISDICTION', message: 'No jurisdiction NOPE.', field: 'code' });
      const none = await get(`/api/v1/jurisdictions/${DEMO}/program`);
      assert.equal(none.statusCode, 404);
      assert.equal(errorOf(none).code, 'NO_PROGRAM');
    });

    it('pages through the facility register in code order without gaps or repeats', async () => {
      const codes: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page<FacilityItem> = json((await get(`/api/v1/jurisdictions/${TOKYO}/facilities?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`)).body);
        assert.ok(page.items.length <= 3);
        codes.push(...page.items.map((f) => f.code));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== null);
      assert.equal(codes.length, REGISTERED + SPECIFIED.length);
      assert.deepEqual(codes, [...codes].sort());
      assert.equal(new Set(codes).size, codes.length);
      assert.equal(pages, Math.ceil(codes.length / 3));
      const one = json<Page<FacilityItem>>((await get(`/api/v1/jurisdictions/${TOKYO}/facilities?limit=1`)).body).items[0]!;
      assert.deepEqual(Object.keys(one).sort(), ['category', 'code', 'name', 'status', 'useType']);
      assert.equal(one.status, 'registered');
    });

    it('filters facilities by category and status and searches names case-insensitively', async () => {
      const list = async (q: string) => json<Page<FacilityItem>>((await get(`/api/v1/jurisdictions/${TOKYO}/facilities?${q}`)).body).items;
      const factories = await list('category=II');
      assert.ok(factories.length > 0 && factories.every((f) => f.category === 'II' && f.useType === 'factory'));
      assert.deepEqual((await list('status=specified')).map((f) => f.code), [...SPECIFIED]);
      const shinjuku = await list('q=SHINJUKU');
      assert.ok(shinjuku.length > 0 && shinjuku.every((f) => f.name.startsWith('Shinjuku')));
      assert.deepEqual(await list(`q=${encodeURIComponent('%')}`), [], 'LIKE wildcards are literal');
      assert.deepEqual(await list('q=Specified&status=registered'), []);
    });

    it('refuses bad parameters with 400 naming the field', async () => {
      const cases: [string, string][] = [
        [`/api/v1/jurisdictions/${TOKYO}/facilities?limit=201`, 'limit'],
        [`/api/v1/jurisdictions/${TOKYO}/facilities?limit=0`, 'limit'],
        [`/api/v1/jurisdictions/${TOKYO}/facilities?limit=abc`, 'limit'],
        [`/api/v1/jurisdictions/${TOKYO}/facilities?status=closed`, 'status'],
        [`/api/v1/jurisdictions/${TOKYO}/facilities?cursor=not-a-cursor`, 'cursor'],
        [`/api/v1/jurisdictions/${TOKYO}/facilities?cursor=${Buffer.from('{"v":1,"k":[1]}').toString('base64url')}`, 'cursor'],
        [`/api/v1/jurisdictions/${TOKYO}/facilities?q=${'x'.repeat(101)}`, 'q'],
        ['/api/v1/jurisdictions/tokyo/facilities', 'code'],
        [`/api/v1/jurisdictions/${TOKYO}/compliance/0`, 'period'],
        [`/api/v1/jurisdictions/${TOKYO}/compliance/three`, 'period'],
        [`/api/v1/jurisdictions/${TOKYO}/compliance/3?fiscalYear=20x4`, 'fiscalYear'],
        ['/api/v1/ledger/stats?jurisdiction=a', 'jurisdiction'],
      ];
      for (const [url, field] of cases) {
        const res = await get(url);
        assert.equal(res.statusCode, 400, url);
        const e = errorOf(res);
        assert.equal(e.code, 'INVALID_REQUEST', url);
        assert.equal(e.field, field, url);
      }
    });

    it('discloses the compliance results of a period with quantities as strings', async () => {
      const res = await get(`/api/v1/jurisdictions/${TOKYO}/compliance/3`);
      assert.equal(res.statusCode, 200);
      const body = json<{ kind: string; period: number; columns: string[]; rows: Record<string, string | null>[]; nextCursor: string | null }>(res.body);
      assert.equal(body.kind, 'obligation');
      assert.equal(body.period, 3);
      assert.ok(body.columns.includes('cap_t'));
      assert.deepEqual(body.rows.map((r) => r.facility_id), [...SPECIFIED]);
      assert.equal(body.rows[0]!.cap_t, '36500');
      assert.equal(body.rows[0]!.emissions_t, '30000');
      assert.equal(body.rows[0]!.status, 'compliant');
      assert.equal(body.nextCursor, null);
      const p1 = json<{ rows: { facility_id: string }[]; nextCursor: string | null }>((await get(`/api/v1/jurisdictions/${TOKYO}/compliance/3?limit=2`)).body);
      assert.deepEqual(p1.rows.map((r) => r.facility_id), SPECIFIED.slice(0, 2));
      const p2 = json<{ rows: { facility_id: string }[]; nextCursor: string | null }>((await get(`/api/v1/jurisdictions/${TOKYO}/compliance/3?limit=2&cursor=${p1.nextCursor}`)).body);
      assert.deepEqual(p2.rows.map((r) => r.facility_id), SPECIFIED.slice(2));
      assert.equal(p2.nextCursor, null);
    });

    it('refuses a fiscal year outside the period (422) and a period the program lacks (404)', async () => {
      const year = await get(`/api/v1/jurisdictions/${TOKYO}/compliance/3?fiscalYear=2010`);
      assert.equal(year.statusCode, 422);
      assert.equal(errorOf(year).code, 'YEAR_OUTSIDE_PERIOD');
      const period = await get(`/api/v1/jurisdictions/${TOKYO}/compliance/19`);
      assert.equal(period.statusCode, 404);
      const e = errorOf(period);
      assert.deepEqual([e.code, e.field], ['UNKNOWN_PERIOD', 'period']);
    });

    it('verifies the ledger of every jurisdiction and of one, and checks a recorded chain head', async () => {
      const all = json<{ ok: boolean; firstSeq: string | null; jurisdictions: { code: string; ok: boolean; entries: string }[] }>((await get('/api/v1/ledger/verification')).body);
      assert.equal(all.ok, true);
      assert.equal(all.firstSeq, null);
      assert.deepEqual(all.jurisdictions.map((j) => j.code), [DEMO, TOKYO]);
      const demo = json<{ ok: boolean; entries: string; head: string; problems: unknown[] }>((await get(`/api/v1/jurisdictions/${DEMO}/ledger/verification`)).body);
      assert.equal(demo.ok, true);
      assert.match(demo.entries, /^[1-9]\d*$/);
      assert.match(demo.head, /^[0-9a-f]{64}$/);
      const post = (expectHead: string) => app.inject({ method: 'POST', url: `/api/v1/jurisdictions/${DEMO}/ledger/verification`, payload: { expectHead } });
      const same = await post(demo.head);
      assert.equal(same.statusCode, 200);
      assert.equal(same.json<{ headMatches: boolean; ok: boolean }>().headMatches, true);
      const other = (await post('f'.repeat(64))).json<{ headMatches: boolean; ok: boolean }>();
      assert.deepEqual([other.headMatches, other.ok], [false, false]);
      const extra = await app.inject({ method: 'POST', url: `/api/v1/jurisdictions/${DEMO}/ledger/verification`, payload: { expectHead: demo.head, admin: true } });
      assert.equal(extra.statusCode, 400);
      assert.equal(errorOf(extra).code, 'INVALID_REQUEST');
      const badHead = await post('XYZ');
      assert.equal(errorOf(badHead).field, 'expectHead');
      assert.equal((await get('/api/v1/jurisdictions/NOPE/ledger/verification')).statusCode, 404);
    });

    it('gives ledger totals with big integers as strings', async () => {
      const stats = json<{ unitTypes: { jurisdiction: string; issuedT: string; byStatusT: Record<string, string> }[]; transactions: { count: string; quantityT: string }[] }>((await get(`/api/v1/ledger/stats?jurisdiction=${DEMO}`)).body);
      assert.ok(stats.unitTypes.length > 0 && stats.unitTypes.every((u) => u.jurisdiction === DEMO && /^\d+$/.test(u.issuedT)));
      for (const u of stats.unitTypes) {
        const accounted = Object.values(u.byStatusT).reduce((a, b) => a + BigInt(b), 0n);
        assert.equal(accounted, BigInt(u.issuedT), 'issued = held + in transit + surrendered + retired + cancelled');
      }
      assert.ok(stats.transactions.every((x) => /^\d+$/.test(x.count) && /^\d+$/.test(x.quantityT)));
      assert.equal((await get('/api/v1/ledger/stats?jurisdiction=NOPE')).statusCode, 404);
    });

    it('answers unknown routes and methods with a 404 JSON error', async () => {
      for (const [method, url] of [['GET', '/api/v1/nothing'], ['DELETE', '/api/v1/jurisdictions'], ['GET', '/etc/passwd'], ['PUT', '/']] as const) {
        const res = await app.inject({ method, url });
        assert.equal(res.statusCode, 404, `${method} ${url}`);
        assert.equal(errorOf(res).code, 'NOT_FOUND');
      }
    });

    it('refuses an oversized body with 413, malformed JSON with 400 and other media types with 415', async () => {
      const url = `/api/v1/jurisdictions/${DEMO}/ledger/verification`;
      const huge = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: `{"expectHead":"${'a'.repeat(2_000_000)}"}` });
      assert.equal(huge.statusCode, 413);
      assert.equal(errorOf(huge).code, 'BODY_TOO_LARGE');
      const malformed = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"expectHead":' });
      assert.equal(malformed.statusCode, 400);
      assert.equal(errorOf(malformed).code, 'MALFORMED_JSON');
      const xml = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
      assert.equal(xml.statusCode, 415);
      assert.equal(errorOf(xml).code, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('sends security headers and a request id on every response', async () => {
      for (const url of ['/api/v1/health', '/api/v1/nothing', `/api/v1/jurisdictions/${TOKYO}/facilities?limit=0`]) {
        const res = await get(url);
        const csp = String(res.headers['content-security-policy']);
        assert.match(csp, /default-src 'none'/, url);
        assert.match(csp, /frame-ancestors 'none'/, url);
        assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
        assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN', url);
        assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
        assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/, url);
        assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/, url);
      }
      assert.equal((await get('/api/v1/health', { 'x-request-id': 'client-abc.1' })).headers['x-request-id'], 'client-abc.1');
      assert.notEqual((await get('/api/v1/health', { 'x-request-id': 'bad id\u0000' })).headers['x-request-id'], 'bad id\u0000');
    });

    it('serves the HTML status page under a CSP that allows only its own style', async () => {
      const res = await get('/');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, new RegExp(`<td>${TOKYO}</td>`));
      assert.match(String(res.headers['content-security-policy']), /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    });

    it('keeps CORS closed when no origin is configured', async () => {
      const preflight = await app.inject({ method: 'OPTIONS', url: '/api/v1/jurisdictions', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
      assert.equal(preflight.headers['access-control-allow-origin'], undefined);
      const simple = await get('/api/v1/jurisdictions', { origin: 'https://evil.example' });
      assert.equal(simple.statusCode, 200);
      assert.equal(simple.headers['access-control-allow-origin'], undefined);
      assert.equal(simple.headers['access-control-allow-credentials'], undefined);
    });

    it('allows exactly the configured CORS origins', async () => {
      const open = await testServer(t.db, { corsOrigins: ['https://registry.example.city'] });
      try {
        const ok = await open.inject({ method: 'OPTIONS', url: '/api/v1/jurisdictions', headers: { origin: 'https://registry.example.city', 'access-control-request-method': 'GET' } });
        assert.equal(ok.headers['access-control-allow-origin'], 'https://registry.example.city');
        const other = await open.inject({ method: 'GET', url: '/api/v1/jurisdictions', headers: { origin: 'https://registry.example.city.evil.example' } });
        assert.equal(other.headers['access-control-allow-origin'], undefined);
      } finally {
        await open.close();
      }
    });

    it('serves a repeated disclosure read from the public cache when publicCacheMs > 0 (never /health)', async () => {
      const cached = await testServer(t.db, { publicCacheMs: 60_000 });
      try {
        const url = `/api/v1/jurisdictions/${TOKYO}/facilities?limit=3`;
        const first = await cached.inject({ method: 'GET', url });
        assert.equal(first.statusCode, 200);
        assert.equal(first.headers['x-cache'], 'miss');
        const again = await cached.inject({ method: 'GET', url });
        assert.equal(again.statusCode, 200);
        assert.equal(again.headers['x-cache'], 'hit');
        assert.equal(again.headers['cache-control'], 'public, max-age=60');
        assert.match(String(again.headers['content-type']), /^application\/json/);
        assert.equal(again.body, first.body);
        assert.equal(again.headers['x-content-type-options'], 'nosniff', 'security headers on a hit too');
        await cached.inject({ method: 'GET', url: '/api/v1/health' });
        const health = await cached.inject({ method: 'GET', url: '/api/v1/health' });
        assert.equal(health.headers['x-cache'], undefined);
        assert.equal(health.headers['cache-control'], undefined);
      } finally {
        await cached.close();
      }
      assert.equal((await get(`/api/v1/jurisdictions/${TOKYO}/facilities?limit=3`)).headers['x-cache'], undefined, 'the test server has no cache');
    });

    it('rate-limits a client with 429 and Retry-After, verification more tightly', async () => {
      const limited = await testServer(t.db, { requestsPerMinute: 3, verificationsPerMinute: 1 });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 4; i++) codes.push((await limited.inject({ method: 'GET', url: '/api/v1/health' })).statusCode);
        assert.deepEqual(codes, [200, 200, 200, 429]);
        const res = await limited.inject({ method: 'GET', url: '/api/v1/health' });
        assert.equal(errorOf(res).code, 'RATE_LIMITED');
        assert.ok(Number(res.headers['retry-after']) > 0);
        const v = [];
        for (let i = 0; i < 2; i++) v.push((await limited.inject({ method: 'GET', url: `/api/v1/jurisdictions/${DEMO}/ledger/verification`, remoteAddress: '10.0.0.9' })).statusCode);
        assert.deepEqual(v, [200, 429]);
      } finally {
        await limited.close();
      }
    });

    it('answers a failure it cannot handle (database gone) with a logged 500 naming the request id', async () => {
      const other = await engine.create();
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      });
      const broken = await testServer(other.db, { logger: { level: 'error', stream } });
      try {
        await other.drop();
        const res = await broken.inject({ method: 'GET', url: '/api/v1/jurisdictions', headers: { 'x-request-id': 'req-500' } });
        assert.equal(res.statusCode, 500);
        const e = errorOf(res);
        assert.equal(e.code, 'INTERNAL_ERROR');
        assert.match(e.message, /req-500/);
        assert.doesNotMatch(res.body, /at .*\.ts:\d+/, 'no stack trace in the response');
        assert.ok(lines.some((l) => l.includes('"reqId":"req-500"') && l.includes('unexpected error (500)')), lines.join('\n'));
      } finally {
        await broken.close();
      }
    });
  });
}
