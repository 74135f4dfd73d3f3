// The data commands, spawned as a user runs them (not on a terminal, so without a progress bar): facilities and
// reports imported from CSV, the report template written and uploaded back as a draft, a malformed file refused with
// every problem on stderr and exit 2 (nothing written), a 50 MB file refused by its size, a dry run, and the export
// read back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry } from '../../src/app/registry.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';
import { openDatabase } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { csv, editWorkbook } from '../fixtures/import/files.js';
import { expectExit } from './support.js';


describe('citycap import / report template / export', () => {
  let dir: string;
  let db: string;
  const file = (name: string): string => join(dir, name);
  const withDb = (...args: string[]): string[] => [...args, '--jurisdiction', 'TOKYO', '--db', db];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'citycap-data-cli-'));
    db = `sqlite:${join(dir, 'city.db')}`;
    const d = openDatabase(db);
    await migrateToLatest(d);
    await jurisdictionForProgram(new Registry(d), tokyoProgram(), { now: new Date('2009-10-01T00:00:00Z') });
    await d.close();
    writeFileSync(file('facilities.csv'), csv([
      ['code', 'name', 'owner', 'category', 'use_type', 'declared_energy', 'status', 'status_from_fiscal_year'],
      ['C-001', 'CLI Test Building', 'CLI KK', 'I-1', 'office', 'FY2007=2000;FY2008=2100;FY2009=2200', '', ''],
      ['C-002', 'CLI Test Works', 'CLI KK', 'II', 'factory', '', 'specified', '2002'],
    ]));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports facilities, then accepted history, and prints what it did; no progress bar off a terminal', async () => {
    const f = await expectExit(0, withDb('import', 'facilities', file('facilities.csv')));
    assert.equal(f.stdout.trim(), 'TOKYO: 2 facilities registered, 1 status decisions recorded');
    assert.equal(f.stderr, '');
    writeFileSync(file('history.csv'), csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['C-002', '2005', 'city_gas', '500', 'thousand_Nm3'], ['C-002', '2006', 'city_gas', '510', 'thousand_Nm3'], ['C-002', '2006', 'lpg', '2', 't']], { bom: true }));
    const dry = await expectExit(0, withDb('import', 'reports', file('history.csv'), '--dry-run'));
    assert.equal(dry.stdout.trim(), 'TOKYO: 2 reports (3 lines) would be imported as accepted (dry run: nothing written)');
    const r = await expectExit(0, withDb('import', 'reports', file('history.csv'), '--json'));
    const json = JSON.parse(r.stdout) as { mode: string; reports: number; items: { status: string; emissionsKg: string }[] };
    assert.deepEqual([json.mode, json.reports, json.items.map((i) => i.status)], ['accepted', 2, ['accepted', 'accepted']]);
    assert.match(json.items[0]!.emissionsKg, /^\d+$/);
    assert.equal(r.stderr, '');
  });

  it('refuses a malformed file listing every problem on stderr, exit 2, nothing written', async () => {
    writeFileSync(file('bad.csv'), csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['C-002', '2007', 'city_gas', '-5', 'thousand_Nm3'], ['C-002', '2007', 'coal', '1', 't'], ['C-009', '2007', 'lpg', '1', 'kg']]));
    const run = await expectExit(2, withDb('import', 'reports', file('bad.csv')));
    assert.equal(run.stdout, '');
    assert.deepEqual(run.stderr.trim().split('\n'), [
      `citycap: ${file('bad.csv')} was refused (4 problems); nothing was imported:`,
      '  D2 "-5": the quantity must not be negative (got -5) (NEGATIVE_QUANTITY)',
      '  C3 "coal": program tokyo has no energy source "coal" (sources: electricity_grid, city_gas, heavy_oil_a, kerosene, lpg, district_heat) (UNKNOWN_SOURCE)',
      '  E4 "kg": lpg is reported in t (got "kg") (UNIT_MISMATCH)',
      '  A4 "C-009": no facility C-009 is registered in this jurisdiction (UNKNOWN_FACILITY)',
    ]);
    const json = await expectExit(2, withDb('import', 'reports', file('bad.csv'), '--json'));
    assert.equal((JSON.parse(json.stdout) as { problems: unknown[] }).problems.length, 4);
    writeFileSync(file('huge.csv'), Buffer.alloc(50 * 1024 * 1024, 0x41));
    const huge = await expectExit(2, withDb('import', 'reports', file('huge.csv')));
    assert.match(huge.stderr, /FILE_TOO_LARGE/);
    assert.match(huge.stderr, /the file has 50 MB; files up to 20 MB are accepted/);
    const exported = await expectExit(0, withDb('export', 'reports', '--out', file('after.csv')));
    assert.equal(exported.stdout.trim(), `wrote ${file('after.csv')}: 2 reports`, 'still the two reports of the first import');
  });

  it('writes the report template; filled in, it comes back as a draft', async () => {
    const t = await expectExit(0, withDb('report', 'template', '--facility', 'C-001', '--year', '2016', '--out', file('c001.xlsx')));
    assert.equal(t.stdout.trim(), `wrote ${file('c001.xlsx')}: the report template of C-001 for FY2016`);
    const filled = await editWorkbook(readFileSync(file('c001.xlsx')), (wb) => {
      wb.getWorksheet('Lines')!.getRow(7).values = ['energy', 'electricity_grid', 1234.5, 'MWh'];
    });
    writeFileSync(file('c001-filled.xlsx'), filled);
    const up = await expectExit(0, withDb('import', 'reports', file('c001-filled.xlsx'), '--as', 'draft'));
    assert.equal(up.stdout.trim(), 'TOKYO: 1 reports (1 lines) were saved as drafts: 1 new drafts, 0 drafts updated, 0 corrections');
    await expectExit(2, withDb('report', 'template', '--facility', 'C-001', '--year', '2009', '--out', file('x.xlsx')));
  });

  it('exports the reports in force as CSV and Excel; the CSV is the import format', async () => {
    await expectExit(0, withDb('export', 'reports', '--out', file('all.csv')));
    assert.equal(
      readFileSync(file('all.csv'), 'utf8'),
      '\uFEFFfacility_code,fiscal_year,kind,source,quantity,unit,t_co2_per_unit\r\nC-001,2016,energy,electricity_grid,1234.5,MWh,\r\nC-002,2005,energy,city_gas,500,thousand_Nm3,\r\nC-002,2006,energy,city_gas,510,thousand_Nm3,\r\nC-002,2006,energy,lpg,2,t,\r\n',
    );
    const x = await expectExit(0, withDb('export', 'reports', '--facility', 'C-002', '--out', file('c002.xlsx')));
    assert.equal(x.stdout.trim(), `wrote ${file('c002.xlsx')}: 2 reports`);
    assert.equal(readFileSync(file('c002.xlsx')).subarray(0, 2).toString(), 'PK');
    await expectExit(2, withDb('export', 'reports', '--out', file('all.txt')));
  });
});
