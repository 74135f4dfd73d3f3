// The report template: an Excel workbook for one facility and fiscal year. Sheet `Lines` has a header block
// (jurisdiction, facility code, fiscal year) and a table of report lines with drop-down lists of the program's
// energy sources, kinds and units; sheet `Instructions` explains it in English and Japanese with the factors that
// apply in that fiscal year; sheet `Lists` (hidden) holds the lists. Pure: everything comes in as arguments.
import ExcelJS from 'exceljs';
import { OTHER_GAS_UNIT, REPORT_LINES_MAX, reportingPeriod, type LineInput } from '../../domain/mrv/conversion.js';
import { RefusedError } from '../../domain/errors.js';
import type { ProgramDefinition } from '../../domain/program/schema.js';
import { LINE_COLUMNS, OTHER_GASES, TEMPLATE } from './formats.js';

export interface TemplateInput {
  readonly program: ProgramDefinition;
  readonly jurisdiction: { readonly code: string; readonly name: string };
  readonly facility: { readonly code: string; readonly name: string };
  readonly fiscalYear: number;
  /** Lines to fill in (an open draft's), if any. */
  readonly lines?: readonly LineInput[];
}

interface SourceRow {
  readonly code: string;
  readonly name: string;
  readonly unit: string;
  /** `0.489` t-CO2 per unit, or null where the supplier's published factor is required. */
  readonly fixedFactor: string | null;
}

/** The program's energy sources with the factor that applies in the fiscal year (refused when it is outside the program). */
export function sourcesForYear(program: ProgramDefinition, fiscalYear: number): { period: number; factorSet: string; sources: SourceRow[] } {
  const reporting = reportingPeriod(program, fiscalYear);
  if (!reporting.ok) throw new RefusedError(reporting.refusal);
  const set = program.emissionFactorSets.find((s) => s.periods.includes(reporting.period.number));
  const sources = (program.energy?.sources ?? []).map((s) => {
    const f = set?.factors.find((x) => x.energy === s.code);
    return { code: s.code, name: s.name, unit: s.unit, fixedFactor: f?.method === 'fixed' ? (f.tCo2PerUnit ?? null) : null };
  });
  return { period: reporting.period.number, factorSet: set?.id ?? '', sources };
}

const BOLD = { bold: true } as const;
const KEY_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF4' } };
const INPUT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFDE7' } };

const INSTRUCTIONS_EN = [
  'How to fill in this report',
  '1. This workbook is the annual energy report of one facility for one fiscal year. Fill in the table on the sheet "Lines": one row per energy source (or per meter), and one row per other greenhouse gas if you report any.',
  '2. Do not change the header block (rows 2–4: jurisdiction, facility code, fiscal year) or the column names in row 6.',
  '3. Columns: kind — energy (or leave empty) or other_gas; source — pick from the list; quantity — the metered quantity as a plain number (1234.5, no thousands separators), not negative; unit — the unit shown for the source below (t_CO2e for other gases); t_co2_per_unit — only where the table below says the supplier\'s factor is required.',
  '4. Type the values. Cells with formulas are refused (citycap never calculates formulas), and so are workbooks with macros: save as "Excel Workbook (*.xlsx)".',
  '5. Upload the file on the web (Data → Upload a report) or with `npx citycap import reports FILE --jurisdiction CODE --as draft`. It becomes a draft report; check it, then submit it on the report page.',
  '6. The whole file is checked first. If anything is wrong, nothing is saved and every problem is listed with its cell, e.g. Lines!C7 "-5": the quantity must not be negative.',
];

