// Access control use-cases: who holds which role where, who represents which account, which accounts each account
// trusts, and `authorize(actor, action, scope)` — the check every use-case of the HTTP layer makes first.
// Each change is one database transaction together with its audit event.
import type { Kysely, Transaction } from 'kysely';
import { RefusedError, refusal, type Refusal } from '../domain/errors.js';
import { AUTHORIZATION_CODES, decide, permissionOf, type Action, type Decision } from '../domain/access/permissions.js';
import {
  actorIsNamed,
  isRepresentativeRights,
  noSelfGrant,
  roleAssignable,
  type AccessScope,
  type Actor,
  type AssignableRole,
  type Grant,
  type RepresentativeRights,
} from '../domain/access/roles.js';
import { EU_DEFAULT_ACCESS_SETTINGS, accessSettingsProblems, type AccessSettings } from '../domain/access/settings.js';
import { isTrusted, representativesWithinMax, trustedActiveFrom, trustedEntryActive, trustedNotSelf, type TrustedEntry } from '../domain/access/transaction-rules.js';
import { HOLDING_ACCOUNT_TYPES, type AccountType } from '../domain/registry/model.js';
import type { Database } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import { appendAuditEvent, exportAuditEvents, listAuditEvents, type AuditEvent, type AuditEventInput, type AuditExportFormat, type AuditFilter, type AuditPage } from './audit.js';
import { uuidv7 } from './ids.js';

type Executor = Kysely<Schema> | Transaction<Schema>;

export interface AccessOptions {
  readonly clock?: () => Date;
  readonly newId?: () => string;
  /** One settings object for every jurisdiction, or one per jurisdiction. Default: the EU defaults. */
  readonly settings?: AccessSettings | ((jurisdictionId: string) => AccessSettings);
}

export interface RoleAssignmentView {
  readonly id: string;
  readonly userId: string;
  readonly role: AssignableRole;
  readonly jurisdictionId: string;
  readonly accountId: string | null;
  readonly grantedBy: string;
  readonly grantedAt: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}

export interface RepresentativeView {
  readonly id: string;
  readonly jurisdictionId: string;
  readonly accountId: string;
  readonly userId: string;
  readonly rights: RepresentativeRights;
  readonly addedBy: string;
  readonly addedAt: string;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
}

export interface TrustedAccountView {
  readonly id: string;
  readonly jurisdictionId: string;
  readonly accountId: string;
  readonly trustedAccountId: string;
  readonly addedBy: string;
  readonly addedAt: string;
  /** From when transfers to it count as trusted (added_at + the activation delay). */
  readonly activeFrom: string;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
  /** Whether it counts as trusted now. */
  readonly active: boolean;
}

export interface AccountRef {
  readonly id: string;
  readonly jurisdictionId: string;
  readonly number: string;
  readonly type: AccountType;
  readonly status: string;
}

const ID_MAX = 200;

export function refuse(code: string, message: string, field?: string): never {
  throw new RefusedError(refusal(code, message, field));
}

function checkId(value: string, field: string): void {
  if (value.trim() === '' || value.length > ID_MAX) refuse('ID_INVALID', `An identifier has 1 to ${ID_MAX} characters.`, field);
}

