// Shared pieces of the presets: provenance helpers and the Japanese energy conversion defaults.
// Research notes cited as `tokyo_cat.md §x` live in ../shared/docs/research/.
import type { ProgramDefinition, Provenance, RoundingRule } from '../schema.js';
import type { RoundingMode } from '../../compliance/rational.js';

export function confirmed(source: string, note?: string): Provenance {
  return note === undefined ? { status: 'confirmed', source } : { status: 'confirmed', source, note };
}

export function unconfirmed(source: string, note: string): Provenance {
  return { status: 'unconfirmed', source, note };
}

export function rule(mode: RoundingMode, decimals: number, provenance?: Provenance): RoundingRule {
  return provenance === undefined ? { mode, decimals } : { mode, decimals, provenance };
}

/** Energy content and emission factors used by Tokyo and Saitama unless a city overrides them. */
export interface JapanEnergyParameters {
  /** U — not captured (tokyo_cat.md §1.1 "Numeric conversion factors: not captured"); Energy Conservation Act value from background knowledge. */
  klCrudeOilPerGj: string;
  /** GJ per unit for each energy source. U — background knowledge (Energy Conservation Act defaults), not in the research sources. */
  gjPerUnit: Readonly<Record<JapanEnergy, string>>;
  /** t-CO2 per unit for fuels other than grid electricity. U — city gas 2.23 from tokyo_cat.md §4.3; the others background knowledge (national GHG reporting defaults). */
  tCo2PerUnit: Readonly<Record<Exclude<JapanEnergy, 'electricity_grid'>, string>>;
}

export const JAPAN_ENERGIES = ['electricity_grid', 'city_gas', 'heavy_oil_a', 'kerosene', 'lpg', 'district_heat'] as const;
export type JapanEnergy = (typeof JAPAN_ENERGIES)[number];

const ENERGY_NAMES: Record<JapanEnergy, { name: string; unit: string }> = {
  electricity_grid: { name: 'Grid electricity', unit: 'MWh' },
  city_gas: { name: 'City gas (13A)', unit: 'thousand_Nm3' },
  heavy_oil_a: { name: 'Heavy oil A', unit: 'kL' },
  kerosene: { name: 'Kerosene', unit: 'kL' },
  lpg: { name: 'Liquefied petroleum gas', unit: 't' },
  district_heat: { name: 'District heat (steam, hot and chilled water)', unit: 'GJ' },
};

export const JAPAN_ENERGY_DEFAULTS: JapanEnergyParameters = {
  klCrudeOilPerGj: '0.0258',
  gjPerUnit: { electricity_grid: '9.76', city_gas: '45', heavy_oil_a: '39.1', kerosene: '36.7', lpg: '50.8', district_heat: '1.36' },
  tCo2PerUnit: { city_gas: '2.23', heavy_oil_a: '2.71', kerosene: '2.49', lpg: '3.00', district_heat: '0.057' },
};

const BACKGROUND = 'background knowledge (Japan Energy Conservation Act / GHG reporting defaults); not in the research sources read';

export function japanEnergy(p: JapanEnergyParameters): ProgramDefinition['energy'] {
  return {
    klCrudeOilPerGj: p.klCrudeOilPerGj,
    sources: JAPAN_ENERGIES.map((code) => ({
      code,
      name: ENERGY_NAMES[code].name,
      unit: ENERGY_NAMES[code].unit,
      gjPerUnit: p.gjPerUnit[code],
      provenance: unconfirmed(BACKGROUND, 'tokyo_cat.md §1.1: numeric conversion factors not captured; verify against the program\'s own check sheet'),
    })),
    provenance: unconfirmed(BACKGROUND, 'tokyo_cat.md §1.1: crude-oil-equivalent conversion follows the national Energy Conservation Act; factor not captured'),
  };
}

/** Fixed factors for the fuels other than grid electricity (city gas from tokyo_cat.md §4.3, the rest background knowledge). */
export function japanFuelFactors(p: JapanEnergyParameters, cityGasSource: string): ProgramDefinition['emissionFactorSets'][number]['factors'] {
  return [
    { energy: 'city_gas', method: 'fixed', tCo2PerUnit: p.tCo2PerUnit.city_gas, provenance: unconfirmed(cityGasSource, 'tokyo_cat.md §4.3: ≈2.23 t-CO2/thousand Nm³ is unconfirmed') },
    { energy: 'heavy_oil_a', method: 'fixed', tCo2PerUnit: p.tCo2PerUnit.heavy_oil_a, provenance: unconfirmed(BACKGROUND, 'verify') },
    { energy: 'kerosene', method: 'fixed', tCo2PerUnit: p.tCo2PerUnit.kerosene, provenance: unconfirmed(BACKGROUND, 'verify') },
    { energy: 'lpg', method: 'fixed', tCo2PerUnit: p.tCo2PerUnit.lpg, provenance: unconfirmed(BACKGROUND, 'verify') },
    { energy: 'district_heat', method: 'fixed', tCo2PerUnit: p.tCo2PerUnit.district_heat, provenance: unconfirmed(BACKGROUND, 'national default; the program\'s fixed heat factor was not captured') },
  ];
}

/** Rounding the Tokyo and Saitama sources do not state (tokyo_cat.md §11 T7 "rounding rule U"). */
export interface RoundingParameters {
  baseT: RoundingMode;
  capT: RoundingMode;
  obligationT: RoundingMode;
  creditT: RoundingMode;
  creditLimitT: RoundingMode;
  emissionsT: RoundingMode;
  coeKl: RoundingMode;
  reductionPercent: RoundingMode;
}

/**
 * Whole tonnes; the cap rounds down and the obligation up (so cap + obligation = base × years for whole-tonne bases);
 * credits and credit limits round down (never issue or allow more than earned); the aggregate reduction % rounds half
 * up: the published totals give FY2015 25.76 % → published 26 %, FY2018 26.61 % and FY2019 26.91 % → 27 %
 * (tokyo_cat.md §8.1), which floor would print as 25 and 26.
 */
export const JAPAN_ROUNDING_DEFAULTS: RoundingParameters = {
  baseT: 'half_up',
  capT: 'floor',
  obligationT: 'ceil',
  creditT: 'floor',
  creditLimitT: 'floor',
  emissionsT: 'half_up',
  coeKl: 'half_up',
  reductionPercent: 'half_up',
};

export function japanRounding(r: RoundingParameters): ProgramDefinition['rounding'] {
  const u = unconfirmed('tokyo_cat.md §11 (T7: rounding rule U)', 'rounding rule not found in the sources; citycap default');
  return {
    baseT: rule(r.baseT, 0, u),
    capT: rule(r.capT, 0, u),
    obligationT: rule(r.obligationT, 0, u),
    creditT: rule(r.creditT, 0, u),
    creditLimitT: rule(r.creditLimitT, 0, u),
    emissionsT: rule(r.emissionsT, 0, u),
    coeKl: rule(r.coeKl, 3, u),
    reductionPercent: rule(r.reductionPercent, 0, unconfirmed('tokyo_cat.md §8.1, §11 T8–T10', 'published percentages are whole numbers; half-up reproduces every published figure from the published totals (floor does not: FY2015, FY2018, FY2019)')),
  };
}
