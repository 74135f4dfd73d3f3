// `citycap program show|validate` and `citycap calc cap|excess`: program definitions and the cap arithmetic for planners.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import Table from 'cli-table3';
import type { Refusal } from '../domain/errors.js';
import { excessReductions, periodCap, type Checked, type FactorBreakdown } from '../domain/compliance/caps.js';
import { Rational } from '../domain/compliance/rational.js';
import { isPresetName, presetProgram, PRESET_NAMES } from '../domain/program/presets/index.js';
import { formatFieldError, validateProgram, type FieldError, type ProgramDefinition } from '../domain/program/schema.js';
import { unconfirmedValues } from '../domain/program/unconfirmed.js';
import { EXIT_USAGE, intOption, toJson, UsageError } from './output.js';

const PLAIN = { head: [], border: [] };
/** Bounds on what a command line may ask for. */
const DEFINITION_BYTES_MAX = 1_000_000;
const EMISSION_YEARS_MAX = 10;
const RELIEFS_MAX = 10;

// ---------------------------------------------------------------- input

/** A non-negative tonnage such as 10000 or 8500.25, kept exact. */
export function tonnesOption(name: string): (value: string) => Rational {
  return (value: string) => {
    const r = /^\d{1,15}(\.\d{1,6})?$/.test(value.trim()) ? Rational.parseDecimal(value) : undefined;
    if (r === undefined) throw new InvalidArgumentError(`${name} must be a non-negative number of tonnes, e.g. 10000 or 8500.5 (at most 15 digits and 6 decimals).`);
    return r;
  };
}

/** A comma-separated list of tonnages, one per fiscal year. */
export function tonnesListOption(name: string): (value: string) => Rational[] {
  const one = tonnesOption(name);
  return (value: string) => {
    const parts = value.split(',').map((s) => s.trim());
    if (parts.length > EMISSION_YEARS_MAX) throw new InvalidArgumentError(`${name} takes at most ${EMISSION_YEARS_MAX} years.`);
    if (parts.some((s) => s === '')) throw new InvalidArgumentError(`${name} must be comma-separated tonnes, e.g. 8500,7500.`);
    return parts.map((s) => one(s));
  };
}

/** --relief may be repeated or comma-separated. */
function collectReliefs(value: string, previous: string[]): string[] {
  const all = [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s !== '')];
  if (all.length > RELIEFS_MAX) throw new InvalidArgumentError(`--relief takes at most ${RELIEFS_MAX} reliefs.`);
  return all;
}

