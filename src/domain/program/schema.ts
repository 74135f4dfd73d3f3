// The program definition: everything a city's cap-and-trade rules need, as validated data (ARCHITECTURE principle 2).
// Factors are parts-per-million integers, quantities and ratios exact decimal/fraction strings — never floats.
import { z } from 'zod';
import { UNIT_KINDS } from '../registry/model.js';
import { ROUNDING_MODES, Rational } from '../compliance/rational.js';

export const PROGRAM_SCHEMA_VERSION = 1;
export const PPM_ONE = 1_000_000;

/** Bounds on a definition (TIGER_STYLE: a limit on everything). */
export const LIMITS = { periods: 20, categories: 50, reliefs: 50, rulesPerRelief: 50, energies: 100, factorSets: 50, creditTypes: 30, deadlines: 50, text: 2000 } as const;

const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'must be 1–32 letters, digits, "_", "." or "-", starting with a letter or digit');
const text = z.string().min(1, 'must not be empty').max(LIMITS.text);
const fiscalYear = z.number().int('must be a whole year').min(1990, 'must be 1990 or later').max(2200, 'must be 2200 or earlier');
const periodNumber = z.number().int('must be a whole number').min(1, 'must be 1 or more').max(LIMITS.periods);
const ppm = z.number().int('must be whole parts per million').min(0, 'must be between 0 and 1000000 ppm (0–100 %)').max(PPM_ONE, 'must be between 0 and 1000000 ppm (0–100 %)');
/** A non-negative exact decimal such as "1500" or "0.489". */
const decimal = z.string().regex(/^\d{1,30}(\.\d{1,18})?$/, 'must be a non-negative decimal number written as a string, e.g. "1500" or "0.489"');
/** A ratio such as "1/3" or "0.75". */
const ratio = z
  .string()
  .regex(/^(\d{1,30}\/[1-9]\d{0,29}|\d{1,30}(\.\d{1,18})?)$/, 'must be a ratio such as "1/3" or "0.75"');
/** A ratio between 0 and 1 inclusive. */
const shareRatio = ratio.refine((s) => {
  const r = Rational.parseRatio(s);
  return r !== undefined && !r.isNegative() && r.lte(Rational.of(1n));
}, 'must be a ratio between 0 and 1, such as "1/3"');

export const provenanceSchema = z.strictObject({
  status: z.enum(['confirmed', 'unconfirmed']),
  source: text,
  note: text.optional(),
});
/** Where a value comes from; `unconfirmed` values are parameters the adopting city must check. */
export type Provenance = z.infer<typeof provenanceSchema>;

const periodSchema = z.strictObject({
  number: periodNumber,
  firstFiscalYear: fiscalYear,
  lastFiscalYear: fiscalYear,
  /** Last day units may be surrendered for this period (Tokyo: the adjustment period, 整理期間). */
  adjustmentWindowEnd: z.iso.date('must be a date YYYY-MM-DD'),
  /** First day credits for this period may be traded, when the program says so. */
  tradingStart: z.iso.date('must be a date YYYY-MM-DD').optional(),
  provenance: provenanceSchema.optional(),
});

const categoryFactorSchema = z.strictObject({
  period: periodNumber,
  factorPpm: ppm,
  provenance: provenanceSchema.optional(),
});

const categorySchema = z.strictObject({
  code,
  name: text,
  description: text.optional(),
  factors: z.array(categoryFactorSchema).max(LIMITS.periods),
});

export const RELIEF_KINDS = ['top_level', 'near_top_level', 'medical', 'low_electrification', 'small_business', 'new_entrant'] as const;
export type ReliefKind = (typeof RELIEF_KINDS)[number];

const adjustmentSchema = z.discriminatedUnion('op', [
  /** factor × ratio (top-level: "1/2", near-top-level: "3/4"). */
  z.strictObject({ op: z.literal('multiply'), ratio: shareRatio }),
  /** factor − points (medical: 20000 ppm = 2 percentage points); never below 0. */
  z.strictObject({ op: z.literal('subtract'), pointsPpm: ppm }),
  /** the factor is replaced per category (new entrants); the value may not exceed the category's own factor. */
  z.strictObject({ op: z.literal('replace'), factors: z.array(z.strictObject({ category: code, factorPpm: ppm })).min(1).max(LIMITS.categories) }),
]);
export type ReliefAdjustment = z.infer<typeof adjustmentSchema>;

