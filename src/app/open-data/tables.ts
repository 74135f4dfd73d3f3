// The rows of the open-data tables (dictionary.ts), read in bounded batches: a table of any size is produced
// BATCH_ROWS rows at a time, reading at most FACILITY_BATCH facilities' records at once, so that a download of the
// EU ETS import (17,644 installations, ~90,000 installation-years) or the demo city never holds a whole table.
// Plain reads over what the public routes already disclose; the formats (formats.ts) write the rows out.
import { RefusedError, refusal } from '../../domain/errors.js';
import { litresAsKl } from '../../domain/mrv/conversion.js';
import { UNIT_STATUSES } from '../../domain/registry/model.js';
import type { ProgramDefinition } from '../../domain/program/schema.js';
import type { Database } from '../../store/db.js';
import { emissionsTOfKg, int } from '../compliance.js';
import { disclosureSummary } from '../disclosure-summary.js';
import { ledgerStats } from '../ledger-audit.js';
import { programOf } from '../programs.js';
import { COMPLIANCE, EMISSIONS, FACILITIES, PROGRAM_PERIODS, SUMMARY, SUMMARY_BY_CATEGORY, TRANSACTIONS, UNITS, tableDef, type TableDef } from './dictionary.js';
import type { OpenDataSettings } from './settings.js';
import { TRANSACTION_LOG_PAGE_MAX, publishedUntil, transactionLogPage } from './transaction-log.js';

/** A cell: strings for text, dates and big integers (exact), numbers for small integers and percentages. */
export type Cell = string | number | null;
export type Row = readonly Cell[];

/** Most rows one batch carries. */
export const BATCH_ROWS = 1000;
/** Facilities whose reports or results are read at once. */
export const FACILITY_BATCH = 200;

export interface OpenTable {
  readonly def: TableDef;
  readonly jurisdiction: string;
  readonly generatedAt: Date;
  /** Facts about this extract (the transaction log's cut-off), written into the JSON and the workbook. */
  readonly meta: Readonly<Record<string, string | number | boolean>>;
  /** The rows in key order, in batches of 1..BATCH_ROWS rows. Each call reads the table again. */
  batches(): AsyncGenerator<Row[]>;
}

export interface OpenTableInput {
  readonly jurisdictionCode: string;
  readonly table: string;
  readonly now: Date;
  readonly settings: OpenDataSettings;
}

interface JurisdictionRef {
  readonly id: string;
  readonly code: string;
}

