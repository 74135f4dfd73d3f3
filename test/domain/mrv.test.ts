// MRV rules: conversion of report lines with the Tokyo preset (hand-computed exact values), line validation,
// designation from energy use, base-year averaging and the recalculation threshold; property tests for conversion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { averageBaseYear, checkBaseYearChoice, checkRecalculation } from '../../src/domain/mrv/base-year.js';
import { REPORT_LINES_MAX, convertReport, type ConvertedReport, type Converted, type LineInput } from '../../src/domain/mrv/conversion.js';
import { designationFor, evidenceFromCoe, evidenceFromDecisions, statusForYear, type YearEvidence } from '../../src/domain/mrv/designation.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';

const tokyo = tokyoProgram();
const energy = (source: string, quantity: string, unit: string): LineInput => ({ kind: 'energy', source, quantity, unit });

function converted(c: Converted): ConvertedReport {
  if (!c.ok) assert.fail(`refused: ${c.refusals.map((r) => `${r.field ?? ''} ${r.code}`).join(', ')}`);
  return c.value;
}

function refusedWith(c: Converted): { code: string; field: string | undefined }[] {
  assert.ok(!c.ok, 'expected a refusal');
  return c.refusals.map((r) => ({ code: r.code, field: r.field }));
}

describe('report line conversion with the Tokyo preset', () => {
  it('converts FY2016 (period 2) lines to exact litres COE and kg CO2, hand-computed', () => {
    const r = converted(
      convertReport(tokyo, 2016, [
        energy('electricity_grid', '12345.678', 'MWh'),
        energy('city_gas', '500', 'thousand_Nm3'),
        energy('heavy_oil_a', '10.5', 'kL'),
        { kind: 'other_gas', source: 'CH4', quantity: '12.3456', unit: 't_CO2e' },
      ]),
    );
    assert.equal(r.period.number, 2);
    assert.equal(r.factorSetId, 'tokyo-p2-p3');
    // 12,345.678 MWh × 0.489 t/MWh = 6,037.036542 t → 6,037,037 kg (half up); × 9.76 GJ × 0.0258 kL/GJ = 3,108.740485824 kL → 3,108.740 kL
    assert.deepEqual(r.lines.map((l) => [l.lineNo, l.coeL, l.co2Kg]), [
      [1, 3_108_740n, 6_037_037n],
      // 500 × 2.23 = 1,115 t; 500 × 45 GJ × 0.0258 = 580.5 kL
      [2, 580_500n, 1_115_000n],
      // 10.5 × 2.71 = 28.455 t; 10.5 × 39.1 × 0.0258 = 10.59219 kL → 10.592 kL
      [3, 10_592n, 28_455n],
      // 12.3456 t CO2e = 12,345.6 kg → 12,346 kg; other gases carry no energy
      [4, 0n, 12_346n],
    ]);
    assert.deepEqual(r.totals, { coeL: 3_699_832n, energyCo2Kg: 7_180_492n, otherGasCo2eKg: 12_346n });
  });

  it('uses the period 1 electricity factor for FY2012 and the first period\'s factors for base-window years', () => {
    assert.equal(converted(convertReport(tokyo, 2012, [energy('electricity_grid', '1000', 'MWh')])).lines[0]!.co2Kg, 382_000n);
    const base = converted(convertReport(tokyo, 2003, [energy('electricity_grid', '1000', 'MWh')]));
    assert.equal(base.period.number, 1);
    assert.equal(base.lines[0]!.co2Kg, 382_000n);
  });

  it('needs the supplier factor for period 4 grid electricity and uses it exactly', () => {
    assert.deepEqual(refusedWith(convertReport(tokyo, 2026, [energy('electricity_grid', '1000', 'MWh')])), [{ code: 'SUPPLIER_FACTOR_REQUIRED', field: 'lines[0].tCo2PerUnit' }]);
    const r = converted(convertReport(tokyo, 2026, [{ ...energy('electricity_grid', '1000', 'MWh'), tCo2PerUnit: '0.4415' }]));
    assert.equal(r.lines[0]!.co2Kg, 441_500n);
    assert.deepEqual(refusedWith(convertReport(tokyo, 2026, [{ ...energy('city_gas', '1', 'thousand_Nm3'), tCo2PerUnit: '2' }])), [{ code: 'FACTOR_NOT_ALLOWED', field: 'lines[0].tCo2PerUnit' }]);
  });

  it('refuses each bad line naming its field, all at once', () => {
    const c = convertReport(tokyo, 2016, [
      energy('electricity_grid', '1', 'MWh'),
      energy('coal', '1', 't'),
      energy('city_gas', '-5', 'thousand_Nm3'),
      energy('kerosene', '1e3', 'kL'),
      energy('lpg', '1', 'kg'),
      { kind: 'other_gas', source: 'N2O', quantity: '1', unit: 't' },
    ]);
    assert.deepEqual(refusedWith(c), [
      { code: 'UNKNOWN_SOURCE', field: 'lines[1].source' },
      { code: 'NEGATIVE_QUANTITY', field: 'lines[2].quantity' },
      { code: 'QUANTITY_NOT_DECIMAL', field: 'lines[3].quantity' },
      { code: 'UNIT_MISMATCH', field: 'lines[4].unit' },
      { code: 'UNIT_MISMATCH', field: 'lines[5].unit' },
    ]);
  });

  it('refuses a fiscal year outside every period and the base-year window, and more lines than the bound', () => {
    assert.deepEqual(refusedWith(convertReport(tokyo, 2008, [])), [{ code: 'FISCAL_YEAR_OUTSIDE_PROGRAM', field: 'fiscalYear' }]);
    assert.deepEqual(refusedWith(convertReport(tokyo, 2030, [])), [{ code: 'FISCAL_YEAR_OUTSIDE_PROGRAM', field: 'fiscalYear' }]);
    const many = Array.from({ length: REPORT_LINES_MAX + 1 }, () => energy('electricity_grid', '1', 'MWh'));
    assert.deepEqual(refusedWith(convertReport(tokyo, 2016, many)), [{ code: 'TOO_MANY_LINES', field: 'lines' }]);
  });
});

