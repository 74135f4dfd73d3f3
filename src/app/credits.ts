// Credits for obligation programs: excess reduction credits on application and approval (four eyes), credits the
// authority issues with their provenance (small/mid-size, renewable, outside, linked), and surrender for compliance
// with the program's banking rule and usage limits. Every unit moves through the registry ledger.
import { checkCreditUsage, excessReductions, findCreditType, bankingAllows, type SurrenderLine } from '../domain/compliance/caps.js';
import { Rational } from '../domain/compliance/rational.js';
import { RefusedError, refusal, type Refusal } from '../domain/errors.js';
import { QUANTITY_T_MAX } from '../domain/registry/ledger.js';
import type { UnitKind } from '../domain/registry/model.js';
import type { ProgramDefinition } from '../domain/program/schema.js';
import type { Database } from '../store/db.js';
import {
  acceptedEmissionsKg,
  activeBaseT,
  creditTypeOfKind,
  emissionsTOfKg,
  facilityById,
  facilityTerms,
  fiscalYearAt,
  fiscalYearsOf,
  int,
  localDate,
  periodOrRefuse,
  refuse,
  surrenderedFor,
  valueOrRefuse,
  wholeT,
  type Db,
  type FacilityRow,
} from './compliance.js';
import { uuidv7 } from './ids.js';
import { programOf } from './programs.js';
import { txOrThrow, type Registry } from './registry.js';

/** Lines in one surrender request. */
export const SURRENDER_LINES_MAX = 20;
const ACTOR_MAX = 200;
const REASON_MAX = 1000;
const UNIT_TYPE_CODE_MAX = 40;
/** Who undoes the completed lines of a surrender that could not complete as a whole. */

const UNIT_CODE_PREFIX: Record<UnitKind, string> = {
  allowance: 'ALW',
  excess_reduction_credit: 'ERC',
  small_mid_facility_credit: 'SMC',
  renewable_energy_credit: 'REC',
  outside_credit: 'OUT',
  linked_credit: 'LNK',
};

function checkActor(actor: string, field: string): void {
  if (actor.trim() === '' || actor.length > ACTOR_MAX) refuse('ACTOR_INVALID', `The acting user must be named (1 to ${ACTOR_MAX} characters).`, field);
}

function checkQuantity(q: bigint, field: string): void {
  if (q <= 0n || q > QUANTITY_T_MAX) refuse('QUANTITY_OUT_OF_RANGE', `The quantity must be a whole number of tonnes from 1 to ${QUANTITY_T_MAX}.`, field);
}

/** A unit type code from parts: letters, digits, ".", "_", "-", at most 40 characters. */
function unitTypeCode(prefix: string, period: number, ref: string): string {
  const clean = ref.replace(/[^A-Za-z0-9._-]/g, '-');
  return `${prefix}-P${period}-${clean}`.slice(0, UNIT_TYPE_CODE_MAX);
}

async function jurisdictionOf(db: Db, id: string): Promise<{ id: string; code: string; timeZone: string }> {
  const j = await db.selectFrom('jurisdictions').select(['id', 'code', 'time_zone']).where('id', '=', id).executeTakeFirstOrThrow();
  return { id: j.id, code: j.code, timeZone: j.time_zone };
}

/**
 * The facility's compliance account; one is opened (and linked to the facility) when it has none yet, so that credits
 * can be issued to it.
 */
async function ensureComplianceAccount(db: Database, registry: Registry, facility: FacilityRow): Promise<string> {
  if (facility.accountId !== null) return facility.accountId;
  const name = await db.kysely.selectFrom('facilities').select('name').where('id', '=', facility.id).executeTakeFirstOrThrow();
  const opened = await registry.openAccount({ jurisdictionId: facility.jurisdictionId, type: 'facility_compliance', holder: name.name, facilityId: facility.id });
  await db.kysely.updateTable('facilities').set({ account_id: opened.id }).where('id', '=', facility.id).where('account_id', 'is', null).execute();
  // Another caller may have linked its own account first: the facility's link decides.
  const linked = await db.kysely.selectFrom('facilities').select('account_id').where('id', '=', facility.id).executeTakeFirstOrThrow();
  return linked.account_id ?? opened.id;
}

