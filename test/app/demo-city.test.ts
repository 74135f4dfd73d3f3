// The demo city: its plan meets Tokyo's published figures for any seed and size; created through the use-cases, the
// public summary shows them (base 16.50 Mt, FY2015 12.25 … FY2023 11.32 Mt, FY2016 26 %, FY2020 33 %, FY2022 32 %,
// FY2023 31 %), periods 1 and 2 are assessed with every facility compliant, the ledger verifies, the demo users sign
// in with password and TOTP, the bulk-written reports equal what the reporting use-cases store, and the same seed
// gives the same data. The full 1,200 facilities on SQLite; fewer on PostgreSQL (the calibration does not depend on
// the count: the property test below holds it).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Auth } from '../../src/app/auth.js';
import { SecretBox } from '../../src/app/auth/secrets.js';
import { AccessControl } from '../../src/app/authorization.js';
import { createDemoCity, demoProgram, type DemoCitySummary } from '../../src/app/demo-city.js';
import { acceptedReportRows, baseYearRow } from '../../src/app/demo-city/bulk.js';
import { dataFingerprint } from '../../src/app/demo-city/fingerprint.js';
import { PUBLISHED_BASE_MT, PUBLISHED_YEARS } from '../../src/app/demo-city/figures.js';
import { BASE_WINDOW_YEARS, planDemoCity, yearsOfDemo, type CityPlan } from '../../src/app/demo-city/plan.js';
import { demoTotpCode, DEMO_USERS } from '../../src/app/demo-city/users.js';
import { disclosureSummary, type DisclosureSummary } from '../../src/app/disclosure-summary.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { megatonnes } from '../../src/cli/disclosure.js';
import { Rational } from '../../src/domain/compliance/rational.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const SEED = 1;
const PUBLISHED_PCT: Readonly<Record<number, number>> = Object.fromEntries(PUBLISHED_YEARS.filter((y) => y.reductionPct !== null).map((y) => [y.fiscalYear, y.reductionPct!]));

/** The public summary shows Tokyo's figures to the precision they were published. */
function assertPublished(s: DisclosureSummary, facilities: number): void {
  assert.equal(s.jurisdiction, 'TOKYO');
  assert.equal(megatonnes(s.baseT), PUBLISHED_BASE_MT, 'base 16.50 Mt');
  const byYear = new Map(s.years.map((y) => [y.fiscalYear, y]));
  assert.deepEqual([...byYear.keys()], yearsOfDemo());
  for (const p of PUBLISHED_YEARS) {
    const y = byYear.get(p.fiscalYear)!;
    assert.equal(y.reportingFacilities, facilities);
    if (p.emissionsMt !== null) assert.equal(megatonnes(y.emissionsT), p.emissionsMt, `FY${p.fiscalYear} emissions`);
    if (p.reductionPct !== null) assert.equal(y.reductionPct, p.reductionPct, `FY${p.fiscalYear} reduction`);
  }
  // The figures the issue names, spelled out.
  assert.deepEqual(
    [2015, 2016, 2017, 2018, 2019, 2020, 2022, 2023].map((fy) => megatonnes(byYear.get(fy)!.emissionsT)),
    ['12.25', '12.13', '12.03', '12.11', '12.06', '11.04', '11.18', '11.32'],
  );
  assert.deepEqual([2016, 2020, 2022, 2023].map((fy) => byYear.get(fy)!.reductionPct), [26, 33, 32, 31]);
  for (const y of s.years) {
    assert.equal(Object.values(y.byCategory).reduce((a, b) => a + b, 0n), y.emissionsT, 'categories add up');
    assert.deepEqual(Object.keys(y.byCategory).sort(), ['I-1', 'I-2', 'II']);
  }
}