/** A unique index said no: a concurrent request made the same change first. */
function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export class AccessControl {
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly settings: (jurisdictionId: string) => AccessSettings;

  constructor(
    readonly db: Database,
    options: AccessOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? (() => uuidv7());
    const s = options.settings ?? EU_DEFAULT_ACCESS_SETTINGS;
    this.settings = typeof s === 'function' ? s : () => s;
    if (typeof s !== 'function') checkSettings(s);
  }

  /** The settings in force for a jurisdiction; an invalid settings object is a configuration error and throws. */
  settingsFor(jurisdictionId: string): AccessSettings {
    return checkSettings(this.settings(jurisdictionId));
  }

  now(): Date {
    return this.clock();
  }

  // ---- authorization --------------------------------------------------------------------------------------

  /**
   * Whether the actor has standing in the jurisdiction for one of `actions` — a grant that allows it somewhere
   * there (for account-level actions, a grant over any account counts; the use-case then checks the resource's own
   * account). Null when it has; otherwise the refusal to give. Used by the API before a request is even read.
   */
  async standing(actor: Actor, actions: readonly Action[], jurisdictionId: string): Promise<Refusal | null> {
    const grants = await this.grantsOf(actor, jurisdictionId);
    let first: Refusal | undefined;
    for (const action of actions) {
      const p = permissionOf(action);
      if (p.level === 'public') return null;
      for (const g of grants) {
        if (!p.roles.includes(g.role)) continue;
        const scope = g.accountId !== null ? { jurisdictionId, accountId: g.accountId } : p.level === 'account' ? { jurisdictionId, accountId: '' } : { jurisdictionId };
        const d = decide(actor, [g], action, scope);
        if (d.allowed) return null;
        first ??= d.refusal;
      }
      first ??= refusal('ROLE_REQUIRED', `Only ${p.roles.join(', ')} of this jurisdiction may ${p.does}.`, 'jurisdictionId');
    }
    return first ?? refusal('ROLE_REQUIRED', 'No role of yours allows this here.');
  }

  /** The actor's grants (in one jurisdiction when given): live role assignments and representative entries. */
  async grantsOf(actor: Actor, jurisdictionId?: string, ex: Executor = this.db.kysely): Promise<Grant[]> {
    if (actor.kind === 'anonymous' || actor.kind === 'system') return [];
    let roles = ex.selectFrom('role_assignments').select(['id', 'role', 'jurisdiction_id', 'account_id']).where('user_id', '=', actor.id).where('revoked_at', 'is', null);
    let reps = ex.selectFrom('account_representatives').select(['id', 'jurisdiction_id', 'account_id', 'rights']).where('user_id', '=', actor.id).where('removed_at', 'is', null);
    if (jurisdictionId !== undefined) {
      roles = roles.where('jurisdiction_id', '=', jurisdictionId);
      reps = reps.where('jurisdiction_id', '=', jurisdictionId);
    }
    const grants: Grant[] = (await roles.execute()).map((r) => ({
      role: r.role as AssignableRole,
      jurisdictionId: r.jurisdiction_id,
      accountId: r.account_id,
      rights: null,
      source: 'role_assignment',
      sourceId: r.id,
    }));
    for (const r of await reps.execute()) {
      grants.push({
        role: 'authorized_representative',
        jurisdictionId: r.jurisdiction_id,
        accountId: r.account_id,
        rights: r.rights as RepresentativeRights,
        source: 'representative',
        sourceId: r.id,
      });
    }
    return grants;
  }

  /**
   * Whether `actor` may do `action` in `scope`: allowed with the rule and grant that allowed it, or a refusal naming
   * the rule (SIGN_IN_REQUIRED, ROLE_REQUIRED, INITIATE_RIGHT_REQUIRED, APPROVE_RIGHT_REQUIRED, SCOPE_MISMATCH …).
   * An account in the scope must exist and belong to the scope's jurisdiction.
   */
  async authorize(actor: Actor, action: Action, scope: AccessScope | null, ex: Executor = this.db.kysely): Promise<Decision> {
    const invalid = actorIsNamed(actor);
    if (invalid !== null) return { allowed: false, refusal: invalid };
    if (permissionOf(action).level === 'public') return decide(actor, [], action, scope);
    if (scope?.accountId !== undefined) {
      const account = await accountById(ex, scope.accountId);
      if (account === undefined) return { allowed: false, refusal: refusal('UNKNOWN_ACCOUNT', `No account ${scope.accountId}.`, 'accountId') };
      if (account.jurisdictionId !== scope.jurisdictionId) {
        return { allowed: false, refusal: refusal('SCOPE_MISMATCH', `Account ${account.number} belongs to another jurisdiction.`, 'accountId') };
      }
    }
    const grants = scope === null ? [] : await this.grantsOf(actor, scope.jurisdictionId, ex);
    return decide(actor, grants, action, scope);
  }

  /** authorize, throwing the refusal. */
  async require(actor: Actor, action: Action, scope: AccessScope | null, ex: Executor = this.db.kysely): Promise<void> {
    const d = await this.authorize(actor, action, scope, ex);
    if (!d.allowed) throw new RefusedError(d.refusal);
  }

  // ---- roles ----------------------------------------------------------------------------------------------

  /** Grants a role over a jurisdiction (or, for facility operators and traders, one account of it). */
  async grantRole(actor: Actor, input: { userId: string; role: string; jurisdictionId: string; accountId?: string }): Promise<RoleAssignmentView> {
    checkId(input.userId, 'userId');
    checkId(input.jurisdictionId, 'jurisdictionId');
    if (input.accountId !== undefined) checkId(input.accountId, 'accountId');
    throwIf(roleAssignable(input.role, input.accountId) ?? noSelfGrant(actor, input.userId));
    const role = input.role as AssignableRole;
    return this.change(async (trx, now) => {
      await this.require(actor, 'role.manage', { jurisdictionId: input.jurisdictionId }, trx);
      if (input.accountId !== undefined) await accountInJurisdiction(trx, input.accountId, input.jurisdictionId, 'accountId');
      else if ((await trx.selectFrom('jurisdictions').select('id').where('id', '=', input.jurisdictionId).executeTakeFirst()) === undefined) {
        refuse('UNKNOWN_JURISDICTION', `No jurisdiction ${input.jurisdictionId}.`, 'jurisdictionId');
      }
      let existing = trx
        .selectFrom('role_assignments')
        .select('id')
        .where('user_id', '=', input.userId)
        .where('role', '=', role)
        .where('jurisdiction_id', '=', input.jurisdictionId)
        .where('revoked_at', 'is', null);
      existing = input.accountId === undefined ? existing.where('account_id', 'is', null) : existing.where('account_id', '=', input.accountId);
      if ((await existing.executeTakeFirst()) !== undefined) refuse('ROLE_ALREADY_GRANTED', `User ${input.userId} already holds ${role} here.`, 'role');
      const row = {
        id: this.newId(),
        user_id: input.userId,
        role,
        jurisdiction_id: input.jurisdictionId,
        account_id: input.accountId ?? null,
        granted_by: actor.id,
        granted_at: now.toISOString(),
        revoked_at: null,
        revoked_by: null,
      };
      await trx.insertInto('role_assignments').values(row).execute();
      const view = roleView(row);
      await appendAuditEvent(trx, actor, { jurisdictionId: input.jurisdictionId, action: 'role.grant', objectType: 'role_assignment', objectId: row.id, after: view }, now);
      return view;
    }, refusal('ROLE_ALREADY_GRANTED', `User ${input.userId} already holds ${role} here.`, 'role'));
  }

  /** Revokes a role assignment; revoking one already revoked returns it unchanged. */
  async revokeRole(actor: Actor, assignmentId: string): Promise<RoleAssignmentView> {
    checkId(assignmentId, 'assignmentId');
    return this.change(async (trx, now) => {
      const row = await trx.selectFrom('role_assignments').selectAll().where('id', '=', assignmentId).executeTakeFirst();
      if (row === undefined) refuse('UNKNOWN_ROLE_ASSIGNMENT', `No role assignment ${assignmentId}.`, 'assignmentId');
      await this.require(actor, 'role.manage', { jurisdictionId: row.jurisdiction_id }, trx);
      if (row.revoked_at !== null) return roleView(row);
      const revoked = { ...row, revoked_at: now.toISOString(), revoked_by: actor.id };
      await trx.updateTable('role_assignments').set({ revoked_at: revoked.revoked_at, revoked_by: actor.id }).where('id', '=', row.id).where('revoked_at', 'is', null).execute();
      await appendAuditEvent(trx, actor, { jurisdictionId: row.jurisdiction_id, action: 'role.revoke', objectType: 'role_assignment', objectId: row.id, before: roleView(row), after: roleView(revoked) }, now);
      return roleView(revoked);
    });
  }

  /** Live role assignments of a jurisdiction (authority only). */
  async listRoles(actor: Actor, jurisdictionId: string): Promise<RoleAssignmentView[]> {
    await this.require(actor, 'role.read', { jurisdictionId });
    const rows = await this.db.kysely.selectFrom('role_assignments').selectAll().where('jurisdiction_id', '=', jurisdictionId).where('revoked_at', 'is', null).orderBy('id').limit(10_000).execute();
    return rows.map(roleView);
  }

  // ---- representatives --------------------------------------------------------------------------------------

  /** Adds an authorized representative to an account with the right to initiate, approve, or both. */
  async addRepresentative(actor: Actor, input: { accountId: string; userId: string; rights: string }): Promise<RepresentativeView> {
    checkId(input.accountId, 'accountId');
    checkId(input.userId, 'userId');
    if (!isRepresentativeRights(input.rights)) refuse('RIGHTS_INVALID', 'Representative rights are initiate, approve or initiate_and_approve.', 'rights');
    const rights = input.rights;
    throwIf(noSelfGrant(actor, input.userId));
    return this.change(async (trx, now) => {
      const account = await holdingAccount(trx, input.accountId, 'accountId');
      await this.require(actor, 'representative.manage', { jurisdictionId: account.jurisdictionId, accountId: account.id }, trx);
      const live = await trx.selectFrom('account_representatives').select(['user_id']).where('account_id', '=', account.id).where('removed_at', 'is', null).execute();
      if (live.some((r) => r.user_id === input.userId)) {
        refuse('REPRESENTATIVE_EXISTS', `User ${input.userId} already represents account ${account.number}; remove and add again to change rights.`, 'userId');
      }
      throwIf(representativesWithinMax(live.length, this.settingsFor(account.jurisdictionId)));
      const row = {
        id: this.newId(),
        jurisdiction_id: account.jurisdictionId,
        account_id: account.id,
        user_id: input.userId,
        rights,
        added_by: actor.id,
        added_at: now.toISOString(),
        removed_at: null,
        removed_by: null,
      };
      await trx.insertInto('account_representatives').values(row).execute();
      const view = representativeView(row);
      await appendAuditEvent(trx, actor, { jurisdictionId: account.jurisdictionId, action: 'representative.add', objectType: 'account', objectId: account.id, after: view }, now);
      return view;
    }, refusal('REPRESENTATIVE_EXISTS', `User ${input.userId} already represents this account.`, 'userId'));
  }

  async removeRepresentative(actor: Actor, input: { accountId: string; userId: string }): Promise<RepresentativeView> {
    checkId(input.accountId, 'accountId');
    checkId(input.userId, 'userId');
    return this.change(async (trx, now) => {
      const account = await holdingAccount(trx, input.accountId, 'accountId');
      await this.require(actor, 'representative.manage', { jurisdictionId: account.jurisdictionId, accountId: account.id }, trx);
      const row = await trx.selectFrom('account_representatives').selectAll().where('account_id', '=', account.id).where('user_id', '=', input.userId).where('removed_at', 'is', null).executeTakeFirst();
      if (row === undefined) refuse('REPRESENTATIVE_UNKNOWN', `User ${input.userId} does not represent account ${account.number}.`, 'userId');
      const removed = { ...row, removed_at: now.toISOString(), removed_by: actor.id };
      await trx.updateTable('account_representatives').set({ removed_at: removed.removed_at, removed_by: actor.id }).where('id', '=', row.id).execute();
      await appendAuditEvent(trx, actor, { jurisdictionId: account.jurisdictionId, action: 'representative.remove', objectType: 'account', objectId: account.id, before: representativeView(row), after: representativeView(removed) }, now);
      return representativeView(removed);
    });
  }

  async representativesOf(actor: Actor, accountId: string): Promise<RepresentativeView[]> {
    checkId(accountId, 'accountId');
    const account = await holdingAccount(this.db.kysely, accountId, 'accountId');
    await this.require(actor, 'account.read', { jurisdictionId: account.jurisdictionId, accountId });
    const rows = await this.db.kysely.selectFrom('account_representatives').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('id').execute();
    return rows.map(representativeView);
  }

  // ---- trusted account list -----------------------------------------------------------------------------

  /** Adds an account to another's trusted list; it counts as trusted from now + the activation delay. */
  async addTrustedAccount(actor: Actor, input: { accountId: string; trustedAccountId: string }): Promise<TrustedAccountView> {
    checkId(input.accountId, 'accountId');
    checkId(input.trustedAccountId, 'trustedAccountId');
    throwIf(trustedNotSelf(input.accountId, input.trustedAccountId));
    return this.change(async (trx, now) => {
      const account = await holdingAccount(trx, input.accountId, 'accountId');
      await this.require(actor, 'trusted_list.add', { jurisdictionId: account.jurisdictionId, accountId: account.id }, trx);
      const trusted = await holdingAccount(trx, input.trustedAccountId, 'trustedAccountId');
      if (trusted.jurisdictionId !== account.jurisdictionId) refuse('SCOPE_MISMATCH', 'A trusted account is in the same registry (jurisdiction).', 'trustedAccountId');
      const listed = await trx.selectFrom('trusted_accounts').select('id').where('account_id', '=', account.id).where('trusted_account_id', '=', trusted.id).where('removed_at', 'is', null).executeTakeFirst();
      if (listed !== undefined) refuse('TRUSTED_ALREADY_LISTED', `Account ${trusted.number} is already on the trusted list.`, 'trustedAccountId');
      const row = {
        id: this.newId(),
        jurisdiction_id: account.jurisdictionId,
        account_id: account.id,
        trusted_account_id: trusted.id,
        added_by: actor.id,
        added_at: now.toISOString(),
        active_from: trustedActiveFrom(now, this.settingsFor(account.jurisdictionId)).toISOString(),
        removed_at: null,
        removed_by: null,
      };
      await trx.insertInto('trusted_accounts').values(row).execute();
      const view = trustedView(row, now);
      await appendAuditEvent(trx, actor, { jurisdictionId: account.jurisdictionId, action: 'trusted_list.add', objectType: 'account', objectId: account.id, after: view }, now);
      return view;
    }, refusal('TRUSTED_ALREADY_LISTED', 'This account is already on the trusted list.', 'trustedAccountId'));
  }

  /** Removes an account from the trusted list, effective at once. */
  async removeTrustedAccount(actor: Actor, input: { accountId: string; trustedAccountId: string }): Promise<TrustedAccountView> {
    checkId(input.accountId, 'accountId');
    checkId(input.trustedAccountId, 'trustedAccountId');
    return this.change(async (trx, now) => {
      const account = await holdingAccount(trx, input.accountId, 'accountId');
      await this.require(actor, 'trusted_list.remove', { jurisdictionId: account.jurisdictionId, accountId: account.id }, trx);
      const row = await trx.selectFrom('trusted_accounts').selectAll().where('account_id', '=', account.id).where('trusted_account_id', '=', input.trustedAccountId).where('removed_at', 'is', null).executeTakeFirst();
      if (row === undefined) refuse('TRUSTED_NOT_LISTED', 'That account is not on the trusted list.', 'trustedAccountId');
      const removed = { ...row, removed_at: now.toISOString(), removed_by: actor.id };
      await trx.updateTable('trusted_accounts').set({ removed_at: removed.removed_at, removed_by: actor.id }).where('id', '=', row.id).execute();
      await appendAuditEvent(trx, actor, { jurisdictionId: account.jurisdictionId, action: 'trusted_list.remove', objectType: 'account', objectId: account.id, before: trustedView(row, now), after: trustedView(removed, now) }, now);
      return trustedView(removed, now);
    });
  }

  /** The account's trusted list (entries not removed), pending ones with active = false. */
  async trustedAccountsOf(actor: Actor, accountId: string): Promise<TrustedAccountView[]> {
    checkId(accountId, 'accountId');
    const account = await holdingAccount(this.db.kysely, accountId, 'accountId');
    await this.require(actor, 'trusted_list.read', { jurisdictionId: account.jurisdictionId, accountId });
    const now = this.clock();
    const rows = await this.db.kysely.selectFrom('trusted_accounts').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('id').execute();
    return rows.map((r) => trustedView(r, now));
  }

  /** Whether `toAccountId` is on `fromAccountId`'s active trusted list at `at` (for the policy; no authorization). */
  async isTrusted(fromAccountId: string, toAccountId: string, at: Date, ex: Executor = this.db.kysely): Promise<boolean> {
    const rows = await ex
      .selectFrom('trusted_accounts')
      .select(['active_from', 'removed_at'])
      .where('account_id', '=', fromAccountId)
      .where('trusted_account_id', '=', toAccountId)
      .orderBy('id', 'desc')
      .limit(100)
      .execute();
    const entries: TrustedEntry[] = rows.map((r) => ({
      accountId: fromAccountId,
      trustedAccountId: toAccountId,
      activeFrom: new Date(r.active_from),
      removedAt: r.removed_at === null ? null : new Date(r.removed_at),
    }));
    return isTrusted(entries, fromAccountId, toAccountId, at);
  }

  // ---- audit --------------------------------------------------------------------------------------------

  /** Appends an audit event (inside `ex` when given). For use-cases elsewhere (sign-in, HTTP) that change state. */
  async record(actor: Actor, event: AuditEventInput, ex: Executor = this.db.kysely, at: Date = this.clock()): Promise<AuditEvent> {
    return appendAuditEvent(ex, actor, event, at);
  }

  /** A page of a jurisdiction's audit log, newest first (authority only; system actors may read across jurisdictions). */
  async listAudit(actor: Actor, filter: AuditFilter, cursor: string | null = null, limit?: number): Promise<AuditPage> {
    await this.requireAuditReader(actor, filter);
    return listAuditEvents(this.db, filter, cursor, limit);
  }

  /** The whole matching log as CSV or JSON lines, streamed page by page. */
  async exportAudit(actor: Actor, filter: AuditFilter, format: AuditExportFormat): Promise<AsyncGenerator<string>> {
    await this.requireAuditReader(actor, filter);
    return exportAuditEvents(this.db, filter, format);
  }

  private async requireAuditReader(actor: Actor, filter: AuditFilter): Promise<void> {
    if (filter.jurisdictionId === undefined) {
      if (actor.kind === 'system') return;
      refuse('SCOPE_REQUIRED', 'Name the jurisdiction whose audit log to read.', 'jurisdictionId');
    }
    await this.require(actor, 'audit.read', { jurisdictionId: filter.jurisdictionId });
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  /** Runs one change in one transaction; a unique-index race becomes `raced` (the concurrent twin won). */
  private async change<T>(fn: (trx: Transaction<Schema>, now: Date) => Promise<T>, raced?: Refusal): Promise<T> {
    const now = this.clock();
    try {
      return await this.db.kysely.transaction().execute((trx) => fn(trx, now));
    } catch (error) {
      if (raced !== undefined && isUniqueViolation(error)) throw new RefusedError(raced);
      throw error;
    }
  }
}

const checkedSettings = new WeakSet<AccessSettings>();

function checkSettings(s: AccessSettings): AccessSettings {
  if (checkedSettings.has(s)) return s;
  const problems = accessSettingsProblems(s);
  if (problems.length > 0) throw new Error(`invalid access settings: ${problems.map((p) => `${p.field ?? ''}: ${p.message}`).join('; ')}`);
  checkedSettings.add(s);
  return s;
}

function throwIf(r: Refusal | null): void {
  if (r !== null) throw new RefusedError(r);
}

export async function accountById(ex: Executor, id: string): Promise<AccountRef | undefined> {
  const row = await ex.selectFrom('accounts').select(['id', 'jurisdiction_id', 'number', 'type', 'status']).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, jurisdictionId: row.jurisdiction_id, number: row.number, type: row.type as AccountType, status: row.status };
}

