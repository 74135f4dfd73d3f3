// Test vectors T1–T15 from ../shared/docs/research/tokyo_cat.md §11, the EU A/B/C rule, and property tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  adjustFactor,
  bankingAllows,
  baseYearEmissions,
  checkCreditUsage,
  complianceFactor,
  countedReductionLimitT,
  creditUsageLimitT,
  excessReductions,
  periodCap,
  reductionPercent,
  type Checked,
} from '../../src/domain/compliance/caps.js';
import { euComplianceStatuses } from '../../src/domain/compliance/eu-status.js';
import { Rational } from '../../src/domain/compliance/rational.js';
import { euEtsProgram, saitamaProgram, tokyoProgram } from '../../src/domain/program/presets/index.js';
import type { ProgramDefinition, ReliefAdjustment } from '../../src/domain/program/schema.js';

const tokyo = tokyoProgram();
const saitama = saitamaProgram();
const t = (n: number | bigint): Rational => Rational.of(n);
const d = (s: string): Rational => Rational.parseDecimal(s)!;

function value<T>(c: Checked<T>): T {
  if (!c.ok) assert.fail(`refused: ${c.refusal.code} ${c.refusal.message}`);
  return c.value;
}

function factorPercent(p: ProgramDefinition, period: number, category: string, reliefs: string[] = []): string {
  return value(complianceFactor(p, period, category, reliefs)).factor.mul(100n).toDecimal();
}

