// From rows of cells to typed reports and facilities, with every problem of the file listed (sheet, row, column,
// value, rule). Pure: the program in force is an argument, nothing is read from the database. The rules on report
// lines are the API's own (domain/mrv/conversion.ts: parseQuantity, convertReport), so a line accepted here converts
// exactly as it would through the report-lines API, and a line refused is refused with the API's code and message.
import type { LineInput, LineKind } from '../../domain/mrv/conversion.js';
import { LINE_KINDS, REPORT_LINES_MAX, convertReport, parseQuantity } from '../../domain/mrv/conversion.js';
import { FACILITY_STATUSES, type FacilityStatus } from '../../domain/mrv/designation.js';
import type { Refusal } from '../../domain/errors.js';
import type { ProgramDefinition } from '../../domain/program/schema.js';
import type { FacilityRegistration } from '../reporting-service.js';
import {
  FACILITIES_SHEET,
  FACILITY_COLUMNS,
  LINE_COLUMNS,
  REPORTS_SHEET,
  REPORT_COLUMNS,
  TEMPLATE,
  normalizeKey,
  readHeader,
  sheetNamed,
  type ColumnMap,
} from './formats.js';
import type { Cell, ParsedFile, Sheet, SheetRow } from './parse.js';
import { cellPlace, type Place, type ProblemList } from './problems.js';

export const FACILITY_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const FISCAL_YEAR = /^(?:FY)?(\d{4})$/i;
const WHOLE = /^\d{1,15}$/;
/** Text limits of the facilities use-case (FACILITY_LIMITS) and of the report-lines API's fields. */
const TEXT_MAX = 200;
const USE_TYPE_MAX = 64;
const REASON_MAX = 2000;
const SOURCE_MAX = 64;
const UNIT_MAX = 32;
const DECLARED_YEARS_MAX = 10;

/** One line of a report, where it is and what was written. */
export interface LineRow {
  readonly row: number;
  readonly line: LineInput;
  /** The text of each column as found (column key → text), for problems and duplicate checks. */
  readonly values: Readonly<Record<string, string>>;
}

/** One facility-year's lines, from consecutive rows. */
export interface ReportBlock {
  readonly sheet: string | null;
  readonly columns: ColumnMap;
  readonly facilityCode: string;
  readonly fiscalYear: number;
  readonly lines: readonly LineRow[];
  /** Where the facility code and the year are written: the template's header cells, or the first line's cells. */
  readonly facilityPlace: Place;
  readonly yearPlace: Place;
}

export interface ReportsFile {
  /** `template`: the report template (header block and a table of lines); `reports`: one row per line. */
  readonly layout: 'template' | 'reports';
  readonly reports: readonly ReportBlock[];
  readonly lineCount: number;
}

export interface FacilityRecord {
  readonly sheet: string | null;
  readonly row: number;
  readonly columns: ColumnMap;
  readonly input: FacilityRegistration;
  /** An authority decision to record after registration. */
  readonly status?: { readonly fiscalYear: number; readonly status: FacilityStatus; readonly reason: string };
}

// ---- reading cells --------------------------------------------------------------------------------------------

/** A row's cell by column key, with its place; typed cells that can never be data are reported here. */
class RowReader {
  constructor(
    private readonly sheet: string | null,
    private readonly row: SheetRow,
    private readonly columns: ColumnMap,
    private readonly problems: ProblemList,
  ) {}

  place(key: string): Place {
    const column = this.columns.get(key);
    return column === undefined ? { sheet: this.sheet, row: this.row.row, column: key, cell: null } : cellPlace(this.sheet, this.row.row, column, key);
  }

  cell(key: string): Cell | undefined {
    const column = this.columns.get(key);
    return column === undefined ? undefined : this.row.cells[column - 1];
  }

  /**
   * The cell's text (trimmed), or null when it cannot be used: a formula (never evaluated, its cached result not
   * trusted), an error value, or a kind the column does not take (dates, TRUE/FALSE).
   */
  text(key: string, accepts: 'text' | 'number' = 'text'): string | null {
    const cell = this.cell(key);
    if (cell === undefined) return '';
    if (typeof cell === 'string') return cell.trim();
    const place = this.place(key);
    switch (cell.kind) {
      case 'formula':
        this.problems.add(place, cell.text, 'FORMULA_CELL', 'the cell holds a formula; formulas are never evaluated: type the value itself');
        return null;
      case 'error':
        this.problems.add(place, cell.text, 'ERROR_CELL', 'the cell holds an error value; type the value itself');
        return null;
      case 'number':
        return cell.text;
      default:
        this.problems.add(place, cell.text, 'WRONG_CELL_TYPE', `a ${cell.kind === 'date' ? 'date' : 'TRUE/FALSE value'} is not ${accepts === 'number' ? 'a number' : 'text'} here`);
        return null;
    }
  }