const reliefRuleSchema = z.strictObject({
  period: periodNumber,
  /** Only these categories; all when absent. */
  categories: z.array(code).min(1).max(LIMITS.categories).optional(),
  adjustment: adjustmentSchema,
  provenance: provenanceSchema.optional(),
});

const reliefSchema = z.strictObject({
  code,
  kind: z.enum(RELIEF_KINDS),
  name: text,
  /** Who qualifies, in words; eligibility itself is decided by the authority and recorded per facility. */
  condition: text,
  rules: z.array(reliefRuleSchema).max(LIMITS.rulesPerRelief),
  provenance: provenanceSchema.optional(),
});

const coverageSchema = z.strictObject({
  metric: z.enum(['crude_oil_equivalent_kl', 'rated_thermal_input_mw', 'emissions_t']),
  threshold: decimal,
  /** Years at or above the threshold before a facility is designated (reporting duty). */
  designationAfterYears: z.number().int().min(1).max(10),
  /** Consecutive years at or above the threshold before the cap applies. */
  obligationAfterConsecutiveYears: z.number().int().min(1).max(10),
  /** A fiscal year in which energy use started part-way is not counted. */
  excludePartialYears: z.boolean(),
  exemptions: z.array(z.strictObject({ code, description: text, provenance: provenanceSchema.optional() })).max(20).optional(),
  provenance: provenanceSchema.optional(),
});

const baseYearSchema = z.strictObject({
  windowFirstFiscalYear: fiscalYear,
  windowLastFiscalYear: fiscalYear,
  consecutiveYears: z.number().int().min(1).max(10),
  method: z.literal('average'),
  /** A change of floor area or use that moves base emissions by at least this much requires recalculation. */
  recalculationThresholdPpm: ppm,
  /**
   * Base emissions are restated for each period from the base years' energy use with that period's emission
   * factors, so a new electricity factor moves base and emissions alike (Tokyo restated its bases at the start of P2).
   */
  restatedWithPeriodFactors: z.boolean().optional(),
  restatementProvenance: provenanceSchema.optional(),
  provenance: provenanceSchema.optional(),
});

const energySchema = z.strictObject({
  /** Crude-oil-equivalent kL per GJ of primary energy (Japan's Energy Conservation Act: 0.0258). */
  klCrudeOilPerGj: decimal,
  sources: z
    .array(z.strictObject({ code, name: text, unit: code, gjPerUnit: decimal, provenance: provenanceSchema.optional() }))
    .max(LIMITS.energies),
  provenance: provenanceSchema.optional(),
});

const emissionFactorSchema = z.strictObject({
  energy: code,
  /** fixed: one factor for the whole period; supplier_specific: the retailer's published factor (Tokyo/Saitama P4). */
  method: z.enum(['fixed', 'supplier_specific']),
  tCo2PerUnit: decimal.optional(),
  provenance: provenanceSchema.optional(),
});

const emissionFactorSetSchema = z.strictObject({
  id: code,
  periods: z.array(periodNumber).min(1).max(LIMITS.periods),
  factors: z.array(emissionFactorSchema).max(LIMITS.energies),
});

const creditTypeSchema = z.strictObject({
  code,
  kind: z.enum(UNIT_KINDS),
  name: text,
  description: text.optional(),
  transferable: z.boolean(),
  eligibility: z
    .strictObject({
      /** The originating facility's base-year emissions may not exceed this (Saitama-linked credits: 150000 t). */
      originMaxBaseT: decimal.optional(),
      /** The originating facility must have met its own target or obligation. */
      originMustHaveComplied: z.boolean().optional(),
      verificationRequired: z.boolean().optional(),
      provenance: provenanceSchema.optional(),
    })
    .optional(),
  /** At most this share of the facility's reduction obligation may be met with this credit type. */
  usageLimit: z.strictObject({ maxShareOfObligation: shareRatio, provenance: provenanceSchema.optional() }).optional(),
  /** Credits count this many times their tonnes (e.g. 1.5× for some renewables) in the listed periods. */
  multipliers: z.array(z.strictObject({ period: periodNumber, ratio, provenance: provenanceSchema.optional() })).max(LIMITS.periods).optional(),
  provenance: provenanceSchema.optional(),
});

