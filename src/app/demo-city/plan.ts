// The demo city's facilities and their energy use, year by year: a pure, seeded plan (no database) whose aggregate
// figures reproduce Tokyo's published results (figures.ts). Every figure is computed with the program's own
// conversion and base-year rules, exactly as the reporting use-cases will compute them from the same lines.
//
// How it is calibrated (docs/demo.md): each facility gets a type, a size and an energy mix; its base-year reports
// (FY2002–FY2007) vary around that profile and it chooses the three consecutive years with the highest emissions.
// All quantities are then scaled so that the bases restated with period-2 factors add up to 16.50 Mt. Each later
// year, every facility's energy use is its base profile times a level: fixed for the planned laggards (they reduce
// less than their obligation and must buy credits), and a common factor times the facility's own drift for the
// others, the common factor solved so that the year's total meets the published figure. A last correction on the
// largest facility absorbs the rounding, so totals land on the published figures to the tonne.
import { Rational } from '../../domain/compliance/rational.js';
import { assert } from '../../domain/assert.js';
import { averageBaseYear, wholeTonnes } from '../../domain/mrv/base-year.js';
import { convertReport, periodOfFiscalYear, type LineInput } from '../../domain/mrv/conversion.js';
import type { ProgramDefinition } from '../../domain/program/schema.js';
import { emissionsTOfKg } from '../compliance.js';
import { prng } from '../demo-ledger.js';
import { DEMO_FIRST_FISCAL_YEAR, DEMO_LAST_FISCAL_YEAR, PERIOD1_TARGET_REDUCTION, PUBLISHED_BASE_MT, PUBLISHED_YEARS } from './figures.js';

export const BASE_WINDOW_YEARS = [2002, 2003, 2004, 2005, 2006, 2007] as const;
/** Facilities the plan supports (TIGER_STYLE: a bound on everything). */
export const DEMO_FACILITIES_MIN = 20;
export const DEMO_FACILITIES_MAX = 10_000;

type Source = 'electricity_grid' | 'city_gas' | 'heavy_oil_a' | 'kerosene' | 'lpg' | 'district_heat';

interface FacilityType {
  readonly useType: string;
  readonly category: 'I-1' | 'I-2' | 'II';
  /** Share of the facilities. */
  readonly share: number;
  /** Median base-year emissions, t-CO2/year (period-1 factors), before the calibration scales them. */
  readonly medianT: number;
  /** Share of each source in the CO2 (period-1 factors). */
  readonly mix: Readonly<Partial<Record<Source, number>>>;
  /** Typical CO2 per floor area, kg/m² (for the floor area; 0: none recorded). */
  readonly kgPerM2: number;
  /** COVID: level in FY2020 and FY2021 relative to the trend. */
  readonly covid: readonly [number, number];
}

/**
 * Tokyo's mix: about 1,100 business facilities and 300 factories at launch, ~1,200 facilities later (tokyo_cat.md
 * §1.5); categories I-1 (offices, commercial, DHC), I-2 (offices using much supplied heat) and II (factories, water
 * works), §1.3. The shares and sizes are the demo's assumptions.
 */