  required(key: string, what: string, accepts: 'text' | 'number' = 'text'): string | null {
    const t = this.text(key, accepts);
    if (t === '') {
      this.problems.add(this.place(key), null, 'REQUIRED', `${what} is required`);
      return null;
    }
    return t;
  }

  tooLong(key: string, text: string, max: number): boolean {
    if (text.length <= max) return false;
    this.problems.add(this.place(key), text, 'TEXT_TOO_LONG', `at most ${max} characters (got ${text.length})`);
    return true;
  }
}

/** A fiscal year as written (2024, "2024", "FY2024"), or null after a problem. */
function fiscalYearOf(text: string, place: Place, problems: ProblemList): number | null {
  const m = FISCAL_YEAR.exec(text);
  const year = m === null ? NaN : Number(m[1]);
  if (!(year >= 1990 && year <= 2200)) {
    problems.add(place, text, 'FISCAL_YEAR_INVALID', 'a fiscal year is a whole year from 1990 to 2200, e.g. 2024');
    return null;
  }
  return year;
}

function facilityCodeOk(text: string, place: Place, problems: ProblemList): boolean {
  if (FACILITY_CODE.test(text)) return true;
  problems.add(place, text, 'CODE_INVALID', "a facility code is 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  return false;
}

// ---- reports --------------------------------------------------------------------------------------------------

/** A line read from a row; null fields after a problem. */
function lineOf(r: RowReader, row: number, problems: ProblemList): LineRow | null {
  const kindText = r.text('kind');
  const source = r.required('source', 'the energy source (or gas)');
  const quantity = r.required('quantity', 'the quantity', 'number');
  const unit = r.required('unit', 'the unit');
  const factor = r.text('t_co2_per_unit', 'number');
  let ok = kindText !== null && source !== null && quantity !== null && unit !== null && factor !== null;
  let kind: LineKind = 'energy';
  if (kindText !== null && kindText !== '') {
    const k = kindText.toLowerCase();
    if ((LINE_KINDS as readonly string[]).includes(k)) kind = k as LineKind;
    else {
      problems.add(r.place('kind'), kindText, 'LINE_KIND_INVALID', `a line is one of: ${LINE_KINDS.join(', ')} (empty means energy)`);
      ok = false;
    }
  }
  if (source !== null && r.tooLong('source', source, SOURCE_MAX)) ok = false;
  if (unit !== null && r.tooLong('unit', unit, UNIT_MAX)) ok = false;
  for (const [key, text] of [['quantity', quantity], ['t_co2_per_unit', factor]] as const) {
    if (text === null || text === '') continue;
    const q = parseQuantity(text, key);
    if (!q.ok) {
      problems.add(r.place(key), text, q.refusal.code, q.refusal.message.replace(/\.$/, ''));
      ok = false;
    }
  }
  if (!ok || source === null || quantity === null || unit === null) return null;
  const line: LineInput = factor === null || factor === '' ? { kind, source, quantity, unit } : { kind, source, quantity, unit, tCo2PerUnit: factor };
  return { row, line, values: { kind, source, quantity, unit, t_co2_per_unit: factor ?? '' } };
}

/** What a domain refusal about `lines[i].field` (or `fiscalYear` …) names in the file. */
const FIELD_COLUMNS: Readonly<Record<string, string>> = { kind: 'kind', source: 'source', quantity: 'quantity', unit: 'unit', tCo2PerUnit: 't_co2_per_unit' };

/** The place (and value) a refusal of the report-lines rules names, mapped from the API field to the file. */
export function placeOfRefusal(report: ReportBlock, r: Refusal, lineIndex: (i: number) => number = (i) => i): { place: Place; value: string | null } {
  const field = r.field ?? '';
  const m = /^lines\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (m !== null) {
    const line = report.lines[lineIndex(Number(m[1]))];
    const key = m[2] === undefined ? undefined : FIELD_COLUMNS[m[2]];
    if (line !== undefined) {
      if (key === undefined) return { place: { sheet: report.sheet, row: line.row, column: null, cell: null }, value: null };
      const column = report.columns.get(key);
      const place = column === undefined ? { sheet: report.sheet, row: line.row, column: key, cell: null } : cellPlace(report.sheet, line.row, column, key);
      return { place, value: line.values[key] === '' ? null : (line.values[key] ?? null) };
    }
  }
  if (field === 'lines') {
    const first = report.lines[0];
    return { place: { sheet: report.sheet, row: first?.row ?? null, column: null, cell: null }, value: null };
  }
  if (field === 'fiscalYear') return { place: report.yearPlace, value: String(report.fiscalYear) };
  return { place: report.facilityPlace, value: report.facilityCode };
}

/** Checks a report's lines with the API's conversion rules and adds what they refuse. */
function checkReport(report: ReportBlock, program: ProgramDefinition, problems: ProblemList): void {
  // In slices of a report's most lines, so that the lines of an over-long report are checked too (checkBlock
  // reports the length itself).
  for (let start = 0; start < report.lines.length; start += REPORT_LINES_MAX) {
    const converted = convertReport(program, report.fiscalYear, report.lines.slice(start, start + REPORT_LINES_MAX).map((l) => l.line));
    if (converted.ok) continue;
    for (const r of converted.refusals) {
      const { place, value } = placeOfRefusal(report, r, (i) => start + i);
      problems.add(place, value, r.code, r.message.replace(/\.$/, ''));
    }
  }
}

/** Identical rows inside one report, and more lines than a report has. */
function checkBlock(report: ReportBlock, problems: ProblemList): void {
  const seen = new Map<string, number>();
  for (const l of report.lines) {
    const key = JSON.stringify([l.values.kind, l.values.source, l.values.quantity, l.values.unit, l.values.t_co2_per_unit]);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.add({ sheet: report.sheet, row: l.row, column: null, cell: null }, null, 'DUPLICATE_ROW', `repeats row ${first} exactly; if two meters really read the same, add them up in one line`);
    } else seen.set(key, l.row);
  }
  const over = report.lines[REPORT_LINES_MAX];
  if (over !== undefined) {
    problems.add({ sheet: report.sheet, row: over.row, column: null, cell: null }, null, 'TOO_MANY_LINES', `${report.facilityCode} FY${report.fiscalYear} has ${report.lines.length} lines; a report has at most ${REPORT_LINES_MAX}`);
  }
}

