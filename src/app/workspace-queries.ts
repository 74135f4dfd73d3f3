// Reads for the signed-in web workspace: the queues and summaries each role's pages open with — transactions waiting
// for a second pair of eyes, reports waiting for verification or review, credit applications, a facility's compliance
// over the periods, and the holdings of the accounts one may read. Each read is authorized here against the permission
// table (AccessControl), and answers only what the actor's grants cover; it also says, per item, whether the actor may
// act on it and which rule stops them, so that a page can explain a refusal before the server gives it.
import { sql } from 'kysely';
import { decide, type Action } from '../domain/access/permissions.js';
import type { Actor, Grant } from '../domain/access/roles.js';
import { RefusedError, refusal } from '../domain/errors.js';
import { isPlainIdentifier } from '../domain/identifiers.js';
import type { Database } from '../store/db.js';
import { AccessControl, forbidden } from './authorization.js';
import { int } from './compliance.js';
import { big } from './facilities.js';
import { programOf } from './programs.js';
import { REPORT_STATUSES, type ReportStatus } from './reporting.js';

/** Most rows one page of any workspace list carries (the HTTP layer asks for at most 201). */
const ROWS_MAX = 500;
/** An account id no grant names: only a jurisdiction-wide grant covers it (see RegistryQueries.readable). */
const ANY_ACCOUNT = '\u0000any';

export interface PageRequest {
  /** The sort key the page continues after. */
  readonly after?: string | undefined;
  /** Rows to fetch: the caller asks for one more than it shows. */
  readonly limit: number;
}

/** Why the actor cannot approve a queued transaction, or null when it may. */
export type ApprovalBlock = 'FOUR_EYES' | 'APPROVE_RIGHT_REQUIRED' | 'ROLE_REQUIRED' | 'NOT_PROPOSED';

export interface QueuedTransaction {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly quantityT: bigint;
  readonly unitTypeId: string;
  readonly unitTypeCode: string;
  readonly fromAccountId: string | null;
  readonly fromAccountNumber: string | null;
  readonly toAccountId: string | null;
  readonly toAccountNumber: string | null;
  readonly proposedBy: string;
  readonly proposedByName: string;
  readonly proposedAt: string;
  readonly approvedBy: string | null;
  /** Set once approved: the earliest completion (a transfer held for the untrusted-destination delay). */
  readonly executeAfter: string | null;
  readonly ownProposal: boolean;
  readonly mayApprove: boolean;
  readonly approvalBlockedBy: ApprovalBlock | null;
  readonly mayCancel: boolean;
}

export interface QueuedReport {
  readonly id: string;
  readonly facilityCode: string;
  readonly facilityName: string;
  readonly category: string | null;
  readonly fiscalYear: number;
  readonly version: number;
  readonly status: string;
  readonly coeL: bigint;
  readonly emissionsKg: bigint;
  readonly submittedAt: string | null;
  /** The agency assigned to the facility for the report's fiscal year, if any. */
  readonly assignedAgencyId: string | null;
  readonly assignedAgencyName: string | null;
}

export interface AgencyView {
  readonly id: string;
  readonly name: string;
  readonly categories: readonly string[];
  /** The actor verifies for this agency. */
  readonly mine: boolean;
}

export interface CreditApplicationRow {
  readonly id: string;
  readonly facilityCode: string;
  readonly facilityName: string;
  readonly period: number;
  readonly creditType: string;
  readonly quantityT: bigint;
  readonly status: string;
  readonly appliedAt: string;
  readonly appliedBy: string;
  readonly appliedByName: string;
  readonly decidedBy: string | null;
  readonly reason: string | null;
  readonly txId: string | null;
  readonly ownApplication: boolean;
}

export interface FacilityPeriodCompliance {
  readonly period: number;
  readonly firstFiscalYear: number;
  readonly lastFiscalYear: number;
  readonly adjustmentWindowEnd: string;
  /** Null until the authority has run compliance for the period. */
  readonly result: {
    readonly emissionsT: bigint | null;
    readonly capT: bigint | null;
    readonly obligationT: bigint | null;
    readonly allocatedT: bigint | null;
    readonly surrenderedT: bigint | null;
    readonly surrenderedByKindT: Readonly<Record<string, string>>;
    readonly shortfallT: bigint | null;
    readonly status: string;
    readonly note: string | null;
    readonly computedAt: string;
  } | null;
  /** The emissions of each fiscal year of the period from the latest verified or accepted report (kg). */
  readonly years: readonly { readonly fiscalYear: number; readonly emissionsKg: bigint | null; readonly reportStatus: string | null }[];
}