interface UnitTypeKey {
  readonly jurisdictionId: string;
  readonly kind: UnitKind;
  readonly vintage: number;
  readonly issuingJurisdiction: string;
  readonly originatingFacilityId: string | null;
  readonly code: string;
}

/**
 * The unit type for credits of one kind, vintage period and origin, created on first use. A local origin is identified
 * by its facility id; an origin outside this database by the code (which carries the origin's reference).
 */
async function ensureUnitType(db: Database, registry: Registry, key: UnitTypeKey): Promise<string> {
  const find = async (): Promise<string | undefined> => {
    let q = db.kysely
      .selectFrom('unit_types')
      .select('id')
      .where('jurisdiction_id', '=', key.jurisdictionId)
      .where('kind', '=', key.kind)
      .where('vintage', '=', key.vintage)
      .where('issuing_jurisdiction', '=', key.issuingJurisdiction);
    q = key.originatingFacilityId === null ? q.where('originating_facility_id', 'is', null).where('code', '=', key.code) : q.where('originating_facility_id', '=', key.originatingFacilityId);
    return (await q.orderBy('created_at').executeTakeFirst())?.id;
  };
  const found = await find();
  if (found !== undefined) return found;
  const taken = await db.kysely.selectFrom('unit_types').select('id').where('jurisdiction_id', '=', key.jurisdictionId).where('code', '=', key.code).executeTakeFirst();
  // A different unit type already has the code (two origin references that clean up alike): make it unique.
  const code = taken === undefined ? key.code : `${key.code.slice(0, UNIT_TYPE_CODE_MAX - 9)}-${uuidv7().slice(-8)}`;
  try {
    return (
      await registry.createUnitType({
        jurisdictionId: key.jurisdictionId,
        code,
        kind: key.kind,
        issuingJurisdiction: key.issuingJurisdiction,
        vintage: key.vintage,
        ...(key.originatingFacilityId === null ? {} : { originatingFacilityId: key.originatingFacilityId }),
      })
    ).id;
  } catch (error) {
    // Two approvals racing to create the same unit type: the loser uses the winner's.
    if (error instanceof RefusedError && error.refusal.code === 'CODE_TAKEN') {
      const again = await find();
      if (again !== undefined) return again;
    }
    throw error;
  }
}

// ---------------------------------------------------------------- excess reduction credits

export interface ExcessApplicationInput {
  readonly facilityId: string;
  readonly period: number;
  readonly actor: string;
  readonly now: Date;
}

export interface CreditApplication {
  readonly id: string;
  readonly facilityId: string;
  readonly period: number;
  readonly creditType: string;
  readonly quantityT: bigint;
  readonly status: 'applied' | 'issued' | 'rejected';
  readonly evidence: unknown;
  readonly appliedBy: string;
  readonly decidedBy: string | null;
  readonly txId: string | null;
}

/** Evidence kept with an application: the computation the quantity rests on, for the reviewer. */
export interface ExcessEvidence {
  readonly rule: 'cumulative_pro_rated';
  readonly category: string;
  readonly reliefs: readonly string[];
  readonly base_t: string;
  readonly factor: string;
  readonly counted_reduction_limit_t: string | null;
  readonly years: readonly { fiscal_year: number; emissions_t: string; reduction_t: string; counted_reduction_t: string; pro_rated_obligation_t: string; position_t: string; creditable_t: string }[];
  readonly creditable_t: string;
  readonly earlier_applications_t: string;
  readonly quantity_t: string;
}

async function lockFacility(db: Database, trx: Db, facilityId: string): Promise<void> {
  // PostgreSQL: serialise applications of one facility. SQLite: write transactions are serialised already.
  if (db.engine === 'postgres') await trx.selectFrom('facilities').select('id').where('id', '=', facilityId).forUpdate().execute();
}

/**
 * Applies for the excess reduction credits a facility has earned in a period so far (tokyo_cat.md §6.1, T1, T2):
 * the cumulative pro-rated rule over the consecutive verified years from the period's start, less what earlier
 * applications for the period already claimed. Refused when nothing more is creditable or before the program's
 * application year.
 */