describe('test vectors T1–T15 (tokyo_cat.md §11)', () => {
  it('T1: pro-rated excess, year 1 — B 10,000 t, f 17 %, E₁ 8,500 t: reduction 1,500 < R₁ 1,700, nothing sellable', () => {
    const r = value(excessReductions(tokyo, { period: 2, category: 'I-1', baseT: t(10_000), emissionsT: [t(8_500)] }));
    const y1 = r.years[0]!;
    assert.equal(y1.reductionT.toDecimal(), '1500');
    assert.equal(y1.proRatedObligationT.toDecimal(), '1700');
    assert.equal(y1.positionT.toDecimal(), '-200');
    assert.equal(r.creditableT.toDecimal(), '0');
  });

  it('T2: pro-rated excess, year 2 — cumulative reduction 4,000 t against R₂ 3,400 t: 600 t sellable', () => {
    const r = value(excessReductions(tokyo, { period: 2, category: 'I-1', baseT: t(10_000), emissionsT: [t(8_500), t(7_500)] }));
    const y2 = r.years[1]!;
    assert.equal(y2.cumulativeCountedReductionT.toDecimal(), '4000');
    assert.equal(y2.proRatedObligationT.toDecimal(), '3400');
    assert.equal(y2.creditableT.toDecimal(), '600');
    assert.equal(y2.newlyCreditableT.toDecimal(), '600');
    assert.equal(r.creditableT.toDecimal(), '600');
  });

  it('T3: period cap and obligation — B 10,000 t, f 17 %, N 5: cap 41,500 t, obligation 8,500 t', () => {
    const r = value(periodCap(tokyo, { period: 2, category: 'I-1', baseT: t(10_000) }));
    assert.equal(r.factor.factor.toDecimal(), '0.17');
    assert.equal(r.years, 5n);
    assert.equal(r.capT.toDecimal(), '41500');
    assert.equal(r.obligationT.toDecimal(), '8500');
  });

  it('T4: seller limit ½ of base — B 10,000 t: reductions counted ≤ 5,000 t (per-year interpretation, a parameter)', () => {
    assert.equal(countedReductionLimitT(tokyo, t(10_000))?.toDecimal(), '5000');
    // per_year (default): a year with zero emissions counts 5,000 t, not 10,000 t; 5,000 − R₁ 1,700 = 3,300 t.
    const perYear = value(excessReductions(tokyo, { period: 2, category: 'I-1', baseT: t(10_000), emissionsT: [t(0)] }));
    assert.equal(perYear.years[0]!.countedReductionT.toDecimal(), '5000');
    assert.equal(perYear.creditableT.toDecimal(), '3300');
    // period_total: the alternative reading caps the total creditable at 5,000 t.
    const total = tokyoProgram({ excessLimitBasis: 'period_total' });
    const r = value(excessReductions(total, { period: 2, category: 'I-1', baseT: t(10_000), emissionsT: [t(0), t(0), t(0)] }));
    assert.equal(r.years[2]!.positionT.toDecimal(), '24900');
    assert.equal(r.creditableT.toDecimal(), '5000');
  });

  it('T5: top-level factors — f 17 %: top-level 8.5 %, near-top-level 12.75 %', () => {
    assert.equal(factorPercent(tokyo, 2, 'I-1', ['top_level']), '8.5');
    assert.equal(factorPercent(tokyo, 2, 'I-1', ['near_top_level']), '12.75');
  });

  it('T6: top-level P1 — 8 % → 4 % / 6 %; 6 % → 3 % / 4.5 %', () => {
    assert.equal(factorPercent(tokyo, 1, 'I-1', ['top_level']), '4');
    assert.equal(factorPercent(tokyo, 1, 'I-1', ['near_top_level']), '6');
    for (const category of ['I-2', 'II']) {
      assert.equal(factorPercent(tokyo, 1, category, ['top_level']), '3');
      assert.equal(factorPercent(tokyo, 1, category, ['near_top_level']), '4.5');
    }
  });

  it('T7: outside-Tokyo limit — R 8,500 t: ≤ 2,833.33 t (1/3 · R; whole-tonne floor by default, a parameter)', () => {
    const limit = value(creditUsageLimitT(tokyo, 'outside', t(8_500)))!;
    assert.equal(limit.exactT.toString(), '8500/3');
    assert.equal(limit.exactT.round(2, 'floor').toDecimal(), '2833.33');
    assert.equal(limit.limitT.toDecimal(), '2833');
    const twoDecimals: ProgramDefinition = { ...tokyo, rounding: { ...tokyo.rounding, creditLimitT: { mode: 'floor', decimals: 2 } } };
    assert.equal(value(creditUsageLimitT(twoDecimals, 'outside', t(8_500)))!.limitT.toDecimal(), '2833.33');
    assert.equal(checkCreditUsage(tokyo, t(8_500), [{ creditCode: 'outside', quantityT: 2_833n }]).length, 0);
    const refused = checkCreditUsage(tokyo, t(8_500), [{ creditCode: 'outside', quantityT: 2_000n }, { creditCode: 'outside', quantityT: 834n }]);
    assert.deepEqual(refused.map((r) => r.code), ['CREDIT_USAGE_LIMIT']);
  });

  it('T8: aggregate reduction — base 16.50, FY2016 12.13: 26.5 % → reported 26 %', () => {
    const r = value(reductionPercent(tokyo.rounding.reductionPercent, d('16.50'), d('12.13')));
    assert.equal(r.exactPercent.round(1, 'half_up').toDecimal(), '26.5');
    assert.equal(r.reportedPercent.toDecimal(), '26');
  });

  it('T9: aggregate reduction — FY2020 11.04: 33.1 % → 33 %', () => {
    const r = value(reductionPercent(tokyo.rounding.reductionPercent, d('16.50'), d('11.04')));
    assert.equal(r.exactPercent.round(1, 'half_up').toDecimal(), '33.1');
    assert.equal(r.reportedPercent.toDecimal(), '33');
  });

  it('T10: aggregate reduction — FY2022 11.18: 32.2 % → 32 %; FY2023 11.32: 31.4 % → 31 % (half-up gives the same)', () => {
    for (const [emissions, oneDecimal, reported] of [['11.18', '32.2', '32'], ['11.32', '31.4', '31']] as const) {
      const r = value(reductionPercent(tokyo.rounding.reductionPercent, d('16.50'), d(emissions)));
      assert.equal(r.exactPercent.round(1, 'half_up').toDecimal(), oneDecimal);
      assert.equal(r.reportedPercent.toDecimal(), reported);
      assert.equal(value(reductionPercent({ mode: 'half_up', decimals: 0 }, d('16.50'), d(emissions))).reportedPercent.toDecimal(), reported);
    }
  });

  it('T11 (ratio only — the benchmark ranking belongs to the buildings module): 50 / 78.1 kg/m² = 0.64, inside A2 (0.50, 0.75]', () => {
    const ratio = d('50').div(d('78.1'));
    assert.equal(ratio.round(2, 'half_up').toDecimal(), '0.64');
    assert.ok(ratio.gt(d('0.50')) && ratio.lte(d('0.75')));
  });

  it('T12 (formula only — low-carbon electricity belongs to MRV): 1,000 MWh × (g − 0.30) with Saitama\'s P3 grid factor g (unconfirmed default 0.489) = 189 t; menu 0.30 ≤ 0.37 eligible', () => {
    const set = saitama.emissionFactorSets.find((s) => s.periods.includes(3))!;
    const g = d(set.factors.find((f) => f.energy === 'electricity_grid')!.tCo2PerUnit!);
    assert.equal(t(1_000).mul(g.sub(d('0.30'))).toDecimal(), '189');
    assert.ok(d('0.30').lte(d('0.37')));
  });

  it('T13: Saitama P1 cap — B × 0.92 × 4 (4-year first period)', () => {
    const r = value(periodCap(saitama, { period: 1, category: 'office', baseT: t(10_000) }));
    assert.equal(r.years, 4n);
    assert.equal(r.capT.toDecimal(), '36800');
    assert.equal(r.obligationT.toDecimal(), '3200');
    assert.ok(r.capExactT.eq(t(10_000).mul(d('0.92')).mul(4n)));
  });

  it('T14: Saitama SME — office P3 22 % → 16.5 %; P4 50 % → 46 %', () => {
    assert.equal(factorPercent(saitama, 3, 'office', ['small_business']), '16.5');
    assert.equal(factorPercent(saitama, 4, 'office', ['small_business']), '46');
  });

  it('T15: Tokyo P4 reliefs — I-1 50 %: medical 48 %, electrification < 20 % 47 %', () => {
    assert.equal(factorPercent(tokyo, 4, 'I-1', ['medical']), '48');
    assert.equal(factorPercent(tokyo, 4, 'I-1', ['low_electrification']), '47');
  });
});

