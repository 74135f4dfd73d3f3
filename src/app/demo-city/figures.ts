// The published results of Tokyo's program that the demo city reproduces (../shared/docs/research/tokyo_cat.md §8.1,
// with its source tags). Where a year was not published the demo interpolates, and says so here and in docs/demo.md.

/** Aggregate base-year emissions of the covered facilities, Mt-CO2, restated with period-2 emission factors [S23]. */
export const PUBLISHED_BASE_MT = '16.50';

export interface PublishedYear {
  readonly fiscalYear: number;
  /** Total emissions, Mt-CO2 (period-2/3 emission factors), as published; null when only the % was published. */
  readonly emissionsMt: string | null;
  /** Reduction against the base year, whole percent, as published; null when not published. */
  readonly reductionPct: number | null;
  /** The source tags of tokyo_cat.md, or "interpolated". */
  readonly source: string;
}

/**
 * FY2010–FY2014 (period 1) were published as reductions only: against the base with period-1 factors (the factors
 * the period's reports used). FY2015 on: totals in Mt with period-2 factors (the same factors in period 3).
 */
export const PUBLISHED_YEARS: readonly PublishedYear[] = [
  { fiscalYear: 2010, emissionsMt: null, reductionPct: 13, source: '[S26]' },
  { fiscalYear: 2011, emissionsMt: null, reductionPct: 23, source: '[S26,S28]' },
  { fiscalYear: 2012, emissionsMt: null, reductionPct: 22, source: '[S27]' },
  { fiscalYear: 2013, emissionsMt: null, reductionPct: null, source: 'interpolated: not published; halfway between FY2012 (22 %) and FY2014 (25 %)' },
  { fiscalYear: 2014, emissionsMt: null, reductionPct: 25, source: '[S3]' },
  { fiscalYear: 2015, emissionsMt: '12.25', reductionPct: 26, source: '[S23]' },
  { fiscalYear: 2016, emissionsMt: '12.13', reductionPct: 26, source: '[S2,S23]' },
  { fiscalYear: 2017, emissionsMt: '12.03', reductionPct: 27, source: '[S23,S84] (12.03–12.04; ICAP\'s 12.4 [S4] is taken as a typo)' },
  { fiscalYear: 2018, emissionsMt: '12.11', reductionPct: 27, source: '[S23,S6]' },
  { fiscalYear: 2019, emissionsMt: '12.06', reductionPct: 27, source: '[S23]' },
  { fiscalYear: 2020, emissionsMt: '11.04', reductionPct: 33, source: '[S23]' },
  { fiscalYear: 2021, emissionsMt: '11.11', reductionPct: null, source: 'interpolated: not published; the mean of FY2020 (11.04) and FY2022 (11.18)' },
  { fiscalYear: 2022, emissionsMt: '11.18', reductionPct: 32, source: '[S24]' },
  { fiscalYear: 2023, emissionsMt: '11.32', reductionPct: 31, source: '[S25]' },
];

/**
 * The reduction the demo aims at for the period-1 years, percent. A published whole percent P is aimed at P + 0.25:
 * inside [P, P + 0.5), where rounding down and rounding half up both give P. FY2013 aims at its interpolation.
 */
export const PERIOD1_TARGET_REDUCTION: Readonly<Record<number, string>> = {
  2010: '13.25',
  2011: '23.25',
  2012: '22.25',
  2013: '23.5',
  2014: '25.25',
};

/** The fiscal years the demo reports (FY2024 was not published when the research was done, tokyo_cat.md §8.1). */
export const DEMO_FIRST_FISCAL_YEAR = 2010;
export const DEMO_LAST_FISCAL_YEAR = 2023;