const excessReductionSchema = z.strictObject({
  /** Credits may first be applied for in this year of the period (Tokyo: the 2nd year, after year 1 is verified). */
  applicationFromPeriodYear: z.number().int().min(1).max(10),
  /** The seller's limit: reductions counted at most this share of base-year emissions. */
  countedReductionLimit: z.strictObject({
    shareOfBase: shareRatio,
    /** per_year: each year's reduction counts at most share × base; period_total: total creditable at most share × base × 1. */
    basis: z.enum(['per_year', 'period_total']),
    provenance: provenanceSchema.optional(),
  }),
  provenance: provenanceSchema.optional(),
});

const bankingSchema = z.strictObject({
  allowed: z.boolean(),
  /** How many later periods banked units may be used in; null = no limit. Tokyo/Saitama: 1 (next period only). */
  horizonPeriods: z.number().int().min(0).max(LIMITS.periods).nullable(),
  borrowing: z.boolean(),
  provenance: provenanceSchema.optional(),
});

export const DEADLINE_EVENTS = ['annual_report', 'verified_emissions', 'surrender', 'credit_report', 'base_year_change'] as const;

const deadlineSchema = z.strictObject({
  event: z.enum(DEADLINE_EVENTS),
  description: text,
  month: z.number().int().min(1).max(12),
  day: z.number().int().min(1).max(31),
  /** The deadline falls in calendar year fiscalYear + yearOffset. */
  yearOffset: z.number().int().min(0).max(5),
  fromFiscalYear: fiscalYear.optional(),
  untilFiscalYear: fiscalYear.optional(),
  provenance: provenanceSchema.optional(),
});

const roundingRuleSchema = z.strictObject({
  mode: z.enum(ROUNDING_MODES),
  decimals: z.number().int().min(0).max(6),
  provenance: provenanceSchema.optional(),
});
export type RoundingRule = z.infer<typeof roundingRuleSchema>;

const roundingSchema = z.strictObject({
  baseT: roundingRuleSchema,
  capT: roundingRuleSchema,
  obligationT: roundingRuleSchema,
  creditT: roundingRuleSchema,
  creditLimitT: roundingRuleSchema,
  emissionsT: roundingRuleSchema,
  coeKl: roundingRuleSchema,
  reductionPercent: roundingRuleSchema,
});

const allocationSchema = z.strictObject({
  surrender: z.literal('annual'),
  /** Status compares cumulative surrenders with cumulative verified emissions since the start of the period. */
  cumulative: z.literal('within_period'),
  /** year_only: status C only when that year's emissions are missing; any_year: when any year so far is missing. */
  missingEmissions: z.enum(['year_only', 'any_year']),
  provenance: provenanceSchema.optional(),
});

