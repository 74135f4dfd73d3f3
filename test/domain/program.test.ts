import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { euEtsProgram, presetProgram, PRESET_NAMES, saitamaProgram, tokyoProgram } from '../../src/domain/program/presets/index.js';
import { fiscalYearEnd, formatFieldError, validateProgram, type ProgramDefinition } from '../../src/domain/program/schema.js';
import { unconfirmedValues } from '../../src/domain/program/unconfirmed.js';

/** A deep copy as plain JSON, the way a city would edit a definition file. */
function editable(p: ProgramDefinition): Record<string, unknown> & ProgramDefinition {
  return JSON.parse(JSON.stringify(p)) as Record<string, unknown> & ProgramDefinition;
}

function errorsOf(input: unknown): string[] {
  const r = validateProgram(input);
  assert.ok(!r.ok, 'the definition should be refused');
  return r.errors.map(formatFieldError);
}

function assertError(input: unknown, pathAndMessage: RegExp): void {
  const errors = errorsOf(input);
  assert.ok(errors.some((e) => pathAndMessage.test(e)), `expected an error matching ${pathAndMessage}, got:\n${errors.join('\n')}`);
}

describe('program presets', () => {
  for (const name of PRESET_NAMES) {
    it(`${name} validates, also after a JSON round trip`, () => {
      const p = presetProgram(name);
      const direct = validateProgram(p);
      assert.ok(direct.ok, direct.ok ? '' : direct.errors.map(formatFieldError).join('\n'));
      assert.ok(validateProgram(editable(p)).ok);
    });
  }

  it('tokyo has periods 1–4 of five fiscal years starting in April', () => {
    const p = tokyoProgram();
    assert.equal(p.kind, 'obligation');
    assert.equal(p.fiscalYearStartMonth, 4);
    assert.deepEqual(p.periods.map((x) => [x.number, x.firstFiscalYear, x.lastFiscalYear]), [[1, 2010, 2014], [2, 2015, 2019], [3, 2020, 2024], [4, 2025, 2029]]);
    assert.deepEqual(p.categories.map((c) => [c.code, c.factors.map((f) => f.factorPpm)]), [
      ['I-1', [80_000, 170_000, 270_000, 500_000]],
      ['I-2', [60_000, 150_000, 250_000, 480_000]],
      ['II', [60_000, 150_000, 250_000, 480_000]],
    ]);
  });

  it('saitama has a 4-year first period FY2011–FY2014 and periods 2–4 of five years', () => {
    const p = saitamaProgram();
    assert.deepEqual(p.periods.map((x) => x.lastFiscalYear - x.firstFiscalYear + 1), [4, 5, 5, 5]);
    assert.equal(p.periods[0]!.firstFiscalYear, 2011);
  });

  it('eu-ets is an allocation program with annual surrender and cumulative status within a phase', () => {
    const p = euEtsProgram();
    assert.equal(p.kind, 'allocation');
    assert.equal(p.allocation?.surrender, 'annual');
    assert.equal(p.allocation.cumulative, 'within_period');
    assert.deepEqual(p.periods.map((x) => [x.firstFiscalYear, x.lastFiscalYear]), [[2005, 2007], [2008, 2012], [2013, 2020], [2021, 2030]]);
  });

  it('lists unconfirmed values with their path, e.g. the Tokyo P3 I-2 factor and the rounding rules', () => {
    const paths = unconfirmedValues(tokyoProgram()).map((u) => u.path);
    assert.ok(paths.includes('categories[1].factors[2]'));
    assert.ok(paths.includes('excessReduction.countedReductionLimit'));
    assert.ok(paths.includes('rounding.capT'));
    assert.ok(!paths.includes('categories[0].factors[1]'), 'the P2 I-1 factor is confirmed');
  });

  it('unconfirmed values are parameters: overriding one changes the definition', () => {
    const p = tokyoProgram({ p3CategoryI2FactorPpm: 270_000, excessLimitBasis: 'period_total' });
    assert.equal(p.categories[1]!.factors[2]!.factorPpm, 270_000);
    assert.equal(p.excessReduction?.countedReductionLimit.basis, 'period_total');
    assert.ok(validateProgram(p).ok);
  });
});

