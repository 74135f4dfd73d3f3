// The file formats citycap reads and writes: the columns of a reports file (one row per report line, the fields the
// report-lines API takes, with the facility and fiscal year on every row), the report template's layout (a header
// block naming the facility and year above a table of lines) and the columns of a facilities file. Column names are
// the machine keys below (case and spaces do not matter); every column has English and Japanese labels for people.
import { columnLetters, type ProblemList } from './problems.js';
import { cellText, type Sheet, type SheetRow } from './parse.js';

export interface ColumnSpec {
  readonly key: string;
  readonly required: boolean;
  readonly en: string;
  readonly ja: string;
  /** What the column holds, for the instructions and docs. */
  readonly help: string;
}

const col = (key: string, required: boolean, en: string, ja: string, help: string): ColumnSpec => ({ key, required, en, ja, help });

/** The line fields, as the report-lines API takes them (`kind`, `source`, `quantity`, `unit`, `tCo2PerUnit`). */
export const LINE_COLUMNS: readonly ColumnSpec[] = [
  col('kind', false, 'Line kind', '区分', '`energy` (default when empty) or `other_gas`'),
  col('source', true, 'Energy source or gas', 'エネルギー種別・ガス', "the program's energy source code (city_gas, electricity_grid …) or, for other gases, the gas (CH4 …)"),
  col('quantity', true, 'Quantity', '使用量', 'a plain decimal number exactly as metered (1234.5; no thousands separators), not negative'),
  col('unit', true, 'Unit', '単位', "the source's unit (MWh, thousand_Nm3, kL, t, GJ); t_CO2e for other gases"),
  col('t_co2_per_unit', false, "Supplier's emission factor (t-CO2 per unit)", '事業者別排出係数 (t-CO2/単位)', "only where the program uses the supplier's published factor (Tokyo period 4 grid electricity and district heat); empty otherwise"),
];

/** A reports file: every row one report line, with its facility and fiscal year. */
export const REPORT_COLUMNS: readonly ColumnSpec[] = [
  col('facility_code', true, 'Facility code', '事業所番号', 'the facility code the authority registered (T-0001)'),
  col('fiscal_year', true, 'Fiscal year', '年度', 'the fiscal year, e.g. 2024 (FY2024 is read too)'),
  ...LINE_COLUMNS,
];

export const FACILITY_COLUMNS: readonly ColumnSpec[] = [
  col('code', true, 'Facility code', '事業所番号', "the authority's facility number: letters, digits, '.', '_' or '-', up to 64"),
  col('name', true, 'Facility name', '事業所名', 'up to 200 characters'),
  col('owner', true, 'Owner', '所有者', 'the holder of the facility (and of its compliance account), up to 200 characters'),
  col('category', false, 'Category', '区分', 'a category of the program (Tokyo: I-1, I-2, II); required in an obligation program'),
  col('use_type', true, 'Use type', '用途', 'office, factory, …, up to 64 characters'),
  col('floor_area_m2', false, 'Floor area (m²)', '延床面積 (m²)', 'a whole number'),
  col('address', false, 'Address', '所在地', 'up to 200 characters'),
  col('city', false, 'City', '市区町村', 'up to 200 characters'),
  col('country', false, 'Country', '国', 'up to 200 characters'),
  col('declared_energy', false, 'Declared energy use (crude-oil-equivalent kL)', '届出エネルギー使用量 (原油換算kL)', 'consecutive fiscal years, oldest first: FY2007=2000;FY2008=2100;FY2009=2200; the first designation follows from them'),
  col('status', false, 'Status decided by the authority', '指定状況', 'registered, designated, specified, exempted or withdrawn: recorded as the authority\'s decision (with status_from_fiscal_year)'),
  col('status_from_fiscal_year', false, 'Status from fiscal year', '適用開始年度', 'the fiscal year the status applies from (required with status)'),
  col('status_reason', false, 'Reason for the status', '理由', "the reason recorded with the status (default: 'recorded by bulk import')"),
];

// ---- the report template ---------------------------------------------------------------------------------------

export const TEMPLATE = {
  /** The sheet the template's lines are on; a workbook with this sheet is read as a template. */
  linesSheet: 'Lines',
  instructionsSheet: 'Instructions',
  listsSheet: 'Lists',
  /** Header block: key in column A, value in column B. */
  jurisdictionRow: 2,
  facilityRow: 3,
  fiscalYearRow: 4,
  labelRow: 5,
  keyRow: 6,
  firstLineRow: 7,
} as const;

/** The sheet a reports or facilities workbook is read from when it has it (else its first sheet). */
export const REPORTS_SHEET = 'Reports';
export const FACILITIES_SHEET = 'Facilities';

/** A header key as written: trimmed, lower case, spaces and hyphens as underscores. */
export function normalizeKey(text: string): string {
  return text.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/** Where each known column is: key → 1-based column number. */
export type ColumnMap = ReadonlyMap<string, number>;

/**
 * Reads a header row against a format: every column must be known, none twice, every required one present.
 * Problems name the header cell; returns the columns found.
 */
export function readHeader(sheet: Sheet, header: SheetRow | undefined, spec: readonly ColumnSpec[], problems: ProblemList): ColumnMap {
  const found = new Map<string, number>();
  const known = new Set(spec.map((c) => c.key));
  const name = sheet.name;
  const keys = spec.map((c) => c.key).join(', ');
  if (header === undefined) {
    problems.add({ sheet: name, row: null, column: null, cell: null }, null, 'NO_HEADER', `the ${name === null ? 'file' : 'sheet'} is empty; the first row names the columns: ${keys}`);
    return found;
  }
  header.cells.forEach((cell, i) => {
    if (cell === undefined) return;
    const column = i + 1;
    const place = { sheet: name, row: header.row, column: null, cell: `${columnLetters(column)}${header.row}` };
    const text = cellText(cell);
    if (typeof cell !== 'string') {
      problems.add(place, text, cell.kind === 'formula' ? 'FORMULA_CELL' : 'UNKNOWN_COLUMN', cell.kind === 'formula' ? 'a column name must be typed, not a formula' : `not a column of this format (columns: ${keys})`);
      return;
    }
    const key = normalizeKey(text);
    if (key === '') return;
    if (!known.has(key)) {
      problems.add(place, text, 'UNKNOWN_COLUMN', `not a column of this format (columns: ${keys})`);
      return;
    }
    const first = found.get(key);
    if (first !== undefined) {
      problems.add(place, text, 'DUPLICATE_COLUMN', `column ${key} is already column ${columnLetters(first)}`);
      return;
    }
    found.set(key, column);
  });
  for (const c of spec) {
    if (c.required && !found.has(c.key)) {
      problems.add({ sheet: name, row: header.row, column: c.key, cell: null }, null, 'MISSING_COLUMN', `the required column ${c.key} (${c.en} / ${c.ja}) is missing`);
    }
  }
  return found;
}

/** The sheet to read from a workbook: the one named `preferred` if there is one, else the first. */
export function sheetNamed(sheets: readonly Sheet[], preferred: string): Sheet | undefined {
  return sheets.find((s) => s.name === preferred) ?? sheets.find((s) => s.name?.toLowerCase() === preferred.toLowerCase()) ?? sheets[0];
}

/** Other greenhouse gases offered in the template's list (Tokyo's その他ガス); any gas code is accepted. */
export const OTHER_GASES: readonly string[] = ['CO2_non_energy', 'CH4', 'N2O', 'HFC', 'PFC', 'SF6', 'NF3'];

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';
