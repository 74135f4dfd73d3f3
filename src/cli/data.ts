// Spreadsheets in and out on the command line:
//   citycap report template --jurisdiction J --facility F --year Y --out report.xlsx
//   citycap import reports FILE --jurisdiction J [--as accepted|draft] [--dry-run] [--json]
//   citycap import facilities FILE --jurisdiction J [--dry-run] [--json]
//   citycap export reports --jurisdiction J [--facility F] --out FILE [--format csv|xlsx]
// The CLI acts as the local system (`system:cli`, as the audit log records it): whoever can open the database is
// its operator. A refused file prints every problem, one per line, and exits 2; nothing is written then.
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { DataImport, type ImportStage, type ProgressListener, type ReportImportMode, type ReportsImportResult } from '../app/data-import/import.js';
import type { ExportFormat } from '../app/data-import/export.js';
import { checkFileSize } from '../app/data-import/parse.js';
import { ImportRefusedError, formatProblem } from '../app/data-import/problems.js';
import { systemActor } from '../domain/access/roles.js';
import { withDatabase } from './context.js';
import { EXIT_USAGE, UsageError, intOption, toJson } from './output.js';

const ACTOR = systemActor('cli');
const DB_OPTION = ['--db <url>', 'sqlite:PATH or postgres://… (default: $CITYCAP_DB or sqlite:./data/citycap.db)'] as const;
const STAGES: Record<ImportStage, string> = { reading: 'reading rows', checking: 'checking', writing: 'writing' };