describe('reliefs, caps and credits beyond the vectors', () => {
  it('a relief with no rule in the period changes nothing and says so (Tokyo top-level in P4)', () => {
    const f = value(complianceFactor(tokyo, 4, 'I-1', ['top_level']));
    assert.equal(f.factor.toDecimal(), '0.5');
    assert.deepEqual(f.steps.map((s) => [s.relief, s.applies]), [['top_level', false]]);
  });

  it('reliefs apply in program order whatever order they are named in', () => {
    const a = value(complianceFactor(saitama, 3, 'office', ['medical', 'small_business'])).factor;
    const b = value(complianceFactor(saitama, 3, 'office', ['small_business', 'medical'])).factor;
    assert.ok(a.eq(b));
    assert.equal(a.mul(100n).toDecimal(), '14.5'); // 22 × 3/4 = 16.5, then − 2 points
  });

  it('with reliefCombination lowest, the single most favourable relief wins instead of stacking', () => {
    const lowest = saitamaProgram({ reliefCombination: 'lowest' });
    assert.equal(factorPercent(lowest, 3, 'office', ['medical', 'small_business']), '16.5'); // min(22 × 3/4, 22 − 2)
    assert.equal(factorPercent(saitama, 3, 'office', ['medical', 'small_business']), '14.5');
  });

  it('new entrants in Tokyo P4 get 41 % (office) and 39 %', () => {
    assert.equal(factorPercent(tokyo, 4, 'I-1', ['new_entrant']), '41');
    assert.equal(factorPercent(tokyo, 4, 'II', ['new_entrant']), '39');
  });

  it('refuses unknown period, category and relief, naming the field', () => {
    const period = periodCap(tokyo, { period: 5, category: 'I-1', baseT: t(1) });
    const category = periodCap(tokyo, { period: 1, category: 'III', baseT: t(1) });
    const relief = periodCap(tokyo, { period: 1, category: 'I-1', reliefs: ['hospital'], baseT: t(1) });
    assert.deepEqual([period, category, relief].map((r) => (r.ok ? 'ok' : `${r.refusal.field}:${r.refusal.code}`)), ['period:UNKNOWN_PERIOD', 'category:UNKNOWN_CATEGORY', 'relief:UNKNOWN_RELIEF']);
  });

  it('refuses caps for an allocation program and more emission years than the period has', () => {
    const eu = periodCap(euEtsProgram(), { period: 3, category: 'x', baseT: t(1) });
    assert.ok(!eu.ok && eu.refusal.code === 'NOT_AN_OBLIGATION_PROGRAM');
    const tooMany = excessReductions(saitama, { period: 1, category: 'office', baseT: t(1), emissionsT: [t(1), t(1), t(1), t(1), t(1)] });
    assert.ok(!tooMany.ok && tooMany.refusal.field === 'emissionsT');
  });

  it('a bad year after a good one lowers the creditable position and makes nothing new creditable', () => {
    const r = value(excessReductions(tokyo, { period: 2, category: 'I-1', baseT: t(10_000), emissionsT: [t(7_000), t(10_000)] }));
    assert.deepEqual(r.years.map((y) => [y.creditableT.toDecimal(), y.newlyCreditableT.toDecimal()]), [['1300', '1300'], ['0', '0']]);
  });

  it('base-year emissions are the average of consecutive years inside the window', () => {
    const chosen = [2005, 2006, 2007].map((fiscalYear, i) => ({ fiscalYear, emissionsT: t([9_000, 10_000, 11_001][i]!) }));
    const r = value(baseYearEmissions(tokyo, chosen));
    assert.equal(r.exactT.toString(), '30001/3');
    assert.equal(r.baseT.toDecimal(), '10000');
    const gap = baseYearEmissions(tokyo, [2002, 2003, 2005].map((fiscalYear) => ({ fiscalYear, emissionsT: t(1) })));
    assert.ok(!gap.ok && gap.refusal.code === 'BASE_YEARS_NOT_CONSECUTIVE');
    const outside = baseYearEmissions(tokyo, [2006, 2007, 2008].map((fiscalYear) => ({ fiscalYear, emissionsT: t(1) })));
    assert.ok(!outside.ok && outside.refusal.code === 'BASE_YEAR_OUTSIDE_WINDOW');
  });

  it('banks into the next period only, never borrows', () => {
    assert.deepEqual([bankingAllows(tokyo, 2, 2), bankingAllows(tokyo, 2, 3), bankingAllows(tokyo, 2, 4), bankingAllows(tokyo, 3, 2)], [true, true, false, false]);
    assert.equal(bankingAllows(euEtsProgram(), 2, 4), true);
  });
});

