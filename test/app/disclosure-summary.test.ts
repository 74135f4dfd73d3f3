// The public summary on both engines against a small hand-made dataset: which facilities count, the highest accepted
// version, bases restated with each period's emission factors, and the program's rounding of the published %.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { baseForPeriod } from '../../src/app/compliance.js';
import { disclosureSummary } from '../../src/app/disclosure-summary.js';
import { Facilities } from '../../src/app/facilities.js';
import { adoptProgram, jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry } from '../../src/app/registry.js';
import { Reporting } from '../../src/app/reporting.js';
import { RefusedError } from '../../src/domain/errors.js';
import type { LineInput } from '../../src/domain/mrv/conversion.js';
import { JAPAN_ROUNDING_DEFAULTS } from '../../src/domain/program/presets/common.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const electricity = (mwh: string): LineInput => ({ kind: 'energy', source: 'electricity_grid', quantity: mwh, unit: 'MWh' });
const gas = (thousandNm3: string): LineInput => ({ kind: 'energy', source: 'city_gas', quantity: thousandNm3, unit: 'thousand_Nm3' });
const oil = (kl: string): LineInput => ({ kind: 'energy', source: 'heavy_oil_a', quantity: kl, unit: 'kL' });
const DECLARED = [2007, 2008, 2009].map((fiscalYear) => ({ fiscalYear, coeKl: '2000' }));