export async function applyForExcessCredits(db: Database, input: ExcessApplicationInput): Promise<CreditApplication> {
  checkActor(input.actor, 'actor');
  const facility = await facilityById(db.kysely, input.facilityId);
  const program = await programOf(db, facility.jurisdictionId);
  const period = periodOrRefuse(program, input.period);
  const rule = program.excessReduction;
  const creditType = program.creditTypes.find((c) => c.kind === 'excess_reduction_credit');
  if (rule === undefined || creditType === undefined) refuse('NO_EXCESS_RULE', `Program ${program.id} issues no excess reduction credits.`, 'program');
  const j = await jurisdictionOf(db.kysely, facility.jurisdictionId);
  const firstYear = period.firstFiscalYear + rule.applicationFromPeriodYear - 1;
  const currentYear = fiscalYearAt(input.now, j.timeZone, program.fiscalYearStartMonth);
  if (currentYear < firstYear) {
    refuse('APPLICATION_TOO_EARLY', `Excess reduction credits for period ${input.period} can be applied for from FY${firstYear} (year ${rule.applicationFromPeriodYear} of the period); it is FY${currentYear}.`, 'period');
  }
  const terms = await facilityTerms(db.kysely, program, facility, input.period);
  const years = fiscalYearsOf(period);
  const byYear = (await acceptedEmissionsKg(db.kysely, [facility.id], years)).get(facility.id);
  const emissionsT: Rational[] = [];
  for (const y of years) {
    const kg = byYear?.get(y);
    if (kg === undefined) break; // the rule runs over consecutive verified years from the period's start
    emissionsT.push(Rational.of(emissionsTOfKg(program, kg)));
  }
  if (emissionsT.length === 0) refuse('NO_VERIFIED_EMISSIONS', `Facility ${facility.code} has no accepted report for FY${period.firstFiscalYear}.`, 'period');
  const excess = valueOrRefuse(excessReductions(program, { period: input.period, category: terms.facility.category!, reliefs: terms.reliefs, baseT: Rational.of(terms.baseT), emissionsT }));
  const creditableT = wholeT(excess.creditableT, 'floor');

  const id = uuidv7();
  const appliedAt = input.now.toISOString();
  return db.kysely.transaction().execute(async (trx) => {
    await lockFacility(db, trx, facility.id);
    const earlier = await trx
      .selectFrom('credit_applications')
      .select('quantity_t')
      .where('facility_id', '=', facility.id)
      .where('period', '=', input.period)
      .where('credit_type', '=', creditType.code)
      .where('status', 'in', ['applied', 'issued'])
      .execute();
    const earlierT = earlier.reduce((s, r) => s + r.quantity_t, 0n);
    const quantityT = creditableT - earlierT;
    if (quantityT <= 0n) {
      const last = excess.years[excess.years.length - 1]!;
      refuse(
        'NOTHING_CREDITABLE',
        `Nothing is creditable for facility ${facility.code} in period ${input.period}: after ${excess.years.length} verified year(s) the cumulative reduction is ${last.cumulativeCountedReductionT.toDecimal(3)} t against a pro-rated obligation of ${last.proRatedObligationT.toDecimal(3)} t (creditable ${creditableT} t, already applied for ${earlierT} t).`,
        'period',
      );
    }
    const evidence: ExcessEvidence = {
      rule: 'cumulative_pro_rated',
      category: terms.facility.category!,
      reliefs: terms.reliefs,
      base_t: terms.baseT.toString(),
      factor: excess.factor.factor.toDecimal(),
      counted_reduction_limit_t: excess.countedReductionLimitT?.toDecimal(3) ?? null,
      years: excess.years.map((y) => ({
        fiscal_year: y.fiscalYear,
        emissions_t: y.emissionsT.toDecimal(),
        reduction_t: y.reductionT.toDecimal(),
        counted_reduction_t: y.countedReductionT.toDecimal(),
        pro_rated_obligation_t: y.proRatedObligationT.toDecimal(),
        position_t: y.positionT.toDecimal(),
        creditable_t: y.creditableT.toDecimal(),
      })),
      creditable_t: creditableT.toString(),
      earlier_applications_t: earlierT.toString(),
      quantity_t: quantityT.toString(),
    };
    await trx
      .insertInto('credit_applications')
      .values({
        id,
        jurisdiction_id: facility.jurisdictionId,
        facility_id: facility.id,
        period: input.period,
        credit_type: creditType.code,
        quantity_t: quantityT,
        status: 'applied',
        evidence: JSON.stringify(evidence),
        applied_at: appliedAt,
        applied_by: input.actor,
        decided_at: null,
        decided_by: null,
        reason: null,
        tx_id: null,
      })
      .execute();
    return { id, facilityId: facility.id, period: input.period, creditType: creditType.code, quantityT, status: 'applied' as const, evidence, appliedBy: input.actor, decidedBy: null, txId: null };
  });
}

