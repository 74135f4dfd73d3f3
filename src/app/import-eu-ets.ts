// Imports the real EU ETS phase-3 installation data (EUTL, see fixtures/eu-ets-phase3/README.md) into an `EU-ETS`
// jurisdiction: installations as facilities with compliance accounts, free allocation issued through the ledger,
// verified emissions as accepted reports. Both files are validated completely before anything is written, and a
// second run of the same files writes nothing. docs/eu-ets-import.md explains the choices.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { assert } from '../domain/assert.js';
import { RefusedError, refusal, type Refusal } from '../domain/errors.js';
import { euEtsProgram } from '../domain/program/presets/eu-ets.js';
import type { ProgramDefinition } from '../domain/program/schema.js';
import { QUANTITY_T_MAX } from '../domain/registry/ledger.js';
import type { Database } from '../store/db.js';
import { uuidv7 } from './ids.js';
import { jurisdictionForProgram } from './programs.js';
import type { Registry } from './registry.js';

export const INSTALLATION_HEADER = ['id', 'name', 'addressmain', 'postalcode', 'city', 'country_id', 'latitudegoogle', 'longitudegoogle'] as const;
export const COMPLIANCE_HEADER = ['installation_id', 'year', 'free', 'emission'] as const;

/** Who the import acts as in the ledger, reports and history. */
export const IMPORT_ACTOR = 'import:eu-ets';
/** The source line every imported report carries. */
export const VERIFIED_TOTAL_SOURCE = 'EUTL verified emissions';

const INSTALLATION_ID = /^[A-Z]{2}_[0-9]{1,20}$/;
const COUNTRY = /^[A-Z]{2}$/;
const WHOLE = /^[0-9]{1,15}$/;
const YEAR = /^[0-9]{4}$/;
const COORDINATE = /^-?([0-9]{1,3}(\.[0-9]{1,17})?|\.[0-9]{1,17})$/;
const TEXT_MAX = 500;
const NAME_MAX = 200;
/** Bounds on the input: the real data is 1.6 MB / 17,644 and 2.2 MB / 89,831 rows. */
const FILE_BYTES_MAX = 64 * 1024 * 1024;
const ROWS_MAX = 1_000_000;
/** Problems listed in one refusal (the first names the field; the rest follow in the message). */
const PROBLEMS_SHOWN = 5;
/** Ledger issuances in flight at once: four group-commit batches of 256. */
const ISSUANCES_IN_FLIGHT = 1024;

export interface Installation {
  /** Line in installation.csv (the header is line 1). */
  readonly line: number;
  readonly id: string;
  /** As given; may be empty. */
  readonly name: string;
  /** null when the file gives `-` or nothing. */
  readonly address: string | null;
  readonly city: string | null;
  readonly country: string;
}

export interface InstallationYear {
  /** Line in compliance.csv. */
  readonly line: number;
  readonly installationId: string;
  readonly year: number;
  readonly freeT: bigint;
  /** null: no verified emissions for that year (empty field). */
  readonly emissionsT: bigint | null;
}

export interface EuEtsData {
  readonly installations: readonly Installation[];
  readonly years: readonly InstallationYear[];
}

export type ImportStage = 'parse' | 'facilities' | 'reports' | 'allocation';

export interface ImportOptions {
  /** A directory holding installation.csv and compliance.csv. */
  readonly dir: string;
  readonly onProgress?: (stage: ImportStage, done: number, total: number) => void;
  /** Time stamped on what the import creates (default: now). */
  readonly now?: Date;
}

export interface ImportSummary {
  readonly jurisdictionId: string;
  readonly jurisdictionCode: string;
  readonly installations: number;
  readonly facilitiesCreated: number;
  /** Installation-years with free allocation > 0: one issuance each. */
  readonly allocations: number;
  readonly allocationsIssued: number;
  readonly allocationIssuedT: bigint;
  /** Installation-years with verified emissions: one accepted report each. */
  readonly reports: number;
  readonly reportsCreated: number;
  readonly unitTypesCreated: number;
  /** False when the run found everything already imported and wrote nothing. */
  readonly changed: boolean;
  readonly seconds: number;
}

// ---- parsing and validation (pure apart from reading the two files) ------------------------------------------

