// Test databases on both engines: SQLite in a temporary file, PostgreSQL in a fresh database on the local
// server (CITYCAP_TEST_PG, default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type Engine } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export const PG_ADMIN_URL = process.env.CITYCAP_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly engine: Engine;
  /** The URL a child process or the CLI can open. */
  readonly url: string;
  readonly db: Database;
  /** Closes the connection and deletes the database. */
  drop(): Promise<void>;
}

export interface TestEngine {
  readonly name: Engine;
  /** A new, migrated, empty database. */
  create(options?: { poolMax?: number }): Promise<TestDatabase>;
}

export function testEngines(): TestEngine[] {
  return [
    { name: 'sqlite', create: createSqlite },
    { name: 'postgres', create: createPostgres },
  ];
}

async function createSqlite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'citycap-test-'));
  const url = `sqlite:${join(dir, 'citycap.db')}`;
  const db = openDatabase(url);
  await migrateToLatest(db);
  return {
    engine: 'sqlite',
    url,
    db,
    drop: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An empty database on the local PostgreSQL server (no schema), for tests, benchmarks and the CLI tests.
 * `adminUrl` defaults to CITYCAP_TEST_PG; benchmarks pass CITYCAP_BENCH_PG.
 */
export async function scratchPostgres(prefix: string, adminUrl: string = PG_ADMIN_URL): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function createPostgres(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const scratch = await scratchPostgres('citycap_test');
  const db = openDatabase(scratch.url, options.poolMax === undefined ? {} : { poolMax: options.poolMax });
  await migrateToLatest(db);
  return {
    engine: 'postgres',
    url: scratch.url,
    db,
    drop: async () => {
      await db.close();
      await scratch.drop();
    },
  };
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