export interface FacilityCompliance {
  readonly facility: string;
  readonly kind: 'obligation' | 'allocation';
  readonly baseT: bigint | null;
  readonly periods: readonly FacilityPeriodCompliance[];
}

export interface AccountHoldings {
  readonly id: string;
  readonly number: string;
  readonly type: string;
  readonly holder: string;
  readonly facilityCode: string | null;
  readonly holdings: readonly { readonly unitTypeId: string; readonly unitTypeCode: string; readonly kind: string; readonly vintage: number | null; readonly quantityT: bigint }[];
  /** What the actor may do from this account (the server checks again when it is done). */
  readonly mayInitiate: boolean;
}

const AUTHORITY_TX_TYPES = ['issuance', 'reversal'];

export class WorkspaceQueries {
  readonly db: Database;

  constructor(readonly access: AccessControl) {
    this.db = access.db;
  }

  /**
   * The check before a request is validated: the actor holds a grant somewhere in the jurisdiction that allows one of
   * `actions` (403 otherwise). An unknown or malformed code passes: the route answers 400 or 404.
   */
  async gate(actor: Actor, actions: readonly Action[], jurisdictionCode: unknown): Promise<void> {
    if (actor.kind === 'anonymous') throw forbidden(refusal('SIGN_IN_REQUIRED', 'Sign in first.'));
    if (actor.kind === 'system' || !isPlainIdentifier(jurisdictionCode)) return;
    const j = await this.db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', jurisdictionCode).executeTakeFirst();
    if (j === undefined) return;
    const refused = await this.access.standing(actor, actions, j.id);
    if (refused !== null) throw forbidden(refused);
  }

