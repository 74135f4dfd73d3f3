// Designation and specification from energy use (tokyo_cat.md §1.1): a facility whose previous fiscal year reached
// the coverage threshold is designated (reports every year); after the required consecutive years it is specified
// (the cap applies). Pure: the evidence per year comes in as data.
import { Rational } from '../compliance/rational.js';
import { refusal, type Refusal } from '../errors.js';
import type { ProgramDefinition } from '../program/schema.js';
import { litresAsKl } from './conversion.js';

export const FACILITY_STATUSES = ['registered', 'designated', 'specified', 'exempted', 'withdrawn'] as const;
export type FacilityStatus = (typeof FACILITY_STATUSES)[number];
/** Statuses that carry the duty to report. */
export const REPORTING_STATUSES: readonly FacilityStatus[] = ['designated', 'specified'];
/** How many past fiscal years one decision looks at (bounds the evidence an app loads). */
export const DESIGNATION_LOOKBACK_YEARS = 10;

/** What is known about one fiscal year's energy use. */
export interface YearEvidence {
  readonly fiscalYear: number;
  readonly atOrAboveThreshold: boolean;
  /** A fiscal year in which energy use started part-way (not counted when the program excludes partial years). */
  readonly partial?: boolean;
  /** Where the figure comes from, for the decision's reason ("accepted report: 1,612.3 kL"). */
  readonly basis: string;
}

export interface DesignationDecision {
  readonly fiscalYear: number;
  readonly status: 'registered' | 'designated' | 'specified';
  /** Consecutive qualifying fiscal years ending with the previous one. */
  readonly consecutiveYears: number;
  readonly reason: string;
}

type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

/** The coverage threshold in crude-oil-equivalent litres; refused when the program measures coverage otherwise. */
export function thresholdLitres(program: ProgramDefinition): Checked<bigint> {
  const c = program.coverage;
  if (c?.metric !== 'crude_oil_equivalent_kl') {
    return { ok: false, refusal: refusal('NO_ENERGY_COVERAGE', `program ${program.id} does not designate facilities by crude-oil-equivalent energy use.`, 'program') };
  }
  const litres = Rational.parseDecimal(c.threshold)!.mul(1000n);
  return { ok: true, value: litres.round(0, 'ceil').toBigInt() };
}

/** Evidence from a crude-oil-equivalent figure (an accepted report, or a use declared at registration). */
export function evidenceFromCoe(program: ProgramDefinition, fiscalYear: number, coeL: bigint, basis: string, partial = false): Checked<YearEvidence> {
  const t = thresholdLitres(program);
  if (!t.ok) return t;
  return { ok: true, value: { fiscalYear, atOrAboveThreshold: coeL >= t.value, partial, basis: `${basis}: ${litresAsKl(coeL)} kL COE` } };
}

/**
 * What earlier decisions imply: designated for FY N means FY N−1 reached the threshold; specified for FY N means the
 * required consecutive years before N did. Used for years without an accepted report (e.g. declared at registration).
 */
export function evidenceFromDecisions(program: ProgramDefinition, decisions: readonly { fiscalYear: number; status: string }[]): YearEvidence[] {
  const c = program.coverage;
  if (c === undefined) return [];
  const out = new Map<number, YearEvidence>();
  for (const d of decisions) {
    const years = d.status === 'specified' ? c.obligationAfterConsecutiveYears : d.status === 'designated' ? c.designationAfterYears : 0;
    for (let k = 1; k <= years; k++) {
      const fy = d.fiscalYear - k;
      out.set(fy, { fiscalYear: fy, atOrAboveThreshold: true, basis: `implied by the FY${d.fiscalYear} ${d.status} decision` });
    }
  }
  return [...out.values()];
}

/**
 * The status for `fiscalYear` from the evidence of earlier years. Later evidence for a year wins over earlier
 * evidence (pass decisions' implications first and accepted reports last). Falling below the threshold returns the
 * facility to `registered`: the sources do not give Tokyo's revocation threshold (tokyo_cat.md §1.1, U), so the
 * authority decides when to record such a decision.
 */
export function designationFor(program: ProgramDefinition, fiscalYear: number, evidence: readonly YearEvidence[]): Checked<DesignationDecision> {
  const c = program.coverage;
  if (c === undefined) return { ok: false, refusal: refusal('NO_COVERAGE_RULE', `program ${program.id} has no coverage rule.`, 'program') };
  const byYear = new Map<number, YearEvidence>();
  for (const e of evidence) byYear.set(e.fiscalYear, e);
  const counts = (e: YearEvidence | undefined): e is YearEvidence => e !== undefined && e.atOrAboveThreshold && !(c.excludePartialYears && e.partial === true);
  let run = 0;
  const bases: string[] = [];
  while (run < Math.max(c.obligationAfterConsecutiveYears, DESIGNATION_LOOKBACK_YEARS)) {
    const e = byYear.get(fiscalYear - 1 - run);
    if (!counts(e)) break;
    bases.push(`FY${e.fiscalYear} ${e.basis}`);
    run++;
  }
  const threshold = `${c.threshold} kL`;
  if (run >= c.obligationAfterConsecutiveYears) {
    const used = bases.slice(0, c.obligationAfterConsecutiveYears).reverse();
    return { ok: true, value: { fiscalYear, status: 'specified', consecutiveYears: run, reason: `at or above ${threshold} in ${c.obligationAfterConsecutiveYears} consecutive fiscal years (${used.join('; ')})` } };
  }
  if (run >= c.designationAfterYears) {
    const used = bases.slice(0, run).reverse();
    return { ok: true, value: { fiscalYear, status: 'designated', consecutiveYears: run, reason: `at or above ${threshold} in the previous fiscal year${run > 1 ? 's' : ''} (${used.join('; ')}); specification needs ${c.obligationAfterConsecutiveYears} consecutive years` } };
  }
  const prev = byYear.get(fiscalYear - 1);
  const why =
    prev === undefined
      ? `no accepted figure for FY${fiscalYear - 1}`
      : prev.atOrAboveThreshold
        ? `FY${prev.fiscalYear} is a partial year and does not count (${prev.basis})`
        : `below ${threshold} in FY${prev.fiscalYear} (${prev.basis})`;
  return { ok: true, value: { fiscalYear, status: 'registered', consecutiveYears: run, reason: `not designated: ${why}` } };
}

/** The status in force for a fiscal year: the latest decision for that year or an earlier one. */
export function statusForYear(decisions: readonly { fiscalYear: number; seq: number; status: string }[], fiscalYear: number): string | undefined {
  let best: { fiscalYear: number; seq: number; status: string } | undefined;
  for (const d of decisions) {
    if (d.fiscalYear > fiscalYear) continue;
    if (best === undefined || d.fiscalYear > best.fiscalYear || (d.fiscalYear === best.fiscalYear && d.seq > best.seq)) best = d;
  }
  return best?.status;
}
