// Tests generated from the OpenAPI document, on both engines, for EVERY operation it lists:
// (a) the authorization matrix: each operation × principal (anonymous and every role) is expected to allow or deny;
//     an operation missing from the table (or a stale table row) fails the test, so a new route cannot escape it;
// (b) fuzzing with fast-check: at least 1,000 malformed or hostile requests per operation (path parameters, query
//     strings, headers, bodies) never give a 5xx, always give the JSON error shape on errors, and change no state.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import fc from 'fast-check';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { apiFixture, DEMO, stateFingerprint, TOKYO } from './support/api-fixture.js';
import { PRINCIPALS, signInAs, TEST_PASSWORD } from './support/principals.js';
import { errorOf, isErrorJson, testServer } from './support/server.js';
import { everyone, MATRICES, mergeMatrices, type Row } from './matrix/index.js';
import { ADMIN_PATH_EXAMPLES } from './matrix/admin.js';
import { REGISTRY_PATH_EXAMPLES } from './matrix/registry.js';

/**
 * The authorization matrix: "METHOD /path" as in the OpenAPI document → expected outcome per principal, one file per
 * bounded context under test/http/matrix/. Allow: the request is served (any status but 401/403). Deny: 401
 * (anonymous) or 403 (signed in without the right role).
 */
const MATRIX: Readonly<Record<string, Row>> = mergeMatrices(MATRICES);

/**
 * A value for each path parameter name, so that allowed requests reach the handler (ids that need not exist are
 * fine: a 404 counts as served). `reportId` is one of the fixture's reports, filled in once the database exists.
 */
const PATH_EXAMPLES: Record<string, string> = {
  code: TOKYO,
  period: '3',
  facility: 'T-101',
  requestId: 'no-such-request',
  applicationId: 'no-such-application',
  agencyId: 'no-such-agency',
  tokenId: 'unknown',
  table: 'facilities',
  ...REGISTRY_PATH_EXAMPLES,
  ...ADMIN_PATH_EXAMPLES,
};
/** Valid request bodies by operation (built once the fixture's chain head is known). */
type Bodies = Readonly<Record<string, unknown>>;

/** Credentials a public route must ignore; used for roles until the harness can sign in. */
const BOGUS_CREDENTIALS = { authorization: 'Bearer not-a-real-token', cookie: 'citycap_session=not-a-session', 'x-csrf-token': 'nope' };

interface Operation {
  readonly key: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly pathParams: readonly string[];
  readonly queryParams: readonly string[];
  readonly hasBody: boolean;
  readonly isPublic: boolean;
  readonly html: boolean;
  /** A creating POST: requires the Idempotency-Key header (a required header parameter in the document). */
  readonly idempotent: boolean;
}

interface OpenApiDoc {
  openapi: string;
  security?: unknown[];
  paths: Record<string, Record<string, { security?: unknown[]; parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: unknown; responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const m = method.toUpperCase() as Operation['method'];
      const params = op.parameters ?? [];
      ops.push({
        key: `${m} ${path}`,
        method: m,
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: op.requestBody !== undefined,
        isPublic: Array.isArray(op.security) && op.security.length === 0,
        html: Object.keys(op.responses['200']?.content ?? {}).includes('text/html'),
        idempotent: params.some((p) => p.in === 'header' && p.name === 'idempotency-key' && p.required === true),
      });
    }
  }
  return ops;
}

