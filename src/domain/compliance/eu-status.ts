// EU-style compliance status per installation-year, computed cumulatively within a period (phase):
// A surrendered ≥ verified, B short, C verified emissions missing (ets_anchors.md §3, §6).
import { assert } from '../assert.js';
import type { ProgramDefinition } from '../program/schema.js';

export type EuStatusCode = 'A' | 'B' | 'C';

export interface InstallationYear {
  readonly fiscalYear: number;
  /** Verified emissions in whole tonnes; null when not entered by the deadline. */
  readonly verifiedT: bigint | null;
  readonly surrenderedT: bigint;
}

export interface YearStatus {
  readonly fiscalYear: number;
  readonly period: number;
  /** Sums since the start of the period; a missing year counts as 0. */
  readonly cumulativeVerifiedT: bigint;
  readonly cumulativeSurrenderedT: bigint;
  readonly status: EuStatusCode;
}

/**
 * Status of each year: C when verified emissions are missing (that year, or with `any_year` any year of the period so
 * far); otherwise A when cumulative surrenders cover cumulative verified emissions, else B. Cumulation restarts with
 * each period of the program. Years outside every period are refused by assertion: the caller filters them.
 */
export function euComplianceStatuses(program: ProgramDefinition, years: readonly InstallationYear[]): YearStatus[] {
  const missingRule = program.allocation?.missingEmissions ?? 'year_only';
  const sorted = [...years].sort((a, b) => a.fiscalYear - b.fiscalYear);
  const out: YearStatus[] = [];
  let period = -1;
  let verified = 0n;
  let surrendered = 0n;
  let missingSoFar = false;
  let previousYear: number | undefined;
  for (const y of sorted) {
    assert(previousYear !== y.fiscalYear, 'one row per installation-year');
    previousYear = y.fiscalYear;
    assert(y.surrenderedT >= 0n && (y.verifiedT === null || y.verifiedT >= 0n), 'quantities are non-negative');
    const p = program.periods.find((x) => x.firstFiscalYear <= y.fiscalYear && y.fiscalYear <= x.lastFiscalYear);
    assert(p !== undefined, `fiscal year ${y.fiscalYear} lies in a period of the program`);
    if (p.number !== period) {
      period = p.number;
      verified = 0n;
      surrendered = 0n;
      missingSoFar = false;
    }
    verified += y.verifiedT ?? 0n;
    surrendered += y.surrenderedT;
    const missing = y.verifiedT === null;
    missingSoFar ||= missing;
    const status: EuStatusCode = missing || (missingRule === 'any_year' && missingSoFar) ? 'C' : surrendered >= verified ? 'A' : 'B';
    out.push({ fiscalYear: y.fiscalYear, period, cumulativeVerifiedT: verified, cumulativeSurrenderedT: surrendered, status });
  }
  return out;
}
