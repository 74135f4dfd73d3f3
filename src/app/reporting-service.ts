// The facilities, reporting, credits, compliance and program use-cases as the HTTP API calls them: each method
// authorizes the actor for the action on the resource's scope (AccessControl.authorize, the PERMISSIONS table)
// first, then calls the use-case, then appends the audit event. Resources are addressed within a jurisdiction by
// its code (facilities by their code, reports and applications by id), so a resource of another jurisdiction is
// simply not found.
//
// Authorization refusals (ROLE_REQUIRED, SCOPE_MISMATCH …) are raised as FORBIDDEN (403) with the rule's message;
// `gate` is the coarse check (does the actor hold a role for the action anywhere in the jurisdiction?) that the HTTP
// layer runs before it validates a request, so that nobody without standing learns what a valid request looks like.
import { RefusedError, refusal, type Refusal } from '../domain/errors.js';
import { isPlainIdentifier } from '../domain/identifiers.js';
import { decide, permissionOf, type Action } from '../domain/access/permissions.js';
import type { Actor } from '../domain/access/roles.js';
import type { FacilityStatus } from '../domain/mrv/designation.js';
import type { LineInput } from '../domain/mrv/conversion.js';
import { validateProgram, formatFieldError, type ProgramDefinition } from '../domain/program/schema.js';
import type { Database } from '../store/db.js';
import { appendAuditEvent, type AuditEventInput } from './audit.js';
import { AccessControl, forbidden } from './authorization.js';
import { complianceReport, runCompliance, type ComplianceReport, type RunSummary } from './compliance.js';
import {
  approveCreditApplication,
  applyForExcessCredits,
  creditApplication,
  rejectCreditApplication,
  surrenderForCompliance,
  type CreditApplication,
  type SurrenderResult,
} from './credits.js';
import { Facilities, big, int, type FacilityInput, type StatusDecisionView } from './facilities.js';
import { adoptProgram } from './programs.js';
import { Registry } from './registry.js';
import { Reporting, type BaseYearView, type RecalculationInput, type ReportView } from './reporting.js';

export interface AgencyVerifier {
  readonly userId: string;
  readonly login: string;
  readonly displayName: string;
  readonly addedAt: string;
}

export interface ReportingServiceOptions {
  readonly clock?: () => Date;
  /** Shared with other contexts when given (its settings decide representative rules); a default one otherwise. */
  readonly access?: AccessControl;
  readonly registry?: Registry;
}

export interface JurisdictionRef {
  readonly id: string;
  readonly code: string;
}

export interface FacilityView {
  readonly id: string;
  readonly jurisdiction: string;
  readonly code: string;
  readonly name: string;
  readonly owner: string;
  readonly category: string | null;
  readonly useType: string;
  readonly floorAreaM2: bigint | null;
  readonly address: string | null;
  readonly city: string | null;
  readonly country: string | null;
  readonly status: string;
  readonly accountId: string | null;
  readonly accountNumber: string | null;
  readonly createdAt: string;
}

export interface FacilityDetail extends FacilityView {
  readonly statusHistory: readonly StatusDecisionView[];
  readonly baseYear: BaseYearView | null;
  readonly verifiers: readonly { readonly fromFiscalYear: number; readonly agencyId: string }[];
  readonly reliefs: readonly { readonly period: number; readonly reliefCode: string }[];
}

export interface ReportSummary {
  readonly id: string;
  readonly fiscalYear: number;
  readonly version: number;
  readonly status: string;
  readonly coeL: bigint;
  readonly emissionsKg: bigint;
  readonly createdAt: string;
}

/** What registering a facility takes over HTTP: the use-case's input, the jurisdiction coming from the path. */
export type FacilityRegistration = Omit<FacilityInput, 'jurisdictionId'>;

export type DesignationInput = { readonly fiscalYear: number } | { readonly fiscalYear: number; readonly status: FacilityStatus; readonly reason: string };


function refuse(code: string, message: string, field?: string): never {
  throw new RefusedError(refusal(code, message, field));
}

type FacilityRecord = FacilityView & { readonly jurisdictionId: string };