/** The template's header block: key in column A (rows above the table), value in column B. */
function templateHeader(sheet: Sheet, keyRow: number): Map<string, { row: SheetRow; cell: Cell | undefined }> {
  const out = new Map<string, { row: SheetRow; cell: Cell | undefined }>();
  for (const row of sheet.rows) {
    if (row.row >= keyRow) break;
    const key = row.cells[0];
    if (typeof key === 'string') out.set(normalizeKey(key), { row, cell: row.cells[1] });
  }
  return out;
}

function readTemplate(sheet: Sheet, program: ProgramDefinition, jurisdictionCode: string, problems: ProblemList): ReportsFile {
  const name = sheet.name;
  const keyRow = sheet.rows.find((r) => r.row <= 20 && r.cells.some((c) => typeof c === 'string' && normalizeKey(c) === 'source') && r.cells.some((c) => typeof c === 'string' && normalizeKey(c) === 'quantity'));
  const columns = readHeader(sheet, keyRow, LINE_COLUMNS, problems);
  if (keyRow === undefined) return { layout: 'template', reports: [], lineCount: 0 };
  const header = templateHeader(sheet, keyRow.row);
  const headerValue = (key: string, row: number): { text: string | null; place: Place } => {
    const h = header.get(key);
    const place = cellPlace(name, h?.row.row ?? row, 2, key);
    if (h === undefined) {
      problems.add({ sheet: name, row, column: key, cell: `A${row}` }, null, 'TEMPLATE_HEADER', `the header block names ${key} in column A and its value in column B; download a new template`);
      return { text: null, place };
    }
    const reader = new RowReader(name, h.row, new Map([[key, 2]]), problems);
    const text = reader.required(key, key === 'fiscal_year' ? 'the fiscal year' : key === 'facility_code' ? 'the facility code' : 'the jurisdiction', key === 'fiscal_year' ? 'number' : 'text');
    return { text, place };
  };
  const j = headerValue('jurisdiction', TEMPLATE.jurisdictionRow);
  if (j.text !== null && j.text !== jurisdictionCode) {
    problems.add(j.place, j.text, 'JURISDICTION_MISMATCH', `this template is for ${j.text}, not ${jurisdictionCode}; download the template from this jurisdiction`);
  }
  const f = headerValue('facility_code', TEMPLATE.facilityRow);
  const y = headerValue('fiscal_year', TEMPLATE.fiscalYearRow);
  const facilityOk = f.text !== null && facilityCodeOk(f.text, f.place, problems);
  const year = y.text === null ? null : fiscalYearOf(y.text, y.place, problems);
  const lines: LineRow[] = [];
  let bad = false;
  for (const row of sheet.rows) {
    if (row.row <= keyRow.row) continue;
    const l = lineOf(new RowReader(name, row, columns, problems), row.row, problems);
    if (l === null) bad = true;
    else lines.push(l);
  }
  if (lines.length === 0 && !bad) {
    problems.add({ sheet: name, row: keyRow.row + 1, column: null, cell: null }, null, 'NO_LINES', 'the table of lines is empty: give at least one line');
  }
  if (!facilityOk || year === null || f.text === null) return { layout: 'template', reports: [], lineCount: lines.length };
  const report: ReportBlock = { sheet: name, columns, facilityCode: f.text, fiscalYear: year, lines, facilityPlace: f.place, yearPlace: y.place };
  checkBlock(report, problems);
  if (lines.length > 0) checkReport(report, program, problems);
  return { layout: 'template', reports: [report], lineCount: lines.length };
}