describe('EU cumulative compliance status A/B/C (ets_anchors.md §3, §6)', () => {
  const eu = euEtsProgram();

  it('A while cumulative surrenders cover cumulative verified emissions, B when short, C when emissions are missing', () => {
    const rows = euComplianceStatuses(eu, [
      { fiscalYear: 2013, verifiedT: 100n, surrenderedT: 100n },
      { fiscalYear: 2014, verifiedT: 100n, surrenderedT: 90n },
      { fiscalYear: 2015, verifiedT: 100n, surrenderedT: 110n },
      { fiscalYear: 2016, verifiedT: null, surrenderedT: 0n },
      { fiscalYear: 2017, verifiedT: 50n, surrenderedT: 60n },
    ]);
    assert.deepEqual(rows.map((r) => [r.fiscalYear, r.status, r.cumulativeVerifiedT, r.cumulativeSurrenderedT]), [
      [2013, 'A', 100n, 100n],
      [2014, 'B', 200n, 190n],
      [2015, 'A', 300n, 300n],
      [2016, 'C', 300n, 300n],
      [2017, 'A', 350n, 360n],
    ]);
  });

  it('cumulation restarts with each phase', () => {
    const rows = euComplianceStatuses(eu, [
      { fiscalYear: 2012, verifiedT: 100n, surrenderedT: 50n },
      { fiscalYear: 2013, verifiedT: 100n, surrenderedT: 100n },
    ]);
    assert.deepEqual(rows.map((r) => [r.period, r.status]), [[2, 'B'], [3, 'A']]);
  });

  it('with missingEmissions any_year, a missing year keeps later years of the phase at C', () => {
    const anyYear = euEtsProgram({ missingEmissions: 'any_year' });
    const rows = euComplianceStatuses(anyYear, [
      { fiscalYear: 2013, verifiedT: null, surrenderedT: 0n },
      { fiscalYear: 2014, verifiedT: 10n, surrenderedT: 10n },
      { fiscalYear: 2021, verifiedT: 10n, surrenderedT: 10n },
    ]);
    assert.deepEqual(rows.map((r) => r.status), ['C', 'C', 'A']);
  });
});

