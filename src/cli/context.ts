// Opening the database a command names: --db, else CITYCAP_DB, else sqlite:./data/citycap.db.
import { existsSync } from 'node:fs';
import { DEFAULT_DB_URL, openDatabase, type Database } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { UsageError } from './output.js';

export function dbUrl(option: string | undefined): string {
  return option ?? process.env.CITYCAP_DB ?? DEFAULT_DB_URL;
}

/** Opens and migrates the database, runs fn, and closes it whatever happens. */
export async function withDatabase<T>(option: string | undefined, fn: (db: Database) => Promise<T>, opts: { mustExist?: boolean; migrate?: boolean } = {}): Promise<T> {
  const url = dbUrl(option);
  if (opts.mustExist === true && url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).split('?')[0]!;
    if (!existsSync(path)) throw new UsageError(`no database at ${path} (create one with: npx citycap db migrate --db ${url})`);
  }
  let db: Database;
  try {
    db = openDatabase(url);
  } catch (error) {
    throw new UsageError(`--db: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    if (opts.migrate !== false) await migrateToLatest(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}