for (const engine of testEngines()) {
  describe(`disclosure summary on ${engine.name}`, () => {
    let t: TestDatabase;
    let registry: Registry;
    let reporting: Reporting;
    let jurisdictionId: string;
    let agencyId: string;
    const ids: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };

    const accepted = async (facilityId: string, fiscalYear: number, lines: LineInput[]) => {
      const draft = await reporting.createDraft(facilityId, fiscalYear, lines, 'operator');
      await reporting.submit(draft.id, 'operator');
      await reporting.verify(draft.id, agencyId, 'verifier');
      return reporting.accept(draft.id, 'officer');
    };

    before(async () => {
      t = await engine.create();
      registry = new Registry(t.db);
      reporting = new Reporting(t.db);
      const facilities = new Facilities(registry);
      jurisdictionId = (await jurisdictionForProgram(registry, tokyoProgram())).id;
      agencyId = (await facilities.registerAgency({ jurisdictionId, name: 'Agency', categories: ['I-1', 'I-2', 'II'] }, 'admin')).id;
      for (const [key, category] of [['A', 'I-1'], ['B', 'II'], ['C', 'I-1']] as const) {
        const f = await facilities.registerFacility({ jurisdictionId, code: `F-${key}`, name: `Facility ${key}`, owner: 'Owner', category, useType: 'office', declaredEnergy: DECLARED }, 'admin');
        ids[key] = f.id;
        await facilities.assignVerifier(f.id, agencyId, 2002, 'admin');
      }
      // A: 10,000 MWh + 1,000 thousand Nm3 a year → P1 3,820 + 2,230 = 6,050 t; P2 4,890 + 2,230 = 7,120 t.
      for (const fy of [2005, 2006, 2007]) await accepted(ids.A, fy, [electricity('10000'), gas('1000')]);
      await reporting.chooseBaseYear(ids.A, 2005, 2007, 'operator');
      // B: 1,000 kL oil (2,710 t) + 5,000 / 5,300 / 5,000 MWh → P1 4,620 / 4,734.6 / 4,620 t: base 4,658.2 → 4,658 t;
      // P2 5,155 / 5,301.7 / 5,155 t: restated base 4,658,200 kg × 15,611,700 ÷ 13,974,600 = 5,203.9 → 5,204 t.
      for (const [fy, mwh] of [[2005, '5000'], [2006, '5300'], [2007, '5000']] as const) await accepted(ids.B, fy, [oil('1000'), electricity(mwh)]);
      await reporting.chooseBaseYear(ids.B, 2005, 2007, 'operator');
      // C reports but never chose a base year: not a covered facility.
      await accepted(ids.C, 2014, [electricity('100000')]);
      await accepted(ids.C, 2015, [electricity('100000')]);

      // FY2014 (P1): A 3,056 + 2,007 = 5,063 t; B 2,439 + 1,528 = 3,967 t.
      await accepted(ids.A, 2014, [electricity('8000'), gas('900')]);
      await accepted(ids.B, 2014, [oil('900'), electricity('4000')]);
      // FY2015 (P2): A 4,401.2445 t → 4,401,245 kg, + 1,784 t = 6,185.245 t → 6,185 t.
      await accepted(ids.A, 2015, [electricity('9000.5'), gas('800')]);
      // B version 1 (3,635 t) is corrected by version 2: 2,303.5 + 1,467 = 3,770.5 t → 3,771 t (half up).
      const b1 = await accepted(ids.B, 2015, [oil('800'), electricity('3000')]);
      const b2 = await reporting.correct(b1.id, [oil('850'), electricity('3000')], 'operator');
      await reporting.submit(b2.id, 'operator');
      await reporting.verify(b2.id, agencyId, 'verifier');
      await reporting.accept(b2.id, 'officer');
      // FY2016: A 4,156.5 + 1,784 = 5,940.5 → 5,941 t; B's report is only submitted and does not count.
      await accepted(ids.A, 2016, [electricity('8500'), gas('800')]);
      const b2016 = await reporting.createDraft(ids.B, 2016, [oil('10')], 'operator');
      await reporting.submit(b2016.id, 'operator');
    });
    after(async () => t.drop());

    it('sums the covered facilities\' latest accepted reports and compares each year with the base on its period\'s factors', async () => {
      const s = await disclosureSummary(t.db, 'TOKYO');
      assert.equal(s.jurisdiction, 'TOKYO');
      assert.equal(s.baseT, 7_120n + 5_204n, 'the base restated with the factors of the latest listed period (P2)');
      assert.deepEqual(
        s.years.map((y) => ({ ...y })),
        [
          // 1 − 9,030 / 10,708 = 15.67 % → 16 (Tokyo preset: half up)
          { fiscalYear: 2014, emissionsT: 9_030n, reportingFacilities: 2, reductionPct: 16, byCategory: { 'I-1': 5_063n, II: 3_967n } },
          // 1 − 9,956 / 12,324 = 19.21 % → 19
          { fiscalYear: 2015, emissionsT: 9_956n, reportingFacilities: 2, reductionPct: 19, byCategory: { 'I-1': 6_185n, II: 3_771n } },
          // only A: 1 − 5,941 / 7,120 = 16.56 % → 17
          { fiscalYear: 2016, emissionsT: 5_941n, reportingFacilities: 1, reductionPct: 17, byCategory: { 'I-1': 5_941n } },
        ],
      );
    });

    it('restates each base exactly as the compliance run does', async () => {
      const program = tokyoProgram();
      for (const id of [ids.A, ids.B]) {
        for (const period of program.periods.slice(0, 3)) {
          const expected = await baseForPeriod(t.db.kysely, program, id, period);
          assert.ok(expected !== undefined);
          const summaryBase = period.number === 1 ? (id === ids.A ? 6_050n : 4_658n) : id === ids.A ? 7_120n : 5_204n;
          assert.equal(expected.baseT, summaryBase, `hand-computed base of ${id} in period ${period.number}`);
        }
      }
    });

    it('rounds the published reduction with the program\'s reductionPercent rule', async () => {
      const floor = { ...tokyoProgram({ rounding: { ...JAPAN_ROUNDING_DEFAULTS, reductionPercent: 'floor' } }), version: '2026-11-02' };
      await adoptProgram(t.db, jurisdictionId, floor, new Date(Date.now() + 1000));
      const s = await disclosureSummary(t.db, 'TOKYO');
      assert.deepEqual(s.years.map((y) => y.reductionPct), [15, 19, 16]);
    });

    it('lists nothing for a jurisdiction without covered facilities, and refuses an unknown one', async () => {
      const other = await registry.createJurisdiction({ code: 'EMPTY', nameEn: 'Empty', nameJa: '空', timeZone: 'Asia/Tokyo', fyStartMonth: 4 });
      await adoptProgram(t.db, other.id, { ...tokyoProgram(), jurisdiction: { code: 'EMPTY', name: 'Empty', timeZone: 'Asia/Tokyo' } }, new Date());
      assert.deepEqual(await disclosureSummary(t.db, 'EMPTY'), { jurisdiction: 'EMPTY', baseT: 0n, years: [] });
      await assert.rejects(disclosureSummary(t.db, 'NOWHERE'), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'UNKNOWN_JURISDICTION');
    });
  });
}
