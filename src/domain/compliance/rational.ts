// Exact rational arithmetic over bigint for caps, obligations and credits: no floating point anywhere.
// A program's rounding rule is applied once, at the end, by `round`.
import { assert } from '../assert.js';

export const ROUNDING_MODES = ['floor', 'ceil', 'truncate', 'half_up', 'half_even'] as const;
/** floor/ceil toward −∞/+∞; truncate toward zero; half_up rounds halves away from zero; half_even to the even neighbour. */
export type RoundingMode = (typeof ROUNDING_MODES)[number];

const DECIMAL = /^(-)?(\d{1,30})(?:\.(\d{1,18}))?$/;
const FRACTION = /^(\d{1,30})\/(\d{1,30})$/;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** An exact fraction num/den with den > 0, always in lowest terms. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    assert(den !== 0n, 'a rational has a non-zero denominator');
    const sign = den < 0n ? -1n : 1n;
    const g = gcd(num, den) || 1n;
    this.num = (sign * num) / g;
    this.den = (sign * den) / g;
  }

  static of(num: bigint | number, den: bigint | number = 1n): Rational {
    if (typeof num === 'number') assert(Number.isSafeInteger(num), 'rational numerator is a safe integer');
    if (typeof den === 'number') assert(Number.isSafeInteger(den), 'rational denominator is a safe integer');
    return new Rational(BigInt(num), BigInt(den));
  }

  /** Parts per million, the program definition's unit for factors (170000 ppm = 17 %). */
  static ppm(ppm: bigint | number): Rational {
    return Rational.of(ppm, 1_000_000n);
  }

  /** Parses "12.13", "-3", "1500" exactly; undefined when the text is not a plain decimal. */
  static parseDecimal(text: string): Rational | undefined {
    const m = DECIMAL.exec(text.trim());
    if (m === null) return undefined;
    const frac = m[3] ?? '';
    const digits = BigInt(m[2]! + frac);
    return new Rational(m[1] === '-' ? -digits : digits, 10n ** BigInt(frac.length));
  }

  /** Parses a ratio written as "1/3" or as a decimal "0.75"; undefined otherwise or when the denominator is 0. */
  static parseRatio(text: string): Rational | undefined {
    const m = FRACTION.exec(text.trim());
    if (m === null) return Rational.parseDecimal(text);
    const den = BigInt(m[2]!);
    return den === 0n ? undefined : new Rational(BigInt(m[1]!), den);
  }

  add(o: Rational): Rational {
    return new Rational(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Rational): Rational {
    return new Rational(this.num * o.den - o.num * this.den, this.den * o.den);
  }

  mul(o: Rational | bigint): Rational {
    return typeof o === 'bigint' ? new Rational(this.num * o, this.den) : new Rational(this.num * o.num, this.den * o.den);
  }

  div(o: Rational | bigint): Rational {
    const d = typeof o === 'bigint' ? Rational.of(o) : o;
    assert(d.num !== 0n, 'no division by zero');
    return new Rational(this.num * d.den, this.den * d.num);
  }

  cmp(o: Rational): -1 | 0 | 1 {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }

  lt(o: Rational): boolean {
    return this.cmp(o) < 0;
  }

  lte(o: Rational): boolean {
    return this.cmp(o) <= 0;
  }

  gt(o: Rational): boolean {
    return this.cmp(o) > 0;
  }

  gte(o: Rational): boolean {
    return this.cmp(o) >= 0;
  }

  eq(o: Rational): boolean {
    return this.cmp(o) === 0;
  }

  isNegative(): boolean {
    return this.num < 0n;
  }

  static min(a: Rational, b: Rational): Rational {
    return a.lte(b) ? a : b;
  }

  static max(a: Rational, b: Rational): Rational {
    return a.gte(b) ? a : b;
  }

  /** Rounds to `decimals` places with the given mode; the result is exact (a multiple of 10^-decimals). */
  round(decimals: number, mode: RoundingMode): Rational {
    assert(Number.isInteger(decimals) && decimals >= 0 && decimals <= 18, 'rounding keeps 0–18 decimals');
    const scale = 10n ** BigInt(decimals);
    const scaled = this.num * scale;
    let q = scaled / this.den; // truncated toward zero
    const r = scaled % this.den; // same sign as scaled
    if (r !== 0n) {
      const positive = scaled > 0n;
      const twice = (r < 0n ? -r : r) * 2n;
      switch (mode) {
        case 'floor':
          if (!positive) q -= 1n;
          break;
        case 'ceil':
          if (positive) q += 1n;
          break;
        case 'truncate':
          break;
        case 'half_up':
          if (twice >= this.den) q += positive ? 1n : -1n;
          break;
        case 'half_even':
          if (twice > this.den || (twice === this.den && q % 2n !== 0n)) q += positive ? 1n : -1n;
          break;
      }
    }
    return new Rational(q, scale);
  }

  /** Whether the decimal expansion terminates (the denominator has only the factors 2 and 5). */
  isTerminating(): boolean {
    let d = this.den;
    while (d % 2n === 0n) d /= 2n;
    while (d % 5n === 0n) d /= 5n;
    return d === 1n;
  }

  /**
   * Decimal text without trailing zeros. Exact when the expansion terminates within `maxDecimals`;
   * otherwise rounded half-even to `maxDecimals` places (use `round` first when a program rule applies).
   */
  toDecimal(maxDecimals = 12): string {
    const r = this.round(maxDecimals, 'half_even');
    const neg = r.num < 0n;
    const abs = neg ? -r.num : r.num;
    const scale = 10n ** BigInt(maxDecimals);
    const scaled = (abs * scale) / r.den;
    const int = scaled / scale;
    let frac = (scaled % scale).toString().padStart(maxDecimals, '0').replace(/0+$/, '');
    if (maxDecimals === 0) frac = '';
    const text = frac === '' ? int.toString() : `${int}.${frac}`;
    return neg && text !== '0' ? `-${text}` : text;
  }

  /** The integer value; asserts that the rational is whole. */
  toBigInt(): bigint {
    assert(this.den === 1n, 'rational is a whole number');
    return this.num;
  }

  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }
}

export const ZERO = Rational.of(0n);
export const ONE = Rational.of(1n);
