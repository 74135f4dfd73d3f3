// Reading an uploaded file into rows of cells, safely: the size is checked before anything is parsed, a CSV must be
// UTF-8 (decoded with a fatal decoder; a byte-order mark is fine), and an Excel file must be a plain .xlsx — its ZIP
// directory is read first, so that macro-enabled (.xlsm, vbaProject, Excel 4 macro sheets), binary (.xlsb) and
// legacy or password-protected (.xls, OLE) files are refused and a ZIP that would expand beyond a bound is never
// expanded. Formulas are never evaluated: a formula cell is returned as a formula (its cached result is not
// trusted), and validation refuses it.
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import type { Options as CsvOptions } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { FILE_PLACE, ImportRefusedError, cellPlace, refuseFile, type Problem } from './problems.js';

/** Largest file accepted (the HTTP routes' body limit is the same). */
export const FILE_BYTES_MAX = 20 * 1024 * 1024;
/** Data rows per sheet (every line of 100,000 reports of 2 lines fits; a bound on memory). */
export const ROWS_MAX = 250_000;
/** Columns read per row; a value further right is refused. */
export const COLUMNS_MAX = 64;
/** What the parts of an .xlsx may expand to, together, and how many parts it may have. */
const ZIP_EXPANDED_BYTES_MAX = 256 * 1024 * 1024;
const ZIP_ENTRIES_MAX = 10_000;
/** Rows read from the other sheets of a workbook beside the one imported (the template's instructions and lists). */
const OTHER_SHEETS_ROWS_MAX = 10_000;

export type FileFormat = 'csv' | 'xlsx';

/** A cell that is not plain text: what it holds, and the text it is read as. */
export interface TypedCell {
  readonly kind: 'number' | 'boolean' | 'date' | 'formula' | 'error';
  /** number: the value as a plain decimal; formula: `=A1*2`; date: ISO date; error: `#N/A`. */
  readonly text: string;
}

/** Plain text (a CSV field, an Excel text cell), or a typed cell. */
export type Cell = string | TypedCell;

export interface SheetRow {
  /** 1-based, as a spreadsheet shows it. */
  readonly row: number;
  /** cells[0] is column A; undefined: empty. */
  readonly cells: readonly (Cell | undefined)[];
}

export interface Sheet {
  /** The worksheet's name; null for a CSV file. */
  readonly name: string | null;
  /** The rows that hold anything, in order. */
  readonly rows: readonly SheetRow[];
}

export interface ParsedFile {
  readonly format: FileFormat;
  readonly sheets: readonly Sheet[];
}

export interface ReadOptions {
  /** Called now and then while rows are read (rows so far). */
  readonly onRows?: (rows: number) => void;
  /** Data rows allowed per sheet (default ROWS_MAX). */
  readonly rowsMax?: number;
}

export function cellText(cell: Cell | undefined): string {
  return cell === undefined ? '' : typeof cell === 'string' ? cell : cell.text;
}

/** Refuses a file larger than FILE_BYTES_MAX; callers check this before reading a file's bytes at all. */
export function checkFileSize(bytes: number): void {
  if (bytes > FILE_BYTES_MAX) {
    refuseFile('FILE_TOO_LARGE', `the file has ${mib(bytes)} MB; files up to ${mib(FILE_BYTES_MAX)} MB are accepted (split it into several files).`);
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Reads a CSV or .xlsx file (told apart by their content, not their name). Refusals are ImportRefusedError. */
export async function readSpreadsheet(input: Uint8Array, options: ReadOptions = {}): Promise<ParsedFile> {
  checkFileSize(input.byteLength);
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length === 0) refuseFile('EMPTY_FILE', 'the file is empty.');
  if (bytes.subarray(0, 8).equals(OLE_MAGIC)) {
    refuseFile('WORKBOOK_FORMAT', 'this is an Excel 97–2003 workbook (.xls) or a password-protected workbook; save it as "Excel Workbook (*.xlsx)" without a password / 「Excel ブック (*.xlsx)」としてパスワードなしで保存してください.');
  }
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) return { format: 'xlsx', sheets: await readXlsx(bytes, options) };
  return { format: 'csv', sheets: [readCsv(bytes, options)] };
}

