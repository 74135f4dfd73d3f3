// Helpers for the open-data tests (app, HTTP and CLI): a small ledger whose transactions complete at known instants,
// readers for the three formats, and a minimal PDF reader (objects, document info, embedded fonts, page count, and
// the text of the pages decoded through the font's ToUnicode map, since pdfkit writes text as glyph ids).
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { Registry, txOrThrow } from '../../src/app/registry.js';
import type { Database } from '../../src/store/db.js';
import type { TableDef } from '../../src/app/open-data/dictionary.js';
import type { Cell } from '../../src/app/open-data/tables.js';

// ---- a ledger with transactions completed at known instants ------------------------------------------------------

export const LOG_CITY = 'LOGCITY';
const DAY = 86_400_000;

/** What must never appear in the public log: the people who acted, the keys they sent, the reason they wrote. */
export const PERSONAL = {
  proposer: 'user-0193-rep-yamada',
  approver: 'user-0193-rep-suzuki',
  admin: 'user-0193-admin-tanaka',
  idempotencyKeys: ['idem-issue-7f3a', 'idem-transfer-91bc', 'idem-rejected-44de', 'idem-surrender-0c11', 'idem-retire-5e20'],
  reason: 'Rejected: Taro Yamada called, wrong counterparty',
} as const;

export interface LogFixture {
  readonly jurisdictionId: string;
  /** Completion instants of the completed transactions, in journal order. */
  readonly completedAt: readonly Date[];
  readonly accounts: { readonly a: string; readonly b: string };
  readonly rejectedTxId: string;
}

/**
 * LOGCITY: an issuance (2020-01-10), a transfer proposed and approved by two representatives (completed 2020-06-01
 * 01:00), a transfer rejected with a reason (2021-03-01, never published), a surrender (2022-02-01) and a retirement
 * (2023-07-01), each completing at the registry's clock.
 */
export async function logFixture(db: Database): Promise<LogFixture> {
  let now = new Date('2019-12-01T00:00:00.000Z');
  const registry = new Registry(db, { clock: () => now });
  const j = await registry.createJurisdiction({ code: LOG_CITY, nameEn: 'Log City', nameJa: 'ログ市', timeZone: 'Asia/Tokyo', fyStartMonth: 4 });
  const a = await registry.openAccount({ jurisdictionId: j.id, type: 'facility_compliance', holder: 'Kaede Demo Manufacturing KK' });
  const b = await registry.openAccount({ jurisdictionId: j.id, type: 'general_holding', holder: 'Demo Carbon Trading KK' });
  const unit = await registry.createUnitType({ jurisdictionId: j.id, code: 'ERC-P1', kind: 'excess_reduction_credit', issuingJurisdiction: LOG_CITY, vintage: 1 });
  const [issueKey, transferKey, rejectedKey, surrenderKey, retireKey] = PERSONAL.idempotencyKeys;
  const completedAt: Date[] = [];

  now = new Date('2020-01-10T00:00:00.000Z');
  txOrThrow(await registry.submit(j.id, { type: 'issuance', toAccountId: a.id, unitTypeId: unit.id, quantityT: 1000n }, { idempotencyKey: issueKey, actor: PERSONAL.admin, execute: true }));
  completedAt.push(now);

  now = new Date('2020-06-01T00:00:00.000Z');
  const transfer = txOrThrow(await registry.submit(j.id, { type: 'transfer', fromAccountId: a.id, toAccountId: b.id, unitTypeId: unit.id, quantityT: 200n }, { idempotencyKey: transferKey, actor: PERSONAL.proposer }));
  now = new Date('2020-06-01T01:00:00.000Z');
  txOrThrow(await registry.approve(j.id, transfer.id, PERSONAL.approver));
  txOrThrow(await registry.complete(j.id, transfer.id));
  completedAt.push(now);

  now = new Date('2021-03-01T00:00:00.000Z');
  const rejected = txOrThrow(await registry.submit(j.id, { type: 'transfer', fromAccountId: b.id, toAccountId: a.id, unitTypeId: unit.id, quantityT: 50n }, { idempotencyKey: rejectedKey, actor: PERSONAL.proposer }));
  txOrThrow(await registry.reject(j.id, rejected.id, PERSONAL.approver, PERSONAL.reason));

  now = new Date('2022-02-01T00:00:00.000Z');
  txOrThrow(await registry.submit(j.id, { type: 'surrender', fromAccountId: a.id, unitTypeId: unit.id, quantityT: 100n }, { idempotencyKey: surrenderKey, actor: PERSONAL.proposer, execute: true }));
  completedAt.push(now);

  now = new Date('2023-07-01T00:00:00.000Z');
  txOrThrow(await registry.submit(j.id, { type: 'retirement', fromAccountId: b.id, unitTypeId: unit.id, quantityT: 10n }, { idempotencyKey: retireKey, actor: PERSONAL.proposer, execute: true }));
  completedAt.push(now);

  return { jurisdictionId: j.id, completedAt, accounts: { a: a.number, b: b.number }, rejectedTxId: rejected.id };
}

