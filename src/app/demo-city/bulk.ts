// The demo's mass of accepted reports and base years, written in one transaction per phase. Through the reporting
// use-cases each report costs four transactions (draft, submit, verify, accept): ~24,000 reports would take minutes,
// and `npm start` creates the demo on first start. These rows are exactly what those use-cases store — the same
// conversion (domain/mrv/conversion.ts) and base-year rule (domain/mrv/base-year.ts), the same columns and
// statuses — and test/app/demo-city.test.ts holds them equal to the rows the use-cases wrote for the showcase
// facilities, which go through the real workflow.
import { averageBaseYear } from '../../domain/mrv/base-year.js';
import { assert } from '../../domain/assert.js';
import { convertReport, type LineInput } from '../../domain/mrv/conversion.js';
import type { ProgramDefinition } from '../../domain/program/schema.js';
import type { Database } from '../../store/db.js';
import type { BaseYearTable, ReportLineTable, ReportTable } from '../../store/schema.js';
import { uuidv7 } from '../ids.js';

/** When each step of a fiscal year's report happened, and who took it. */
export interface ReportSteps {
  readonly createdAt: string;
  readonly submittedAt: string;
  readonly verifiedAt: string;
  readonly acceptedAt: string;
  readonly operator: string;
  readonly verifier: string;
  readonly officer: string;
}

type ReportRow = Omit<ReportTable, 'coe_l' | 'emissions_kg'> & { coe_l: bigint; emissions_kg: bigint };

/** The rows of one accepted, first-version report, as Reporting.createDraft → submit → verify → accept leaves them. */
export function acceptedReportRows(
  program: ProgramDefinition,
  r: { id: string; jurisdictionId: string; facilityId: string; fiscalYear: number; lines: readonly LineInput[]; agencyId: string; steps: ReportSteps },
): { report: ReportRow; lines: ReportLineTable[] } {
  const converted = convertReport(program, r.fiscalYear, r.lines);
  assert(converted.ok, 'demo report lines convert');
  const s = r.steps;
  return {
    report: {
      id: r.id,
      jurisdiction_id: r.jurisdictionId,
      facility_id: r.facilityId,
      fiscal_year: r.fiscalYear,
      version: 1,
      status: 'accepted',
      coe_l: converted.value.totals.coeL,
      emissions_kg: converted.value.totals.energyCo2Kg,
      created_at: s.createdAt,
      created_by: s.operator,
      submitted_at: s.submittedAt,
      verified_at: s.verifiedAt,
      verified_by: s.verifier,
      agency_id: r.agencyId,
      accepted_at: s.acceptedAt,
      accepted_by: s.officer,
      returned_at: null,
      returned_reason: null,
      corrects_report_id: null,
    },
    lines: converted.value.lines.map((l) => ({ report_id: r.id, line_no: l.lineNo, kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit, coe_l: l.coeL, co2_kg: l.co2Kg })),
  };
}

/** The active base year Reporting.chooseBaseYear stores, from the accepted emissions of the chosen years. */
export function baseYearRow(
  program: ProgramDefinition,
  b: { id: string; facilityId: string; years: readonly { fiscalYear: number; emissionsKg: bigint }[]; chosenAt: string; chosenBy: string },
): BaseYearTable {
  const avg = averageBaseYear(program, b.years);
  assert(avg.ok, 'demo base years are valid');
  const sorted = [...b.years].sort((x, y) => x.fiscalYear - y.fiscalYear);
  const first = sorted[0]!.fiscalYear;
  const last = sorted[sorted.length - 1]!.fiscalYear;
  return {
    id: b.id,
    facility_id: b.facilityId,
    first_fiscal_year: first,
    last_fiscal_year: last,
    base_kg: avg.value.baseKg,
    base_t: avg.value.baseT,
    status: 'active',
    reason: `average of FY${first}–FY${last} accepted emissions (${sorted.map((y) => `FY${y.fiscalYear} ${y.emissionsKg} kg`).join(', ')})`,
    chosen_at: b.chosenAt,
    chosen_by: b.chosenBy,
  };
}

const REPORT_COLUMNS = [
  'id', 'jurisdiction_id', 'facility_id', 'fiscal_year', 'version', 'status', 'coe_l', 'emissions_kg', 'created_at', 'created_by', 'submitted_at',
  'verified_at', 'verified_by', 'agency_id', 'accepted_at', 'accepted_by', 'returned_at', 'returned_reason', 'corrects_report_id',
] as const;
const LINE_COLUMNS = ['report_id', 'line_no', 'kind', 'source', 'quantity', 'unit', 'coe_l', 'co2_kg'] as const;
const BASE_COLUMNS = ['id', 'facility_id', 'first_fiscal_year', 'last_fiscal_year', 'base_kg', 'base_t', 'status', 'reason', 'chosen_at', 'chosen_by'] as const;

/** Rows per write transaction: bounds the memory one phase holds (TIGER_STYLE). */
export const BULK_REPORTS_MAX = 100_000;

/** Writes the reports (with their lines) and base years in one transaction: all of them, or none. */
export async function writeAccepted(db: Database, reports: readonly { report: ReportRow; lines: readonly ReportLineTable[] }[], bases: readonly BaseYearTable[]): Promise<void> {
  assert(reports.length <= BULK_REPORTS_MAX, `at most ${BULK_REPORTS_MAX} reports per phase`);
  const values = <T extends object>(row: T, columns: readonly (keyof T)[]): unknown[] => columns.map((c) => row[c]);
  await db.withWriteTransaction(async (s) => {
    // Separate statements, parents first: the lines' and base years' foreign keys see the reports.
    await s.execute(s.insertMany('reports', REPORT_COLUMNS, reports.map((r) => values(r.report, REPORT_COLUMNS))));
    await s.execute(s.insertMany('report_lines', LINE_COLUMNS, reports.flatMap((r) => r.lines.map((l) => values(l, LINE_COLUMNS)))));
    if (bases.length > 0) await s.execute(s.insertMany('base_years', BASE_COLUMNS, bases.map((b) => values(b, BASE_COLUMNS))));
  });
}

export function newReportId(): string {
  return uuidv7();
}
