// Saitama Target-Setting Emissions Trading System (2011–): periods 1–4, the first one 4 years long.
// Facts from ../shared/docs/research/tokyo_cat.md §3.3, §9, §11; values marked U there are parameters below.
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

export interface SaitamaParameters {
  /** U — tokyo_cat.md §3.3: the P4 low-electrification relief exists (C) but its size was not captured; default mirrors Tokyo's 3 points. */
  p4LowElectrificationPointsPpm: number;
  /** U — tokyo_cat.md §3.3: "top-level certification relief" confirmed, its ratios not; defaults mirror Tokyo (×1/2, ×3/4). */
  topLevelRatio: string;
  nearTopLevelRatio: string;
  /** U — tokyo_cat.md §4.3: Saitama's fixed grid factors (P1–P3) were not captured; defaults mirror Tokyo's unconfirmed values. */
  electricityP1TCo2PerMwh: string;
  electricityP2P3TCo2PerMwh: string;
  /** U — tokyo_cat.md §12: the P4 adjustment end follows the "period + 18 months" rule (P1–P3 confirmed by ICAP). */
  p4AdjustmentWindowEnd: string;
  /** U — tokyo_cat.md §9: outside credits "up to 1/3 or 50%" (secondary source). */
  outsideCreditShare: string;
  /** U — the seller's ½-of-base limit is confirmed for Tokyo only (tokyo_cat.md §6.1, §9: "per-facility cap"). */
  excessLimitShareOfBase: string;
  excessLimitBasis: 'per_year' | 'period_total';
  /** U — not stated in the sources. */
  reliefCombination: 'sequential' | 'lowest';
  energy: JapanEnergyParameters;
  rounding: RoundingParameters;
}

export const SAITAMA_DEFAULTS: SaitamaParameters = {
  p4LowElectrificationPointsPpm: 30_000,
  topLevelRatio: '1/2',
  nearTopLevelRatio: '3/4',
  electricityP1TCo2PerMwh: '0.382',
  electricityP2P3TCo2PerMwh: '0.489',
  p4AdjustmentWindowEnd: '2031-09-30',
  outsideCreditShare: '1/3',
  excessLimitShareOfBase: '1/2',
  excessLimitBasis: 'per_year',
  reliefCombination: 'sequential',
  energy: JAPAN_ENERGY_DEFAULTS,
  rounding: JAPAN_ROUNDING_DEFAULTS,
};

const S33 = 'tokyo_cat.md §3.3 [S10]';
const RELIEFS = 'tokyo_cat.md §3.3 [S11,S12]';

