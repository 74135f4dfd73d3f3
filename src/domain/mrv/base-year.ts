// Base-year emissions (tokyo_cat.md §2): the average of the operator's chosen consecutive fiscal years inside the
// program's window, and the recalculation rule when floor area or use changes base emissions by the threshold or more.
import { applyRounding, baseYearEmissions } from '../compliance/caps.js';
import { Rational } from '../compliance/rational.js';
import { refusal, type Refusal } from '../errors.js';
import type { ProgramDefinition } from '../program/schema.js';
import { co2Kilograms } from './conversion.js';

type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly refusal: Refusal };
const no = <T>(code: string, message: string, field: string): Checked<T> => ({ ok: false, refusal: refusal(code, message, field) });
const PPM = 1_000_000n;

/** Checks a choice of base years before any report is loaded: the right count, consecutive, inside the window. */
export function checkBaseYearChoice(program: ProgramDefinition, firstFiscalYear: number, lastFiscalYear: number): Refusal | undefined {
  const rule = program.baseYear;
  if (rule === undefined) return refusal('NO_BASE_YEAR_RULE', `program ${program.id} has no base-year rule.`, 'program');
  if (!Number.isInteger(firstFiscalYear) || !Number.isInteger(lastFiscalYear)) return refusal('FISCAL_YEAR_INVALID', 'fiscal years are whole years.', 'firstFiscalYear');
  if (lastFiscalYear - firstFiscalYear + 1 !== rule.consecutiveYears) {
    return refusal('BASE_YEAR_COUNT', `choose exactly ${rule.consecutiveYears} consecutive fiscal years (FY${firstFiscalYear}–FY${lastFiscalYear} is ${lastFiscalYear - firstFiscalYear + 1}).`, 'lastFiscalYear');
  }
  if (firstFiscalYear < rule.windowFirstFiscalYear) return refusal('BASE_YEAR_OUTSIDE_WINDOW', `FY${firstFiscalYear} is before the base-year window FY${rule.windowFirstFiscalYear}–FY${rule.windowLastFiscalYear}.`, 'firstFiscalYear');
  if (lastFiscalYear > rule.windowLastFiscalYear) return refusal('BASE_YEAR_OUTSIDE_WINDOW', `FY${lastFiscalYear} is after the base-year window FY${rule.windowFirstFiscalYear}–FY${rule.windowLastFiscalYear}.`, 'lastFiscalYear');
  return undefined;
}

export interface BaseYearFigures {
  /** The exact average in tonnes. */
  readonly exactT: Rational;
  /** The average in whole kg (emissionsT rounding mode). */
  readonly baseKg: bigint;
  /** The average in whole tonnes with the program's baseT rule. */
  readonly baseT: bigint;
}

/** The average rule over accepted emissions in kg (caps.ts baseYearEmissions does the counting and the window). */
export function averageBaseYear(program: ProgramDefinition, years: readonly { fiscalYear: number; emissionsKg: bigint }[]): Checked<BaseYearFigures> {
  const r = baseYearEmissions(program, years.map((y) => ({ fiscalYear: y.fiscalYear, emissionsT: Rational.of(y.emissionsKg, 1000n) })));
  if (!r.ok) return r;
  return { ok: true, value: { exactT: r.value.exactT, baseKg: co2Kilograms(program, r.value.exactT), baseT: wholeTonnes(program, r.value.exactT) } };
}

/** Whole tonnes with the baseT rule; a rule keeping decimals still ends in whole tonnes, in its direction. */
export function wholeTonnes(program: ProgramDefinition, exactT: Rational): bigint {
  const rule = program.rounding.baseT;
  return applyRounding(exactT, rule).round(0, rule.mode).toBigInt();
}

export interface RecalculationInput {
  readonly baseKg: bigint;
  readonly floorAreaBeforeM2?: bigint;
  readonly floorAreaAfterM2?: bigint;
  /** The operator's estimate of base emissions after a change of use (required when the floor area does not change). */
  readonly estimatedBaseKg?: bigint;
}

export interface RecalculationCheck {
  /** (new − base) / base in ppm, truncated toward zero; negative for a decrease. */
  readonly changePpm: bigint;
  readonly newBaseKg: bigint;
  /** What the new base rests on, for the record. */
  readonly basis: string;
}

/**
 * Whether a change moves base emissions by at least the program's threshold (Tokyo: 6 %). Without an estimate the
 * new base is scaled by the floor-area ratio (base × after / before). Below the threshold the request is refused.
 */
export function checkRecalculation(program: ProgramDefinition, input: RecalculationInput): Checked<RecalculationCheck> {
  const rule = program.baseYear;
  if (rule === undefined) return no('NO_BASE_YEAR_RULE', `program ${program.id} has no base-year rule.`, 'program');
  if (input.baseKg <= 0n) return no('NO_BASE_EMISSIONS', 'the facility has no positive base-year emissions to recalculate.', 'facilityId');
  let newBase: Rational;
  let basis: string;
  let field: string;
  if (input.estimatedBaseKg !== undefined) {
    if (input.estimatedBaseKg < 0n) return no('NEGATIVE_QUANTITY', 'the estimated base must not be negative.', 'estimatedBaseKg');
    newBase = Rational.of(input.estimatedBaseKg);
    basis = `operator's estimate ${input.estimatedBaseKg} kg`;
    field = 'estimatedBaseKg';
  } else if (input.floorAreaAfterM2 !== undefined) {
    const before = input.floorAreaBeforeM2;
    if (before === undefined || before <= 0n) return no('FLOOR_AREA_UNKNOWN', 'the facility has no recorded floor area to compare with; give estimatedBaseKg.', 'floorAreaAfterM2');
    if (input.floorAreaAfterM2 < 0n) return no('NEGATIVE_QUANTITY', 'the floor area must not be negative.', 'floorAreaAfterM2');
    newBase = Rational.of(input.baseKg).mul(Rational.of(input.floorAreaAfterM2, before));
    basis = `floor area ${before} → ${input.floorAreaAfterM2} m² (base scaled by the ratio)`;
    field = 'floorAreaAfterM2';
  } else {
    return no('ESTIMATE_REQUIRED', 'give the new floor area or, for a change of use, the estimated base emissions.', 'estimatedBaseKg');
  }
  const change = newBase.sub(Rational.of(input.baseKg)).div(input.baseKg);
  const magnitude = change.isNegative() ? change.mul(-1n) : change;
  if (magnitude.lt(Rational.ppm(rule.recalculationThresholdPpm))) {
    return no(
      'BELOW_RECALCULATION_THRESHOLD',
      `the change moves base emissions by ${change.mul(100n).toDecimal(4)} %, less than the ${Rational.ppm(rule.recalculationThresholdPpm).mul(100n).toDecimal(4)} % that requires recalculation.`,
      field,
    );
  }
  return { ok: true, value: { changePpm: change.mul(PPM).round(0, 'truncate').toBigInt(), newBaseKg: newBase.round(0, program.rounding.emissionsT.mode).toBigInt(), basis } };
}