export async function creditApplication(db: Database, id: string): Promise<CreditApplication> {
  const r = await db.kysely.selectFrom('credit_applications').selectAll().where('id', '=', id).executeTakeFirst();
  if (r === undefined) refuse('UNKNOWN_APPLICATION', `No credit application ${id}.`, 'applicationId');
  return {
    id: r.id,
    facilityId: r.facility_id,
    period: int(r.period),
    creditType: r.credit_type,
    quantityT: r.quantity_t,
    status: r.status as CreditApplication['status'],
    evidence: JSON.parse(r.evidence) as unknown,
    appliedBy: r.applied_by,
    decidedBy: r.decided_by,
    txId: r.tx_id,
  };
}

/** The ledger key of an application's issuance: approving twice issues once. */
export function applicationIdempotencyKey(applicationId: string): string {
  return `credit-application:${applicationId}`;
}

/**
 * Approves an application and issues its credits into the facility's compliance account, as units of the facility's
 * excess-reduction unit type for the period (`ERC-P<period>-<facility code>`, created on first use). The approver
 * must not be the applicant (four eyes). Approving an issued application again returns it unchanged.
 */
export async function approveCreditApplication(db: Database, registry: Registry, input: { applicationId: string; approver: string; now: Date }): Promise<CreditApplication & { unitTypeId: string }> {
  checkActor(input.approver, 'approver');
  const app = await creditApplication(db, input.applicationId);
  if (app.status === 'rejected') refuse('INVALID_STATE', 'The application was rejected; it cannot be approved.', 'applicationId');
  if (input.approver === app.appliedBy) refuse('FOUR_EYES', 'An application must be approved by someone other than its applicant.', 'approver');
  if (app.status === 'issued' && app.txId !== null) {
    const issued = await db.kysely.selectFrom('transactions').select('unit_type_id').where('id', '=', app.txId).executeTakeFirstOrThrow();
    return { ...app, unitTypeId: issued.unit_type_id };
  }
  const facility = await facilityById(db.kysely, app.facilityId);
  const j = await jurisdictionOf(db.kysely, facility.jurisdictionId);
  const program = await programOf(db, facility.jurisdictionId);
  const credit = valueOrRefuse(findCreditType(program, app.creditType));
  const accountId = await ensureComplianceAccount(db, registry, facility);
  const unitTypeId = await ensureUnitType(db, registry, {
    jurisdictionId: j.id,
    kind: credit.kind,
    vintage: app.period,
    issuingJurisdiction: j.code,
    originatingFacilityId: facility.id,
    code: unitTypeCode(UNIT_CODE_PREFIX[credit.kind], app.period, facility.code),
  });
  const tx = txOrThrow(
    await registry.submit(j.id, { type: 'issuance', toAccountId: accountId, unitTypeId, quantityT: app.quantityT }, { idempotencyKey: applicationIdempotencyKey(app.id), actor: input.approver, execute: true }),
  );
  await db.kysely
    .updateTable('credit_applications')
    .set({ status: 'issued', decided_at: input.now.toISOString(), decided_by: input.approver, tx_id: tx.id })
    .where('id', '=', app.id)
    .where('status', '=', 'applied')
    .execute();
  return { ...(await creditApplication(db, app.id)), unitTypeId };
}