class Problems {
  readonly list: Refusal[] = [];
  add(code: string, file: string, line: number, column: string, message: string): void {
    this.list.push(refusal(code, message, `${file} line ${line}, column ${column}`));
  }
  throwIfAny(): void {
    const first = this.list[0];
    if (first === undefined) return;
    const more = this.list.slice(1, PROBLEMS_SHOWN).map((p) => `${p.field ?? ''}: ${p.message}`);
    const rest = this.list.length - 1 - more.length;
    const tail = more.length === 0 ? '' : `; also ${more.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`;
    throw new RefusedError(refusal(first.code, `${first.message}${tail}. Nothing was imported.`, first.field));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Decodes strict UTF-8; on a bad byte, refuses naming the line and, where it can tell, the column. */
function decodeUtf8(bytes: Uint8Array, file: string, header: readonly string[]): string {
  try {
    return utf8.decode(bytes);
  } catch {
    let start = 0;
    let line = 1;
    for (;;) {
      const nl = bytes.indexOf(0x0a, start);
      const end = nl < 0 ? bytes.length : nl + 1;
      const slice = bytes.subarray(start, end);
      try {
        utf8.decode(slice);
      } catch {
        let column = '?';
        try {
          const fields = parse(lenient.decode(slice), { relax_quotes: true, relax_column_count: true })[0] ?? [];
          const i = fields.findIndex((f) => f.includes('\uFFFD'));
          if (i >= 0) column = header[i] ?? String(i + 1);
        } catch {
          // the line alone may not be a complete record; the line number still locates the bad byte
        }
        throw new RefusedError(refusal('CSV_ENCODING', 'the file is not valid UTF-8 (convert it to UTF-8 first). Nothing was imported.', `${file} line ${line}, column ${column}`));
      }
      if (nl < 0) break;
      start = end;
      line++;
    }
    throw new RefusedError(refusal('CSV_ENCODING', 'the file is not valid UTF-8. Nothing was imported.', file));
  }
}

interface Row {
  readonly line: number;
  readonly fields: readonly string[];
}

/** Parses one CSV file with a real parser; refuses a syntax error or a header other than `header`. */
function parseCsv(bytes: Uint8Array, file: string, header: readonly string[]): Row[] {
  if (bytes.length > FILE_BYTES_MAX) throw new RefusedError(refusal('CSV_TOO_LARGE', `the file is larger than ${FILE_BYTES_MAX} bytes.`, file));
  const text = decodeUtf8(bytes, file, header);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: false }) as unknown as typeof records;
  } catch (error) {
    const e = error as { code?: string; lines?: number; message?: string };
    throw new RefusedError(refusal('CSV_SYNTAX', `${e.message ?? String(error)}. Nothing was imported.`, `${file} line ${e.lines ?? '?'}`));
  }
  const first = records[0];
  if (first === undefined) throw new RefusedError(refusal('CSV_HEADER', `the file is empty; expected the header ${header.join(',')}.`, `${file} line 1`));
  const got = first.record;
  for (let i = 0; i < Math.max(header.length, got.length); i++) {
    if (got[i] !== header[i]) {
      throw new RefusedError(
        refusal('CSV_HEADER', `expected the header ${header.join(',')}; column ${i + 1} is "${got[i] ?? ''}" where "${header[i] ?? '(nothing)'}" belongs. Nothing was imported.`, `${file} line 1, column ${header[i] ?? got[i] ?? i + 1}`),
      );
    }
  }
  if (records.length - 1 > ROWS_MAX) throw new RefusedError(refusal('CSV_TOO_LARGE', `more than ${ROWS_MAX} rows.`, file));
  // csv-parse counts the line a record ends on; the real data has no line breaks inside fields.
  return records.slice(1).map((r) => ({ line: r.info.lines, fields: r.record }));
}

/** Integer columns arrive as bigint from SQLite (safe integers) and as number or string from PostgreSQL. */
const asNumber = (v: unknown): number => Number(v);
const asBigint = (v: unknown): bigint => BigInt(v as bigint | number | string);

const missing = (s: string): boolean => s.trim() === '' || s.trim() === '-';