const INSTRUCTIONS_JA = [
  '記入方法',
  '1. このブックは、1事業所・1年度分の年度報告（燃料等使用量）です。「Lines」シートの表に、エネルギー種別（または計量器）ごとに1行ずつ記入してください。その他ガスを報告する場合は、ガスごとに1行記入します。',
  '2. ヘッダー（2～4行目：管轄、事業所番号、年度）と6行目の列名は変更しないでください。',
  '3. 各列：kind（区分）— energy（空欄可）または other_gas、source（エネルギー種別）— リストから選択、quantity（使用量）— 計量値をそのまま数値で（1234.5、桁区切りなし、負の値不可）、unit（単位）— 下表の単位（その他ガスは t_CO2e）、t_co2_per_unit（事業者別排出係数）— 下表で必要とされている場合のみ。',
  '4. 値を直接入力してください。数式を含むセルは受け付けません（citycap は数式を計算しません）。マクロを含むブックも受け付けません。「Excel ブック (*.xlsx)」で保存してください。',
  '5. Web（データ → 報告書のアップロード）または `npx citycap import reports FILE --jurisdiction CODE --as draft` でアップロードします。下書きの報告書になりますので、内容を確認してから報告書の画面で提出してください。',
  '6. ファイル全体を先に検査します。誤りがあれば何も保存せず、すべての誤りをセル番地付きで表示します（例：Lines!C7 "-5"：使用量は負の値にできません）。',
];