describe('conversion properties', () => {
  const decimal = fc.tuple(fc.bigInt({ min: 0n, max: 10_000_000n }), fc.integer({ min: 0, max: 3 })).map(([n, scale]) => {
    const s = n.toString().padStart(scale + 1, '0');
    return scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  });
  const source = fc.constantFrom(
    ['electricity_grid', 'MWh'],
    ['city_gas', 'thousand_Nm3'],
    ['heavy_oil_a', 'kL'],
    ['kerosene', 'kL'],
    ['lpg', 't'],
    ['district_heat', 'GJ'],
  );
  const times = (q: string, k: bigint): string => {
    const [int = '0', frac = ''] = q.split('.');
    const scaled = (BigInt(int + frac) * k).toString().padStart(frac.length + 1, '0');
    return frac.length === 0 ? scaled : `${scaled.slice(0, -frac.length)}.${scaled.slice(-frac.length)}`;
  };

  it('scaling a quantity by k scales CO2 and COE by k, within the rounding of one line', () => {
    fc.assert(
      fc.property(source, decimal, fc.bigInt({ min: 1n, max: 1000n }), ([code, unit], q, k) => {
        const one = converted(convertReport(tokyo, 2016, [energy(code, q, unit)])).lines[0]!;
        const many = converted(convertReport(tokyo, 2016, [energy(code, times(q, k), unit)])).lines[0]!;
        // |round(kx) − k·round(x)| ≤ ½ + k·½
        const co2Gap = many.co2Kg - k * one.co2Kg;
        assert.ok(2n * (co2Gap < 0n ? -co2Gap : co2Gap) <= k + 1n, `co2 ${many.co2Kg} vs ${k}×${one.co2Kg}`);
        const coeGap = many.coeL - k * one.coeL;
        assert.ok(2n * (coeGap < 0n ? -coeGap : coeGap) <= k + 1n, `coe ${many.coeL} vs ${k}×${one.coeL}`);
      }),
    );
  });

  it('totals are the sums of the lines, whatever their order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(source, decimal), { minLength: 0, maxLength: 20 }), (items) => {
        const lines = items.map(([[code, unit], q]) => energy(code, q, unit));
        const r = converted(convertReport(tokyo, 2016, lines));
        assert.equal(r.totals.coeL, r.lines.reduce((s, l) => s + l.coeL, 0n));
        assert.equal(r.totals.energyCo2Kg, r.lines.reduce((s, l) => s + l.co2Kg, 0n));
        const reversed = converted(convertReport(tokyo, 2016, [...lines].reverse()));
        assert.deepEqual(reversed.totals, r.totals);
      }),
    );
  });

  it('more of a fuel never yields less CO2', () => {
    fc.assert(
      fc.property(source, decimal, decimal, ([code, unit], a, b) => {
        const co2 = (q: string) => converted(convertReport(tokyo, 2016, [energy(code, q, unit)])).lines[0]!.co2Kg;
        const [lo, hi] = Number(a) <= Number(b) ? [a, b] : [b, a];
        assert.ok(co2(lo) <= co2(hi));
      }),
    );
  });
});