// ---- CSV -------------------------------------------------------------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Ragged rows are kept (the header check names what is wrong); empty lines keep their row numbers. */
const CSV_OPTIONS: CsvOptions = { relax_column_count: true, skip_empty_lines: false };

function readCsv(bytes: Buffer, options: ReadOptions): Sheet {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    refuseFile('NOT_UTF8', 'the CSV file is UTF-16 ("Unicode text"); save it as "CSV UTF-8 (Comma delimited)" / 「CSV UTF-8 (コンマ区切り)」で保存してください.');
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes); // a UTF-8 byte-order mark is removed by the decoder
  } catch {
    const at = firstInvalidUtf8(bytes);
    const row = countLines(bytes, at);
    throw new ImportRefusedError([
      {
        sheet: null,
        row,
        column: null,
        cell: null,
        value: null,
        code: 'NOT_UTF8',
        message: `the CSV file is not UTF-8 (byte ${at + 1} in row ${row} is not valid UTF-8; Japanese Excel saves "CSV" as Shift_JIS). Save it as "CSV UTF-8 (Comma delimited)" / 「CSV UTF-8 (コンマ区切り)」で保存してください`,
      },
    ]);
  }
  if (text.includes('\u0000')) refuseFile('NOT_TEXT', 'the file holds NUL characters: it is not a CSV text file.');
  let records: string[][];
  try {
    records = parseCsv(text, CSV_OPTIONS);
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : null;
    const reason = error instanceof Error ? error.message.replace(/^[^:]*: /, '') : String(error);
    throw new ImportRefusedError([{ ...FILE_PLACE, row: line, value: null, code: 'CSV_MALFORMED', message: `the CSV cannot be read: ${reason}` }]);
  }
  const rowsMax = options.rowsMax ?? ROWS_MAX;
  if (records.length > rowsMax + 1) tooManyRows(null, rowsMax);
  const rows: SheetRow[] = [];
  const problems: Problem[] = [];
  records.forEach((record, i) => {
    if (record.every((f) => f.trim() === '')) return;
    const row = i + 1;
    const wide = record.findIndex((f, c) => c >= COLUMNS_MAX && f.trim() !== '');
    if (wide >= 0 && problems.length === 0) problems.push(tooWide(null, row, wide + 1));
    rows.push({ row, cells: record.slice(0, COLUMNS_MAX).map((f) => (f === '' ? undefined : f)) });
  });
  if (problems.length > 0) throw new ImportRefusedError(problems);
  options.onRows?.(rows.length);
  return { name: null, rows };
}

/** The offset of the first byte that is not part of a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong three-byte forms, surrogates, and code points beyond U+10FFFF.
    const c1 = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 >= 0xa0) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 >= 0x90)) return i;
    i += need + 1;
  }
  return bytes.length;
}

function countLines(bytes: Uint8Array, end: number): number {
  let n = 1;
  for (let i = 0; i < end && i < bytes.length; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

function tooManyRows(sheet: string | null, rowsMax: number): never {
  return refuseFile('TOO_MANY_ROWS', `${sheet === null ? 'the file' : `sheet ${sheet}`} has more than ${rowsMax.toLocaleString('en')} data rows; split it into several files.`);
}

function tooWide(sheet: string | null, row: number, column: number): Problem {
  return { ...cellPlace(sheet, row, column, null), value: null, code: 'TOO_MANY_COLUMNS', message: `a value beyond column ${COLUMNS_MAX}; only the columns of the format are read` };
}

// ---- .xlsx -----------------------------------------------------------------------------------------------------

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedBytes: number;
  readonly expandedBytes: number;
  readonly localOffset: number;
}

/** The entries of a ZIP's central directory, or null when it cannot be read (truncated, not a ZIP, ZIP64). */
export function zipEntries(buf: Buffer): ZipEntry[] | null {
  const EOCD = 0x06054b50;
  const CENTRAL = 0x02014b50;
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = buf.length - 22; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = buf.readUInt16LE(eocd + 10);
  const size = buf.readUInt32LE(eocd + 12);
  const offset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff || offset + size > buf.length) return null;
  const out: ZipEntry[] = [];
  let p = offset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) return null;
    const nameBytes = buf.readUInt16LE(p + 28);
    const extraBytes = buf.readUInt16LE(p + 30);
    const commentBytes = buf.readUInt16LE(p + 32);
    if (p + 46 + nameBytes > buf.length) return null;
    out.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameBytes),
      method: buf.readUInt16LE(p + 10),
      compressedBytes: buf.readUInt32LE(p + 20),
      expandedBytes: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameBytes + extraBytes + commentBytes;
  }
  return out;
}