function urlOf(op: Operation, values: Readonly<Record<string, string>>, query = ''): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${op.key}: no value for path parameter ${name}; add it to PATH_EXAMPLES`);
    return v;
  });
  return query === '' ? path : `${path}?${query}`;
}

// ---- hostile inputs -----------------------------------------------------------------------------------------

const NASTY = [
  '', ' ', '0', '-1', '3', '1e309', 'NaN', 'Infinity', '0x10', '9'.repeat(400), 'TOKYO', 'DEMO', 'tokyo', 'null', 'undefined', 'true',
  '../../etc/passwd', '..', '%00', '\u0000', "' OR 1=1 --", '"; DROP TABLE journal; --', '<script>alert(1)</script>', '${7*7}', '{{7*7}}',
  '__proto__', 'constructor', 'prototype', '\u202e', '💥', 'Ｔｏｋｙｏ', 'a'.repeat(5000), '%', '%zz', '\\', '[]', '{}',
];
const hostileString = fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.integer().map(String), fc.double().map(String));
/** A header value Node accepts (no control characters other than tab; latin-1 only). */
const headerValue = hostileString.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?'));

const RAW_SEGMENTS = ['%', '%zz', '..', '%2e%2e', '%2F', '%00', '%E0%A4%A'];
function pathParamValue(example: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(example) },
    { weight: 5, arbitrary: hostileString.map((s) => encodeURIComponent(s)) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
  );
}

function queryString(known: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...known, 'limit', 'cursor', '__proto__', 'constructor[prototype]', 'a[b]', ''), fc.string({ maxLength: 10 }));
  const value = fc.oneof(hostileString, fc.constantFrom('1', '50', '200', '201', 'I-1', 'specified', 'eyJ2IjoxLCJrIjpbInoiXX0'));
  const pair = fc.tuple(key, value).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(pair, { maxLength: 6 }).map((ps) => ps.join('&')) },
    { weight: 1, arbitrary: fc.constantFrom('&&==&', '=', '%', '%zz=1', 'limit=1&limit=2', 'cursor=%00', '?', '#frag') },
  );
}

const HEADER_NAMES = ['content-type', 'accept', 'x-request-id', 'authorization', 'cookie', 'idempotency-key', 'origin', 'x-csrf-token', 'content-encoding', 'accept-encoding', 'x-forwarded-for', 'range', 'if-none-match'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', 'application/json, text/plain'];
const headers = fc.dictionary(
  fc.constantFrom(...HEADER_NAMES),
  fc.oneof(headerValue, fc.constantFrom(...CONTENT_TYPES, 'Bearer x', 'citycap_session=abc', 'gzip', 'bytes=0-1')),
  { maxKeys: 5 },
);

function bodyFor(valid: unknown): fc.Arbitrary<string | undefined> {
  const json = (v: unknown): string => JSON.stringify(v);
  return fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 3 }).map(json),
    fc.record({ expectHead: hostileString }).map(json),
    fc.constant(json(valid)),
    fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', `[${'['.repeat(2000)}${']'.repeat(2000)}]`, '"\\ud800"', '1e99999'),
    hostileString,
  );
}

// ---- the suites ---------------------------------------------------------------------------------------------

const FUZZ_RUNS = 1000;

/**
 * The state a refusal must not change: every table's row count and the journal heads, except the records that
 * refusals write on purpose — sign-in attempts and the audit log (a refused sign-in is counted and audited) — and
 * the sessions that signing in to fuzz creates.
 */
async function refusalInvariantState(db: TestDatabase['db']): Promise<string> {
  return (await stateFingerprint(db)).replace(/"(audit_events|sign_in_attempts|sessions)=\d+",?/g, '');
}

for (const engine of testEngines()) {
  describe(`OpenAPI-generated tests on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let doc: OpenApiDoc;
    let ops: Operation[];
    let bodies: Bodies;
    let idempotencyKeys = 0;

    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      // Requests carry their Idempotency-Key explicitly here (the test server does not fill it in).
      app = await testServer(t.db, {}, { fillIdempotencyKeys: false });
      const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      assert.equal(res.statusCode, 200);
      doc = res.json<OpenApiDoc>();
      ops = operationsOf(doc);
      const head = (await verifyLedger(t.db, { jurisdictionCode: DEMO })).jurisdictions[0]!.head;
      const report = await t.db.kysely.selectFrom('reports as r').innerJoin('facilities as f', 'f.id', 'r.facility_id').select('r.id').where('f.code', '=', 'T-101').executeTakeFirstOrThrow();
      PATH_EXAMPLES.reportId = report.id;
      // Signing in is public: the body is a real user's login (the admin's, created by signing in once).
      await signInAs(app, 'authority_admin');
      const admin = await t.db.kysely.selectFrom('users').select('login').where('login', 'like', 'authority_admin%').executeTakeFirstOrThrow();
      bodies = {
        'POST /api/v1/jurisdictions/{code}/ledger/verification': { expectHead: head },
        'POST /api/v1/session': { login: admin.login, password: TEST_PASSWORD },
      };
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    it('serves an OpenAPI 3.1 document where every operation declares its security and error responses', () => {
      assert.equal(doc.openapi, '3.1.0');
      assert.ok(ops.length >= Object.keys(MATRIX).length);
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(item)) {
          const key = `${method.toUpperCase()} ${path}`;
          assert.ok(Array.isArray(op.security), `${key} declares security ([] when public)`);
          assert.ok(op.responses['200'] !== undefined, `${key} documents its 200 response`);
          if (path.startsWith('/api/v1')) {
            for (const status of ['400', '404', '429', '500']) assert.ok(op.responses[status] !== undefined, `${key} documents ${status}`);
          }
        }
      }
      assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/api/docs') || p === '/api/openapi.json'), 'the docs routes are not operations');
    });

    it('serves the browsable API reference at /api/docs', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/docs' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /swagger-ui/i);
      const json = await app.inject({ method: 'GET', url: '/api/docs/json' });
      assert.equal(json.json<OpenApiDoc>().openapi, '3.1.0');
    });

    it('has an authorization-matrix row for every operation, and no stale rows', () => {
      const inDoc = new Set(ops.map((o) => o.key));
      const missing = [...inDoc].filter((k) => MATRIX[k] === undefined);
      const stale = Object.keys(MATRIX).filter((k) => !inDoc.has(k));
      assert.deepEqual(missing, [], 'operations without a row in MATRIX: add their expected allow/deny per principal');
      assert.deepEqual(stale, [], 'MATRIX rows for operations the API no longer has');
      for (const op of ops) {
        if (op.isPublic) assert.deepEqual(MATRIX[op.key], everyone, `${op.key} is public (security: []), so every principal is allowed`);
        else assert.equal(MATRIX[op.key]!.anonymous, 'deny', `${op.key} is signed in, so anonymous is denied`);
      }
    });

    it('allows and denies each principal as the matrix says, through real requests', async () => {
      for (const op of ops) {
        for (const principal of PRINCIPALS) {
          const expected = MATRIX[op.key]![principal];
          const signedIn = await signInAs(app, principal);
          if (signedIn === undefined && !op.isPublic) {
            assert.fail(`${op.key} as ${principal}: test/http/support/principals.ts cannot sign in as ${principal} yet — wire it to the auth use-cases`);
          }
          const request: InjectOptions = { method: op.method, url: urlOf(op, PATH_EXAMPLES), headers: signedIn ?? BOGUS_CREDENTIALS };
          const body = bodies[op.key];
          if (op.hasBody) request.payload = JSON.stringify(body);
          if (op.hasBody) request.headers = { ...request.headers, 'content-type': 'application/json' };
          // Creating POSTs require Idempotency-Key (checked after sign-in and authorization): a fresh one each time.
          if (op.idempotent) request.headers = { ...request.headers, 'idempotency-key': `matrix-${++idempotencyKeys}` };
          const res = await app.inject(request);
          const denied = res.statusCode === 401 || res.statusCode === 403;
          assert.ok(res.statusCode < 500, `${op.key} as ${principal}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          assert.equal(denied ? 'deny' : 'allow', expected, `${op.key} as ${principal}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (denied) assert.equal(errorOf(res).code, principal === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
          else if (op.isPublic) assert.equal(res.statusCode, 200, `${op.key} as ${principal} with valid input is served: ${res.body.slice(0, 200)}`);
        }
      }
    });

    it(`survives ${FUZZ_RUNS} hostile requests per operation: never a 5xx, always JSON errors, no state change on a refusal`, async () => {
      for (const op of ops) {
        // Signed-in routes are fuzzed with a real administrator session (sometimes dropped by the generated
        // headers), so that the generated requests get past sign-in and reach validation and the handler.
        const session = op.isPublic ? {} : ((await signInAs(app, 'authority_admin')) ?? {});
        const pathArbitraries: Record<string, fc.Arbitrary<string>> = Object.fromEntries(op.pathParams.map((p) => [p, pathParamValue(PATH_EXAMPLES[p] ?? 'x')]));
        const pathValues = fc.record(pathArbitraries);
        const request = fc.record({ path: pathValues, query: queryString(op.queryParams), headers, body: bodyFor(bodies[op.key] ?? {}), method: fc.constantFrom(op.method, op.method, op.method, 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') });
        // Requests answered by the route itself (past sign-in and the rate limit): served, or refused for their content.
        let reached = 0;
        let pastKeyCheck = 0; // answered by something other than the Idempotency-Key header check
        const accepted = { state: false }; // a request the route accepted may change state
        const before = await refusalInvariantState(t.db);
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            // Creating POSTs get a fresh valid Idempotency-Key (so that requests reach the handler, not only the
            // header check), unless the generated headers bring their own (hostile) one.
            const key = op.idempotent ? { 'idempotency-key': `fuzz-${++idempotencyKeys}` } : {};
            const options: InjectOptions = { method: r.method, url: urlOf(op, r.path, r.query), headers: { ...session, ...key, ...r.headers }, remoteAddress: '127.0.0.2' };
            if (r.body !== undefined) {
              options.payload = r.body;
              // A body usually comes with a JSON content type, unless the generated headers say otherwise.
              options.headers = { 'content-type': 'application/json', ...session, ...key, ...r.headers };
            }
            const res = await app.inject(options);
            const where = `${r.method} ${options.url as string} ${JSON.stringify(r.headers)} ${String(r.body).slice(0, 100)}`;
            assert.ok(res.statusCode < 500, `${where} → ${res.statusCode} ${res.body.slice(0, 300)}`);
            if (r.method === op.method && !(res.statusCode === 400 && errorOf(res).field === 'idempotency-key') && ![401, 403, 405, 429].includes(res.statusCode)) pastKeyCheck++;
            if (res.statusCode >= 400) {
              assert.ok(isErrorJson(JSON.parse(res.body)), `${where} → ${res.statusCode} not the error shape: ${res.body.slice(0, 300)}`);
              if (![401, 403, 405, 429].includes(res.statusCode) && r.method === op.method) reached++;
            } else {
              reached++;
              if (r.method !== 'GET' && r.method !== 'OPTIONS') accepted.state = true;
              const ct = String(res.headers['content-type']);
              if (op.html && r.method === 'GET') assert.match(ct, /^text\/html/);
              else if (r.method !== 'OPTIONS' && ct.startsWith('application/json')) JSON.parse(res.body);
            }
          }),
          { numRuns: FUZZ_RUNS },
        );
        assert.ok(reached > 0, `${op.key}: some generated requests get past sign-in to the route's own answer`);
        if (op.idempotent) assert.ok(pastKeyCheck > 0, `${op.key}: some generated requests get past the Idempotency-Key check`);
        // Refusals change nothing. A generated request that was accepted may have changed state legitimately, and
        // then this operation's run is not compared.
        if (!accepted.state) assert.equal(await refusalInvariantState(t.db), before, `${op.key}: refused requests changed no table`);
      }
      const after = await verifyLedger(t.db);
      assert.equal(after.ok, true);
    });
  });
}