/** An account whose units someone holds (not a surrender, retirement or cancellation account). */
async function holdingAccount(ex: Executor, id: string, field: string): Promise<AccountRef> {
  const account = await accountById(ex, id);
  if (account === undefined) refuse('UNKNOWN_ACCOUNT', `No account ${id}.`, field);
  if (!HOLDING_ACCOUNT_TYPES.includes(account.type)) {
    refuse('ACCOUNT_TYPE_NOT_ALLOWED', `Account ${account.number} (${account.type}) has no representatives or trusted list.`, field);
  }
  return account;
}

async function accountInJurisdiction(ex: Executor, id: string, jurisdictionId: string, field: string): Promise<AccountRef> {
  const account = await accountById(ex, id);
  if (account === undefined) refuse('UNKNOWN_ACCOUNT', `No account ${id}.`, field);
  if (account.jurisdictionId !== jurisdictionId) refuse('SCOPE_MISMATCH', `Account ${account.number} belongs to another jurisdiction.`, field);
  return account;
}

function roleView(r: Schema['role_assignments']): RoleAssignmentView {
  return {
    id: r.id,
    userId: r.user_id,
    role: r.role as AssignableRole,
    jurisdictionId: r.jurisdiction_id,
    accountId: r.account_id,
    grantedBy: r.granted_by,
    grantedAt: r.granted_at,
    revokedAt: r.revoked_at,
    revokedBy: r.revoked_by,
  };
}

