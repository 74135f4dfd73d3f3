// Opens the database named by one setting: `sqlite:PATH` (default sqlite:./data/citycap.db) or a postgres:// URL.
// Kysely serves every query; `withWriteTransaction` adds a lean raw-SQL session for the ledger's hot path.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';

export const DEFAULT_DB_URL = 'sqlite:./data/citycap.db';

export type Engine = 'sqlite' | 'postgres';

/** A session inside one write transaction. SQL uses `?` placeholders on both engines. */
export interface WriteSession {
  readonly engine: Engine;
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  run(sql: string, params?: readonly unknown[]): Promise<void>;
}

export interface Database {
  readonly engine: Engine;
  /** The URL without a password, for messages. */
  readonly label: string;
  readonly kysely: Kysely<Schema>;
  /**
   * Runs fn in one write transaction: BEGIN IMMEDIATE on SQLite (the single writer), BEGIN on PostgreSQL
   * (callers take row locks). Commits when fn resolves, rolls back when it throws.
   */
  withWriteTransaction<T>(fn: (session: WriteSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL pool size (default 10). */
  readonly poolMax?: number;
}

export function openDatabase(url: string = DEFAULT_DB_URL, options: OpenOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url);
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url, options.poolMax ?? 10);
  throw new Error(`database URL must start with sqlite: or postgres:// (got "${url}")`);
}

/** `sqlite:PATH[?synchronous=full|normal]`. WAL mode; synchronous=NORMAL unless asked (docs/storage.md). */
function openSqlite(url: string): Database {
  const [path = '', query = ''] = url.slice('sqlite:'.length).split('?');
  if (path === '') throw new Error('sqlite: URL needs a file path, e.g. sqlite:./data/citycap.db');
  const synchronous = new URLSearchParams(query).get('synchronous')?.toUpperCase() ?? 'NORMAL';
  if (!['NORMAL', 'FULL', 'EXTRA'].includes(synchronous)) throw new Error(`sqlite synchronous must be normal, full or extra (got ${synchronous})`);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.defaultSafeIntegers(true);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const kysely = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });

  const statements = new Map<string, SQLite.Statement>();
  const STATEMENTS_MAX = 1000;
  const prepared = (sql: string): SQLite.Statement => {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      if (statements.size >= STATEMENTS_MAX) statements.clear();
      stmt = sqlite.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const session: WriteSession = {
    engine: 'sqlite',
    query: <Row>(sql: string, params: readonly unknown[] = []) => Promise.resolve(prepared(sql).all(...params) as Row[]),
    run: (sql: string, params: readonly unknown[] = []) => {
      prepared(sql).run(...params);
      return Promise.resolve();
    },
  };

  return {
    engine: 'sqlite',
    label: url,
    kysely,
    // Holding Kysely's connection keeps its own queries out of our transaction.
    withWriteTransaction: <T>(fn: (s: WriteSession) => Promise<T>) =>
      kysely.connection().execute(async () => {
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(session);
          sqlite.exec('COMMIT');
          return result;
        } catch (error) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
          throw error;
        }
      }),
    close: () => kysely.destroy(),
  };
}

const INT8_OID = 20;
type TypeId = Parameters<typeof pg.types.getTypeParser>[0];

/** int8 (bigint columns, counts) arrives as a JS bigint, exact beyond 2^53. */
function int8AsBigint(oid: TypeId, format?: 'text' | 'binary'): (value: string) => unknown {
  if ((oid as number) === INT8_OID) return (v: string) => BigInt(v);
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

function openPostgres(url: string, poolMax: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    types: { getTypeParser: int8AsBigint as typeof pg.types.getTypeParser },
  });
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const numbered = new Map<string, string>();
  const toPg = (sql: string): string => {
    let text = numbered.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      if (numbered.size < 1000) numbered.set(sql, text);
    }
    return text;
  };
  const u = new URL(url);
  u.password = '';
  return {
    engine: 'postgres',
    label: u.toString(),
    kysely,
    withWriteTransaction: async <T>(fn: (s: WriteSession) => Promise<T>) => {
      const client = await pool.connect();
      const session: WriteSession = {
        engine: 'postgres',
        query: async <Row>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(toPg(sql), params as unknown[])).rows as Row[],
        run: async (sql: string, params: readonly unknown[] = []) => {
          await client.query(toPg(sql), params as unknown[]);
        },
      };
      try {
        await client.query('BEGIN');
        const result = await fn(session);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        // A connection that cannot roll back is broken: release(true) discards it instead of reusing it.
        const broken = await client.query('ROLLBACK').then(() => false, () => true);
        client.release(broken);
        throw error;
      }
    },
    close: () => kysely.destroy(),
  };
}
