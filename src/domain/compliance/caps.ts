// Caps, obligations and credits for obligation programs (Tokyo, Saitama): pure functions over a program definition.
// Quantities are exact rationals in tonnes; the program's rounding rule is applied once, to the figure reported.
import { refusal, type Refusal } from '../errors.js';
import type { Category, CreditType, Period, ProgramDefinition, Relief, ReliefAdjustment, RoundingRule } from '../program/schema.js';
import { ONE, Rational, ZERO } from './rational.js';

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const no = <T>(code: string, message: string, field: string): Checked<T> => ({ ok: false, refusal: refusal(code, message, field) });

/** Rounds with one of the program's rounding rules. */
export function applyRounding(x: Rational, r: RoundingRule): Rational {
  return x.round(r.decimals, r.mode);
}

export function findPeriod(program: ProgramDefinition, number: number): Checked<Period> {
  const p = program.periods.find((x) => x.number === number);
  if (p === undefined) {
    const known = program.periods.map((x) => x.number).join(', ');
    return no('UNKNOWN_PERIOD', `program ${program.id} has no period ${number} (periods: ${known})`, 'period');
  }
  return ok(p);
}

export function findCategory(program: ProgramDefinition, code: string): Checked<Category> {
  const c = program.categories.find((x) => x.code === code);
  if (c === undefined) {
    const known = program.categories.map((x) => x.code).join(', ') || 'none';
    return no('UNKNOWN_CATEGORY', `program ${program.id} has no category "${code}" (categories: ${known})`, 'category');
  }
  return ok(c);
}

/** Number of fiscal years in a period (Saitama P1: 4, otherwise 5 in the presets). */
export function periodYears(period: Period): bigint {
  return BigInt(period.lastFiscalYear - period.firstFiscalYear + 1);
}

/** A factor after one relief adjustment: never below 0 and never above the factor it started from. */
export function adjustFactor(factor: Rational, adjustment: ReliefAdjustment, categoryCode: string): Rational {
  let next: Rational;
  switch (adjustment.op) {
    case 'multiply':
      next = factor.mul(Rational.parseRatio(adjustment.ratio) ?? ONE);
      break;
    case 'subtract':
      next = factor.sub(Rational.ppm(adjustment.pointsPpm));
      break;
    case 'replace': {
      const r = adjustment.factors.find((f) => f.category === categoryCode);
      next = r === undefined ? factor : Rational.ppm(r.factorPpm);
      break;
    }
  }
  return Rational.min(factor, Rational.max(ZERO, next));
}

export interface ReliefStep {
  readonly relief: string;
  /** False when the relief has no rule for this period or category (e.g. Tokyo's top-level relief in P4). */
  readonly applies: boolean;
  readonly factor: Rational;
}

export interface FactorBreakdown {
  /** The category's factor for the period, before reliefs. */
  readonly categoryFactor: Rational;
  /** The factor after reliefs. */
  readonly factor: Rational;
  readonly steps: readonly ReliefStep[];
}

function reliefRule(relief: Relief, period: number, category: string) {
  return relief.rules.find((r) => r.period === period && (r.categories === undefined || r.categories.includes(category)));
}

/** The compliance factor of a category in a period after the reliefs the facility qualifies for. */
export function complianceFactor(program: ProgramDefinition, periodNumber: number, categoryCode: string, reliefCodes: readonly string[] = []): Checked<FactorBreakdown> {
  const period = findPeriod(program, periodNumber);
  if (!period.ok) return period;
  const category = findCategory(program, categoryCode);
  if (!category.ok) return category;
  const own = category.value.factors.find((f) => f.period === periodNumber);
  if (own === undefined) return no('NO_FACTOR', `category "${categoryCode}" has no compliance factor in period ${periodNumber}`, 'category');
  const base = Rational.ppm(own.factorPpm);
  const reliefs: Relief[] = [];
  for (const code of new Set(reliefCodes)) {
    const r = program.reliefs.find((x) => x.code === code);
    if (r === undefined) {
      const known = program.reliefs.map((x) => x.code).join(', ') || 'none';
      return no('UNKNOWN_RELIEF', `program ${program.id} has no relief "${code}" (reliefs: ${known})`, 'relief');
    }
    reliefs.push(r);
  }
  // Program order, not the order the caller named them, so the result does not depend on how a form was filled in.
  reliefs.sort((a, b) => program.reliefs.indexOf(a) - program.reliefs.indexOf(b));
  const steps: ReliefStep[] = [];
  let factor = base;
  for (const r of reliefs) {
    const rule = reliefRule(r, periodNumber, categoryCode);
    if (rule === undefined) {
      steps.push({ relief: r.code, applies: false, factor });
      continue;
    }
    const from = program.reliefCombination.mode === 'sequential' ? factor : base;
    const next = adjustFactor(from, rule.adjustment, categoryCode);
    factor = Rational.min(factor, next);
    steps.push({ relief: r.code, applies: true, factor: next });
  }
  return ok({ categoryFactor: base, factor, steps });
}

