// The EU ETS import and an allocation compliance run over all 89,831 installation-years, on SQLite and PostgreSQL.
// Baseline measured in the same run: parsing the two CSV files with the same parser and nothing else.
// Goals (issue 3): import under 30 s, compliance run under 2 s on SQLite. Never fails on time.
// Usage: npm run bench:compliance [-- --json] [--only sqlite|postgres] [--dir DIR]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runAllocationCompliance } from '../src/app/compliance-allocation.js';
import { importEuEts } from '../src/app/import-eu-ets.js';
import { Registry } from '../src/app/registry.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { scratchPostgres } from '../test/support/engines.js';
import { migrateToLatest } from '../src/store/migrate.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const valueOf = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = valueOf('--only');
const dir = valueOf('--dir') ?? 'fixtures/eu-ets-phase3';
const PG_ADMIN = process.env.CITYCAP_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MB = 1024; // maxRSS is in kilobytes

interface Row {
  engine: string;
  step: string;
  seconds: number;
  /** CPU time of this process (user + system): less disturbed than wall time on a busy machine. */
  cpu_seconds: number;
  peak_rss_mb: number;
  detail: string;
}

function report(row: Row): void {
  if (json) console.log(JSON.stringify(row));
  else console.log(`${row.engine.padEnd(9)} ${row.step.padEnd(22)} ${row.seconds.toFixed(2).padStart(7)} s (cpu ${row.cpu_seconds.toFixed(2).padStart(6)} s)   peak RSS ${row.peak_rss_mb.toFixed(0).padStart(5)} MB   ${row.detail}`);
}

const peakMb = (): number => process.resourceUsage().maxRSS / MB;

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; seconds: number; cpu_seconds: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: (performance.now() - started) / 1000, cpu_seconds: (used.user + used.system) / 1e6 };
}

/** The baseline: read and parse both files, no validation, no database. */
async function baseline(): Promise<void> {
  const { value, seconds, cpu_seconds } = await timed(() => {
    const a = parse(readFileSync(join(dir, 'installation.csv')), { bom: true });
    const b = parse(readFileSync(join(dir, 'compliance.csv')), { bom: true });
    return a.length + b.length - 2;
  });
  report({ engine: '-', step: 'baseline: parse CSVs', seconds, cpu_seconds, peak_rss_mb: peakMb(), detail: `${value} rows` });
}

async function run(engine: string, db: Database): Promise<void> {
  await migrateToLatest(db);
  const registry = new Registry(db);
  const imported = await timed(() => importEuEts(registry, { dir }));
  const s = imported.value;
  report({
    engine,
    step: 'import',
    seconds: imported.seconds,
    cpu_seconds: imported.cpu_seconds,
    peak_rss_mb: peakMb(),
    detail: `${s.installations} installations, ${s.allocationsIssued} allocations issued, ${s.reportsCreated} reports`,
  });
  const again = await timed(() => importEuEts(registry, { dir }));
  report({ engine, step: 'import again (no-op)', seconds: again.seconds, cpu_seconds: again.cpu_seconds, peak_rss_mb: peakMb(), detail: again.value.changed ? 'CHANGED SOMETHING' : 'nothing changed' });
  const compliance = await timed(() => runAllocationCompliance(db, { jurisdictionId: s.jurisdictionId, period: 3, now: new Date() }));
  report({ engine, step: 'compliance period 3', seconds: compliance.seconds, cpu_seconds: compliance.cpu_seconds, peak_rss_mb: peakMb(), detail: `${compliance.value.rows} installation-years` });
}

await baseline();
if (only === undefined || only === 'sqlite') {
  const tmp = mkdtempSync(join(tmpdir(), 'citycap-bench-'));
  const db = openDatabase(`sqlite:${join(tmp, 'citycap.db')}`);
  try {
    await run('sqlite', db);
  } finally {
    await db.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
if (only === undefined || only === 'postgres') {
  const scratch = await scratchPostgres('citycap_bench', PG_ADMIN).catch((error: unknown) => {
    console.error(`postgres: skipped (${error instanceof Error ? error.message : String(error)})`);
    process.exit(0);
  });
  const db = openDatabase(scratch.url);
  try {
    await run('postgres', db);
  } finally {
    await db.close();
    await scratch.drop();
  }
}
