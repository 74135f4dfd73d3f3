// Compliance runs and reports. Obligation programs (Tokyo, Saitama): per specified facility and period, the cap from
// the active base year and the factor after reliefs, verified emissions, units surrendered by kind, shortfall and
// status. Allocation programs are computed by compliance-allocation.ts; reports read both from compliance_results.
import type { Kysely, Transaction } from 'kysely';
import { assert } from '../domain/assert.js';
import { applyRounding, creditUsageLimitT, findPeriod, periodCap, type CapResult, type Checked } from '../domain/compliance/caps.js';
import { ONE, Rational, ZERO } from '../domain/compliance/rational.js';
import { RefusedError, refusal } from '../domain/errors.js';
import type { CreditType, Period, ProgramDefinition } from '../domain/program/schema.js';
import { convertReport } from '../domain/mrv/conversion.js';
import { wholeTonnes } from '../domain/mrv/base-year.js';
import type { Database } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import { runAllocationCompliance } from './compliance-allocation.js';
import { programOf } from './programs.js';

/** Statuses of an obligation program's result row. `cap_missing`: a specified facility without category or base year. */
export const OBLIGATION_STATUSES = ['compliant', 'shortfall', 'emissions_missing', 'cap_missing'] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

/** Rows per INSERT statement: 15 columns × 400 stays below SQLite's and PostgreSQL's parameter limits. */
const INSERT_ROWS_MAX = 400;
/** Ids per IN (…) list. */
const IN_LIST_MAX = 500;

export type Db = Kysely<Schema> | Transaction<Schema>;

// ---------------------------------------------------------------- shared look-ups (also used by credits.ts)

/** An integer column as a number: SQLite (safe integers on) returns every integer as a bigint, PostgreSQL a number. */
export function int(v: number | bigint): number {
  return Number(v);
}

export function refuse(code: string, message: string, field: string): never {
  throw new RefusedError(refusal(code, message, field));
}

export function valueOrRefuse<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new RefusedError(checked.refusal);
  return checked.value;
}

export async function jurisdictionByCode(db: Db, code: string): Promise<{ id: string; code: string; timeZone: string; fyStartMonth: number }> {
  const j = await db.selectFrom('jurisdictions').select(['id', 'code', 'time_zone', 'fy_start_month']).where('code', '=', code).executeTakeFirst();
  if (j === undefined) refuse('UNKNOWN_JURISDICTION', `No jurisdiction ${code}.`, 'jurisdiction');
  return { id: j.id, code: j.code, timeZone: j.time_zone, fyStartMonth: j.fy_start_month };
}

export function periodOrRefuse(program: ProgramDefinition, period: number): Period {
  return valueOrRefuse(findPeriod(program, period));
}

