// Data in and out over HTTP with real sign-in, on both engines: the authority registers facilities from a CSV; the
// operator downloads the report template, fills it and uploads it as a draft report; refused files are 422 with every
// problem beside the usual error body and write nothing; a body over 20 MB is 413 (JSON) before it is read, and one
// from a caller without standing is 403 before that; accepted history is the administrator's, drafts the operator's;
// Idempotency-Key replays; exports as CSV and Excel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { XLSX_CONTENT_TYPE } from '../../src/app/data-import/formats.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { csv, editWorkbook, withMacros } from '../fixtures/import/files.js';
import { apiFixture, stateFingerprint, TOKYO } from './support/api-fixture.js';
import { signInAs, type Principal } from './support/principals.js';
import { errorOf, isErrorJson, testClock, testServer } from './support/server.js';

const J = `/api/v1/jurisdictions/${TOKYO}`;

interface Problem {
  sheet: string | null;
  row: number | null;
  column: string | null;
  cell: string | null;
  value: string | null;
  code: string;
  message: string;
}

interface ReportsResult {
  mode: string;
  dryRun: boolean;
  reports: number;
  items: { facility: string; fiscalYear: number; reportId: string; version: number; status: string; action: string; emissionsKg: string }[];
}

const FACILITIES = csv([
  ['code', 'name', 'owner', 'category', 'use_type', 'status', 'status_from_fiscal_year'],
  ['U-001', 'Upload Test Building', 'Upload KK', 'I-1', 'office', 'specified', '2010'],
  ['U-002', 'Upload Test Works', 'Upload KK', 'II', 'factory', 'specified', '2002'],
]);

