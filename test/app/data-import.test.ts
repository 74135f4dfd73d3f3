// The data-in use-cases on both engines: facilities registered from a file (accounts, declared energy, status
// decisions), the report template, a filled template becoming a draft (then updated, then corrected), bulk imports of
// accepted history and of drafts, every refusal listing its problems with nothing written — also when a use-case
// refuses half-way through the writes — dry runs, and the round trip: reports exported as CSV and as Excel, imported
// into an empty database, compared.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { DataImport, type ImportStage } from '../../src/app/data-import/import.js';
import { reportsInForce } from '../../src/app/data-import/export.js';
import { ImportRefusedError, formatProblem } from '../../src/app/data-import/problems.js';
import { jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry } from '../../src/app/registry.js';
import { RefusedError } from '../../src/domain/errors.js';
import { systemActor, type Actor } from '../../src/domain/access/roles.js';
import { convertReport, type LineInput } from '../../src/domain/mrv/conversion.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';
import { stateFingerprint } from '../http/support/api-fixture.js';
import { person } from '../support/access-fixture.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { csv, editWorkbook } from '../fixtures/import/files.js';

const J = 'TOKYO';
const CLOCK = (): Date => new Date('2026-05-01T00:00:00.000Z');
const SYSTEM = systemActor('test-import');
const program = tokyoProgram();

const FACILITIES = csv([
  ['code', 'name', 'owner', 'category', 'use_type', 'floor_area_m2', 'declared_energy', 'status', 'status_from_fiscal_year', 'status_reason'],
  ['T-001', 'Marunouchi Test Building', 'Test Estate KK', 'I-1', 'office', '52000', 'FY2007=2000;FY2008=2100;FY2009=2200', '', '', ''],
  ['T-002', 'Koto Test Works', 'Test Manufacturing KK', 'II', 'factory', '', '', 'specified', '2002', 'specified since the base-year window (former system)'],
  ['T-003', 'Shibuya "Small" Office, Annex', 'Test Estate KK', 'I-1', 'office', '', '', '', '', ''],
  ['T-004', '新宿テストビル', 'テスト不動産株式会社', 'I-2', 'office', '', '', 'designated', '2010', ''],
]);

/** T-002's history (base-year window and period 1), and T-004's FY2010–FY2011: one row per line. */
const HISTORY: (string | number)[][] = [['facility_code', 'fiscal_year', 'kind', 'source', 'quantity', 'unit', 't_co2_per_unit']];
for (const fy of [2002, 2003, 2004, 2005, 2006, 2007, 2010, 2011, 2012]) {
  HISTORY.push(['T-002', fy, 'energy', 'electricity_grid', `${8000 + fy}.125`, 'MWh', ''], ['T-002', fy, 'energy', 'city_gas', `${300 + (fy % 7)}.5`, 'thousand_Nm3', ''], ['T-002', fy, 'other_gas', 'CH4', '1.25', 't_CO2e', '']);
}
for (const fy of [2010, 2011]) HISTORY.push(['T-004', fy, '', 'district_heat', '12000', 'GJ', ''], ['T-004', fy, '', 'electricity_grid', '900.5', 'MWh', '']);

async function refusedWith(action: () => Promise<unknown>): Promise<ImportRefusedError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ImportRefusedError) return error;
    throw error;
  }
  assert.fail('expected the file to be refused');
}

/** The template of `facility` and `fiscalYear` with these lines typed into it. */
async function filledTemplate(data: DataImport, facility: string, fiscalYear: number, lines: readonly (readonly (string | number | null)[])[]): Promise<Buffer> {
  const t = await data.template(SYSTEM, J, facility, fiscalYear);
  return editWorkbook(t.bytes, (wb) => {
    const ws = wb.getWorksheet('Lines')!;
    for (let r = 7; r < 7 + 200; r++) for (let c = 1; c <= 5; c++) ws.getCell(r, c).value = null;
    lines.forEach((line, i) => {
      line.forEach((v, c) => {
        if (v !== null) ws.getCell(7 + i, c + 1).value = v;
      });
    });
  });
}