/** Period cap, exact: base × (1 − factor) × years. */
export function capExactT(baseT: Rational, factor: Rational, years: bigint): Rational {
  return baseT.mul(ONE.sub(factor)).mul(years);
}

/** Reduction obligation, exact: base × factor × years. */
export function obligationExactT(baseT: Rational, factor: Rational, years: bigint): Rational {
  return baseT.mul(factor).mul(years);
}

export interface CapInput {
  readonly period: number;
  readonly category: string;
  readonly reliefs?: readonly string[];
  /** Base-year emissions, t-CO2 per year. */
  readonly baseT: Rational;
  /** Years the facility is covered in the period; the whole period when absent (a shorter span for late designation). */
  readonly years?: bigint;
}

export interface CapResult {
  readonly factor: FactorBreakdown;
  readonly years: bigint;
  readonly capExactT: Rational;
  readonly obligationExactT: Rational;
  /** Rounded with the program's capT rule. */
  readonly capT: Rational;
  /** Rounded with the program's obligationT rule. */
  readonly obligationT: Rational;
}

function checkTerms(program: ProgramDefinition, input: { period: number; baseT: Rational; years?: bigint }): Checked<Period> {
  if (program.kind !== 'obligation') return no('NOT_AN_OBLIGATION_PROGRAM', `program ${program.id} is an allocation program: it has no base-year caps`, 'program');
  const period = findPeriod(program, input.period);
  if (!period.ok) return period;
  if (input.baseT.isNegative()) return no('NEGATIVE_BASE', 'base-year emissions must not be negative', 'baseT');
  const whole = periodYears(period.value);
  if (input.years !== undefined && (input.years < 1n || input.years > whole)) {
    return no('YEARS_OUTSIDE_PERIOD', `years must be between 1 and ${whole} (period ${input.period} has ${whole} fiscal years)`, 'years');
  }
  return period;
}

/** The facility's period cap and reduction obligation (tokyo_cat.md §4.1). */
export function periodCap(program: ProgramDefinition, input: CapInput): Checked<CapResult> {
  const period = checkTerms(program, input);
  if (!period.ok) return period;
  const factor = complianceFactor(program, input.period, input.category, input.reliefs);
  if (!factor.ok) return factor;
  const years = input.years ?? periodYears(period.value);
  const cap = capExactT(input.baseT, factor.value.factor, years);
  const obligation = obligationExactT(input.baseT, factor.value.factor, years);
  return ok({
    factor: factor.value,
    years,
    capExactT: cap,
    obligationExactT: obligation,
    capT: applyRounding(cap, program.rounding.capT),
    obligationT: applyRounding(obligation, program.rounding.obligationT),
  });
}

/** The most reduction a year (per_year) or a period (period_total) may contribute to credits: share × base (T4). */
export function countedReductionLimitT(program: ProgramDefinition, baseT: Rational): Rational | undefined {
  const limit = program.excessReduction?.countedReductionLimit;
  if (limit === undefined) return undefined;
  return baseT.mul(Rational.parseRatio(limit.shareOfBase) ?? ONE);
}

export interface ExcessInput extends CapInput {
  /** Verified emissions of the period's first, second, … fiscal years (t-CO2); at most the period's length. */
  readonly emissionsT: readonly Rational[];
}

export interface ExcessYear {
  /** 1 for the period's first fiscal year. */
  readonly year: number;
  readonly fiscalYear: number;
  readonly emissionsT: Rational;
  /** base − emissions; negative when the facility emitted more than its base. */
  readonly reductionT: Rational;
  /** The reduction after the per-year counting limit. */
  readonly countedReductionT: Rational;
  readonly cumulativeCountedReductionT: Rational;
  /** base × factor × years so far. */
  readonly proRatedObligationT: Rational;
  /** Cumulative counted reduction − pro-rated obligation; negative while behind. */
  readonly positionT: Rational;
  /** Credits the cumulative rule allows after this year (creditT rounding). */
  readonly creditableT: Rational;
  /** The increase over the highest earlier creditable figure: what could be newly issued after this year. */
  readonly newlyCreditableT: Rational;
}

