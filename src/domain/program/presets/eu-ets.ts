// An EU ETS-like allocation program: free allocation each year, annual surrender, compliance status A/B/C
// computed cumulatively within a phase. Facts from ../shared/docs/research/ets_anchors.md §3 and §6;
// statements that note marks [K] (domain knowledge, unconfirmed) are parameters below.
import type { ProgramDefinition } from '../schema.js';
import { confirmed, rule, unconfirmed } from './common.js';

export interface EuEtsParameters {
  /** U — ets_anchors.md §6: "Cumulation runs within the trading phase [K — verify phase reset]". Phase years are background knowledge. */
  phases: readonly { first: number; last: number; adjustmentWindowEnd: string }[];
  /** U — ets_anchors.md §3: the move of the surrender deadline to 30 September "starting with the 2024 compliance cycle"; which emissions year is the first is an interpretation. */
  firstFiscalYearWithSeptemberSurrender: number;
  /** ets_anchors.md §6 oracle recipe: C when that year's verified emissions are missing (year_only); the UK calculator uses any_year. */
  missingEmissions: 'year_only' | 'any_year';
  /** U — banking across phases from phase 2 on is background knowledge. */
  bankingHorizonPeriods: number | null;
  /** U — 20 MW rated thermal input (Directive Annex I) is background knowledge, not in the research note. */
  coverageThresholdMw: string;
}

export const EU_ETS_DEFAULTS: EuEtsParameters = {
  phases: [
    { first: 2005, last: 2007, adjustmentWindowEnd: '2008-04-30' },
    { first: 2008, last: 2012, adjustmentWindowEnd: '2013-04-30' },
    { first: 2013, last: 2020, adjustmentWindowEnd: '2021-04-30' },
    { first: 2021, last: 2030, adjustmentWindowEnd: '2031-09-30' },
  ],
  firstFiscalYearWithSeptemberSurrender: 2023,
  missingEmissions: 'year_only',
  bankingHorizonPeriods: null,
  coverageThresholdMw: '20',
};

const CODES = 'ets_anchors.md §3 (EUTL compliance codes) and §6 (oracle recipe)';

export function euEtsProgram(overrides: Partial<EuEtsParameters> = {}): ProgramDefinition {
  const p: EuEtsParameters = { ...EU_ETS_DEFAULTS, ...overrides };
  const whole = unconfirmed('ets_anchors.md §3', 'allowances are whole tonnes; citycap default');
  return {
    schemaVersion: 1,
    id: 'eu-ets',
    name: 'EU ETS-style allocation program',
    version: '2026-11-01',
    jurisdiction: { code: 'EU-ETS', name: 'European Union Emissions Trading System', timeZone: 'Europe/Brussels' },
    kind: 'allocation',
    fiscalYearStartMonth: 1,
    periods: p.phases.map((ph, i) => ({
      number: i + 1,
      firstFiscalYear: ph.first,
      lastFiscalYear: ph.last,
      adjustmentWindowEnd: ph.adjustmentWindowEnd,
      provenance: unconfirmed('ets_anchors.md §6', 'phase years and the last surrender deadline are background knowledge [K]'),
    })),
    categories: [],
    reliefs: [],
    reliefCombination: { mode: 'sequential' },
    coverage: {
      metric: 'rated_thermal_input_mw',
      threshold: p.coverageThresholdMw,
      designationAfterYears: 1,
      obligationAfterConsecutiveYears: 1,
      excludePartialYears: false,
      provenance: unconfirmed('background knowledge (Directive 2003/87/EC Annex I)', 'not in the research note; installations come from the EUTL data'),
    },
    emissionFactorSets: [],
    creditTypes: [
      { code: 'allowance', kind: 'allowance', name: 'General allowance (EUA)', transferable: true, description: 'Issued as free allocation each year (and auctioned outside the registry); surrendered against verified emissions', provenance: confirmed('ets_anchors.md §3') },
    ],
    banking: { allowed: true, horizonPeriods: p.bankingHorizonPeriods, borrowing: false, provenance: unconfirmed('background knowledge', 'banking between phases from phase 2 on [K]') },
    deadlines: [
      { event: 'verified_emissions', description: 'Verified emissions for the previous year', month: 3, day: 31, yearOffset: 1, provenance: confirmed('ets_anchors.md §3 (deadlines)') },
      { event: 'surrender', description: 'Surrender allowances for the previous year (30 April)', month: 4, day: 30, yearOffset: 1, untilFiscalYear: p.firstFiscalYearWithSeptemberSurrender - 1, provenance: confirmed('ets_anchors.md §3 (deadlines)') },
      {
        event: 'surrender',
        description: 'Surrender allowances for the previous year (30 September)',
        month: 9,
        day: 30,
        yearOffset: 1,
        fromFiscalYear: p.firstFiscalYearWithSeptemberSurrender,
        provenance: unconfirmed('ets_anchors.md §3 (deadlines)', '"moved to 30 September starting with the 2024 compliance cycle": read here as 2023 emissions surrendered in 2024'),
      },
    ],
    rounding: {
      baseT: rule('half_up', 0, whole),
      capT: rule('floor', 0, whole),
      obligationT: rule('ceil', 0, whole),
      creditT: rule('floor', 0, whole),
      creditLimitT: rule('floor', 0, whole),
      emissionsT: rule('half_up', 0, whole),
      coeKl: rule('half_up', 3, whole),
      reductionPercent: rule('floor', 0, whole),
    },
    allocation: {
      surrender: 'annual',
      cumulative: 'within_period',
      missingEmissions: p.missingEmissions,
      provenance: unconfirmed(CODES, 'A: cumulative surrendered ≥ cumulative verified; B: less; C: verified emissions missing. Cumulation within the phase is [K]'),
    },
    enforcement: { penalty: { amount: '100', currency: 'EUR', per: 'tonne' }, provenance: confirmed('ets_anchors.md §3 (deadlines and penalty)', '€100/t indexed; the missing allowances must still be surrendered') },
    notes: [
      'Status codes D, E, X and "-" are administrative outcomes (corrections, suspensions, no obligation) that are recorded, not computed (ets_anchors.md §3, §6).',
      'Allocation does not enter the status code; only surrenders against verified emissions do.',
    ],
  };
}