describe('program validation names the field', () => {
  it('refuses overlapping periods at periods[1].firstFiscalYear', () => {
    const p = editable(tokyoProgram());
    p.periods[1]!.firstFiscalYear = 2014;
    assertError(p, /^periods\[1\]\.firstFiscalYear: overlaps period 1/);
  });

  it('refuses a gap between periods', () => {
    const p = editable(tokyoProgram());
    p.periods[2]!.firstFiscalYear = 2021;
    assertError(p, /^periods\[2\]\.firstFiscalYear: must be 2020/);
  });

  it('refuses a period that ends before it starts at periods[2].lastFiscalYear', () => {
    const p = editable(tokyoProgram());
    p.periods[2]!.lastFiscalYear = 2019;
    assertError(p, /^periods\[2\]\.lastFiscalYear: must not be before firstFiscalYear \(2020\)/);
  });

  it('refuses periods numbered out of order', () => {
    const p = editable(tokyoProgram());
    p.periods[1]!.number = 3;
    assertError(p, /^periods\[1\]\.number: must be 2/);
  });

  it('refuses an adjustment window that ends before the period', () => {
    const p = editable(tokyoProgram());
    p.periods[0]!.adjustmentWindowEnd = '2015-03-31';
    assertError(p, /^periods\[0\]\.adjustmentWindowEnd: must be after the period ends \(2015-03-31\)/);
  });

  it('refuses a factor above 100 % and a negative factor', () => {
    const p = editable(tokyoProgram());
    p.categories[0]!.factors[1]!.factorPpm = 1_700_000;
    p.categories[2]!.factors[0]!.factorPpm = -1;
    assertError(p, /^categories\[0\]\.factors\[1\]\.factorPpm: must be between 0 and 1000000 ppm \(0–100 %\)/);
    assertError(p, /^categories\[2\]\.factors\[0\]\.factorPpm: must be between 0 and 1000000 ppm/);
  });

  it('refuses a factor written as a float', () => {
    const p = editable(tokyoProgram());
    (p.categories[0]!.factors[0] as unknown as Record<string, unknown>).factorPpm = 0.08;
    assertError(p, /^categories\[0\]\.factors\[0\]\.factorPpm: must be whole parts per million/);
  });

  it('refuses a relief that references an unknown category', () => {
    const p = editable(tokyoProgram());
    const rule = p.reliefs[4]!.rules[0]!;
    assert.equal(rule.adjustment.op, 'replace');
    rule.adjustment.factors[0]!.category = 'I-3';
    assertError(p, /^reliefs\[4\]\.rules\[0\]\.adjustment\.factors\[0\]\.category: unknown category "I-3"/);
  });

  it('refuses a relief that would raise a factor', () => {
    const p = editable(tokyoProgram());
    const rule = p.reliefs[4]!.rules[0]!;
    if (rule.adjustment.op === 'replace') rule.adjustment.factors[0]!.factorPpm = 600_000;
    assertError(p, /^reliefs\[4\]\.rules\[0\]\.adjustment\.factors\[0\]\.factorPpm: .*may only lower it/);
  });

  it('refuses a multiplier above 1', () => {
    const p = editable(tokyoProgram());
    p.reliefs[0]!.rules[0]!.adjustment = { op: 'multiply', ratio: '3/2' };
    assertError(p, /^reliefs\[0\]\.rules\[0\]\.adjustment\.ratio: must be a ratio between 0 and 1/);
  });

  it('refuses a reference to a period the program does not have', () => {
    const p = editable(tokyoProgram());
    p.reliefs[2]!.rules[0]!.period = 9;
    assertError(p, /^reliefs\[2\]\.rules\[0\]\.period: unknown period 9 \(the program has periods 1, 2, 3, 4\)/);
  });

  it('refuses a category without a factor for every period', () => {
    const p = editable(tokyoProgram());
    p.categories[1]!.factors.pop();
    assertError(p, /^categories\[1\]\.factors: no compliance factor for period 4/);
  });

  it('refuses an emission factor for an undeclared energy source and a fixed factor without a value', () => {
    const p = editable(tokyoProgram());
    p.emissionFactorSets[0]!.factors[1]!.energy = 'coal';
    delete p.emissionFactorSets[1]!.factors[0]!.tCo2PerUnit;
    assertError(p, /^emissionFactorSets\[0\]\.factors\[1\]\.energy: unknown energy source "coal"/);
    assertError(p, /^emissionFactorSets\[1\]\.factors\[0\]\.tCo2PerUnit: a fixed emission factor needs a value/);
  });

  it('refuses two emission-factor sets for the same period', () => {
    const p = editable(tokyoProgram());
    p.emissionFactorSets[2]!.periods = [3, 4];
    assertError(p, /^emissionFactorSets\[2\]\.periods\[0\]: period 3 already uses emission-factor set "tokyo-p2-p3"/);
  });

  it('refuses an outside-credit limit above the whole obligation', () => {
    const p = editable(tokyoProgram());
    p.creditTypes[3]!.usageLimit = { maxShareOfObligation: '4/3' };
    assertError(p, /^creditTypes\[3\]\.usageLimit\.maxShareOfObligation: must be a ratio between 0 and 1/);
  });

  it('refuses an unknown field and names it', () => {
    const p = editable(tokyoProgram()) as Record<string, unknown>;
    const periods = p.periods as Record<string, unknown>[];
    periods[0]!.lastFiscalYer = 2014;
    assertError(p, /^periods\[0\]: unknown field "lastFiscalYer"/);
  });

  it('refuses a missing required field', () => {
    const p = editable(tokyoProgram()) as Record<string, unknown>;
    delete p.fiscalYearStartMonth;
    assertError(p, /^fiscalYearStartMonth: is required \(expected number\)/);
  });

  it('refuses an allocation program without its status rules and an obligation program without a base-year rule', () => {
    const eu = editable(euEtsProgram()) as Record<string, unknown>;
    delete eu.allocation;
    assertError(eu, /^allocation: an allocation program needs/);
    const tokyo = editable(tokyoProgram()) as Record<string, unknown>;
    delete tokyo.baseYear;
    assertError(tokyo, /^baseYear: an obligation program needs a base-year rule/);
  });

  it('refuses input that is not an object at all', () => {
    assertError('tokyo', /^\(definition\): /);
  });

  it('computes fiscal-year ends for April and January starts', () => {
    assert.equal(fiscalYearEnd(4, 2014), '2015-03-31');
    assert.equal(fiscalYearEnd(1, 2020), '2020-12-31');
    assert.equal(fiscalYearEnd(3, 2023), '2024-02-29');
  });
});