export const THREE_YEARS_MS = 1095 * DAY;

/** Fails when any value of the rows is one of the personal strings (or contains one). */
export function assertNoPersonalData(values: readonly unknown[]): void {
  const secrets = [PERSONAL.proposer, PERSONAL.approver, PERSONAL.admin, ...PERSONAL.idempotencyKeys, PERSONAL.reason, 'Yamada'];
  for (const v of values) {
    if (typeof v !== 'string') continue;
    for (const s of secrets) assert.ok(!v.includes(s), `personal data "${s}" published in "${v}"`);
  }
}

// ---- the formats ------------------------------------------------------------------------------------------------

/** JSON-format rows as string cells (numbers written as JSON writes them), for comparing formats. */
export function asStrings(rows: readonly (readonly Cell[])[]): string[][] {
  return rows.map((r) => r.map((c) => (c === null ? '' : String(c))));
}

/** The rows of a JSON download in column order. */
export function jsonRows(def: TableDef, body: { columns: string[]; rows: Record<string, Cell>[] }): Cell[][] {
  assert.deepEqual(body.columns, def.columns.map((c) => c.name));
  return body.rows.map((r) => {
    assert.deepEqual(Object.keys(r), body.columns, 'every row object has exactly the columns, in order');
    return body.columns.map((c) => r[c] ?? null);
  });
}

/** A CSV download: BOM, header, rows (strings, '' for no value). */
export function csvRows(def: TableDef, bytes: Buffer): string[][] {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with the UTF-8 byte-order mark');
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(text.length === 0 || text.endsWith('\r\n'), 'CRLF line ends');
  const records: string[][] = parse(text);
  assert.deepEqual(records[0], def.columns.map((c) => c.name), 'header row of column names');
  return records.slice(1);
}

export interface Workbook {
  readonly sheets: string[];
  /** The data sheet: header and rows as [value, numeric?] pairs. */
  readonly header: string[];
  readonly rows: { value: string; numeric: boolean }[][];
  readonly dictionary: string[][];
  readonly about: string[][];
}

export async function readWorkbook(bytes: Buffer): Promise<Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheets = wb.worksheets.map((w) => w.name);
  const sheetRows = (w: ExcelJS.Worksheet, width: number): { value: string; numeric: boolean }[][] => {
    const out: { value: string; numeric: boolean }[][] = [];
    w.eachRow({ includeEmpty: true }, (row) => {
      const cells: { value: string; numeric: boolean }[] = [];
      for (let c = 1; c <= width; c++) {
        const cell = row.getCell(c);
        const v = cell.value;
        cells.push({ value: v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v), numeric: cell.type === ExcelJS.ValueType.Number });
      }
      out.push(cells);
    });
    return out;
  };
  const data = wb.worksheets[0]!;
  const width = data.getRow(1).cellCount;
  const all = sheetRows(data, width);
  const dict = wb.getWorksheet('dictionary');
  const about = wb.getWorksheet('about');
  return {
    sheets,
    header: all[0]?.map((c) => c.value) ?? [],
    rows: all.slice(1),
    dictionary: dict === undefined ? [] : sheetRows(dict, 6).map((r) => r.map((c) => c.value)),
    about: about === undefined ? [] : sheetRows(about, 2).map((r) => r.map((c) => c.value)),
  };
}

// ---- a minimal PDF reader -----------------------------------------------------------------------------------------

export interface PdfObject {
  readonly dict: string;
  readonly stream: Buffer | undefined;
}

/** Every `N 0 obj` of the file by number: its dictionary (or value) text and its raw stream. */
export function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const out = new Map<number, PdfObject>();
  const head = /(\d+) 0 obj\n/g;
  let m: RegExpExecArray | null;
  while ((m = head.exec(text)) !== null) {
    const start = m.index + m[0].length;
    const streamAt = text.indexOf('\nstream\n', start);
    const endAt = text.indexOf('\nendobj', start);
    if (streamAt !== -1 && streamAt < endAt) {
      const dict = text.slice(start, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
      const from = streamAt + '\nstream\n'.length;
      out.set(Number(m[1]), { dict, stream: pdf.subarray(from, from + length) });
      head.lastIndex = from + length;
    } else {
      out.set(Number(m[1]), { dict: text.slice(start, endAt), stream: undefined });
      head.lastIndex = endAt;
    }
  }
  return out;
}