export async function rejectCreditApplication(db: Database, input: { applicationId: string; actor: string; reason: string; now: Date }): Promise<CreditApplication> {
  checkActor(input.actor, 'actor');
  if (input.reason.trim() === '' || input.reason.length > REASON_MAX) refuse('REASON_INVALID', `A rejection gives a reason (1 to ${REASON_MAX} characters).`, 'reason');
  const app = await creditApplication(db, input.applicationId);
  if (app.status === 'rejected') return app;
  if (app.status !== 'applied') refuse('INVALID_STATE', `The application is ${app.status}; only an open application can be rejected.`, 'applicationId');
  if (input.actor === app.appliedBy) refuse('FOUR_EYES', 'An application must be decided by someone other than its applicant.', 'actor');
  await db.kysely
    .updateTable('credit_applications')
    .set({ status: 'rejected', decided_at: input.now.toISOString(), decided_by: input.actor, reason: input.reason })
    .where('id', '=', app.id)
    .where('status', '=', 'applied')
    .execute();
  return creditApplication(db, app.id);
}

// ---------------------------------------------------------------- credits the authority issues

/** Where credits come from. A facility in this database is looked up; otherwise the partner authority's figures are given. */
export interface CreditOrigin {
  /** The jurisdiction of the reduction (the issuing jurisdiction of the units), e.g. SAITAMA. */
  readonly jurisdictionCode: string;
  /** The originating facility's code (or the project's reference for renewable and small/mid credits). */
  readonly facilityRef: string;
  /** Declared base-year emissions of an origin outside this database (t/year). */
  readonly baseT?: bigint;
  /** Declared: the origin met its own target or obligation for the vintage period. */
  readonly complied?: boolean;
  /** Who verified the reduction (a registered verification agency). */
  readonly verifiedBy?: string;
}

export interface IssueCreditsInput {
  readonly jurisdictionCode: string;
  /** The program's credit type code, e.g. small_mid, renewable, outside, saitama_linked. */
  readonly creditCode: string;
  readonly vintagePeriod: number;
  readonly quantityT: bigint;
  readonly toAccountId: string;
  readonly origin: CreditOrigin;
  readonly actor: string;
  readonly idempotencyKey: string;
}

export interface IssuedCredits {
  readonly txId: string;
  readonly unitTypeId: string;
  readonly quantityT: bigint;
  readonly replayed: boolean;
  /** The facts eligibility was decided on. */
  readonly eligibility: { readonly originBaseT: string | null; readonly originComplied: boolean | null; readonly source: 'database' | 'declared' };
}

/**
 * The authority issues credits of a kind other than excess reductions, with their provenance (issuing jurisdiction,
 * vintage period, originating facility) on the unit type, after the credit type's eligibility rules: the origin's
 * base at most originMaxBaseT, the origin having complied, a verifier named when verification is required.
 */