function readReportRows(sheet: Sheet, program: ProgramDefinition, problems: ProblemList): ReportsFile {
  const name = sheet.name;
  const [header, ...rows] = sheet.rows;
  const before = problems.count;
  const columns = readHeader(sheet, header, REPORT_COLUMNS, problems);
  if (problems.count > before) return { layout: 'reports', reports: [], lineCount: 0 };
  const reports: { block: ReportBlock & { lines: LineRow[] } }[] = [];
  /** facility-year → the rows its block spans. */
  const blocks = new Map<string, { first: number; last: number }>();
  let lineCount = 0;
  for (const row of rows) {
    const r = new RowReader(name, row, columns, problems);
    const code = r.required('facility_code', 'the facility code');
    const yearText = r.required('fiscal_year', 'the fiscal year', 'number');
    const codeOk = code !== null && facilityCodeOk(code, r.place('facility_code'), problems);
    const year = yearText === null ? null : fiscalYearOf(yearText, r.place('fiscal_year'), problems);
    const line = lineOf(r, row.row, problems);
    lineCount++;
    if (!codeOk || year === null) continue;
    const key = `${code}\u0000${year}`;
    const current = reports[reports.length - 1];
    const same = current !== undefined && current.block.facilityCode === code && current.block.fiscalYear === year;
    if (!same) {
      const earlier = blocks.get(key);
      if (earlier !== undefined) {
        problems.add(r.place('facility_code'), code, 'DUPLICATE_REPORT', `${code} FY${year} already has lines in rows ${earlier.first}–${earlier.last}; give each report once, its lines in consecutive rows`);
        continue;
      }
      reports.push({ block: { sheet: name, columns, facilityCode: code, fiscalYear: year, lines: [], facilityPlace: r.place('facility_code'), yearPlace: r.place('fiscal_year') } });
      blocks.set(key, { first: row.row, last: row.row });
    }
    const target = reports[reports.length - 1]!;
    blocks.get(key)!.last = row.row;
    if (line !== null) target.block.lines.push(line);
  }
  // Lines with problems of their own are left out of the report, so the conversion rules check the others.
  for (const { block } of reports) {
    checkBlock(block, problems);
    if (block.lines.length > 0) checkReport(block, program, problems);
  }
  if (rows.length === 0) problems.add({ sheet: name, row: (header?.row ?? 1) + 1, column: null, cell: null }, null, 'NO_LINES', 'the file has a header but no lines');
  return { layout: 'reports', reports: reports.map((r) => r.block), lineCount };
}