/** The fiscal years of a period, first to last. */
export function fiscalYearsOf(period: Period): number[] {
  const years: number[] = [];
  for (let y = period.firstFiscalYear; y <= period.lastFiscalYear; y++) years.push(y);
  return years;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(now: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The fiscal year an instant falls in (FY2024 with an April start runs 2024-04-01 to 2025-03-31). */
export function fiscalYearAt(now: Date, timeZone: string, fyStartMonth: number): number {
  const [y = '0', m = '0'] = localDate(now, timeZone).split('-');
  const year = Number(y);
  return Number(m) >= fyStartMonth ? year : year - 1;
}

/** Whole tonnes from an exact figure with a rounding mode (columns hold whole tonnes). */
export function wholeT(x: Rational, mode: 'floor' | 'ceil' | 'half_up'): bigint {
  return x.round(0, mode).toBigInt();
}

/** A year's verified emissions in tonnes, with the program's emissionsT rounding, as whole tonnes. */
export function emissionsTOfKg(program: ProgramDefinition, kg: bigint): bigint {
  return wholeT(applyRounding(Rational.of(kg, 1000n), program.rounding.emissionsT), 'half_up');
}

/** Accepted emissions (kg) per facility and fiscal year; the highest accepted version counts. */
export async function acceptedEmissionsKg(db: Db, facilityIds: readonly string[], years: readonly number[]): Promise<Map<string, Map<number, bigint>>> {
  const out = new Map<string, Map<number, bigint>>();
  for (let i = 0; i < facilityIds.length; i += IN_LIST_MAX) {
    const ids = facilityIds.slice(i, i + IN_LIST_MAX);
    const rows = await db
      .selectFrom('reports')
      .select(['facility_id', 'fiscal_year', 'version', 'emissions_kg'])
      .where('facility_id', 'in', ids)
      .where('fiscal_year', 'in', [...years])
      .where('status', '=', 'accepted')
      .orderBy('version', 'asc')
      .execute();
    for (const r of rows) {
      let byYear = out.get(r.facility_id);
      if (byYear === undefined) out.set(r.facility_id, (byYear = new Map<number, bigint>()));
      byYear.set(int(r.fiscal_year), r.emissions_kg); // ascending versions: the last one wins
    }
  }
  return out;
}

export interface FacilityRow {
  readonly id: string;
  readonly jurisdictionId: string;
  readonly code: string;
  readonly category: string | null;
  readonly status: string;
  readonly accountId: string | null;
}

export async function facilityById(db: Db, facilityId: string): Promise<FacilityRow> {
  const f = await db
    .selectFrom('facilities')
    .select(['id', 'jurisdiction_id', 'code', 'category', 'status', 'account_id'])
    .where('id', '=', facilityId)
    .executeTakeFirst();
  if (f === undefined) refuse('UNKNOWN_FACILITY', `No facility ${facilityId}.`, 'facility');
  return { id: f.id, jurisdictionId: f.jurisdiction_id, code: f.code, category: f.category, status: f.status, accountId: f.account_id };
}

export async function activeBaseT(db: Db, facilityId: string): Promise<bigint | undefined> {
  const row = await db.selectFrom('base_years').select('base_t').where('facility_id', '=', facilityId).where('status', '=', 'active').orderBy('chosen_at', 'desc').executeTakeFirst();
  return row?.base_t;
}

/**
 * The base a period's cap starts from. With `baseYear.restatedWithPeriodFactors`, the base years' accepted energy
 * lines are converted again with the period's emission factors and the active base (which may have been recalculated
 * since) is scaled by restated ÷ original emissions. Without energy lines to convert (e.g. imported totals, or
 * supplier-specific factors that were not kept), the base stays as chosen and `note` says so.
 */
export async function baseForPeriod(db: Db, program: ProgramDefinition, facilityId: string, period: Period): Promise<{ baseT: bigint; note?: string } | undefined> {
  const base = await db
    .selectFrom('base_years')
    .select(['base_kg', 'base_t', 'first_fiscal_year', 'last_fiscal_year'])
    .where('facility_id', '=', facilityId)
    .where('status', '=', 'active')
    .orderBy('chosen_at', 'desc')
    .executeTakeFirst();
  if (base === undefined) return undefined;
  if (program.baseYear?.restatedWithPeriodFactors !== true) return { baseT: base.base_t };
  const reports = await db
    .selectFrom('reports')
    .select(['id', 'emissions_kg'])
    .where('facility_id', '=', facilityId)
    .where('status', '=', 'accepted')
    .where('fiscal_year', '>=', int(base.first_fiscal_year))
    .where('fiscal_year', '<=', int(base.last_fiscal_year))
    .execute();
  const lines = reports.length === 0 ? [] : await db
    .selectFrom('report_lines')
    .select(['report_id', 'kind', 'source', 'quantity', 'unit'])
    .where('report_id', 'in', reports.map((r) => r.id))
    .where('kind', '=', 'energy')
    .orderBy('report_id')
    .orderBy('line_no')
    .execute();
  const asReported = reports.reduce((sum, r) => sum + r.emissions_kg, 0n);
  const restated = convertReport(program, period.firstFiscalYear, lines.map((l) => ({ kind: 'energy', source: l.source, quantity: l.quantity, unit: l.unit })));
  if (lines.length === 0 || asReported === 0n || !restated.ok) {
    return { baseT: base.base_t, note: `base not restated with period ${period.number} factors (no convertible energy lines)` };
  }
  const exactT = Rational.of(base.base_kg * restated.value.totals.energyCo2Kg, asReported * 1000n);
  return { baseT: wholeTonnes(program, exactT) };
}

export async function reliefCodes(db: Db, facilityId: string, period: number): Promise<string[]> {
  const rows = await db.selectFrom('facility_reliefs').select('relief_code').where('facility_id', '=', facilityId).where('period', '=', period).orderBy('relief_code').execute();
  return rows.map((r) => r.relief_code);
}

/** What a specified facility owes in a period: its base, reliefs, cap and obligation. Refuses when a term is missing. */
export interface FacilityTerms {
  readonly facility: FacilityRow;
  readonly baseT: bigint;
  readonly reliefs: readonly string[];
  readonly cap: CapResult;
  readonly capT: bigint;
  readonly obligationT: bigint;
}

export async function facilityTerms(db: Db, program: ProgramDefinition, facility: FacilityRow, period: number): Promise<FacilityTerms> {
  if (program.kind !== 'obligation') refuse('NOT_AN_OBLIGATION_PROGRAM', `Program ${program.id} is an allocation program: facilities have no cap.`, 'program');
  if (facility.status !== 'specified') refuse('FACILITY_NOT_SPECIFIED', `Facility ${facility.code} is ${facility.status}; only specified facilities have a cap.`, 'facility');
  if (facility.category === null) refuse('NO_CATEGORY', `Facility ${facility.code} has no category.`, 'facility');
  const base = await baseForPeriod(db, program, facility.id, periodOrRefuse(program, period));
  if (base === undefined) refuse('NO_BASE_YEAR', `Facility ${facility.code} has no active base year.`, 'facility');
  const baseT = base.baseT;
  const reliefs = await reliefCodes(db, facility.id, period);
  const cap = valueOrRefuse(periodCap(program, { period, category: facility.category, reliefs, baseT: Rational.of(baseT) }));
  return { facility, baseT, reliefs, cap, capT: wholeT(cap.capT, 'floor'), obligationT: wholeT(cap.obligationT, 'ceil') };
}

/**
 * The credit type a unit kind stands for in a program. The unit type records the kind, not the program's credit code,
 * so the first credit type of that kind (program order) decides limits and multipliers; undefined when the program
 * accepts no units of that kind.
 */
export function creditTypeOfKind(program: ProgramDefinition, kind: string): CreditType | undefined {
  return program.creditTypes.find((c) => c.kind === kind);
}

/** How many tonnes one surrendered tonne counts for: the credit type's multiplier for the unit's vintage period. */
export function creditMultiplier(program: ProgramDefinition, kind: string, vintagePeriod: number | null, usePeriod: number): Rational {
  const credit = creditTypeOfKind(program, kind);
  const period = vintagePeriod ?? usePeriod;
  const m = credit?.multipliers?.find((x) => x.period === period);
  return m === undefined ? ONE : (Rational.parseRatio(m.ratio) ?? ONE);
}

export interface SurrenderedUnits {
  readonly kind: string;
  readonly vintage: number | null;
  readonly quantityT: bigint;
}

/**
 * Units surrendered for facilities and a period: completed surrender transactions recorded in compliance_surrenders,
 * less any that a completed reversal undid.
 */
export async function surrenderedFor(db: Db, facilityIds: readonly string[], period: number): Promise<Map<string, SurrenderedUnits[]>> {
  const out = new Map<string, SurrenderedUnits[]>();
  for (let i = 0; i < facilityIds.length; i += IN_LIST_MAX) {
    const ids = facilityIds.slice(i, i + IN_LIST_MAX);
    const rows = await db
      .selectFrom('compliance_surrenders as cs')
      .innerJoin('transactions as t', 't.id', 'cs.tx_id')
      .innerJoin('unit_types as u', 'u.id', 't.unit_type_id')
      .select(['cs.facility_id', 'u.kind', 'u.vintage', 't.quantity_t'])
      .where('cs.facility_id', 'in', ids)
      .where('cs.period', '=', period)
      .where('t.type', '=', 'surrender')
      .where('t.status', '=', 'completed')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('transactions as r').select('r.id').whereRef('r.reverses_tx_id', '=', 't.id').where('r.status', '=', 'completed'))))
      .execute();
    for (const r of rows) {
      let list = out.get(r.facility_id);
      if (list === undefined) out.set(r.facility_id, (list = []));
      list.push({ kind: r.kind, vintage: r.vintage === null ? null : int(r.vintage), quantityT: r.quantity_t });
    }
  }
  return out;
}

