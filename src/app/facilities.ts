// Facility use-cases: registration (with the facility's compliance account), designation decisions kept as history,
// reliefs, verification agencies and their assignment. Each use-case is one database transaction: all or nothing.
// Authorization comes with the HTTP layer; `actor` is recorded as who acted.
import type { Transaction } from 'kysely';
import { Rational } from '../domain/compliance/rational.js';
import { RefusedError, refusal, type Refusal } from '../domain/errors.js';
import { coeLitres, parseQuantity } from '../domain/mrv/conversion.js';
import {
  DESIGNATION_LOOKBACK_YEARS,
  FACILITY_STATUSES,
  designationFor,
  evidenceFromCoe,
  evidenceFromDecisions,
  type FacilityStatus,
  type YearEvidence,
} from '../domain/mrv/designation.js';
import type { Database } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import { uuidv7 } from './ids.js';
import { int } from './compliance.js';
import { programIn } from './programs.js';
import type { Registry } from './registry.js';

export type Trx = Transaction<Schema>;

export interface ServiceOptions {
  readonly clock?: () => Date;
  readonly newId?: () => string;
}

/** Bounds on inputs (TIGER_STYLE). */
export const FACILITY_LIMITS = { text: 200, reason: 2000, declaredYears: 10, agencyCategories: 50 } as const;
const FACILITY_CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface DeclaredEnergy {
  readonly fiscalYear: number;
  /** Crude-oil-equivalent kL as a decimal string, as declared to the authority. */
  readonly coeKl: string;
  /** Energy use started part-way through this fiscal year. */
  readonly partial?: boolean;
}

export interface FacilityInput {
  readonly jurisdictionId: string;
  /** The authority's own identifier (Tokyo's facility number). */
  readonly code: string;
  readonly name: string;
  readonly owner: string;
  /** A category of the program (required for obligation programs: it sets the compliance factor). */
  readonly category?: string;
  readonly useType: string;
  readonly floorAreaM2?: bigint;
  readonly address?: string;
  readonly city?: string;
  readonly country?: string;
  /**
   * Energy use the authority records at registration for the fiscal years before the first report, consecutive and
   * newest last. The first designation decision (for the year after the last one) follows from them.
   */
  readonly declaredEnergy?: readonly DeclaredEnergy[];
}

export interface StatusDecisionView {
  readonly fiscalYear: number;
  readonly seq: number;
  readonly status: string;
  readonly reason: string;
}

export function refuse(code: string, message: string, field?: string): never {
  throw new RefusedError(refusal(code, message, field));
}

