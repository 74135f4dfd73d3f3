// Runs the in-code migrations (same files for SQLite and PostgreSQL) with Kysely's Migrator.
import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { Database } from './db.js';
import * as m0001 from './migrations/0001_ledger.js';
import * as m0002 from './migrations/0002_programs_mrv_compliance.js';
import * as m0003 from './migrations/0003_auth.js';
import * as m0004 from './migrations/0004_access_audit.js';
import * as m0005 from './migrations/0005_idempotency.js';
import * as m0006 from './migrations/0006_agency_verifiers.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001_ledger': m0001,
  '0002_programs_mrv_compliance': m0002,
  '0003_auth': m0003,
  '0004_access_audit': m0004,
  '0005_idempotency': m0005,
  '0006_agency_verifiers': m0006,
};

export async function migrateToLatest(db: Database): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: () => Promise.resolve(MIGRATIONS) } });
  const result = await migrator.migrateToLatest();
  if (result.error !== undefined) throw result.error instanceof Error ? result.error : new Error('migration failed', { cause: result.error });
  return result;
}