// ---------------------------------------------------------------- the pure part of a result

export interface ObligationInput {
  readonly capT: bigint;
  /** The reduction obligation the usage limits are shares of (outside credits ≤ 1/3 of it). */
  readonly obligationT: bigint;
  /** Verified emissions per fiscal year of the period; null for a year without an accepted report. */
  readonly emissionsByYearT: readonly (bigint | null)[];
  readonly surrendered: readonly SurrenderedUnits[];
}

export interface ObligationOutcome {
  readonly status: Exclude<ObligationStatus, 'cap_missing'>;
  readonly emissionsT: bigint | null;
  readonly surrenderedT: bigint;
  readonly surrenderedByKindT: Readonly<Record<string, bigint>>;
  /** Surrendered tonnes as they count: after multipliers and usage limits, rounded down. */
  readonly creditedT: bigint;
  /** Kinds whose surrenders counted only up to their usage limit (surrender checks make this rare: concurrent surrenders). */
  readonly limitedKinds: readonly string[];
  readonly shortfallT: bigint | null;
  /** cap + credited − emissions: negative by the shortfall, positive by the margin. */
  readonly positionT: bigint | null;
}

/**
 * Tokyo's compliance rule (tokyo_cat.md §4.1): Σ emissions − Σ credits surrendered ≤ cap. The shortfall is what
 * the facility still has to cover: max(0, emissions − cap − credited), in whole tonnes. A credit kind with a usage
 * limit counts at most up to that limit, whatever was surrendered.
 */