export async function issueCredits(db: Database, registry: Registry, input: IssueCreditsInput): Promise<IssuedCredits> {
  checkActor(input.actor, 'actor');
  checkQuantity(input.quantityT, 'quantityT');
  if (input.idempotencyKey.trim() === '' || input.idempotencyKey.length > 150) refuse('IDEMPOTENCY_KEY_INVALID', 'An idempotency key of 1 to 150 characters is required.', 'idempotencyKey');
  if (input.origin.facilityRef.trim() === '' || input.origin.facilityRef.length > 100) refuse('ORIGIN_INVALID', 'The origin is named (1 to 100 characters).', 'origin.facilityRef');
  const j = await db.kysely.selectFrom('jurisdictions').select(['id', 'code']).where('code', '=', input.jurisdictionCode).executeTakeFirst();
  if (j === undefined) refuse('UNKNOWN_JURISDICTION', `No jurisdiction ${input.jurisdictionCode}.`, 'jurisdiction');
  const program = await programOf(db, j.id);
  periodOrRefuse(program, input.vintagePeriod);
  const credit = valueOrRefuse(findCreditType(program, input.creditCode));
  if (credit.kind === 'excess_reduction_credit' || credit.kind === 'allowance') {
    refuse('ISSUED_ON_APPLICATION', `"${credit.code}" units are issued on an approved application (excess reductions) or by allocation, not directly.`, 'creditCode');
  }
  // The origin: a facility in this database when its jurisdiction and code are found here.
  const local = await db.kysely
    .selectFrom('facilities as f')
    .innerJoin('jurisdictions as oj', 'oj.id', 'f.jurisdiction_id')
    .select(['f.id'])
    .where('oj.code', '=', input.origin.jurisdictionCode)
    .where('f.code', '=', input.origin.facilityRef)
    .executeTakeFirst();
  const rules = credit.eligibility;
  let originBaseT: bigint | null = null;
  let originComplied: boolean | null = null;
  if (rules?.originMaxBaseT !== undefined) {
    originBaseT = local === undefined ? (input.origin.baseT ?? null) : ((await activeBaseT(db.kysely, local.id)) ?? null);
    if (originBaseT === null) refuse('ORIGIN_BASE_REQUIRED', `"${credit.code}" credits need the originating facility's base-year emissions.`, 'origin.baseT');
    const max = Rational.parseDecimal(rules.originMaxBaseT)!;
    if (Rational.of(originBaseT).gt(max)) {
      refuse('ORIGIN_NOT_ELIGIBLE', `The originating facility's base of ${originBaseT} t exceeds the ${rules.originMaxBaseT} t allowed for "${credit.code}" credits.`, 'origin.baseT');
    }
  }
  if (rules?.originMustHaveComplied === true) {
    if (local === undefined) {
      originComplied = input.origin.complied ?? null;
    } else {
      const result = await db.kysely.selectFrom('compliance_results').select('status').where('facility_id', '=', local.id).where('period', '=', input.vintagePeriod).orderBy('fiscal_year', 'desc').executeTakeFirst();
      originComplied = result?.status === 'compliant';
    }
    if (originComplied !== true) {
      refuse('ORIGIN_NOT_COMPLIED', `"${credit.code}" credits come only from facilities that met their own target for period ${input.vintagePeriod}.`, 'origin.complied');
    }
  }
  if (rules?.verificationRequired === true && (input.origin.verifiedBy === undefined || input.origin.verifiedBy.trim() === '')) {
    refuse('VERIFICATION_REQUIRED', `"${credit.code}" credits need a verified reduction: name the verification agency.`, 'origin.verifiedBy');
  }
  const unitTypeId = await ensureUnitType(db, registry, {
    jurisdictionId: j.id,
    kind: credit.kind,
    vintage: input.vintagePeriod,
    issuingJurisdiction: input.origin.jurisdictionCode,
    originatingFacilityId: local?.id ?? null,
    code: unitTypeCode(UNIT_CODE_PREFIX[credit.kind], input.vintagePeriod, `${input.origin.jurisdictionCode}-${input.origin.facilityRef}`),
  });
  const result = await registry.submit(j.id, { type: 'issuance', toAccountId: input.toAccountId, unitTypeId, quantityT: input.quantityT }, { idempotencyKey: `credits:${input.idempotencyKey}`, actor: input.actor, execute: true });
  const tx = txOrThrow(result);
  return {
    txId: tx.id,
    unitTypeId,
    quantityT: tx.quantityT,
    replayed: result.ok && result.replayed,
    eligibility: { originBaseT: originBaseT?.toString() ?? null, originComplied, source: local === undefined ? 'declared' : 'database' },
  };
}

// ---------------------------------------------------------------- surrender for compliance

export interface SurrenderInput {
  readonly facilityId: string;
  readonly period: number;
  /** Allocation programs (annual surrender): the emissions year the units cover. Not used by obligation programs. */
  readonly fiscalYear?: number;
  readonly lines: readonly { readonly unitTypeId: string; readonly quantityT: bigint }[];
  readonly actor: string;
  readonly now: Date;
  /** Makes a retry safe: the same key returns the earlier result. A new key when absent. */
  readonly idempotencyKey?: string;
}

export interface SurrenderResult {
  readonly txIds: readonly string[];
  readonly surrenderedT: bigint;
  readonly replayed: boolean;
}

function lineKey(base: string, i: number): string {
  return `surrender:${base}:${i}`;
}

/** The period a unit's vintage belongs to: allocation programs date allowances by year, obligation programs by period. */
function vintagePeriod(program: ProgramDefinition, vintage: number): number | undefined {
  if (program.kind === 'obligation') return vintage;
  return program.periods.find((p) => p.firstFiscalYear <= vintage && vintage <= p.lastFiscalYear)?.number;
}

