// `citycap db …`, `citycap ledger verify|stats` and `citycap demo ledger`.
import { Command } from 'commander';
import Table from 'cli-table3';
import { runLedgerDemo, ACCOUNTS_MAX, TRANSFERS_MAX } from '../app/demo-ledger.js';
import { ledgerStats, verifyLedger } from '../app/ledger-audit.js';
import { Registry } from '../app/registry.js';
import { migrateToLatest } from '../store/migrate.js';
import { withDatabase } from './context.js';
import { EXIT_FAILED, intOption, toJson, UsageError } from './output.js';

const PLAIN = { head: [], border: [] };

interface DbOption {
  db?: string;
}

export function dbCommand(): Command {
  const db = new Command('db').description('database administration');
  db.command('migrate')
    .description('create or upgrade the schema')
    .option('--db <url>', 'sqlite:PATH or postgres://… (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .action(async (o: DbOption) => {
      await withDatabase(o.db, async (d) => {
        const result = await migrateToLatest(d);
        const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        console.log(applied.length === 0 ? `${d.label}: schema is up to date` : `${d.label}: applied ${applied.join(', ')}`);
      }, { migrate: false });
    });
  return db;
}

export function ledgerCommand(): Command {
  const ledger = new Command('ledger').description('the registry ledger');
  ledger
    .command('verify')
    .description('recompute the hash chain and the balances; exit 1 at the first disagreement')
    .option('--db <url>', 'database URL')
    .option('--jurisdiction <code>', 'only this jurisdiction')
    .option('--expect-head <hash>', 'also require the chain to end at this published hash')
    .option('--json', 'print the report as JSON')
    .action(async (o: DbOption & { jurisdiction?: string; expectHead?: string; json?: boolean }) => {
      const report = await withDatabase(
        o.db,
        (d) => verifyLedger(d, { ...(o.jurisdiction === undefined ? {} : { jurisdictionCode: o.jurisdiction }), ...(o.expectHead === undefined ? {} : { expectHead: o.expectHead }) }),
        { mustExist: true },
      );
      if (o.json === true) {
        console.log(toJson(report));
      } else {
        for (const j of report.jurisdictions) {
          if (j.problems.length === 0) {
            console.log(`${j.code}: OK — ${j.entries} journal entries, head ${j.head}; balances and blocks match the journal`);
          } else {
            console.log(`${j.code}: FAILED — first disagreement at journal entry ${j.problems[0]!.seq}`);
            for (const p of j.problems.slice(0, 10)) console.log(`  seq ${p.seq} [${p.place}] ${p.message}`);
            if (j.problems.length > 10) console.log(`  … ${j.problems.length - 10} more`);
          }
        }
        if (report.jurisdictions.length === 0) console.log('no jurisdictions: nothing to verify');
      }
      if (!report.ok) process.exitCode = EXIT_FAILED;
    });
  ledger
    .command('stats')
    .description('totals per unit type and status, and transactions per type and status')
    .option('--db <url>', 'database URL')
    .option('--jurisdiction <code>', 'only this jurisdiction')
    .option('--json', 'print JSON')
    .action(async (o: DbOption & { jurisdiction?: string; json?: boolean }) => {
      const stats = await withDatabase(o.db, (d) => ledgerStats(d, o.jurisdiction), { mustExist: true });
      if (o.json === true) {
        console.log(toJson(stats));
        return;
      }
      const units = new Table({ style: PLAIN, head: ['jurisdiction', 'unit type', 'kind', 'issued t', 'held t', 'in transit t', 'surrendered t', 'retired t', 'cancelled t'] });
      for (const u of stats.unitTypes) {
        const s = u.byStatusT;
        units.push([u.jurisdiction, u.unitType, u.kind, u.issuedT, s.held, s.in_transit, s.surrendered, s.retired, s.cancelled].map(String));
      }
      const txs = new Table({ style: PLAIN, head: ['jurisdiction', 'transaction type', 'status', 'count', 'quantity t'] });
      for (const t of stats.transactions) txs.push([t.jurisdiction, t.type, t.status, String(t.count), String(t.quantityT)]);
      console.log(units.toString());
      console.log(txs.toString());
    });
  return ledger;
}

export function demoCommand(): Command {
  const demo = new Command('demo').description('demonstration data');
  demo
    .command('ledger')
    .description('run a reproducible random ledger workload (some commands are refused on purpose)')
    .option('--db <url>', 'database URL')
    .requiredOption('--accounts <n>', `holding accounts (1–${ACCOUNTS_MAX})`, intOption('--accounts', 2, ACCOUNTS_MAX))
    .requiredOption('--transfers <m>', `random operations (0–${TRANSFERS_MAX})`, intOption('--transfers', 0, TRANSFERS_MAX))
    .option('--seed <s>', 'random seed', intOption('--seed', 0, 2 ** 32 - 1), 1)
    .option('--jurisdiction <code>', 'jurisdiction code', 'DEMO')
    .option('--json', 'print the summary as JSON')
    .action(async (o: DbOption & { accounts: number; transfers: number; seed: number; jurisdiction: string; json?: boolean }) => {
      if (!/^[A-Z][A-Z0-9-]{1,15}$/.test(o.jurisdiction)) throw new UsageError('--jurisdiction must be 2–16 capital letters, digits or hyphens');
      const summary = await withDatabase(o.db, (d) => {
        let shown = -1;
        return runLedgerDemo(new Registry(d), {
          accounts: o.accounts,
          transfers: o.transfers,
          seed: o.seed,
          jurisdictionCode: o.jurisdiction,
          onProgress: (done, total) => {
            const pct = Math.floor((100 * done) / total);
            if (o.json !== true && process.stderr.isTTY && pct !== shown) {
              shown = pct;
              process.stderr.write(`\r${pct}% (${done}/${total})`);
            }
          },
        });
      });
      if (process.stderr.isTTY && o.json !== true) process.stderr.write('\n');
      if (o.json === true) {
        console.log(toJson(summary));
        return;
      }
      const refused = Object.entries(summary.refused).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
      console.log(
        `${summary.jurisdiction}: ${summary.commands} commands over ${summary.accounts} accounts in ${summary.seconds.toFixed(2)} s — ` +
          `${summary.completed} completed, ${summary.replayed} already done (same seed), refused: ${refused}`,
      );
    });
  return demo;
}
