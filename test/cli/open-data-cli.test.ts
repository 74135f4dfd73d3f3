// `citycap export open-data` and `citycap export summary-pdf`, spawned as a user runs them, on both engines: every
// table written in every format with the same rows and the data dictionary; the transaction log delay taken from the
// environment; the PDF written the same byte for byte for the same --created-at; bad options and a missing font
// refused with a message that names what is wrong.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OPEN_DATA_TABLES, tableDef } from '../../src/app/open-data/dictionary.js';
import type { Cell } from '../../src/app/open-data/tables.js';
import { apiFixture, TOKYO } from '../http/support/api-fixture.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { asStrings, csvRows, jsonRows, LOG_CITY, logFixture, pdfInfo, readWorkbook } from '../app/open-data-support.js';
import { expectExit } from './support.js';


for (const engine of testEngines()) {
  describe(`citycap export (open data, summary PDF) on ${engine.name}`, () => {
    let t: TestDatabase;
    let dir: string;
    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      await logFixture(t.db);
      dir = mkdtempSync(join(tmpdir(), 'citycap-open-data-'));
    });
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      await t.drop();
    });

    it('writes every table as JSON, CSV and Excel with the same rows, and the data dictionary', async () => {
      const out = join(dir, 'tokyo');
      const run = await expectExit(0, ['export', 'open-data', '--jurisdiction', TOKYO, '--dir', out, '--json', '--db', t.url]);
      const report = JSON.parse(run.stdout) as { tables: { table: string; rows: number; files: string[] }[] };
      assert.deepEqual(report.tables.map((x) => x.table), OPEN_DATA_TABLES.map((x) => x.name));
      assert.deepEqual(readdirSync(out).sort(), ['dictionary.json', ...OPEN_DATA_TABLES.flatMap((x) => ['csv', 'json', 'xlsx'].map((f) => `${TOKYO}-${x.name}.${f}`))].sort());
      for (const written of report.tables) {
        const def = tableDef(written.table)!;
        const json = JSON.parse(readFileSync(join(out, `${TOKYO}-${def.name}.json`), 'utf8')) as { columns: string[]; rows: Record<string, Cell>[] };
        const rows = asStrings(jsonRows(def, json));
        assert.equal(rows.length, written.rows, `${def.name}: the count printed`);
        assert.deepEqual(csvRows(def, readFileSync(join(out, `${TOKYO}-${def.name}.csv`))), rows, `${def.name}.csv`);
        assert.deepEqual((await readWorkbook(readFileSync(join(out, `${TOKYO}-${def.name}.xlsx`)))).rows.map((r) => r.map((c) => c.value)), rows, `${def.name}.xlsx`);
      }
      const dictionary = JSON.parse(readFileSync(join(out, 'dictionary.json'), 'utf8')) as { tables: { name: string; columns: { name: string; ja: string }[] }[] };
      assert.deepEqual(dictionary.tables.map((x) => x.name), OPEN_DATA_TABLES.map((x) => x.name));
      assert.ok(dictionary.tables.every((x) => x.columns.every((c) => c.ja.length > 0)));
    });

    it('publishes the transaction log after the delay the environment sets, and refuses a malformed one naming the variable', async () => {
      const out = join(dir, 'log');
      const run = await expectExit(0, ['export', 'open-data', '--jurisdiction', LOG_CITY, '--dir', out, '--tables', 'transactions', '--formats', 'csv', '--json', '--db', t.url], { CITYCAP_TRANSACTION_LOG_DELAY_DAYS: '0' });
      assert.equal((JSON.parse(run.stdout) as { tables: { rows: number }[] }).tables[0]!.rows, 4);
      const bad = await expectExit(2, ['export', 'open-data', '--jurisdiction', LOG_CITY, '--dir', out, '--db', t.url], { CITYCAP_TRANSACTION_LOG_DELAY_DAYS: 'three years' });
      assert.match(bad.stderr, /CITYCAP_TRANSACTION_LOG_DELAY_DAYS must be a whole number of days/);
      // A jurisdiction without a program: the program's tables are skipped, said so, the others written.
      const skipped = await expectExit(0, ['export', 'open-data', '--jurisdiction', LOG_CITY, '--dir', out, '--formats', 'json', '--db', t.url]);
      assert.match(skipped.stdout, /summary .*not adopted a program/);
    });

    it('writes the annual summary PDF, the same bytes for the same --created-at', async () => {
      const a = join(dir, 'a.pdf');
      const b = join(dir, 'b.pdf');
      const args = (out: string) => ['export', 'summary-pdf', '--jurisdiction', TOKYO, '--facility', 'T-101', '--fiscal-year', '2022', '--out', out, '--created-at', '2026-05-01T09:00:00Z', '--db', t.url];
      const run = await expectExit(0, [...args(a), '--json']);
      const figures = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.deepEqual([figures.facility, figures.fiscalYear, figures.emissionsT, figures.baseT, figures.capT], ['T-101', 2022, '6000', '10000', '36500']);
      await expectExit(0, args(b));
      const pdf = readFileSync(a);
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.ok(pdf.equals(readFileSync(b)), 'deterministic for a given --created-at');
      const info = pdfInfo(pdf);
      assert.equal(info.CreationDate, 'D:20260501090000Z');
      assert.equal((JSON.parse(info.CitycapSummary!) as { capT: string }).capT, '36500');
    });

    it('refuses bad options naming them (exit 2), and a missing font with how to get one (exit 1)', async () => {
      const base = ['export', 'summary-pdf', '--jurisdiction', TOKYO, '--facility', 'T-101', '--out', join(dir, 'x.pdf'), '--db', t.url];
      assert.match((await expectExit(2, [...base, '--fiscal-year', '22'])).stderr, /--fiscal-year must be a year/);
      assert.match((await expectExit(2, [...base, '--fiscal-year', '2019'])).stderr, /--fiscal-year: Facility T-101 has no report for FY2019/);
      assert.match((await expectExit(2, [...base, '--fiscal-year', '2022', '--lang', 'de'])).stderr, /--lang must be one of: en, ja, both/);
      assert.match((await expectExit(2, ['export', 'summary-pdf', '--jurisdiction', TOKYO, '--facility', 'T-999', '--fiscal-year', '2022', '--out', join(dir, 'x.pdf'), '--db', t.url])).stderr, /--facility: No facility T-999/);
      assert.match((await expectExit(2, ['export', 'open-data', '--jurisdiction', 'NOWHERE', '--dir', dir, '--db', t.url])).stderr, /--jurisdiction: No jurisdiction NOWHERE/);
      assert.match((await expectExit(2, ['export', 'open-data', '--jurisdiction', TOKYO, '--dir', dir, '--formats', 'pdf', '--db', t.url])).stderr, /--formats: "pdf" is not one of: json, csv, xlsx/);
      const font = await expectExit(1, [...base, '--fiscal-year', '2022'], { CITYCAP_PDF_FONT: '/no/such/font.ttf' });
      assert.match(font.stderr, /CITYCAP_PDF_FONT names \/no\/such\/font\.ttf, which does not exist/);
    });
  });
}
