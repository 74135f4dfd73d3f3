// `citycap disclosure summary`: per fiscal year, the covered facilities' verified emissions and the reduction against
// their base-year emissions, as the public pages show them (app/disclosure-summary.ts says which facilities count).
import { Command, InvalidArgumentError } from 'commander';
import Table from 'cli-table3';
import { disclosureSummary, type DisclosureSummary } from '../app/disclosure-summary.js';
import { Rational } from '../domain/compliance/rational.js';
import { RefusedError } from '../domain/errors.js';
import { withDatabase } from './context.js';
import { toJson, UsageError } from './output.js';

function jurisdictionOption(value: string): string {
  if (!/^[A-Z][A-Z0-9-]{1,15}$/.test(value)) throw new InvalidArgumentError('--jurisdiction must be a jurisdiction code: 2–16 capital letters, digits or hyphens, e.g. TOKYO.');
  return value;
}

/** The JSON rows: one object per fiscal year; tonnes as a string (JSON carries big integers as strings). */
export interface SummaryJsonRow {
  readonly fiscal_year: number;
  readonly emissions_t: string;
  readonly reduction_pct: number | null;
}

export function summaryJson(summary: DisclosureSummary): SummaryJsonRow[] {
  return summary.years.map((y) => ({ fiscal_year: y.fiscalYear, emissions_t: y.emissionsT.toString(), reduction_pct: y.reductionPct }));
}

/** Tonnes as million tonnes with two decimals, half up ("16.50"): the precision Tokyo publishes. */
export function megatonnes(t: bigint): string {
  const hundredths = Rational.of(t, 10_000n).round(0, 'half_up').toBigInt();
  const sign = hundredths < 0n ? '-' : '';
  const abs = hundredths < 0n ? -hundredths : hundredths;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** cli-table3 without lines between rows. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } as const;

export function summaryTable(summary: DisclosureSummary): string {
  const table = new Table({
    style: { head: [], border: [] },
    chars: COMPACT,
    head: ['fiscal year', 'emissions t', 'emissions Mt', 'facilities', 'reduction'],
    colAligns: ['left', 'right', 'right', 'right', 'right'],
  });
  for (const y of summary.years) {
    table.push([`FY${y.fiscalYear}`, y.emissionsT.toLocaleString('en-US'), megatonnes(y.emissionsT), String(y.reportingFacilities), y.reductionPct === null ? '—' : `${y.reductionPct} %`]);
  }
  const head = `${summary.jurisdiction}: base-year emissions ${summary.baseT.toLocaleString('en-US')} t (${megatonnes(summary.baseT)} Mt)`;
  return summary.years.length === 0 ? `${head}\nno accepted reports of covered facilities yet` : `${head}\n${table.toString()}`;
}

export function disclosureCommand(): Command {
  const disclosure = new Command('disclosure').description('what the program discloses publicly');
  disclosure
    .command('summary')
    .description('per fiscal year: total verified emissions of the covered facilities and the reduction against their base year')
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO', jurisdictionOption)
    .option('--json', 'print a JSON array, one object per fiscal year (fiscal_year, emissions_t, reduction_pct)')
    .option('--db <url>', 'database URL (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .action(async (o: { jurisdiction: string; json?: boolean; db?: string }) => {
      const summary = await withDatabase(
        o.db,
        async (db) => {
          try {
            return await disclosureSummary(db, o.jurisdiction);
          } catch (error) {
            if (error instanceof RefusedError && error.refusal.field === 'jurisdiction') throw new UsageError(`--jurisdiction: ${error.refusal.message}`);
            throw error;
          }
        },
        { mustExist: true },
      );
      console.log(o.json === true ? toJson(summaryJson(summary)) : summaryTable(summary));
    });
  return disclosure;
}
