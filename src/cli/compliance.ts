// `citycap compliance run|report`: compute a period's compliance results and print them per facility.
import { Command, InvalidArgumentError } from 'commander';
import { complianceReport, reportCsv, runCompliance } from '../app/compliance.js';
import { RefusedError } from '../domain/errors.js';
import { withDatabase } from './context.js';
import { intOption, toJson, UsageError } from './output.js';

const FORMATS = ['csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Refusal fields of the use-cases → the option a user typed. */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = { jurisdiction: '--jurisdiction', period: '--period', fiscalYear: '--year' };

function jurisdictionOption(value: string): string {
  if (!/^[A-Z][A-Z0-9-]{1,15}$/.test(value)) throw new InvalidArgumentError('--jurisdiction must be a jurisdiction code: 2–16 capital letters, digits or hyphens, e.g. TOKYO.');
  return value;
}

function formatOption(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--format must be one of: ${FORMATS.join(', ')}.`);
  return value as Format;
}

/** Runs fn; a refusal about an option is reported naming the option (exit 2). */
async function naming<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RefusedError && error.refusal.field !== undefined) {
      const option = OPTION_OF_FIELD[error.refusal.field];
      if (option !== undefined) throw new UsageError(`${option}: ${error.refusal.message}`);
    }
    throw error;
  }
}

interface CommonOptions {
  jurisdiction: string;
  period: number;
  db?: string;
}

export function complianceCommand(): Command {
  const compliance = new Command('compliance').description('compliance results per facility and period');
  compliance
    .command('run')
    .description('compute the compliance results of a period (replaces earlier results of that jurisdiction and period)')
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO', jurisdictionOption)
    .requiredOption('--period <n>', 'compliance period number', intOption('--period', 1, 99))
    .option('--db <url>', 'database URL (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .action(async (o: CommonOptions) => {
      const started = performance.now();
      const summary = await withDatabase(o.db, (db) => naming(() => runCompliance(db, { jurisdictionCode: o.jurisdiction, period: o.period, now: new Date() })), { mustExist: true });
      const statuses = Object.entries(summary.byStatus).map(([s, n]) => `${n} ${s}`).join(', ');
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      console.log(`${summary.jurisdiction} period ${summary.period} (${summary.kind}): ${summary.rows} result row(s)${statuses === '' ? '' : ` — ${statuses}`} in ${seconds} s`);
    });
  compliance
    .command('report')
    .description('print the stored results, one row per facility (run `compliance run` first)')
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO', jurisdictionOption)
    .requiredOption('--period <n>', 'compliance period number', intOption('--period', 1, 99))
    .requiredOption('--format <f>', 'csv or json', formatOption)
    .option('--year <fy>', 'allocation programs: the fiscal year (default: each facility\'s latest computed year)', intOption('--year', 1990, 2200))
    .option('--db <url>', 'database URL (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .action(async (o: CommonOptions & { format: Format; year?: number }) => {
      const report = await withDatabase(
        o.db,
        (db) => naming(() => complianceReport(db, { jurisdictionCode: o.jurisdiction, period: o.period, ...(o.year === undefined ? {} : { fiscalYear: o.year }) })),
        { mustExist: true },
      );
      if (o.format === 'json') {
        console.log(toJson({ jurisdiction: report.jurisdiction, period: report.period, kind: report.kind, rows: report.rows }));
      } else {
        process.stdout.write(reportCsv(report));
      }
    });
  return compliance;
}