/** The table of a jurisdiction; refuses UNKNOWN_JURISDICTION (`code`), UNKNOWN_TABLE (`table`) and NO_PROGRAM. */
export async function openTable(db: Database, input: OpenTableInput): Promise<OpenTable> {
  const def = tableDef(input.table);
  if (def === undefined) throw new RefusedError(refusal('UNKNOWN_TABLE', `No open-data table "${input.table.slice(0, 40)}".`, 'table'));
  const j = await db.kysely.selectFrom('jurisdictions').select(['id', 'code']).where('code', '=', input.jurisdictionCode).executeTakeFirst();
  if (j === undefined) throw new RefusedError(refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${input.jurisdictionCode}.`, 'code'));
  const base = { def, jurisdiction: j.code, generatedAt: input.now, meta: {} };
  switch (def.name) {
    case FACILITIES.name:
      return { ...base, batches: () => facilityRows(db, j) };
    case EMISSIONS.name: {
      const program = await programOf(db, j.id);
      return { ...base, batches: () => emissionRows(db, j, program) };
    }
    case SUMMARY.name:
    case SUMMARY_BY_CATEGORY.name: {
      await programOf(db, j.id); // NO_PROGRAM before anything is sent
      return { ...base, batches: () => summaryRows(db, j, def) };
    }
    case COMPLIANCE.name:
      return { ...base, batches: () => complianceRows(db, j) };
    case TRANSACTIONS.name: {
      const until = publishedUntil(input.now, input.settings);
      return {
        ...base,
        meta: { publishedUntil: until.toISOString(), delayMs: input.settings.transactionLogDelayMs, holderNames: input.settings.transactionLogHolderNames },
        batches: () => transactionRows(db, j, input.now, input.settings),
      };
    }
    case UNITS.name:
      return { ...base, batches: () => unitRows(db, j) };
    case PROGRAM_PERIODS.name: {
      const program = await programOf(db, j.id);
      return { ...base, batches: () => programRows(program) };
    }
    default:
      throw new Error(`open-data table ${def.name} has no row source`);
  }
}

/** Splits rows into batches of at most BATCH_ROWS. */
function* inBatches(rows: readonly Row[]): Generator<Row[]> {
  for (let i = 0; i < rows.length; i += BATCH_ROWS) yield rows.slice(i, i + BATCH_ROWS);
}

const str = (v: bigint | number | null): string | null => (v === null ? null : String(v));

/** The jurisdiction's facilities in code order, FACILITY_BATCH at a time. */
async function* facilityBatches(db: Database, j: JurisdictionRef): AsyncGenerator<{ id: string; code: string }[]> {
  let after: string | undefined;
  for (;;) {
    let q = db.kysely.selectFrom('facilities').select(['id', 'code']).where('jurisdiction_id', '=', j.id).orderBy('code').limit(FACILITY_BATCH);
    if (after !== undefined) q = q.where('code', '>', after);
    const rows = await q.execute();
    if (rows.length > 0) yield rows;
    if (rows.length < FACILITY_BATCH) return;
    after = rows[rows.length - 1]!.code;
  }
}

async function* facilityRows(db: Database, j: JurisdictionRef): AsyncGenerator<Row[]> {
  let after: string | undefined;
  for (;;) {
    let q = db.kysely
      .selectFrom('facilities as f')
      .leftJoin('accounts as a', 'a.id', 'f.account_id')
      .select(['f.id', 'f.code', 'f.name', 'f.owner', 'f.category', 'f.use_type', 'f.status', 'f.floor_area_m2', 'f.city', 'f.country', 'a.number as account_number'])
      .where('f.jurisdiction_id', '=', j.id)
      .orderBy('f.code')
      .limit(BATCH_ROWS);
    if (after !== undefined) q = q.where('f.code', '>', after);
    const rows = await q.execute();
    if (rows.length === 0) return;
    // Ascending by chosen_at: the last active base wins, as the compliance run reads it.
    const bases = await db.kysely
      .selectFrom('base_years')
      .select(['facility_id', 'first_fiscal_year', 'last_fiscal_year', 'base_t'])
      .where('facility_id', 'in', rows.map((r) => r.id))
      .where('status', '=', 'active')
      .orderBy('chosen_at', 'asc')
      .execute();
    const baseOf = new Map(bases.map((b) => [b.facility_id, b]));
    yield rows.map((f): Row => {
      const b = baseOf.get(f.id);
      return [f.code, f.name, f.owner, f.category, f.use_type, f.status, str(f.floor_area_m2), f.city, f.country, f.account_number, b === undefined ? null : int(b.first_fiscal_year), b === undefined ? null : int(b.last_fiscal_year), b === undefined ? null : String(b.base_t)];
    });
    if (rows.length < BATCH_ROWS) return;
    after = rows[rows.length - 1]!.code;
  }
}

async function* emissionRows(db: Database, j: JurisdictionRef, program: ProgramDefinition): AsyncGenerator<Row[]> {
  for await (const facilities of facilityBatches(db, j)) {
    const codeOf = new Map(facilities.map((f) => [f.id, f.code]));
    const reports = await db.kysely
      .selectFrom('reports')
      .select(['facility_id', 'fiscal_year', 'version', 'coe_l', 'emissions_kg'])
      .where('facility_id', 'in', [...codeOf.keys()])
      .where('status', '=', 'accepted')
      .orderBy('version', 'asc')
      .execute();
    // facility → fiscal year → the highest accepted version (ascending versions: the last one wins).
    const latest = new Map<string, Map<number, (typeof reports)[number]>>();
    for (const r of reports) {
      let byYear = latest.get(r.facility_id);
      if (byYear === undefined) latest.set(r.facility_id, (byYear = new Map<number, (typeof reports)[number]>()));
      byYear.set(int(r.fiscal_year), r);
    }
    const rows: Row[] = [];
    for (const f of facilities) {
      const byYear = latest.get(f.id);
      if (byYear === undefined) continue;
      for (const fy of [...byYear.keys()].sort((a, b) => a - b)) {
        const r = byYear.get(fy)!;
        rows.push([f.code, fy, int(r.version), litresAsKl(r.coe_l), emissionsTOfKg(program, r.emissions_kg).toString()]);
      }
    }
    yield* inBatches(rows);
  }
}

async function* summaryRows(db: Database, j: JurisdictionRef, def: TableDef): AsyncGenerator<Row[]> {
  const s = await disclosureSummary(db, j.code);
  const rows: Row[] = [];
  for (const y of s.years) {
    if (def.name === SUMMARY.name) rows.push([y.fiscalYear, y.emissionsT.toString(), y.reportingFacilities, y.reductionPct]);
    else for (const category of Object.keys(y.byCategory).sort()) rows.push([y.fiscalYear, category, y.byCategory[category]!.toString()]);
  }
  yield* inBatches(rows);
}

async function* complianceRows(db: Database, j: JurisdictionRef): AsyncGenerator<Row[]> {
  for await (const facilities of facilityBatches(db, j)) {
    const codeOf = new Map(facilities.map((f) => [f.id, f.code]));
    const results = await db.kysely
      .selectFrom('compliance_results')
      .select(['facility_id', 'period', 'fiscal_year', 'emissions_t', 'cap_t', 'obligation_t', 'allocated_t', 'surrendered_t', 'shortfall_t', 'position_t', 'status', 'note'])
      .where('facility_id', 'in', [...codeOf.keys()]) // the facilities are the jurisdiction's: the primary key serves
      .execute();
    const rows = results.map((r): Row => [codeOf.get(r.facility_id)!, int(r.period), int(r.fiscal_year), str(r.emissions_t), str(r.cap_t), str(r.obligation_t), str(r.allocated_t), str(r.surrendered_t), str(r.shortfall_t), str(r.position_t), r.status, r.note]);
    rows.sort((a, b) => cmp(a[0] ?? null, b[0] ?? null) || cmp(a[1] ?? null, b[1] ?? null) || cmp(a[2] ?? null, b[2] ?? null));
    yield* inBatches(rows);
  }
}

function cmp(a: Cell, b: Cell): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

async function* transactionRows(db: Database, j: JurisdictionRef, now: Date, settings: OpenDataSettings): AsyncGenerator<Row[]> {
  let after: bigint | undefined;
  for (;;) {
    const page = await transactionLogPage(db, j.id, { afterSeq: after, limit: Math.min(BATCH_ROWS, TRANSACTION_LOG_PAGE_MAX), now, settings });
    if (page.rows.length > 0) yield [...page.rows];
    if (page.nextAfterSeq === null) return;
    after = page.nextAfterSeq;
  }
}

async function* unitRows(db: Database, j: JurisdictionRef): AsyncGenerator<Row[]> {
  const stats = await ledgerStats(db, j.code);
  yield* inBatches(stats.unitTypes.map((u): Row => [u.unitType, u.kind, u.issuedT.toString(), ...UNIT_STATUSES.map((s) => u.byStatusT[s].toString())]));
}

// eslint-disable-next-line @typescript-eslint/require-await -- a row source like the others, from memory
async function* programRows(program: ProgramDefinition): AsyncGenerator<Row[]> {
  const rows: Row[] = [];
  for (const p of program.periods) {
    const head = [p.number, p.firstFiscalYear, p.lastFiscalYear, p.adjustmentWindowEnd] as const;
    const categories = program.categories.filter((c) => c.factors.some((f) => f.period === p.number));
    if (categories.length === 0) rows.push([...head, null, null, null]);
    for (const c of categories) {
      const factorPpm = c.factors.find((f) => f.period === p.number)!.factorPpm;
      rows.push([...head, c.code, c.name, factorPpm / 10_000]);
    }
  }
  yield* inBatches(rows);
}

/** Every row of a table, for small tables and tests (the formats stream batches instead). */
export async function allRows(table: OpenTable): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of table.batches()) out.push(...batch);
  return out;
}