for (const engine of testEngines()) {
  describe(`data import on ${engine.name}`, () => {
    let t: TestDatabase;
    let data: DataImport;

    before(async () => {
      t = await engine.create();
      await jurisdictionForProgram(new Registry(t.db), program, { now: new Date('2009-10-01T00:00:00Z') });
      data = new DataImport(t.db, { clock: CLOCK });
    });
    after(async () => t.drop());

    it('registers facilities from a file through the use-case: accounts, designation from declared energy, status decisions', async () => {
      const stages = new Set<ImportStage>();
      const r = await data.importFacilities(SYSTEM, J, FACILITIES, { onProgress: (s) => stages.add(s) });
      assert.deepEqual([...stages], ['reading', 'checking', 'writing']);
      assert.equal(r.facilities, 4);
      assert.equal(r.statusDecisions, 2);
      assert.deepEqual(r.items.map((i) => [i.code, i.status]), [['T-001', 'specified'], ['T-002', 'specified'], ['T-003', 'registered'], ['T-004', 'designated']]);
      assert.ok(r.items.every((i) => /^TOKYO-\d+-\d+$/.test(i.accountNumber ?? '')), 'each has its compliance account');
      const t3 = await data.service.facility(SYSTEM, J, 'T-003');
      assert.equal(t3.name, 'Shibuya "Small" Office, Annex');
      const t2 = await data.service.facility(SYSTEM, J, 'T-002');
      assert.deepEqual(t2.statusHistory.map((h) => [h.fiscalYear, h.status, h.reason]), [[2002, 'specified', 'specified since the base-year window (former system)']]);
      assert.equal((await data.service.facility(SYSTEM, J, 'T-004')).owner, 'テスト不動産株式会社');
      const audit = await t.db.kysely.selectFrom('audit_events').select('action').where('action', 'in', ['facility.register', 'facility.designate']).execute();
      assert.equal(audit.length, 6, 'four registrations and two decisions, each audited');
    });

    it('refuses a facilities file listing every problem, codes already registered included; nothing is written', async () => {
      const before = await stateFingerprint(t.db);
      const bad = csv([
        ['code', 'name', 'owner', 'category', 'use_type'],
        ['T-001', 'Again', 'Owner', 'I-1', 'office'],
        ['T-009', 'New', 'Owner', 'I-1', 'office'],
        ['T-009', 'Twice', 'Owner', 'I-1', 'office'],
        ['T-010', 'Bad', 'Owner', 'X', 'office'],
      ]);
      const e = await refusedWith(() => data.importFacilities(SYSTEM, J, bad));
      assert.deepEqual(e.problems.map((p) => [p.code, p.cell]), [['DUPLICATE_FACILITY', 'A4'], ['UNKNOWN_CATEGORY', 'D5'], ['FACILITY_CODE_TAKEN', 'A2']]);
      const taken = await refusedWith(() => data.importFacilities(SYSTEM, J, csv([['code', 'name', 'owner', 'category', 'use_type'], ['T-009', 'New', 'Owner', 'I-1', 'office'], ['T-001', 'Again', 'Owner', 'I-1', 'office'], ['T-002', 'Again', 'Owner', 'II', 'factory']])));
      assert.deepEqual(taken.problems.map(formatProblem), ['A3 "T-001": facility T-001 is already registered (FACILITY_CODE_TAKEN)', 'A4 "T-002": facility T-002 is already registered (FACILITY_CODE_TAKEN)']);
      assert.equal(await stateFingerprint(t.db), before);
    });

    it('writes the report template with its header block, drop-down lists and instructions in English and Japanese', async () => {
      const tpl = await data.template(SYSTEM, J, 'T-001', 2016);
      assert.equal(tpl.fileName, 'report-TOKYO-T-001-FY2016.xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(tpl.bytes.buffer.slice(tpl.bytes.byteOffset, tpl.bytes.byteOffset + tpl.bytes.byteLength) as ArrayBuffer);
      const lines = wb.getWorksheet('Lines')!;
      assert.deepEqual([lines.getCell('A2').value, lines.getCell('B2').value, lines.getCell('A3').value, lines.getCell('B3').value, lines.getCell('A4').value, lines.getCell('B4').value], ['jurisdiction', 'TOKYO', 'facility_code', 'T-001', 'fiscal_year', 2016]);
      assert.deepEqual([1, 2, 3, 4, 5].map((c) => lines.getCell(6, c).value), ['kind', 'source', 'quantity', 'unit', 't_co2_per_unit']);
      assert.equal(lines.getCell('B7').dataValidation.type, 'list');
      assert.deepEqual(lines.getCell('B206').dataValidation.formulae, ['Lists!$A$2:$A$14']);
      assert.equal(lines.getCell('C7').dataValidation.type, 'decimal');
      const lists = wb.getWorksheet('Lists')!;
      assert.equal(lists.state, 'hidden');
      assert.deepEqual(Array.from({ length: 6 }, (_, i) => lists.getCell(i + 2, 1).value), ['electricity_grid', 'city_gas', 'heavy_oil_a', 'kerosene', 'lpg', 'district_heat']);
      const text = (ws: ExcelJS.Worksheet): string => {
        const out: string[] = [];
        ws.eachRow((row) => { row.eachCell((c) => out.push(c.text)); });
        return out.join('\n');
      };
      const instructions = text(wb.getWorksheet('Instructions')!);
      assert.match(instructions, /How to fill in this report/);
      assert.match(instructions, /記入方法/);
      assert.match(instructions, /program factor 0\.489 t-CO2\/MWh/);
      // Period 4: grid electricity needs the supplier's factor.
      const p4 = new ExcelJS.Workbook();
      const b4 = (await data.template(SYSTEM, J, 'T-001', 2025)).bytes;
      await p4.xlsx.load(b4.buffer.slice(b4.byteOffset, b4.byteOffset + b4.byteLength) as ArrayBuffer);
      assert.match(text(p4.getWorksheet('Instructions')!), /electricity_grid\nGrid electricity\nMWh\nsupplier's published factor required/);
      await assert.rejects(data.template(SYSTEM, J, 'T-001', 2009), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'FISCAL_YEAR_OUTSIDE_PROGRAM');
      await assert.rejects(data.template(SYSTEM, J, 'NOPE', 2016), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'UNKNOWN_FACILITY');
    });

    it('a filled template becomes a draft through the reporting use-cases; again, its lines are replaced; once returned, it is corrected', async () => {
      const lines = [['energy', 'electricity_grid', 12345.678, 'MWh', null], [null, 'city_gas', '1000', 'thousand_Nm3', null], ['other_gas', 'CH4', 2, 't_CO2e', null]] as const;
      const first = await data.uploadReport(SYSTEM, J, 'T-001', await filledTemplate(data, 'T-001', 2016, lines));
      assert.equal(first.layout, 'template');
      const [created] = first.items;
      assert.deepEqual([created?.action, created?.status, created?.version, created?.lines], ['created', 'draft', 1, 3]);
      const expected: LineInput[] = [
        { kind: 'energy', source: 'electricity_grid', quantity: '12345.678', unit: 'MWh' },
        { kind: 'energy', source: 'city_gas', quantity: '1000', unit: 'thousand_Nm3' },
        { kind: 'other_gas', source: 'CH4', quantity: '2', unit: 't_CO2e' },
      ];
      const converted = convertReport(program, 2016, expected);
      assert.ok(converted.ok);
      const view = await data.service.report(SYSTEM, J, created!.reportId);
      assert.deepEqual(view.lines.map((l) => ({ kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit })), expected);
      assert.equal(view.emissionsKg, converted.value.totals.energyCo2Kg);
      assert.equal(view.coeL, converted.value.totals.coeL);

      // The template of the year now comes filled with the draft's lines.
      const refilled = await editWorkbook((await data.template(SYSTEM, J, 'T-001', 2016)).bytes, (wb) => {
        const ws = wb.getWorksheet('Lines')!;
        assert.equal(ws.getCell('C7').value, '12345.678');
        ws.getCell('C8').value = 1100;
      });
      const second = await data.uploadReport(SYSTEM, J, 'T-001', refilled);
      assert.deepEqual([second.items[0]?.action, second.items[0]?.reportId, second.items[0]?.version], ['updated', created!.reportId, 1]);

      // Submitted: the upload is refused at the year's cell, nothing written.
      await data.service.submit(SYSTEM, J, created!.reportId);
      const before = await stateFingerprint(t.db);
      const e = await refusedWith(() => data.uploadReport(SYSTEM, J, 'T-001', refilled));
      assert.deepEqual(e.problems.map((p) => [p.code, p.sheet, p.cell]), [['OPEN_REPORT_EXISTS', 'Lines', 'B4']]);
      assert.equal(await stateFingerprint(t.db), before);

      // Returned: the upload is the correction, a new draft version.
      await data.service.returnReport(SYSTEM, J, created!.reportId, 'the gas figure is the previous year\'s');
      const third = await data.uploadReport(SYSTEM, J, 'T-001', refilled);
      assert.deepEqual([third.items[0]?.action, third.items[0]?.version, third.items[0]?.status], ['corrected', 2, 'draft']);
    });

    it('an upload is for its own facility and one year, and the template names its jurisdiction', async () => {
      const other = await filledTemplate(data, 'T-004', 2016, [[null, 'city_gas', 1, 'thousand_Nm3', null]]);
      const e = await refusedWith(() => data.uploadReport(SYSTEM, J, 'T-001', other));
      assert.deepEqual(e.problems.map((p) => [p.code, p.cell]), [['FACILITY_MISMATCH', 'B3']]);
      const elsewhere = await editWorkbook(other, (wb) => { wb.getWorksheet('Lines')!.getCell('B2').value = 'SAITAMA'; });
      const e2 = await refusedWith(() => data.uploadReport(SYSTEM, J, 'T-004', elsewhere));
      assert.deepEqual(e2.problems.map((p) => [p.code, p.cell]), [['JURISDICTION_MISMATCH', 'B2']]);
      const two = csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['T-004', '2016', 'city_gas', '1', 'thousand_Nm3'], ['T-004', '2017', 'city_gas', '1', 'thousand_Nm3']]);
      const e3 = await refusedWith(() => data.uploadReport(SYSTEM, J, 'T-004', two));
      assert.deepEqual(e3.problems.map((p) => [p.code, p.cell]), [['MULTIPLE_REPORTS', 'A3']]);
    });

    it('imports accepted history as the reporting use-cases store it; the base year can then be chosen from it', async () => {
      const r = await data.importReports(SYSTEM, J, csv(HISTORY), 'accepted');
      assert.equal(r.reports, 11);
      assert.equal(r.lines, 31);
      assert.ok(r.items.every((i) => i.status === 'accepted' && i.version === 1 && i.action === 'accepted'));
      const fy2005 = r.items.find((i) => i.facility === 'T-002' && i.fiscalYear === 2005)!;
      const lines = HISTORY.filter((h) => h[0] === 'T-002' && h[1] === 2005).map((h): LineInput => ({ kind: h[2] === 'other_gas' ? 'other_gas' : 'energy', source: String(h[3]), quantity: String(h[4]), unit: String(h[5]) }));
      const converted = convertReport(program, 2005, lines);
      assert.ok(converted.ok);
      const stored = await data.service.report(SYSTEM, J, fy2005.reportId);
      assert.equal(stored.emissionsKg, converted.value.totals.energyCo2Kg);
      assert.equal(stored.otherGasCo2eKg, converted.value.totals.otherGasCo2eKg);
      assert.deepEqual(stored.lines.map((l) => [l.lineNo, l.coeL, l.co2Kg]), converted.value.lines.map((l) => [l.lineNo, l.coeL, l.co2Kg]));
      const audit = await t.db.kysely.selectFrom('audit_events').select(['object_id', 'after_json']).where('action', '=', 'report.import').execute();
      assert.equal(audit.length, 11);
      assert.match(audit.find((a) => a.object_id === fy2005.reportId)!.after_json ?? '', new RegExp(r.sha256));
      const base = await data.service.chooseBaseYear(SYSTEM, J, 'T-002', 2005, 2007);
      assert.equal(base.status, 'active');

      // The same file again: every facility-year already has a report — all listed, nothing written.
      const before = await stateFingerprint(t.db);
      const again = await refusedWith(() => data.importReports(SYSTEM, J, csv(HISTORY), 'accepted'));
      assert.equal(again.problems.length, 11);
      assert.ok(again.problems.every((p) => p.code === 'REPORT_EXISTS' && p.column === 'fiscal_year'));
      assert.equal(await stateFingerprint(t.db), before);
    });

    it('checks what the database knows for every report — unknown facilities, facilities not designated for the year — and writes nothing', async () => {
      const before = await stateFingerprint(t.db);
      const file = csv([
        ['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'],
        ['T-002', '2013', 'city_gas', '10', 'thousand_Nm3'],
        ['NOPE-1', '2013', 'city_gas', '10', 'thousand_Nm3'],
        ['T-003', '2013', 'city_gas', '10', 'thousand_Nm3'],
        ['T-004', '2005', 'city_gas', '10', 'thousand_Nm3'],
        ['T-002', '2014', 'city_gas', '10', 'thousand_Nm3'],
      ]);
      const e = await refusedWith(() => data.importReports(SYSTEM, J, file, 'accepted'));
      assert.deepEqual(e.problems.map(formatProblem), [
        'A3 "NOPE-1": no facility NOPE-1 is registered in this jurisdiction (UNKNOWN_FACILITY)',
        'A4 "T-003": facility T-003 is not designated for FY2013; only designated or specified facilities report (FACILITY_NOT_DESIGNATED)',
      ]);
      assert.match(e.refusal.message, /^The file was refused: 2 problems: A3 "NOPE-1"/);
      assert.equal(await stateFingerprint(t.db), before);
    });

    it('all or nothing: a draft import refused half-way (an operator of one facility, not of the next) writes nothing', async () => {
      const j = await data.service.jurisdiction(J);
      const t4 = await data.service.facility(SYSTEM, J, 'T-004');
      await data.access.grantRole(systemActor('setup'), { userId: 'op-t004', role: 'facility_operator', jurisdictionId: j.id, accountId: t4.accountId! });
      const operator: Actor = person('op-t004');
      const file = csv([
        ['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'],
        ['T-004', '2016', 'city_gas', '10', 'thousand_Nm3'],
        ['T-004', '2017', 'city_gas', '11', 'thousand_Nm3'],
        ['T-001', '2017', 'city_gas', '12', 'thousand_Nm3'],
      ]);
      const before = await stateFingerprint(t.db);
      await assert.rejects(data.importReports(operator, J, file, 'draft'), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'FORBIDDEN');
      assert.equal(await stateFingerprint(t.db), before, 'the drafts of T-004 were rolled back with the refusal');
      // Accepted history is the administrator's: an operator is refused before the file is read.
      await assert.rejects(data.importReports(operator, J, file, 'accepted'), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'FORBIDDEN');
      // The operator's own facility alone goes through, as drafts.
      const own = await data.importReports(operator, J, csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['T-004', '2016', 'city_gas', '10', 'thousand_Nm3'], ['T-004', '2017', 'city_gas', '11', 'thousand_Nm3']]), 'draft');
      assert.deepEqual(own.items.map((i) => [i.fiscalYear, i.action, i.status]), [[2016, 'created', 'draft'], [2017, 'created', 'draft']]);
      const audit = await t.db.kysely.selectFrom('audit_events').select('actor').where('action', '=', 'report.create').where('actor', '=', 'op-t004').execute();
      assert.equal(audit.length, 2, 'audited as the operator');
    });

    it('a dry run checks and writes everything, then rolls back', async () => {
      const before = await stateFingerprint(t.db);
      const file = csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['T-002', '2013', 'city_gas', '10', 'thousand_Nm3'], ['T-002', '2014', 'lpg', '3', 't']]);
      const dry = await data.importReports(SYSTEM, J, file, 'accepted', { dryRun: true });
      assert.equal(dry.dryRun, true);
      assert.deepEqual(dry.items.map((i) => [i.facility, i.fiscalYear, i.status]), [['T-002', 2013, 'accepted'], ['T-002', 2014, 'accepted']]);
      const facilities = await data.importFacilities(SYSTEM, J, csv([['code', 'name', 'owner', 'category', 'use_type'], ['T-100', 'Dry', 'Owner', 'I-1', 'office']]), { dryRun: true });
      assert.equal(facilities.facilities, 1);
      assert.equal(await stateFingerprint(t.db), before);
    });

    it('round trip: the reports exported as CSV and as Excel import into an empty database with the same figures', async () => {
      const source = await reportsInForce(t.db, (await data.service.jurisdiction(J)).id);
      assert.ok(source.length >= 14);
      for (const format of ['csv', 'xlsx'] as const) {
        const exported = await data.exportReports(SYSTEM, J, { format });
        assert.equal(exported.reports, source.length);
        const empty = await engine.create();
        try {
          await jurisdictionForProgram(new Registry(empty.db), program, { now: new Date('2009-10-01T00:00:00Z') });
          const target = new DataImport(empty.db, { clock: CLOCK });
          await target.importFacilities(SYSTEM, J, FACILITIES);
          // T-001's draft was registered from declared energy (specified from FY2010): its FY2016 history imports too.
          const r = await target.importReports(SYSTEM, J, exported.bytes, 'accepted');
          assert.equal(r.reports, source.length);
          const copy = await reportsInForce(empty.db, (await target.service.jurisdiction(J)).id);
          const figures = (rs: typeof source): unknown[] => rs.map((x) => [x.facilityCode, x.fiscalYear, x.coeL, x.emissionsKg, x.lines]);
          assert.deepEqual(figures(copy), figures(source), `${format}: same facilities, years, lines and figures`);
          // And out again: the same file.
          const again = await target.exportReports(SYSTEM, J, { format: 'csv' });
          if (format === 'csv') assert.deepEqual(again.bytes, exported.bytes);
        } finally {
          await empty.drop();
        }
      }
    });
  });
}