describe('demo city plan', () => {
  it('meets every target to the tonne, for any seed and number of facilities, with every facility specified', () => {
    const program = demoProgram();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 20, max: 240 }), (seed, n) => {
        const plan = planDemoCity(program, { seed, facilities: n });
        assert.equal(plan.facilities.length, n);
        assert.ok(plan.baseP2T >= 16_499_998n && plan.baseP2T <= 16_500_002n, `base ${plan.baseP2T}`);
        for (const fy of yearsOfDemo()) {
          const diff = plan.totalT.get(fy)! - plan.targetT.get(fy)!;
          assert.ok(diff >= -2n && diff <= 2n, `FY${fy}: ${plan.totalT.get(fy)} vs ${plan.targetT.get(fy)}`);
          const base = fy <= 2014 ? plan.baseP1T : plan.baseP2T;
          const pct = Rational.of(100n).sub(Rational.of(plan.totalT.get(fy)! * 100n, base));
          const published = PUBLISHED_PCT[fy];
          // Inside [P, P + 0.5): rounding down and half up both show the published percent.
          if (published !== undefined && fy <= 2014) assert.equal(pct.round(0, 'floor').toBigInt(), BigInt(published), `FY${fy} ${pct.toDecimal(3)} %`);
          if (published !== undefined) assert.equal(pct.round(0, 'half_up').toBigInt(), BigInt(published), `FY${fy} ${pct.toDecimal(3)} %`);
        }
        for (const f of plan.facilities) {
          assert.ok(f.declaredEnergy.every((d) => Rational.parseDecimal(d.coeKl)!.gte(Rational.of(1500n))), `${f.code} is above the coverage threshold`);
          for (const lines of f.reports.values()) assert.ok(lines.every((l) => Rational.parseDecimal(l.quantity)!.gt(Rational.of(0n))));
        }
      }),
      { numRuns: 6 },
    );
  });

  it('shares facilities among the types and categories in the planned proportions, the showcase first', () => {
    const plan = planDemoCity(demoProgram(), { seed: SEED, facilities: 1200 });
    const count = (p: (f: CityPlan['facilities'][number]) => boolean): number => plan.facilities.filter(p).length;
    assert.equal(count((f) => f.category === 'II'), 228);
    assert.equal(count((f) => f.category === 'I-2'), 120);
    assert.equal(count((f) => f.useType === 'dhc_plant'), 60);
    assert.deepEqual(plan.facilities.slice(0, 4).map((f) => [f.code, f.showcase, f.category]), [['T-0001', 'A', 'I-1'], ['T-0002', 'B', 'I-2'], ['T-0003', 'C', 'I-1'], ['T-0004', 'D', 'II']]);
  });
});

const COUNT: Record<string, number> = { sqlite: 1200, postgres: 80 };

