// Opens the database named by one setting: `sqlite:PATH` (default sqlite:./data/citycap.db) or a postgres:// URL.
// Kysely serves every query; `withWriteTransaction` adds a lean raw-SQL session for the ledger's hot path.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';

export const DEFAULT_DB_URL = 'sqlite:./data/citycap.db';

export type Engine = 'sqlite' | 'postgres';

/** One SQL statement with `?` placeholders. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** A session inside one write transaction. SQL uses `?` placeholders on both engines. */
export interface WriteSession {
  readonly engine: Engine;
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Runs data-changing statements. SQLite runs each as a cached prepared statement; PostgreSQL sends them as
   * one statement of data-modifying CTEs, because there every statement costs a network round trip. The
   * statements must therefore not depend on each other's effects (they see one snapshot).
   */
  execute(statements: readonly Statement[]): Promise<void>;
  /** Statements inserting rows, with an optional ON CONFLICT clause: one per row on SQLite, multi-row on PostgreSQL. */
  insertMany(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], onConflict?: string): Statement[];
  /** Statements deleting the rows whose key columns equal one of the given keys. */
  deleteMany(table: string, keyColumns: readonly string[], keys: readonly (readonly unknown[])[]): Statement[];
}

/** Rows per multi-row statement, and parameters per combined statement: below PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 1000;
const PARAMS_PER_STATEMENT = 30_000;

function tuple(n: number): string {
  return `(${Array.from({ length: n }, () => '?').join(', ')})`;
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

const BUSY_TIMEOUT_MS = 10_000;

/**
 * The `integer` (int4) columns, by name. With safeIntegers SQLite returns every integer as a bigint, while PostgreSQL
 * returns int4 as a number: this plugin makes Kysely's SQLite results match, so that a fiscal year is a number on
 * both engines. The bigint columns (quantities, serials, sequence numbers) stay bigint. (`seq` is both: bigint in
 * the journal, integer in facility_status_history; it stays bigint and that table's readers convert it.)
 */
const SMALL_INTEGER_COLUMNS = new Set(['fiscal_year', 'first_fiscal_year', 'last_fiscal_year', 'from_fiscal_year', 'fy_start_month', 'line_no', 'period', 'version', 'vintage']);

class SmallIntegersAsNumbers implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) {
      for (const key of Object.keys(row)) {
        const value = row[key];
        if (typeof value === 'bigint' && SMALL_INTEGER_COLUMNS.has(key)) row[key] = Number(value);
      }
    }
    return Promise.resolve(args.result);
  }
}

/**
 * Takes SQLite's write lock without blocking the event loop: better-sqlite3 is synchronous, so waiting in
 * busy_timeout would freeze this process, including a holder of the lock in the same process. Instead try
 * without waiting and retry after a pause, up to BUSY_TIMEOUT_MS.
 */
async function beginImmediate(sqlite: SQLite.Database, begin: SQLite.Statement): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 50)) {
    sqlite.pragma('busy_timeout = 0');
    try {
      begin.run();
      return;
    } catch (error) {
      const busy = error instanceof SQLite.SqliteError && error.code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() > deadline) throw error;
    } finally {
      sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
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
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma(`wal_autocheckpoint = ${process.env.CITYCAP_WAL_PAGES ?? 1000}`);
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
  // Kysely prepares every query it runs; parsing SQL against this schema costs about as much as running it, so its
  // statements come from the same cache (safe: one connection, and no query here streams rows).
  const kysely = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: { prepare: prepared, close: () => { sqlite.close(); } } }),
    plugins: [new SmallIntegersAsNumbers()],
  });
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const session: WriteSession = {
    engine: 'sqlite',
    query: <Row>(sql: string, params: readonly unknown[] = []) => Promise.resolve(prepared(sql).all(...params) as Row[]),
    execute: (statements) => {
      for (const st of statements) prepared(st.sql).run(...st.params);
      return Promise.resolve();
    },
    insertMany: (table, columns, rows, onConflict = '') => {
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuple(columns.length)} ${onConflict}`;
      return rows.map((params) => ({ sql, params }));
    },
    deleteMany: (table, keyColumns, keys) => {
      const sql = `DELETE FROM ${table} WHERE ${keyColumns.map((c) => `${c} = ?`).join(' AND ')}`;
      return keys.map((params) => ({ sql, params }));
    },
  };
  return {
    engine: 'sqlite',
    label: url,
    kysely,
    // Holding Kysely's connection keeps its own queries out of our transaction.
    withWriteTransaction: <T>(fn: (s: WriteSession) => Promise<T>) =>
      kysely.connection().execute(async () => {
        await beginImmediate(sqlite, begin);
        try {
          const result = await fn(session);
          commit.run();
          return result;
        } catch (error) {
          if (sqlite.inTransaction) rollback.run();
          throw error;
        }
      }),
    close: () => kysely.destroy(),
  };
}

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) out.push(rows.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

/** Consecutive statements grouped so that each group's parameters fit one PostgreSQL statement. */
function groupByParams(statements: readonly Statement[]): Statement[][] {
  const groups: Statement[][] = [];
  let size = Infinity;
  for (const st of statements) {
    if (size + st.params.length > PARAMS_PER_STATEMENT) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1]!.push(st);
    size += st.params.length;
  }
  return groups;
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
  // An idle pooled connection that the server closes (restart, DROP DATABASE … WITH (FORCE)) emits 'error';
  // the pool discards it, and without a listener the process would crash.
  pool.on('error', () => undefined);
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
      const run = async (sql: string, params: readonly unknown[]): Promise<void> => {
        await client.query(toPg(sql), params as unknown[]);
      };
      const session: WriteSession = {
        engine: 'postgres',
        query: async <Row>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(toPg(sql), params as unknown[])).rows as Row[],
        execute: async (statements) => {
          for (const group of groupByParams(statements)) {
            if (group.length === 1) await run(group[0]!.sql, group[0]!.params);
            else await run(`WITH ${group.map((st, i) => `s${i} AS (${st.sql})`).join(', ')} SELECT 1`, group.flatMap((st) => st.params));
          }
        },
        insertMany: (table, columns, rows, onConflict = '') =>
          chunks(rows).map((chunk) => ({
            sql: `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple(columns.length)).join(', ')} ${onConflict}`,
            params: chunk.flat(),
          })),
        deleteMany: (table, keyColumns, keys) =>
          chunks(keys).map((chunk) => ({
            sql: `DELETE FROM ${table} WHERE (${keyColumns.join(', ')}) IN (${chunk.map(() => tuple(keyColumns.length)).join(', ')})`,
            params: chunk.flat(),
          })),
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
