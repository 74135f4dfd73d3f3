// Importing 100,000 report lines (1,000 facilities × 20 fiscal years × 5 energy lines) on SQLite, from CSV and from
// Excel: lines per second and peak memory, beside baselines measured in the same run — reading and parsing the same
// file and nothing else, and a raw better-sqlite3 insert loop of the same reports and lines (no checks, no
// conversion) into the same schema. Each measurement runs in a fresh child process, so that its peak RSS
// (resourceUsage().maxRSS) is its own. Never fails on time.
// Usage: npm run bench:import [-- --json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { DataImport, type ReportImportMode } from '../src/app/data-import/import.js';
import { readSpreadsheet } from '../src/app/data-import/parse.js';
import { uuidv7 } from '../src/app/ids.js';
import { jurisdictionForProgram } from '../src/app/programs.js';
import { Registry } from '../src/app/registry.js';
import { systemActor } from '../src/domain/access/roles.js';
import { tokyoProgram } from '../src/domain/program/presets/index.js';
import { openDatabase } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { bigXlsx, csv } from '../test/fixtures/import/files.js';

const FACILITIES = 1000;
const YEARS = [2002, 2003, 2004, 2005, 2006, 2007, ...Array.from({ length: 14 }, (_, i) => 2010 + i)];
const SOURCES = [['electricity_grid', 'MWh'], ['city_gas', 'thousand_Nm3'], ['heavy_oil_a', 'kL'], ['kerosene', 'kL'], ['lpg', 't']] as const;
const LINES = FACILITIES * YEARS.length * SOURCES.length;
const HEADER = ['facility_code', 'fiscal_year', 'kind', 'source', 'quantity', 'unit'];
const ACTOR = systemActor('bench');

type Case = 'parse' | 'raw-sqlite' | 'import-accepted' | 'import-draft';
interface Result {
  case: Case;
  format: string;
  seconds: number;
  lines_per_s: number;
  peak_rss_mb: number;
  rss_before_mb: number;
  detail: string;
}

function* lineRows(): Generator<[string, number, string, string, string, string]> {
  for (let f = 0; f < FACILITIES; f++) {
    for (const fy of YEARS) {
      for (const [n, [source, unit]] of SOURCES.entries()) yield [`B-${String(f).padStart(4, '0')}`, fy, 'energy', source, `${1000 + ((f * 31 + fy * 7 + n) % 9973)}.${(f + n) % 1000}`, unit];
    }
  }
}

const facilitiesCsv = (): Buffer => csv([['code', 'name', 'owner', 'category', 'use_type', 'status', 'status_from_fiscal_year'], ...Array.from({ length: FACILITIES }, (_, f) => [`B-${String(f).padStart(4, '0')}`, `Bench Building ${f}`, 'Bench Estate KK', f % 5 === 0 ? 'II' : 'I-1', f % 5 === 0 ? 'factory' : 'office', 'specified', '2002'])]);

const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024));