/** One small entry's content (stored or deflated), bounded; null when it cannot be read. */
function zipEntryText(buf: Buffer, e: ZipEntry, bytesMax: number): string | null {
  const p = e.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) return null;
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const data = buf.subarray(start, start + e.compressedBytes);
  try {
    if (e.method === 0) return data.subarray(0, bytesMax).toString('utf8');
    if (e.method === 8) return inflateRawSync(data, { maxOutputLength: bytesMax }).toString('utf8');
  } catch {
    return null;
  }
  return null;
}

const NOT_A_WORKBOOK = 'the file is a ZIP archive but not a readable Excel workbook (.xlsx); save it from Excel as "Excel Workbook (*.xlsx)"';

/** Refuses what is not a plain .xlsx before ExcelJS sees it. */
function checkWorkbookParts(buf: Buffer): void {
  const entries = zipEntries(buf);
  if (entries === null) refuseFile('NOT_A_WORKBOOK', `${NOT_A_WORKBOOK} (its directory cannot be read; is the file complete?).`);
  if (entries.length > ZIP_ENTRIES_MAX) refuseFile('WORKBOOK_TOO_LARGE', `the workbook has ${entries.length} parts; at most ${ZIP_ENTRIES_MAX} are read.`);
  const expanded = entries.reduce((s, e) => s + e.expandedBytes, 0);
  if (expanded > ZIP_EXPANDED_BYTES_MAX || entries.some((e) => e.expandedBytes === 0xffffffff)) {
    refuseFile('WORKBOOK_TOO_LARGE', `the workbook expands to ${mib(expanded)} MB; at most ${mib(ZIP_EXPANDED_BYTES_MAX)} MB are read (split it into several files).`);
  }
  const names = entries.map((e) => e.name.toLowerCase());
  const macros = names.filter((n) => n.endsWith('vbaproject.bin') || n.startsWith('xl/macrosheets/') || n.startsWith('xl/dialogsheets/') || n.endsWith('vbadata.xml'));
  const types = entries.find((e) => e.name === '[Content_Types].xml');
  const typesText = types === undefined ? null : zipEntryText(buf, types, 1024 * 1024);
  if (macros.length > 0 || (typesText !== null && /macroEnabled/i.test(typesText))) {
    refuseFile('MACROS_REFUSED', 'the workbook contains macros (a macro-enabled .xlsm, VBA or Excel 4 macro sheets); macros are never run. Save it as "Excel Workbook (*.xlsx)" / 「Excel ブック (*.xlsx)」で保存してください.');
  }
  if (names.includes('xl/workbook.bin')) refuseFile('WORKBOOK_FORMAT', 'this is an Excel binary workbook (.xlsb); save it as "Excel Workbook (*.xlsx)".');
  if (!names.includes('xl/workbook.xml') || typesText === null) refuseFile('NOT_A_WORKBOOK', `${NOT_A_WORKBOOK}.`);
  // The directory's sizes could lie: each part is inflated once, bounded by the size it declares, before ExcelJS
  // reads it (a part that expands further is refused, so the 256 MB bound holds for what is actually read).
  for (const e of entries) {
    if (e.method === 0) continue;
    const p = e.localOffset;
    if (e.method !== 8 || p + 30 > buf.length || buf.readUInt32LE(p) !== 0x04034b50) refuseFile('NOT_A_WORKBOOK', `${NOT_A_WORKBOOK} (part ${e.name.slice(0, 80)} cannot be read).`);
    const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
    try {
      inflateRawSync(buf.subarray(start, start + e.compressedBytes), { maxOutputLength: Math.max(e.expandedBytes, 1) });
    } catch {
      refuseFile('WORKBOOK_TOO_LARGE', `part ${e.name.slice(0, 80)} of the workbook expands beyond the size it declares, or is damaged; save the workbook again from Excel.`);
    }
  }
}