export interface ExcessResult {
  readonly factor: FactorBreakdown;
  readonly years: readonly ExcessYear[];
  /** Creditable after the last year given. */
  readonly creditableT: Rational;
  readonly countedReductionLimitT: Rational | undefined;
}

/**
 * Excess reduction credits with the cumulative pro-rated rule (tokyo_cat.md §4.1, §6.1; T1, T2): after k years the
 * facility may sell what its cumulative reduction exceeds base × factor × k, with reductions counted up to the
 * program's limit (T4; per year or per period, an interpretation parameter).
 */
export function excessReductions(program: ProgramDefinition, input: ExcessInput): Checked<ExcessResult> {
  const period = checkTerms(program, input);
  if (!period.ok) return period;
  if (program.excessReduction === undefined) return no('NO_EXCESS_RULE', `program ${program.id} issues no excess-reduction credits`, 'program');
  const yearsInPeriod = Number(input.years ?? periodYears(period.value));
  if (input.emissionsT.length < 1 || input.emissionsT.length > yearsInPeriod) {
    return no('YEARS_OUTSIDE_PERIOD', `give emissions for 1 to ${yearsInPeriod} years (period ${input.period} has ${yearsInPeriod})`, 'emissionsT');
  }
  const negative = input.emissionsT.findIndex((e) => e.isNegative());
  if (negative >= 0) return no('NEGATIVE_EMISSIONS', `emissions of year ${negative + 1} must not be negative`, 'emissionsT');
  const factor = complianceFactor(program, input.period, input.category, input.reliefs);
  if (!factor.ok) return factor;

  const f = factor.value.factor;
  const limitRule = program.excessReduction.countedReductionLimit;
  const limit = countedReductionLimitT(program, input.baseT);
  const rows: ExcessYear[] = [];
  let cumulative = ZERO;
  let best = ZERO;
  input.emissionsT.forEach((emissionsT, i) => {
    const k = BigInt(i + 1);
    const reductionT = input.baseT.sub(emissionsT);
    const counted = limit !== undefined && limitRule.basis === 'per_year' ? Rational.min(reductionT, limit) : reductionT;
    cumulative = cumulative.add(counted);
    const proRated = input.baseT.mul(f).mul(k);
    const position = cumulative.sub(proRated);
    let creditable = Rational.max(ZERO, position);
    if (limit !== undefined && limitRule.basis === 'period_total') creditable = Rational.min(creditable, limit);
    creditable = applyRounding(creditable, program.rounding.creditT);
    const newly = Rational.max(ZERO, creditable.sub(best));
    best = Rational.max(best, creditable);
    rows.push({
      year: i + 1,
      fiscalYear: period.value.firstFiscalYear + i,
      emissionsT,
      reductionT,
      countedReductionT: counted,
      cumulativeCountedReductionT: cumulative,
      proRatedObligationT: proRated,
      positionT: position,
      creditableT: creditable,
      newlyCreditableT: newly,
    });
  });
  const last = rows[rows.length - 1]!;
  return ok({ factor: factor.value, years: rows, creditableT: last.creditableT, countedReductionLimitT: limit });
}

export function findCreditType(program: ProgramDefinition, code: string): Checked<CreditType> {
  const c = program.creditTypes.find((x) => x.code === code);
  if (c === undefined) {
    const known = program.creditTypes.map((x) => x.code).join(', ') || 'none';
    return no('UNKNOWN_CREDIT_TYPE', `program ${program.id} has no credit type "${code}" (credit types: ${known})`, 'creditType');
  }
  return ok(c);
}

export interface UsageLimit {
  readonly exactT: Rational;
  /** Rounded with the program's creditLimitT rule. */
  readonly limitT: Rational;
}

/** How much of a credit type may count against an obligation (outside credits ≤ 1/3, T7); undefined when unlimited. */
export function creditUsageLimitT(program: ProgramDefinition, creditCode: string, obligationT: Rational): Checked<UsageLimit | undefined> {
  const credit = findCreditType(program, creditCode);
  if (!credit.ok) return credit;
  const share = credit.value.usageLimit?.maxShareOfObligation;
  if (share === undefined) return ok(undefined);
  const exact = obligationT.mul(Rational.parseRatio(share) ?? ONE);
  return ok({ exactT: exact, limitT: applyRounding(exact, program.rounding.creditLimitT) });
}

