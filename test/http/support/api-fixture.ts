// A populated registry for API tests: Tokyo's program with a facility register (registered through the facilities
// use-case, and specified facilities with base years and accepted reports as the reporting use-cases store them),
// a compliance run for period 3, and a small demo ledger in jurisdiction DEMO.
import { runCompliance } from '../../../src/app/compliance.js';
import { runLedgerDemo } from '../../../src/app/demo-ledger.js';
import { Facilities } from '../../../src/app/facilities.js';
import { uuidv7 } from '../../../src/app/ids.js';
import { jurisdictionForProgram } from '../../../src/app/programs.js';
import { Registry } from '../../../src/app/registry.js';
import { tokyoProgram } from '../../../src/domain/program/presets/index.js';
import { sql } from 'kysely';
import type { Database } from '../../../src/store/db.js';

export const TOKYO = 'TOKYO';
export const DEMO = 'DEMO';
/** Facilities registered through the use-case (status `registered`). */
export const REGISTERED = 7;
/** Specified facilities with results in period 3. */
export const SPECIFIED = ['T-101', 'T-102', 'T-103'] as const;

export async function apiFixture(db: Database): Promise<void> {
  const registry = new Registry(db);
  const tokyo = await jurisdictionForProgram(registry, tokyoProgram(), { now: new Date('2020-01-01T00:00:00Z') });
  const facilities = new Facilities(registry, { clock: () => new Date('2021-05-01T00:00:00Z') });
  for (let i = 1; i <= REGISTERED; i++) {
    await facilities.registerFacility(
      { jurisdictionId: tokyo.id, code: `R-${String(i).padStart(3, '0')}`, name: i % 2 === 0 ? `Shinjuku Tower ${i}` : `Marunouchi Office ${i}`, owner: 'Owner KK', category: i % 3 === 0 ? 'II' : 'I-1', useType: i % 3 === 0 ? 'factory' : 'office' },
      'officer',
    );
  }
  const at = '2020-04-01T00:00:00.000Z';
  for (const [n, code] of SPECIFIED.entries()) {
    const id = uuidv7();
    await db.kysely
      .insertInto('facilities')
      .values({ id, jurisdiction_id: tokyo.id, code, name: `Specified Building ${n + 1}`, owner: 'Owner KK', category: 'I-1', use_type: 'office', floor_area_m2: 50_000n, address: null, city: null, country: 'JP', status: 'specified', account_id: null, created_at: at })
      .execute();
    const account = await registry.openAccount({ jurisdictionId: tokyo.id, type: 'facility_compliance', holder: `Facility ${code}`, facilityId: id });
    await db.kysely.updateTable('facilities').set({ account_id: account.id }).where('id', '=', id).execute();
    await db.kysely
      .insertInto('base_years')
      .values({ id: uuidv7(), facility_id: id, first_fiscal_year: 2002, last_fiscal_year: 2004, base_kg: 10_000_000n, base_t: 10_000n, status: 'active', reason: 'operator choice', chosen_at: at, chosen_by: 'operator' })
      .execute();
    for (let year = 2020; year <= 2024; year++) {
      await db.kysely
        .insertInto('reports')
        .values({ id: uuidv7(), jurisdiction_id: tokyo.id, facility_id: id, fiscal_year: year, version: 1, status: 'accepted', coe_l: 0n, emissions_kg: BigInt(6_000 + 1_000 * n) * 1000n, created_at: at, created_by: 'operator', submitted_at: at, verified_at: at, verified_by: 'verifier', agency_id: null, accepted_at: at, accepted_by: 'officer', returned_at: null, returned_reason: null, corrects_report_id: null })
        .execute();
    }
  }
  await runCompliance(db, { jurisdictionCode: TOKYO, period: 3, now: new Date('2026-06-01T00:00:00Z') });
  await runLedgerDemo(registry, { accounts: 6, transfers: 40, seed: 7, jurisdictionCode: DEMO });
}

/** Every table of the schema (those added by later migrations too), without Kysely's migration bookkeeping. */
async function tableNames(db: Database): Promise<string[]> {
  const rows =
    db.engine === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db.kysely)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db.kysely);
  return rows.rows.map((r) => r.name).filter((n) => !n.startsWith('kysely_')).sort();
}

/**
 * Everything a request could change, as one comparable string: row counts of every table and each journal head.
 * Not the HTTP layer's idempotency records (idempotency_keys): a refused creating request is stored there on purpose
 * so that its retry gets the same answer; test/http/idempotency.test.ts counts them itself.
 */
export async function stateFingerprint(db: Database): Promise<string> {
  const counts: string[] = [];
  for (const t of await tableNames(db)) {
    if (t === 'idempotency_keys') continue;
    const row = (await sql<{ n: bigint | number | string }>`select count(*) as n from ${sql.table(t)}`.execute(db.kysely)).rows[0];
    counts.push(`${t}=${String(row?.n)}`);
  }
  const heads = await db.kysely.selectFrom('jurisdictions').select(['code', 'journal_seq', 'journal_head', 'ledger_version', 'serial_next']).orderBy('code').execute();
  const facilities = await db.kysely.selectFrom('facilities').select(['code', 'status', 'name']).orderBy('code').execute();
  return JSON.stringify({ counts, heads, facilities }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