export class ReportingService {
  readonly access: AccessControl;
  readonly registry: Registry;
  readonly facilities: Facilities;
  readonly reporting: Reporting;
  private readonly clock: () => Date;

  constructor(
    readonly db: Database,
    options: ReportingServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.access = options.access ?? new AccessControl(db, { clock: this.clock });
    this.registry = options.registry ?? new Registry(db, { clock: this.clock });
    this.facilities = new Facilities(this.registry, { clock: this.clock });
    this.reporting = new Reporting(db, { clock: this.clock });
  }

  // ---- authorization ---------------------------------------------------------------------------------------

  /**
   * The check before a request is validated. With the facility code or report id of the path (raw, unvalidated):
   * when it names a resource of the jurisdiction, the full check on its account. Otherwise the coarse one: the actor
   * holds one of the actions' roles somewhere in the jurisdiction (a grant over any account counts). An unknown
   * jurisdiction passes: the use-case method answers 404 for it.
   */
  async gate(actor: Actor, actions: readonly Action[], jurisdictionCode: string, resource: { facility?: unknown; reportId?: unknown } = {}): Promise<void> {
    if (actor.kind === 'anonymous') throw forbidden(refusal('SIGN_IN_REQUIRED', 'Sign in first.'));
    if (actor.kind === 'system') return;
    // Not identifiers: the route's validation answers 400 after this hook.
    if (!isPlainIdentifier(jurisdictionCode)) return;
    const j = await this.db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', jurisdictionCode).executeTakeFirst();
    if (j === undefined) return;
    const named = async (): Promise<{ account_id: string | null } | undefined> => {
      if (isPlainIdentifier(resource.facility)) {
        return this.db.kysely.selectFrom('facilities').select('account_id').where('jurisdiction_id', '=', j.id).where('code', '=', resource.facility).executeTakeFirst();
      }
      if (isPlainIdentifier(resource.reportId, 200)) {
        return this.db.kysely
          .selectFrom('reports as r')
          .innerJoin('facilities as f', 'f.id', 'r.facility_id')
          .select('f.account_id')
          .where('r.jurisdiction_id', '=', j.id)
          .where('r.id', '=', resource.reportId)
          .executeTakeFirst();
      }
      return undefined;
    };
    const target = await named();
    if (target !== undefined) return this.require(actor, actions, j.id, target.account_id);
    const refused = await this.access.standing(actor, actions, j.id);
    if (refused !== null) throw forbidden(refused);
  }

  /** authorize for one of the actions (the first that allows), or the first refusal as a 403. */
  private async require(actor: Actor, actions: readonly Action[], jurisdictionId: string, accountId: string | null): Promise<void> {
    let first: Refusal | undefined;
    for (const action of actions) {
      const level = permissionOf(action).level;
      let d;
      if (level !== 'account' || accountId !== null) {
        d = await this.access.authorize(actor, action, level === 'account' && accountId !== null ? { jurisdictionId, accountId } : { jurisdictionId });
      } else {
        // A facility without a compliance account: only jurisdiction-wide grants cover it.
        const grants = (await this.access.grantsOf(actor, jurisdictionId)).filter((g) => g.accountId === null);
        d = decide(actor, grants, action, { jurisdictionId, accountId: '' });
      }
      if (d.allowed) return;
      first ??= d.refusal;
    }
    throw forbidden(first ?? refusal('ROLE_REQUIRED', 'No role of yours allows this here.'));
  }

  private async audit(actor: Actor, event: AuditEventInput): Promise<void> {
    await appendAuditEvent(this.db.kysely, actor, event, this.clock());
  }

  // ---- look-ups --------------------------------------------------------------------------------------------

  async jurisdiction(code: string): Promise<JurisdictionRef> {
    const j = await this.db.kysely.selectFrom('jurisdictions').select(['id', 'code']).where('code', '=', code).executeTakeFirst();
    if (j === undefined) refuse('UNKNOWN_JURISDICTION', `No jurisdiction ${code}.`, 'code');
    return j;
  }

  private async facilityByCode(j: JurisdictionRef, facilityCode: string): Promise<FacilityRecord> {
    const rows = await this.facilityQuery(j.id).where('f.code', '=', facilityCode).execute();
    const f = rows[0];
    if (f === undefined) refuse('UNKNOWN_FACILITY', `No facility ${facilityCode} in ${j.code}.`, 'facility');
    return facilityOf(j.code, f);
  }