export interface SurrenderLine {
  readonly creditCode: string;
  readonly quantityT: bigint;
}

/** Refusals for a surrender mix that breaks a usage limit or names an unknown credit type; empty when it is allowed. */
export function checkCreditUsage(program: ProgramDefinition, obligationT: Rational, lines: readonly SurrenderLine[]): Refusal[] {
  const totals = new Map<string, bigint>();
  const refusals: Refusal[] = [];
  lines.forEach((line, i) => {
    if (line.quantityT < 0n) refusals.push(refusal('NEGATIVE_QUANTITY', 'a surrendered quantity must not be negative', `lines[${i}].quantityT`));
    totals.set(line.creditCode, (totals.get(line.creditCode) ?? 0n) + line.quantityT);
  });
  for (const [code, total] of totals) {
    const limit = creditUsageLimitT(program, code, obligationT);
    if (!limit.ok) {
      refusals.push(limit.refusal);
      continue;
    }
    if (limit.value !== undefined && Rational.of(total).gt(limit.value.limitT)) {
      refusals.push(refusal('CREDIT_USAGE_LIMIT', `${total} t of "${code}" exceeds its limit of ${limit.value.limitT.toDecimal()} t for an obligation of ${obligationT.toDecimal()} t`, code));
    }
  }
  return refusals;
}

/** Whether units from one period may be used in another under the program's banking rule (no borrowing). */
export function bankingAllows(program: ProgramDefinition, vintagePeriod: number, usePeriod: number): boolean {
  if (usePeriod === vintagePeriod) return true;
  if (usePeriod < vintagePeriod) return program.banking.borrowing;
  if (!program.banking.allowed) return false;
  const horizon = program.banking.horizonPeriods;
  return horizon === null || usePeriod - vintagePeriod <= horizon;
}

export interface ReductionPercent {
  /** (1 − emissions / base) × 100, exact. */
  readonly exactPercent: Rational;
  /** Rounded with the program's reductionPercent rule (Tokyo reports whole percents: T8–T10). */
  readonly reportedPercent: Rational;
}

/** Aggregate reduction against base-year emissions, as Tokyo publishes it. */
export function reductionPercent(rule: RoundingRule, baseT: Rational, emissionsT: Rational): Checked<ReductionPercent> {
  if (!baseT.gt(ZERO)) return no('NON_POSITIVE_BASE', 'base emissions must be greater than 0', 'baseT');
  const exact = ONE.sub(emissionsT.div(baseT)).mul(100n);
  return ok({ exactPercent: exact, reportedPercent: applyRounding(exact, rule) });
}

export interface BaseYearInput {
  readonly fiscalYear: number;
  readonly emissionsT: Rational;
}

/** Base-year emissions: the average of the operator's chosen consecutive years inside the program's window. */
export function baseYearEmissions(program: ProgramDefinition, chosen: readonly BaseYearInput[]): Checked<{ exactT: Rational; baseT: Rational }> {
  const rule = program.baseYear;
  if (rule === undefined) return no('NO_BASE_YEAR_RULE', `program ${program.id} has no base-year rule`, 'program');
  if (chosen.length !== rule.consecutiveYears) return no('BASE_YEAR_COUNT', `choose exactly ${rule.consecutiveYears} consecutive fiscal years`, 'baseYears');
  const years = [...chosen].sort((a, b) => a.fiscalYear - b.fiscalYear);
  for (let i = 0; i < years.length; i++) {
    const y = years[i]!;
    if (y.fiscalYear < rule.windowFirstFiscalYear || y.fiscalYear > rule.windowLastFiscalYear) {
      return no('BASE_YEAR_OUTSIDE_WINDOW', `FY${y.fiscalYear} is outside the base-year window FY${rule.windowFirstFiscalYear}–FY${rule.windowLastFiscalYear}`, 'baseYears');
    }
    if (i > 0 && y.fiscalYear !== years[i - 1]!.fiscalYear + 1) return no('BASE_YEARS_NOT_CONSECUTIVE', 'the chosen base years must be consecutive', 'baseYears');
    if (y.emissionsT.isNegative()) return no('NEGATIVE_EMISSIONS', `emissions of FY${y.fiscalYear} must not be negative`, 'baseYears');
  }
  const exact = years.reduce((sum, y) => sum.add(y.emissionsT), ZERO).div(BigInt(years.length));
  return ok({ exactT: exact, baseT: applyRounding(exact, program.rounding.baseT) });
}
