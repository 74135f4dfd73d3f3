// Facilities, reports, credits, surrender and compliance through real HTTP with real sign-in, on both engines:
// the report workflow (operator files, the assigned verifier verifies, an officer accepts), line errors naming
// their field with nothing written, a verifier of another agency refused, four eyes on credit approval, surrender
// with an Idempotency-Key, a compliance run and its CSV report, program adoption naming the invalid field.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../src/domain/access/roles.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { apiFixture, stateFingerprint, TOKYO } from './support/api-fixture.js';
import { REPORTING } from './matrix/reporting.js';
import { PRINCIPALS, signInAs, type Principal } from './support/principals.js';
import { errorOf, serverOf, testClock, testServer } from './support/server.js';

const J = `/api/v1/jurisdictions/${TOKYO}`;

interface ReportJson {
  id: string;
  facility: string;
  fiscalYear: number;
  version: number;
  status: string;
  coeL: string;
  coeKl: string;
  emissionsKg: string;
  lines: { lineNo: number; source: string; quantity: string; coeL: string; co2Kg: string }[];
  agencyId: string | null;
}

for (const engine of testEngines()) {
  describe(`reporting API on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let agencyA: string;
    let agencyB: string;

    /** A request as `principal` (or a second user with its standing: `login`). */
    async function as(principal: Principal, options: InjectOptions & { login?: string }): Promise<LightMyRequestResponse> {
      const { login, ...request } = options;
      const headers = await signInAs(app, principal, login === undefined ? {} : { login });
      return app.inject({ ...request, headers: { ...headers, ...(request.headers ?? {}) } });
    }

    /** The state fingerprint without the audit log's row count: sign-in writes audit events of its own. */
    async function state(): Promise<string> {
      return (await stateFingerprint(t.db)).replace(/"audit_events=\d+",?/, '');
    }

    function ok(res: LightMyRequestResponse, status: number, what: string): void {
      assert.equal(res.statusCode, status, `${what}: ${res.statusCode} ${res.body.slice(0, 400)}`);
    }

    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      app = await testServer(t.db, { clock: testClock(new Date('2026-06-01T00:00:00.000Z')).now });

      // A facility the authority registers and designates for FY2025, verified by agency A; agency B exists too.
      const reg = await as('authority_admin', { method: 'POST', url: `${J}/facilities`, payload: { code: 'H-001', name: 'Hibiya Office', owner: 'Hibiya KK', category: 'I-1', useType: 'office', floorAreaM2: '30000' } });
      ok(reg, 200, 'register H-001');
      const designate = await as('authority_admin', { method: 'POST', url: `${J}/facilities/H-001/designations`, payload: { fiscalYear: 2025, status: 'designated', reason: 'energy use above the threshold for three years' } });
      ok(designate, 200, 'designate H-001');
      const a = await as('authority_admin', { method: 'POST', url: `${J}/verification-agencies`, payload: { name: 'Agency A', categories: ['I-1', 'II'] } });
      ok(a, 200, 'agency A');
      agencyA = a.json<{ id: string }>().id;
      const b = await as('authority_admin', { method: 'POST', url: `${J}/verification-agencies`, payload: { name: 'Agency B', categories: ['I-1'] } });
      ok(b, 200, 'agency B');
      agencyB = b.json<{ id: string }>().id;
      ok(await as('authority_admin', { method: 'POST', url: `${J}/facilities/H-001/verifier-assignments`, payload: { agencyId: agencyA, fromFiscalYear: 2025 } }), 200, 'assign agency A');
      // The verifiers' agencies: `verifier` works for A, `verifier-of-b` for B.
      for (const [login, agency] of [[undefined, agencyA], ['verifier-of-b', agencyB]] as const) {
        const who = await as('verifier', { method: 'GET', url: '/api/v1/session', ...(login === undefined ? {} : { login }) });
        const added = await as('authority_admin', { method: 'POST', url: `${J}/verification-agencies/${agency}/verifiers`, payload: { userId: who.json<{ user: { id: string } }>().user.id } });
        ok(added, 200, `verifier of ${agency}`);
      }
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    it('the authority lists, adds and removes an agency\'s verifiers; a repeat or an unknown user is refused naming the field', async () => {
      const list = await as('authority_admin', { method: 'GET', url: `${J}/verification-agencies/${agencyB}/verifiers` });
      ok(list, 200, 'list');
      const [member] = list.json<{ items: { userId: string; login: string }[] }>().items;
      assert.equal(member?.login, 'verifier-of-b');
      const again = await as('authority_admin', { method: 'POST', url: `${J}/verification-agencies/${agencyB}/verifiers`, payload: { userId: member.userId } });
      ok(again, 409, 'added twice');
      assert.deepEqual([errorOf(again).code, errorOf(again).field], ['ALREADY_MEMBER', 'userId']);
      const nobody = await as('authority_admin', { method: 'POST', url: `${J}/verification-agencies/${agencyB}/verifiers`, payload: { userId: 'no-such-user' } });
      ok(nobody, 422, 'unknown user');
      assert.deepEqual([errorOf(nobody).code, errorOf(nobody).field], ['UNKNOWN_USER', 'userId']);
      ok(await as('verifier', { method: 'POST', url: `${J}/verification-agencies/${agencyB}/verifiers`, payload: { userId: member.userId } }), 403, 'a verifier cannot add verifiers');
      ok(await as('authority_admin', { method: 'DELETE', url: `${J}/verification-agencies/${agencyB}/verifiers/${member.userId}` }), 200, 'remove');
      const removedAgain = await as('authority_admin', { method: 'DELETE', url: `${J}/verification-agencies/${agencyB}/verifiers/${member.userId}` });
      ok(removedAgain, 422, 'removed twice');
      assert.equal(errorOf(removedAgain).code, 'NOT_MEMBER');
      ok(await as('authority_admin', { method: 'POST', url: `${J}/verification-agencies/${agencyB}/verifiers`, payload: { userId: member.userId } }), 200, 'back again');
    });

    it('an operator files a report, the assigned verifier verifies, an officer accepts', async () => {
      const draft = await as('facility_operator', {
        method: 'POST',
        url: `${J}/facilities/H-001/reports`,
        payload: { fiscalYear: 2025, lines: [{ source: 'city_gas', quantity: '1000', unit: 'thousand_Nm3' }, { source: 'electricity_grid', quantity: '500', unit: 'MWh', tCo2PerUnit: '0.4' }] },
      });
      if (draft.statusCode === 422 && errorOf(draft).field === 'lines[1].tCo2PerUnit') assert.fail(draft.body);
      ok(draft, 200, 'draft');
      const r = draft.json<ReportJson>();
      assert.equal(r.status, 'draft');
      assert.equal(r.facility, 'H-001');
      assert.equal(r.lines.length, 2);
      assert.match(r.coeL, /^\d+$/);
      assert.ok(BigInt(r.coeL) > 0n && BigInt(r.emissionsKg) > 0n, 'crude-oil equivalent and CO2 are computed');
      assert.equal(r.lines.reduce((s, l) => s + BigInt(l.coeL), 0n), BigInt(r.coeL), 'the total is the sum of the lines');

      ok(await as('facility_operator', { method: 'POST', url: `${J}/reports/${r.id}/submit` }), 200, 'submit');
      // Another verifier's agency is not the one assigned: 403, and the report stays submitted.
      const wrong = await as('verifier', { method: 'POST', url: `${J}/reports/${r.id}/verify`, payload: { agencyId: agencyB }, login: 'verifier-of-b' });
      ok(wrong, 403, 'verify by agency B');
      assert.equal(errorOf(wrong).code, 'FORBIDDEN');
      assert.equal(errorOf(wrong).field, 'agencyId');
      // Naming the assigned agency does not help a verifier who does not work for it.
      const impostor = await as('verifier', { method: 'POST', url: `${J}/reports/${r.id}/verify`, payload: { agencyId: agencyA }, login: 'verifier-of-b' });
      ok(impostor, 403, 'verify in the name of agency A by a verifier of B');
      assert.match(errorOf(impostor).message, /VERIFIER_NOT_MEMBER/);
      assert.equal(errorOf(impostor).field, 'agencyId');
      // The operator cannot verify, the verifier cannot accept.
      ok(await as('facility_operator', { method: 'POST', url: `${J}/reports/${r.id}/verify`, payload: { agencyId: agencyA } }), 403, 'verify by the operator');
      const verified = await as('verifier', { method: 'POST', url: `${J}/reports/${r.id}/verify`, payload: { agencyId: agencyA } });
      ok(verified, 200, 'verify by agency A');
      assert.equal(verified.json<ReportJson>().status, 'verified');
      ok(await as('verifier', { method: 'POST', url: `${J}/reports/${r.id}/accept` }), 403, 'accept by the verifier');
      const accepted = await as('authority_officer', { method: 'POST', url: `${J}/reports/${r.id}/accept` });
      ok(accepted, 200, 'accept');
      assert.equal(accepted.json<ReportJson>().status, 'accepted');

      const read = await as('facility_operator', { method: 'GET', url: `${J}/reports/${r.id}` });
      ok(read, 200, 'read');
      const got = read.json<ReportJson>();
      assert.equal(got.agencyId, agencyA);
      assert.equal(got.coeL, r.coeL);
      assert.equal(got.emissionsKg, r.emissionsKg);
      const list = await as('authority_officer', { method: 'GET', url: `${J}/facilities/H-001/reports` });
      ok(list, 200, 'list');
      assert.deepEqual(list.json<{ items: { id: string; status: string }[] }>().items.map((i) => [i.id, i.status]), [[r.id, 'accepted']]);
      const facility = await as('facility_operator', { method: 'GET', url: `${J}/facilities/H-001` });
      ok(facility, 200, 'facility');
      assert.deepEqual(facility.json<{ statusHistory: { fiscalYear: number; status: string }[] }>().statusHistory.map((h) => [h.fiscalYear, h.status]), [[2025, 'designated']]);
    });

    it('refuses a line with an unknown fuel (422, lines[0].source) or a negative quantity (400, lines[0].quantity), writing nothing', async () => {
      // Sign in first: signing in writes sessions and audit events.
      await signInAs(app, 'facility_operator');
      const before = await state();
      const audited = async (): Promise<number> => (await t.db.kysely.selectFrom('audit_events').select('id').where('action', 'like', 'report.%').execute()).length;
      const reportEvents = await audited();
      const unknown = await as('facility_operator', { method: 'POST', url: `${J}/facilities/H-001/reports`, payload: { fiscalYear: 2026, lines: [{ source: 'whale_oil', quantity: '10', unit: 'kL' }] } });
      assert.ok(unknown.statusCode === 400 || unknown.statusCode === 422, unknown.body);
      assert.equal(errorOf(unknown).field, 'lines[0].source');
      const negative = await as('facility_operator', { method: 'POST', url: `${J}/facilities/H-001/reports`, payload: { fiscalYear: 2026, lines: [{ source: 'city_gas', quantity: '-5', unit: 'thousand_Nm3' }] } });
      assert.ok(negative.statusCode === 400 || negative.statusCode === 422, negative.body);
      assert.equal(errorOf(negative).field, 'lines[0].quantity');
      assert.equal(await state(), before, 'nothing was written');
      assert.equal(await audited(), reportEvents, 'and nothing audited as done');
    });

    it('refuses a verifier whose agency is not assigned with 403', async () => {
      const draft = await as('facility_operator', { method: 'POST', url: `${J}/facilities/H-001/reports`, payload: { fiscalYear: 2026, lines: [{ source: 'heavy_oil_a', quantity: '12.5', unit: 'kL' }] } });
      ok(draft, 200, 'draft FY2026');
      const id = draft.json<ReportJson>().id;
      ok(await as('facility_operator', { method: 'POST', url: `${J}/reports/${id}/submit` }), 200, 'submit');
      const res = await as('verifier', { method: 'POST', url: `${J}/reports/${id}/verify`, payload: { agencyId: agencyB }, login: 'verifier-of-b' });
      ok(res, 403, 'verify by agency B');
      const still = await as('authority_officer', { method: 'GET', url: `${J}/reports/${id}` });
      assert.equal(still.json<ReportJson>().status, 'submitted');
    });

    it('lets the assigned agency\'s verifier return a submitted report with a reason; another agency\'s verifier cannot', async () => {
      const draft = await as('facility_operator', { method: 'POST', url: `${J}/facilities/H-001/reports`, payload: { fiscalYear: 2027, lines: [{ source: 'heavy_oil_a', quantity: '20', unit: 'kL' }] } });
      ok(draft, 200, 'draft FY2027');
      const id = draft.json<ReportJson>().id;
      ok(await as('facility_operator', { method: 'POST', url: `${J}/reports/${id}/submit` }), 200, 'submit');
      const other = await as('verifier', { method: 'POST', url: `${J}/reports/${id}/return`, payload: { reason: 'not ours' }, login: 'verifier-of-b' });
      ok(other, 403, 'return by a verifier of agency B');
      assert.match(errorOf(other).message, /VERIFIER_NOT_MEMBER/);
      ok(await as('facility_operator', { method: 'POST', url: `${J}/reports/${id}/return`, payload: { reason: 'mine' } }), 403, 'return by the operator');
      const returned = await as('verifier', { method: 'POST', url: `${J}/reports/${id}/return`, payload: { reason: 'heavy oil quantity differs from the delivery slips' } });
      ok(returned, 200, 'return by the verifier of agency A');
      assert.equal(returned.json<ReportJson>().status, 'returned');
    });

    it('refuses credit approval by the applicant (four eyes); another officer approves; the operator surrenders with an Idempotency-Key', async () => {
      // One user who is both the facility's operator and an officer.
      const dual = 'operator-and-officer';
      await signInAs(app, 'facility_operator', { login: dual });
      const { db, auth } = serverOf(app);
      const user = await db.kysely.selectFrom('users').select('id').where('login', '=', dual).executeTakeFirstOrThrow();
      const tokyo = await db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', TOKYO).executeTakeFirstOrThrow();
      await auth!.access.grantRole(systemActor('test-setup'), { userId: user.id, role: 'authority_officer', jurisdictionId: tokyo.id });

      const applied = await as('facility_operator', { method: 'POST', url: `${J}/facilities/T-101/credit-applications`, payload: { period: 3 }, login: dual });
      ok(applied, 200, 'apply');
      const application = applied.json<{ id: string; quantityT: string; status: string }>();
      assert.equal(application.status, 'applied');
      assert.ok(BigInt(application.quantityT) > 0n);

      const own = await as('authority_officer', { method: 'POST', url: `${J}/credit-applications/${application.id}/approve`, login: dual });
      ok(own, 422, 'approval by the applicant');
      assert.equal(errorOf(own).code, 'FOUR_EYES');
      const approved = await as('authority_officer', { method: 'POST', url: `${J}/credit-applications/${application.id}/approve` });
      ok(approved, 200, 'approval by another officer');
      const issued = approved.json<{ status: string; unitTypeId: string; txId: string }>();
      assert.equal(issued.status, 'issued');

      const url = `${J}/facilities/T-101/surrenders`;
      const payload = { period: 3, lines: [{ unitTypeId: issued.unitTypeId, quantityT: '100' }] };
      const missing = await as('facility_operator', { method: 'POST', url, payload });
      ok(missing, 400, 'surrender without Idempotency-Key');
      assert.equal(errorOf(missing).field, 'idempotency-key');
      const first = await as('facility_operator', { method: 'POST', url, payload, headers: { 'idempotency-key': 'surrender-t101-p3-1' } });
      ok(first, 200, 'surrender');
      assert.deepEqual({ ...first.json<{ surrenderedT: string; replayed: boolean }>(), txIds: undefined }, { surrenderedT: '100', replayed: false, txIds: undefined });
      const again = await as('facility_operator', { method: 'POST', url, payload, headers: { 'idempotency-key': 'surrender-t101-p3-1' } });
      ok(again, 200, 'surrender retried');
      assert.equal(again.json<{ replayed: boolean }>().replayed, true);
      assert.deepEqual(again.json<{ txIds: string[] }>().txIds, first.json<{ txIds: string[] }>().txIds);
    });

    it('runs compliance (POST, authority admin) and serves the full report as CSV and JSON', async () => {
      ok(await as('authority_officer', { method: 'POST', url: `${J}/compliance/3/run` }), 403, 'run by an officer');
      const run = await as('authority_admin', { method: 'POST', url: `${J}/compliance/3/run` });
      ok(run, 200, 'run');
      const summary = run.json<{ kind: string; rows: number }>();
      assert.equal(summary.kind, 'obligation');
      assert.ok(summary.rows >= 3);

      const csv = await as('authority_officer', { method: 'GET', url: `${J}/compliance/3/report?format=csv` });
      ok(csv, 200, 'CSV');
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.body.trimEnd().split('\r\n');
      assert.equal(lines[0], 'facility_id,period,fiscal_year,emissions_t,cap_t,obligation_t,surrendered_t,shortfall_t,position_t,status,note');
      const t101 = lines.find((l) => l.startsWith('T-101,'));
      assert.ok(t101 !== undefined, csv.body);
      assert.match(t101, /,100,/, 'the surrendered units count');

      const json = await as('authority_admin', { method: 'GET', url: `${J}/compliance/3/report` });
      ok(json, 200, 'JSON');
      const body = json.json<{ columns: string[]; rows: Record<string, string | null>[] }>();
      assert.ok(body.columns.includes('note'));
      assert.equal(body.rows.length, lines.length - 1);
      ok(await as('facility_operator', { method: 'GET', url: `${J}/compliance/3/report?format=csv` }), 403, 'report for an operator');
    });

    it('allows and denies each principal as test/http/matrix/reporting.ts says, on T-101 and one of its reports', async () => {
      const { db } = serverOf(app);
      const report = await db.kysely.selectFrom('reports as r').innerJoin('facilities as f', 'f.id', 'r.facility_id').select('r.id').where('f.code', '=', 'T-101').executeTakeFirstOrThrow();
      const examples: Record<string, string> = { code: TOKYO, period: '3', facility: 'T-101', reportId: report.id, requestId: 'no-such-request', applicationId: 'no-such-application' };
      const before = await stateFingerprintAfterSignIn();
      for (const [key, row] of Object.entries(REPORTING)) {
        const [method, path] = key.split(' ') as ['GET' | 'POST' | 'PUT', string];
        const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => examples[name]!);
        for (const principal of PRINCIPALS) {
          const headers = await signInAs(app, principal);
          // No body: an allowed principal gets past authorization (then 400 for the missing body), a denied one 401/403.
          const res = await app.inject({ method, url, headers: headers ?? {} });
          assert.ok(res.statusCode < 500, `${key} as ${principal}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          const denied = res.statusCode === 401 || res.statusCode === 403;
          assert.equal(denied ? 'deny' : 'allow', row[principal], `${key} as ${principal}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (denied) assert.equal(errorOf(res).code, principal === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        }
      }
      assert.equal(await state(), before, 'GETs and bodiless requests changed nothing');

      async function stateFingerprintAfterSignIn(): Promise<string> {
        for (const p of PRINCIPALS) await signInAs(app, p);
        return state();
      }
    });

    it('adopts a program definition (authority admin) and names the field of an invalid one', async () => {
      const bad = { ...tokyoProgram(), version: '' };
      const refused = await as('authority_admin', { method: 'POST', url: `${J}/programs`, payload: bad });
      assert.ok(refused.statusCode === 400 || refused.statusCode === 422, refused.body);
      assert.equal(errorOf(refused).field, 'version');
      ok(await as('authority_officer', { method: 'POST', url: `${J}/programs`, payload: tokyoProgram() }), 403, 'adoption by an officer');
      const same = await as('authority_admin', { method: 'POST', url: `${J}/programs`, payload: tokyoProgram() });
      ok(same, 200, 'adopting the version in force again');
    });
  });
}
