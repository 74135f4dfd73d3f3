// The report form's live preview: a line's crude-oil equivalent and CO2 as the server computes them
// (src/domain/mrv/conversion.ts), in exact rational arithmetic over bigint with the program's rounding rules. The
// server's figures after saving are authoritative; this only lets the operator see them while typing.
import type { ProgramDefinition, RoundingRule } from './types';

/** A non-negative rational num/den (den > 0). */
interface Ratio {
  readonly num: bigint;
  readonly den: bigint;
}

const DECIMAL = /^(\d{1,30})(?:\.(\d{1,18}))?$/;

/** "1234.5" → 12345/10; undefined when the text is not a plain non-negative decimal (as the server requires). */
export function parseDecimal(text: string): Ratio | undefined {
  const m = DECIMAL.exec(text.trim());
  if (m === null) return undefined;
  const frac = m[2] ?? '';
  return { num: BigInt(`${m[1]!}${frac}`), den: 10n ** BigInt(frac.length) };
}

const mul = (a: Ratio, b: Ratio): Ratio => ({ num: a.num * b.num, den: a.den * b.den });

/** Rounds a non-negative ratio to `decimals` with the program's mode; the result is an integer of 10^-decimals. */
function roundScaled(x: Ratio, decimals: number, mode: RoundingRule['mode']): bigint {
  const scaled = x.num * 10n ** BigInt(decimals);
  let q = scaled / x.den;
  const r = scaled % x.den;
  if (r === 0n) return q;
  const twice = r * 2n;
  switch (mode) {
    case 'ceil':
      q += 1n;
      break;
    case 'half_up':
      if (twice >= x.den) q += 1n;
      break;
    case 'half_even':
      if (twice > x.den || (twice === x.den && q % 2n !== 0n)) q += 1n;
      break;
    default: // floor, truncate: toward zero for non-negative values
      break;
  }
  return q;
}

/** Whole litres of crude-oil equivalent, as coeLitres() does: round kL with the coeKl rule, then to whole litres. */
function coeLitres(program: ProgramDefinition, kl: Ratio): bigint {
  const rule = program.rounding.coeKl;
  const rounded = roundScaled(kl, rule.decimals, rule.mode);
  // kl rounded to `decimals` → litres = rounded × 1000 / 10^decimals, rounded again (whole litres) in the rule's mode.
  return roundScaled({ num: rounded * 1000n, den: 10n ** BigInt(rule.decimals) }, 0, rule.mode);
}

export interface LinePreview {
  readonly coeL: bigint;
  readonly co2Kg: bigint;
}

export interface LineDraft {
  readonly kind: 'energy' | 'other_gas';
  readonly source: string;
  readonly quantity: string;
  readonly tCo2PerUnit: string;
}

/** The period whose factors a fiscal year uses: its own, or the first period's for the base-year window before it. */
export function reportingPeriodOf(program: ProgramDefinition, fiscalYear: number): number | undefined {
  const own = program.periods.find((p) => fiscalYear >= p.firstFiscalYear && fiscalYear <= p.lastFiscalYear);
  if (own !== undefined) return own.number;
  const first = program.periods[0];
  const b = program.baseYear;
  if (first !== undefined && b !== undefined && fiscalYear >= b.windowFirstFiscalYear && fiscalYear <= b.windowLastFiscalYear && fiscalYear < first.firstFiscalYear) return first.number;
  return undefined;
}

/** The factor method of an energy source in a fiscal year's period ('fixed' with its value, or 'supplier_specific'). */
export function factorOf(program: ProgramDefinition, fiscalYear: number, source: string): { method: string; tCo2PerUnit?: string } | undefined {
  const period = reportingPeriodOf(program, fiscalYear);
  if (period === undefined) return undefined;
  const set = program.emissionFactorSets.find((s) => s.periods.includes(period));
  const f = set?.factors.find((x) => x.energy === source);
  return f === undefined ? undefined : { method: f.method, ...(f.tCo2PerUnit === undefined ? {} : { tCo2PerUnit: f.tCo2PerUnit }) };
}

/** A line's figures, or undefined while it cannot be computed (incomplete or invalid input: the form says why). */
export function previewLine(program: ProgramDefinition, fiscalYear: number, line: LineDraft): LinePreview | undefined {
  const quantity = parseDecimal(line.quantity);
  if (quantity === undefined) return undefined;
  const kgMode = program.rounding.emissionsT.mode;
  if (line.kind === 'other_gas') return { coeL: 0n, co2Kg: roundScaled(mul(quantity, { num: 1000n, den: 1n }), 0, kgMode) };
  const source = program.energy?.sources.find((s) => s.code === line.source);
  const klPerGj = program.energy === undefined ? undefined : parseDecimal(program.energy.klCrudeOilPerGj);
  const gjPerUnit = source === undefined ? undefined : parseDecimal(source.gjPerUnit);
  const factor = factorOf(program, fiscalYear, line.source);
  const t = factor === undefined ? undefined : factor.method === 'fixed' ? parseDecimal(factor.tCo2PerUnit ?? '') : parseDecimal(line.tCo2PerUnit);
  if (klPerGj === undefined || gjPerUnit === undefined || t === undefined) return undefined;
  return {
    coeL: coeLitres(program, mul(mul(quantity, gjPerUnit), klPerGj)),
    co2Kg: roundScaled(mul(mul(quantity, t), { num: 1000n, den: 1n }), 0, kgMode),
  };
}

/** Litres as kL with three decimals ("3108.740"), exact. */
export function litresAsKl(litres: bigint): string {
  const whole = litres / 1000n;
  const frac = (litres % 1000n).toString().padStart(3, '0');
  return `${whole.toString()}.${frac}`;
}

/** Kilograms as tonnes with three decimals, exact ("6037.037"). */
export const kgAsT = litresAsKl;