describe('designation and specification (tokyo_cat.md §1.1)', () => {
  const year = (fy: number, kl: number, partial = false): YearEvidence => {
    const e = evidenceFromCoe(tokyo, fy, BigInt(kl) * 1000n, 'report', partial);
    assert.ok(e.ok);
    return e.value;
  };
  const decide = (fy: number, evidence: YearEvidence[]) => {
    const d = designationFor(tokyo, fy, evidence);
    assert.ok(d.ok);
    return d.value;
  };

  it('designates a facility whose previous fiscal year reached 1,500 kL COE', () => {
    const d = decide(2011, [year(2010, 1500)]);
    assert.equal(d.status, 'designated');
    assert.match(d.reason, /FY2010 report: 1500 kL COE/);
  });

  it('specifies a facility after 3 consecutive fiscal years at or above the threshold', () => {
    assert.equal(decide(2011, [year(2008, 1600), year(2009, 1700), year(2010, 1800)]).status, 'specified');
    assert.equal(decide(2011, [year(2008, 1600), year(2009, 1499), year(2010, 1800)]).status, 'designated');
  });

  it('does not count a partial year, and leaves a facility below the threshold registered', () => {
    assert.equal(decide(2011, [year(2008, 1600, true), year(2009, 1700), year(2010, 1800)]).status, 'designated');
    const below = decide(2011, [year(2010, 1499)]);
    assert.equal(below.status, 'registered');
    assert.match(below.reason, /below 1500 kL in FY2010/);
    assert.equal(decide(2011, []).status, 'registered');
  });

  it('infers the qualifying years from earlier decisions, and the status in force for a year from the history', () => {
    const implied = evidenceFromDecisions(tokyo, [{ fiscalYear: 2010, status: 'designated' }]);
    assert.deepEqual(implied.map((e) => e.fiscalYear), [2009]);
    assert.equal(decide(2012, [...implied, year(2010, 1500), year(2011, 1600)]).status, 'specified');
    const history = [
      { fiscalYear: 2010, seq: 1, status: 'designated' },
      { fiscalYear: 2012, seq: 2, status: 'specified' },
    ];
    assert.equal(statusForYear(history, 2009), undefined);
    assert.equal(statusForYear(history, 2011), 'designated');
    assert.equal(statusForYear(history, 2015), 'specified');
  });
});

describe('base year (tokyo_cat.md §2)', () => {
  it('averages 3 consecutive years inside FY2002–2007, in kg and in whole tonnes', () => {
    const r = averageBaseYear(tokyo, [
      { fiscalYear: 2003, emissionsKg: 11_000_000n },
      { fiscalYear: 2002, emissionsKg: 10_000_000n },
      { fiscalYear: 2004, emissionsKg: 12_000_001n },
    ]);
    assert.ok(r.ok);
    assert.equal(r.value.baseKg, 11_000_000n); // 33,000,001 / 3 = 11,000,000.33 kg
    assert.equal(r.value.baseT, 11_000n);
    assert.equal(r.value.exactT.toString(), '33000001/3000');
  });

  it('refuses a choice of the wrong length or outside the window, naming the field', () => {
    assert.deepEqual(checkBaseYearChoice(tokyo, 2002, 2003), { code: 'BASE_YEAR_COUNT', message: checkBaseYearChoice(tokyo, 2002, 2003)!.message, field: 'lastFiscalYear' });
    assert.equal(checkBaseYearChoice(tokyo, 2001, 2003)?.code, 'BASE_YEAR_OUTSIDE_WINDOW');
    assert.equal(checkBaseYearChoice(tokyo, 2006, 2008)?.field, 'lastFiscalYear');
    assert.equal(checkBaseYearChoice(tokyo, 2005, 2007), undefined);
  });

  it('requires recalculation only when base emissions move by 6 % or more', () => {
    const below = checkRecalculation(tokyo, { baseKg: 10_000_000n, floorAreaBeforeM2: 10_000n, floorAreaAfterM2: 10_599n });
    assert.ok(!below.ok);
    assert.equal(below.refusal.code, 'BELOW_RECALCULATION_THRESHOLD');
    assert.equal(below.refusal.field, 'floorAreaAfterM2');
    const at = checkRecalculation(tokyo, { baseKg: 10_000_000n, floorAreaBeforeM2: 10_000n, floorAreaAfterM2: 10_600n });
    assert.ok(at.ok);
    assert.equal(at.value.changePpm, 60_000n);
    assert.equal(at.value.newBaseKg, 10_600_000n);
    const down = checkRecalculation(tokyo, { baseKg: 10_000_000n, estimatedBaseKg: 9_000_000n });
    assert.ok(down.ok);
    assert.equal(down.value.changePpm, -100_000n);
    const useOnly = checkRecalculation(tokyo, { baseKg: 10_000_000n });
    assert.ok(!useOnly.ok);
    assert.equal(useOnly.refusal.code, 'ESTIMATE_REQUIRED');
  });
});