/** A progress bar on stderr for a terminal; nothing otherwise (pipes, tests, --json). */
function progressBar(enabled: boolean): { listener: ProgressListener; stop: () => void } {
  if (!enabled) return { listener: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar({ format: '{stage} |{bar}| {value}/{total}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let stage: ImportStage | undefined;
  return {
    listener: (s, done, total) => {
      // While rows are read their number is not known: the bar counts them.
      const shownTotal = total === 0 ? Math.max(done, 1) : total;
      if (s !== stage) {
        if (stage !== undefined) bar.stop();
        stage = s;
        bar.start(shownTotal, done, { stage: STAGES[s] });
        return;
      }
      bar.setTotal(shownTotal);
      bar.update(done, { stage: STAGES[s] });
    },
    stop: () => {
      if (stage !== undefined) bar.stop();
    },
  };
}

/** The file's bytes, its size checked before it is read. */
function readInput(file: string): Buffer {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new UsageError(`${file} is not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  checkFileSize(size);
  return readFileSync(file);
}

/** Runs an import; a refused file prints every problem (or the JSON error body) and sets exit code 2. */
async function refusalsListed<T>(json: boolean, file: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ImportRefusedError)) throw error;
    if (json) {
      console.log(toJson({ error: error.refusal, problems: error.problems }));
    } else {
      console.error(`citycap: ${file} was refused (${error.total} problem${error.total === 1 ? '' : 's'}); nothing was imported:`);
      for (const p of error.problems) console.error(`  ${formatProblem(p)}`);
      if (error.total > error.problems.length) console.error(`  … and ${error.total - error.problems.length} more`);
    }
    process.exitCode = EXIT_USAGE;
    return undefined;
  }
}

function reportsSummary(r: ReportsImportResult, jurisdiction: string): string {
  const verb = r.dryRun ? 'would be' : 'were';
  if (r.mode === 'accepted') return `${jurisdiction}: ${r.reports.toLocaleString('en')} reports (${r.lines.toLocaleString('en')} lines) ${verb} imported as accepted${r.dryRun ? ' (dry run: nothing written)' : ''}`;
  const count = (a: string): number => r.items.filter((i) => i.action === a).length;
  const parts = [`${count('created')} new drafts`, `${count('updated')} drafts updated`, `${count('corrected')} corrections`];
  return `${jurisdiction}: ${r.reports.toLocaleString('en')} reports (${r.lines.toLocaleString('en')} lines) ${verb} saved as drafts: ${parts.join(', ')}${r.dryRun ? ' (dry run: nothing written)' : ''}`;
}

function addReportTemplate(command: Command): void {
  command
    .command('template')
    .description("writes the Excel report template of a facility and fiscal year (the program's sources and units, instructions in English and Japanese)")
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO')
    .requiredOption('--facility <code>', 'facility code')
    .requiredOption('--year <fy>', 'fiscal year', intOption('--year', 1990, 2200))
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .option(...DB_OPTION)
    .action(async (o: { jurisdiction: string; facility: string; year: number; out: string; db?: string }) => {
      const t = await withDatabase(o.db, (db) => new DataImport(db).template(ACTOR, o.jurisdiction, o.facility, o.year), { mustExist: true });
      writeFileSync(o.out, t.bytes);
      console.log(`wrote ${o.out}: the report template of ${o.facility} for FY${o.year}`);
    });
}

function importReportsCommand(): Command {
  return new Command('reports')
    .description('imports reports from a CSV or .xlsx file (one row per line, or a filled report template): all or nothing')
    .argument('<file>', 'the CSV (UTF-8) or .xlsx file')
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO')
    .addOption(new Option('--as <mode>', 'accepted: verified history migrated from a former system; draft: draft reports, as operators upload them').choices(['accepted', 'draft']).default('accepted'))
    .option('--dry-run', 'check everything and roll back: nothing is written')
    .option('--json', 'print the result as JSON')
    .option(...DB_OPTION)
    .action(async (file: string, o: { jurisdiction: string; as: ReportImportMode; dryRun?: boolean; json?: boolean; db?: string }) => {
      const json = o.json === true;
      const bytes = readInput(file);
      const bar = progressBar(process.stderr.isTTY && !json);
      const result = await refusalsListed(json, file, () =>
        withDatabase(o.db, (db) => new DataImport(db).importReports(ACTOR, o.jurisdiction, bytes, o.as, { dryRun: o.dryRun === true, onProgress: bar.listener }), { mustExist: true }).finally(bar.stop),
      );
      if (result === undefined) return;
      console.log(json ? toJson(result) : reportsSummary(result, o.jurisdiction));
    });
}

function importFacilitiesCommand(): Command {
  return new Command('facilities')
    .description('registers facilities from a CSV or .xlsx file (each with its compliance account): all or nothing')
    .argument('<file>', 'the CSV (UTF-8) or .xlsx file')
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO')
    .option('--dry-run', 'check everything and roll back: nothing is written')
    .option('--json', 'print the result as JSON')
    .option(...DB_OPTION)
    .action(async (file: string, o: { jurisdiction: string; dryRun?: boolean; json?: boolean; db?: string }) => {
      const json = o.json === true;
      const bytes = readInput(file);
      const bar = progressBar(process.stderr.isTTY && !json);
      const result = await refusalsListed(json, file, () =>
        withDatabase(o.db, (db) => new DataImport(db).importFacilities(ACTOR, o.jurisdiction, bytes, { dryRun: o.dryRun === true, onProgress: bar.listener }), { mustExist: true }).finally(bar.stop),
      );
      if (result === undefined) return;
      const verb = result.dryRun ? 'would be registered (dry run: nothing written)' : 'registered';
      console.log(json ? toJson(result) : `${o.jurisdiction}: ${result.facilities.toLocaleString('en')} facilities ${verb}, ${result.statusDecisions} status decisions recorded`);
    });
}

function addExportReports(command: Command): void {
  command
    .command('reports')
    .description('writes the reports in force (per facility and year: the latest accepted version, else the latest) as a file the import reads back')
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO')
    .option('--facility <code>', 'only this facility')
    .requiredOption('--out <file>', 'the file to write (.csv or .xlsx)')
    .addOption(new Option('--format <format>', 'csv or xlsx (default: from the file name)').choices(['csv', 'xlsx']))
    .option(...DB_OPTION)
    .action(async (o: { jurisdiction: string; facility?: string; out: string; format?: ExportFormat; db?: string }) => {
      const ext = extname(o.out).slice(1).toLowerCase();
      const format = o.format ?? (ext === 'csv' || ext === 'xlsx' ? ext : undefined);
      if (format === undefined) throw new UsageError('--out must end in .csv or .xlsx (or give --format)');
      const e = await withDatabase(o.db, (db) => new DataImport(db).exportReports(ACTOR, o.jurisdiction, { ...(o.facility === undefined ? {} : { facility: o.facility }), format }), { mustExist: true });
      writeFileSync(o.out, e.bytes);
      console.log(`wrote ${o.out}: ${e.reports.toLocaleString('en')} reports`);
    });
}

/** The top-level command `name`, added when no other command group added it first. */
function group(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing !== undefined) return existing;
  const command = new Command(name).description(description);
  program.addCommand(command);
  return command;
}

/** Adds `report template`, `import reports|facilities` (to the existing `import`) and `export reports`. */
export function addDataCommands(program: Command): void {
  addReportTemplate(group(program, 'report', 'report files'));
  const importing = group(program, 'import', 'import data');
  importing.addCommand(importReportsCommand());
  importing.addCommand(importFacilitiesCommand());
  addExportReports(group(program, 'export', 'data out as files'));
}