/** Checks every row of both files; returns typed data or refuses with the first problems (row, column, rule). */
export function validateEuEts(installationBytes: Uint8Array, complianceBytes: Uint8Array, program: ProgramDefinition): EuEtsData {
  const problems = new Problems();
  const F1 = 'installation.csv';
  const F2 = 'compliance.csv';
  const installations: Installation[] = [];
  const ids = new Map<string, number>();
  for (const { line, fields } of parseCsv(installationBytes, F1, INSTALLATION_HEADER)) {
    const [id = '', name = '', address = '', postal = '', city = '', country = '', lat = '', lon = ''] = fields;
    if (!INSTALLATION_ID.test(id)) problems.add('ID_FORMAT', F1, line, 'id', `an installation id is COUNTRY_NUMBER such as AT_201018 (got "${id}")`);
    else if (ids.has(id)) problems.add('DUPLICATE_INSTALLATION', F1, line, 'id', `installation ${id} is already on line ${ids.get(id)}`);
    else ids.set(id, line);
    if (name.length > NAME_MAX) problems.add('TEXT_TOO_LONG', F1, line, 'name', `a name has at most ${NAME_MAX} characters`);
    for (const [column, value] of [['addressmain', address], ['postalcode', postal], ['city', city]] as const) {
      if (value.length > TEXT_MAX) problems.add('TEXT_TOO_LONG', F1, line, column, `at most ${TEXT_MAX} characters`);
    }
    if (!COUNTRY.test(country)) problems.add('COUNTRY_INVALID', F1, line, 'country_id', `a country is two capital letters (got "${country}")`);
    for (const [column, value] of [['latitudegoogle', lat], ['longitudegoogle', lon]] as const) {
      if (value !== '' && !COORDINATE.test(value)) problems.add('COORDINATE_INVALID', F1, line, column, `a coordinate is empty or a decimal number (got "${value}")`);
    }
    installations.push({ line, id, name, address: missing(address) ? null : address, city: missing(city) ? null : city, country });
  }
  const firstYear = Math.min(...program.periods.map((p) => p.firstFiscalYear));
  const lastYear = Math.max(...program.periods.map((p) => p.lastFiscalYear));
  const years: InstallationYear[] = [];
  const seen = new Map<string, number>();
  for (const { line, fields } of parseCsv(complianceBytes, F2, COMPLIANCE_HEADER)) {
    const [id = '', yearText = '', free = '', emission = ''] = fields;
    let ok = true;
    if (!INSTALLATION_ID.test(id)) {
      problems.add('ID_FORMAT', F2, line, 'installation_id', `an installation id is COUNTRY_NUMBER such as AT_201018 (got "${id}")`);
      ok = false;
    } else if (!ids.has(id)) {
      problems.add('UNKNOWN_INSTALLATION', F2, line, 'installation_id', `installation ${id} is not in installation.csv`);
      ok = false;
    }
    const year = YEAR.test(yearText) ? Number(yearText) : NaN;
    if (!(year >= firstYear && year <= lastYear)) {
      problems.add('YEAR_INVALID', F2, line, 'year', `a year is a whole number within the program's periods, ${firstYear}–${lastYear} (got "${yearText}")`);
      ok = false;
    }
    const freeT = wholeTonnes(free);
    if (freeT === null) {
      problems.add('QUANTITY_INVALID', F2, line, 'free', `free allocation is a whole number of allowances from 0 to ${QUANTITY_T_MAX} (got "${free}")`);
      ok = false;
    }
    const emissionsT = emission === '' ? null : wholeTonnes(emission);
    if (emission !== '' && emissionsT === null) {
      problems.add('QUANTITY_INVALID', F2, line, 'emission', `verified emissions are empty or a whole number of tonnes from 0 to ${QUANTITY_T_MAX} (got "${emission}")`);
      ok = false;
    }
    if (!ok || freeT === null) continue;
    const key = `${id}-${year}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.add('DUPLICATE_YEAR', F2, line, 'year', `${id} ${year} is already on line ${earlier}`);
      continue;
    }
    seen.set(key, line);
    years.push({ line, installationId: id, year, freeT, emissionsT });
  }
  problems.throwIfAny();
  return { installations, years };
}

function wholeTonnes(text: string): bigint | null {
  if (!WHOLE.test(text)) return null;
  const t = BigInt(text);
  return t <= QUANTITY_T_MAX ? t : null;
}

/** Reads and validates `installation.csv` and `compliance.csv` in dir. */
export async function readEuEts(dir: string, program: ProgramDefinition = euEtsProgram()): Promise<EuEtsData> {
  const read = async (file: string): Promise<Buffer> => {
    try {
      return await readFile(join(dir, file));
    } catch (error) {
      throw new RefusedError(refusal('FILE_MISSING', `cannot read ${join(dir, file)} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, 'dir'));
    }
  };
  const [installations, compliance] = await Promise.all([read('installation.csv'), read('compliance.csv')]);
  return validateEuEts(installations, compliance, program);
}

// ---- the import ---------------------------------------------------------------------------------------------