  async jurisdictionId(code: string): Promise<string> {
    const row = await this.db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', code).executeTakeFirst();
    if (row === undefined) throw new RefusedError(refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${code}.`, 'code'));
    return row.id;
  }

  // ---- the approval queue ------------------------------------------------------------------------------------

  /**
   * Transactions waiting for someone's decision that the actor may see act on: proposed or held (approved, not yet
   * complete) transactions from accounts the actor represents, and — for the authority — issuances and reversals.
   * Newest first. Each says whether the actor may approve it and, if not, which rule stops them (FOUR_EYES for one's
   * own proposal, APPROVE_RIGHT_REQUIRED for a representative who may only initiate).
   */
  async approvalQueue(actor: Actor, jurisdictionId: string, page: PageRequest): Promise<QueuedTransaction[]> {
    const grants = await this.access.grantsOf(actor, jurisdictionId);
    const represented = [...new Set(grants.filter((g) => g.role === 'authorized_representative' && g.accountId !== null).map((g) => g.accountId!))];
    const authoritySees = allows(actor, grants, 'authority_tx.approve', { jurisdictionId }) || allows(actor, grants, 'authority_tx.propose', { jurisdictionId });
    if (represented.length === 0 && !authoritySees) {
      throw forbidden(refusal('ROLE_REQUIRED', 'Only representatives of an account and the authority have an approval queue.', 'jurisdictionId'));
    }
    let q = this.db.kysely
      .selectFrom('transactions as t')
      .innerJoin('unit_types as u', 'u.id', 't.unit_type_id')
      .leftJoin('accounts as fa', 'fa.id', 't.from_account_id')
      .leftJoin('accounts as ta', 'ta.id', 't.to_account_id')
      .leftJoin('users as pu', 'pu.id', 't.proposed_by')
      .leftJoin('transaction_holds as h', 'h.tx_id', 't.id')
      .select([
        't.id', 't.type', 't.status', 't.quantity_t', 't.unit_type_id', 'u.code as unit_type_code', 't.from_account_id', 'fa.number as from_number',
        't.to_account_id', 'ta.number as to_number', 't.proposed_by', 'pu.display_name as proposer_name', 't.proposed_at', 't.approved_by', 'h.execute_after',
      ])
      .where('t.jurisdiction_id', '=', jurisdictionId)
      .where('t.status', 'in', ['proposed', 'approved'])
      .where((eb) => {
        const branches = [];
        if (represented.length > 0) branches.push(eb('t.from_account_id', 'in', represented));
        if (authoritySees) branches.push(eb('t.type', 'in', AUTHORITY_TX_TYPES));
        return eb.or(branches);
      });
    if (page.after !== undefined) q = q.where('t.id', '<', page.after);
    const rows = await q.orderBy('t.id', 'desc').limit(Math.min(page.limit, ROWS_MAX)).execute();
    return rows.map((r) => {
      const authorityTx = AUTHORITY_TX_TYPES.includes(r.type) || r.from_account_id === null;
      const scope = authorityTx || r.from_account_id === null ? { jurisdictionId } : { jurisdictionId, accountId: r.from_account_id };
      const own = actor.id === r.proposed_by;
      const approveAction: Action = authorityTx ? 'authority_tx.approve' : 'transaction.approve';
      const decision = decide(actor, grants, approveAction, scope);
      let blocked: ApprovalBlock | null = null;
      if (r.status !== 'proposed') blocked = 'NOT_PROPOSED';
      else if (own) blocked = 'FOUR_EYES';
      else if (!decision.allowed) blocked = decision.refusal.code === 'APPROVE_RIGHT_REQUIRED' ? 'APPROVE_RIGHT_REQUIRED' : 'ROLE_REQUIRED';
      const cancel = authorityTx ? allows(actor, grants, 'authority_tx.propose', { jurisdictionId }) : allows(actor, grants, 'transaction.cancel', scope);
      return {
        id: r.id,
        type: r.type,
        status: r.status,
        quantityT: big(r.quantity_t),
        unitTypeId: r.unit_type_id,
        unitTypeCode: r.unit_type_code,
        fromAccountId: r.from_account_id,
        fromAccountNumber: r.from_number,
        toAccountId: r.to_account_id,
        toAccountNumber: r.to_number,
        proposedBy: r.proposed_by,
        proposedByName: r.proposer_name ?? r.proposed_by,
        proposedAt: r.proposed_at,
        approvedBy: r.approved_by,
        executeAfter: r.execute_after,
        ownProposal: own,
        mayApprove: blocked === null,
        approvalBlockedBy: blocked,
        mayCancel: cancel,
      };
    });
  }

  // ---- reports waiting for verification or review -----------------------------------------------------------

  /**
   * Reports of one status (default submitted), with the agency assigned for each report's fiscal year: for a verifier,
   * those of the facilities assigned to an agency they verify for (their work list); for the authority, all of the
   * jurisdiction's (its review list). Nobody else has this list.
   */
  async reportQueue(actor: Actor, jurisdictionId: string, status: ReportStatus, page: PageRequest): Promise<QueuedReport[]> {
    const grants = await this.access.grantsOf(actor, jurisdictionId);
    const authority = allows(actor, grants, 'report.review', { jurisdictionId });
    const verifier = allows(actor, grants, 'report.verify', { jurisdictionId, accountId: ANY_ACCOUNT });
    if (!authority && !verifier) throw forbidden(refusal('ROLE_REQUIRED', 'Only verifiers and the authority of this jurisdiction have the list of reports to verify or review.', 'jurisdictionId'));
    let q = this.db.kysely
      .selectFrom('reports as r')
      .innerJoin('facilities as f', 'f.id', 'r.facility_id')
      .select(['r.id', 'r.facility_id', 'f.code', 'f.name', 'f.category', 'r.fiscal_year', 'r.version', 'r.status', 'r.coe_l', 'r.emissions_kg', 'r.submitted_at'])
      .where('r.jurisdiction_id', '=', jurisdictionId)
      .where('r.status', '=', status);
    if (!authority) {
      // A verifier's list: the reports of facilities assigned, for the report's year, to an agency they verify for.
      const mine = await this.agencyIdsOf(actor);
      if (mine.length === 0) return [];
      q = q.where((eb) =>
        eb(
          eb
            .selectFrom('facility_verifiers as v')
            .select('v.agency_id')
            .whereRef('v.facility_id', '=', 'r.facility_id')
            .whereRef('v.from_fiscal_year', '<=', 'r.fiscal_year')
            .orderBy('v.from_fiscal_year', 'desc')
            .limit(1),
          'in',
          mine,
        ),
      );
    }
    if (page.after !== undefined) q = q.where('r.id', '>', page.after);
    const rows = await q.orderBy('r.id').limit(Math.min(page.limit, ROWS_MAX)).execute();
    const assignments = rows.length === 0
      ? []
      : await this.db.kysely
          .selectFrom('facility_verifiers as v')
          .innerJoin('verification_agencies as a', 'a.id', 'v.agency_id')
          .select(['v.facility_id', 'v.from_fiscal_year', 'v.agency_id', 'a.name'])
          .where('v.facility_id', 'in', [...new Set(rows.map((r) => r.facility_id))])
          .orderBy('v.from_fiscal_year', 'desc')
          .execute();
    return rows.map((r) => {
      const fy = int(r.fiscal_year);
      const assigned = assignments.find((a) => a.facility_id === r.facility_id && int(a.from_fiscal_year) <= fy);
      return {
        id: r.id,
        facilityCode: r.code,
        facilityName: r.name,
        category: r.category,
        fiscalYear: fy,
        version: int(r.version),
        status: r.status,
        coeL: big(r.coe_l),
        emissionsKg: big(r.emissions_kg),
        submittedAt: r.submitted_at,
        assignedAgencyId: assigned?.agency_id ?? null,
        assignedAgencyName: assigned?.name ?? null,
      };
    });
  }

  /** The jurisdiction's verification agencies with their categories, and whether the actor verifies for each. */
  async agencies(actor: Actor, jurisdictionId: string): Promise<AgencyView[]> {
    const grants = await this.access.grantsOf(actor, jurisdictionId);
    const may = allows(actor, grants, 'facility.list', { jurisdictionId });
    if (!may) throw forbidden(refusal('ROLE_REQUIRED', 'Only the authority and verifiers of this jurisdiction list verification agencies.', 'jurisdictionId'));
    const rows = await this.db.kysely.selectFrom('verification_agencies').select(['id', 'name', 'categories']).where('jurisdiction_id', '=', jurisdictionId).orderBy('name').limit(ROWS_MAX).execute();
    const mine = new Set(await this.agencyIdsOf(actor));
    return rows.map((r) => ({ id: r.id, name: r.name, categories: parseList(r.categories), mine: mine.has(r.id) }));
  }

  /** The agencies the actor verifies for (agency_verifiers). */
  private async agencyIdsOf(actor: Actor): Promise<string[]> {
    if (actor.kind !== 'user' && actor.kind !== 'token') return [];
    const rows = await this.db.kysely.selectFrom('agency_verifiers').select('agency_id').where('user_id', '=', actor.id).limit(ROWS_MAX).execute();
    return rows.map((r) => r.agency_id);
  }

  // ---- credit applications ------------------------------------------------------------------------------------

  /**
   * Credit applications, oldest first, optionally of one status: all of the jurisdiction's for the authority (who
   * decides them), those of the facilities one operates for an operator. Each says whether it is the actor's own
   * (the applicant may not decide it: FOUR_EYES).
   */
  async creditApplications(actor: Actor, jurisdictionId: string, filter: { status?: string | undefined }, page: PageRequest): Promise<CreditApplicationRow[]> {
    const grants = await this.access.grantsOf(actor, jurisdictionId);
    const all = allows(actor, grants, 'credit.decide', { jurisdictionId }) || allows(actor, grants, 'credit.apply', { jurisdictionId, accountId: ANY_ACCOUNT });
    const accounts = all ? [] : accountsAllowing(actor, grants, 'credit.apply', jurisdictionId);
    if (!all && accounts.length === 0) throw forbidden(refusal('ROLE_REQUIRED', 'Only the authority and facility operators see credit applications.', 'jurisdictionId'));
    let q = this.db.kysely
      .selectFrom('credit_applications as c')
      .innerJoin('facilities as f', 'f.id', 'c.facility_id')
      .leftJoin('users as u', 'u.id', 'c.applied_by')
      .select(['c.id', 'f.code', 'f.name', 'c.period', 'c.credit_type', 'c.quantity_t', 'c.status', 'c.applied_at', 'c.applied_by', 'u.display_name', 'c.decided_by', 'c.reason', 'c.tx_id'])
      .where('c.jurisdiction_id', '=', jurisdictionId);
    if (!all) q = q.where('f.account_id', 'in', accounts);
    if (filter.status !== undefined) q = q.where('c.status', '=', filter.status);
    if (page.after !== undefined) q = q.where('c.id', '>', page.after);
    const rows = await q.orderBy('c.id').limit(Math.min(page.limit, ROWS_MAX)).execute();
    return rows.map((r) => ({
      id: r.id,
      facilityCode: r.code,
      facilityName: r.name,
      period: int(r.period),
      creditType: r.credit_type,
      quantityT: big(r.quantity_t),
      status: r.status,
      appliedAt: r.applied_at,
      appliedBy: r.applied_by,
      appliedByName: r.display_name ?? r.applied_by,
      decidedBy: r.decided_by,
      reason: r.reason,
      txId: r.tx_id,
      ownApplication: r.applied_by === actor.id,
    }));
  }

  // ---- one facility's compliance -----------------------------------------------------------------------------

  /**
   * A facility's compliance over the program's periods: the stored result of each period's last compliance run
   * (cap, emissions, surrendered by kind, shortfall, status) and the year-by-year emissions of its verified or
   * accepted reports, for the chart of emissions against the cap. Whoever may read the facility.
   */
  async facilityCompliance(actor: Actor, jurisdictionId: string, facilityCode: string): Promise<FacilityCompliance> {
    const f = await this.db.kysely.selectFrom('facilities').select(['id', 'code', 'account_id']).where('jurisdiction_id', '=', jurisdictionId).where('code', '=', facilityCode).executeTakeFirst();
    if (f === undefined) throw new RefusedError(refusal('UNKNOWN_FACILITY', `No facility ${facilityCode} in this jurisdiction.`, 'facility'));
    await this.requireOnFacility(actor, 'facility.read', jurisdictionId, f.account_id);
    const program = await programOf(this.db, jurisdictionId);
    const results = await this.db.kysely
      .selectFrom('compliance_results')
      .select(['period', 'fiscal_year', 'emissions_t', 'cap_t', 'obligation_t', 'allocated_t', 'surrendered_t', 'surrendered_by_kind', 'shortfall_t', 'status', 'note', 'computed_at'])
      .where('facility_id', '=', f.id)
      .orderBy('period')
      .orderBy('fiscal_year', 'desc')
      .execute();
    // The latest verified or accepted version of each year (a superseded version was replaced by a later acceptance).
    const reports = await this.db.kysely
      .selectFrom('reports')
      .select(['fiscal_year', 'version', 'status', 'emissions_kg'])
      .where('facility_id', '=', f.id)
      .where('status', 'in', ['verified', 'accepted'])
      .orderBy('fiscal_year')
      .orderBy('version', 'desc')
      .execute();
    const base = await this.db.kysely.selectFrom('base_years').select('base_t').where('facility_id', '=', f.id).where('status', '=', 'active').executeTakeFirst();
    const periods = program.periods.map((p): FacilityPeriodCompliance => {
      const r = results.find((x) => int(x.period) === p.number);
      const years = [];
      for (let fy = p.firstFiscalYear; fy <= p.lastFiscalYear; fy++) {
        const rep = reports.find((x) => int(x.fiscal_year) === fy);
        years.push({ fiscalYear: fy, emissionsKg: rep === undefined ? null : big(rep.emissions_kg), reportStatus: rep?.status ?? null });
      }
      return {
        period: p.number,
        firstFiscalYear: p.firstFiscalYear,
        lastFiscalYear: p.lastFiscalYear,
        adjustmentWindowEnd: p.adjustmentWindowEnd,
        result: r === undefined
          ? null
          : {
              emissionsT: nullableBig(r.emissions_t),
              capT: nullableBig(r.cap_t),
              obligationT: nullableBig(r.obligation_t),
              allocatedT: nullableBig(r.allocated_t),
              surrenderedT: nullableBig(r.surrendered_t),
              surrenderedByKindT: parseKinds(r.surrendered_by_kind),
              shortfallT: nullableBig(r.shortfall_t),
              status: r.status,
              note: r.note,
              computedAt: r.computed_at,
            },
        years,
      };
    });
    return { facility: f.code, kind: program.kind, baseT: base === undefined ? null : big(base.base_t), periods };
  }

  // ---- holdings -------------------------------------------------------------------------------------------------

  /**
   * The accounts the actor may read with their holdings by unit type (with each unit type's vintage period), by
   * account number: an operator's or representative's own accounts; every holding account for the authority.
   */
  async holdings(actor: Actor, jurisdictionId: string, page: PageRequest): Promise<AccountHoldings[]> {
    const grants = await this.access.grantsOf(actor, jurisdictionId);
    const all = allows(actor, grants, 'account.list', { jurisdictionId }) || allows(actor, grants, 'account.read', { jurisdictionId, accountId: ANY_ACCOUNT });
    const readable = all ? [] : accountsAllowing(actor, grants, 'account.read', jurisdictionId);
    if (!all && readable.length === 0) throw forbidden(refusal('ROLE_REQUIRED', 'You hold no account in this jurisdiction.', 'jurisdictionId'));
    let q = this.db.kysely
      .selectFrom('accounts as a')
      .leftJoin('facilities as f', 'f.id', 'a.facility_id')
      .select(['a.id', 'a.number', 'a.type', 'a.holder', 'f.code as facility_code'])
      .where('a.jurisdiction_id', '=', jurisdictionId)
      .where('a.type', 'in', ['facility_compliance', 'general_holding', 'authority_issuance', 'linked_transit']);
    if (!all) q = q.where('a.id', 'in', readable);
    if (page.after !== undefined) q = q.where('a.number', '>', page.after);
    const accounts = await q.orderBy('a.number').limit(Math.min(page.limit, ROWS_MAX)).execute();
    const balances = accounts.length === 0
      ? []
      : await this.db.kysely
          .selectFrom('balances as b')
          .innerJoin('unit_types as u', 'u.id', 'b.unit_type_id')
          .select(['b.account_id', 'b.unit_type_id', 'u.code', 'u.kind', 'u.vintage', 'b.quantity_t'])
          .where('b.account_id', 'in', accounts.map((a) => a.id))
          .where('b.quantity_t', '>', sql<bigint>`0`)
          .orderBy('u.code')
          .execute();
    return accounts.map((a) => ({
      id: a.id,
      number: a.number,
      type: a.type,
      holder: a.holder,
      facilityCode: a.facility_code,
      holdings: balances
        .filter((b) => b.account_id === a.id)
        .map((b) => ({ unitTypeId: b.unit_type_id, unitTypeCode: b.code, kind: b.kind, vintage: b.vintage === null ? null : int(b.vintage), quantityT: big(b.quantity_t) })),
      mayInitiate: allows(actor, grants, 'transaction.propose', { jurisdictionId, accountId: a.id }),
    }));
  }

  private async requireOnFacility(actor: Actor, action: Action, jurisdictionId: string, accountId: string | null): Promise<void> {
    const d = accountId === null
      ? decide(actor, (await this.access.grantsOf(actor, jurisdictionId)).filter((g) => g.accountId === null), action, { jurisdictionId, accountId: '' })
      : await this.access.authorize(actor, action, { jurisdictionId, accountId });
    if (!d.allowed) throw forbidden(d.refusal);
  }
}

function allows(actor: Actor, grants: readonly Grant[], action: Action, scope: { jurisdictionId: string; accountId?: string }): boolean {
  return decide(actor, grants, action, scope).allowed;
}

/** The accounts named by the actor's account-scoped grants on which `action` is allowed. */
function accountsAllowing(actor: Actor, grants: readonly Grant[], action: Action, jurisdictionId: string): string[] {
  const ids = [...new Set(grants.flatMap((g) => (g.accountId === null ? [] : [g.accountId])))];
  return ids.filter((accountId) => allows(actor, grants, action, { jurisdictionId, accountId }));
}

function nullableBig(v: bigint | number | string | null): bigint | null {
  return v === null ? null : BigInt(v);
}

/** The JSON list kept in a text column (agency categories). */
function parseList(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return text.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

/** surrendered_by_kind: a JSON object of kind → tonnes (strings). */
function parseKinds(text: string | null): Record<string, string> {
  if (text === null) return {};
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return {};
    return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

export { REPORT_STATUSES };
