// Compliance of an allocation program (EU ETS-like) for one period: per facility and year, cumulative within the
// period, the free allocation the ledger issued, the verified emissions of accepted reports, the allowances
// surrendered for each year and the status as the EU codes it (A compliant, B short, C emissions missing). When no
// surrender at all is recorded for the jurisdiction and period — imported EUTL data has none — surrenders are
// unknown, not zero: surrendered and shortfall stay null and the status says so instead of inventing A or B.
// A few set-based queries feed one pure function.
import { RefusedError, refusal } from '../domain/errors.js';
import { Rational, type RoundingMode } from '../domain/compliance/rational.js';
import { euComplianceStatuses } from '../domain/compliance/eu-status.js';
import type { Period, ProgramDefinition } from '../domain/program/schema.js';
import type { Database } from '../store/db.js';
import { programOf } from './programs.js';

/** Statuses of allocation rows: EU codes A, B and C in the words obligation programs use, or "no surrender data". */
export const ALLOCATION_STATUSES = ['compliant', 'shortfall', 'emissions_missing', 'no_surrender_data'] as const;
export type AllocationStatus = (typeof ALLOCATION_STATUSES)[number];

/** One facility-year as stored: the net free allocation issued and the accepted report's emissions. */
export interface AllocationYearInput {
  readonly facilityId: string;
  readonly fiscalYear: number;
  /** Allowances of that year's vintage issued to the facility's account, net of reversed issuances. */
  readonly allocatedT: bigint;
  /** Emissions of the accepted report (highest version), or null when there is none. */
  readonly emissionsKg: bigint | null;
  /** Allowances surrendered for this year (completed surrenders that were not reversed). */
  readonly surrenderedT: bigint;
}

export interface AllocationRow {
  readonly facilityId: string;
  readonly fiscalYear: number;
  /** Cumulative since the period's first year. */
  readonly allocatedT: bigint;
  /** Cumulative verified emissions since the period's first year; a missing year counts as 0. */
  readonly emissionsT: bigint;
  /** allocatedT − emissionsT. */
  readonly positionT: bigint;
  /** Cumulative surrenders, and what they leave uncovered; null when surrenders are not tracked. */
  readonly surrenderedT: bigint | null;
  readonly shortfallT: bigint | null;
  readonly status: AllocationStatus;
  readonly note: string;
}

// Notes are short: they are stored on every one of ~90,000 rows. docs/eu-ets-import.md explains them at length.
function positionNote(firstYear: number): string {
  return `No surrender data was imported (surrendered, shortfall unknown). position_t = allocated − emitted since ${firstYear}.`;
}

function missingNote(year: number, missingYears: readonly number[], firstYear: number, surrendersTracked: boolean): string {
  const which = missingYears.includes(year) ? `Verified emissions for ${year} missing (EU code C)` : `Verified emissions missing for ${missingYears.join(', ')} (EU code C, any_year rule)`;
  return `${which}; cumulative figures count missing years as 0.${surrendersTracked ? '' : ` ${positionNote(firstYear)}`}`;
}

/** Whole tonnes from kilograms with the program's emissions rounding mode (decimals are not kept: tonnes are whole). */
export function tonnesFromKg(kg: bigint, mode: RoundingMode): bigint {
  if (kg % 1000n === 0n) return kg / 1000n;
  return Rational.of(kg, 1000n).round(0, mode).num;
}

/**
 * The rows of one period: one per facility and year that has an allocation or an accepted report in the period,
 * cumulative within the period. Pure: the program decides the missing-emissions rule and the rounding.
 */
export function allocationComplianceRows(program: ProgramDefinition, period: Period, inputs: readonly AllocationYearInput[], surrendersTracked: boolean): AllocationRow[] {
  const mode = program.rounding.emissionsT.mode;
  const byFacility = new Map<string, AllocationYearInput[]>();
  for (const y of inputs) {
    if (y.fiscalYear < period.firstFiscalYear || y.fiscalYear > period.lastFiscalYear) continue;
    let list = byFacility.get(y.facilityId);
    if (list === undefined) {
      list = [];
      byFacility.set(y.facilityId, list);
    }
    list.push(y);
  }
  const rows: AllocationRow[] = [];
  for (const [facilityId, years] of byFacility) {
    years.sort((a, b) => a.fiscalYear - b.fiscalYear);
    const statuses = euComplianceStatuses(
      program,
      years.map((y) => ({ fiscalYear: y.fiscalYear, verifiedT: y.emissionsKg === null ? null : tonnesFromKg(y.emissionsKg, mode), surrenderedT: y.surrenderedT })),
    );
    let allocatedT = 0n;
    const missingYears: number[] = [];
    years.forEach((y, i) => {
      const s = statuses[i]!;
      allocatedT += y.allocatedT;
      if (y.emissionsKg === null) missingYears.push(y.fiscalYear);
      const status: AllocationStatus =
        s.status === 'C' ? 'emissions_missing' : !surrendersTracked ? 'no_surrender_data' : s.status === 'A' ? 'compliant' : 'shortfall';
      const uncovered = s.cumulativeVerifiedT - s.cumulativeSurrenderedT;
      rows.push({
        facilityId,
        fiscalYear: y.fiscalYear,
        allocatedT,
        emissionsT: s.cumulativeVerifiedT,
        positionT: allocatedT - s.cumulativeVerifiedT,
        surrenderedT: surrendersTracked ? s.cumulativeSurrenderedT : null,
        shortfallT: surrendersTracked ? (uncovered > 0n ? uncovered : 0n) : null,
        status,
        note: status === 'emissions_missing'
          ? missingNote(y.fiscalYear, missingYears, period.firstFiscalYear, surrendersTracked)
          : surrendersTracked
            ? `EU code ${s.status}: cumulative surrenders since ${period.firstFiscalYear} ${s.status === 'A' ? 'cover' : 'fall short of'} cumulative verified emissions.`
            : positionNote(period.firstFiscalYear),
      });
    });
  }
  return rows;
}