/** A refusal about one line, named by the line. */
function lineRefusal(r: Refusal, i: number): RefusedError {
  return new RefusedError({ ...r, field: `lines[${i}].${r.field ?? 'quantityT'}` });
}

/**
 * Surrenders units from the facility's compliance account for a period (or, in an allocation program, for one
 * emissions year): all lines or none.
 *
 * Every rule is checked before anything moves: the period's adjustment window, the unit kinds the program accepts,
 * banking (a unit's vintage period may be used in the same or the next period), the usage limits (counting earlier
 * surrenders for the period) and the holdings. The lines then go to the ledger as one atomic group
 * (Registry.runAtomically): they complete together in one database transaction, or — when the ledger still
 * refuses one, because another transaction drained the account in between — none does and the request is
 * refused naming that line. The compliance_surrenders rows are written once every line completed.
 */
export async function surrenderForCompliance(db: Database, registry: Registry, input: SurrenderInput): Promise<SurrenderResult> {
  checkActor(input.actor, 'actor');
  const key = input.idempotencyKey ?? uuidv7();
  if (key.trim() === '' || key.length > 150) refuse('IDEMPOTENCY_KEY_INVALID', 'An idempotency key of 1 to 150 characters is required.', 'idempotencyKey');
  if (input.lines.length === 0 || input.lines.length > SURRENDER_LINES_MAX) refuse('LINES_INVALID', `A surrender has 1 to ${SURRENDER_LINES_MAX} lines.`, 'lines');
  const seen = new Set<string>();
  input.lines.forEach((l, i) => {
    checkQuantity(l.quantityT, `lines[${i}].quantityT`);
    if (seen.has(l.unitTypeId)) refuse('DUPLICATE_LINE', 'Each unit type appears on one line only.', `lines[${i}].unitTypeId`);
    seen.add(l.unitTypeId);
  });
  const facility = await facilityById(db.kysely, input.facilityId);
  const program = await programOf(db, facility.jurisdictionId);
  const period = periodOrRefuse(program, input.period);
  const j = await jurisdictionOf(db.kysely, facility.jurisdictionId);
  const today = localDate(input.now, j.timeZone);
  if (today > period.adjustmentWindowEnd) {
    refuse('SURRENDER_WINDOW_CLOSED', `Units for period ${input.period} could be surrendered until ${period.adjustmentWindowEnd}; it is ${today}.`, 'period');
  }
  if (facility.accountId === null) refuse('NO_COMPLIANCE_ACCOUNT', `Facility ${facility.code} has no compliance account.`, 'facility');
  const accountId = facility.accountId;
  const annual = program.kind === 'allocation';
  if (annual && (input.fiscalYear === undefined || input.fiscalYear < period.firstFiscalYear || input.fiscalYear > period.lastFiscalYear)) {
    refuse('FISCAL_YEAR_INVALID', `An allocation program surrenders per year: give the emissions year, FY${period.firstFiscalYear}–FY${period.lastFiscalYear}.`, 'fiscalYear');
  }
  if (!annual && input.fiscalYear !== undefined) refuse('FISCAL_YEAR_NOT_APPLICABLE', `Program ${program.id} surrenders per period, not per year.`, 'fiscalYear');
  // Obligation programs: the cap and obligation the usage limits are shares of. Allocation programs have none.
  const terms = annual ? undefined : await facilityTerms(db.kysely, program, facility, input.period);
  const keys = input.lines.map((_, i) => lineKey(key, i));

  const existing = await db.kysely.selectFrom('transactions').select('id').where('jurisdiction_id', '=', j.id).where('idempotency_key', 'in', keys).execute();
  if (existing.length === 0) {
    const unitTypes = await db.kysely
      .selectFrom('unit_types')
      .select(['id', 'code', 'kind', 'vintage'])
      .where('jurisdiction_id', '=', j.id)
      .where('id', 'in', input.lines.map((l) => l.unitTypeId))
      .execute();
    const byId = new Map(unitTypes.map((u) => [u.id, u]));
    const newLines: SurrenderLine[] = [];
    for (const [i, line] of input.lines.entries()) {
      const u = byId.get(line.unitTypeId);
      if (u === undefined) refuse('UNKNOWN_UNIT_TYPE', `No unit type ${line.unitTypeId} in this registry.`, `lines[${i}].unitTypeId`);
      const credit = creditTypeOfKind(program, u.kind);
      if (credit === undefined) refuse('UNIT_KIND_NOT_ACCEPTED', `Program ${program.id} does not accept ${u.kind} units (${u.code}) for compliance.`, `lines[${i}].unitTypeId`);
      if (u.vintage === null) refuse('VINTAGE_UNKNOWN', `Unit type ${u.code} has no vintage period, so banking cannot be checked.`, `lines[${i}].unitTypeId`);
      const vintage = vintagePeriod(program, int(u.vintage));
      if (vintage === undefined) refuse('VINTAGE_OUTSIDE_PROGRAM', `${u.code} units are of ${u.vintage}, which lies in no period of program ${program.id}.`, `lines[${i}].unitTypeId`);
      if (!bankingAllows(program, vintage, input.period)) {
        const horizon = program.banking.allowed ? program.banking.horizonPeriods : 0;
        const until = horizon === null ? 'any later period' : horizon === 0 ? `period ${vintage} only` : `period ${vintage} to ${vintage + horizon}`;
        refuse('BANKING_NOT_ALLOWED', `${u.code} units are of period ${vintage}: they can be used in ${until}, not period ${input.period}.`, `lines[${i}].unitTypeId`);
      }
      const held = await db.kysely.selectFrom('balances').select('quantity_t').where('account_id', '=', accountId).where('unit_type_id', '=', u.id).executeTakeFirst();
      const heldT = held?.quantity_t ?? 0n;
      if (heldT < line.quantityT) refuse('INSUFFICIENT_UNITS', `The compliance account holds ${heldT} t of ${u.code}; ${line.quantityT} t were requested.`, `lines[${i}].quantityT`);
      newLines.push({ creditCode: credit.code, quantityT: line.quantityT });
    }
    const earlier = (await surrenderedFor(db.kysely, [facility.id], input.period)).get(facility.id) ?? [];
    const earlierLines = earlier.flatMap((s): SurrenderLine[] => {
      const c = creditTypeOfKind(program, s.kind);
      return c === undefined ? [] : [{ creditCode: c.code, quantityT: s.quantityT }];
    });
    const refusals = terms === undefined ? [] : checkCreditUsage(program, Rational.of(terms.obligationT), [...earlierLines, ...newLines]);
    if (refusals.length > 0) {
      const r = refusals[0]!;
      const i = newLines.findIndex((l) => l.creditCode === r.field);
      const earlierT = earlierLines.filter((l) => l.creditCode === r.field).reduce((s, l) => s + l.quantityT, 0n);
      throw new RefusedError({ ...r, message: `${r.message} (including ${earlierT} t surrendered earlier for this period)`, field: i >= 0 ? `lines[${i}].quantityT` : 'lines' });
    }
  }

  const results = await registry.runAtomically(
    j.id,
    input.lines.map((l, i) => ({
      kind: 'submit' as const,
      request: { type: 'surrender' as const, fromAccountId: accountId, unitTypeId: l.unitTypeId, quantityT: l.quantityT },
      idempotencyKey: keys[i]!,
      actor: input.actor,
      execute: true,
    })),
  );
  const refused = results.findIndex((r) => !r.ok && r.refusal.code !== 'GROUP_REFUSED');
  if (refused >= 0) {
    const r = results[refused]!;
    throw lineRefusal(r.ok ? refusal('INTERNAL', 'unreachable') : r.refusal, refused);
  }
  const txs = results.map((r) => txOrThrow(r));
  const recordedAt = input.now.toISOString();
  await db.kysely.transaction().execute(async (trx) => {
    for (const t of txs) {
      await trx
        .insertInto('compliance_surrenders')
        .values({ tx_id: t.id, facility_id: facility.id, period: input.period, fiscal_year: input.fiscalYear ?? null, recorded_at: recordedAt })
        .onConflict((oc) => oc.column('tx_id').doNothing())
        .execute();
    }
  });
  return { txIds: txs.map((t) => t.id), surrenderedT: txs.reduce((s, t) => s + t.quantityT, 0n), replayed: results.every((r) => r.ok && r.replayed) };
}
