// Report lines to crude-oil equivalent and CO2: exact rational arithmetic with the program's energy sources, the
// emission-factor set of the fiscal year's period and its rounding rules. Pure: no database, no clock.
import { applyRounding } from '../compliance/caps.js';
import { Rational } from '../compliance/rational.js';
import { refusal, type Refusal } from '../errors.js';
import type { Period, ProgramDefinition } from '../program/schema.js';

/** Most lines one report carries (TIGER_STYLE: a bound on everything). */
export const REPORT_LINES_MAX = 200;
/** The unit other-gas lines are given in: tonnes of CO2 equivalent. */
export const OTHER_GAS_UNIT = 't_CO2e';
export const LINE_KINDS = ['energy', 'other_gas'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

const QUANTITY = /^-?\d{1,30}(\.\d{1,18})?$/;
const GAS_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const KG_PER_T = 1000n;
const L_PER_KL = 1000n;

/** One line as the operator enters it; the quantity is a decimal string kept exactly as entered. */
export interface LineInput {
  readonly kind: LineKind;
  /** Energy: the program's energy source code (`city_gas`). Other gas: the gas (`CH4`, `N2O`, `HFC`…). */
  readonly source: string;
  readonly quantity: string;
  /** Energy: the source's unit (`MWh`). Other gas: `t_CO2e`. */
  readonly unit: string;
  /** Only for sources whose factor is supplier-specific (Tokyo P4 grid electricity): the supplier's published t-CO2 per unit. */
  readonly tCo2PerUnit?: string;
}

export interface ComputedLine {
  readonly lineNo: number;
  readonly kind: LineKind;
  readonly source: string;
  readonly quantity: string;
  readonly unit: string;
  /** Crude-oil equivalent in litres (program coeKl rounding, per line). */
  readonly coeL: bigint;
  /** Energy lines: CO2 in kg; other-gas lines: CO2 equivalent in kg (emissionsT rounding mode, to whole kg, per line). */
  readonly co2Kg: bigint;
}

export interface ReportTotals {
  /** Sum of the lines' crude-oil equivalent: what designation compares with the coverage threshold. */
  readonly coeL: bigint;
  /** Energy-origin CO2, the sum of energy lines: the report's emissions, the figure caps apply to. */
  readonly energyCo2Kg: bigint;
  /** Other greenhouse gases, reported alongside but not part of the capped emissions. */
  readonly otherGasCo2eKg: bigint;
}

export interface ConvertedReport {
  readonly period: Period;
  readonly factorSetId: string;
  readonly lines: readonly ComputedLine[];
  readonly totals: ReportTotals;
}

export type Converted = { readonly ok: true; readonly value: ConvertedReport } | { readonly ok: false; readonly refusals: readonly Refusal[] };

/** The compliance period containing a fiscal year, if any. */
export function periodOfFiscalYear(program: ProgramDefinition, fiscalYear: number): Period | undefined {
  return program.periods.find((p) => fiscalYear >= p.firstFiscalYear && fiscalYear <= p.lastFiscalYear);
}

export function inBaseYearWindow(program: ProgramDefinition, fiscalYear: number): boolean {
  const b = program.baseYear;
  return b !== undefined && fiscalYear >= b.windowFirstFiscalYear && fiscalYear <= b.windowLastFiscalYear;
}

/**
 * The period whose emission factors a fiscal year's report uses. Years inside a period use that period's; years in
 * the base-year window before the first period (Tokyo FY2002–2007) use the first period's factors, as Tokyo computed
 * base-year emissions with the P1 factors. Any other year is outside the program.
 */
export function reportingPeriod(program: ProgramDefinition, fiscalYear: number): { ok: true; period: Period } | { ok: false; refusal: Refusal } {
  const own = periodOfFiscalYear(program, fiscalYear);
  if (own !== undefined) return { ok: true, period: own };
  const first = program.periods[0]!;
  if (inBaseYearWindow(program, fiscalYear) && fiscalYear < first.firstFiscalYear) return { ok: true, period: first };
  const last = program.periods[program.periods.length - 1]!;
  const window = program.baseYear === undefined ? '' : ` or the base-year window FY${program.baseYear.windowFirstFiscalYear}–FY${program.baseYear.windowLastFiscalYear}`;
  return {
    ok: false,
    refusal: refusal('FISCAL_YEAR_OUTSIDE_PROGRAM', `FY${fiscalYear} is outside every period of program ${program.id} (FY${first.firstFiscalYear}–FY${last.lastFiscalYear}${window}).`, 'fiscalYear'),
  };
}

/** Parses a quantity: a plain non-negative decimal string such as "1234.5". */
export function parseQuantity(text: string, field: string): { ok: true; value: Rational } | { ok: false; refusal: Refusal } {
  if (!QUANTITY.test(text)) {
    return { ok: false, refusal: refusal('QUANTITY_NOT_DECIMAL', `"${text.slice(0, 40)}" is not a decimal number; write it like "1234.5" (up to 30 digits and 18 decimals).`, field) };
  }
  const value = Rational.parseDecimal(text)!;
  if (value.isNegative()) return { ok: false, refusal: refusal('NEGATIVE_QUANTITY', `the quantity must not be negative (got ${text}).`, field) };
  return { ok: true, value };
}

/** Whole litres from crude-oil-equivalent kL with the program's coeKl rule (Tokyo: 3 decimals, half up). */
export function coeLitres(program: ProgramDefinition, coeKl: Rational): bigint {
  const rule = program.rounding.coeKl;
  const kl = applyRounding(coeKl, rule);
  // A rule with more than 3 decimals still ends in whole litres, in the rule's direction.
  return kl.mul(L_PER_KL).round(0, rule.mode).toBigInt();
}

/** Whole kilograms from tonnes, rounding with the program's emissionsT mode (its decimals apply to tonne figures, later). */
export function co2Kilograms(program: ProgramDefinition, tonnes: Rational): bigint {
  return tonnes.mul(KG_PER_T).round(0, program.rounding.emissionsT.mode).toBigInt();
}

/**
 * Validates and converts a report's lines for a fiscal year. Every problem is returned, each naming its field
 * (`lines[2].source`), so the operator can fix them all at once; nothing is computed unless all lines are valid.
 */
export function convertReport(program: ProgramDefinition, fiscalYear: number, lines: readonly LineInput[]): Converted {
  const refused = (r: Refusal): Converted => ({ ok: false, refusals: [r] });
  if (!Number.isInteger(fiscalYear)) return refused(refusal('FISCAL_YEAR_INVALID', 'the fiscal year is a whole year such as 2016.', 'fiscalYear'));
  const reporting = reportingPeriod(program, fiscalYear);
  if (!reporting.ok) return refused(reporting.refusal);
  if (lines.length > REPORT_LINES_MAX) return refused(refusal('TOO_MANY_LINES', `a report has at most ${REPORT_LINES_MAX} lines (got ${lines.length}).`, 'lines'));
  const period = reporting.period;
  const set = program.emissionFactorSets.find((s) => s.periods.includes(period.number));
  if (set === undefined) return refused(refusal('NO_EMISSION_FACTORS', `program ${program.id} has no emission-factor set for period ${period.number}.`, 'fiscalYear'));
  const energy = program.energy;
  const klPerGj = energy === undefined ? undefined : Rational.parseDecimal(energy.klCrudeOilPerGj);

  const refusals: Refusal[] = [];
  const out: ComputedLine[] = [];
  lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    const kind = line.kind as string;
    if (!(LINE_KINDS as readonly string[]).includes(kind)) {
      refusals.push(refusal('LINE_KIND_INVALID', `a line is one of: ${LINE_KINDS.join(', ')} (got "${kind}").`, `${at}.kind`));
      return;
    }
    const quantity = parseQuantity(line.quantity, `${at}.quantity`);
    if (line.kind === 'other_gas') {
      if (!GAS_CODE.test(line.source)) refusals.push(refusal('GAS_INVALID', 'name the gas with 1–32 letters, digits, "_", "." or "-" (e.g. CH4).', `${at}.source`));
      if (line.unit !== OTHER_GAS_UNIT) refusals.push(refusal('UNIT_MISMATCH', `other-gas lines are given in ${OTHER_GAS_UNIT} (got "${line.unit}").`, `${at}.unit`));
      if (line.tCo2PerUnit !== undefined) refusals.push(refusal('FACTOR_NOT_ALLOWED', 'other-gas lines are already in t CO2e and take no factor.', `${at}.tCo2PerUnit`));
      if (!quantity.ok) refusals.push(quantity.refusal);
      if (refusals.length > 0 || !quantity.ok) return;
      out.push({ lineNo: i + 1, kind: 'other_gas', source: line.source, quantity: line.quantity, unit: line.unit, coeL: 0n, co2Kg: co2Kilograms(program, quantity.value) });
      return;
    }
    const source = energy?.sources.find((s) => s.code === line.source);
    if (source === undefined) {
      const known = energy?.sources.map((s) => s.code).join(', ') ?? 'none';
      refusals.push(refusal('UNKNOWN_SOURCE', `program ${program.id} has no energy source "${line.source.slice(0, 40)}" (sources: ${known}).`, `${at}.source`));
      if (!quantity.ok) refusals.push(quantity.refusal);
      return;
    }
    if (line.unit !== source.unit) refusals.push(refusal('UNIT_MISMATCH', `${source.code} is reported in ${source.unit} (got "${line.unit}").`, `${at}.unit`));
    if (!quantity.ok) refusals.push(quantity.refusal);
    const factor = set.factors.find((f) => f.energy === source.code);
    let tCo2PerUnit: Rational | undefined;
    if (factor === undefined) {
      refusals.push(refusal('NO_EMISSION_FACTOR', `emission-factor set ${set.id} (period ${period.number}) has no factor for ${source.code}.`, `${at}.source`));
    } else if (factor.method === 'fixed') {
      if (line.tCo2PerUnit !== undefined) refusals.push(refusal('FACTOR_NOT_ALLOWED', `${source.code} uses the program's fixed factor in period ${period.number}; do not give one.`, `${at}.tCo2PerUnit`));
      tCo2PerUnit = Rational.parseDecimal(factor.tCo2PerUnit ?? '');
    } else if (line.tCo2PerUnit === undefined) {
      refusals.push(refusal('SUPPLIER_FACTOR_REQUIRED', `${source.code} uses the supplier's published factor in period ${period.number}; give it as t-CO2 per ${source.unit}.`, `${at}.tCo2PerUnit`));
    } else {
      const supplier = parseQuantity(line.tCo2PerUnit, `${at}.tCo2PerUnit`);
      if (supplier.ok) tCo2PerUnit = supplier.value;
      else refusals.push(supplier.refusal);
    }
    const gjPerUnit = Rational.parseDecimal(source.gjPerUnit);
    if (!quantity.ok || tCo2PerUnit === undefined || gjPerUnit === undefined || klPerGj === undefined || refusals.length > 0) return;
    out.push({
      lineNo: i + 1,
      kind: 'energy',
      source: source.code,
      quantity: line.quantity,
      unit: line.unit,
      coeL: coeLitres(program, quantity.value.mul(gjPerUnit).mul(klPerGj)),
      co2Kg: co2Kilograms(program, quantity.value.mul(tCo2PerUnit)),
    });
  });
  if (refusals.length > 0) return { ok: false, refusals };
  return { ok: true, value: { period, factorSetId: set.id, lines: out, totals: totalsOf(out) } };
}

/** Totals are sums of the rounded lines, so a report always adds up line by line. */
export function totalsOf(lines: readonly ComputedLine[]): ReportTotals {
  let coeL = 0n;
  let energyCo2Kg = 0n;
  let otherGasCo2eKg = 0n;
  for (const l of lines) {
    coeL += l.coeL;
    if (l.kind === 'energy') energyCo2Kg += l.co2Kg;
    else otherGasCo2eKg += l.co2Kg;
  }
  return { coeL, energyCo2Kg, otherGasCo2eKg };
}

/** Crude-oil equivalent litres as kL for people ("3108.74"). */
export function litresAsKl(coeL: bigint): string {
  return Rational.of(coeL, L_PER_KL).toDecimal(3);
}