export function saitamaProgram(overrides: Partial<SaitamaParameters> = {}): ProgramDefinition {
  const p: SaitamaParameters = { ...SAITAMA_DEFAULTS, ...overrides };
  const c = (source = S33) => confirmed(source);
  const topU = unconfirmed(RELIEFS, 'Saitama top-level relief confirmed, its ratio mirrors Tokyo (unconfirmed)');
  return {
    schemaVersion: 1,
    id: 'saitama',
    name: 'Saitama Target-Setting Emissions Trading System (埼玉県目標設定型排出量取引制度)',
    version: '2026-11-01',
    jurisdiction: { code: 'SAITAMA', name: 'Saitama Prefecture', timeZone: 'Asia/Tokyo' },
    kind: 'obligation',
    fiscalYearStartMonth: 4,
    periods: [
      { number: 1, firstFiscalYear: 2011, lastFiscalYear: 2014, adjustmentWindowEnd: '2016-09-30', tradingStart: '2012-04-01', provenance: c('tokyo_cat.md §0, §12 [S9,S56]') },
      { number: 2, firstFiscalYear: 2015, lastFiscalYear: 2019, adjustmentWindowEnd: '2021-09-30', tradingStart: '2015-04-01', provenance: c('tokyo_cat.md §12 [S9]') },
      { number: 3, firstFiscalYear: 2020, lastFiscalYear: 2024, adjustmentWindowEnd: '2026-09-30', tradingStart: '2020-04-01', provenance: c('tokyo_cat.md §12 [S9]') },
      { number: 4, firstFiscalYear: 2025, lastFiscalYear: 2029, adjustmentWindowEnd: p.p4AdjustmentWindowEnd, provenance: unconfirmed('tokyo_cat.md §0', 'years confirmed; adjustment end derived from "period + 18 months"') },
    ],
    categories: [
      {
        code: 'office',
        name: 'Office and commercial buildings (業務ビル等)',
        factors: [
          { period: 1, factorPpm: 80_000, provenance: c() },
          { period: 2, factorPpm: 150_000, provenance: c() },
          { period: 3, factorPpm: 220_000, provenance: c() },
          { period: 4, factorPpm: 500_000, provenance: c() },
        ],
      },
      {
        code: 'factory',
        name: 'Factories (工場等)',
        factors: [
          { period: 1, factorPpm: 60_000, provenance: c() },
          { period: 2, factorPpm: 130_000, provenance: c() },
          { period: 3, factorPpm: 200_000, provenance: c() },
          { period: 4, factorPpm: 480_000, provenance: c() },
        ],
      },
    ],
    reliefs: [
      {
        code: 'small_business',
        kind: 'small_business',
        name: 'Small and medium-sized enterprise',
        condition: 'SME operators, on annual application (first year by end of September, later years by end of July with the plan).',
        rules: [
          { period: 3, adjustment: { op: 'multiply', ratio: '3/4' }, provenance: c(RELIEFS) },
          { period: 4, adjustment: { op: 'subtract', pointsPpm: 40_000 }, provenance: c(RELIEFS) },
        ],
      },
      {
        code: 'medical',
        kind: 'medical',
        name: 'Life-critical medical facility',
        condition: 'Life-critical medical facilities (P3, P4).',
        rules: [
          { period: 3, adjustment: { op: 'subtract', pointsPpm: 20_000 }, provenance: c(RELIEFS) },
          { period: 4, adjustment: { op: 'subtract', pointsPpm: 20_000 }, provenance: c(RELIEFS) },
        ],
      },
      {
        code: 'low_electrification',
        kind: 'low_electrification',
        name: 'Low electricity share (< 20 %)',
        condition: 'Facilities whose electricity share is below 20 % (P4).',
        rules: [{ period: 4, adjustment: { op: 'subtract', pointsPpm: p.p4LowElectrificationPointsPpm }, provenance: unconfirmed(RELIEFS, 'relief confirmed; size not captured, default mirrors Tokyo (3 points)') }],
      },
      {
        code: 'top_level',
        kind: 'top_level',
        name: 'Top-level facility',
        condition: 'Certified top-level facilities; P2 certifications keep their effect for 5 years after certification.',
        rules: [1, 2, 3].map((period) => ({ period, adjustment: { op: 'multiply' as const, ratio: p.topLevelRatio }, provenance: topU })),
      },
      {
        code: 'near_top_level',
        kind: 'near_top_level',
        name: 'Near-top-level facility',
        condition: 'Certified near-top-level facilities.',
        rules: [1, 2, 3].map((period) => ({ period, adjustment: { op: 'multiply' as const, ratio: p.nearTopLevelRatio }, provenance: topU })),
      },
      {
        code: 'new_entrant_early',
        kind: 'new_entrant',
        name: 'New entrant, first years (P1 rates)',
        condition: 'Facilities that became large after FY2012, for their first fiscal years (fewer than 4).',
        rules: [{ period: 3, adjustment: { op: 'replace', factors: [{ category: 'office', factorPpm: 80_000 }, { category: 'factory', factorPpm: 60_000 }] }, provenance: c('tokyo_cat.md §2 [S11]') }],
      },
      {
        code: 'new_entrant_later',
        kind: 'new_entrant',
        name: 'New entrant, later years (P2 rates)',
        condition: 'Facilities that became large after FY2012, from their 5th to fewer than 9 fiscal years.',
        rules: [{ period: 3, adjustment: { op: 'replace', factors: [{ category: 'office', factorPpm: 150_000 }, { category: 'factory', factorPpm: 130_000 }] }, provenance: c('tokyo_cat.md §2 [S11]') }],
      },
    ],
    reliefCombination: { mode: p.reliefCombination, provenance: unconfirmed('not stated in tokyo_cat.md', 'how several reliefs combine is a citycap default') },
    coverage: {
      metric: 'crude_oil_equivalent_kl',
      threshold: '1500',
      designationAfterYears: 1,
      obligationAfterConsecutiveYears: 3,
      excludePartialYears: true,
      provenance: unconfirmed('tokyo_cat.md §0 [S57,S56]', '1,500 kL for 3 consecutive FYs confirmed; designation after 1 year and the partial-year rule mirror Tokyo'),
    },
    baseYear: { windowFirstFiscalYear: 2002, windowLastFiscalYear: 2007, consecutiveYears: 3, method: 'average', recalculationThresholdPpm: 60_000, restatedWithPeriodFactors: true, restatementProvenance: unconfirmed('tokyo_cat.md §2', 'assumed as in Tokyo; not found for Saitama'), provenance: unconfirmed('tokyo_cat.md §2 [S10,S57]', 'window and average confirmed ("same window and rule"); the 6 % recalculation threshold mirrors Tokyo') },
    energy: japanEnergy(p.energy),
    emissionFactorSets: [
      { id: 'saitama-p1', periods: [1], factors: [{ energy: 'electricity_grid', method: 'fixed', tCo2PerUnit: p.electricityP1TCo2PerMwh, provenance: unconfirmed('tokyo_cat.md §4.3 [S12]', 'fixed through P3 (confirmed); the value mirrors Tokyo and is unconfirmed') }, ...japanFuelFactors(p.energy, 'tokyo_cat.md §4.3')] },
      { id: 'saitama-p2-p3', periods: [2, 3], factors: [{ energy: 'electricity_grid', method: 'fixed', tCo2PerUnit: p.electricityP2P3TCo2PerMwh, provenance: unconfirmed('tokyo_cat.md §4.3 [S12]', 'fixed through P3 (confirmed); the value mirrors Tokyo and is unconfirmed') }, ...japanFuelFactors(p.energy, 'tokyo_cat.md §4.3')] },
      {
        id: 'saitama-p4',
        periods: [4],
        factors: [
          { energy: 'electricity_grid', method: 'supplier_specific', provenance: confirmed('tokyo_cat.md §4.3 [S10]') },
          { energy: 'district_heat', method: 'supplier_specific', provenance: confirmed('tokyo_cat.md §4.3 [S10]') },
          { energy: 'city_gas', method: 'supplier_specific', provenance: confirmed('tokyo_cat.md §4.3 [S10]') },
          ...japanFuelFactors(p.energy, 'tokyo_cat.md §4.3').filter((f) => f.energy !== 'district_heat' && f.energy !== 'city_gas'),
        ],
      },
    ],
    creditTypes: [
      { code: 'excess', kind: 'excess_reduction_credit', name: 'Excess reductions', transferable: true, provenance: confirmed('tokyo_cat.md §9 [S14]') },
      { code: 'other_gas', kind: 'excess_reduction_credit', name: 'Other-gas reductions (own facility only)', transferable: false, provenance: confirmed('tokyo_cat.md §6.1 [S14]') },
      { code: 'small_mid', kind: 'small_mid_facility_credit', name: 'In-prefecture small and mid-size facility credits', transferable: true, provenance: confirmed('tokyo_cat.md §9 [S14]') },
      {
        code: 'renewable',
        kind: 'renewable_energy_credit',
        name: 'Renewable-energy credits',
        transferable: true,
        multipliers: [
          { period: 1, ratio: '1.5', provenance: confirmed('tokyo_cat.md §6.1 [S11]', 'solar, wind, geothermal, small hydro') },
          { period: 2, ratio: '1.5', provenance: confirmed('tokyo_cat.md §6.1 [S11]', 'solar, wind, geothermal, small hydro') },
          { period: 3, ratio: '1', provenance: confirmed('tokyo_cat.md §6.1 [S11]') },
        ],
      },
      { code: 'outside', kind: 'outside_credit', name: 'Out-of-prefecture credits', transferable: true, usageLimit: { maxShareOfObligation: p.outsideCreditShare, provenance: unconfirmed('tokyo_cat.md §9 [S46] (C2)', '"up to 1/3 or 50% for outside credits" — secondary source') } },
      { code: 'tokyo_linked', kind: 'linked_credit', name: 'Tokyo credits (excess reductions and small/mid credits)', transferable: true, eligibility: { originMustHaveComplied: true, provenance: confirmed('tokyo_cat.md §9 [S15]') } },
    ],
    excessReduction: {
      applicationFromPeriodYear: 2,
      countedReductionLimit: { shareOfBase: p.excessLimitShareOfBase, basis: p.excessLimitBasis, provenance: unconfirmed('tokyo_cat.md §6.1, §9', 'a per-facility cap exists (confirmed); its size mirrors Tokyo') },
      provenance: unconfirmed('tokyo_cat.md §4.1', 'the pro-rated rule is confirmed for Tokyo; Saitama assumed identical'),
    },
    banking: { allowed: true, horizonPeriods: 1, borrowing: false, provenance: confirmed('tokyo_cat.md §6.2 [S31,S45]', 'P2 excess usable in P3, not carried to P4') },
    deadlines: [
      { event: 'annual_report', description: 'Verified emissions report for the previous fiscal year', month: 11, day: 30, yearOffset: 1, provenance: unconfirmed('tokyo_cat.md §4.2', 'end-November deadline confirmed for Tokyo; Saitama assumed the same') },
      { event: 'surrender', description: 'End of the adjustment period (period + 18 months): see each period\'s adjustmentWindowEnd', month: 9, day: 30, yearOffset: 2, provenance: confirmed('tokyo_cat.md §0 [S9]') },
    ],
    rounding: japanRounding(p.rounding),
    enforcement: { provenance: unconfirmed('tokyo_cat.md §7 [S58]', 'facilities "must endeavour" to meet targets; no penalty regime found') },
    notes: ['A target-setting system: facilities must endeavour to meet their targets (tokyo_cat.md §7).', 'Linked with Tokyo since 17 Sep 2010 (tokyo_cat.md §9).'],
  };
}