  private async facilityById(j: JurisdictionRef, facilityId: string): Promise<FacilityRecord> {
    const rows = await this.facilityQuery(j.id).where('f.id', '=', facilityId).execute();
    const f = rows[0];
    if (f === undefined) refuse('UNKNOWN_FACILITY', `No facility ${facilityId} in ${j.code}.`, 'facility');
    return facilityOf(j.code, f);
  }

  private facilityQuery(jurisdictionId: string) {
    return this.db.kysely
      .selectFrom('facilities as f')
      .leftJoin('accounts as a', 'a.id', 'f.account_id')
      .select(['f.id', 'f.jurisdiction_id', 'f.code', 'f.name', 'f.owner', 'f.category', 'f.use_type', 'f.floor_area_m2', 'f.address', 'f.city', 'f.country', 'f.status', 'f.account_id', 'f.created_at', 'a.number as account_number'])
      .where('f.jurisdiction_id', '=', jurisdictionId);
  }

  private async reportIn(j: JurisdictionRef, reportId: string): Promise<{ report: ReportView; facility: FacilityRecord }> {
    const row = await this.db.kysely.selectFrom('reports').select(['id', 'facility_id']).where('id', '=', reportId).where('jurisdiction_id', '=', j.id).executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_REPORT', `No report ${reportId} in ${j.code}.`, 'reportId');
    const facility = await this.facilityById(j, row.facility_id);
    return { report: await this.reporting.report(reportId), facility };
  }

  private async applicationIn(j: JurisdictionRef, applicationId: string): Promise<CreditApplication> {
    const row = await this.db.kysely.selectFrom('credit_applications').select('id').where('id', '=', applicationId).where('jurisdiction_id', '=', j.id).executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_APPLICATION', `No credit application ${applicationId} in ${j.code}.`, 'applicationId');
    return creditApplication(this.db, applicationId);
  }

  // ---- facilities ------------------------------------------------------------------------------------------

