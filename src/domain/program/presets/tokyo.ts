// Tokyo Cap-and-Trade Program (TMG, 2010–): periods 1–4 as data. Facts from ../shared/docs/research/tokyo_cat.md;
// every value that source marks U is a parameter below with its documented default.
import type { ProgramDefinition } from '../schema.js';
import {
  confirmed,
  japanEnergy,
  japanFuelFactors,
  japanRounding,
  JAPAN_ENERGY_DEFAULTS,
  JAPAN_ROUNDING_DEFAULTS,
  unconfirmed,
  type JapanEnergyParameters,
  type RoundingParameters,
} from './common.js';

export interface TokyoParameters {
  /** U — tokyo_cat.md §3.1: P3 I-2 factor inferred from "offices 27 / factories 25". */
  p3CategoryI2FactorPpm: number;
  /** U — tokyo_cat.md §3.2: that P3 kept the top-level ×1/2 and near-top-level ×3/4 ratios. */
  p3TopLevelRatio: string;
  p3NearTopLevelRatio: string;
  /** U — tokyo_cat.md §3.1: P3 and P4 adjustment-period ends derived from the 1.5-year rule. */
  p3AdjustmentWindowEnd: string;
  p4AdjustmentWindowEnd: string;
  /** U — tokyo_cat.md §2: P4 new entrants get 41 % or 39 % (C); which category gets which is inferred (office 41, others 39). */
  p4NewEntrantFactorPpm: { 'I-1': number; 'I-2': number; II: number };
  /** U — tokyo_cat.md §4.3: fixed grid electricity factors, t-CO2/MWh (P1 0.382; P2 and P3 0.489). */
  electricityP1TCo2PerMwh: string;
  electricityP2P3TCo2PerMwh: string;
  /** U — tokyo_cat.md §6.1 T4: whether the seller's ½-of-base limit applies to each year's reduction or to the period total. */
  excessLimitBasis: 'per_year' | 'period_total';
  /** U — tokyo_cat.md §6.2: banking horizon (Saitama: next period only; Tokyo "identical (likely)"). */
  bankingHorizonPeriods: number;
  /** U — tokyo_cat.md §7: "order to reduce 1.3× shortfall" not found in the sources. */
  shortfallOrderMultiplier: string;
  /** U — how reliefs combine when a facility qualifies for several (not stated in the sources). */
  reliefCombination: 'sequential' | 'lowest';
  energy: JapanEnergyParameters;
  rounding: RoundingParameters;
}

export const TOKYO_DEFAULTS: TokyoParameters = {
  p3CategoryI2FactorPpm: 250_000,
  p3TopLevelRatio: '1/2',
  p3NearTopLevelRatio: '3/4',
  p3AdjustmentWindowEnd: '2026-09-30',
  p4AdjustmentWindowEnd: '2031-09-30',
  p4NewEntrantFactorPpm: { 'I-1': 410_000, 'I-2': 390_000, II: 390_000 },
  electricityP1TCo2PerMwh: '0.382',
  electricityP2P3TCo2PerMwh: '0.489',
  excessLimitBasis: 'per_year',
  bankingHorizonPeriods: 1,
  shortfallOrderMultiplier: '1.3',
  reliefCombination: 'sequential',
  energy: JAPAN_ENERGY_DEFAULTS,
  rounding: JAPAN_ROUNDING_DEFAULTS,
};

const S3 = 'tokyo_cat.md §3.1 [S1,S6,S18,S19,S20,S21]';
const TOP = 'tokyo_cat.md §3.2 [S18,S19]';