export function obligationOutcome(program: ProgramDefinition, period: number, input: ObligationInput): ObligationOutcome {
  const byKind: Record<string, bigint> = {};
  const creditedByKind = new Map<string, Rational>();
  let surrenderedT = 0n;
  for (const s of input.surrendered) {
    assert(s.quantityT >= 0n, 'surrendered quantities are non-negative');
    byKind[s.kind] = (byKind[s.kind] ?? 0n) + s.quantityT;
    surrenderedT += s.quantityT;
    const counted = creditMultiplier(program, s.kind, s.vintage, period).mul(s.quantityT);
    creditedByKind.set(s.kind, (creditedByKind.get(s.kind) ?? ZERO).add(counted));
  }
  let credited = ZERO;
  const limitedKinds: string[] = [];
  for (const [kind, counted] of [...creditedByKind].sort(([a], [b]) => a.localeCompare(b))) {
    const credit = creditTypeOfKind(program, kind);
    const limit = credit === undefined ? undefined : creditUsageLimitT(program, credit.code, Rational.of(input.obligationT));
    const limitT = limit?.ok === true ? limit.value?.limitT : undefined;
    if (limitT !== undefined && counted.gt(limitT)) {
      limitedKinds.push(kind);
      credited = credited.add(limitT);
    } else {
      credited = credited.add(counted);
    }
  }
  const creditedT = wholeT(credited, 'floor');
  if (input.emissionsByYearT.some((e) => e === null)) {
    return { status: 'emissions_missing', emissionsT: null, surrenderedT, surrenderedByKindT: byKind, creditedT, limitedKinds, shortfallT: null, positionT: null };
  }
  const emissionsT = input.emissionsByYearT.reduce<bigint>((sum, e) => sum + (e ?? 0n), 0n);
  const positionT = input.capT + creditedT - emissionsT;
  const shortfallT = positionT < 0n ? -positionT : 0n;
  return { status: shortfallT > 0n ? 'shortfall' : 'compliant', emissionsT, surrenderedT, surrenderedByKindT: byKind, creditedT, limitedKinds, shortfallT, positionT };
}