const enforcementSchema = z.strictObject({
  /** When obligation and emissions are confirmed late, the deadline moves to this many days after confirmation. */
  lateConfirmationExtensionDays: z.number().int().min(0).max(3650).optional(),
  /** Shortfall order: the facility must reduce shortfall × this. */
  shortfallOrderMultiplier: ratio.optional(),
  penalty: z.strictObject({ amount: decimal, currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'), per: z.enum(['tonne', 'violation']) }).optional(),
  provenance: provenanceSchema.optional(),
});

export const programSchema = z.strictObject({
  schemaVersion: z.literal(PROGRAM_SCHEMA_VERSION),
  id: code,
  name: text,
  version: z.string().regex(/^\d{4}-\d{2}-\d{2}(\.\d+)?$/, 'must be a date-based version such as "2026-11-01"'),
  jurisdiction: z.strictObject({ code: z.string().regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'must be 2–16 capital letters, digits or hyphens'), name: text, timeZone: text }),
  kind: z.enum(['obligation', 'allocation']),
  fiscalYearStartMonth: z.number().int().min(1, 'must be a month 1–12').max(12, 'must be a month 1–12'),
  periods: z.array(periodSchema).min(1, 'a program needs at least one compliance period').max(LIMITS.periods),
  categories: z.array(categorySchema).max(LIMITS.categories),
  reliefs: z.array(reliefSchema).max(LIMITS.reliefs),
  /** sequential: reliefs apply one after another in program order; lowest: each alone, the lowest factor wins. */
  reliefCombination: z.strictObject({ mode: z.enum(['sequential', 'lowest']), provenance: provenanceSchema.optional() }),
  coverage: coverageSchema.optional(),
  baseYear: baseYearSchema.optional(),
  energy: energySchema.optional(),
  emissionFactorSets: z.array(emissionFactorSetSchema).max(LIMITS.factorSets),
  creditTypes: z.array(creditTypeSchema).max(LIMITS.creditTypes),
  excessReduction: excessReductionSchema.optional(),
  banking: bankingSchema,
  deadlines: z.array(deadlineSchema).max(LIMITS.deadlines),
  rounding: roundingSchema,
  allocation: allocationSchema.optional(),
  enforcement: enforcementSchema.optional(),
  notes: z.array(text).max(50).optional(),
});

export type ProgramDefinition = z.infer<typeof programSchema>;
export type Period = ProgramDefinition['periods'][number];
export type Category = ProgramDefinition['categories'][number];
export type Relief = ProgramDefinition['reliefs'][number];
export type CreditType = ProgramDefinition['creditTypes'][number];

/** One problem with a definition: the field path (`periods[2].lastFiscalYear`) and what is wrong. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export type ValidationResult = { readonly ok: true; readonly program: ProgramDefinition } | { readonly ok: false; readonly errors: readonly FieldError[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(definition)' : out;
}

export function formatFieldError(e: FieldError): string {
  return `${e.path}: ${e.message}`;
}

/** Parses and checks a definition: shape first (zod), then the rules that relate fields to each other. */
export function validateProgram(input: unknown): ValidationResult {
  const parsed = programSchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue): FieldError => {
      if (issue.code === 'unrecognized_keys') {
        return { path: formatPath(issue.path), message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
      }
      if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
        return { path: formatPath(issue.path), message: `is required (expected ${issue.expected})` };
      }
      return { path: formatPath(issue.path), message: issue.message };
    });
    return { ok: false, errors };
  }
  const errors = semanticErrors(parsed.data);
  return errors.length === 0 ? { ok: true, program: parsed.data } : { ok: false, errors };
}

