// Ledger throughput: citycap transfers against a baseline measured in the same run.
//   SQLite baseline: raw better-sqlite3, one transaction doing only two balance updates and a journal insert.
//   PostgreSQL baseline: the naive loop, BEGIN + two balance updates + a journal insert + COMMIT, one round trip each.
// Usage: npm run bench:ledger [-- --json] [--transfers N] [--accounts N] [--only sqlite|postgres]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Registry } from '../src/app/registry.js';
import { prng } from '../src/app/demo-ledger.js';
import { verifyLedger } from '../src/app/ledger-audit.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { scratchPostgres } from '../test/support/engines.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const TRANSFERS = option('--transfers', 20_000);
const ACCOUNTS = option('--accounts', 1000);
const PG_ADMIN = process.env.CITYCAP_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Row {
  engine: string;
  mode: string;
  clients: number;
  transfers_per_s: number;
  baseline_per_s: number;
  ratio: number;
}

function report(row: Row): void {
  if (json) {
    console.log(JSON.stringify(row));
  } else {
    console.log(
      `${row.engine.padEnd(9)} ${row.mode.padEnd(24)} clients ${String(row.clients).padStart(2)}  ` +
        `${row.transfers_per_s.toFixed(0).padStart(7)} transfers/s   baseline ${row.baseline_per_s.toFixed(0).padStart(7)}/s   ratio ${row.ratio.toFixed(2)}`,
    );
  }
}

function perSecond(n: number, startedMs: number): number {
  return n / ((performance.now() - startedMs) / 1000);
}

// ---- the registry under test --------------------------------------------------------------------------------

interface Setup {
  registry: Registry;
  jurisdictionId: string;
  accounts: string[];
  unitTypeId: string;
}

async function setUp(db: Database): Promise<Setup> {
  const registry = new Registry(db);
  const { id: jurisdictionId } = await registry.createJurisdiction({ code: 'BENCH', nameEn: 'Bench', nameJa: 'ベンチ', timeZone: 'UTC', fyStartMonth: 1 });
  const { id: unitTypeId } = await registry.createUnitType({ jurisdictionId, code: 'ALLOWANCE', kind: 'allowance', issuingJurisdiction: 'BENCH' });
  const accounts: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) accounts.push((await registry.openAccount({ jurisdictionId, type: 'general_holding', holder: `Holder ${i}` })).id);
  await Promise.all(
    accounts.map((toAccountId, i) =>
      registry.submit(jurisdictionId, { type: 'issuance', toAccountId, unitTypeId, quantityT: 1_000_000n }, { idempotencyKey: `fund-${i}`, actor: 'bench', execute: true }),
    ),
  );
  return { registry, jurisdictionId, accounts, unitTypeId };
}

/** `clients` callers, each awaiting its own transfers one after another (so 1 client = one per commit). */
async function transfers(s: Setup, label: string, count: number, clients: number): Promise<number> {
  const random = prng(42 + clients);
  const next = (): [string, string] => {
    const a = Math.floor(random() * s.accounts.length);
    const b = (a + 1 + Math.floor(random() * (s.accounts.length - 1))) % s.accounts.length;
    return [s.accounts[a]!, s.accounts[b]!];
  };
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (issued < count) {
        const n = issued++;
        const [fromAccountId, toAccountId] = next();
        const r = await s.registry.submit(
          s.jurisdictionId,
          { type: 'transfer', fromAccountId, toAccountId, unitTypeId: s.unitTypeId, quantityT: BigInt(1 + (n % 10)) },
          { idempotencyKey: `${label}-${n}`, actor: 'bench', execute: true },
        );
        if (!r.ok) throw new Error(`transfer refused: ${r.refusal.code}`);
      }
    }),
  );
  return perSecond(count, started);
}

// ---- SQLite -------------------------------------------------------------------------------------------------