for (const engine of testEngines()) {
  const facilities = COUNT[engine.name]!;
  describe(`demo city on ${engine.name} (${facilities} facilities)`, () => {
    let t: TestDatabase;
    let summary: DemoCitySummary;
    let plan: CityPlan;
    const box = new SecretBox(randomBytes(32));

    before(async () => {
      t = await engine.create();
      const started = performance.now();
      summary = await createDemoCity(t.db, { seed: SEED, facilities, secretBox: box });
      console.log(`# demo city on ${engine.name}: ${facilities} facilities in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      plan = planDemoCity(demoProgram(), { seed: SEED, facilities });
    });
    after(async () => t.drop());

    it('shows the published figures in the public summary', async () => {
      assertPublished(await disclosureSummary(t.db, 'TOKYO'), facilities);
    });

    it('assessed periods 1 and 2 with every facility compliant, some through credits they bought and surrendered', async () => {
      for (const period of [1, 2]) {
        const rows = await t.db.kysely.selectFrom('compliance_results').select(['status', 'surrendered_t']).where('period', '=', period).execute();
        assert.equal(rows.length, facilities);
        assert.ok(rows.every((r) => r.status === 'compliant'));
        const bought = rows.filter((r) => (r.surrendered_t ?? 0n) > 0n).length;
        assert.equal(bought, summary.periods[period]!.buyers);
        assert.ok(bought > 0 && summary.periods[period]!.sellers > 0);
      }
      // Banking: part of period 2 was covered with period-1 credits.
      const banked = await t.db.kysely
        .selectFrom('compliance_surrenders as cs')
        .innerJoin('transactions as tx', 'tx.id', 'cs.tx_id')
        .innerJoin('unit_types as u', 'u.id', 'tx.unit_type_id')
        .select('tx.quantity_t')
        .where('cs.period', '=', 2)
        .where('u.vintage', '=', 1)
        .execute();
      assert.ok(banked.length > 0);
    });

    it('leaves a ledger that verifies, every transfer completed (the untrusted ones after their delay)', async () => {
      const report = await verifyLedger(t.db, { jurisdictionCode: 'TOKYO' });
      assert.ok(report.ok, JSON.stringify(report.jurisdictions[0]?.problems.slice(0, 3)));
      const open = await t.db.kysely.selectFrom('transactions').select('id').where('status', '!=', 'completed').execute();
      assert.deepEqual(open, []);
      const delayed = await t.db.kysely.selectFrom('transaction_holds').select('tx_id').where('delay_rule', 'is not', null).where('outcome', '=', 'completed').execute();
      assert.ok(delayed.length > 0);
    });

    it('lets every demo user sign in with the password and a TOTP code, with the roles the demo gives', async () => {
      const auth = new Auth(t.db, { secretBox: box });
      const now = new Date();
      for (const [i, u] of summary.users.entries()) {
        const ctx = { now, address: `192.0.2.${i + 1}` };
        const first = await auth.signIn({ login: u.login, password: u.password }, ctx);
        assert.ok(first.ok, `${u.login}: ${first.ok ? '' : first.refusal.code}`);
        assert.equal(first.value.session.stage, 'second_factor', 'TOTP is enrolled');
        const { code } = await demoTotpCode(SEED, u.login, now);
        const second = await auth.verifySecondFactor(first.value.session.id, code, ctx);
        assert.ok(second.ok, `${u.login}: ${second.ok ? '' : second.refusal.code}`);
        assert.equal(second.value.session.stage, 'complete');
      }
      assert.deepEqual(summary.users.map((u) => u.login), DEMO_USERS.map((u) => u.login));
      const access = new AccessControl(t.db);
      const roles = async (login: string) => {
        const id = summary.users.find((u) => u.login === login)!.userId;
        return (await access.grantsOf({ kind: 'user', id })).map((g) => `${g.role}${g.accountId === null ? '' : '@account'}${g.rights === null ? '' : `:${g.rights}`}`).sort();
      };
      assert.deepEqual(await roles('demo-admin'), ['authority_admin']);
      assert.deepEqual(await roles('demo-officer'), ['authority_officer']);
      assert.deepEqual(await roles('demo-verifier'), ['verifier']);
      assert.deepEqual(await roles('demo-operator'), [...Array<string>(3).fill('authorized_representative@account:initiate'), ...Array<string>(3).fill('facility_operator@account')]);
      assert.deepEqual(await roles('demo-trader'), ['authorized_representative@account:initiate', 'trader@account']);
      assert.ok((await roles('demo-rep2')).every((r) => r === 'authorized_representative@account:approve'));
    });

    it('stored the showcase facilities\' reports through the use-cases exactly as the bulk path writes the others', async () => {
      const showcase = plan.facilities.filter((f) => f.showcase !== null);
      for (const f of showcase) {
        const facility = await t.db.kysely.selectFrom('facilities').select(['id', 'jurisdiction_id']).where('code', '=', f.code).executeTakeFirstOrThrow();
        for (const fy of [...BASE_WINDOW_YEARS, ...yearsOfDemo()]) {
          const stored = await t.db.kysely.selectFrom('reports').selectAll().where('facility_id', '=', facility.id).where('fiscal_year', '=', fy).where('status', '=', 'accepted').executeTakeFirstOrThrow();
          const storedLines = await t.db.kysely.selectFrom('report_lines').selectAll().where('report_id', '=', stored.id).orderBy('line_no').execute();
          const bulk = acceptedReportRows(demoProgram(), { id: stored.id, jurisdictionId: facility.jurisdiction_id, facilityId: facility.id, fiscalYear: fy, lines: f.reports.get(fy)!, agencyId: stored.agency_id!, steps: { createdAt: '', submittedAt: '', verifiedAt: '', acceptedAt: '', operator: '', verifier: '', officer: '' } });
          assert.deepEqual([stored.coe_l, stored.emissions_kg], [bulk.report.coe_l, bulk.report.emissions_kg], `${f.code} FY${fy}`);
          assert.deepEqual(
            storedLines.map((l) => [l.line_no, l.kind, l.source, l.quantity, l.unit, l.coe_l, l.co2_kg]),
            bulk.lines.map((l) => [l.line_no, l.kind, l.source, l.quantity, l.unit, l.coe_l, l.co2_kg]),
          );
          assert.equal(stored.version, f.showcase === 'B' && fy === 2012 ? 2 : 1, 'the returned FY2012 report of T-0002 was corrected');
        }
        const base = await t.db.kysely.selectFrom('base_years').selectAll().where('facility_id', '=', facility.id).where('status', '=', 'active').executeTakeFirstOrThrow();
        const years = [];
        for (let fy = f.baseWindow.first; fy <= f.baseWindow.last; fy++) {
          const r = await t.db.kysely.selectFrom('reports').select('emissions_kg').where('facility_id', '=', facility.id).where('fiscal_year', '=', fy).where('status', '=', 'accepted').executeTakeFirstOrThrow();
          years.push({ fiscalYear: fy, emissionsKg: r.emissions_kg });
        }
        const bulkBase = baseYearRow(demoProgram(), { id: base.id, facilityId: facility.id, years, chosenAt: base.chosen_at, chosenBy: base.chosen_by });
        assert.deepEqual({ ...base }, { ...bulkBase });
        assert.equal(base.base_t, f.baseT);
      }
      const inProgress = await t.db.kysely.selectFrom('reports').select(['status']).where('fiscal_year', '=', 2024).orderBy('status').execute();
      assert.deepEqual(inProgress.map((r) => r.status), ['draft', 'submitted', 'verified']);
    });
  });
}

describe('demo city determinism on sqlite', () => {
  const sqlite = testEngines().find((e) => e.name === 'sqlite')!;
  it('gives the same data for the same seed, and other data for another seed', async () => {
    const fingerprints: string[] = [];
    for (const seed of [7, 7, 8]) {
      const t = await sqlite.create();
      try {
        await createDemoCity(t.db, { seed, facilities: 40 });
        fingerprints.push(await dataFingerprint(t.db, 'TOKYO'));
      } finally {
        await t.drop();
      }
    }
    assert.equal(fingerprints[0], fingerprints[1]);
    assert.notEqual(fingerprints[0], fingerprints[2]);
  });
});