export const FACILITY_TYPES: readonly FacilityType[] = [
  { useType: 'office', category: 'I-1', share: 0.4, medianT: 7_000, mix: { electricity_grid: 0.82, city_gas: 0.18 }, kgPerM2: 95, covid: [0.95, 0.97] },
  { useType: 'office', category: 'I-2', share: 0.1, medianT: 6_500, mix: { electricity_grid: 0.62, district_heat: 0.33, city_gas: 0.05 }, kgPerM2: 90, covid: [0.95, 0.97] },
  { useType: 'commercial', category: 'I-1', share: 0.14, medianT: 9_000, mix: { electricity_grid: 0.86, city_gas: 0.14 }, kgPerM2: 120, covid: [0.86, 0.93] },
  { useType: 'hotel', category: 'I-1', share: 0.04, medianT: 8_000, mix: { electricity_grid: 0.55, city_gas: 0.4, kerosene: 0.05 }, kgPerM2: 130, covid: [0.82, 0.9] },
  { useType: 'hospital', category: 'I-1', share: 0.04, medianT: 9_000, mix: { electricity_grid: 0.5, city_gas: 0.38, heavy_oil_a: 0.12 }, kgPerM2: 140, covid: [1.02, 1.01] },
  { useType: 'university', category: 'I-1', share: 0.04, medianT: 11_000, mix: { electricity_grid: 0.75, city_gas: 0.25 }, kgPerM2: 70, covid: [0.9, 0.95] },
  { useType: 'dhc_plant', category: 'I-1', share: 0.05, medianT: 22_000, mix: { electricity_grid: 0.3, city_gas: 0.7 }, kgPerM2: 0, covid: [0.95, 0.97] },
  { useType: 'factory', category: 'II', share: 0.16, medianT: 13_000, mix: { electricity_grid: 0.55, city_gas: 0.25, heavy_oil_a: 0.15, lpg: 0.05 }, kgPerM2: 0, covid: [0.96, 0.99] },
  { useType: 'water_works', category: 'II', share: 0.03, medianT: 16_000, mix: { electricity_grid: 0.95, heavy_oil_a: 0.05 }, kgPerM2: 0, covid: [1, 1] },
];

const WARDS = [
  'Chiyoda', 'Chuo', 'Minato', 'Shinjuku', 'Bunkyo', 'Taito', 'Sumida', 'Koto', 'Shinagawa', 'Meguro', 'Ota', 'Setagaya',
  'Shibuya', 'Nakano', 'Suginami', 'Toshima', 'Kita', 'Arakawa', 'Itabashi', 'Nerima', 'Adachi', 'Katsushika', 'Edogawa',
  'Hachioji', 'Tachikawa', 'Musashino', 'Mitaka', 'Fuchu', 'Chofu', 'Machida',
] as const;
const BUILDING_WORDS = ['Tower', 'Square', 'Center', 'Building', 'Terrace', 'Gate', 'Plaza', 'Court', 'Front', 'Hills'] as const;
const COMPANIES = ['Asahi Demo', 'Sakura Demo', 'Kaede Demo', 'Fuji Demo', 'Midori Demo', 'Hikari Demo', 'Tsubasa Demo', 'Aoba Demo'] as const;

/** The four facilities the demo users operate: A sells credits, C (period 2) and D (period 1) buy them. */
export const SHOWCASE = ['A', 'B', 'C', 'D'] as const;
export type Showcase = (typeof SHOWCASE)[number];
const SHOWCASE_TYPE: Record<Showcase, number> = { A: 0, B: 1, C: 2, D: 7 };

export interface DeclaredYear {
  readonly fiscalYear: number;
  readonly coeKl: string;
}

export interface FacilityPlan {
  readonly index: number;
  readonly code: string;
  readonly name: string;
  readonly owner: string;
  readonly category: 'I-1' | 'I-2' | 'II';
  readonly useType: string;
  readonly floorAreaM2: bigint | undefined;
  readonly city: string;
  readonly showcase: Showcase | null;
  /** Crude-oil-equivalent use declared at registration (FY2007–FY2009): the first designation follows from it. */
  readonly declaredEnergy: readonly DeclaredYear[];
  readonly baseWindow: { readonly first: number; readonly last: number };
  /** The lines of every report: FY2002–FY2007 and FY2010–FY2023. */
  readonly reports: ReadonlyMap<number, readonly LineInput[]>;
  /** Base as chosen (period-1 factors), kg and t; and restated with period-2 factors, t. */
  readonly baseKg: bigint;
  readonly baseT: bigint;
  readonly baseP2T: bigint;
  /** Verified emissions per fiscal year, whole tonnes, as the compliance run counts them. */
  readonly emissionsT: ReadonlyMap<number, bigint>;
  /** Planned to reduce less than the obligation in period 1 or 2 (others may fall short too). */
  readonly laggard: { readonly p1: boolean; readonly p2: boolean };
}