// ---------------------------------------------------------------- the run

export interface RunInput {
  readonly jurisdictionCode: string;
  readonly period: number;
  readonly now: Date;
}

export interface RunSummary {
  readonly jurisdiction: string;
  readonly period: number;
  readonly kind: 'obligation' | 'allocation';
  readonly rows: number;
  /** Obligation programs: facilities per status. */
  readonly byStatus: Readonly<Record<string, number>>;
}

type ResultRow = Schema['compliance_results'];

/**
 * Computes and stores the compliance results of one jurisdiction and period, replacing the earlier results of the
 * same jurisdiction and period in one database transaction.
 */
export async function runCompliance(db: Database, input: RunInput): Promise<RunSummary> {
  const j = await jurisdictionByCode(db.kysely, input.jurisdictionCode);
  const program = await programOf(db, j.id);
  const period = periodOrRefuse(program, input.period);
  if (program.kind === 'allocation') {
    const r = await runAllocationCompliance(db, { jurisdictionId: j.id, period: input.period, now: input.now });
    return { jurisdiction: j.code, period: input.period, kind: 'allocation', rows: r.rows, byStatus: {} };
  }
  const computedAt = input.now.toISOString();
  const years = fiscalYearsOf(period);
  const lastYear = period.lastFiscalYear;

  return db.kysely.transaction().execute(async (trx) => {
    const facilities = await trx
      .selectFrom('facilities')
      .select(['id', 'code', 'category'])
      .where('jurisdiction_id', '=', j.id)
      .where('status', '=', 'specified')
      .orderBy('code')
      .execute();
    const ids = facilities.map((f) => f.id);
    const reliefs = new Map<string, string[]>();
    const bases = new Map<string, bigint>();
    for (let i = 0; i < ids.length; i += IN_LIST_MAX) {
      const chunk = ids.slice(i, i + IN_LIST_MAX);
      for (const r of await trx.selectFrom('facility_reliefs').select(['facility_id', 'relief_code']).where('facility_id', 'in', chunk).where('period', '=', input.period).execute()) {
        reliefs.set(r.facility_id, [...(reliefs.get(r.facility_id) ?? []), r.relief_code]);
      }
      const baseRows = await trx.selectFrom('base_years').select(['facility_id', 'base_t']).where('facility_id', 'in', chunk).where('status', '=', 'active').orderBy('chosen_at', 'asc').execute();
      for (const b of baseRows) bases.set(b.facility_id, b.base_t);
    }
    const baseNotes = new Map<string, string>();
    if (program.baseYear?.restatedWithPeriodFactors === true) {
      for (const id of bases.keys()) {
        const restated = await baseForPeriod(trx, program, id, period);
        if (restated === undefined) continue;
        bases.set(id, restated.baseT);
        if (restated.note !== undefined) baseNotes.set(id, restated.note);
      }
    }
    const emissions = await acceptedEmissionsKg(trx, ids, years);
    const surrendered = await surrenderedFor(trx, ids, input.period);

    const rows: ResultRow[] = [];
    const byStatus: Record<string, number> = {};
    for (const f of facilities) {
      const base: ResultRow = {
        jurisdiction_id: j.id,
        facility_id: f.id,
        period: input.period,
        fiscal_year: lastYear,
        emissions_t: null,
        cap_t: null,
        obligation_t: null,
        allocated_t: null,
        surrendered_t: null,
        surrendered_by_kind: null,
        shortfall_t: null,
        position_t: null,
        status: 'cap_missing',
        note: null,
        computed_at: computedAt,
      };
      const baseT = bases.get(f.id);
      const cap =
        f.category === null || baseT === undefined
          ? undefined
          : periodCap(program, { period: input.period, category: f.category, reliefs: reliefs.get(f.id) ?? [], baseT: Rational.of(baseT) });
      const byYearKg = emissions.get(f.id);
      const byYearT = years.map((y) => {
        const kg = byYearKg?.get(y);
        return kg === undefined ? null : emissionsTOfKg(program, kg);
      });
      const missingYears = years.filter((_, i) => byYearT[i] === null);
      const units = surrendered.get(f.id) ?? [];
      let row: ResultRow;
      if (cap === undefined || !cap.ok) {
        const why = f.category === null ? 'no category' : baseT === undefined ? 'no active base year' : cap?.ok === false ? cap.refusal.message : 'no cap';
        const known = missingYears.length === 0 ? byYearT.reduce<bigint>((s, e) => s + (e ?? 0n), 0n) : null;
        const outcome = obligationOutcome(program, input.period, { capT: 0n, obligationT: 0n, emissionsByYearT: byYearT, surrendered: units });
        row = { ...base, emissions_t: known, surrendered_t: outcome.surrenderedT, surrendered_by_kind: kindJson(outcome.surrenderedByKindT), note: `cap cannot be computed: ${why}` };
      } else {
        const capT = wholeT(cap.value.capT, 'floor');
        const obligationT = wholeT(cap.value.obligationT, 'ceil');
        const o = obligationOutcome(program, input.period, { capT, obligationT, emissionsByYearT: byYearT, surrendered: units });
        const notes: string[] = [];
        const baseNote = baseNotes.get(f.id);
        if (baseNote !== undefined) notes.push(baseNote);
        if (missingYears.length > 0) notes.push(`no accepted report for FY${missingYears.join(', FY')}`);
        const applied = cap.value.factor.steps.filter((s) => s.applies).map((s) => s.relief);
        if (applied.length > 0) notes.push(`reliefs ${applied.join(', ')}: factor ${cap.value.factor.factor.mul(100n).toDecimal(4)} %`);
        if (o.limitedKinds.length > 0) notes.push(`${o.limitedKinds.join(', ')} counted only up to the usage limit`);
        if (o.creditedT !== o.surrenderedT) notes.push(`${o.surrenderedT} t surrendered count as ${o.creditedT} t`);
        row = {
          ...base,
          emissions_t: o.emissionsT,
          cap_t: capT,
          obligation_t: obligationT,
          surrendered_t: o.surrenderedT,
          surrendered_by_kind: kindJson(o.surrenderedByKindT),
          shortfall_t: o.shortfallT,
          position_t: o.positionT,
          status: o.status,
          note: notes.length === 0 ? null : notes.join('; '),
        };
      }
      byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
      rows.push(row);
    }

    await trx.deleteFrom('compliance_results').where('jurisdiction_id', '=', j.id).where('period', '=', input.period).execute();
    for (let i = 0; i < rows.length; i += INSERT_ROWS_MAX) {
      await trx.insertInto('compliance_results').values(rows.slice(i, i + INSERT_ROWS_MAX)).execute();
    }
    return { jurisdiction: j.code, period: input.period, kind: 'obligation' as const, rows: rows.length, byStatus };
  });
}