/** Like validateProgram, but throws with every error listed; for presets and tests. */
export function programOrThrow(input: unknown): ProgramDefinition {
  const r = validateProgram(input);
  if (!r.ok) throw new Error(`invalid program definition:\n${r.errors.map(formatFieldError).join('\n')}`);
  return r.program;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** The last day of a fiscal year as YYYY-MM-DD (FY2010 with an April start ends 2011-03-31). */
export function fiscalYearEnd(fiscalYearStartMonth: number, fiscalYear: number): string {
  const endMonth = fiscalYearStartMonth === 1 ? 12 : fiscalYearStartMonth - 1;
  const year = fiscalYearStartMonth === 1 ? fiscalYear : fiscalYear + 1;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = endMonth === 2 && leap ? 29 : DAYS_IN_MONTH[endMonth - 1]!;
  return `${year}-${String(endMonth).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function semanticErrors(p: ProgramDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const err = (path: string, message: string): void => {
    errors.push({ path, message });
  };

  // Periods: numbered 1, 2, 3…, each a range of fiscal years, back to back without overlap or gap.
  const periodNumbers = new Set<number>();
  p.periods.forEach((period, i) => {
    const at = `periods[${i}]`;
    if (period.number !== i + 1) err(`${at}.number`, `must be ${i + 1}: periods are numbered 1, 2, 3… in order`);
    periodNumbers.add(period.number);
    if (period.lastFiscalYear < period.firstFiscalYear) {
      err(`${at}.lastFiscalYear`, `must not be before firstFiscalYear (${period.firstFiscalYear})`);
    }
    const prev = p.periods[i - 1];
    if (prev !== undefined && period.firstFiscalYear <= prev.lastFiscalYear) {
      err(`${at}.firstFiscalYear`, `overlaps period ${prev.number} (FY${prev.firstFiscalYear}–FY${prev.lastFiscalYear})`);
    } else if (prev !== undefined && period.firstFiscalYear !== prev.lastFiscalYear + 1) {
      err(`${at}.firstFiscalYear`, `must be ${prev.lastFiscalYear + 1}: periods must follow each other without a gap (period ${prev.number} ends FY${prev.lastFiscalYear})`);
    }
    const end = fiscalYearEnd(p.fiscalYearStartMonth, period.lastFiscalYear);
    if (period.adjustmentWindowEnd <= end) err(`${at}.adjustmentWindowEnd`, `must be after the period ends (${end})`);
    if (period.tradingStart !== undefined && period.tradingStart > period.adjustmentWindowEnd) {
      err(`${at}.tradingStart`, `must not be after adjustmentWindowEnd (${period.adjustmentWindowEnd})`);
    }
  });
  const knownPeriod = (n: number, path: string): boolean => {
    if (periodNumbers.has(n)) return true;
    err(path, `unknown period ${n} (the program has periods ${[...periodNumbers].join(', ')})`);
    return false;
  };

  // Categories: unique codes; obligation programs need one factor for every period.
  const categoryFactor = new Map<string, Map<number, number>>();
  p.categories.forEach((c, i) => {
    if (categoryFactor.has(c.code)) err(`categories[${i}].code`, `duplicate category "${c.code}"`);
    const byPeriod = new Map<number, number>();
    categoryFactor.set(c.code, byPeriod);
    c.factors.forEach((f, j) => {
      if (!knownPeriod(f.period, `categories[${i}].factors[${j}].period`)) return;
      if (byPeriod.has(f.period)) err(`categories[${i}].factors[${j}].period`, `duplicate factor for period ${f.period}`);
      byPeriod.set(f.period, f.factorPpm);
    });
    if (p.kind === 'obligation') {
      const missing = [...periodNumbers].filter((n) => !byPeriod.has(n));
      if (missing.length > 0) err(`categories[${i}].factors`, `no compliance factor for period ${missing.join(', ')}`);
    }
  });
  const knownCategory = (c: string, path: string): boolean => {
    if (categoryFactor.has(c)) return true;
    err(path, `unknown category "${c}" (the program has ${[...categoryFactor.keys()].join(', ') || 'no categories'})`);
    return false;
  };

  // Reliefs: unique codes, known periods and categories, and never raising a factor.
  const reliefCodes = new Set<string>();
  p.reliefs.forEach((r, i) => {
    if (reliefCodes.has(r.code)) err(`reliefs[${i}].code`, `duplicate relief "${r.code}"`);
    reliefCodes.add(r.code);
    const seen = new Set<number>();
    r.rules.forEach((rule, j) => {
      const at = `reliefs[${i}].rules[${j}]`;
      if (!knownPeriod(rule.period, `${at}.period`)) return;
      if (seen.has(rule.period)) err(`${at}.period`, `relief "${r.code}" already has a rule for period ${rule.period}`);
      seen.add(rule.period);
      rule.categories?.forEach((c, k) => knownCategory(c, `${at}.categories[${k}]`));
      if (rule.adjustment.op === 'replace') {
        rule.adjustment.factors.forEach((f, k) => {
          const path = `${at}.adjustment.factors[${k}]`;
          if (!knownCategory(f.category, `${path}.category`)) return;
          const own = categoryFactor.get(f.category)?.get(rule.period);
          if (own !== undefined && f.factorPpm > own) err(`${path}.factorPpm`, `${f.factorPpm} ppm would raise category "${f.category}"'s period ${rule.period} factor (${own} ppm): a relief may only lower it`);
        });
      }
    });
  });

  // Coverage and base year.
  if (p.kind === 'obligation') {
    if (p.coverage === undefined) err('coverage', 'an obligation program needs coverage thresholds');
    if (p.baseYear === undefined) err('baseYear', 'an obligation program needs a base-year rule');
    if (p.categories.length === 0) err('categories', 'an obligation program needs at least one facility category');
  } else if (p.allocation === undefined) {
    err('allocation', 'an allocation program needs its surrender and status rules');
  }
  if (p.coverage !== undefined && p.coverage.obligationAfterConsecutiveYears < p.coverage.designationAfterYears) {
    err('coverage.obligationAfterConsecutiveYears', `must be at least designationAfterYears (${p.coverage.designationAfterYears})`);
  }
  if (p.baseYear !== undefined) {
    const b = p.baseYear;
    if (b.windowLastFiscalYear < b.windowFirstFiscalYear) err('baseYear.windowLastFiscalYear', `must not be before windowFirstFiscalYear (${b.windowFirstFiscalYear})`);
    else if (b.consecutiveYears > b.windowLastFiscalYear - b.windowFirstFiscalYear + 1) err('baseYear.consecutiveYears', `${b.consecutiveYears} consecutive years do not fit in the window FY${b.windowFirstFiscalYear}–FY${b.windowLastFiscalYear}`);
  }

  // Energy sources and emission factors.
  if (p.energy === undefined && p.coverage?.metric === 'crude_oil_equivalent_kl') err('energy', 'coverage is measured in crude-oil-equivalent kL, so the program needs energy conversion factors');
  if (p.energy !== undefined && !positive(p.energy.klCrudeOilPerGj)) err('energy.klCrudeOilPerGj', 'must be greater than 0');
  const energies = new Set<string>();
  p.energy?.sources.forEach((s, i) => {
    if (energies.has(s.code)) err(`energy.sources[${i}].code`, `duplicate energy source "${s.code}"`);
    energies.add(s.code);
  });
  const periodSet = new Map<number, string>();
  p.emissionFactorSets.forEach((set, i) => {
    set.periods.forEach((n, j) => {
      if (!knownPeriod(n, `emissionFactorSets[${i}].periods[${j}]`)) return;
      const other = periodSet.get(n);
      if (other !== undefined) err(`emissionFactorSets[${i}].periods[${j}]`, `period ${n} already uses emission-factor set "${other}"`);
      periodSet.set(n, set.id);
    });
    const inSet = new Set<string>();
    set.factors.forEach((f, j) => {
      const at = `emissionFactorSets[${i}].factors[${j}]`;
      if (!energies.has(f.energy)) err(`${at}.energy`, `unknown energy source "${f.energy}" (declare it under energy.sources)`);
      if (inSet.has(f.energy)) err(`${at}.energy`, `duplicate factor for "${f.energy}" in this set`);
      inSet.add(f.energy);
      if (f.method === 'fixed' && f.tCo2PerUnit === undefined) err(`${at}.tCo2PerUnit`, 'a fixed emission factor needs a value');
      if (f.method === 'supplier_specific' && f.tCo2PerUnit !== undefined) err(`${at}.tCo2PerUnit`, 'a supplier-specific factor takes its value from the supplier, not the program');
    });
  });

  // Credit types.
  const creditCodes = new Set<string>();
  p.creditTypes.forEach((c, i) => {
    if (creditCodes.has(c.code)) err(`creditTypes[${i}].code`, `duplicate credit type "${c.code}"`);
    creditCodes.add(c.code);
    c.multipliers?.forEach((m, j) => {
      knownPeriod(m.period, `creditTypes[${i}].multipliers[${j}].period`);
      if (!positive(m.ratio)) err(`creditTypes[${i}].multipliers[${j}].ratio`, 'must be greater than 0');
    });
  });
  if (p.kind === 'obligation' && p.creditTypes.some((c) => c.kind === 'excess_reduction_credit') && p.excessReduction === undefined) {
    err('excessReduction', 'the program has excess-reduction credits, so it needs the excess-reduction rule');
  }

  // Deadlines.
  p.deadlines.forEach((d, i) => {
    if (d.day > DAYS_IN_MONTH[d.month - 1]!) err(`deadlines[${i}].day`, `month ${d.month} has no day ${d.day}`);
    if (d.fromFiscalYear !== undefined && d.untilFiscalYear !== undefined && d.untilFiscalYear < d.fromFiscalYear) {
      err(`deadlines[${i}].untilFiscalYear`, `must not be before fromFiscalYear (${d.fromFiscalYear})`);
    }
  });
  return errors;
}

function positive(decimalText: string): boolean {
  const r = Rational.parseRatio(decimalText);
  return r !== undefined && r.gt(Rational.of(0n));
}