export function refuseAll(refusals: readonly Refusal[]): never {
  const [first, ...rest] = refusals;
  if (first === undefined) throw new Error('refuseAll needs at least one refusal');
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more: ${rest.map((r) => `${r.field ?? ''} ${r.code}`.trim()).join(', ')})`;
  throw new RefusedError({ ...first, message: `${first.message}${more}` });
}

export { int };
/** bigint columns: bigint on both engines, but accept a number or string from drivers that differ. */
export const big = (v: bigint | number | string): bigint => (typeof v === 'bigint' ? v : BigInt(v));

/** Whether a database error is a unique-key violation (two writers raced for the same key). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = error.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export type FacilityRow = Awaited<ReturnType<typeof lockFacility>>;

/** Loads a facility and, on PostgreSQL, locks its row so that use-cases on one facility run one after another. */
export async function lockFacility(db: Database, trx: Trx, facilityId: string) {
  let q = trx.selectFrom('facilities').selectAll().where('id', '=', facilityId);
  if (db.engine === 'postgres') q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (row === undefined) refuse('UNKNOWN_FACILITY', `No facility ${facilityId}.`, 'facilityId');
  return row;
}

export async function statusHistory(trx: Trx, facilityId: string): Promise<StatusDecisionView[]> {
  const rows = await trx
    .selectFrom('facility_status_history')
    .select(['fiscal_year', 'seq', 'status', 'reason'])
    .where('facility_id', '=', facilityId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ fiscalYear: int(r.fiscal_year), seq: int(r.seq), status: r.status, reason: r.reason }));
}

/** The status in force now: the decision for the latest fiscal year (latest recorded among equals). */
export function currentStatus(history: readonly StatusDecisionView[]): string | undefined {
  let best: StatusDecisionView | undefined;
  for (const d of history) if (best === undefined || d.fiscalYear > best.fiscalYear || (d.fiscalYear === best.fiscalYear && d.seq > best.seq)) best = d;
  return best?.status;
}

function checkText(value: string | undefined, field: string, required: boolean, max: number = FACILITY_LIMITS.text): void {
  if (value === undefined) {
    if (required) refuse('REQUIRED', `${field} is required.`, field);
    return;
  }
  if (value.trim() === '' || value.length > max) refuse('TEXT_INVALID', `${field} is 1 to ${max} characters.`, field);
}

function checkFiscalYear(fiscalYear: number, field: string): void {
  if (!Number.isInteger(fiscalYear) || fiscalYear < 1990 || fiscalYear > 2200) refuse('FISCAL_YEAR_INVALID', 'a fiscal year is a whole year from 1990 to 2200.', field);
}

export class Facilities {
  private readonly clock: () => Date;
  private readonly newId: () => string;

  constructor(
    readonly registry: Registry,
    options: ServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? (() => uuidv7());
  }

  private get db(): Database {
    return this.registry.db;
  }

  /**
   * Registers a facility and opens its facility_compliance account in the same transaction. When the authority
   * records declared energy use, the first designation decision is recorded with it (for the following fiscal year).
   */
  async registerFacility(input: FacilityInput, actor: string): Promise<{ id: string; accountId: string; accountNumber: string; status: string }> {
    checkText(input.code, 'code', true, 64);
    if (!FACILITY_CODE.test(input.code)) refuse('CODE_INVALID', 'A facility code is 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.', 'code');
    checkText(input.name, 'name', true);
    checkText(input.owner, 'owner', true);
    checkText(input.useType, 'useType', true, 64);
    checkText(input.address, 'address', false);
    checkText(input.city, 'city', false);
    checkText(input.country, 'country', false);
    checkText(actor, 'actor', true);
    if (input.floorAreaM2 !== undefined && input.floorAreaM2 < 0n) refuse('NEGATIVE_QUANTITY', 'the floor area must not be negative.', 'floorAreaM2');
    const declared = input.declaredEnergy ?? [];
    if (declared.length > FACILITY_LIMITS.declaredYears) refuse('TOO_MANY_YEARS', `declare at most ${FACILITY_LIMITS.declaredYears} fiscal years.`, 'declaredEnergy');
    declared.forEach((d, i) => {
      checkFiscalYear(d.fiscalYear, `declaredEnergy[${i}].fiscalYear`);
      const prev = declared[i - 1];
      if (prev !== undefined && d.fiscalYear !== prev.fiscalYear + 1) refuse('YEARS_NOT_CONSECUTIVE', 'declared fiscal years are consecutive, oldest first.', `declaredEnergy[${i}].fiscalYear`);
      const q = parseQuantity(d.coeKl, `declaredEnergy[${i}].coeKl`);
      if (!q.ok) throw new RefusedError(q.refusal);
    });

    const id = this.newId();
    const now = this.clock().toISOString();
    try {
      return await this.db.kysely.transaction().execute(async (trx) => {
        const program = await programIn(trx, input.jurisdictionId);
        if (input.category === undefined) {
          if (program.kind === 'obligation') refuse('CATEGORY_REQUIRED', `program ${program.id} sets compliance factors by category; give one of: ${program.categories.map((c) => c.code).join(', ')}.`, 'category');
        } else if (!program.categories.some((c) => c.code === input.category)) {
          refuse('UNKNOWN_CATEGORY', `program ${program.id} has no category "${input.category}" (categories: ${program.categories.map((c) => c.code).join(', ') || 'none'}).`, 'category');
        }
        const taken = await trx.selectFrom('facilities').select('id').where('jurisdiction_id', '=', input.jurisdictionId).where('code', '=', input.code).executeTakeFirst();
        if (taken !== undefined) refuse('FACILITY_CODE_TAKEN', `Facility ${input.code} is already registered.`, 'code');

        let decision: { fiscalYear: number; status: FacilityStatus; reason: string } | undefined;
        if (declared.length > 0) {
          const evidence: YearEvidence[] = declared.map((d, i) => {
            const litres = coeLitres(program, Rational.parseDecimal(d.coeKl)!);
            const e = evidenceFromCoe(program, d.fiscalYear, litres, 'declared at registration', d.partial ?? false);
            if (!e.ok) throw new RefusedError({ ...e.refusal, field: `declaredEnergy[${i}]` });
            return e.value;
          });
          const next = declared[declared.length - 1]!.fiscalYear + 1;
          const d = designationFor(program, next, evidence);
          if (!d.ok) throw new RefusedError(d.refusal);
          decision = d.value;
        }

        const account = await this.registry.openAccount({ jurisdictionId: input.jurisdictionId, type: 'facility_compliance', holder: input.owner, facilityId: id }, trx);
        await trx
          .insertInto('facilities')
          .values({
            id,
            jurisdiction_id: input.jurisdictionId,
            code: input.code,
            name: input.name,
            owner: input.owner,
            category: input.category ?? null,
            use_type: input.useType,
            floor_area_m2: input.floorAreaM2 ?? null,
            address: input.address ?? null,
            city: input.city ?? null,
            country: input.country ?? null,
            status: decision?.status ?? 'registered',
            account_id: account.id,
            created_at: now,
          })
          .execute();
        if (decision !== undefined) {
          await trx
            .insertInto('facility_status_history')
            .values({ facility_id: id, seq: 1, fiscal_year: decision.fiscalYear, status: decision.status, reason: decision.reason, recorded_at: now, recorded_by: actor })
            .execute();
        }
        return { id, accountId: account.id, accountNumber: account.number, status: decision?.status ?? 'registered' };
      });
    } catch (error) {
      if (isUniqueViolation(error)) refuse('FACILITY_CODE_TAKEN', `Facility ${input.code} is already registered.`, 'code');
      throw error;
    }
  }

  /**
   * The authority's designation decision for a fiscal year, computed from accepted reports of the earlier years
   * (and, for years without one, what earlier decisions imply). Appended to the history; nothing is overwritten.
   */
  async decideDesignation(facilityId: string, fiscalYear: number, actor: string): Promise<StatusDecisionView> {
    checkFiscalYear(fiscalYear, 'fiscalYear');
    checkText(actor, 'actor', true);
    return this.db.kysely.transaction().execute(async (trx) => {
      const facility = await lockFacility(this.db, trx, facilityId);
      if (facility.status === 'exempted' || facility.status === 'withdrawn') {
        refuse('FACILITY_NOT_ELIGIBLE', `facility ${facility.code} is ${facility.status}; record a new status with a reason instead.`, 'facilityId');
      }
      const program = await programIn(trx, facility.jurisdiction_id);
      const history = await statusHistory(trx, facilityId);
      const reports = await trx
        .selectFrom('reports')
        .select(['fiscal_year', 'coe_l'])
        .where('facility_id', '=', facilityId)
        .where('status', '=', 'accepted')
        .where('fiscal_year', '<', fiscalYear)
        .where('fiscal_year', '>=', fiscalYear - DESIGNATION_LOOKBACK_YEARS)
        .execute();
      const evidence: YearEvidence[] = evidenceFromDecisions(program, history.filter((h) => h.fiscalYear <= fiscalYear));
      for (const r of reports) {
        const e = evidenceFromCoe(program, int(r.fiscal_year), big(r.coe_l), 'accepted report');
        if (!e.ok) throw new RefusedError(e.refusal);
        evidence.push(e.value);
      }
      const d = designationFor(program, fiscalYear, evidence);
      if (!d.ok) throw new RefusedError(d.refusal);
      return this.appendStatus(trx, facilityId, history, d.value.fiscalYear, d.value.status, d.value.reason, actor);
    });
  }

  /** An authority decision the rule does not compute (exemption, withdrawal, revocation), with its reason. */
  async recordStatus(facilityId: string, fiscalYear: number, status: FacilityStatus, reason: string, actor: string): Promise<StatusDecisionView> {
    checkFiscalYear(fiscalYear, 'fiscalYear');
    if (!(FACILITY_STATUSES as readonly string[]).includes(status)) refuse('STATUS_INVALID', `a status is one of: ${FACILITY_STATUSES.join(', ')}.`, 'status');
    checkText(reason, 'reason', true, FACILITY_LIMITS.reason);
    checkText(actor, 'actor', true);
    return this.db.kysely.transaction().execute(async (trx) => {
      await lockFacility(this.db, trx, facilityId);
      const history = await statusHistory(trx, facilityId);
      return this.appendStatus(trx, facilityId, history, fiscalYear, status, reason, actor);
    });
  }

  private async appendStatus(trx: Trx, facilityId: string, history: readonly StatusDecisionView[], fiscalYear: number, status: string, reason: string, actor: string): Promise<StatusDecisionView> {
    const seq = history.reduce((m, h) => Math.max(m, h.seq), 0) + 1;
    const view = { fiscalYear, seq, status, reason };
    await trx
      .insertInto('facility_status_history')
      .values({ facility_id: facilityId, seq, fiscal_year: fiscalYear, status, reason, recorded_at: this.clock().toISOString(), recorded_by: actor })
      .execute();
    // facilities.status is the status in force for the latest decided year; the history keeps every decision.
    await trx.updateTable('facilities').set({ status: currentStatus([...history, view])! }).where('id', '=', facilityId).execute();
    return view;
  }

  async history(facilityId: string): Promise<StatusDecisionView[]> {
    return this.db.kysely.transaction().execute(async (trx) => statusHistory(trx, facilityId));
  }

  /** Grants a program relief (top-level, medical, …) to a facility for a period; the compliance run reads it. */
  async grantRelief(facilityId: string, period: number, reliefCode: string, actor: string): Promise<void> {
    checkText(actor, 'actor', true);
    await this.db.kysely.transaction().execute(async (trx) => {
      const facility = await lockFacility(this.db, trx, facilityId);
      const program = await programIn(trx, facility.jurisdiction_id);
      if (!program.periods.some((p) => p.number === period)) refuse('UNKNOWN_PERIOD', `program ${program.id} has no period ${period}.`, 'period');
      const relief = program.reliefs.find((r) => r.code === reliefCode);
      if (relief === undefined) refuse('UNKNOWN_RELIEF', `program ${program.id} has no relief "${reliefCode}" (reliefs: ${program.reliefs.map((r) => r.code).join(', ') || 'none'}).`, 'reliefCode');
      if (!relief.rules.some((r) => r.period === period)) refuse('RELIEF_NOT_IN_PERIOD', `relief "${reliefCode}" has no rule for period ${period}.`, 'period');
      const existing = await trx.selectFrom('facility_reliefs').select('relief_code').where('facility_id', '=', facilityId).where('period', '=', period).where('relief_code', '=', reliefCode).executeTakeFirst();
      if (existing !== undefined) refuse('RELIEF_ALREADY_GRANTED', `relief "${reliefCode}" is already granted for period ${period}.`, 'reliefCode');
      await trx.insertInto('facility_reliefs').values({ facility_id: facilityId, period, relief_code: reliefCode, granted_at: this.clock().toISOString(), granted_by: actor }).execute();
    });
  }

  /** Registers a verification agency for the facility categories it may verify. */
  async registerAgency(input: { jurisdictionId: string; name: string; categories: readonly string[] }, actor: string): Promise<{ id: string }> {
    checkText(input.name, 'name', true);
    checkText(actor, 'actor', true);
    if (input.categories.length === 0 || input.categories.length > FACILITY_LIMITS.agencyCategories) refuse('CATEGORIES_INVALID', `an agency is registered for 1 to ${FACILITY_LIMITS.agencyCategories} categories.`, 'categories');
    const id = this.newId();
    await this.db.kysely.transaction().execute(async (trx) => {
      const program = await programIn(trx, input.jurisdictionId);
      input.categories.forEach((c, i) => {
        if (!program.categories.some((x) => x.code === c)) refuse('UNKNOWN_CATEGORY', `program ${program.id} has no category "${c}".`, `categories[${i}]`);
      });
      await trx
        .insertInto('verification_agencies')
        .values({ id, jurisdiction_id: input.jurisdictionId, name: input.name, categories: JSON.stringify([...new Set(input.categories)]), registered_at: this.clock().toISOString() })
        .execute();
    });
    return { id };
  }

  /** Assigns the agency that verifies a facility's reports from a fiscal year on; it must be registered for the facility's category. */
  async assignVerifier(facilityId: string, agencyId: string, fromFiscalYear: number, actor: string): Promise<void> {
    checkFiscalYear(fromFiscalYear, 'fromFiscalYear');
    checkText(actor, 'actor', true);
    await this.db.kysely.transaction().execute(async (trx) => {
      const facility = await lockFacility(this.db, trx, facilityId);
      const agency = await trx.selectFrom('verification_agencies').selectAll().where('id', '=', agencyId).executeTakeFirst();
      if (agency?.jurisdiction_id !== facility.jurisdiction_id) refuse('UNKNOWN_AGENCY', `No verification agency ${agencyId} in this jurisdiction.`, 'agencyId');
      const categories = JSON.parse(agency.categories) as string[];
      if (facility.category === null || !categories.includes(facility.category)) {
        refuse('AGENCY_NOT_REGISTERED_FOR_CATEGORY', `${agency.name} is registered for ${categories.join(', ')}, not for the facility's category ${facility.category ?? '(none)'}.`, 'agencyId');
      }
      const existing = await trx.selectFrom('facility_verifiers').select('agency_id').where('facility_id', '=', facilityId).where('from_fiscal_year', '=', fromFiscalYear).executeTakeFirst();
      if (existing !== undefined) refuse('VERIFIER_ALREADY_ASSIGNED', `a verifier is already assigned from FY${fromFiscalYear}; assign a change from a later year.`, 'fromFiscalYear');
      await trx.insertInto('facility_verifiers').values({ facility_id: facilityId, from_fiscal_year: fromFiscalYear, agency_id: agencyId, assigned_at: this.clock().toISOString() }).execute();
    });
  }
}

/** The agency assigned to verify a facility's report for a fiscal year: the latest assignment from that year or before. */
export async function assignedAgency(trx: Trx, facilityId: string, fiscalYear: number): Promise<string | undefined> {
  const row = await trx
    .selectFrom('facility_verifiers')
    .select('agency_id')
    .where('facility_id', '=', facilityId)
    .where('from_fiscal_year', '<=', fiscalYear)
    .orderBy('from_fiscal_year', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.agency_id;
}
