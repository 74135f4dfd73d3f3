// The whole obligation-program flow through the real use-cases, on both engines: a Tokyo facility is registered,
// reports and is verified, chooses its base year, over-achieves and earns excess-reduction credits through the
// ledger; a second facility falls short, buys those credits, surrenders them, and becomes compliant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { complianceReport, runCompliance } from '../../src/app/compliance.js';
import { applyForExcessCredits, approveCreditApplication, surrenderForCompliance } from '../../src/app/credits.js';
import { Facilities } from '../../src/app/facilities.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry, txOrThrow } from '../../src/app/registry.js';
import { Reporting } from '../../src/app/reporting.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';
import type { LineInput } from '../../src/domain/mrv/conversion.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const electricity = (mwh: string): LineInput => ({ kind: 'energy', source: 'electricity_grid', quantity: mwh, unit: 'MWh' });
const BASE_YEARS = [2002, 2003, 2004];
const PERIOD_2 = [2015, 2016, 2017, 2018, 2019];

for (const engine of testEngines()) {
  describe(`Tokyo program flow on ${engine.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await engine.create();
    });
    after(async () => t.drop());

    it('turns verified reports into caps, credits and compliance', async () => {
      const registry = new Registry(t.db);
      const tokyo = await jurisdictionForProgram(registry, tokyoProgram(), { nameJa: '東京都' });
      const facilities = new Facilities(registry);
      const reporting = new Reporting(t.db);
      const agency = await facilities.registerAgency({ jurisdictionId: tokyo.id, name: 'Verifier KK', categories: ['I-1'] }, 'officer');
      const declaredEnergy = [2012, 2013, 2014].map((fiscalYear) => ({ fiscalYear, coeKl: '2500' }));
      const register = async (code: string) => {
        const f = await facilities.registerFacility({ jurisdictionId: tokyo.id, code, name: `Office ${code}`, owner: 'Owner KK', category: 'I-1', useType: 'office', floorAreaM2: 30_000n, declaredEnergy }, 'officer');
        await facilities.assignVerifier(f.id, agency.id, 2002, 'officer');
        return f;
      };
      const report = async (facilityId: string, fiscalYear: number, mwh: string) => {
        const draft = await reporting.createDraft(facilityId, fiscalYear, [electricity(mwh)], 'operator');
        await reporting.submit(draft.id, 'operator');
        await reporting.verify(draft.id, agency.id, 'verifier');
        return (await reporting.accept(draft.id, 'officer')).emissionsKg;
      };

      // A: base 20,000 MWh a year, then 15,000 MWh a year in period 2 (a 25 % cut against a 17 % factor).
      const a = await register('A-001');
      assert.equal(a.status, 'specified');
      for (const fy of BASE_YEARS) await report(a.id, fy, '20000');
      const baseA = await reporting.chooseBaseYear(a.id, 2002, 2004, 'operator');
      const aKg: bigint[] = [];
      for (const fy of PERIOD_2) aKg.push(await report(a.id, fy, '15000'));

      // B: the same base, but only a 10 % cut.
      const b = await register('B-002');
      for (const fy of BASE_YEARS) await report(b.id, fy, '20000');
      const baseB = await reporting.chooseBaseYear(b.id, 2002, 2004, 'operator');
      for (const fy of PERIOD_2) await report(b.id, fy, '18000');

      // The base years were reported with period 1's electricity factor (0.382 t/MWh): 7,640 t. Tokyo restates bases
      // with each period's factors, so period 2 (0.489 t/MWh) starts from 9,780 t: cap = 9,780 × (1 − 17 %) × 5.
      assert.equal(baseA.baseT, 7_640n);
      await runCompliance(t.db, { jurisdictionCode: 'TOKYO', period: 2, now: new Date('2020-06-01T00:00:00Z') });
      const first = await complianceReport(t.db, { jurisdictionCode: 'TOKYO', period: 2 });
      const rowOf = (rows: typeof first.rows, code: string) => rows.find((r) => r.facility_id === code)!;
      assert.equal(rowOf(first.rows, 'A-001').cap_t, '40587');
      assert.equal(rowOf(first.rows, 'A-001').emissions_t, (aKg.reduce((x, y) => x + y, 0n) / 1000n).toString());
      assert.equal(rowOf(first.rows, 'A-001').status, 'compliant');
      assert.equal(rowOf(first.rows, 'B-002').status, 'shortfall');
      const shortfallB = BigInt(rowOf(first.rows, 'B-002').shortfall_t!);
      assert.ok(shortfallB > 0n);

      // A applies for its excess reductions after FY2016; an officer who is not the applicant approves them.
      const application = await applyForExcessCredits(t.db, { facilityId: a.id, period: 2, actor: 'operator-a', now: new Date('2017-06-01T00:00:00Z') });
      assert.ok(application.quantityT > 0n);
      await approveCreditApplication(t.db, registry, { applicationId: application.id, approver: 'officer', now: new Date('2017-06-10T00:00:00Z') });
      const credits = await t.db.kysely
        .selectFrom('unit_types')
        .select(['id', 'kind', 'vintage', 'originating_facility_id'])
        .where('jurisdiction_id', '=', tokyo.id)
        .where('kind', '=', 'excess_reduction_credit')
        .executeTakeFirstOrThrow();
      assert.equal(credits.originating_facility_id, a.id);
      assert.equal(Number(credits.vintage), 2);

      // B buys what it lacks (if A has that much) and surrenders it for period 2 within the adjustment window.
      const boughtT = shortfallB < application.quantityT ? shortfallB : application.quantityT;
      txOrThrow(
        await registry.submit(
          tokyo.id,
          { type: 'transfer', fromAccountId: a.accountId, toAccountId: b.accountId, unitTypeId: credits.id, quantityT: boughtT },
          { idempotencyKey: 'sale-a-b', actor: 'trader', execute: true },
        ),
      );
      await surrenderForCompliance(t.db, registry, { facilityId: b.id, period: 2, lines: [{ unitTypeId: credits.id, quantityT: boughtT }], actor: 'rep-b', now: new Date('2021-06-01T00:00:00Z') });

      await runCompliance(t.db, { jurisdictionCode: 'TOKYO', period: 2, now: new Date('2021-10-01T00:00:00Z') });
      const second = await complianceReport(t.db, { jurisdictionCode: 'TOKYO', period: 2 });
      const rowB = rowOf(second.rows, 'B-002');
      assert.equal(rowB.surrendered_t, boughtT.toString());
      assert.equal(BigInt(rowB.shortfall_t!), shortfallB - boughtT);
      assert.equal(rowB.status, boughtT === shortfallB ? 'compliant' : 'shortfall');
      assert.equal(baseB.baseT, baseA.baseT);

      const ledger = await verifyLedger(t.db);
      assert.deepEqual(ledger.jurisdictions.flatMap((j) => j.problems), []);
    });
  });
}
