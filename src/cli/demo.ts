// `citycap demo …`: the demo city (`demo city`, `demo reset`), the demo users' current TOTP codes (`demo code`), and
// the ledger workload (`demo ledger`, from ledger.ts). CITYCAP_DEMO=0 refuses demo data; docs/demo.md.
import { Command } from 'commander';
import Table from 'cli-table3';
import { createDemoCity, DEMO_FACILITIES_DEFAULT, type DemoCitySummary } from '../app/demo-city.js';
import { DEMO_FACILITIES_MAX, DEMO_FACILITIES_MIN } from '../app/demo-city/plan.js';
import { demoCredentialsIn, demoRefused, demoSeedFromEnv, emptyDatabase, holdsOnlyDemoData, isEmptyDatabase, type DemoCredentials } from '../app/demo-city/reset.js';
import { DEMO_USERS, demoTotpCode, isDemoLogin } from '../app/demo-city/users.js';
import { openDatabase, type Database } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { dbUrl } from './context.js';
import { COMPACT } from './disclosure.js';
import { demoCommand as ledgerDemoCommand } from './ledger.js';
import { intOption, toJson, UsageError } from './output.js';

const REFUSED = 'CITYCAP_DEMO=0: demo data is refused in this environment';

function seedOption(value: string): number {
  return intOption('--seed', 0, 2 ** 32 - 1)(value);
}

/** The sign-in details as printed on start and after a reset. */
export function credentialsTable(credentials: readonly DemoCredentials[]): string {
  const table = new Table({ style: { head: [], border: [] }, chars: COMPACT, head: ['login', 'password', 'TOTP secret', 'role'] });
  for (const c of credentials) table.push([c.login, c.password, c.totpSecret, c.role]);
  return [
    'Demo users (demo data only — never in production). Sign in with the password, then the 6-digit code:',
    table.toString(),
    'Add the TOTP secret to an authenticator app, or print the current code with: npx citycap demo code <login>',
  ].join('\n');
}

export function summaryLine(s: DemoCitySummary): string {
  const p = (n: 1 | 2): string => `P${n} ${Object.entries(s.periods[n]!.byStatus).map(([k, v]) => `${v} ${k}`).join(', ')} (${s.periods[n]!.buyers} bought credits from ${s.periods[n]!.sellers} seller${s.periods[n]!.sellers === 1 ? '' : 's'})`;
  return `demo city ${s.jurisdiction}: ${s.facilities} facilities, ${s.reports} accepted reports; ${p(1)}; ${p(2)}; seed ${s.seed}, ${s.seconds.toFixed(1)} s`;
}

async function open(option: string | undefined): Promise<{ db: Database; url: string }> {
  const url = dbUrl(option);
  let db: Database;
  try {
    db = openDatabase(url);
  } catch (error) {
    throw new UsageError(`--db: ${error instanceof Error ? error.message : String(error)}`);
  }
  await migrateToLatest(db);
  return { db, url };
}

export function demoCommand(): Command {
  const demo = ledgerDemoCommand();
  demo.description('demonstration data: the demo city, its users\' codes, and a ledger workload');
  demo
    .command('reset')
    .description('empty the database and create the demo city again (refused for a database with other data unless --force)')
    .option('--db <url>', 'database URL (default: $CITYCAP_DB or sqlite:./data/citycap.db)')
    .option('--seed <s>', 'seed of the data and the credentials (default: $CITYCAP_DEMO_SEED or 1)', seedOption)
    .option('--facilities <n>', `facilities (${DEMO_FACILITIES_MIN}–${DEMO_FACILITIES_MAX}, default ${DEMO_FACILITIES_DEFAULT})`, intOption('--facilities', DEMO_FACILITIES_MIN, DEMO_FACILITIES_MAX))
    .option('--force', 'also empty a database that holds data other than the demo\'s')
    .option('--json', 'print the summary and the users as JSON')
    .action(async (o: { db?: string; seed?: number; facilities?: number; force?: boolean; json?: boolean }) => {
      if (demoRefused()) throw new UsageError(REFUSED);
      const seed = o.seed ?? demoSeedFromEnv();
      const opened = await open(o.db);
      let db = opened.db;
      try {
        if (o.force !== true && !(await isEmptyDatabase(db)) && !(await holdsOnlyDemoData(db))) {
          throw new UsageError(`${db.label} holds data other than the demo's; demo reset would delete it (add --force to do so anyway)`);
        }
        db = await emptyDatabase(db, opened.url);
        const summary = await createDemoCity(db, {
          seed,
          facilities: o.facilities ?? DEMO_FACILITIES_DEFAULT,
          onProgress: (stage) => {
            if (o.json !== true) console.error(`citycap: demo: ${stage}…`);
          },
        });
        if (o.json === true) {
          console.log(toJson(summary));
        } else {
          console.log(summaryLine(summary));
          console.log(credentialsTable(await demoCredentialsIn(db, seed)));
        }
      } finally {
        await db.close();
      }
    });
  demo
    .command('code')
    .argument('<login>', `a demo user (${DEMO_USERS.map((u) => u.login).join(', ')})`)
    .description('print the current 6-digit TOTP code of a demo user (computed from the demo seed; no database needed)')
    .option('--seed <s>', 'the demo\'s seed (default: $CITYCAP_DEMO_SEED or 1)', seedOption)
    .action(async (login: string, o: { seed?: number }) => {
      if (demoRefused()) throw new UsageError(REFUSED);
      if (!isDemoLogin(login)) throw new UsageError(`${login} is not a demo user; demo users are ${DEMO_USERS.map((u) => u.login).join(', ')}.`);
      const { code, validForS } = await demoTotpCode(o.seed ?? demoSeedFromEnv(), login, new Date());
      console.log(code);
      if (process.stderr.isTTY) console.error(`(valid for ${validForS} more seconds)`);
    });
  return demo;
}
