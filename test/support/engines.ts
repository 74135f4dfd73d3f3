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

async function createPostgres(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const name = `citycap_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString(), options.poolMax === undefined ? {} : { poolMax: options.poolMax });
  await migrateToLatest(db);
  return {
    engine: 'postgres',
    url: url.toString(),
    db,
    drop: async () => {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