for (const engine of testEngines()) {
  describe(`data import API on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;

    async function as(principal: Principal, options: InjectOptions): Promise<LightMyRequestResponse> {
      const headers = await signInAs(app, principal);
      return app.inject({ ...options, headers: { ...headers, ...(options.headers ?? {}) } });
    }

    /** Every table but those signing in writes to (audit events, sessions). */
    async function state(): Promise<string> {
      return (await stateFingerprint(t.db)).replace(/"(audit_events|sessions)=\d+",?/g, '');
    }

    function ok(res: LightMyRequestResponse, status: number, what: string): void {
      assert.equal(res.statusCode, status, `${what}: ${res.statusCode} ${res.body.slice(0, 600)}`);
    }

    const upload = (principal: Principal, url: string, body: Buffer, contentType = 'text/csv', headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
      as(principal, { method: 'POST', url, payload: body, headers: { 'content-type': contentType, ...headers } });

    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      app = await testServer(t.db, { clock: testClock(new Date('2026-06-01T00:00:00.000Z')).now });
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    it('the authority registers facilities from a CSV; an officer is refused before the file is read, even a file over the limit', async () => {
      const res = await upload('authority_admin', `${J}/imports/facilities`, FACILITIES);
      ok(res, 200, 'facilities');
      const body = res.json<{ facilities: number; items: { code: string; status: string; accountNumber: string }[] }>();
      assert.equal(body.facilities, 2);
      assert.deepEqual(body.items.map((i) => [i.code, i.status]), [['U-001', 'specified'], ['U-002', 'specified']]);
      const officer = await upload('authority_officer', `${J}/imports/facilities`, Buffer.alloc(21 * 1024 * 1024, 0x41));
      ok(officer, 403, 'officer');
      assert.equal(errorOf(officer).code, 'FORBIDDEN');
      const anonymous = await app.inject({ method: 'POST', url: `${J}/imports/facilities`, payload: FACILITIES, headers: { 'content-type': 'text/csv' } });
      ok(anonymous, 401, 'anonymous');
    });

    it('the operator downloads the template, fills it in and uploads it: a draft report the report API shows', async () => {
      const tpl = await as('facility_operator', { method: 'GET', url: `${J}/facilities/U-001/report-template?fiscalYear=2016` });
      ok(tpl, 200, 'template');
      assert.equal(tpl.headers['content-type'], XLSX_CONTENT_TYPE);
      assert.equal(tpl.headers['content-disposition'], 'attachment; filename="report-TOKYO-U-001-FY2016.xlsx"');
      ok(await as('authority_officer', { method: 'GET', url: `${J}/facilities/U-001/report-template?fiscalYear=2016` }), 403, 'the template is the operator\'s');
      const filled = await editWorkbook(tpl.rawPayload, (wb) => {
        const ws = wb.getWorksheet('Lines')!;
        ws.getRow(7).values = ['energy', 'electricity_grid', 5000.25, 'MWh'];
        ws.getRow(8).values = [null, 'city_gas', 800, 'thousand_Nm3'];
      });
      const res = await upload('facility_operator', `${J}/facilities/U-001/report-uploads`, filled, XLSX_CONTENT_TYPE);
      ok(res, 200, 'upload');
      const [draft] = res.json<ReportsResult>().items;
      assert.deepEqual([draft?.action, draft?.status, draft?.fiscalYear], ['created', 'draft', 2016]);
      const report = await as('facility_operator', { method: 'GET', url: `${J}/reports/${draft!.reportId}` });
      ok(report, 200, 'report');
      const view = report.json<{ lines: { source: string; quantity: string }[]; emissionsKg: string }>();
      assert.deepEqual(view.lines.map((l) => [l.source, l.quantity]), [['electricity_grid', '5000.25'], ['city_gas', '800']]);
      assert.equal(view.emissionsKg, draft!.emissionsKg);
    });

    it('a refused file is 422 with every problem beside the error body, and nothing is written', async () => {
      await signInAs(app, 'facility_operator');
      const before = await state();
      const bad = csv([
        ['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'],
        ['U-001', '2017', 'electricity_grid', '-5', 'MWh'],
        ['U-001', '2017', 'coal', '1', 't'],
        ['U-001', '2017', 'city_gas', '2', 'm3'],
      ]);
      const res = await upload('facility_operator', `${J}/facilities/U-001/report-uploads`, bad);
      ok(res, 422, 'refused');
      const body = res.json<{ error: { code: string; message: string; field: string }; problems: Problem[] }>();
      assert.deepEqual(Object.keys(body).sort(), ['error', 'problems']);
      assert.ok(isErrorJson({ error: body.error }), 'the usual error body');
      assert.deepEqual([body.error.code, body.error.field], ['IMPORT_INVALID', 'file']);
      assert.match(body.error.message, /^The file was refused: 3 problems: D2 "-5": the quantity must not be negative/);
      assert.deepEqual(body.problems.map((p) => [p.cell, p.value, p.code]), [['D2', '-5', 'NEGATIVE_QUANTITY'], ['C3', 'coal', 'UNKNOWN_SOURCE'], ['E4', 'm3', 'UNIT_MISMATCH']]);
      assert.deepEqual(body.problems[0], { sheet: null, row: 2, column: 'quantity', cell: 'D2', value: '-5', code: 'NEGATIVE_QUANTITY', message: 'the quantity must not be negative (got -5)' });
      const macros = await upload('facility_operator', `${J}/facilities/U-001/report-uploads`, withMacros(await editWorkbook((await as('facility_operator', { method: 'GET', url: `${J}/facilities/U-001/report-template?fiscalYear=2017` })).rawPayload, () => undefined)), XLSX_CONTENT_TYPE);
      ok(macros, 422, 'macros');
      assert.equal(macros.json<{ problems: Problem[] }>().problems[0]?.code, 'MACROS_REFUSED');
      assert.equal(await state(), before);
    });

    it('the path names the facility: unknown is 404; a template needs its fiscal year', async () => {
      const missing = await upload('facility_operator', `${J}/facilities/NO-SUCH/report-uploads`, csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['NO-SUCH', '2016', 'lpg', '1', 't']]));
      ok(missing, 404, 'unknown facility');
      assert.deepEqual([errorOf(missing).code, errorOf(missing).field], ['UNKNOWN_FACILITY', 'facility']);
      const noYear = await as('facility_operator', { method: 'GET', url: `${J}/facilities/U-001/report-template` });
      ok(noYear, 400, 'no fiscal year');
      assert.equal(errorOf(noYear).field, 'fiscalYear');
      ok(await as('facility_operator', { method: 'GET', url: `${J}/facilities/NO-SUCH/report-template?fiscalYear=2016` }), 404, 'template of an unknown facility');
    });

    it('a body over 20 MB is 413 with the JSON error before it is parsed; a JSON body is 415', async () => {
      await signInAs(app, 'authority_admin');
      const before = await state();
      const big = await upload('authority_admin', `${J}/imports/reports`, Buffer.alloc(50 * 1024 * 1024, 0x41));
      ok(big, 413, '50 MB');
      assert.deepEqual([errorOf(big).code, errorOf(big).field], ['BODY_TOO_LARGE', 'body']);
      assert.match(errorOf(big).message, /larger than 20 MB/);
      const json = await as('authority_admin', { method: 'POST', url: `${J}/imports/reports`, payload: { lines: [] } });
      ok(json, 415, 'JSON');
      assert.equal(errorOf(json).code, 'UNSUPPORTED_MEDIA_TYPE');
      const none = await as('authority_admin', { method: 'POST', url: `${J}/imports/reports`, payload: 'x', headers: { 'content-type': 'application/pdf' } });
      ok(none, 415, 'PDF');
      assert.equal(await state(), before);
    });

    it('accepted history is the administrator\'s; the operator imports drafts', async () => {
      const history = csv([
        ['facility_code', 'fiscal_year', 'kind', 'source', 'quantity', 'unit'],
        ['U-002', '2005', 'energy', 'electricity_grid', '9000', 'MWh'],
        ['U-002', '2005', 'other_gas', 'N2O', '3', 't_CO2e'],
        ['U-002', '2006', 'energy', 'electricity_grid', '9100', 'MWh'],
      ]);
      const refused = await upload('facility_operator', `${J}/imports/reports?mode=accepted`, history);
      ok(refused, 403, 'operator, accepted');
      const admin = await upload('authority_admin', `${J}/imports/reports`, history);
      ok(admin, 200, 'admin, accepted');
      assert.deepEqual(admin.json<ReportsResult>().items.map((i) => [i.fiscalYear, i.status, i.version]), [[2005, 'accepted', 1], [2006, 'accepted', 1]]);
      const drafts = await upload('facility_operator', `${J}/imports/reports?mode=draft`, csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['U-002', '2016', 'lpg', '4', 't'], ['U-001', '2018', 'lpg', '5', 't']]));
      ok(drafts, 200, 'operator, drafts');
      assert.deepEqual(drafts.json<ReportsResult>().items.map((i) => [i.facility, i.fiscalYear, i.action]), [['U-002', 2016, 'created'], ['U-001', 2018, 'created']]);
    });

    it('a retry with the same Idempotency-Key answers again and imports nothing twice; the key with another file is 409', async () => {
      const file = csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['U-002', '2007', 'city_gas', '70', 'thousand_Nm3']]);
      const key = { 'idempotency-key': 'import-u002-fy2007' };
      const first = await upload('authority_admin', `${J}/imports/reports`, file, 'text/csv', key);
      ok(first, 200, 'first');
      const before = await state();
      const retry = await upload('authority_admin', `${J}/imports/reports`, file, 'text/csv', key);
      ok(retry, 200, 'retry');
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(retry.body, first.body);
      assert.equal(await state(), before);
      const other = await upload('authority_admin', `${J}/imports/reports`, Buffer.concat([file, Buffer.from('U-002,2008,city_gas,1,thousand_Nm3\n')]), 'text/csv', key);
      ok(other, 409, 'another file');
      assert.equal(errorOf(other).code, 'IDEMPOTENCY_CONFLICT');
    });

    it('dryRun=true checks everything and writes nothing', async () => {
      await signInAs(app, 'authority_admin');
      const before = await state();
      const res = await upload('authority_admin', `${J}/imports/facilities?dryRun=true`, csv([['code', 'name', 'owner', 'category', 'use_type'], ['U-009', 'Dry', 'Owner', 'I-1', 'office']]));
      ok(res, 200, 'dry run');
      assert.equal(res.json<{ dryRun: boolean; facilities: number }>().facilities, 1);
      assert.equal(await state(), before);
    });

    it("the operator exports the facility's reports as CSV and as Excel, and the CSV reads back", async () => {
      const res = await as('facility_operator', { method: 'GET', url: `${J}/facilities/U-002/reports/export?format=csv` });
      ok(res, 200, 'csv');
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.equal(res.headers['content-disposition'], 'attachment; filename="reports-TOKYO-U-002.csv"');
      assert.equal(
        res.body,
        '\uFEFFfacility_code,fiscal_year,kind,source,quantity,unit,t_co2_per_unit\r\nU-002,2005,energy,electricity_grid,9000,MWh,\r\nU-002,2005,other_gas,N2O,3,t_CO2e,\r\nU-002,2006,energy,electricity_grid,9100,MWh,\r\nU-002,2007,energy,city_gas,70,thousand_Nm3,\r\nU-002,2016,energy,lpg,4,t,\r\n',
      );
      const xlsx = await as('verifier', { method: 'GET', url: `${J}/facilities/U-002/reports/export?format=xlsx` });
      ok(xlsx, 200, 'xlsx');
      assert.equal(xlsx.headers['content-type'], XLSX_CONTENT_TYPE);
      assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');
      ok(await as('trader', { method: 'GET', url: `${J}/facilities/U-002/reports/export` }), 403, 'trader');
    });
  });
}