/** The report template as .xlsx bytes. */
export async function reportTemplate(input: TemplateInput): Promise<Buffer> {
  const { program, fiscalYear } = input;
  const year = sourcesForYear(program, fiscalYear);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'citycap';

  const lines = wb.addWorksheet(TEMPLATE.linesSheet, { views: [{ state: 'frozen', ySplit: TEMPLATE.keyRow }] });
  const instructions = wb.addWorksheet(TEMPLATE.instructionsSheet);
  const lists = wb.addWorksheet(TEMPLATE.listsSheet, { state: 'hidden' });

  // Lists for the drop-downs: sources (energy, then other gases), units, kinds.
  const sourceCodes = [...year.sources.map((s) => s.code), ...OTHER_GASES];
  const units = [...new Set([...year.sources.map((s) => s.unit), OTHER_GAS_UNIT])];
  lists.getCell('A1').value = 'source';
  lists.getCell('B1').value = 'unit';
  sourceCodes.forEach((c, i) => (lists.getCell(i + 2, 1).value = c));
  units.forEach((u, i) => (lists.getCell(i + 2, 2).value = u));

  // Header block.
  lines.getCell('A1').value = 'citycap — annual energy report / 年度報告書（燃料等使用量）  ·  see sheet "Instructions" / 記入方法は「Instructions」シート';
  lines.getCell('A1').font = { bold: true, size: 13 };
  const header: [number, string, string | number, string][] = [
    [TEMPLATE.jurisdictionRow, 'jurisdiction', input.jurisdiction.code, `${input.jurisdiction.name} — jurisdiction / 管轄`],
    [TEMPLATE.facilityRow, 'facility_code', input.facility.code, `${input.facility.name} — facility / 事業所`],
    [TEMPLATE.fiscalYearRow, 'fiscal_year', fiscalYear, `FY${fiscalYear} (${fiscalYear}年度) — period ${year.period} / 第${year.period}計画期間, emission factors ${year.factorSet}`],
  ];
  for (const [row, key, value, note] of header) {
    lines.getCell(row, 1).value = key;
    lines.getCell(row, 1).font = BOLD;
    lines.getCell(row, 1).fill = KEY_FILL;
    lines.getCell(row, 2).value = value;
    lines.getCell(row, 2).font = BOLD;
    lines.getCell(row, 3).value = note;
  }
  LINE_COLUMNS.forEach((c, i) => {
    const label = lines.getCell(TEMPLATE.labelRow, i + 1);
    label.value = `${c.en} / ${c.ja}${c.required ? ' *' : ''}`;
    label.alignment = { wrapText: true, vertical: 'top' };
    const key = lines.getCell(TEMPLATE.keyRow, i + 1);
    key.value = c.key;
    key.font = BOLD;
    key.fill = KEY_FILL;
  });
  lines.getRow(TEMPLATE.labelRow).height = 45;
  lines.columns = [{ width: 16 }, { width: 24 }, { width: 18 }, { width: 16 }, { width: 26 }];

  const firstRow = TEMPLATE.firstLineRow;
  const lastRow = firstRow + REPORT_LINES_MAX - 1;
  const sourceList = `${TEMPLATE.listsSheet}!$A$2:$A$${sourceCodes.length + 1}`;
  const unitList = `${TEMPLATE.listsSheet}!$B$2:$B$${units.length + 1}`;
  for (let row = firstRow; row <= lastRow; row++) {
    lines.getCell(row, 1).dataValidation = { type: 'list', allowBlank: true, formulae: ['"energy,other_gas"'], showErrorMessage: true, errorTitle: 'kind', error: 'energy or other_gas / energy または other_gas' };
    // A warning, not a stop: any gas code is accepted for other-gas lines.
    lines.getCell(row, 2).dataValidation = { type: 'list', allowBlank: true, formulae: [sourceList], showErrorMessage: true, errorStyle: 'warning', errorTitle: 'source', error: 'not one of the program\'s sources / 制度のエネルギー種別ではありません' };
    lines.getCell(row, 3).dataValidation = { type: 'decimal', operator: 'greaterThanOrEqual', allowBlank: true, formulae: [0], showErrorMessage: true, errorTitle: 'quantity', error: 'a number, not negative / 0以上の数値' };
    lines.getCell(row, 4).dataValidation = { type: 'list', allowBlank: true, formulae: [unitList], showErrorMessage: true, errorTitle: 'unit', error: 'pick the unit of the source / エネルギー種別の単位を選択' };
    lines.getCell(row, 5).dataValidation = { type: 'decimal', operator: 'greaterThanOrEqual', allowBlank: true, formulae: [0], showErrorMessage: true, errorTitle: 't_co2_per_unit', error: 'a number, not negative / 0以上の数値' };
    for (let c = 1; c <= LINE_COLUMNS.length; c++) lines.getCell(row, c).fill = INPUT_FILL;
  }
  (input.lines ?? []).slice(0, REPORT_LINES_MAX).forEach((l, i) => {
    const row = firstRow + i;
    lines.getCell(row, 1).value = l.kind;
    lines.getCell(row, 2).value = l.source;
    // Kept as text: the figure exactly as metered, whatever its digits.
    lines.getCell(row, 3).value = l.quantity;
    lines.getCell(row, 4).value = l.unit;
    if (l.tCo2PerUnit !== undefined) lines.getCell(row, 5).value = l.tCo2PerUnit;
  });

  // Instructions, English then Japanese, then the sources of this fiscal year.
  instructions.columns = [{ width: 24 }, { width: 40 }, { width: 16 }, { width: 44 }];
  let r = 1;
  const paragraph = (text: string, bold = false): void => {
    const cell = instructions.getCell(r, 1);
    cell.value = text;
    cell.alignment = { wrapText: true, vertical: 'top' };
    if (bold) cell.font = { bold: true, size: 12 };
    instructions.mergeCells(r, 1, r, 4);
    instructions.getRow(r).height = bold ? 20 : Math.max(15, Math.ceil(text.length / 110) * 15);
    r++;
  };
  INSTRUCTIONS_EN.forEach((t, i) => { paragraph(t, i === 0); });
  r++;
  INSTRUCTIONS_JA.forEach((t, i) => { paragraph(t, i === 0); });
  r++;
  paragraph(`Energy sources in FY${fiscalYear} (period ${year.period}, factors ${year.factorSet}) / ${fiscalYear}年度のエネルギー種別（第${year.period}計画期間）`, true);
  const table = (cells: readonly string[], bold = false): void => {
    cells.forEach((v, i) => {
      const cell = instructions.getCell(r, i + 1);
      cell.value = v;
      if (bold) {
        cell.font = BOLD;
        cell.fill = KEY_FILL;
      }
    });
    r++;
  };
  table(['source', 'name / 名称', 'unit / 単位', 't_co2_per_unit / 排出係数'], true);
  for (const s of year.sources) {
    table([s.code, s.name, s.unit, s.fixedFactor === null ? "supplier's published factor required / 事業者別排出係数を記入" : `program factor ${s.fixedFactor} t-CO2/${s.unit}: leave empty / 記入不要`]);
  }
  for (const g of OTHER_GASES) table([g, 'other gas / その他ガス (kind = other_gas)', OTHER_GAS_UNIT, 'leave empty / 記入不要']);

  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The template's file name: report-TOKYO-T-0001-FY2024.xlsx */
export function templateFileName(jurisdiction: string, facility: string, fiscalYear: number): string {
  return `report-${jurisdiction}-${facility}-FY${fiscalYear}.xlsx`;
}