function representativeView(r: Schema['account_representatives']): RepresentativeView {
  return {
    id: r.id,
    jurisdictionId: r.jurisdiction_id,
    accountId: r.account_id,
    userId: r.user_id,
    rights: r.rights as RepresentativeRights,
    addedBy: r.added_by,
    addedAt: r.added_at,
    removedAt: r.removed_at,
    removedBy: r.removed_by,
  };
}

function trustedView(r: Schema['trusted_accounts'], now: Date): TrustedAccountView {
  const entry: TrustedEntry = {
    accountId: r.account_id,
    trustedAccountId: r.trusted_account_id,
    activeFrom: new Date(r.active_from),
    removedAt: r.removed_at === null ? null : new Date(r.removed_at),
  };
  return {
    id: r.id,
    jurisdictionId: r.jurisdiction_id,
    accountId: r.account_id,
    trustedAccountId: r.trusted_account_id,
    addedBy: r.added_by,
    addedAt: r.added_at,
    activeFrom: r.active_from,
    removedAt: r.removed_at,
    removedBy: r.removed_by,
    active: trustedEntryActive(entry, now),
  };
}

/** An authorization refusal (ROLE_REQUIRED, SCOPE_MISMATCH …) as the 403 FORBIDDEN the API gives, the rule's code in
 * the message; other refusals (UNKNOWN_ACCOUNT …) unchanged. */
export function forbidden(r: Refusal): RefusedError {
  if (!(AUTHORIZATION_CODES as readonly string[]).includes(r.code)) return new RefusedError(r);
  const message = `${r.message} (${r.code})`;
  return new RefusedError(r.field === undefined ? refusal('FORBIDDEN', message) : refusal('FORBIDDEN', message, r.field));
}
