// `citycap export open-data` writes every open-data table of a jurisdiction (docs/open-data.md) as CSV, Excel and JSON
// files with the data dictionary, streamed table by table; `citycap export summary-pdf` writes a facility's annual
// summary PDF. Both read the database directly as a system actor (whoever can open the database can read it all).
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError } from 'commander';
import Table from 'cli-table3';
import { FORMATS, OPEN_DATA_TABLES, TABLE_NAMES, type Format } from '../app/open-data/dictionary.js';
import { FacilitySummaries, summaryFigures } from '../app/open-data/facility-summary.js';
import { csvChunks, fileNameOf, jsonChunks, writeXlsx } from '../app/open-data/formats.js';
import { openDataSettingsFromEnv, type OpenDataSettings } from '../app/open-data/settings.js';
import { PdfFontMissingError, renderSummaryPdf, SUMMARY_LANGS, type SummaryLang } from '../app/open-data/summary-pdf.js';
import { openTable, type OpenTable, type Row } from '../app/open-data/tables.js';
import { systemActor } from '../domain/access/roles.js';
import { RefusedError } from '../domain/errors.js';
import { withDatabase } from './context.js';
import { COMPACT } from './disclosure.js';
import { toJson, UsageError } from './output.js';

function jurisdictionOption(value: string): string {
  if (!/^[A-Z][A-Z0-9-]{1,15}$/.test(value)) throw new InvalidArgumentError('--jurisdiction must be a jurisdiction code: 2–16 capital letters, digits or hyphens, e.g. TOKYO.');
  return value;
}

function listOption<T extends string>(name: string, allowed: readonly T[]): (value: string) => T[] {
  return (value: string) => {
    const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (items.length === 0) throw new InvalidArgumentError(`${name} must name at least one of: ${allowed.join(', ')}.`);
    for (const item of items) if (!(allowed as readonly string[]).includes(item)) throw new InvalidArgumentError(`${name}: "${item.slice(0, 40)}" is not one of: ${allowed.join(', ')}.`);
    return [...new Set(items)] as T[];
  };
}

function fiscalYearOption(value: string): number {
  if (!/^\d{4}$/.test(value) || Number(value) < 1990 || Number(value) > 2200) throw new InvalidArgumentError('--fiscal-year must be a year from 1990 to 2200, e.g. 2022.');
  return Number(value);
}

function facilityOption(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value)) throw new InvalidArgumentError('--facility must be a facility code: letters, digits, ".", "_" or "-", e.g. T-0001.');
  return value;
}

function dateOption(value: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(value) || Number.isNaN(d.getTime())) throw new InvalidArgumentError('--created-at must be an ISO-8601 UTC date, e.g. 2026-05-01 or 2026-05-01T09:00:00Z.');
  return d;
}

function langOption(value: string): SummaryLang {
  if (!(SUMMARY_LANGS as readonly string[]).includes(value)) throw new InvalidArgumentError(`--lang must be one of: ${SUMMARY_LANGS.join(', ')}.`);
  return value as SummaryLang;
}

/** The table with its batches counted as they are written. */
function counted(table: OpenTable, count: { rows: number }): OpenTable {
  return {
    ...table,
    async *batches(): AsyncGenerator<Row[]> {
      for await (const batch of table.batches()) {
        count.rows += batch.length;
        yield batch;
      }
    },
  };
}

async function writeTable(table: OpenTable, format: Format, path: string): Promise<void> {
  const out = createWriteStream(path);
  if (format === 'xlsx') {
    await writeXlsx(table, out);
    return;
  }
  await pipeline(Readable.from(format === 'csv' ? csvChunks(table) : jsonChunks(table)), out);
}

interface Written {
  readonly table: string;
  readonly rows: number | null;
  readonly files: readonly string[];
  readonly skipped?: string;
}

const DICTIONARY_FILE = 'dictionary.json';