/** A PDF literal string `( … )` (pdfkit: UTF-16BE with a BOM for non-ASCII text) or date, as text. */
function pdfString(literal: string): string {
  const inner = literal.trim().replace(/^\(/, '').replace(/\)$/, '');
  const bytes: number[] = [];
  for (let i = 0; i < inner.length; i++) {
    let ch = inner.charCodeAt(i);
    if (inner[i] === '\\') {
      const next = inner[++i]!;
      const escapes: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
      if (/[0-7]/.test(next)) {
        const oct = /^[0-7]{1,3}/.exec(inner.slice(i))![0];
        ch = parseInt(oct, 8);
        i += oct.length - 1;
      } else ch = escapes[next] ?? next.charCodeAt(0);
    }
    bytes.push(ch);
  }
  const buf = Buffer.from(bytes);
  if (buf[0] === 0xfe && buf[1] === 0xff) return buf.subarray(2).swap16().toString('utf16le');
  return buf.toString('latin1');
}

/** The document information dictionary, values resolved and decoded. */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const objects = pdfObjects(pdf);
  const text = pdf.toString('latin1');
  const trailer = text.slice(text.lastIndexOf('trailer'));
  const infoRef = /\/Info (\d+) 0 R/.exec(trailer)?.[1];
  assert.ok(infoRef !== undefined, 'the trailer names the document info');
  const dict = objects.get(Number(infoRef))!.dict;
  const out: Record<string, string> = {};
  for (const [, key, ref] of dict.matchAll(/\/(\w+) (\d+) 0 R/g)) out[key!] = pdfString(objects.get(Number(ref))!.dict);
  return out;
}

export function pdfPageCount(pdf: Buffer): number {
  const pages = [...pdfObjects(pdf).values()].find((o) => /\/Type \/Pages\b/.test(o.dict));
  assert.ok(pages !== undefined, 'a page tree');
  return Number(/\/Count (\d+)/.exec(pages.dict)?.[1]);
}

/** Embedded fonts: their FontName (with the subset tag) and the size of the embedded font file. */
export function pdfEmbeddedFonts(pdf: Buffer): { name: string; fontFileBytes: number }[] {
  const objects = pdfObjects(pdf);
  return [...objects.values()]
    .filter((o) => /\/Type \/FontDescriptor/.test(o.dict))
    .map((o) => {
      const ref = /\/FontFile[23]? (\d+) 0 R/.exec(o.dict)?.[1];
      return { name: /\/FontName \/(\S+)/.exec(o.dict)?.[1] ?? '', fontFileBytes: ref === undefined ? 0 : (objects.get(Number(ref))?.stream?.length ?? 0) };
    });
}

/** The text of every page, one line per text operation, decoded with the font's ToUnicode map. */
export function pdfText(pdf: Buffer): string {
  const objects = pdfObjects(pdf);
  const inflate = (o: PdfObject): string => (o.stream === undefined ? '' : (/\/FlateDecode/.test(o.dict) ? inflateSync(o.stream) : o.stream).toString('latin1'));
  const glyphs = new Map<number, string>();
  for (const o of objects.values()) {
    const body = inflate(o);
    if (!body.includes('begincmap')) continue;
    for (const [, start, , list] of body.matchAll(/<([0-9a-f]+)> <([0-9a-f]+)> \[([^\]]*)\]/g)) {
      [...list!.matchAll(/<([0-9a-f ]+)>/g)].forEach(([, units], i) => {
        const codes = units!.split(' ').map((u) => parseInt(u, 16));
        glyphs.set(parseInt(start!, 16) + i, String.fromCharCode(...codes));
      });
    }
  }
  const lines: string[] = [];
  for (const o of objects.values()) {
    const body = inflate(o);
    if (!body.includes(' TJ')) continue;
    for (const [, array] of body.matchAll(/\[([^\]]*)\] TJ/g)) {
      let line = '';
      for (const [, hex] of array!.matchAll(/<([0-9a-f]+)>/g)) for (let i = 0; i < hex!.length; i += 4) line += glyphs.get(parseInt(hex!.slice(i, i + 4), 16)) ?? '\uFFFD';
      lines.push(line);
    }
  }
  return lines.join('\n');
}