  async registerFacility(actor: Actor, code: string, input: FacilityRegistration): Promise<FacilityDetail> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['facility.register'], j.id, null);
    const created = await this.facilities.registerFacility({ ...input, jurisdictionId: j.id }, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'facility.register', objectType: 'facility', objectId: created.id, after: { code: input.code, status: created.status, accountId: created.accountId } });
    return this.detail(j, await this.facilityById(j, created.id));
  }

  /** The facilities the actor may read: all of them for jurisdiction-wide grants, else those of the accounts it operates. */
  async myFacilities(actor: Actor, code: string, page: { limit: number; afterCode?: string | undefined }): Promise<FacilityView[]> {
    const j = await this.jurisdiction(code);
    await this.gate(actor, ['facility.read'], code);
    const roles: readonly string[] = permissionOf('facility.read').roles;
    const grants = (await this.access.grantsOf(actor, j.id)).filter((g) => roles.includes(g.role));
    const wide = grants.some((g) => g.accountId === null) || actor.kind === 'system';
    const accounts = grants.flatMap((g) => (g.accountId === null ? [] : [g.accountId]));
    if (!wide && accounts.length === 0) return [];
    let q = this.facilityQuery(j.id);
    if (!wide) q = q.where('f.account_id', 'in', accounts);
    if (page.afterCode !== undefined) q = q.where('f.code', '>', page.afterCode);
    const rows = await q.orderBy('f.code').limit(page.limit).execute();
    return rows.map((r) => facilityOf(j.code, r));
  }

  async facility(actor: Actor, code: string, facilityCode: string): Promise<FacilityDetail> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['facility.read'], j.id, f.accountId);
    return this.detail(j, f);
  }

  private async detail(j: JurisdictionRef, f: FacilityRecord): Promise<FacilityDetail> {
    const history = await this.facilities.history(f.id);
    const base = await this.reporting.activeBaseYear(f.id);
    const verifiers = await this.db.kysely.selectFrom('facility_verifiers').select(['from_fiscal_year', 'agency_id']).where('facility_id', '=', f.id).orderBy('from_fiscal_year').execute();
    const reliefs = await this.db.kysely.selectFrom('facility_reliefs').select(['period', 'relief_code']).where('facility_id', '=', f.id).orderBy('period').orderBy('relief_code').execute();
    return {
      id: f.id,
      jurisdiction: j.code,
      code: f.code,
      name: f.name,
      owner: f.owner,
      category: f.category,
      useType: f.useType,
      floorAreaM2: f.floorAreaM2,
      address: f.address,
      city: f.city,
      country: f.country,
      status: f.status,
      accountId: f.accountId,
      accountNumber: f.accountNumber,
      createdAt: f.createdAt,
      statusHistory: history,
      baseYear: base ?? null,
      verifiers: verifiers.map((v) => ({ fromFiscalYear: int(v.from_fiscal_year), agencyId: v.agency_id })),
      reliefs: reliefs.map((r) => ({ period: int(r.period), reliefCode: r.relief_code })),
    };
  }

  /** The authority's designation decision: computed for the fiscal year, or a stated status with its reason. */
  async decideDesignation(actor: Actor, code: string, facilityCode: string, input: DesignationInput): Promise<StatusDecisionView> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['facility.designate'], j.id, f.accountId);
    const decision =
      'status' in input
        ? await this.facilities.recordStatus(f.id, input.fiscalYear, input.status, input.reason, actor.id)
        : await this.facilities.decideDesignation(f.id, input.fiscalYear, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'facility.designate', objectType: 'facility', objectId: f.id, before: { status: f.status }, after: decision });
    return decision;
  }

  async grantRelief(actor: Actor, code: string, facilityCode: string, period: number, reliefCode: string): Promise<void> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['facility.designate'], j.id, f.accountId);
    await this.facilities.grantRelief(f.id, period, reliefCode, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'facility.relief', objectType: 'facility', objectId: f.id, after: { period, reliefCode } });
  }

  // ---- verification agencies ------------------------------------------------------------------------------

  async registerAgency(actor: Actor, code: string, input: { name: string; categories: readonly string[] }): Promise<{ id: string }> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['program.configure'], j.id, null);
    const created = await this.facilities.registerAgency({ jurisdictionId: j.id, name: input.name, categories: input.categories }, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'agency.register', objectType: 'verification_agency', objectId: created.id, after: input });
    return created;
  }

  /** The verifiers of an agency (user id, login, display name): who may verify in its name. */
  async agencyVerifiers(actor: Actor, code: string, agencyId: string): Promise<AgencyVerifier[]> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['program.configure'], j.id, null);
    await this.agencyOf(j, agencyId);
    const rows = await this.db.kysely
      .selectFrom('agency_verifiers as v')
      .innerJoin('users as u', 'u.id', 'v.user_id')
      .select(['v.user_id', 'u.login', 'u.display_name', 'v.added_at'])
      .where('v.agency_id', '=', agencyId)
      .orderBy('u.login')
      .execute();
    return rows.map((r) => ({ userId: r.user_id, login: r.login, displayName: r.display_name, addedAt: r.added_at }));
  }

  /** Makes a user a verifier of the agency (the user also needs the verifier role to verify anything). */
  async addAgencyVerifier(actor: Actor, code: string, agencyId: string, userId: string): Promise<AgencyVerifier[]> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['program.configure'], j.id, null);
    await this.agencyOf(j, agencyId);
    const user = await this.db.kysely.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (user === undefined) refuse('UNKNOWN_USER', `No user ${userId}.`, 'userId');
    const now = this.clock();
    await this.db.kysely.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom('agency_verifiers').select('user_id').where('agency_id', '=', agencyId).where('user_id', '=', userId).executeTakeFirst();
      if (taken !== undefined) refuse('ALREADY_MEMBER', `User ${userId} already verifies for this agency.`, 'userId');
      await trx.insertInto('agency_verifiers').values({ agency_id: agencyId, user_id: userId, added_at: now.toISOString(), added_by: actor.id }).execute();
      await appendAuditEvent(trx, actor, { jurisdictionId: j.id, action: 'agency.verifier.add', objectType: 'verification_agency', objectId: agencyId, after: { userId } }, now);
    });
    return this.agencyVerifiers(actor, code, agencyId);
  }

  async removeAgencyVerifier(actor: Actor, code: string, agencyId: string, userId: string): Promise<void> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['program.configure'], j.id, null);
    await this.agencyOf(j, agencyId);
    const now = this.clock();
    await this.db.kysely.transaction().execute(async (trx) => {
      const removed = await trx.deleteFrom('agency_verifiers').where('agency_id', '=', agencyId).where('user_id', '=', userId).executeTakeFirst();
      if (removed.numDeletedRows === 0n) refuse('NOT_MEMBER', `User ${userId} does not verify for this agency.`, 'userId');
      await appendAuditEvent(trx, actor, { jurisdictionId: j.id, action: 'agency.verifier.remove', objectType: 'verification_agency', objectId: agencyId, before: { userId } }, now);
    });
  }

  private async agencyOf(j: JurisdictionRef, agencyId: string): Promise<void> {
    const agency = await this.db.kysely.selectFrom('verification_agencies').select('id').where('id', '=', agencyId).where('jurisdiction_id', '=', j.id).executeTakeFirst();
    if (agency === undefined) refuse('UNKNOWN_AGENCY', `No verification agency ${agencyId} in ${j.code}.`, 'agencyId');
  }

  async assignVerifier(actor: Actor, code: string, facilityCode: string, agencyId: string, fromFiscalYear: number): Promise<FacilityDetail> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['facility.designate'], j.id, f.accountId);
    await this.facilities.assignVerifier(f.id, agencyId, fromFiscalYear, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'agency.assign', objectType: 'facility', objectId: f.id, after: { agencyId, fromFiscalYear } });
    return this.detail(j, f);
  }

  // ---- reports ---------------------------------------------------------------------------------------------

  async createDraft(actor: Actor, code: string, facilityCode: string, fiscalYear: number, lines: readonly LineInput[]): Promise<ReportView> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['report.submit'], j.id, f.accountId);
    const report = await this.reporting.createDraft(f.id, fiscalYear, lines, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'report.create', objectType: 'report', objectId: report.id, after: summaryOf(report) });
    return report;
  }

  async reports(actor: Actor, code: string, facilityCode: string, page: { limit: number; after?: readonly [number, number] | undefined }): Promise<ReportSummary[]> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['report.read'], j.id, f.accountId);
    let q = this.db.kysely.selectFrom('reports').select(['id', 'fiscal_year', 'version', 'status', 'coe_l', 'emissions_kg', 'created_at']).where('facility_id', '=', f.id);
    const after = page.after;
    if (after !== undefined) q = q.where((eb) => eb.or([eb('fiscal_year', '>', after[0]), eb.and([eb('fiscal_year', '=', after[0]), eb('version', '>', after[1])])]));
    const rows = await q.orderBy('fiscal_year').orderBy('version').limit(page.limit).execute();
    return rows.map((r) => ({ id: r.id, fiscalYear: int(r.fiscal_year), version: int(r.version), status: r.status, coeL: big(r.coe_l), emissionsKg: big(r.emissions_kg), createdAt: r.created_at }));
  }

  async report(actor: Actor, code: string, reportId: string): Promise<ReportView & { facilityCode: string }> {
    const j = await this.jurisdiction(code);
    const { report, facility } = await this.reportIn(j, reportId);
    await this.require(actor, ['report.read'], j.id, facility.accountId);
    return { ...report, facilityCode: facility.code };
  }

  /** One workflow step on a report: authorize for `actions` on the report's facility, run the step, audit it. */
  private async step(actor: Actor, code: string, reportId: string, actions: readonly Action[], auditAction: string, run: (r: ReportView) => Promise<ReportView>): Promise<ReportView & { facilityCode: string }> {
    const j = await this.jurisdiction(code);
    const { report, facility } = await this.reportIn(j, reportId);
    await this.require(actor, actions, j.id, facility.accountId);
    const after = await run(report);
    await this.audit(actor, { jurisdictionId: j.id, action: auditAction, objectType: 'report', objectId: after.id, before: summaryOf(report), after: summaryOf(after) });
    return { ...after, facilityCode: facility.code };
  }

  async updateDraft(actor: Actor, code: string, reportId: string, lines: readonly LineInput[]): Promise<ReportView & { facilityCode: string }> {
    return this.step(actor, code, reportId, ['report.submit'], 'report.update', () => this.reporting.updateDraft(reportId, lines, actor.id));
  }

  async submit(actor: Actor, code: string, reportId: string): Promise<ReportView & { facilityCode: string }> {
    return this.step(actor, code, reportId, ['report.submit'], 'report.submit', () => this.reporting.submit(reportId, actor.id));
  }

  /**
   * Verification by a verifier in the name of an agency they belong to (agency_verifiers), which must be the agency
   * assigned to the facility for the report's year; otherwise FORBIDDEN naming agencyId.
   */
  async verify(actor: Actor, code: string, reportId: string, agencyId: string): Promise<ReportView & { facilityCode: string }> {
    return this.step(actor, code, reportId, ['report.verify'], 'report.verify', async (r) => {
      await this.requireAssignedVerifier(actor, r, agencyId);
      return this.reporting.verify(reportId, agencyId, actor.id);
    });
  }

  /** The agency assigned to the report's facility for its fiscal year, if any. */
  private async assignedAgency(r: ReportView): Promise<string | undefined> {
    const assigned = await this.db.kysely
      .selectFrom('facility_verifiers')
      .select('agency_id')
      .where('facility_id', '=', r.facilityId)
      .where('from_fiscal_year', '<=', r.fiscalYear)
      .orderBy('from_fiscal_year', 'desc')
      .limit(1)
      .executeTakeFirst();
    return assigned?.agency_id;
  }

  /** The actor works for `agencyId`, and it is the agency assigned for the report's year (system actors: the latter). */
  private async requireAssignedVerifier(actor: Actor, r: ReportView, agencyId: string): Promise<void> {
    const member = await this.db.kysely.selectFrom('agency_verifiers').select('user_id').where('agency_id', '=', agencyId).where('user_id', '=', actor.id).executeTakeFirst();
    if (member === undefined && actor.kind !== 'system') refuse('FORBIDDEN', `You do not verify for agency ${agencyId} (VERIFIER_NOT_MEMBER).`, 'agencyId');
    const assigned = await this.assignedAgency(r);
    if (assigned !== agencyId) {
      refuse('FORBIDDEN', assigned === undefined ? `No verification agency is assigned to this facility for FY${r.fiscalYear}.` : `Agency ${agencyId} is not the one assigned to this facility for FY${r.fiscalYear} (VERIFIER_NOT_ASSIGNED).`, 'agencyId');
    }
  }

  async accept(actor: Actor, code: string, reportId: string): Promise<ReportView & { facilityCode: string }> {
    return this.step(actor, code, reportId, ['report.review'], 'report.accept', () => this.reporting.accept(reportId, actor.id));
  }

  /**
   * Returns a report under review to the operator with a reason: the authority, or a verifier of the agency assigned
   * for the report's year (the verifier's 差し戻し before or after verifying).
   */
  async returnReport(actor: Actor, code: string, reportId: string, reason: string): Promise<ReportView & { facilityCode: string }> {
    return this.step(actor, code, reportId, ['report.review', 'report.return'], 'report.return', async (r) => {
      const authority = await this.access.authorize(actor, 'report.review', { jurisdictionId: (await this.jurisdiction(code)).id });
      if (!authority.allowed) {
        const agency = await this.assignedAgency(r);
        if (agency === undefined) refuse('FORBIDDEN', `No verification agency is assigned to this facility for FY${r.fiscalYear}.`, 'reportId');
        await this.requireAssignedVerifier(actor, r, agency);
      }
      return this.reporting.returnReport(reportId, reason, actor.id);
    });
  }

  async correct(actor: Actor, code: string, reportId: string, lines: readonly LineInput[]): Promise<ReportView & { facilityCode: string }> {
    return this.step(actor, code, reportId, ['report.submit'], 'report.correct', () => this.reporting.correct(reportId, lines, actor.id));
  }

  // ---- base years ------------------------------------------------------------------------------------------

  async chooseBaseYear(actor: Actor, code: string, facilityCode: string, firstFiscalYear: number, lastFiscalYear: number): Promise<BaseYearView> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['base_year.choose'], j.id, f.accountId);
    const base = await this.reporting.chooseBaseYear(f.id, firstFiscalYear, lastFiscalYear, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'base_year.choose', objectType: 'facility', objectId: f.id, after: base });
    return base;
  }

  async requestRecalculation(actor: Actor, code: string, facilityCode: string, input: RecalculationInput): Promise<{ id: string; changePpm: bigint }> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['base_year.choose'], j.id, f.accountId);
    const request = await this.reporting.requestRecalculation(f.id, input, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: 'base_year.request_recalculation', objectType: 'recalculation_request', objectId: request.id, after: { facility: f.code, ...input, changePpm: request.changePpm } });
    return request;
  }

  async decideRecalculation(actor: Actor, code: string, requestId: string, decision: { approve: boolean; baseKg?: bigint }): Promise<BaseYearView | undefined> {
    const j = await this.jurisdiction(code);
    const row = await this.db.kysely
      .selectFrom('recalculation_requests as r')
      .innerJoin('facilities as f', 'f.id', 'r.facility_id')
      .select(['r.id', 'f.account_id'])
      .where('r.id', '=', requestId)
      .where('f.jurisdiction_id', '=', j.id)
      .executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_REQUEST', `No recalculation request ${requestId} in ${j.code}.`, 'requestId');
    await this.require(actor, ['report.review'], j.id, row.account_id);
    const base = await this.reporting.decideRecalculation(requestId, decision, actor.id);
    await this.audit(actor, { jurisdictionId: j.id, action: decision.approve ? 'base_year.approve_recalculation' : 'base_year.reject_recalculation', objectType: 'recalculation_request', objectId: requestId, after: base ?? { approve: false } });
    return base;
  }

  // ---- credits and surrender ------------------------------------------------------------------------------

  async applyForCredits(actor: Actor, code: string, facilityCode: string, period: number): Promise<CreditApplication> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['credit.apply'], j.id, f.accountId);
    const app = await applyForExcessCredits(this.db, { facilityId: f.id, period, actor: actor.id, now: this.clock() });
    await this.audit(actor, { jurisdictionId: j.id, action: 'credit.apply', objectType: 'credit_application', objectId: app.id, after: { facility: f.code, period, quantityT: app.quantityT } });
    return app;
  }

  async creditApplication(actor: Actor, code: string, applicationId: string): Promise<CreditApplication> {
    const j = await this.jurisdiction(code);
    const app = await this.applicationIn(j, applicationId);
    const f = await this.facilityById(j, app.facilityId);
    await this.require(actor, ['credit.decide', 'credit.apply'], j.id, f.accountId);
    return app;
  }

  /** Four eyes: the use-case refuses the applicant's own approval (FOUR_EYES). */
  async approveCredits(actor: Actor, code: string, applicationId: string): Promise<CreditApplication & { unitTypeId: string }> {
    const j = await this.jurisdiction(code);
    const before = await this.applicationIn(j, applicationId);
    await this.require(actor, ['credit.decide'], j.id, null);
    const app = await approveCreditApplication(this.db, this.registry, { applicationId, approver: actor.id, now: this.clock() });
    await this.audit(actor, { jurisdictionId: j.id, action: 'credit.approve', objectType: 'credit_application', objectId: app.id, before: { status: before.status }, after: { status: app.status, txId: app.txId, quantityT: app.quantityT } });
    return app;
  }

  async rejectCredits(actor: Actor, code: string, applicationId: string, reason: string): Promise<CreditApplication> {
    const j = await this.jurisdiction(code);
    const before = await this.applicationIn(j, applicationId);
    await this.require(actor, ['credit.decide'], j.id, null);
    const app = await rejectCreditApplication(this.db, { applicationId, actor: actor.id, reason, now: this.clock() });
    await this.audit(actor, { jurisdictionId: j.id, action: 'credit.reject', objectType: 'credit_application', objectId: app.id, before: { status: before.status }, after: { status: app.status, reason } });
    return app;
  }

  /** Surrender from the facility's compliance account: its operator, or a representative with the right to initiate. */
  async surrender(
    actor: Actor,
    code: string,
    facilityCode: string,
    input: { period: number; fiscalYear?: number; lines: readonly { unitTypeId: string; quantityT: bigint }[]; idempotencyKey: string },
  ): Promise<SurrenderResult> {
    const j = await this.jurisdiction(code);
    const f = await this.facilityByCode(j, facilityCode);
    await this.require(actor, ['credit.apply', 'transaction.propose'], j.id, f.accountId);
    const result = await surrenderForCompliance(this.db, this.registry, {
      facilityId: f.id,
      period: input.period,
      ...(input.fiscalYear === undefined ? {} : { fiscalYear: input.fiscalYear }),
      lines: input.lines,
      actor: actor.id,
      now: this.clock(),
      idempotencyKey: `${actor.id}:${input.idempotencyKey}`,
    });
    if (!result.replayed) {
      await this.audit(actor, { jurisdictionId: j.id, action: 'compliance.surrender', objectType: 'facility', objectId: f.id, after: { period: input.period, txIds: result.txIds, surrenderedT: result.surrenderedT } });
    }
    return result;
  }

  // ---- compliance and programs ----------------------------------------------------------------------------

  async runCompliance(actor: Actor, code: string, period: number): Promise<RunSummary> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['compliance.run'], j.id, null);
    const summary = await runCompliance(this.db, { jurisdictionCode: code, period, now: this.clock() });
    await this.audit(actor, { jurisdictionId: j.id, action: 'compliance.run', objectType: 'compliance_period', objectId: `${code}:${period}`, after: summary });
    return summary;
  }

  async complianceReport(actor: Actor, code: string, period: number, fiscalYear?: number): Promise<ComplianceReport> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['compliance.read'], j.id, null);
    return complianceReport(this.db, fiscalYear === undefined ? { jurisdictionCode: code, period } : { jurisdictionCode: code, period, fiscalYear });
  }

  /** Adopts a program definition for the jurisdiction; invalid definitions are refused naming the first field. */
  async adoptProgram(actor: Actor, code: string, definition: unknown): Promise<ProgramDefinition> {
    const j = await this.jurisdiction(code);
    await this.require(actor, ['program.configure'], j.id, null);
    const checked = validateProgram(definition);
    if (!checked.ok) {
      const first = checked.errors[0]!;
      refuse('PROGRAM_INVALID', checked.errors.slice(0, 20).map(formatFieldError).join('; '), first.path === '' ? 'body' : first.path);
    }
    if (checked.program.jurisdiction.code !== j.code) {
      refuse('JURISDICTION_MISMATCH', `The definition is for ${checked.program.jurisdiction.code}, not ${j.code}.`, 'jurisdiction.code');
    }
    const program = await adoptProgram(this.db, j.id, checked.program, this.clock());
    await this.audit(actor, { jurisdictionId: j.id, action: 'program.adopt', objectType: 'program', objectId: `${program.id}@${program.version}`, after: { id: program.id, version: program.version, kind: program.kind } });
    return program;
  }
}

function summaryOf(r: ReportView): { id: string; fiscalYear: number; version: number; status: string; coeL: bigint; emissionsKg: bigint } {
  return { id: r.id, fiscalYear: r.fiscalYear, version: r.version, status: r.status, coeL: r.coeL, emissionsKg: r.emissionsKg };
}

interface FacilityJoinRow {
  id: string;
  jurisdiction_id: string;
  code: string;
  name: string;
  owner: string;
  category: string | null;
  use_type: string;
  floor_area_m2: bigint | number | string | null;
  address: string | null;
  city: string | null;
  country: string | null;
  status: string;
  account_id: string | null;
  created_at: string;
  account_number: string | null;
}

function facilityOf(jurisdiction: string, r: FacilityJoinRow): FacilityRecord {
  return {
    id: r.id,
    jurisdictionId: r.jurisdiction_id,
    jurisdiction,
    code: r.code,
    name: r.name,
    owner: r.owner,
    category: r.category,
    useType: r.use_type,
    floorAreaM2: r.floor_area_m2 === null ? null : big(r.floor_area_m2),
    address: r.address,
    city: r.city,
    country: r.country,
    status: r.status,
    accountId: r.account_id,
    accountNumber: r.account_number,
    createdAt: r.created_at,
  };
}