export interface CityPlan {
  readonly seed: number;
  readonly facilities: readonly FacilityPlan[];
  /** Σ bases with period-1 factors and with period-2 factors (what the disclosure summary adds up). */
  readonly baseP1T: bigint;
  readonly baseP2T: bigint;
  /** The total each fiscal year aims at, and what the plan's reports add up to. */
  readonly targetT: ReadonlyMap<number, bigint>;
  readonly totalT: ReadonlyMap<number, bigint>;
}

/** A normal variate from two uniforms (Box–Muller); deterministic given the PRNG. */
function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Per facility while planning: the energy profile (quantities for a unit level) and the random draws. */
interface Draft {
  readonly index: number;
  readonly type: FacilityType;
  readonly showcase: Showcase | null;
  readonly sources: readonly Source[];
  /** Quantity per source at level 1 (the base-year profile), in the source's unit. */
  profile: number[];
  readonly baseVariation: readonly number[];
  readonly drift: number;
  readonly noise: readonly number[];
  readonly laggardP1: boolean;
  readonly laggardP2: boolean;
  readonly laggardReduction: readonly number[];
  readonly ward: string;
  readonly nameWord: string;
  readonly company: string;
  /** Set while calibrating. */
  window?: { first: number; last: number };
  windowLevel?: number;
  reports: Map<number, LineInput[]>;
  kg: Map<number, bigint>;
  baseKg?: bigint;
  baseT?: bigint;
  baseP2T?: bigint;
}