function readDefinitionFile(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (text.length > DEFINITION_BYTES_MAX) throw new UsageError(`${option}: ${path} is larger than ${DEFINITION_BYTES_MAX} characters`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${option}: ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A preset by name, or a JSON definition file that must validate. */
export function loadProgram(nameOrPath: string, option: string): ProgramDefinition {
  if (isPresetName(nameOrPath)) return presetProgram(nameOrPath);
  if (!nameOrPath.endsWith('.json')) throw new UsageError(`${option}: unknown program "${nameOrPath}" (presets: ${PRESET_NAMES.join(', ')}; or a path to a .json definition)`);
  const result = validateProgram(readDefinitionFile(nameOrPath, option));
  if (!result.ok) throw new UsageError(`${option}: ${nameOrPath} is not a valid program definition:\n  ${result.errors.map(formatFieldError).join('\n  ')}`);
  return result.program;
}

const OPTION_OF_FIELD: Readonly<Record<string, string>> = { period: '--period', category: '--category', relief: '--relief', baseT: '--base-t', emissionsT: '--emissions-t', program: '--program', years: '--period' };

function valueOrUsage<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  const r: Refusal = checked.refusal;
  const option = r.field === undefined ? undefined : OPTION_OF_FIELD[r.field];
  throw new UsageError(option === undefined ? r.message : `${option}: ${r.message}`);
}

// ---------------------------------------------------------------- output

function percent(r: Rational): string {
  return `${r.mul(100n).toDecimal(6)} %`;
}

function ppmPercent(ppm: number): string {
  return percent(Rational.ppm(ppm));
}

/** Tonnes with thousands separators: 41500 → 41,500. */
function tonnes(r: Rational): string {
  const [int = '0', frac] = r.toDecimal(6).split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = int.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${frac === undefined ? '' : `.${frac}`} t`;
}

function factorSteps(f: FactorBreakdown): string {
  const steps = f.steps.map((s) => (s.applies ? `${s.relief} → ${percent(s.factor)}` : `${s.relief} (no rule in this period or category)`));
  return steps.length === 0 ? percent(f.factor) : `${percent(f.categoryFactor)}, ${steps.join(', ')}; factor ${percent(f.factor)}`;
}

function adjustmentText(a: ProgramDefinition['reliefs'][number]['rules'][number]['adjustment']): string {
  switch (a.op) {
    case 'multiply':
      return `× ${a.ratio}`;
    case 'subtract':
      return `− ${Rational.ppm(a.pointsPpm).mul(100n).toDecimal(6)} points`;
    case 'replace':
      return a.factors.map((f) => `${f.category} → ${ppmPercent(f.factorPpm)}`).join(', ');
  }
}

/** A readable program sheet for officials. */
export function programSheet(p: ProgramDefinition): string {
  const lines: string[] = [];
  const add = (s = ''): void => {
    lines.push(s);
  };
  const monthName = new Date(Date.UTC(2000, p.fiscalYearStartMonth - 1, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' });
  add(p.name);
  add(`id ${p.id} · version ${p.version} · ${p.jurisdiction.name} (${p.jurisdiction.code}, ${p.jurisdiction.timeZone})`);
  add(`kind: ${p.kind === 'obligation' ? 'obligation — per-facility caps from base-year emissions, credits for over-achievers' : 'allocation — allowances issued and surrendered against verified emissions'}`);
  add(`fiscal year starts in ${monthName}`);
  add();
  add('Compliance periods');
  const periods = new Table({ style: PLAIN, head: ['period', 'fiscal years', 'years', 'trading from', 'adjustment window ends'] });
  for (const x of p.periods) periods.push([String(x.number), `FY${x.firstFiscalYear}–FY${x.lastFiscalYear}`, String(x.lastFiscalYear - x.firstFiscalYear + 1), x.tradingStart ?? '', x.adjustmentWindowEnd]);
  add(periods.toString());
  if (p.categories.length > 0) {
    add();
    add('Compliance factors by category');
    const cats = new Table({ style: PLAIN, head: ['category', 'name', ...p.periods.map((x) => `P${x.number}`)] });
    for (const c of p.categories) cats.push([c.code, c.name, ...p.periods.map((x) => {
      const f = c.factors.find((y) => y.period === x.number);
      return f === undefined ? '—' : `${ppmPercent(f.factorPpm)}${f.provenance?.status === 'unconfirmed' ? ' (U)' : ''}`;
    })]);
    add(cats.toString());
  }
  if (p.reliefs.length > 0) {
    add();
    add(`Reliefs (combined: ${p.reliefCombination.mode === 'sequential' ? 'one after another in this order' : 'the lowest single result'})`);
    for (const r of p.reliefs) {
      const rules = r.rules.map((x) => `P${x.period}: ${adjustmentText(x.adjustment)}${x.categories === undefined ? '' : ` (${x.categories.join(', ')})`}${x.provenance?.status === 'unconfirmed' ? ' (U)' : ''}`);
      add(`  ${r.code} — ${r.name}: ${rules.join('; ') || 'no factor change'}`);
      add(`    ${r.condition}`);
    }
  }
  if (p.coverage !== undefined) {
    const c = p.coverage;
    add();
    add(`Coverage: ${c.threshold} ${c.metric === 'crude_oil_equivalent_kl' ? 'kL crude-oil equivalent' : c.metric === 'rated_thermal_input_mw' ? 'MW rated thermal input' : 't CO2'} or more; designated after ${c.designationAfterYears} year(s), cap after ${c.obligationAfterConsecutiveYears} consecutive year(s)${c.excludePartialYears ? ' (a partial first year does not count)' : ''}`);
    for (const e of c.exemptions ?? []) add(`  exemption ${e.code}: ${e.description}`);
  }
  if (p.baseYear !== undefined) {
    const b = p.baseYear;
    add(`Base year: average of ${b.consecutiveYears} consecutive fiscal years chosen within FY${b.windowFirstFiscalYear}–FY${b.windowLastFiscalYear}; recalculated when a change moves it by ${ppmPercent(b.recalculationThresholdPpm)} or more`);
  }
  if (p.energy !== undefined && p.emissionFactorSets.length > 0) {
    add();
    add(`Energy and emission factors (crude-oil equivalent: ${p.energy.klCrudeOilPerGj} kL per GJ)`);
    const head = ['energy', 'unit', 'GJ/unit', ...p.emissionFactorSets.map((s) => `t-CO2/unit P${s.periods.join(',')}`)];
    const t = new Table({ style: PLAIN, head });
    for (const e of p.energy.sources) {
      t.push([e.code, e.unit, e.gjPerUnit, ...p.emissionFactorSets.map((s) => {
        const f = s.factors.find((x) => x.energy === e.code);
        return f === undefined ? '—' : f.method === 'supplier_specific' ? 'supplier' : (f.tCo2PerUnit ?? '');
      })]);
    }
    add(t.toString());
  }
  add();
  add('Credit and unit types');
  for (const c of p.creditTypes) {
    const limits: string[] = [];
    if (c.usageLimit !== undefined) limits.push(`at most ${c.usageLimit.maxShareOfObligation} of the obligation`);
    if (c.eligibility?.originMaxBaseT !== undefined) limits.push(`origin base ≤ ${c.eligibility.originMaxBaseT} t`);
    if (c.eligibility?.originMustHaveComplied === true) limits.push('origin must have met its target');
    for (const m of c.multipliers ?? []) limits.push(`P${m.period} × ${m.ratio}`);
    if (!c.transferable) limits.push('not transferable');
    add(`  ${c.code} (${c.kind}) — ${c.name}${limits.length > 0 ? `: ${limits.join('; ')}` : ''}`);
  }
  if (p.excessReduction !== undefined) {
    const e = p.excessReduction;
    add(`Excess reductions: cumulative reduction beyond base × factor × years so far; application from year ${e.applicationFromPeriodYear} of the period; reductions counted up to ${e.countedReductionLimit.shareOfBase} of base (${e.countedReductionLimit.basis === 'per_year' ? 'each year' : 'the period in total'})`);
  }
  add(`Banking: ${p.banking.allowed ? (p.banking.horizonPeriods === null ? 'allowed without limit' : `into the next ${p.banking.horizonPeriods} period(s)`) : 'not allowed'}; borrowing ${p.banking.borrowing ? 'allowed' : 'not allowed'}`);
  if (p.allocation !== undefined) {
    add(`Allocation: annual surrender; status A (surrendered ≥ verified), B (short), C (emissions missing), cumulative within each period; missing emissions: ${p.allocation.missingEmissions === 'year_only' ? 'that year only' : 'any year so far'}`);
  }
  add();
  add('Deadlines');
  for (const d of p.deadlines) {
    const span = [d.fromFiscalYear === undefined ? '' : `from FY${d.fromFiscalYear}`, d.untilFiscalYear === undefined ? '' : `until FY${d.untilFiscalYear}`].filter((s) => s !== '').join(' ');
    add(`  ${d.event}: ${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')} of FY + ${d.yearOffset}${span === '' ? '' : ` (${span})`} — ${d.description}`);
  }
  add();
  add(`Rounding: ${Object.entries(p.rounding).map(([k, r]) => `${k} ${r.mode}${r.decimals > 0 ? `/${r.decimals}` : ''}`).join(', ')}`);
  const u = unconfirmedValues(p);
  add();
  add(`Unconfirmed parameters (${u.length}) — defaults the sources could not confirm; check before adopting:`);
  const grouped = new Map<string, string[]>();
  for (const x of u) {
    const key = `${x.note ?? 'unconfirmed'} [${x.source}]`;
    grouped.set(key, [...(grouped.get(key) ?? []), x.path]);
  }
  for (const [why, paths] of grouped) add(`  ${paths.join(', ')}: ${why}`);
  for (const n of p.notes ?? []) add(`Note: ${n}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- commands

export function programCommand(): Command {
  const program = new Command('program').description('program definitions: presets and custom JSON files');
  program
    .command('show')
    .description(`print a program sheet (presets: ${PRESET_NAMES.join(', ')}, or a .json file)`)
    .argument('<name>', 'preset name or path to a JSON definition')
    .option('--json', 'print the definition as JSON (a starting point for a custom program)')
    .action((name: string, o: { json?: boolean }) => {
      const p = loadProgram(name, 'NAME');
      console.log(o.json === true ? JSON.stringify(p, null, 2) : programSheet(p));
    });
  program
    .command('validate')
    .description('check a JSON program definition; errors name the field; exit 2 when invalid')
    .argument('<file>', 'path to a JSON definition')
    .option('--json', 'print the result as JSON')
    .action((file: string, o: { json?: boolean }) => {
      const result = validateProgram(readDefinitionFile(file, 'FILE'));
      const errors: readonly FieldError[] = result.ok ? [] : result.errors;
      if (o.json === true) {
        console.log(toJson({ file, valid: result.ok, errors }));
      } else if (result.ok) {
        const p = result.program;
        console.log(`${file}: valid — program ${p.id} (${p.kind}), ${p.periods.length} periods, ${p.categories.length} categories, ${unconfirmedValues(p).length} unconfirmed parameters`);
      } else {
        console.error(`${file}: invalid program definition (${errors.length} error${errors.length === 1 ? '' : 's'})`);
        for (const e of errors) console.error(`  ${formatFieldError(e)}`);
      }
      if (!result.ok) process.exitCode = EXIT_USAGE;
    });
  return program;
}

interface CalcOptions {
  program: string;
  period: number;
  category: string;
  baseT: Rational;
  relief: string[];
  json?: boolean;
}

function describeTerms(p: ProgramDefinition, o: CalcOptions): string {
  const period = p.periods.find((x) => x.number === o.period);
  const span = period === undefined ? '' : ` (FY${period.firstFiscalYear}–FY${period.lastFiscalYear})`;
  return `${p.id} period ${o.period}${span}, category ${o.category}${o.relief.length > 0 ? `, reliefs ${o.relief.join(', ')}` : ''}, base ${tonnes(o.baseT)}/year`;
}

function withTermOptions(c: Command): Command {
  return c
    .requiredOption('--program <p>', `preset (${PRESET_NAMES.join(', ')}) or a .json definition`)
    .requiredOption('--period <n>', 'compliance period number', intOption('--period', 1, 99))
    .requiredOption('--category <c>', 'facility category code, e.g. I-1')
    .requiredOption('--base-t <t>', 'base-year emissions, t-CO2 per year', tonnesOption('--base-t'))
    .option('--relief <r>', 'a relief the facility qualifies for (repeat or comma-separate)', collectReliefs, [])
    .option('--json', 'print JSON');
}

export function calcCommand(): Command {
  const calc = new Command('calc').description('cap and credit arithmetic for one facility');
  withTermOptions(calc.command('cap').description('factor after reliefs, period cap and reduction obligation')).action((o: CalcOptions) => {
    const p = loadProgram(o.program, '--program');
    const r = valueOrUsage(periodCap(p, { period: o.period, category: o.category, reliefs: o.relief, baseT: o.baseT }));
    if (o.json === true) {
      console.log(
        toJson({
          program: p.id,
          period: o.period,
          category: o.category,
          reliefs: o.relief,
          reliefs_not_applicable: r.factor.steps.filter((s) => !s.applies).map((s) => s.relief),
          base_t: o.baseT.toDecimal(),
          years: Number(r.years),
          category_factor: r.factor.categoryFactor.toDecimal(),
          factor: r.factor.factor.toDecimal(),
          factor_percent: r.factor.factor.mul(100n).toDecimal(),
          cap_t: r.capT.toDecimal(),
          obligation_t: r.obligationT.toDecimal(),
          cap_exact_t: r.capExactT.toDecimal(),
          obligation_exact_t: r.obligationExactT.toDecimal(),
        }),
      );
      return;
    }
    console.log(describeTerms(p, o));
    console.log(`factor      ${factorSteps(r.factor)}`);
    console.log(`cap         ${tonnes(r.capT)} over ${r.years} years (base × (1 − factor) × years, ${p.rounding.capT.mode})`);
    console.log(`obligation  ${tonnes(r.obligationT)} (base × factor × years, ${p.rounding.obligationT.mode})`);
  });
  withTermOptions(calc.command('excess').description('excess reduction credits year by year under the cumulative pro-rated rule'))
    .requiredOption('--emissions-t <list>', 'verified emissions of the period\'s years so far, comma-separated, e.g. 8500,7500', tonnesListOption('--emissions-t'))
    .action((o: CalcOptions & { emissionsT: Rational[] }) => {
      const p = loadProgram(o.program, '--program');
      const r = valueOrUsage(excessReductions(p, { period: o.period, category: o.category, reliefs: o.relief, baseT: o.baseT, emissionsT: o.emissionsT }));
      if (o.json === true) {
        console.log(
          toJson({
            program: p.id,
            period: o.period,
            category: o.category,
            reliefs: o.relief,
            base_t: o.baseT.toDecimal(),
            factor: r.factor.factor.toDecimal(),
            counted_reduction_limit_t: r.countedReductionLimitT?.toDecimal() ?? null,
            counted_reduction_limit_basis: p.excessReduction?.countedReductionLimit.basis ?? null,
            years: r.years.map((y) => ({
              year: y.year,
              fiscal_year: y.fiscalYear,
              emissions_t: y.emissionsT.toDecimal(),
              reduction_t: y.reductionT.toDecimal(),
              counted_reduction_t: y.countedReductionT.toDecimal(),
              cumulative_reduction_t: y.cumulativeCountedReductionT.toDecimal(),
              pro_rated_obligation_t: y.proRatedObligationT.toDecimal(),
              position_t: y.positionT.toDecimal(),
              creditable_t: y.creditableT.toDecimal(),
              new_creditable_t: y.newlyCreditableT.toDecimal(),
            })),
            creditable_t: r.creditableT.toDecimal(),
          }),
        );
        return;
      }
      console.log(describeTerms(p, o));
      console.log(`factor ${factorSteps(r.factor)}`);
      const t = new Table({ style: PLAIN, head: ['year', 'FY', 'emissions t', 'reduction t', 'counted t', 'cumulative t', 'pro-rated obligation t', 'position t', 'creditable t', 'new t'] });
      for (const y of r.years) {
        t.push([String(y.year), String(y.fiscalYear), ...[y.emissionsT, y.reductionT, y.countedReductionT, y.cumulativeCountedReductionT, y.proRatedObligationT, y.positionT, y.creditableT, y.newlyCreditableT].map((x) => x.toDecimal(6))]);
      }
      console.log(t.toString());
      console.log(`creditable after year ${r.years.length}: ${tonnes(r.creditableT)}`);
    });
  return calc;
}