/** The account holder shown for an installation: its name, or `Installation ID` when the data names none. */
export function holderName(i: Pick<Installation, 'id' | 'name'>): string {
  return /[\p{L}\p{N}]/u.test(i.name) ? i.name.trim() : `Installation ${i.id}`;
}

export function allocationKey(installationId: string, year: number): string {
  return `eu-alloc-${installationId}-${year}`;
}

export function unitTypeCode(year: number): string {
  return `EUA-${year}`;
}

interface Existing {
  readonly facilities: Map<string, { id: string; accountId: string | null; name: string; address: string | null; city: string | null; country: string | null }>;
  /** facility id → year → emissions_kg of the imported version-1 report, or null when another report is there. */
  readonly reports: Map<string, Map<number, bigint | null>>;
  readonly issuances: Map<string, { quantityT: bigint; toAccountId: string | null }>;
  readonly unitTypes: Map<number, string>;
}

async function loadExisting(db: Database, jurisdictionId: string): Promise<Existing> {
  const k = db.kysely;
  const facilities = new Map<string, { id: string; accountId: string | null; name: string; address: string | null; city: string | null; country: string | null }>();
  for (const f of await k.selectFrom('facilities').select(['id', 'code', 'account_id', 'name', 'address', 'city', 'country']).where('jurisdiction_id', '=', jurisdictionId).execute()) {
    facilities.set(f.code, { id: f.id, accountId: f.account_id, name: f.name, address: f.address, city: f.city, country: f.country });
  }
  const reports = new Map<string, Map<number, bigint | null>>();
  const reportRows = await k
    .selectFrom('reports')
    .select(['facility_id', 'fiscal_year', 'version', 'emissions_kg', 'created_by', 'status'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .execute();
  for (const r of reportRows) {
    const byYear = reports.get(r.facility_id) ?? new Map<number, bigint | null>();
    reports.set(r.facility_id, byYear);
    const year = asNumber(r.fiscal_year);
    const imported = asNumber(r.version) === 1 && r.created_by === IMPORT_ACTOR;
    // A year keeps the imported figure only while that is all there is; anything else there makes it a conflict.
    if (imported && !byYear.has(year)) byYear.set(year, asBigint(r.emissions_kg));
    else if (!imported) byYear.set(year, byYear.get(year) ?? null);
  }
  const issuances = new Map<string, { quantityT: bigint; toAccountId: string | null }>();
  const txs = await k
    .selectFrom('transactions')
    .select(['idempotency_key', 'quantity_t', 'to_account_id'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('idempotency_key', 'like', 'eu-alloc-%')
    .execute();
  for (const t of txs) issuances.set(t.idempotency_key, { quantityT: asBigint(t.quantity_t), toAccountId: t.to_account_id });
  const unitTypes = new Map<number, string>();
  for (const u of await k.selectFrom('unit_types').select(['id', 'code', 'vintage']).where('jurisdiction_id', '=', jurisdictionId).execute()) {
    const m = /^EUA-([0-9]{4})$/.exec(u.code);
    if (m !== null) unitTypes.set(Number(m[1]), u.id);
  }
  return { facilities, reports, issuances, unitTypes };
}

/**
 * Imports the EU ETS data in `options.dir`. Validation of both files comes first: any bad row refuses the whole
 * import before anything is written. Then, in order: the `EU-ETS` jurisdiction and its program, one unit type per
 * year, facilities with their accounts and the accepted reports (one database transaction), and the free
 * allocation issued through the ledger (idempotency keys `eu-alloc-<installation>-<year>`). What an earlier run
 * created is skipped; what differs from it is refused before anything is written.
 */
export async function importEuEts(registry: Registry, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const program = euEtsProgram();
  const progress = options.onProgress ?? (() => undefined);
  progress('parse', 0, 2);
  const data = await readEuEts(options.dir, program);
  progress('parse', 2, 2);

  const db = registry.db;
  const existingJurisdiction = await registry.jurisdictionByCode(program.jurisdiction.code);
  const before = existingJurisdiction === undefined ? undefined : await loadExisting(db, existingJurisdiction.id);
  const facilityOf = new Map<string, string>(); // installation id → facility id
  const accountOf = new Map<string, string>(); // installation id → account id
  if (before !== undefined) refuseConflicts(data, before);
  const jurisdiction = await jurisdictionForProgram(registry, program, { now });
  const jurisdictionId = jurisdiction.id;
  const existing = before ?? (await loadExisting(db, jurisdictionId));

  // Unit types, one per year with data.
  let unitTypesCreated = 0;
  const yearsWithData = [...new Set(data.years.map((y) => y.year))].sort((a, b) => a - b);
  for (const year of yearsWithData) {
    if (existing.unitTypes.has(year)) continue;
    const u = await registry.createUnitType({ jurisdictionId, code: unitTypeCode(year), kind: 'allowance', issuingJurisdiction: program.jurisdiction.code, vintage: year });
    existing.unitTypes.set(year, u.id);
    unitTypesCreated++;
  }

  // Facilities, accounts, status history and reports: one transaction.
  for (const [code, f] of existing.facilities) {
    facilityOf.set(code, f.id);
    if (f.accountId !== null) accountOf.set(code, f.accountId);
  }
  const firstYearOf = new Map<string, number>();
  for (const y of data.years) firstYearOf.set(y.installationId, Math.min(y.year, firstYearOf.get(y.installationId) ?? y.year));
  const newInstallations = data.installations.filter((i) => !existing.facilities.has(i.id));
  for (const i of newInstallations) {
    facilityOf.set(i.id, uuidv7());
    accountOf.set(i.id, uuidv7());
  }
  const newReports = data.years.filter((y) => y.emissionsT !== null && existing.reports.get(facilityOf.get(y.installationId) ?? '')?.has(y.year) !== true);
  if (newInstallations.length > 0 || newReports.length > 0) {
    progress('facilities', 0, newInstallations.length);
    await writeRows(db, jurisdictionId, program.jurisdiction.code, now, newInstallations, newReports, firstYearOf, facilityOf, accountOf);
    progress('facilities', newInstallations.length, newInstallations.length);
    progress('reports', newReports.length, newReports.length);
  }

  // Free allocation through the ledger, many in flight so that they share group commits.
  const allocations = data.years.filter((y) => y.freeT > 0n);
  const toIssue = allocations.filter((y) => !existing.issuances.has(allocationKey(y.installationId, y.year)));
  let issuedT = 0n;
  const refused: string[] = [];
  for (let i = 0; i < toIssue.length; i += ISSUANCES_IN_FLIGHT) {
    const chunk = toIssue.slice(i, i + ISSUANCES_IN_FLIGHT);
    const results = await Promise.all(
      chunk.map((y) =>
        registry.submit(
          jurisdictionId,
          { type: 'issuance', toAccountId: accountOf.get(y.installationId)!, unitTypeId: existing.unitTypes.get(y.year)!, quantityT: y.freeT },
          { idempotencyKey: allocationKey(y.installationId, y.year), actor: IMPORT_ACTOR, execute: true },
        ),
      ),
    );
    results.forEach((r, j) => {
      if (r.ok) issuedT += r.replayed ? 0n : r.tx.quantityT;
      else refused.push(`compliance.csv line ${chunk[j]!.line}: ${r.refusal.code} ${r.refusal.message}`);
    });
    progress('allocation', Math.min(i + ISSUANCES_IN_FLIGHT, toIssue.length), toIssue.length);
  }
  if (refused.length > 0) {
    // Validation and the conflict check passed, so the ledger should not refuse: a concurrent change did.
    throw new Error(`the ledger refused ${refused.length} allocation issuances (re-run the import to finish): ${refused.slice(0, PROBLEMS_SHOWN).join('; ')}`);
  }
  return {
    jurisdictionId,
    jurisdictionCode: jurisdiction.code,
    installations: data.installations.length,
    facilitiesCreated: newInstallations.length,
    allocations: allocations.length,
    allocationsIssued: toIssue.length,
    allocationIssuedT: issuedT,
    reports: data.years.filter((y) => y.emissionsT !== null).length,
    reportsCreated: newReports.length,
    unitTypesCreated,
    changed: existingJurisdiction === undefined || unitTypesCreated > 0 || newInstallations.length > 0 || newReports.length > 0 || toIssue.length > 0,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Refuses, before anything is written, when the files differ from what an earlier import stored. */
function refuseConflicts(data: EuEtsData, existing: Existing): void {
  const problems = new Problems();
  const byCode = existing.facilities;
  for (const i of data.installations) {
    const f = byCode.get(i.id);
    if (f === undefined) continue;
    const fields = [['name', f.name, i.name], ['addressmain', f.address, i.address], ['city', f.city, i.city], ['country_id', f.country, i.country]] as const;
    for (const [column, stored, given] of fields) {
      if (stored !== given) problems.add('IMPORT_CONFLICT', 'installation.csv', i.line, column, `${i.id} is already stored with ${column} "${stored ?? ''}"; the import does not overwrite (given "${given ?? ''}")`);
    }
  }
  for (const y of data.years) {
    const f = byCode.get(y.installationId);
    const stored = f === undefined ? undefined : existing.reports.get(f.id);
    if (stored?.has(y.year) === true) {
      const kg = stored.get(y.year);
      if (y.emissionsT === null || kg === null || kg !== y.emissionsT * 1000n) {
        problems.add('IMPORT_CONFLICT', 'compliance.csv', y.line, 'emission', `${y.installationId} ${y.year} already has a report that differs from this row; corrections are made as new report versions, not by re-importing`);
      }
    }
    const issued = existing.issuances.get(allocationKey(y.installationId, y.year));
    if (issued !== undefined && (issued.quantityT !== y.freeT || (f?.accountId ?? null) !== issued.toAccountId)) {
      problems.add('IMPORT_CONFLICT', 'compliance.csv', y.line, 'free', `${y.installationId} ${y.year} was already allocated ${issued.quantityT} t; the import does not change an issuance (given ${y.freeT})`);
    }
  }
  problems.throwIfAny();
}

/** Bulk inserts: multi-row statements on PostgreSQL, prepared statements on SQLite, all in one transaction. */
async function writeRows(
  db: Database,
  jurisdictionId: string,
  code: string,
  now: Date,
  installations: readonly Installation[],
  reports: readonly InstallationYear[],
  firstYearOf: ReadonlyMap<string, number>,
  facilityOf: ReadonlyMap<string, string>,
  accountOf: ReadonlyMap<string, string>,
): Promise<void> {
  const at = now.toISOString();
  await db.withWriteTransaction(async (s) => {
    const [count] = await s.query<{ n: bigint | number | string }>(
      "SELECT COUNT(*) AS n FROM accounts WHERE jurisdiction_id = ? AND type = 'facility_compliance'",
      [jurisdictionId],
    );
    let next = BigInt(count?.n ?? 0) + 1n;
    const accounts = installations.map((i) => [accountOf.get(i.id)!, jurisdictionId, `${code}-200-${next++}`, 'facility_compliance', holderName(i), facilityOf.get(i.id)!, at]);
    await s.execute(s.insertMany('accounts', ['id', 'jurisdiction_id', 'number', 'type', 'holder', 'facility_id', 'created_at'], accounts));
    const facilities = installations.map((i) => [
      facilityOf.get(i.id)!, jurisdictionId, i.id, i.name, '', 'installation', i.address, i.city, i.country,
      firstYearOf.has(i.id) ? 'specified' : 'registered', accountOf.get(i.id)!, at,
    ]);
    await s.execute(s.insertMany('facilities', ['id', 'jurisdiction_id', 'code', 'name', 'owner', 'use_type', 'address', 'city', 'country', 'status', 'account_id', 'created_at'], facilities));
    const history = installations.flatMap((i) => {
      const year = firstYearOf.get(i.id);
      return year === undefined
        ? []
        : [[facilityOf.get(i.id)!, 1, year, 'specified', 'EU ETS installation with free allocation or verified emissions in the imported EUTL data', at, IMPORT_ACTOR]];
    });
    await s.execute(s.insertMany('facility_status_history', ['facility_id', 'seq', 'fiscal_year', 'status', 'reason', 'recorded_at', 'recorded_by'], history));
    const reportIds = reports.map(() => uuidv7());
    const reportRows = reports.map((y, n) => {
      assert(y.emissionsT !== null, 'only years with emissions get a report');
      return [reportIds[n]!, jurisdictionId, facilityOf.get(y.installationId)!, y.year, 1, 'accepted', 0n, y.emissionsT * 1000n, at, IMPORT_ACTOR, at, at, VERIFIED_TOTAL_SOURCE, at, IMPORT_ACTOR];
    });
    await s.execute(
      s.insertMany(
        'reports',
        ['id', 'jurisdiction_id', 'facility_id', 'fiscal_year', 'version', 'status', 'coe_l', 'emissions_kg', 'created_at', 'created_by', 'submitted_at', 'verified_at', 'verified_by', 'accepted_at', 'accepted_by'],
        reportRows,
      ),
    );
    const lines = reports.map((y, n) => [reportIds[n]!, 1, 'verified_total', VERIFIED_TOTAL_SOURCE, String(y.emissionsT), 't', 0n, y.emissionsT! * 1000n]);
    await s.execute(s.insertMany('report_lines', ['report_id', 'line_no', 'kind', 'source', 'quantity', 'unit', 'coe_l', 'co2_kg'], lines));
  });
}
