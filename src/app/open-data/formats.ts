// The open-data formats, each written batch by batch from an OpenTable (tables.ts) so that memory stays bounded:
// - CSV: UTF-8 with a byte-order mark (so that Excel opens Japanese text correctly), RFC 4180 with CRLF and a header
//   row of the dictionary's column names; null is an empty field. Text cells that a spreadsheet would run as a formula
//   (starting with = + - @, a tab or a carriage return) get a leading apostrophe, as the audit export does.
// - JSON: one object { table, jurisdiction, generatedAt, meta, columns, rows }, rows as objects keyed by column name;
//   big integers as decimal strings, small numbers as numbers (the dictionary's `json` says which).
// - Excel (.xlsx): the table on the first sheet (header row, numbers as numeric cells, text as text — never formulas),
//   then the sheet "dictionary" (its columns with type, unit and descriptions in English and Japanese) and "about".
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { ColumnDef, Format, TableDef } from './dictionary.js';
import type { Cell, OpenTable, Row } from './tables.js';

export const CONTENT_TYPES: Readonly<Record<Format, string>> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export const UTF8_BOM = '\uFEFF';

/** `TOKYO-facilities.csv` */
export function fileNameOf(jurisdiction: string, table: string, format: Format): string {
  return `${jurisdiction}-${table}.${format}`;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV field: numbers as written, text defused when a spreadsheet would evaluate it. */
export function csvField(column: ColumnDef, value: Cell): string {
  if (value === null) return '';
  const s = String(value);
  return column.type === 'text' && FORMULA_START.test(s) ? `'${s}` : s;
}

export async function* csvChunks(table: OpenTable): AsyncGenerator<string> {
  const columns = table.def.columns;
  yield UTF8_BOM + stringify([columns.map((c) => c.name)], { record_delimiter: 'windows' });
  for await (const batch of table.batches()) {
    yield stringify(
      batch.map((row) => columns.map((c, i) => csvField(c, row[i] ?? null))),
      { record_delimiter: 'windows' },
    );
  }
}

/** A row as the JSON object of the dictionary's column names. */
export function rowObject(def: TableDef, row: Row): Record<string, Cell> {
  return Object.fromEntries(def.columns.map((c, i) => [c.name, row[i] ?? null]));
}

export async function* jsonChunks(table: OpenTable): AsyncGenerator<string> {
  const head = {
    table: table.def.name,
    jurisdiction: table.jurisdiction,
    generatedAt: table.generatedAt.toISOString(),
    meta: table.meta,
    columns: table.def.columns.map((c) => c.name),
  };
  yield `${JSON.stringify(head).slice(0, -1)},"rows":[`;
  let first = true;
  for await (const batch of table.batches()) {
    const parts = batch.map((row) => JSON.stringify(rowObject(table.def, row)));
    yield `${first ? '\n' : ',\n'}${parts.join(',\n')}`;
    first = false;
  }
  yield '\n]}\n';
}

/** An Excel cell value: numbers for numeric columns (text when beyond a double's exact integers), else text. */
export function xlsxValue(column: ColumnDef, value: Cell): string | number | null {
  if (value === null) return null;
  if (column.type === 'integer' || column.type === 'decimal') {
    const n = typeof value === 'number' ? value : Number(value);
    if (Number.isFinite(n) && (column.type === 'decimal' || Number.isSafeInteger(n))) return n;
    return String(value);
  }
  return String(value);
}

/** Column widths: wide enough for the header, bounded. */
function widthOf(c: ColumnDef): number {
  return Math.min(40, Math.max(10, c.name.length + 2, c.type === 'text' ? 16 : 12));
}

/**
 * Writes the workbook to `out`, batch by batch; waits for `out` to drain between batches, so a slow reader holds the
 * producer back instead of the rows piling up in memory. Resolves when the workbook is complete (out is ended).
 */
export async function writeXlsx(table: OpenTable, out: Writable): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'citycap';
  wb.created = table.generatedAt;
  wb.modified = table.generatedAt;
  const def = table.def;
  const sheet = wb.addWorksheet(def.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = def.columns.map((c) => ({ header: c.name, key: c.name, width: widthOf(c) }));
  sheet.getRow(1).font = { bold: true };
  for await (const batch of table.batches()) {
    for (const row of batch) sheet.addRow(def.columns.map((c, i) => xlsxValue(c, row[i] ?? null))).commit();
    if (out.writableNeedDrain) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
  sheet.commit();

  const dictionary = wb.addWorksheet('dictionary', { views: [{ state: 'frozen', ySplit: 1 }] });
  dictionary.columns = [
    { header: 'column', key: 'column', width: 26 },
    { header: 'type', key: 'type', width: 10 },
    { header: 'unit', key: 'unit', width: 10 },
    { header: 'nullable', key: 'nullable', width: 9 },
    { header: 'description', key: 'en', width: 70 },
    { header: '説明', key: 'ja', width: 70 },
  ];
  dictionary.getRow(1).font = { bold: true };
  for (const c of dictionaryRows(def)) dictionary.addRow(c).commit();
  dictionary.commit();

  const about = wb.addWorksheet('about');
  about.columns = [
    { header: 'item', key: 'k', width: 22 },
    { header: 'value', key: 'v', width: 100 },
  ];
  about.getRow(1).font = { bold: true };
  const facts: [string, string][] = [
    ['table', def.name],
    ['title', def.titleEn],
    ['表題', def.titleJa],
    ['description', def.descriptionEn],
    ['説明', def.descriptionJa],
    ['jurisdiction', table.jurisdiction],
    ['generated at (UTC)', table.generatedAt.toISOString()],
    ...Object.entries(table.meta).map(([k, v]): [string, string] => [k, String(v)]),
  ];
  for (const f of facts) about.addRow(f).commit();
  about.commit();
  await wb.commit();
}

/** The dictionary sheet's rows for a table: column, type, unit, nullable, English, Japanese. */
export function dictionaryRows(def: TableDef): (string | null)[][] {
  return def.columns.map((c) => [c.name, c.type, c.unit, c.nullable ? 'yes' : 'no', c.en, c.ja]);
}
