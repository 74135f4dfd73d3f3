// The disclosure routes the web app's public pages read, through real routing on both engines: the disclosure table
// (register joined with a period's compliance results, in pages), one facility's disclosure, and the summary by
// fiscal year. Quantities are exact decimal strings.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { apiFixture, REGISTERED, SPECIFIED, TOKYO } from './support/api-fixture.js';
import { errorOf, testServer } from './support/server.js';

interface Row {
  code: string;
  status: string;
  emissionsT: string | null;
  capT: string | null;
  complianceStatus: string | null;
}
interface Table {
  period: number | null;
  kind: string;
  items: Row[];
  nextCursor: string | null;
}

for (const engine of testEngines()) {
  describe(`public disclosure routes on ${engine.name}`, () => {
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

    it('lists every facility with the latest period that has results, in pages', async () => {
      const first = await app.inject({ method: 'GET', url: `/api/v1/jurisdictions/${TOKYO}/disclosure/facilities?limit=4` });
      assert.equal(first.statusCode, 200);
      const page1 = first.json<Table>();
      assert.equal(page1.period, 3);
      assert.equal(page1.kind, 'obligation');
      assert.equal(page1.items.length, 4);
      assert.ok(page1.nextCursor !== null);
      const rest = (await app.inject({ method: 'GET', url: `/api/v1/jurisdictions/${TOKYO}/disclosure/facilities?limit=2000&cursor=${page1.nextCursor}` })).json<Table>();
      assert.equal(rest.nextCursor, null);
      const all = [...page1.items, ...rest.items];
      assert.equal(all.length, REGISTERED + SPECIFIED.length);
      assert.deepEqual(all.map((r) => r.code), [...all.map((r) => r.code)].sort());
      for (const row of all) {
        const specified = (SPECIFIED as readonly string[]).includes(row.code);
        assert.equal(row.emissionsT !== null, specified, `${row.code} has results only when specified`);
        if (specified) {
          assert.match(row.emissionsT!, /^\d+$/);
          assert.match(row.capT!, /^\d+$/);
          assert.ok(row.complianceStatus !== null);
        }
      }
    });

    it('shows a period without results as empty columns, and refuses bad parameters naming them', async () => {
      const p1 = (await app.inject({ method: 'GET', url: `/api/v1/jurisdictions/${TOKYO}/disclosure/facilities?period=1` })).json<Table>();
      assert.equal(p1.period, 1);
      assert.ok(p1.items.every((r) => r.emissionsT === null && r.complianceStatus === null));
      const tooBig = await app.inject({ method: 'GET', url: `/api/v1/jurisdictions/${TOKYO}/disclosure/facilities?limit=2001` });
      assert.equal(tooBig.statusCode, 400);
      assert.equal(errorOf(tooBig).field, 'limit');
      const unknown = await app.inject({ method: 'GET', url: '/api/v1/jurisdictions/NOPE/disclosure/facilities' });
      assert.equal(errorOf(unknown).code, 'UNKNOWN_JURISDICTION');
    });

    it("discloses one facility: verified emissions by year and compliance per period", async () => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/jurisdictions/${TOKYO}/disclosure/facilities/T-101` });
      assert.equal(res.statusCode, 200);
      const body = res.json<{ facility: { code: string; status: string }; baseYear: { baseT: string } | null; years: { fiscalYear: number; emissionsT: string }[]; periods: { period: number; capT: string | null; status: string }[] }>();
      assert.equal(body.facility.code, 'T-101');
      assert.equal(body.baseYear?.baseT, '10000');
      assert.deepEqual(body.years.map((y) => y.fiscalYear), [2020, 2021, 2022, 2023, 2024]);
      assert.deepEqual(body.years.map((y) => y.emissionsT), ['6000', '6000', '6000', '6000', '6000']);
      assert.deepEqual(body.periods.map((p) => p.period), [3]);
      const missing = await app.inject({ method: 'GET', url: `/api/v1/jurisdictions/${TOKYO}/disclosure/facilities/NO-SUCH` });
      assert.equal(missing.statusCode, 404);
      assert.equal(errorOf(missing).code, 'UNKNOWN_FACILITY');
    });

    it('summarises emissions by fiscal year with bigints as decimal strings', async () => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/jurisdictions/${TOKYO}/disclosure/summary` });
      assert.equal(res.statusCode, 200);
      const body = res.json<{ baseT: string; years: { fiscalYear: number; emissionsT: string; reportingFacilities: number; reductionPct: number | null; byCategory: Record<string, string> }[] }>();
      assert.match(body.baseT, /^\d+$/);
      assert.deepEqual(body.years.map((y) => y.fiscalYear), [2020, 2021, 2022, 2023, 2024]);
      for (const y of body.years) {
        assert.equal(y.reportingFacilities, SPECIFIED.length);
        assert.equal(y.emissionsT, '21000');
        assert.deepEqual(y.byCategory, { 'I-1': '21000' });
      }
    });
  });
}