function settingsFromEnv(): OpenDataSettings {
  try {
    return openDataSettingsFromEnv(process.env);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * Adds `export open-data` and `export summary-pdf` to the program's `export` command (other data exports share it),
 * creating it when there is none yet.
 */
export function addOpenDataCommands(program: Command): void {
  let command = program.commands.find((c) => c.name() === 'export');
  if (command === undefined) {
    command = new Command('export').description('data out as files');
    program.addCommand(command);
  }
  command
    .command('open-data')
    .description('writes every open-data table of a jurisdiction as CSV (UTF-8 with BOM), Excel and JSON, with dictionary.json')
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO', jurisdictionOption)
    .requiredOption('--dir <path>', 'the directory to write into (created when missing)')
    .option('--tables <list>', `comma-separated tables (default all: ${TABLE_NAMES.join(', ')})`, listOption('--tables', TABLE_NAMES))
    .option('--formats <list>', `comma-separated formats (default all: ${FORMATS.join(', ')})`, listOption('--formats', FORMATS))
    .option('--json', 'print what was written as JSON')
    .option('--db <url>', 'database URL (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .action(async (o: { jurisdiction: string; dir: string; tables?: string[]; formats?: Format[]; json?: boolean; db?: string }) => {
      const dir = resolve(o.dir);
      try {
        mkdirSync(dir, { recursive: true });
      } catch (error) {
        throw new UsageError(`--dir: cannot create ${dir} (${error instanceof Error ? error.message : String(error)}).`);
      }
      if (!statSync(dir).isDirectory()) throw new UsageError(`--dir: ${dir} is not a directory.`);
      const settings = settingsFromEnv();
      const formats = o.formats ?? [...FORMATS];
      const names = o.tables ?? OPEN_DATA_TABLES.map((t) => t.name);
      const now = new Date();
      const written: Written[] = await withDatabase(
        o.db,
        async (db) => {
          const out: Written[] = [];
          for (const name of names) {
            let table: OpenTable;
            try {
              table = await openTable(db, { jurisdictionCode: o.jurisdiction, table: name, now, settings });
            } catch (error) {
              if (error instanceof RefusedError && error.refusal.code === 'UNKNOWN_JURISDICTION') throw new UsageError(`--jurisdiction: ${error.refusal.message}`);
              if (error instanceof RefusedError && error.refusal.code === 'NO_PROGRAM') {
                out.push({ table: name, rows: null, files: [], skipped: error.refusal.message });
                continue;
              }
              throw error;
            }
            const count = { rows: 0 };
            const files: string[] = [];
            for (const format of formats) {
              count.rows = 0;
              const file = join(dir, fileNameOf(o.jurisdiction, name, format));
              await writeTable(counted(table, count), format, file);
              files.push(file);
            }
            out.push({ table: name, rows: count.rows, files });
          }
          return out;
        },
        { mustExist: true },
      );
      const dictionary = join(dir, DICTIONARY_FILE);
      writeFileSync(dictionary, `${JSON.stringify({ tables: OPEN_DATA_TABLES }, null, 2)}\n`);
      if (o.json === true) {
        console.log(toJson({ jurisdiction: o.jurisdiction, dir, dictionary, tables: written }));
        return;
      }
      const t = new Table({ style: { head: [], border: [] }, chars: COMPACT, head: ['table', 'rows', 'files'], colAligns: ['left', 'right', 'left'] });
      for (const w of written) t.push([w.table, w.rows === null ? '—' : w.rows.toLocaleString('en-US'), w.skipped ?? w.files.map((f) => f.slice(dir.length + 1)).join(' ')]);
      console.log(`${o.jurisdiction}: open data written to ${dir} (data dictionary: ${DICTIONARY_FILE})\n${t.toString()}`);
    });

  command
    .command('summary-pdf')
    .description("writes a facility's annual summary for a fiscal year as a PDF (report lines, crude-oil equivalent, CO2, base year, cap and position)")
    .requiredOption('--jurisdiction <code>', 'jurisdiction code, e.g. TOKYO', jurisdictionOption)
    .requiredOption('--facility <code>', 'facility code, e.g. T-0001', facilityOption)
    .requiredOption('--fiscal-year <year>', 'fiscal year, e.g. 2022', fiscalYearOption)
    .requiredOption('--out <file>', 'the PDF file to write')
    .option('--lang <lang>', `labels in ${SUMMARY_LANGS.join(', ')} (default both)`, langOption, 'both' as SummaryLang)
    .option('--created-at <date>', "the document's date, ISO-8601 UTC (default now); the same date gives the same bytes", dateOption)
    .option('--json', 'print the key figures as JSON')
    .option('--db <url>', 'database URL (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .action(async (o: { jurisdiction: string; facility: string; fiscalYear: number; out: string; lang: SummaryLang; createdAt?: Date; json?: boolean; db?: string }) => {
      const summary = await withDatabase(
        o.db,
        async (db) => {
          try {
            return await new FacilitySummaries(db).summary(systemActor('cli'), { jurisdictionCode: o.jurisdiction, facilityCode: o.facility, fiscalYear: o.fiscalYear });
          } catch (error) {
            if (error instanceof RefusedError) {
              const option = { code: '--jurisdiction', facility: '--facility', fiscalYear: '--fiscal-year' }[error.refusal.field ?? ''] ?? '';
              throw new UsageError(`${option === '' ? '' : `${option}: `}${error.refusal.message} (${error.refusal.code})`);
            }
            throw error;
          }
        },
        { mustExist: true },
      );
      let pdf: Buffer;
      try {
        pdf = await renderSummaryPdf(summary, { lang: o.lang, createdAt: o.createdAt ?? new Date() });
      } catch (error) {
        // Not a usage error: the machine lacks the font (exit 1, with how to install it).
        if (error instanceof PdfFontMissingError) throw new Error(error.message, { cause: error });
        throw error;
      }
      const out = resolve(o.out);
      try {
        writeFileSync(out, pdf);
      } catch (error) {
        throw new UsageError(`--out: cannot write ${out} (${error instanceof Error ? error.message : String(error)}).`);
      }
      if (o.json === true) console.log(toJson({ file: out, bytes: pdf.length, ...summaryFigures(summary) }));
      else console.log(`${out}: annual summary of ${summary.facility.code} for FY${summary.fiscalYear} (${pdf.length.toLocaleString('en-US')} bytes)`);
    });
}