/**
 * The reports of a file: the report template (a workbook with a `Lines` sheet), or a reports file (CSV, or the
 * `Reports` sheet — else the first sheet — of a workbook). Every problem goes to `problems`.
 */
export function reportsFromFile(file: ParsedFile, program: ProgramDefinition, jurisdictionCode: string, problems: ProblemList): ReportsFile {
  if (file.format === 'xlsx') {
    const template = file.sheets.find((s) => s.name === TEMPLATE.linesSheet);
    if (template !== undefined) return readTemplate(template, program, jurisdictionCode, problems);
  }
  const sheet = sheetNamed(file.sheets, REPORTS_SHEET);
  if (sheet === undefined) {
    problems.add({ sheet: null, row: null, column: null, cell: null }, null, 'NO_SHEET', 'the workbook has no worksheet');
    return { layout: 'reports', reports: [], lineCount: 0 };
  }
  return readReportRows(sheet, program, problems);
}

// ---- facilities -----------------------------------------------------------------------------------------------

function optionalText(r: RowReader, key: string, max: number): string | undefined | null {
  const t = r.text(key);
  if (t === null) return null;
  if (t === '') return undefined;
  return r.tooLong(key, t, max) ? null : t;
}

/** `FY2007=2000;FY2008=2100` → declared energy, consecutive years oldest first. */
function declaredEnergyOf(text: string, place: Place, problems: ProblemList): { fiscalYear: number; coeKl: string }[] | null {
  const entries = text.split(/[;；\n]/).map((e) => e.trim()).filter((e) => e !== '');
  const out: { fiscalYear: number; coeKl: string }[] = [];
  const wrong = (message: string): null => {
    problems.add(place, text, 'DECLARED_ENERGY_INVALID', message);
    return null;
  };
  if (entries.length > DECLARED_YEARS_MAX) return wrong(`declare at most ${DECLARED_YEARS_MAX} fiscal years`);
  for (const e of entries) {
    const m = /^(?:FY)?(\d{4})\s*[=:]\s*(\S+)$/i.exec(e);
    if (m === null) return wrong(`write each year as FY<year>=<kL>, separated by ";" (e.g. FY2007=2000;FY2008=2100), not "${e}"`);
    const fiscalYear = Number(m[1]);
    if (fiscalYear < 1990 || fiscalYear > 2200) return wrong(`FY${fiscalYear} is not a fiscal year from 1990 to 2200`);
    const q = parseQuantity(m[2]!, 'coeKl');
    if (!q.ok) return wrong(`FY${fiscalYear}: ${q.refusal.message.replace(/\.$/, '')}`);
    const prev = out[out.length - 1];
    if (prev !== undefined && fiscalYear !== prev.fiscalYear + 1) return wrong('declared fiscal years are consecutive, oldest first');
    out.push({ fiscalYear, coeKl: m[2]! });
  }
  return out;
}

/**
 * The facilities of a file (CSV, or the `Facilities` sheet — else the first — of a workbook), checked against the
 * facilities use-case's rules and the program's categories. A code given twice is refused naming both rows.
 */
