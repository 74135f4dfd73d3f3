// `demo reset` and `serve --demo`: whether a database holds only demo data, which demo users it has, and emptying
// it. Emptying is for demo databases only: the CLI refuses a database with other data unless told --force.
import { rmSync } from 'node:fs';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../store/db.js';
import { migrateToLatest } from '../../store/migrate.js';
import { DEMO_JURISDICTION, DEMO_NAME_EN } from '../demo-city.js';
import { DEMO_USERS, demoPassword, demoTotpSecret, isDemoLogin, type DemoLogin } from './users.js';

/** The ledger demo's jurisdiction (`citycap demo ledger`), also demo data. */
const LEDGER_DEMO_JURISDICTION = 'DEMO';

/** `CITYCAP_DEMO=0` refuses demo data (no creation, no printed credentials), whatever the command line says. */
export function demoRefused(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CITYCAP_DEMO === '0';
}

/** The seed of the demo's data and credentials: CITYCAP_DEMO_SEED, else 1. */
export function demoSeedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CITYCAP_DEMO_SEED;
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 32 - 1) throw new Error(`CITYCAP_DEMO_SEED must be a whole number from 0 to ${2 ** 32 - 1} (got "${raw}")`);
  return n;
}

export async function isEmptyDatabase(db: Database): Promise<boolean> {
  const j = await db.kysely.selectFrom('jurisdictions').select('id').limit(1).executeTakeFirst();
  const u = await db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return j === undefined && u === undefined;
}

/** Nothing but demo data: the demo city, the ledger demo, and demo users. */
export async function holdsOnlyDemoData(db: Database): Promise<boolean> {
  const jurisdictions = await db.kysely.selectFrom('jurisdictions').select(['code', 'name_en']).execute();
  const ok = jurisdictions.every((j) => (j.code === DEMO_JURISDICTION && j.name_en === DEMO_NAME_EN) || j.code === LEDGER_DEMO_JURISDICTION);
  const users = await db.kysely.selectFrom('users').select('login').execute();
  return ok && users.every((u) => isDemoLogin(u.login));
}

export interface DemoCredentials {
  readonly login: DemoLogin;
  readonly role: string;
  readonly password: string;
  readonly totpSecret: string;
}

/** The demo users the database has, with the sign-in details the seed gives them (as created). */
export async function demoCredentialsIn(db: Database, seed: number): Promise<DemoCredentials[]> {
  const demo = await db.kysely.selectFrom('jurisdictions').select('name_en').where('code', '=', DEMO_JURISDICTION).executeTakeFirst();
  if (demo?.name_en !== DEMO_NAME_EN) return [];
  const present = new Set((await db.kysely.selectFrom('users').select('login').where('login', 'in', DEMO_USERS.map((u) => u.login)).execute()).map((u) => u.login));
  return DEMO_USERS.filter((u) => present.has(u.login)).map((u) => ({ login: u.login, role: u.role, password: demoPassword(seed, u.login), totpSecret: demoTotpSecret(seed, u.login) }));
}

/**
 * Empties the database at `url` and migrates it again; returns it open. SQLite: the file (and its WAL) is deleted.
 * PostgreSQL: the current schema is dropped and created again (the audit log refuses DELETE and TRUNCATE on purpose).
 */
export async function emptyDatabase(db: Database, url: string): Promise<Database> {
  if (db.engine === 'sqlite') {
    await db.close();
    const path = url.slice('sqlite:'.length).split('?')[0]!;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  } else {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db.kysely);
    const schema = rows[0]?.schema ?? 'public';
    await sql`drop schema ${sql.id(schema)} cascade`.execute(db.kysely);
    await sql`create schema ${sql.id(schema)}`.execute(db.kysely);
    await db.close();
  }
  const fresh = openDatabase(url);
  await migrateToLatest(fresh);
  return fresh;
}