/** One measurement, in this (child) process. */
async function measure(kind: Case, file: string, format: string): Promise<Result> {
  const bytes = readFileSync(file);
  const dir = mkdtempSync(join(tmpdir(), 'citycap-bench-import-'));
  const url = `sqlite:${join(dir, 'bench.db')}`;
  const db = openDatabase(url);
  try {
    await migrateToLatest(db);
    await jurisdictionForProgram(new Registry(db), tokyoProgram(), { now: new Date('2009-10-01T00:00:00Z') });
    const data = new DataImport(db);
    if (kind !== 'parse') await data.importFacilities(ACTOR, 'TOKYO', facilitiesCsv());
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    let detail: string;
    if (kind === 'parse') {
      const parsed = await readSpreadsheet(bytes);
      detail = `${parsed.sheets[0]!.rows.length - 1} rows read`;
    } else if (kind === 'raw-sqlite') {
      detail = rawInserts(join(dir, 'bench.db'), await db.kysely.selectFrom('facilities').select(['id', 'code', 'jurisdiction_id']).execute());
    } else {
      const mode: ReportImportMode = kind === 'import-accepted' ? 'accepted' : 'draft';
      const r = await data.importReports(ACTOR, 'TOKYO', bytes, mode);
      detail = `${r.reports} reports, ${r.lines} lines (${mode})`;
    }
    const seconds = (performance.now() - started) / 1000;
    return { case: kind, format, seconds, lines_per_s: Math.round(LINES / seconds), peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), rss_before_mb: mb(rssBefore), detail };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The floor: the same rows inserted with prepared statements in one transaction, nothing checked or converted. */
function rawInserts(path: string, facilities: readonly { id: string; code: string; jurisdiction_id: string }[]): string {
  const sqlite = new SQLite(path);
  const byCode = new Map(facilities.map((f) => [f.code, f]));
  const report = sqlite.prepare('INSERT INTO reports (id, jurisdiction_id, facility_id, fiscal_year, version, status, coe_l, emissions_kg, created_at, created_by) VALUES (?, ?, ?, ?, 1, ?, 0, 0, ?, ?)');
  const line = sqlite.prepare('INSERT INTO report_lines (report_id, line_no, kind, source, quantity, unit, coe_l, co2_kg) VALUES (?, ?, ?, ?, ?, ?, 0, 0)');
  const now = new Date().toISOString();
  let reports = 0;
  sqlite.transaction(() => {
    let key = '';
    let id = '';
    let n = 0;
    for (const [code, fy, kind, source, quantity, unit] of lineRows()) {
      if (`${code} ${fy}` !== key) {
        key = `${code} ${fy}`;
        id = uuidv7();
        n = 0;
        const f = byCode.get(code)!;
        report.run(id, f.jurisdiction_id, f.id, fy, 'accepted', now, 'bench');
        reports++;
      }
      line.run(id, ++n, kind, source, quantity, unit);
    }
  })();
  sqlite.close();
  return `${reports} reports, ${LINES} lines`;
}

function show(r: Result, json: boolean): void {
  if (json) console.log(JSON.stringify(r));
  else console.log(`${r.case.padEnd(16)} ${r.format.padEnd(5)} ${r.seconds.toFixed(2).padStart(7)} s ${r.lines_per_s.toLocaleString('en').padStart(10)} lines/s   peak RSS ${String(r.peak_rss_mb).padStart(4)} MB (${String(r.rss_before_mb).padStart(3)} MB before)   ${r.detail}`);
}

const args = process.argv.slice(2);
const child = args.indexOf('--case');
if (child >= 0) {
  const r = await measure(args[child + 1] as Case, args[args.indexOf('--file') + 1]!, args[args.indexOf('--format') + 1]!);
  console.log(JSON.stringify(r));
} else {
  const json = args.includes('--json');
  const dir = mkdtempSync(join(tmpdir(), 'citycap-bench-files-'));
  try {
    const files = { csv: join(dir, 'reports.csv'), xlsx: join(dir, 'reports.xlsx') };
    writeFileSync(files.csv, csv([HEADER, ...lineRows()]));
    writeFileSync(files.xlsx, await bigXlsx('Reports', [HEADER, ...lineRows()]));
    if (!json) {
      console.log(`${LINES.toLocaleString('en')} report lines (${FACILITIES} facilities × ${YEARS.length} years × ${SOURCES.length} lines) on SQLite; CSV ${mb(readFileSync(files.csv).length)} MB, xlsx ${mb(readFileSync(files.xlsx).length)} MB`);
      console.log('each case in a fresh process: peak RSS is its own; "before" is the RSS when the timed part started (set-up: 1,000 facilities)');
    }
    const cases: [Case, 'csv' | 'xlsx'][] = [['parse', 'csv'], ['parse', 'xlsx'], ['raw-sqlite', '-' as 'csv'], ['import-accepted', 'csv'], ['import-accepted', 'xlsx'], ['import-draft', 'csv']];
    for (const [kind, format] of cases) {
      const file = format === 'xlsx' ? files.xlsx : files.csv;
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/import.ts', '--case', kind, '--file', file, '--format', format], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (run.status !== 0) throw new Error(`${kind} ${format} failed: ${run.stderr}`);
      show(JSON.parse(run.stdout.trim().split('\n').pop()!) as Result, json);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