export function facilitiesFromFile(file: ParsedFile, program: ProgramDefinition, problems: ProblemList, reasonDefault: string): FacilityRecord[] {
  const sheet = sheetNamed(file.sheets, FACILITIES_SHEET);
  if (sheet === undefined) {
    problems.add({ sheet: null, row: null, column: null, cell: null }, null, 'NO_SHEET', 'the workbook has no worksheet');
    return [];
  }
  const name = sheet.name;
  const [header, ...rows] = sheet.rows;
  const before = problems.count;
  const columns = readHeader(sheet, header, FACILITY_COLUMNS, problems);
  if (problems.count > before) return [];
  if (rows.length === 0) problems.add({ sheet: name, row: (header?.row ?? 1) + 1, column: null, cell: null }, null, 'NO_ROWS', 'the file has a header but no facilities');
  const categories = program.categories.map((c) => c.code);
  const firstRowOf = new Map<string, number>();
  const out: FacilityRecord[] = [];
  for (const row of rows) {
    const r = new RowReader(name, row, columns, problems);
    let ok = true;
    const code = r.required('code', 'the facility code');
    if (code !== null) {
      if (!facilityCodeOk(code, r.place('code'), problems)) ok = false;
      const first = firstRowOf.get(code);
      if (first !== undefined) {
        problems.add(r.place('code'), code, 'DUPLICATE_FACILITY', `facility ${code} is already in row ${first}; give each facility once`);
        ok = false;
      } else firstRowOf.set(code, row.row);
    }
    const text = (key: string, what: string, max: number): string | null => {
      const t = r.required(key, what);
      if (t === null || r.tooLong(key, t, max)) {
        ok = false;
        return null;
      }
      return t;
    };
    const facilityName = text('name', 'the facility name', TEXT_MAX);
    const owner = text('owner', 'the owner', TEXT_MAX);
    const useType = text('use_type', 'the use type', USE_TYPE_MAX);
    const category = optionalText(r, 'category', 64);
    if (category === null) ok = false;
    else if (category === undefined && program.kind === 'obligation') {
      problems.add(r.place('category'), null, 'CATEGORY_REQUIRED', `program ${program.id} sets compliance factors by category; give one of: ${categories.join(', ')}`);
      ok = false;
    } else if (category !== undefined && !categories.includes(category)) {
      problems.add(r.place('category'), category, 'UNKNOWN_CATEGORY', `program ${program.id} has no category "${category}" (categories: ${categories.join(', ') || 'none'})`);
      ok = false;
    }
    const area = r.text('floor_area_m2', 'number');
    if (area === null) ok = false;
    else if (area !== '' && !WHOLE.test(area)) {
      problems.add(r.place('floor_area_m2'), area, 'NOT_WHOLE_NUMBER', 'the floor area is a whole number of m², not negative (no separators)');
      ok = false;
    }
    const address = optionalText(r, 'address', TEXT_MAX);
    const city = optionalText(r, 'city', TEXT_MAX);
    const country = optionalText(r, 'country', TEXT_MAX);
    if (address === null || city === null || country === null) ok = false;
    const declaredText = r.text('declared_energy');
    const declared = declaredText === null || declaredText === '' ? (declaredText === null ? null : []) : declaredEnergyOf(declaredText, r.place('declared_energy'), problems);
    if (declared === null) ok = false;
    const statusText = r.text('status');
    const fromText = r.text('status_from_fiscal_year', 'number');
    const reason = optionalText(r, 'status_reason', REASON_MAX);
    let status: FacilityRecord['status'];
    if (statusText === null || fromText === null || reason === null) ok = false;
    else if (statusText !== '' || fromText !== '') {
      const s = statusText.toLowerCase();
      if (!(FACILITY_STATUSES as readonly string[]).includes(s)) {
        problems.add(r.place('status'), statusText === '' ? null : statusText, statusText === '' ? 'REQUIRED' : 'STATUS_INVALID', `a status is one of: ${FACILITY_STATUSES.join(', ')}${statusText === '' ? ' (status_from_fiscal_year is given)' : ''}`);
        ok = false;
      }
      if (fromText === '') {
        problems.add(r.place('status_from_fiscal_year'), null, 'REQUIRED', 'the fiscal year the status applies from is required with a status');
        ok = false;
      }
      const from = fromText === '' ? null : fiscalYearOf(fromText, r.place('status_from_fiscal_year'), problems);
      if (from === null) ok = false;
      else status = { fiscalYear: from, status: s as FacilityStatus, reason: reason ?? reasonDefault };
    }
    if (!ok || code === null || facilityName === null || owner === null || useType === null || declared === null || category === null || address === null || city === null || country === null) continue;
    const input: FacilityRegistration = {
      code,
      name: facilityName,
      owner,
      useType,
      ...(category === undefined ? {} : { category }),
      ...(area === '' || area === null ? {} : { floorAreaM2: BigInt(area) }),
      ...(address === undefined ? {} : { address }),
      ...(city === undefined ? {} : { city }),
      ...(country === undefined ? {} : { country }),
      ...(declared.length === 0 ? {} : { declaredEnergy: declared }),
    };
    out.push({ sheet: name, row: row.row, columns, input, ...(status === undefined ? {} : { status }) });
  }
  return out;
}

/** The place of a facility row's column (for refusals the use-cases give while writing). */
export function facilityPlace(f: FacilityRecord, key: string): Place {
  const column = f.columns.get(key);
  return column === undefined ? { sheet: f.sheet, row: f.row, column: key, cell: null } : cellPlace(f.sheet, f.row, column, key);
}

