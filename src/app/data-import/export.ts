// Reports out, in the reports-file format the import reads: one row per line with the facility code and fiscal year
// (CSV with a byte-order mark and CRLF, or a workbook with a `Reports` sheet and a `Summary` sheet of the figures).
// Per facility and fiscal year the export holds the report in force: its highest accepted version, else its latest
// version. The database does not keep supplier-specific factors (docs/reporting.md), so t_co2_per_unit is empty.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { litresAsKl } from '../../domain/mrv/conversion.js';
import type { Database } from '../../store/db.js';
import { big, int } from '../facilities.js';
import { CSV_CONTENT_TYPE, REPORTS_SHEET, REPORT_COLUMNS, XLSX_CONTENT_TYPE } from './formats.js';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportedReport {
  readonly facilityCode: string;
  readonly fiscalYear: number;
  readonly version: number;
  readonly status: string;
  readonly coeL: bigint;
  readonly emissionsKg: bigint;
  readonly lines: readonly { kind: string; source: string; quantity: string; unit: string }[];
}

const IDS_PER_QUERY = 500;

/** The reports in force of a jurisdiction (or of one facility), by facility code and fiscal year. */
export async function reportsInForce(db: Database, jurisdictionId: string, facilityId?: string): Promise<ExportedReport[]> {
  let q = db.kysely
    .selectFrom('reports as r')
    .innerJoin('facilities as f', 'f.id', 'r.facility_id')
    .select(['r.id', 'f.code', 'r.fiscal_year', 'r.version', 'r.status', 'r.coe_l', 'r.emissions_kg'])
    .where('r.jurisdiction_id', '=', jurisdictionId);
  if (facilityId !== undefined) q = q.where('r.facility_id', '=', facilityId);
  const rows = await q.orderBy('f.code').orderBy('r.fiscal_year').orderBy('r.version').execute();
  const chosen = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    const key = `${r.code}\u0000${int(r.fiscal_year)}`;
    const best = chosen.get(key);
    // The latest accepted version wins over anything; otherwise the latest version.
    if (best === undefined || r.status === 'accepted' || best.status !== 'accepted') chosen.set(key, r);
  }
  const picked = [...chosen.values()];
  const linesOf = new Map<string, ExportedReport['lines'][number][]>();
  for (let i = 0; i < picked.length; i += IDS_PER_QUERY) {
    const ids = picked.slice(i, i + IDS_PER_QUERY).map((r) => r.id);
    const lines = await db.kysely.selectFrom('report_lines').select(['report_id', 'kind', 'source', 'quantity', 'unit']).where('report_id', 'in', ids).orderBy('report_id').orderBy('line_no').execute();
    for (const l of lines) {
      const list = linesOf.get(l.report_id) ?? [];
      list.push({ kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit });
      linesOf.set(l.report_id, list);
    }
  }
  return picked.map((r) => ({
    facilityCode: r.code,
    fiscalYear: int(r.fiscal_year),
    version: int(r.version),
    status: r.status,
    coeL: big(r.coe_l),
    emissionsKg: big(r.emissions_kg),
    lines: linesOf.get(r.id) ?? [],
  }));
}

const HEADER = REPORT_COLUMNS.map((c) => c.key);

function lineRows(reports: readonly ExportedReport[]): string[][] {
  return reports.flatMap((r) => r.lines.map((l) => [r.facilityCode, String(r.fiscalYear), l.kind, l.source, l.quantity, l.unit, '']));
}

/** RFC 4180 with a header row, CRLF and a byte-order mark (so that spreadsheet programs read UTF-8). */
export function reportsCsv(reports: readonly ExportedReport[]): Buffer {
  return Buffer.from(`\uFEFF${stringify([HEADER, ...lineRows(reports)], { record_delimiter: '\r\n' })}`, 'utf8');
}

export async function reportsWorkbook(reports: readonly ExportedReport[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'citycap';
  const sheet = wb.addWorksheet(REPORTS_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.addRow(HEADER).font = { bold: true };
  // Quantities stay text: exactly the digits reported, whatever their number.
  for (const row of lineRows(reports)) sheet.addRow([row[0], Number(row[1]), ...row.slice(2)]);
  sheet.columns.forEach((c) => (c.width = 18));
  const summary = wb.addWorksheet('Summary', { views: [{ state: 'frozen', ySplit: 1 }] });
  summary.addRow(['facility_code', 'fiscal_year', 'version', 'status', 'coe_kl', 'emissions_kg', 'lines']).font = { bold: true };
  for (const r of reports) summary.addRow([r.facilityCode, r.fiscalYear, r.version, r.status, litresAsKl(r.coeL), r.emissionsKg.toString(), r.lines.length]);
  summary.columns.forEach((c) => (c.width = 16));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function exportFile(reports: readonly ExportedReport[], format: ExportFormat): Promise<{ bytes: Buffer; contentType: string }> {
  return format === 'csv' ? { bytes: reportsCsv(reports), contentType: CSV_CONTENT_TYPE } : { bytes: await reportsWorkbook(reports), contentType: XLSX_CONTENT_TYPE };
}