export function tokyoProgram(overrides: Partial<TokyoParameters> = {}): ProgramDefinition {
  const p: TokyoParameters = { ...TOKYO_DEFAULTS, ...overrides };
  const c = (source = S3) => confirmed(source);
  return {
    schemaVersion: 1,
    id: 'tokyo',
    name: 'Tokyo Cap-and-Trade Program (東京都総量削減義務と排出量取引制度)',
    version: '2026-11-01',
    jurisdiction: { code: 'TOKYO', name: 'Tokyo Metropolitan Government', timeZone: 'Asia/Tokyo' },
    kind: 'obligation',
    fiscalYearStartMonth: 4,
    periods: [
      { number: 1, firstFiscalYear: 2010, lastFiscalYear: 2014, adjustmentWindowEnd: '2016-09-30', provenance: c('tokyo_cat.md §3.1, §7 [S1,S35]') },
      { number: 2, firstFiscalYear: 2015, lastFiscalYear: 2019, adjustmentWindowEnd: '2021-09-30', provenance: c('tokyo_cat.md §3.1, §7 [S1,S35]') },
      { number: 3, firstFiscalYear: 2020, lastFiscalYear: 2024, adjustmentWindowEnd: p.p3AdjustmentWindowEnd, provenance: unconfirmed('tokyo_cat.md §3.1', 'years confirmed; adjustment-window end derived from the 1.5-year rule') },
      { number: 4, firstFiscalYear: 2025, lastFiscalYear: 2029, adjustmentWindowEnd: p.p4AdjustmentWindowEnd, provenance: unconfirmed('tokyo_cat.md §3.1', 'years confirmed; adjustment-window end derived from the 1.5-year rule') },
    ],
    categories: [
      {
        code: 'I-1',
        name: 'Office buildings and DHC plants',
        description: 'Offices, government, commercial, education and medical buildings, and district heating and cooling plants, except I-2 (tokyo_cat.md §1.3)',
        factors: [
          { period: 1, factorPpm: 80_000, provenance: c() },
          { period: 2, factorPpm: 170_000, provenance: c() },
          { period: 3, factorPpm: 270_000, provenance: c() },
          { period: 4, factorPpm: 500_000, provenance: c() },
        ],
      },
      {
        code: 'I-2',
        name: 'Office buildings using much supplied heat',
        description: 'Office buildings that use a large amount of DHC or other supplied heat (numeric threshold unconfirmed, tokyo_cat.md §1.3)',
        factors: [
          { period: 1, factorPpm: 60_000, provenance: c() },
          { period: 2, factorPpm: 150_000, provenance: c() },
          { period: 3, factorPpm: p.p3CategoryI2FactorPpm, provenance: unconfirmed('tokyo_cat.md §3.1', 'P3 I-2 factor inferred from "offices 27 / factories 25"') },
          { period: 4, factorPpm: 480_000, provenance: c() },
        ],
      },
      {
        code: 'II',
        name: 'Factories and other facilities',
        description: 'Everything else: factories, water works, etc. (tokyo_cat.md §1.3)',
        factors: [
          { period: 1, factorPpm: 60_000, provenance: c() },
          { period: 2, factorPpm: 150_000, provenance: c() },
          { period: 3, factorPpm: 250_000, provenance: c() },
          { period: 4, factorPpm: 480_000, provenance: c() },
        ],
      },
    ],
    reliefs: [
      {
        code: 'top_level',
        kind: 'top_level',
        name: 'Top-level facility (トップレベル事業所)',
        condition: 'Certified by TMG as top-level; valid to the end of the period containing the certification year (P1: 5 years from certification). Abolished as a factor reduction in P4.',
        rules: [
          { period: 1, adjustment: { op: 'multiply', ratio: '1/2' }, provenance: c(TOP) },
          { period: 2, adjustment: { op: 'multiply', ratio: '1/2' }, provenance: c(TOP) },
          { period: 3, adjustment: { op: 'multiply', ratio: p.p3TopLevelRatio }, provenance: unconfirmed(TOP, 'that P3 kept ×1/2 is computed from the rule, not confirmed') },
        ],
      },
      {
        code: 'near_top_level',
        kind: 'near_top_level',
        name: 'Near-top-level facility (準トップレベル事業所)',
        condition: 'Certified by TMG as near-top-level; same validity as top-level. Abolished as a factor reduction in P4.',
        rules: [
          { period: 1, adjustment: { op: 'multiply', ratio: '3/4' }, provenance: c(TOP) },
          { period: 2, adjustment: { op: 'multiply', ratio: '3/4' }, provenance: c(TOP) },
          { period: 3, adjustment: { op: 'multiply', ratio: p.p3NearTopLevelRatio }, provenance: unconfirmed(TOP, 'that P3 kept ×3/4 is computed from the rule, not confirmed') },
        ],
      },
      {
        code: 'medical',
        kind: 'medical',
        name: 'Medical facility',
        condition: 'Medical facilities (P4).',
        rules: [{ period: 4, adjustment: { op: 'subtract', pointsPpm: 20_000 }, provenance: c('tokyo_cat.md §3.1 P4 adjustments [S21,S22]') }],
      },
      {
        code: 'low_electrification',
        kind: 'low_electrification',
        name: 'Low electrification rate (< 20 %)',
        condition: 'Facilities whose electrification rate is below 20 % (P4 only).',
        rules: [{ period: 4, adjustment: { op: 'subtract', pointsPpm: 30_000 }, provenance: c('tokyo_cat.md §3.1 P4 adjustments [S21,S22]') }],
      },
      {
        code: 'new_entrant',
        kind: 'new_entrant',
        name: 'New entrant (P4 relaxed factor)',
        condition: 'Facilities newly subject to the obligation (P4).',
        rules: [
          {
            period: 4,
            adjustment: { op: 'replace', factors: [{ category: 'I-1', factorPpm: p.p4NewEntrantFactorPpm['I-1'] }, { category: 'I-2', factorPpm: p.p4NewEntrantFactorPpm['I-2'] }, { category: 'II', factorPpm: p.p4NewEntrantFactorPpm.II }] },
            provenance: unconfirmed('tokyo_cat.md §2 [S22]', '41 % and 39 % confirmed; mapping office → 41, I-2 and II → 39 inferred'),
          },
        ],
      },
    ],
    reliefCombination: { mode: p.reliefCombination, provenance: unconfirmed('not stated in tokyo_cat.md', 'how several reliefs combine is a citycap default') },
    coverage: {
      metric: 'crude_oil_equivalent_kl',
      threshold: '1500',
      designationAfterYears: 1,
      obligationAfterConsecutiveYears: 3,
      excludePartialYears: true,
      exemptions: [
        { code: 'sme_owned', description: 'Facilities at least half owned by SMEs ("equivalent designated"): plan submission, no reduction obligation', provenance: unconfirmed('tokyo_cat.md §1.1 [S64]', 'exclusion from the cap is inferred') },
      ],
      provenance: confirmed('tokyo_cat.md §1.1 [S20,S47]'),
    },
    baseYear: {
      windowFirstFiscalYear: 2002,
      windowLastFiscalYear: 2007,
      consecutiveYears: 3,
      method: 'average',
      recalculationThresholdPpm: 60_000,
      restatedWithPeriodFactors: true,
      restatementProvenance: unconfirmed('tokyo_cat.md §2 [S68]', 'the P2 restatement with P2 emission factors is confirmed; its exact formula is not — citycap re-converts the base years\' energy lines and scales the base by the change'),
      provenance: confirmed('tokyo_cat.md §2 [S2,S3,S17,S34]'),
    },
    energy: japanEnergy(p.energy),
    emissionFactorSets: [
      {
        id: 'tokyo-p1',
        periods: [1],
        factors: [{ energy: 'electricity_grid', method: 'fixed', tCo2PerUnit: p.electricityP1TCo2PerMwh, provenance: unconfirmed('tokyo_cat.md §4.3', 'P1 electricity 0.382 t-CO2/MWh unconfirmed') }, ...japanFuelFactors(p.energy, 'tokyo_cat.md §4.3')],
      },
      {
        id: 'tokyo-p2-p3',
        periods: [2, 3],
        factors: [{ energy: 'electricity_grid', method: 'fixed', tCo2PerUnit: p.electricityP2P3TCo2PerMwh, provenance: unconfirmed('tokyo_cat.md §4.3', 'P2/P3 electricity 0.489 t-CO2/MWh unconfirmed') }, ...japanFuelFactors(p.energy, 'tokyo_cat.md §4.3')],
      },
      {
        id: 'tokyo-p4',
        periods: [4],
        factors: [
          { energy: 'electricity_grid', method: 'supplier_specific', provenance: confirmed('tokyo_cat.md §4.3 [S44]', 'retailer-specific factors; details unconfirmed') },
          { energy: 'district_heat', method: 'supplier_specific', provenance: confirmed('tokyo_cat.md §4.3 [S44]', 'retailer-specific factors; details unconfirmed') },
          ...japanFuelFactors(p.energy, 'tokyo_cat.md §4.3').filter((f) => f.energy !== 'district_heat'),
        ],
      },
    ],
    creditTypes: [
      { code: 'excess', kind: 'excess_reduction_credit', name: 'Excess reductions (超過削減量)', transferable: true, description: 'Reductions beyond the pro-rated obligation, issued on application from the 2nd year of the period', provenance: confirmed('tokyo_cat.md §6.1 [S16,S17]') },
      { code: 'small_mid', kind: 'small_mid_facility_credit', name: 'In-Tokyo small and mid-size facility credits (都内中小クレジット)', transferable: true, eligibility: { verificationRequired: true, provenance: confirmed('tokyo_cat.md §6.1 [S17,S42,S80]') } },
      { code: 'renewable', kind: 'renewable_energy_credit', name: 'Renewable-energy credits (再エネクレジット)', transferable: true, description: 'Tokyo multiplier for solar/wind/geothermal/small hydro unconfirmed (tokyo_cat.md §6.1), so none is set', provenance: confirmed('tokyo_cat.md §6.1 [S60,S61]') },
      {
        code: 'outside',
        kind: 'outside_credit',
        name: 'Outside-Tokyo credits (都外クレジット)',
        transferable: true,
        eligibility: { originMaxBaseT: '150000', provenance: unconfirmed('tokyo_cat.md §6.1', 'facility size limit ≤150,000 t base unconfirmed for Tokyo') },
        usageLimit: { maxShareOfObligation: '1/3', provenance: confirmed('tokyo_cat.md §6.1 [S31,S17]') },
      },
      {
        code: 'saitama_linked',
        kind: 'linked_credit',
        name: 'Saitama-linked credits (埼玉連携クレジット)',
        transferable: true,
        eligibility: { originMaxBaseT: '150000', originMustHaveComplied: true, provenance: confirmed('tokyo_cat.md §6.1, §9 [S15]') },
      },
    ],
    excessReduction: {
      applicationFromPeriodYear: 2,
      countedReductionLimit: { shareOfBase: '1/2', basis: p.excessLimitBasis, provenance: unconfirmed('tokyo_cat.md §6.1, §11 T4 [S16]', '½ of base confirmed; whether per year or per period is an interpretation') },
      provenance: confirmed('tokyo_cat.md §4.1, §6.1 [S16]'),
    },
    banking: { allowed: true, horizonPeriods: p.bankingHorizonPeriods, borrowing: false, provenance: unconfirmed('tokyo_cat.md §6.2 [S31,S45]', 'banking allowed and borrowing not (confirmed); next-period-only horizon confirmed for Saitama, likely for Tokyo') },
    deadlines: [
      { event: 'annual_report', description: 'Verified emissions report and countermeasure plan for the previous fiscal year (end of November)', month: 11, day: 30, yearOffset: 1, provenance: confirmed('tokyo_cat.md §4.2 [S27,S72,S48]') },
      { event: 'base_year_change', description: 'Base-year change application after a significant change of use or scale (end of September of the following FY)', month: 9, day: 30, yearOffset: 1, provenance: confirmed('tokyo_cat.md §2 [S49]') },
      { event: 'surrender', description: 'End of the adjustment period: see each period\'s adjustmentWindowEnd', month: 9, day: 30, yearOffset: 2, provenance: confirmed('tokyo_cat.md §7 [S35]', 'applies to the last fiscal year of a period') },
    ],
    rounding: japanRounding(p.rounding),
    enforcement: {
      lateConfirmationExtensionDays: 180,
      shortfallOrderMultiplier: p.shortfallOrderMultiplier,
      penalty: { amount: '500000', currency: 'JPY', per: 'violation' },
      provenance: unconfirmed('tokyo_cat.md §7 [S30,S35]', '180-day extension and ¥500,000 fine confirmed; the 1.3× shortfall order is unconfirmed'),
    },
    notes: [
      'Energy-origin CO2 only; from P4 non-fossil energy is reported but carries no obligation (tokyo_cat.md §3.1).',
      'Compliance: total emissions over the period minus credits surrendered must not exceed the period cap (tokyo_cat.md §4.1).',
    ],
  };
}