export function planDemoCity(program: ProgramDefinition, options: { seed: number; facilities: number }): CityPlan {
  const n = options.facilities;
  assert(Number.isInteger(n) && n >= DEMO_FACILITIES_MIN && n <= DEMO_FACILITIES_MAX, `the demo city has ${DEMO_FACILITIES_MIN} to ${DEMO_FACILITIES_MAX} facilities`);
  const random = prng(options.seed);
  const units = new Map(program.energy?.sources.map((s) => [s.code, s.unit]) ?? []);
  const p1 = factorsOf(program, 1);

  // Types in their proportions (largest remainder), the showcase facilities first, the rest shuffled.
  const counts = FACILITY_TYPES.map((t) => Math.floor(t.share * n));
  const order = FACILITY_TYPES.map((t, i) => ({ i, rest: t.share * n - Math.floor(t.share * n) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (let k = 0; counts.reduce((s, c) => s + c, 0) < n; k++) counts[order[k % order.length]!.i]!++;
  const typeOf: number[] = [];
  for (const s of SHOWCASE) {
    typeOf.push(SHOWCASE_TYPE[s]);
    counts[SHOWCASE_TYPE[s]]!--;
  }
  const rest: number[] = counts.flatMap((c, i) => Array.from({ length: c }, () => i));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  typeOf.push(...rest);

  const years = yearsOfDemo();
  const drafts: Draft[] = typeOf.map((t, index) => {
    const type = FACILITY_TYPES[t]!;
    const showcase = index < SHOWCASE.length ? SHOWCASE[index]! : null;
    const sizeT = Math.max(0.62, Math.exp(0.75 * clamp(normal(random), -2, 2.8))) * type.medianT;
    const sources = Object.keys(type.mix) as Source[];
    const weights = sources.map((s) => type.mix[s]! * Math.exp(0.15 * normal(random)));
    const total = weights.reduce((a, b) => a + b, 0);
    const profile = sources.map((s, k) => (sizeT * (weights[k]! / total)) / p1.get(s)!);
    const trend = 0.01 + 0.015 * normal(random);
    const baseVariation = BASE_WINDOW_YEARS.map((y) => 1 + trend * (y - 2004.5) + 0.035 * normal(random));
    const drift = showcase === 'A' ? -0.22 : clamp(0.09 * normal(random), -0.25, 0.25);
    const noise = years.map(() => 0.03 * normal(random));
    const lag1 = showcase === 'D' || (showcase === null && random() < 0.09);
    const lag2 = showcase === 'C' || (showcase === null && random() < 0.07);
    const highFactor = type.category === 'I-1';
    const laggardReduction = years.map((y) => (y <= 2014 ? -0.01 + 0.06 * random() : highFactor ? 0.06 + 0.07 * random() : 0.05 + 0.06 * random()));
    const ward = WARDS[Math.floor(random() * WARDS.length)]!;
    const nameWord = BUILDING_WORDS[Math.floor(random() * BUILDING_WORDS.length)]!;
    const drawn = COMPANIES[Math.floor(random() * COMPANIES.length)]!;
    return {
      index,
      type,
      showcase,
      sources,
      profile,
      baseVariation,
      drift,
      noise,
      laggardP1: lag1,
      laggardP2: lag2,
      laggardReduction,
      ward,
      nameWord,
      company: showcase === 'D' ? 'Kaede Demo' : drawn, // T-0004 belongs to the demo-factory user's company
      reports: new Map(),
      kg: new Map(),
    };
  });

  const linesOf = (d: Draft, level: number): LineInput[] =>
    d.sources.map((s, k) => ({ kind: 'energy', source: s, quantity: Math.max(d.profile[k]! * level, 0.001).toFixed(3), unit: units.get(s)! }));
  const report = (d: Draft, fy: number, level: number): void => {
    const lines = linesOf(d, level);
    const converted = convertReport(program, fy, lines);
    assert(converted.ok, 'the demo plan writes valid lines');
    d.reports.set(fy, lines);
    d.kg.set(fy, converted.value.totals.energyCo2Kg);
  };

  // ---- base years: estimate, scale to the published base, then correct the rounding on the largest facility.
  const p2 = factorsOf(program, 2);
  const estimateP2 = (d: Draft): number => {
    const best = bestWindow(d.baseVariation.map((v) => v));
    return best.level * d.sources.reduce((s, src, k) => s + d.profile[k]! * p2.get(src)!, 0);
  };
  const targetBaseT = Rational.parseDecimal(PUBLISHED_BASE_MT)!.mul(1_000_000n).toBigInt();
  const scale = Number(targetBaseT) / drafts.reduce((s, d) => s + estimateP2(d), 0);
  for (const d of drafts) d.profile = d.profile.map((q) => q * scale);
  const baseOf = (d: Draft): void => {
    BASE_WINDOW_YEARS.forEach((fy, k) => { report(d, fy, d.baseVariation[k]!); });
    const kgs = BASE_WINDOW_YEARS.map((fy) => d.kg.get(fy)!);
    const best = bestWindow(kgs.map((k) => Number(k)));
    d.window = { first: BASE_WINDOW_YEARS[best.start]!, last: BASE_WINDOW_YEARS[best.start + 2]! };
    d.windowLevel = (d.baseVariation[best.start]! + d.baseVariation[best.start + 1]! + d.baseVariation[best.start + 2]!) / 3;
    const chosen = [0, 1, 2].map((k) => ({ fiscalYear: BASE_WINDOW_YEARS[best.start + k]!, emissionsKg: kgs[best.start + k]! }));
    const avg = averageBaseYear(program, chosen);
    assert(avg.ok, 'the demo base years are valid');
    d.baseKg = avg.value.baseKg;
    d.baseT = avg.value.baseT;
    d.baseP2T = restatedBaseT(program, d, 2015);
  };
  drafts.forEach(baseOf);
  const largest = (candidates: readonly Draft[], by: (d: Draft) => bigint): Draft => candidates.reduce((a, b) => (by(b) > by(a) ? b : a));
  {
    const sum = drafts.reduce((s, d) => s + d.baseP2T!, 0n);
    const big = largest(drafts.filter((d) => d.showcase === null), (d) => d.baseP2T!);
    const factor = 1 + Number(targetBaseT - sum) / Number(big.baseP2T!);
    big.profile = big.profile.map((q) => q * factor);
    baseOf(big);
  }
  const baseP1T = drafts.reduce((s, d) => s + restatedBaseT(program, d, 2010), 0n);
  const baseP2T = drafts.reduce((s, d) => s + d.baseP2T!, 0n);

  // ---- the years after the base: laggards at their planned level, the others at a common factor × their drift.
  const targetT = new Map<number, bigint>();
  const totalT = new Map<number, bigint>();
  const basePeriodT = new Map<Draft, { p1: bigint; p2: bigint }>(drafts.map((d) => [d, { p1: restatedBaseT(program, d, 2010), p2: d.baseP2T! }]));
  years.forEach((fy, yi) => {
    const target = targetFor(fy, baseP1T);
    targetT.set(fy, target);
    const inP1 = periodOfFiscalYear(program, fy)?.number === 1;
    const baseT = (d: Draft): number => Number(inP1 ? basePeriodT.get(d)!.p1 : basePeriodT.get(d)!.p2);
    const fixed = (d: Draft): boolean => (inP1 ? d.laggardP1 : fy <= 2019 && d.laggardP2);
    const covid = (d: Draft): number => (fy === 2020 ? d.type.covid[0] : fy === 2021 ? d.type.covid[1] : 1);
    const relative = (d: Draft): number => Math.exp(d.drift + d.noise[yi]!) * covid(d);
    let fixedT = 0;
    let freeT = 0;
    for (const d of drafts) {
      if (fixed(d)) fixedT += (1 - d.laggardReduction[yi]!) * baseT(d);
      else freeT += relative(d) * baseT(d);
    }
    const common = (Number(target) - fixedT) / freeT;
    assert(common > 0.3 && common < 1.5, `the FY${fy} calibration factor is plausible (${common})`);
    const levelOf = (d: Draft): number => d.windowLevel! * (fixed(d) ? 1 - d.laggardReduction[yi]! : common * relative(d));
    for (const d of drafts) report(d, fy, levelOf(d));
    const sum = (): bigint => drafts.reduce((s, d) => s + emissionsTOfKg(program, d.kg.get(fy)!), 0n);
    const big = largest(drafts.filter((d) => d.showcase === null && !fixed(d)), (d) => d.kg.get(fy)!);
    const bigT = Number(emissionsTOfKg(program, big.kg.get(fy)!));
    report(big, fy, levelOf(big) * (1 + Number(target - sum()) / bigT));
    totalT.set(fy, sum());
  });

  const digits = Math.max(4, String(n).length);
  const facilities = drafts.map((d): FacilityPlan => {
    const code = `T-${String(d.index + 1).padStart(digits, '0')}`;
    const declared = [2007, 2008, 2009].map((fy, k) => {
      // FY2007 as its report says; FY2008–FY2009 near it (they were declared, not reported).
      const level = d.baseVariation[5]! * (1 + 0.01 * k);
      const coe = convertReport(program, 2007, linesOf(d, level));
      assert(coe.ok, 'declared energy converts');
      return { fiscalYear: fy, coeKl: Rational.of(coe.value.totals.coeL, 1000n).toDecimal(3) };
    });
    const emissionsT = new Map<number, bigint>();
    for (const fy of years) emissionsT.set(fy, emissionsTOfKg(program, d.kg.get(fy)!));
    return {
      index: d.index,
      code,
      name: nameOf(d),
      owner: ownerOf(d),
      category: d.type.category,
      useType: d.type.useType,
      floorAreaM2: d.type.kgPerM2 === 0 ? undefined : BigInt(Math.round((Number(d.baseT!) * 1000) / d.type.kgPerM2 / 10) * 10),
      city: d.ward,
      showcase: d.showcase,
      declaredEnergy: declared,
      baseWindow: d.window!,
      reports: d.reports,
      baseKg: d.baseKg!,
      baseT: d.baseT!,
      baseP2T: d.baseP2T!,
      emissionsT,
      laggard: { p1: d.laggardP1, p2: d.laggardP2 },
    };
  });
  return { seed: options.seed, facilities, baseP1T, baseP2T, targetT, totalT };
}

/** FY2010–FY2023. */
export function yearsOfDemo(): number[] {
  const out: number[] = [];
  for (let y = DEMO_FIRST_FISCAL_YEAR; y <= DEMO_LAST_FISCAL_YEAR; y++) out.push(y);
  return out;
}

/** The total a year aims at: period 1 as a reduction of the period-1 base, later years the published Mt. */
export function targetFor(fiscalYear: number, baseP1T: bigint): bigint {
  const p1 = PERIOD1_TARGET_REDUCTION[fiscalYear];
  if (p1 !== undefined) return Rational.of(baseP1T).mul(Rational.of(100n).sub(Rational.parseDecimal(p1)!)).div(100n).round(0, 'half_up').toBigInt();
  const published = PUBLISHED_YEARS.find((y) => y.fiscalYear === fiscalYear)?.emissionsMt;
  assert(published !== null && published !== undefined, `FY${fiscalYear} has a published or interpolated total`);
  return Rational.parseDecimal(published)!.mul(1_000_000n).toBigInt();
}

/** The start (index into BASE_WINDOW_YEARS) and mean of the 3 consecutive years with the highest values. */
function bestWindow(values: readonly number[]): { start: number; level: number } {
  let best = { start: 0, level: -Infinity };
  for (let s = 0; s + 3 <= values.length; s++) {
    const level = (values[s]! + values[s + 1]! + values[s + 2]!) / 3;
    if (level > best.level) best = { start: s, level };
  }
  return best;
}

/** The base restated with the factors of the period starting in `periodFirstFy`, as compliance.ts baseForPeriod does. */
function restatedBaseT(program: ProgramDefinition, d: Draft, periodFirstFy: number): bigint {
  const w = d.window!;
  const lines: LineInput[] = [];
  let asReportedKg = 0n;
  for (let fy = w.first; fy <= w.last; fy++) {
    lines.push(...d.reports.get(fy)!);
    asReportedKg += d.kg.get(fy)!;
  }
  const restated = convertReport(program, periodFirstFy, lines);
  assert(restated.ok, 'base lines convert');
  return wholeTonnes(program, Rational.of(d.baseKg! * restated.value.totals.energyCo2Kg, asReportedKg * 1000n));
}

/** t-CO2 per unit of each source in a period's fixed factor set, as numbers (for the estimates only). */
function factorsOf(program: ProgramDefinition, period: number): Map<string, number> {
  const set = program.emissionFactorSets.find((s) => s.periods.includes(period));
  assert(set !== undefined, `the program has emission factors for period ${period}`);
  return new Map(set.factors.filter((f) => f.tCo2PerUnit !== undefined).map((f) => [f.energy, Number(f.tCo2PerUnit)]));
}

function nameOf(d: Draft): string {
  const n = d.index + 1;
  switch (d.type.useType) {
    case 'office':
      return `${d.ward} ${d.nameWord} ${n}`;
    case 'commercial':
      return `${d.ward} Shopping ${d.nameWord} ${n}`;
    case 'hotel':
      return `Hotel ${d.ward} ${n}`;
    case 'hospital':
      return `${d.ward} General Hospital ${n}`;
    case 'university':
      return `${d.company} University ${d.ward} Campus ${n}`;
    case 'dhc_plant':
      return `${d.ward} District Heating and Cooling Center ${n}`;
    case 'factory':
      return `${d.company} ${d.ward} Plant ${n}`;
    default:
      return `${d.ward} Water Works ${n}`;
  }
}

function ownerOf(d: Draft): string {
  if (d.showcase === 'A' || d.showcase === 'B' || d.showcase === 'C') return 'Marunouchi Demo Estate KK';
  if (d.showcase === 'D') return 'Kaede Demo Manufacturing KK';
  switch (d.type.useType) {
    case 'hospital':
      return `${d.ward} Demo Medical Corporation`;
    case 'university':
      return `${d.company} Educational Foundation`;
    case 'water_works':
      return 'Demo Bureau of Waterworks';
    case 'factory':
      return `${d.company} Manufacturing KK`;
    case 'dhc_plant':
      return `${d.company} Energy Service KK`;
    default:
      return `${d.company} Real Estate KK`;
  }
}