function kindJson(byKind: Readonly<Record<string, bigint>>): string {
  const sorted = Object.keys(byKind).sort();
  return JSON.stringify(Object.fromEntries(sorted.map((k) => [k, byKind[k]!.toString()])));
}

// ---------------------------------------------------------------- the report

export const REPORT_COLUMNS_OBLIGATION = ['facility_id', 'period', 'fiscal_year', 'emissions_t', 'cap_t', 'obligation_t', 'surrendered_t', 'shortfall_t', 'position_t', 'status', 'note'] as const;
export const REPORT_COLUMNS_ALLOCATION = ['facility_id', 'period', 'fiscal_year', 'emissions_t', 'allocated_t', 'surrendered_t', 'shortfall_t', 'position_t', 'status', 'note'] as const;

/** One report row: every value a string (quantities exact) or null for "no data". */
export type ReportRow = Readonly<Record<string, string | null>>;

export interface ComplianceReport {
  readonly jurisdiction: string;
  readonly period: number;
  readonly kind: 'obligation' | 'allocation';
  readonly columns: readonly string[];
  readonly rows: readonly ReportRow[];
}

const str = (v: bigint | number | null): string | null => (v === null ? null : v.toString());

/**
 * The stored results of a jurisdiction and period, one row per facility ordered by facility code. Allocation programs
 * store one row per facility and year (cumulative within the period): the report shows `fiscalYear`'s rows, or each
 * facility's latest computed year.
 */