function sqliteBaseline(path: string, synchronous: string, count: number): number {
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(`CREATE TABLE balances (account_id TEXT PRIMARY KEY, quantity_t INTEGER NOT NULL CHECK (quantity_t >= 0));
           CREATE TABLE journal (seq INTEGER PRIMARY KEY, tx_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO balances VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < ACCOUNTS; i++) insert.run(`a${i}`, 1_000_000);
  })();
  const debit = db.prepare('UPDATE balances SET quantity_t = quantity_t - ? WHERE account_id = ?');
  const credit = db.prepare('UPDATE balances SET quantity_t = quantity_t + ? WHERE account_id = ?');
  const journal = db.prepare('INSERT INTO journal (seq, tx_id, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?)');
  const hash = 'f'.repeat(64);
  const body = 'x'.repeat(420); // about the size of a citycap journal body
  const transfer = db.transaction((n: number) => {
    const a = n % ACCOUNTS;
    const b = (n * 7 + 1) % ACCOUNTS;
    debit.run(1, `a${a}`);
    credit.run(1, `a${b}`);
    journal.run(n + 1, `tx${n}`, hash, hash, body);
  });
  const started = performance.now();
  for (let n = 0; n < count; n++) transfer(n);
  const rate = perSecond(count, started);
  db.close();
  return rate;
}

async function benchSqlite(synchronous: 'normal' | 'full'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'citycap-bench-'));
  try {
    const baseline = sqliteBaseline(join(dir, 'baseline.db'), synchronous, TRANSFERS);
    const db = openDatabase(`sqlite:${join(dir, 'citycap.db')}?synchronous=${synchronous}`);
    await migrateToLatest(db);
    const s = await setUp(db);
    const single = await transfers(s, 'single', TRANSFERS, 1);
    report({ engine: 'sqlite', mode: `single sync=${synchronous}`, clients: 1, transfers_per_s: single, baseline_per_s: baseline, ratio: single / baseline });
    const batched = await transfers(s, 'batched', TRANSFERS, 256);
    report({ engine: 'sqlite', mode: `batched sync=${synchronous}`, clients: 256, transfers_per_s: batched, baseline_per_s: baseline, ratio: batched / baseline });
    const check = await verifyLedger(db);
    if (!check.ok) throw new Error('ledger does not verify after the SQLite benchmark');
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- PostgreSQL ---------------------------------------------------------------------------------------------

async function pgBaseline(url: string, count: number, clients: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  await pool.query(`DROP TABLE IF EXISTS bench_balances; DROP TABLE IF EXISTS bench_journal;
    CREATE TABLE bench_balances (account_id TEXT PRIMARY KEY, quantity_t BIGINT NOT NULL CHECK (quantity_t >= 0));
    CREATE TABLE bench_journal (seq BIGSERIAL PRIMARY KEY, tx_id TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, body TEXT NOT NULL)`);
  await pool.query('INSERT INTO bench_balances SELECT \'a\' || g, 1000000 FROM generate_series(0, $1::int - 1) g', [ACCOUNTS]);
  const hash = 'f'.repeat(64);
  const body = 'x'.repeat(420);
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = await pool.connect();
      try {
        while (issued < count) {
          const n = issued++;
          // Lock order by account id avoids deadlocks between concurrent clients.
          const [a, b] = [n % ACCOUNTS, (n * 7 + 1) % ACCOUNTS].sort((x, y) => x - y) as [number, number];
          await c.query('BEGIN');
          await c.query('UPDATE bench_balances SET quantity_t = quantity_t - 1 WHERE account_id = $1', [`a${a}`]);
          await c.query('UPDATE bench_balances SET quantity_t = quantity_t + 1 WHERE account_id = $1', [`a${b}`]);
          await c.query('INSERT INTO bench_journal (tx_id, prev_hash, hash, body) VALUES ($1, $2, $3, $4)', [`tx${n}`, hash, hash, body]);
          await c.query('COMMIT');
        }
      } finally {
        c.release();
      }
    }),
  );
  const rate = perSecond(count, started);
  await pool.end();
  return rate;
}

async function benchPostgres(): Promise<void> {
  const scratch = await scratchPostgres('citycap_bench', PG_ADMIN);
  const url = new URL(scratch.url);
  try {
    const count = Math.min(TRANSFERS, 10_000);
    const baseline1 = await pgBaseline(url.toString(), Math.min(count, 4000), 1);
    const baseline16 = await pgBaseline(url.toString(), count, 16);
    const db = openDatabase(url.toString(), { poolMax: 16 });
    await migrateToLatest(db);
    const s = await setUp(db);
    const one = await transfers(s, 'pg1', Math.min(count, 4000), 1);
    report({ engine: 'postgres', mode: 'group commit', clients: 1, transfers_per_s: one, baseline_per_s: baseline1, ratio: one / baseline1 });
    const sixteen = await transfers(s, 'pg16', count, 16);
    report({ engine: 'postgres', mode: 'group commit', clients: 16, transfers_per_s: sixteen, baseline_per_s: baseline16, ratio: sixteen / baseline16 });
    const many = await transfers(s, 'pg256', count, 256);
    report({ engine: 'postgres', mode: 'group commit', clients: 256, transfers_per_s: many, baseline_per_s: baseline16, ratio: many / baseline16 });
    // 16 writers that share nothing in the process (as 16 server processes would): each has its own
    // connection and cache, so they take turns on the jurisdiction's lock and reload after each other.
    const writers = Array.from({ length: 16 }, () => openDatabase(url.toString(), { poolMax: 1 }));
    const each = Math.floor(count / 16);
    const started = performance.now();
    await Promise.all(writers.map((w, i) => transfers({ ...s, registry: new Registry(w) }, `w${i}`, each, 1)));
    const independent = perSecond(each * 16, started);
    report({ engine: 'postgres', mode: '16 separate writers', clients: 16, transfers_per_s: independent, baseline_per_s: baseline16, ratio: independent / baseline16 });
    await Promise.all(writers.map((w) => w.close()));
    const check = await verifyLedger(db);
    if (!check.ok) throw new Error('ledger does not verify after the PostgreSQL benchmark');
    await db.close();
  } finally {
    await scratch.drop();
  }
}

if (!json) console.log(`citycap ledger benchmark: ${TRANSFERS} transfers among ${ACCOUNTS} accounts (node ${process.version})`);
if (only !== 'postgres') {
  await benchSqlite('normal');
  await benchSqlite('full');
}
if (only !== 'sqlite') await benchPostgres();