describe('properties of the rules', () => {
  const obligationPrograms = [tokyo, saitama];
  /** A program, one of its periods and categories, and a subset of its reliefs in any order. */
  const terms = fc
    .constantFrom(...obligationPrograms)
    .chain((p) =>
      fc.record({
        p: fc.constant(p),
        period: fc.constantFrom(...p.periods.map((x) => x.number)),
        category: fc.constantFrom(...p.categories.map((c) => c.code)),
        reliefs: fc.shuffledSubarray(p.reliefs.map((r) => r.code)),
      }),
    );
  const tonnes = fc.bigInt({ min: 0n, max: 10_000_000n }).map((n) => Rational.of(n));
  const decimalTonnes = fc.bigInt({ min: 0n, max: 10_000_000_000n }).map((n) => Rational.of(n, 1000n));

  it('more emissions never yield more credits', () => {
    fc.assert(
      fc.property(
        terms,
        fc.constantFrom<'per_year' | 'period_total'>('per_year', 'period_total'),
        tonnes,
        fc.array(tonnes, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.bigInt({ min: 1n, max: 1_000_000n }),
        ({ p, period, category, reliefs }, basis, baseT, emissionsT, which, extra) => {
          const program: ProgramDefinition = { ...p, excessReduction: { ...p.excessReduction!, countedReductionLimit: { ...p.excessReduction!.countedReductionLimit, basis } } };
          const i = which % emissionsT.length;
          const more = emissionsT.map((e, j) => (j === i ? e.add(t(extra)) : e));
          const a = value(excessReductions(program, { period, category, reliefs, baseT, emissionsT }));
          const b = value(excessReductions(program, { period, category, reliefs, baseT, emissionsT: more }));
          a.years.forEach((y, k) => {
            assert.ok(b.years[k]!.creditableT.lte(y.creditableT));
          });
          assert.ok(b.creditableT.lte(a.creditableT));
        },
      ),
    );
  });

  it('reliefs never raise a factor, and adding a relief never raises it', () => {
    fc.assert(
      fc.property(terms, fc.nat(), ({ p, period, category, reliefs }, which) => {
        const f = value(complianceFactor(p, period, category, reliefs));
        assert.ok(f.factor.lte(f.categoryFactor));
        assert.ok(!f.factor.isNegative());
        if (reliefs.length > 0) {
          const fewer = reliefs.filter((_, j) => j !== which % reliefs.length);
          assert.ok(f.factor.lte(value(complianceFactor(p, period, category, fewer)).factor));
        }
      }),
    );
  });

  it('any relief adjustment keeps a factor within [0, factor]', () => {
    const adjustment: fc.Arbitrary<ReliefAdjustment> = fc.oneof(
      fc.record({ op: fc.constant('multiply' as const), ratio: fc.tuple(fc.nat(100), fc.integer({ min: 1, max: 100 })).filter(([n, den]) => n <= den).map(([n, den]) => `${n}/${den}`) }),
      fc.record({ op: fc.constant('subtract' as const), pointsPpm: fc.integer({ min: 0, max: 1_000_000 }) }),
      fc.record({ op: fc.constant('replace' as const), factors: fc.tuple(fc.constantFrom('A', 'B'), fc.integer({ min: 0, max: 1_000_000 })).map(([category, factorPpm]) => [{ category, factorPpm }]) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), adjustment, fc.constantFrom('A', 'B'), (ppm, adj, category) => {
        const before = Rational.ppm(ppm);
        const after = adjustFactor(before, adj, category);
        assert.ok(after.lte(before) && !after.isNegative());
      }),
    );
  });

  it('caps and obligations are monotone in the base', () => {
    fc.assert(
      fc.property(terms, decimalTonnes, decimalTonnes, ({ p, period, category, reliefs }, x, y) => {
        const [lo, hi] = x.lte(y) ? [x, y] : [y, x];
        const a = value(periodCap(p, { period, category, reliefs, baseT: lo }));
        const b = value(periodCap(p, { period, category, reliefs, baseT: hi }));
        assert.ok(a.capT.lte(b.capT) && a.capExactT.lte(b.capExactT));
        assert.ok(a.obligationT.lte(b.obligationT) && a.obligationExactT.lte(b.obligationExactT));
      }),
    );
  });

  it('cap + obligation = base × years (exactly; and after rounding for whole-tonne bases)', () => {
    fc.assert(
      fc.property(terms, decimalTonnes, tonnes, ({ p, period, category, reliefs }, decimalBase, wholeBase) => {
        const exact = value(periodCap(p, { period, category, reliefs, baseT: decimalBase }));
        assert.ok(exact.capExactT.add(exact.obligationExactT).eq(decimalBase.mul(exact.years)));
        const whole = value(periodCap(p, { period, category, reliefs, baseT: wholeBase }));
        assert.ok(whole.capT.add(whole.obligationT).eq(wholeBase.mul(whole.years)));
      }),
    );
  });

  it('rounding modes bracket the exact value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -1_000_000_000_000n, max: 1_000_000_000_000n }), fc.bigInt({ min: 1n, max: 1_000_000n }), fc.nat(4), (n, den, decimals) => {
        const x = Rational.of(n, den);
        const lo = x.round(decimals, 'floor');
        const hi = x.round(decimals, 'ceil');
        assert.ok(lo.lte(x) && x.lte(hi));
        for (const mode of ['truncate', 'half_up', 'half_even'] as const) {
          const r = x.round(decimals, mode);
          assert.ok(lo.lte(r) && r.lte(hi));
        }
      }),
    );
  });
});