export async function complianceReport(db: Database, input: { jurisdictionCode: string; period: number; fiscalYear?: number }): Promise<ComplianceReport> {
  const j = await jurisdictionByCode(db.kysely, input.jurisdictionCode);
  const program = await programOf(db, j.id);
  const period = periodOrRefuse(program, input.period);
  if (input.fiscalYear !== undefined && (input.fiscalYear < period.firstFiscalYear || input.fiscalYear > period.lastFiscalYear)) {
    refuse('YEAR_OUTSIDE_PERIOD', `FY${input.fiscalYear} is not in period ${input.period} (FY${period.firstFiscalYear}–FY${period.lastFiscalYear}).`, 'fiscalYear');
  }
  let q = db.kysely
    .selectFrom('compliance_results as r')
    .innerJoin('facilities as f', 'f.id', 'r.facility_id')
    .select(['f.code', 'r.period', 'r.fiscal_year', 'r.emissions_t', 'r.cap_t', 'r.obligation_t', 'r.allocated_t', 'r.surrendered_t', 'r.shortfall_t', 'r.position_t', 'r.status', 'r.note'])
    .where('r.jurisdiction_id', '=', j.id)
    .where('r.period', '=', input.period);
  if (input.fiscalYear !== undefined) q = q.where('r.fiscal_year', '=', input.fiscalYear);
  const stored = await q.orderBy('f.code').orderBy('r.fiscal_year', 'desc').execute();
  const seen = new Set<string>();
  const rows: ReportRow[] = [];
  for (const r of stored) {
    if (seen.has(r.code)) continue; // the latest year per facility (obligation programs have one row anyway)
    seen.add(r.code);
    const common = { facility_id: r.code, period: str(r.period), fiscal_year: str(r.fiscal_year), emissions_t: str(r.emissions_t) };
    const tail = { surrendered_t: str(r.surrendered_t), shortfall_t: str(r.shortfall_t), position_t: str(r.position_t), status: r.status, note: r.note };
    rows.push(program.kind === 'allocation' ? { ...common, allocated_t: str(r.allocated_t), ...tail } : { ...common, cap_t: str(r.cap_t), obligation_t: str(r.obligation_t), ...tail });
  }
  return {
    jurisdiction: j.code,
    period: input.period,
    kind: program.kind,
    columns: program.kind === 'allocation' ? REPORT_COLUMNS_ALLOCATION : REPORT_COLUMNS_OBLIGATION,
    rows,
  };
}

/** CSV (RFC 4180) with a header row; null becomes an empty field. */
export function reportCsv(report: ComplianceReport): string {
  const field = (v: string | null): string => (v === null ? '' : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [report.columns.join(',')];
  for (const r of report.rows) lines.push(report.columns.map((c) => field(r[c] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