const ValueType = ExcelJS.ValueType;

function typedCell(cell: ExcelJS.Cell): Cell | undefined {
  const v = cell.value;
  if (v === null || v === undefined) return undefined;
  switch (cell.type) {
    case ValueType.Formula: {
      const f = (v as { formula?: string; sharedFormula?: string }).formula ?? (v as { sharedFormula?: string }).sharedFormula ?? '';
      return { kind: 'formula', text: `=${f}` };
    }
    case ValueType.Number:
      return { kind: 'number', text: decimalText(v as number) };
    case ValueType.Boolean:
      return { kind: 'boolean', text: v === true ? 'TRUE' : 'FALSE' };
    case ValueType.Date:
      return { kind: 'date', text: v instanceof Date ? v.toISOString().slice(0, 10) : cell.text };
    case ValueType.Error:
      return { kind: 'error', text: (v as { error?: string }).error ?? '#ERROR' };
    case ValueType.RichText:
      return (v as ExcelJS.CellRichTextValue).richText.map((r) => r.text).join('');
    case ValueType.Hyperlink:
      return (v as ExcelJS.CellHyperlinkValue).text;
    default:
      if (typeof v === 'object' && ('formula' in v || 'sharedFormula' in v)) return { kind: 'formula', text: `=${String((v as { formula?: string }).formula ?? (v as { sharedFormula?: string }).sharedFormula)}` };
      return typeof v === 'string' ? (v === '' ? undefined : v) : cell.text;
  }
}

async function readXlsx(buf: Buffer, options: ReadOptions): Promise<Sheet[]> {
  checkWorkbookParts(buf);
  const rowsMax = options.rowsMax ?? ROWS_MAX;
  const sheets: Sheet[] = [];
  let total = 0;
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
    for await (const ws of reader) {
      const w = ws as unknown as { name?: string; id?: number } & AsyncIterable<ExcelJS.Row>;
      const name = typeof w.name === 'string' && w.name !== '' ? w.name : `Sheet${w.id ?? sheets.length + 1}`;
      const rows: SheetRow[] = [];
      let overflow: Problem | undefined;
      for await (const row of w) {
        const cells: (Cell | undefined)[] = [];
        row.eachCell({ includeEmpty: false }, (cell, column) => {
          const c = typedCell(cell);
          if (c === undefined) return;
          if (column > COLUMNS_MAX) {
            overflow ??= tooWide(name, row.number, column);
            return;
          }
          cells[column - 1] = c;
        });
        if (cells.every((c) => c === undefined || (typeof c === 'string' && c.trim() === ''))) continue;
        rows.push({ row: row.number, cells });
        if (rows.length > rowsMax + 1) tooManyRows(name, rowsMax);
        // All sheets together are bounded too (a workbook of many full sheets).
        if (++total > rowsMax + OTHER_SHEETS_ROWS_MAX) tooManyRows(null, rowsMax + OTHER_SHEETS_ROWS_MAX);
        if (total % 5000 === 0) options.onRows?.(total);
      }
      if (overflow !== undefined) throw new ImportRefusedError([overflow]);
      sheets.push({ name, rows });
    }
  } catch (error) {
    if (error instanceof ImportRefusedError) throw error;
    refuseFile('NOT_A_WORKBOOK', `${NOT_A_WORKBOOK} (${error instanceof Error ? error.message.slice(0, 200) : String(error)}).`);
  }
  options.onRows?.(total);
  return sheets;
}

/** A JavaScript number as a plain decimal: 12345.678 → "12345.678", 1e-7 → "0.0000001" (no exponent). */
export function decimalText(n: number): string {
  const s = String(n);
  if (!Number.isFinite(n) || !/e/i.test(s)) return s;
  const [mantissa = '', exponent = '0'] = s.toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  const [whole = '', fraction = ''] = (negative ? mantissa.slice(1) : mantissa).split('.');
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  const body = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + body;
}