const toBigint = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as string | number));

/**
 * Computes and stores the allocation-program compliance rows of one jurisdiction and period, replacing the earlier
 * rows of that jurisdiction and period in one transaction. Allocation is read from the ledger: completed issuances
 * of allowances whose vintage is the year, into the facility's account, less reversals of such issuances.
 */
export async function runAllocationCompliance(db: Database, options: { jurisdictionId: string; period: number; now: Date }): Promise<{ rows: number }> {
  const program = await programOf(db, options.jurisdictionId);
  if (program.kind !== 'allocation') {
    throw new RefusedError(refusal('NOT_AN_ALLOCATION_PROGRAM', `Program ${program.id} is not an allocation program.`, 'jurisdictionId'));
  }
  const period = program.periods.find((p) => p.number === options.period);
  if (period === undefined) {
    throw new RefusedError(refusal('UNKNOWN_PERIOD', `Program ${program.id} has no period ${options.period} (periods ${program.periods.map((p) => p.number).join(', ')}).`, 'period'));
  }
  const first = period.firstFiscalYear;
  const last = period.lastFiscalYear;
  const computedAt = options.now.toISOString();
  return db.withWriteTransaction(async (s) => {
    const jid = options.jurisdictionId;
    const accounts = await s.query<{ id: string; account_id: string }>('SELECT id, account_id FROM facilities WHERE jurisdiction_id = ? AND account_id IS NOT NULL', [jid]);
    const facilityOfAccount = new Map(accounts.map((a) => [a.account_id, a.id]));
    const allocated = await s.query<{ account_id: string; year: unknown; quantity_t: unknown }>(
      `SELECT COALESCE(t.to_account_id, t.from_account_id) AS account_id, u.vintage AS year,
              SUM(CASE WHEN t.type = 'issuance' THEN t.quantity_t ELSE -t.quantity_t END) AS quantity_t
         FROM transactions t JOIN unit_types u ON u.id = t.unit_type_id
        WHERE t.jurisdiction_id = ? AND t.status = 'completed' AND u.kind = 'allowance' AND u.vintage BETWEEN ? AND ?
          AND (t.type = 'issuance' OR (t.type = 'reversal' AND t.to_account_id IS NULL))
        GROUP BY COALESCE(t.to_account_id, t.from_account_id), u.vintage`,
      [jid, first, last],
    );
    const reports = await s.query<{ facility_id: string; fiscal_year: unknown; version: unknown; emissions_kg: unknown }>(
      "SELECT facility_id, fiscal_year, version, emissions_kg FROM reports WHERE jurisdiction_id = ? AND status = 'accepted' AND fiscal_year BETWEEN ? AND ?",
      [jid, first, last],
    );
    const surrendered = await s.query<{ facility_id: string; fiscal_year: unknown; quantity_t: unknown }>(
      `SELECT cs.facility_id, cs.fiscal_year, SUM(t.quantity_t) AS quantity_t
         FROM compliance_surrenders cs
         JOIN facilities f ON f.id = cs.facility_id
         JOIN transactions t ON t.id = cs.tx_id
        WHERE f.jurisdiction_id = ? AND cs.period = ? AND cs.fiscal_year IS NOT NULL
          AND t.type = 'surrender' AND t.status = 'completed'
          AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.reverses_tx_id = t.id AND r.status = 'completed')
        GROUP BY cs.facility_id, cs.fiscal_year`,
      [jid, options.period],
    );
    const inputs = new Map<string, { facilityId: string; fiscalYear: number; allocatedT: bigint; emissionsKg: bigint | null; surrenderedT: bigint; version: number }>();
    const entry = (facilityId: string, fiscalYear: number) => {
      const key = `${facilityId}|${fiscalYear}`;
      let e = inputs.get(key);
      if (e === undefined) {
        e = { facilityId, fiscalYear, allocatedT: 0n, emissionsKg: null, surrenderedT: 0n, version: 0 };
        inputs.set(key, e);
      }
      return e;
    };
    for (const a of allocated) {
      const facilityId = facilityOfAccount.get(a.account_id);
      if (facilityId === undefined) continue; // allowances issued to an account that is no facility's
      entry(facilityId, Number(a.year)).allocatedT += toBigint(a.quantity_t);
    }
    for (const r of reports) {
      const e = entry(r.facility_id, Number(r.fiscal_year));
      const version = Number(r.version);
      if (version > e.version) {
        e.version = version; // a correction is a new version: the highest accepted one counts
        e.emissionsKg = toBigint(r.emissions_kg);
      }
    }
    for (const r of surrendered) entry(r.facility_id, Number(r.fiscal_year)).surrenderedT += toBigint(r.quantity_t);
    const rows = allocationComplianceRows(program, period, [...inputs.values()], surrendered.length > 0);
    await s.execute([{ sql: 'DELETE FROM compliance_results WHERE jurisdiction_id = ? AND period = ?', params: [jid, options.period] }]);
    await s.execute(
      s.insertMany(
        'compliance_results',
        ['jurisdiction_id', 'facility_id', 'period', 'fiscal_year', 'emissions_t', 'allocated_t', 'surrendered_t', 'shortfall_t', 'position_t', 'status', 'note', 'computed_at'],
        rows.map((r) => [jid, r.facilityId, options.period, r.fiscalYear, r.emissionsT, r.allocatedT, r.surrenderedT, r.shortfallT, r.positionT, r.status, r.note, computedAt]),
      ),
    );
    return { rows: rows.length };
  });
}
