// Facilities and reporting end to end on both engines: registration with its account, designation history,
// verification agencies, the report workflow with corrections, base years and recalculation — and every refusal
// writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Facilities } from '../../src/app/facilities.js';
import { jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry } from '../../src/app/registry.js';
import { Reporting } from '../../src/app/reporting.js';
import { RefusedError } from '../../src/domain/errors.js';
import type { LineInput } from '../../src/domain/mrv/conversion.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const TABLES = [
  'accounts', 'facilities', 'facility_status_history', 'facility_reliefs', 'verification_agencies', 'facility_verifiers',
  'reports', 'report_lines', 'base_years', 'recalculation_requests',
] as const;

const electricity = (mwh: string): LineInput => ({ kind: 'energy', source: 'electricity_grid', quantity: mwh, unit: 'MWh' });
const gas = (thousandNm3: string): LineInput => ({ kind: 'energy', source: 'city_gas', quantity: thousandNm3, unit: 'thousand_Nm3' });

for (const engine of testEngines()) {
  describe(`facilities and reporting on ${engine.name}`, () => {
    let t: TestDatabase;
    let registry: Registry;
    let facilities: Facilities;
    let reporting: Reporting;
    let jurisdictionId: string;
    let facilityId: string;
    let agencyId: string;
    let otherAgencyId: string;

    before(async () => {
      t = await engine.create();
      registry = new Registry(t.db);
      jurisdictionId = (await jurisdictionForProgram(registry, tokyoProgram())).id;
      facilities = new Facilities(registry);
      reporting = new Reporting(t.db);
    });
    after(async () => t.drop());

    /** Row counts of every table these use-cases write, and the mutable columns of reports and facilities. */
    const snapshot = async () => {
      const counts: Record<string, number> = {};
      for (const table of TABLES) {
        const { n } = await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<bigint | number | string>().as('n')).executeTakeFirstOrThrow();
        counts[table] = Number(n);
      }
      const reports = await t.db.kysely.selectFrom('reports').select(['id', 'status', 'coe_l', 'emissions_kg']).orderBy('id').execute();
      const facilityRows = await t.db.kysely.selectFrom('facilities').select(['id', 'status', 'floor_area_m2', 'use_type']).orderBy('id').execute();
      const bases = await t.db.kysely.selectFrom('base_years').select(['id', 'status']).orderBy('id').execute();
      const requests = await t.db.kysely.selectFrom('recalculation_requests').select(['id', 'status']).orderBy('id').execute();
      return JSON.stringify({ counts, reports, facilityRows, bases, requests }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    };

    /** Asserts the action is refused with this code and field, and that the database is unchanged. */
    const refusedUnchanged = async (action: () => Promise<unknown>, code: string, field: string) => {
      const beforeState = await snapshot();
      await assert.rejects(action, (e: unknown) => {
        assert.ok(e instanceof RefusedError, `expected a refusal, got ${String(e)}`);
        assert.equal(e.refusal.code, code, e.message);
        assert.equal(e.refusal.field, field, e.message);
        return true;
      });
      assert.equal(await snapshot(), beforeState, 'a refused action wrote nothing');
    };

    const acceptedReport = async (fiscalYear: number, lines: LineInput[]) => {
      const draft = await reporting.createDraft(facilityId, fiscalYear, lines, 'operator');
      await reporting.submit(draft.id, 'operator');
      await reporting.verify(draft.id, agencyId, 'verifier-1');
      return reporting.accept(draft.id, 'officer');
    };

    it('registers a facility with its compliance account and records the first designation from declared energy use', async () => {
      const f = await facilities.registerFacility(
        {
          jurisdictionId,
          code: '0001',
          name: 'Marunouchi Tower',
          owner: 'Marunouchi Estate KK',
          category: 'I-1',
          useType: 'office',
          floorAreaM2: 100_000n,
          declaredEnergy: [
            { fiscalYear: 2007, coeKl: '2000' },
            { fiscalYear: 2008, coeKl: '2100.5' },
            { fiscalYear: 2009, coeKl: '2200' },
          ],
        },
        'officer',
      );
      facilityId = f.id;
      assert.equal(f.status, 'specified');
      const account = await t.db.kysely.selectFrom('accounts').selectAll().where('id', '=', f.accountId).executeTakeFirstOrThrow();
      assert.equal(account.type, 'facility_compliance');
      assert.equal(account.facility_id, f.id);
      assert.equal(account.holder, 'Marunouchi Estate KK');
      const history = await facilities.history(f.id);
      assert.equal(history.length, 1);
      assert.equal(history[0]!.fiscalYear, 2010);
      assert.equal(history[0]!.status, 'specified');
      assert.match(history[0]!.reason, /FY2007 declared at registration: 2000 kL COE/);
    });

    it('registers agencies per category and assigns only one registered for the facility\'s category', async () => {
      agencyId = (await facilities.registerAgency({ jurisdictionId, name: 'Sompo Verification', categories: ['I-1', 'I-2'] }, 'officer')).id;
      otherAgencyId = (await facilities.registerAgency({ jurisdictionId, name: 'Factory Checks', categories: ['II'] }, 'officer')).id;
      await refusedUnchanged(() => facilities.assignVerifier(facilityId, otherAgencyId, 2002, 'officer'), 'AGENCY_NOT_REGISTERED_FOR_CATEGORY', 'agencyId');
      await facilities.assignVerifier(facilityId, agencyId, 2002, 'officer');
      await refusedUnchanged(() => facilities.assignVerifier(facilityId, agencyId, 2002, 'officer'), 'VERIFIER_ALREADY_ASSIGNED', 'fromFiscalYear');
      await refusedUnchanged(() => facilities.registerAgency({ jurisdictionId, name: 'Nobody', categories: ['III'] }, 'officer'), 'UNKNOWN_CATEGORY', 'categories[0]');
    });

    it('runs a report draft → submitted → verified → accepted with exact figures', async () => {
      const draft = await reporting.createDraft(facilityId, 2002, [electricity('12345.678'), gas('500')], 'operator');
      assert.equal(draft.status, 'draft');
      assert.equal(draft.version, 1);
      // Base-window years use period 1 factors: 12,345.678 MWh × 0.382 = 4,716.048996 t → 4,716,049 kg, + 500 × 2.23 t;
      // 3,108,740 L + 580,500 L COE (hand-computed in test/domain/mrv.test.ts)
      assert.equal(draft.emissionsKg, 4_716_049n + 1_115_000n);
      assert.equal(draft.coeL, 3_689_240n);
      const updated = await reporting.updateDraft(draft.id, [electricity('10000'), gas('1000')], 'operator');
      assert.equal(updated.emissionsKg, 3_820_000n + 2_230_000n); // P1 factors for the base window: 0.382 and 2.23
      assert.equal(updated.lines.length, 2);
      assert.equal((await reporting.submit(draft.id, 'operator')).status, 'submitted');
      await refusedUnchanged(() => reporting.updateDraft(draft.id, [electricity('1')], 'operator'), 'REPORT_NOT_DRAFT', 'reportId');
      await refusedUnchanged(() => reporting.verify(draft.id, otherAgencyId, 'intruder'), 'VERIFIER_NOT_ASSIGNED', 'agencyId');
      await refusedUnchanged(() => reporting.accept(draft.id, 'officer'), 'REPORT_NOT_VERIFIED', 'reportId');
      const verified = await reporting.verify(draft.id, agencyId, 'verifier-1');
      assert.equal(verified.status, 'verified');
      assert.equal(verified.agencyId, agencyId);
      const accepted = await reporting.accept(draft.id, 'officer');
      assert.equal(accepted.status, 'accepted');
      assert.equal(accepted.emissionsKg, 6_050_000n);
    });

    it('chooses base years from accepted reports and keeps the superseded choice', async () => {
      await refusedUnchanged(() => reporting.chooseBaseYear(facilityId, 2002, 2004, 'operator'), 'MISSING_ACCEPTED_REPORT', 'lastFiscalYear');
      await acceptedReport(2003, [electricity('11000')]); // 4,202,000 kg
      await acceptedReport(2004, [electricity('12000.001')]); // 4,584,000.382 → 4,584,000 kg
      await refusedUnchanged(() => reporting.chooseBaseYear(facilityId, 2002, 2003, 'operator'), 'BASE_YEAR_COUNT', 'lastFiscalYear');
      await refusedUnchanged(() => reporting.chooseBaseYear(facilityId, 2006, 2008, 'operator'), 'BASE_YEAR_OUTSIDE_WINDOW', 'lastFiscalYear');
      const first = await reporting.chooseBaseYear(facilityId, 2002, 2004, 'operator');
      // (6,050,000 + 4,202,000 + 4,584,000) / 3 = 4,945,333.33 kg → 4,945,333 kg; 4,945.33 t → 4,945 t
      assert.equal(first.baseKg, 4_945_333n);
      assert.equal(first.baseT, 4_945n);
      assert.equal(first.status, 'active');
      await acceptedReport(2005, [electricity('20000')]);
      const second = await reporting.chooseBaseYear(facilityId, 2003, 2005, 'operator');
      assert.equal(second.baseKg, (4_202_000n + 4_584_000n + 7_640_000n) / 3n);
      const rows = await t.db.kysely.selectFrom('base_years').select(['id', 'status']).where('facility_id', '=', facilityId).execute();
      assert.deepEqual(new Map(rows.map((r) => [r.id, r.status])), new Map([[first.id, 'superseded'], [second.id, 'active']]));
    });

    it('returns a report with a reason; a correction is a new version and supersedes the accepted one on acceptance', async () => {
      const v1 = await reporting.createDraft(facilityId, 2010, [electricity('5000')], 'operator');
      await reporting.submit(v1.id, 'operator');
      await refusedUnchanged(() => reporting.returnReport(v1.id, ' ', 'officer'), 'REASON_REQUIRED', 'reason');
      const returned = await reporting.returnReport(v1.id, 'meter 3 missing', 'officer');
      assert.equal(returned.status, 'returned');
      assert.equal(returned.returnedReason, 'meter 3 missing');
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2010, [electricity('1')], 'operator'), 'REPORT_EXISTS', 'fiscalYear');
      const v2 = await reporting.correct(v1.id, [electricity('5000'), electricity('250')], 'operator');
      assert.equal(v2.version, 2);
      assert.equal(v2.correctsReportId, v1.id);
      assert.equal(v2.status, 'draft');
      await refusedUnchanged(() => reporting.correct(v1.id, [electricity('1')], 'operator'), 'NOT_LATEST_VERSION', 'reportId');
      await refusedUnchanged(() => reporting.correct(v2.id, [electricity('1')], 'operator'), 'REPORT_NOT_CORRECTABLE', 'reportId');
      await reporting.submit(v2.id, 'operator');
      await reporting.verify(v2.id, agencyId, 'verifier-1');
      await reporting.accept(v2.id, 'officer');
      const v3 = await reporting.correct(v2.id, [electricity('5300')], 'operator');
      assert.equal(v3.version, 3);
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2010, [electricity('1')], 'operator'), 'OPEN_REPORT_EXISTS', 'fiscalYear');
      await reporting.submit(v3.id, 'operator');
      await reporting.verify(v3.id, agencyId, 'verifier-1');
      await reporting.accept(v3.id, 'officer');
      const rows = await t.db.kysely.selectFrom('reports').select(['version', 'status', 'emissions_kg']).where('facility_id', '=', facilityId).where('fiscal_year', '=', 2010).orderBy('version').execute();
      assert.deepEqual(rows.map((r) => [Number(r.version as number | bigint), r.status, r.emissions_kg]), [
        [1, 'returned', 1_910_000n], // P1: 5,000 MWh × 0.382 — never overwritten
        [2, 'superseded', 2_005_500n],
        [3, 'accepted', 2_024_600n],
      ]);
    });

    it('decides the next year\'s designation from accepted reports and keeps every decision', async () => {
      // FY2010: 5,300 MWh × 9.76 × 0.0258 = 1,334.577 kL COE < 1,500 kL
      const below = await facilities.decideDesignation(facilityId, 2011, 'officer');
      assert.equal(below.status, 'registered');
      assert.match(below.reason, /below 1500 kL in FY2010/);
      const v4 = await reporting.correct((await t.db.kysely.selectFrom('reports').select('id').where('facility_id', '=', facilityId).where('fiscal_year', '=', 2010).where('status', '=', 'accepted').executeTakeFirstOrThrow()).id, [electricity('5300'), gas('200')], 'operator');
      await reporting.submit(v4.id, 'operator');
      await reporting.verify(v4.id, agencyId, 'verifier-1');
      await reporting.accept(v4.id, 'officer');
      const again = await facilities.decideDesignation(facilityId, 2011, 'officer');
      assert.equal(again.status, 'specified'); // FY2008–2009 implied by the FY2010 decision, FY2010 from the report
      const history = await facilities.history(facilityId);
      assert.deepEqual(history.map((h) => [h.seq, h.fiscalYear, h.status]), [
        [1, 2010, 'specified'],
        [2, 2011, 'registered'],
        [3, 2011, 'specified'],
      ]);
      const row = await t.db.kysely.selectFrom('facilities').select('status').where('id', '=', facilityId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'specified');
    });

    it('refuses bad report input naming the field and writes nothing', async () => {
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2012, [electricity('1'), { kind: 'energy', source: 'coal', quantity: '1', unit: 't' }], 'operator'), 'UNKNOWN_SOURCE', 'lines[1].source');
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2012, [electricity('-1')], 'operator'), 'NEGATIVE_QUANTITY', 'lines[0].quantity');
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2012, [electricity('1,000')], 'operator'), 'QUANTITY_NOT_DECIMAL', 'lines[0].quantity');
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2012, [{ ...electricity('1'), unit: 'kWh' }], 'operator'), 'UNIT_MISMATCH', 'lines[0].unit');
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2012, Array.from({ length: 201 }, () => electricity('1')), 'operator'), 'TOO_MANY_LINES', 'lines');
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2031, [electricity('1')], 'operator'), 'FISCAL_YEAR_OUTSIDE_PROGRAM', 'fiscalYear');
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2008, [electricity('1')], 'operator'), 'FISCAL_YEAR_OUTSIDE_PROGRAM', 'fiscalYear');
      await refusedUnchanged(() => reporting.createDraft('no-such-facility', 2012, [electricity('1')], 'operator'), 'UNKNOWN_FACILITY', 'facilityId');
    });

    it('refuses a report for a facility not designated for that fiscal year', async () => {
      const small = await facilities.registerFacility({ jurisdictionId, code: '0002', name: 'Corner Shop', owner: 'Tanaka', category: 'I-1', useType: 'retail' }, 'officer');
      assert.equal(small.status, 'registered');
      await refusedUnchanged(() => reporting.createDraft(small.id, 2012, [electricity('1')], 'operator'), 'FACILITY_NOT_DESIGNATED', 'facilityId');
      await refusedUnchanged(() => reporting.createDraft(small.id, 2003, [electricity('1')], 'operator'), 'FACILITY_NOT_DESIGNATED', 'facilityId');
      // FY2009 lies between the base-year window (to FY2007) and period 1 (from FY2010): no report is possible.
      await refusedUnchanged(() => reporting.createDraft(facilityId, 2009, [electricity('1')], 'operator'), 'FISCAL_YEAR_OUTSIDE_PROGRAM', 'fiscalYear');
      await facilities.recordStatus(small.id, 2013, 'exempted', 'at least half owned by SMEs', 'officer');
      await refusedUnchanged(() => reporting.createDraft(small.id, 2013, [electricity('1')], 'operator'), 'FACILITY_NOT_DESIGNATED', 'facilityId');
      await refusedUnchanged(() => facilities.decideDesignation(small.id, 2014, 'officer'), 'FACILITY_NOT_ELIGIBLE', 'facilityId');
    });

    it('refuses a bad registration and opens no account; concurrent registrations of one code make exactly one facility', async () => {
      const base = { jurisdictionId, name: 'Shinjuku Works', owner: 'Works KK', useType: 'factory' };
      await refusedUnchanged(() => facilities.registerFacility({ ...base, code: '0003', category: 'III' }, 'officer'), 'UNKNOWN_CATEGORY', 'category');
      await refusedUnchanged(() => facilities.registerFacility({ ...base, code: '0003' }, 'officer'), 'CATEGORY_REQUIRED', 'category');
      await refusedUnchanged(() => facilities.registerFacility({ ...base, code: '0001', category: 'II' }, 'officer'), 'FACILITY_CODE_TAKEN', 'code');
      await refusedUnchanged(() => facilities.registerFacility({ ...base, code: '0003', category: 'II', declaredEnergy: [{ fiscalYear: 2009, coeKl: '-1' }] }, 'officer'), 'NEGATIVE_QUANTITY', 'declaredEnergy[0].coeKl');
      const accountsBefore = (await t.db.kysely.selectFrom('accounts').select('id').execute()).length;
      const results = await Promise.allSettled([0, 1, 2].map(() => facilities.registerFacility({ ...base, code: '0004', category: 'II' }, 'officer')));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as RefusedError).refusal.code, 'FACILITY_CODE_TAKEN');
      assert.equal((await t.db.kysely.selectFrom('accounts').select('id').execute()).length, accountsBefore + 1);
    });

    it('grants a relief the program has for the period, and refuses one it has not', async () => {
      await facilities.grantRelief(facilityId, 2, 'top_level', 'officer');
      await refusedUnchanged(() => facilities.grantRelief(facilityId, 4, 'top_level', 'officer'), 'RELIEF_NOT_IN_PERIOD', 'period');
      await refusedUnchanged(() => facilities.grantRelief(facilityId, 2, 'top_level', 'officer'), 'RELIEF_ALREADY_GRANTED', 'reliefCode');
      await refusedUnchanged(() => facilities.grantRelief(facilityId, 2, 'golden', 'officer'), 'UNKNOWN_RELIEF', 'reliefCode');
    });

    it('recalculates the base year only past the threshold, on the authority\'s approval', async () => {
      await refusedUnchanged(() => reporting.requestRecalculation(facilityId, { floorAreaAfterM2: 105_000n }, 'operator'), 'BELOW_RECALCULATION_THRESHOLD', 'floorAreaAfterM2');
      await refusedUnchanged(() => reporting.requestRecalculation(facilityId, { useAfter: 'hotel' }, 'operator'), 'ESTIMATE_REQUIRED', 'estimatedBaseKg');
      const active = (await reporting.activeBaseYear(facilityId))!;
      const request = await reporting.requestRecalculation(facilityId, { floorAreaAfterM2: 110_000n }, 'operator');
      assert.equal(request.changePpm, 100_000n);
      await refusedUnchanged(() => reporting.requestRecalculation(facilityId, { floorAreaAfterM2: 120_000n }, 'operator'), 'RECALCULATION_PENDING', 'facilityId');
      const recalculated = (await reporting.decideRecalculation(request.id, { approve: true }, 'officer'))!;
      assert.equal(recalculated.baseKg, (active.baseKg * 11n + 5n) / 10n); // +10 %, half up to the kg
      assert.equal(recalculated.firstFiscalYear, active.firstFiscalYear);
      await refusedUnchanged(() => reporting.decideRecalculation(request.id, { approve: true }, 'officer'), 'REQUEST_DECIDED', 'requestId');
      const facility = await t.db.kysely.selectFrom('facilities').select('floor_area_m2').where('id', '=', facilityId).executeTakeFirstOrThrow();
      assert.equal(facility.floor_area_m2, 110_000n);
      const statuses = await t.db.kysely.selectFrom('base_years').select('status').where('facility_id', '=', facilityId).execute();
      assert.deepEqual(statuses.map((s) => s.status).sort(), ['active', 'superseded', 'superseded']);
      const rejected = await reporting.requestRecalculation(facilityId, { useAfter: 'hotel', estimatedBaseKg: 1_000n }, 'operator');
      assert.equal(await reporting.decideRecalculation(rejected.id, { approve: false }, 'officer'), undefined);
      assert.equal((await reporting.activeBaseYear(facilityId))!.id, recalculated.id);
    });
  });
}
