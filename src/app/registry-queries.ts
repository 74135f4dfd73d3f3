// Reads of the registry for signed-in users (accounts, holdings, blocks, unit types, transactions, users), and
// the few checks the HTTP API needs around AccessControl's changes (the account or user named in a URL exists in that
// jurisdiction). Every read is authorized here, against the permission table: an authority reads the whole
// jurisdiction; everyone else sees exactly the accounts (and their transactions) that their grants let them read.
// One instance per server, sharing the Registry, AccessControl and RegistryPolicy of the HTTP routes.
import type { Selectable } from 'kysely';
import { isPlainIdentifier } from '../domain/identifiers.js';
import { RefusedError } from '../domain/errors.js';
import { decide, type Action } from '../domain/access/permissions.js';
import type { Actor } from '../domain/access/roles.js';
import type { AccessSettings } from '../domain/access/settings.js';
import type { TxStatus, TxType } from '../domain/registry/model.js';
import type { Database } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import { Auth, type NewUser, type RequestContext, type UserView } from './auth.js';
import { AccessControl, forbidden, refuse, type RoleAssignmentView } from './authorization.js';
import { RegistryPolicy } from './policy.js';
import { Registry } from './registry.js';

export interface AccountSummary {
  readonly id: string;
  readonly number: string;
  readonly type: string;
  readonly holder: string;
  readonly status: string;
  readonly facilityId: string | null;
  readonly createdAt: string;
}

export interface Holding {
  readonly unitTypeId: string;
  readonly unitTypeCode: string;
  readonly kind: string;
  readonly quantityT: bigint;
}

export interface BlockView {
  readonly unitTypeId: string;
  readonly serialStart: bigint;
  readonly serialEnd: bigint;
  readonly quantityT: bigint;
}

export interface UnitTypeView {
  readonly id: string;
  readonly code: string;
  readonly kind: string;
  readonly issuingJurisdiction: string;
  readonly vintage: number | null;
  readonly issuedT: bigint;
}

export interface TxHoldView {
  readonly executeAfter: string;
  readonly delayRule: string | null;
  readonly closedAt: string | null;
  readonly outcome: string | null;
}

export interface TxView {
  readonly id: string;
  readonly type: TxType;
  readonly status: TxStatus;
  readonly unitTypeId: string;
  readonly quantityT: bigint;
  readonly fromAccountId: string | null;
  readonly toAccountId: string | null;
  readonly reversesTxId: string | null;
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly reason: string | null;
  readonly completedAt: string | null;
  readonly journalSeq: bigint | null;
  readonly hold: TxHoldView | null;
}

/** A user as listed to administrators: the auth view without second-factor details. */
export type UserSummary = Omit<UserView, 'totpActive'>;

export interface PageRequest<K> {
  /** The sort key the page continues after. */
  readonly after?: K | undefined;
  /** Rows to fetch: the caller asks for one more than it shows. */
  readonly limit: number;
}

/** The actor's standing over a jurisdiction's accounts for a pair of actions (list everything / read one account). */
type Readable = 'all' | readonly string[];

const ROWS_MAX = 1000;

export interface RegistryServicesOptions {
  /** One clock for the ledger, the access rules and the delay job (tests move it). */
  readonly clock?: () => Date;
  readonly accessSettings?: AccessSettings | ((jurisdictionId: string) => AccessSettings);
}

/** The use-cases the signed-in registry and admin routes call. */
export interface RegistryServices {
  readonly registry: Registry;
  readonly access: AccessControl;
  readonly policy: RegistryPolicy;
  readonly queries: RegistryQueries;
}

const servicesByDb = new WeakMap<Database, WeakMap<object, RegistryServices>>();

/**
 * The services of one server, made once per server options object so that every route plugin of a server shares one
 * Registry (its group commit and cache), one AccessControl and one clock. `options` may be the server's options: the
 * fields of RegistryServicesOptions are read from it when present. `shared`: the sign-in's AccessControl and Auth,
 * when the server has them (else new ones over `db`).
 */
export function registryServicesFor(db: Database, options: object, shared?: { readonly access: AccessControl; readonly auth: Auth }): RegistryServices {
  let byOptions = servicesByDb.get(db);
  if (byOptions === undefined) {
    byOptions = new WeakMap();
    servicesByDb.set(db, byOptions);
  }
  const known = byOptions.get(options);
  if (known !== undefined) return known;
  const o = options as RegistryServicesOptions;
  const clock = typeof o.clock === 'function' ? o.clock : undefined;
  const registry = new Registry(db, clock === undefined ? {} : { clock });
  const access =
    o.accessSettings === undefined && shared !== undefined
      ? shared.access
      : new AccessControl(db, { ...(clock === undefined ? {} : { clock }), ...(o.accessSettings === undefined ? {} : { settings: o.accessSettings }) });
  const policy = new RegistryPolicy(registry, access);
  const services: RegistryServices = { registry, access, policy, queries: new RegistryQueries(access, shared?.auth ?? new Auth(db)) };
  byOptions.set(options, services);
  return services;
}

export class RegistryQueries {
  readonly db: Database;

  constructor(
    readonly access: AccessControl,
    readonly auth: Auth,
  ) {
    this.db = access.db;
  }

  // ---- scope ------------------------------------------------------------------------------------------------

  /**
   * The coarse check the HTTP layer runs before it validates a request: the actor holds a grant somewhere in the
   * jurisdiction that allows one of `actions` (for account-level actions, a grant over any account counts; the
   * use-case then checks the resource's own account). Refused FORBIDDEN (403), so that nobody without standing learns
   * what a valid request looks like. An unknown or malformed jurisdiction code passes: the route answers 400 or 404.
   */
  async gate(actor: Actor, actions: readonly Action[], jurisdictionCode: unknown): Promise<void> {
    if (actor.kind === 'system') return;
    // Not an identifier: the route's validation answers 400 after this hook.
    if (!isPlainIdentifier(jurisdictionCode)) return;
    const j = await this.db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', jurisdictionCode).executeTakeFirst();
    if (j === undefined) return;
    const refused = await this.access.standing(actor, actions, j.id);
    if (refused !== null) throw forbidden(refused);
  }


  /** The id of a jurisdiction by its code; UNKNOWN_JURISDICTION (404) when there is none. */
  async jurisdictionId(code: string): Promise<string> {
    const row = await this.db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', code).executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_JURISDICTION', `No jurisdiction ${code}.`, 'code');
    return row.id;
  }

  /** An account of the jurisdiction by id or by number (e.g. TOKYO-200-1); UNKNOWN_ACCOUNT (404) otherwise. */
  async accountOf(jurisdictionId: string, ref: string, field = 'accountId'): Promise<AccountSummary> {
    if (ref.length === 0 || ref.length > 200) refuse('UNKNOWN_ACCOUNT', 'No such account.', field);
    const row = await this.db.kysely
      .selectFrom('accounts')
      .selectAll()
      .where('jurisdiction_id', '=', jurisdictionId)
      .where((eb) => eb.or([eb('id', '=', ref), eb('number', '=', ref)]))
      .executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_ACCOUNT', `No account ${ref} in this registry.`, field);
    return accountSummary(row);
  }

  /**
   * What the actor may read among the jurisdiction's accounts: everything when `listAction` allows it or a
   * jurisdiction-wide grant allows `readAction` on any account; else the accounts its account-scoped grants allow.
   * Refused with `listAction`'s refusal when the actor may read nothing here.
   */
  async readable(actor: Actor, jurisdictionId: string, listAction: Action, readAction: Action): Promise<Readable> {
    const list = await this.access.authorize(actor, listAction, { jurisdictionId });
    if (list.allowed) return 'all';
    const grants = await this.access.grantsOf(actor, jurisdictionId);
    // An account id no grant names: only a jurisdiction-wide grant can cover it.
    if (decide(actor, grants, readAction, { jurisdictionId, accountId: '\u0000any' }).allowed) return 'all';
    const ids = [...new Set(grants.flatMap((g) => (g.accountId === null ? [] : [g.accountId])))].filter(
      (accountId) => decide(actor, grants, readAction, { jurisdictionId, accountId }).allowed,
    );
    if (ids.length === 0) throw new RefusedError(list.refusal);
    return ids;
  }

  // ---- accounts -----------------------------------------------------------------------------------------

  /** The accounts the actor may read, by id. */
  async listAccounts(actor: Actor, jurisdictionId: string, page: PageRequest<string>, filter: { type?: string | undefined } = {}): Promise<AccountSummary[]> {
    const readable = await this.readable(actor, jurisdictionId, 'account.list', 'account.read');
    let q = this.db.kysely.selectFrom('accounts').selectAll().where('jurisdiction_id', '=', jurisdictionId);
    if (readable !== 'all') q = q.where('id', 'in', readable);
    if (filter.type !== undefined) q = q.where('type', '=', filter.type);
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    const rows = await q.orderBy('id').limit(Math.min(page.limit, ROWS_MAX)).execute();
    return rows.map(accountSummary);
  }

  /** One account with its holdings by unit type (balances). */
  async account(actor: Actor, jurisdictionId: string, ref: string): Promise<{ account: AccountSummary; holdings: Holding[] }> {
    const account = await this.readableAccount(actor, jurisdictionId, ref);
    const rows = await this.db.kysely
      .selectFrom('balances as b')
      .innerJoin('unit_types as u', 'u.id', 'b.unit_type_id')
      .select(['b.unit_type_id', 'u.code', 'u.kind', 'b.quantity_t'])
      .where('b.account_id', '=', account.id)
      .orderBy('u.code')
      .limit(ROWS_MAX)
      .execute();
    return { account, holdings: rows.map((r) => ({ unitTypeId: r.unit_type_id, unitTypeCode: r.code, kind: r.kind, quantityT: r.quantity_t })) };
  }

  /** The account's unit blocks (serial ranges) in serial order, optionally of one unit type. */
  async blocks(actor: Actor, jurisdictionId: string, ref: string, page: PageRequest<bigint>, filter: { unitTypeId?: string | undefined } = {}): Promise<BlockView[]> {
    const account = await this.readableAccount(actor, jurisdictionId, ref);
    let q = this.db.kysely.selectFrom('unit_blocks').select(['unit_type_id', 'serial_start', 'serial_end']).where('account_id', '=', account.id);
    if (filter.unitTypeId !== undefined) q = q.where('unit_type_id', '=', filter.unitTypeId);
    if (page.after !== undefined) q = q.where('serial_start', '>', page.after);
    const rows = await q.orderBy('serial_start').limit(Math.min(page.limit, ROWS_MAX)).execute();
    return rows.map((r) => {
      const start = r.serial_start;
      const end = r.serial_end;
      return { unitTypeId: r.unit_type_id, serialStart: start, serialEnd: end, quantityT: end - start + 1n };
    });
  }

  private async readableAccount(actor: Actor, jurisdictionId: string, ref: string): Promise<AccountSummary> {
    const account = await this.accountOf(jurisdictionId, ref);
    await this.access.require(actor, 'account.read', { jurisdictionId, accountId: account.id });
    return account;
  }

  /** The jurisdiction's unit types, by code: what program participants need to name units (disclosed data). */
  async unitTypes(actor: Actor, jurisdictionId: string, page: PageRequest<string>): Promise<UnitTypeView[]> {
    await this.access.require(actor, 'disclosure.read', { jurisdictionId });
    let q = this.db.kysely.selectFrom('unit_types').selectAll().where('jurisdiction_id', '=', jurisdictionId);
    if (page.after !== undefined) q = q.where('code', '>', page.after);
    const rows = await q.orderBy('code').limit(Math.min(page.limit, ROWS_MAX)).execute();
    return rows.map((r) => ({ id: r.id, code: r.code, kind: r.kind, issuingJurisdiction: r.issuing_jurisdiction, vintage: r.vintage, issuedT: r.issued_t }));
  }

  // ---- transactions -------------------------------------------------------------------------------------

  /**
   * Transactions newest first. With an account: those from or to it (needs the right to read its transactions).
   * Without: all of them for an authority, else those touching the accounts the actor may read.
   */
  async listTransactions(
    actor: Actor,
    jurisdictionId: string,
    page: PageRequest<string>,
    filter: { accountRef?: string | undefined; status?: TxStatus | undefined; type?: TxType | undefined } = {},
  ): Promise<TxView[]> {
    let accounts: Readable;
    if (filter.accountRef !== undefined) {
      const account = await this.accountOf(jurisdictionId, filter.accountRef);
      await this.access.require(actor, 'transaction.read', { jurisdictionId, accountId: account.id });
      accounts = [account.id];
    } else {
      accounts = await this.readable(actor, jurisdictionId, 'transaction.list', 'transaction.read');
    }
    let q = this.db.kysely.selectFrom('transactions').selectAll().where('jurisdiction_id', '=', jurisdictionId);
    if (accounts !== 'all') {
      const ids = accounts;
      q = q.where((eb) => eb.or([eb('from_account_id', 'in', ids), eb('to_account_id', 'in', ids)]));
    }
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.type !== undefined) q = q.where('type', '=', filter.type);
    if (page.after !== undefined) q = q.where('id', '<', page.after);
    const rows = await q.orderBy('id', 'desc').limit(Math.min(page.limit, ROWS_MAX)).execute();
    const holds = await this.holdsOf(rows.map((r) => r.id));
    return rows.map((r) => txView(r, holds.get(r.id) ?? null));
  }

  /** One transaction: for an authority, or for whoever may read the transactions of its source or destination. */
  async transaction(actor: Actor, jurisdictionId: string, txId: string): Promise<TxView> {
    const readable = await this.readable(actor, jurisdictionId, 'transaction.list', 'transaction.read');
    const row = txId.length > 200 ? undefined : await this.db.kysely.selectFrom('transactions').selectAll().where('id', '=', txId).where('jurisdiction_id', '=', jurisdictionId).executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_TRANSACTION', `No transaction ${txId} in this registry.`, 'txId');
    if (readable !== 'all' && !readable.some((a) => a === row.from_account_id || a === row.to_account_id)) {
      const d = await this.access.authorize(actor, 'transaction.read', { jurisdictionId, accountId: row.from_account_id ?? row.to_account_id ?? '' });
      if (!d.allowed) throw new RefusedError(d.refusal);
    }
    const holds = await this.holdsOf([row.id]);
    return txView(row, holds.get(row.id) ?? null);
  }

  /** A transaction as the API shows it, without authorization (after a use-case that authorized). */
  async transactionView(jurisdictionId: string, txId: string): Promise<TxView> {
    const row = await this.db.kysely.selectFrom('transactions').selectAll().where('id', '=', txId).where('jurisdiction_id', '=', jurisdictionId).executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_TRANSACTION', `No transaction ${txId} in this registry.`, 'txId');
    const holds = await this.holdsOf([row.id]);
    return txView(row, holds.get(row.id) ?? null);
  }

  private async holdsOf(txIds: readonly string[]): Promise<Map<string, TxHoldView>> {
    if (txIds.length === 0) return new Map();
    const rows = await this.db.kysely.selectFrom('transaction_holds').select(['tx_id', 'execute_after', 'delay_rule', 'closed_at', 'outcome']).where('tx_id', 'in', [...txIds]).execute();
    return new Map(rows.map((h) => [h.tx_id, { executeAfter: h.execute_after, delayRule: h.delay_rule, closedAt: h.closed_at, outcome: h.outcome }]));
  }

  // ---- users and roles (authority) -----------------------------------------------------------------------

  /** Users by login: the directory an authority picks from when granting roles (needs role.read here). */
  async listUsers(actor: Actor, jurisdictionId: string, page: PageRequest<string>): Promise<UserSummary[]> {
    await this.access.require(actor, 'role.read', { jurisdictionId });
    let q = this.db.kysely.selectFrom('users').select(['id', 'login', 'email', 'display_name', 'status', 'locale', 'created_at']);
    if (page.after !== undefined) q = q.where('login', '>', page.after);
    const rows = await q.orderBy('login').limit(Math.min(page.limit, ROWS_MAX)).execute();
    return rows.map((r) => ({ id: r.id, login: r.login, email: r.email, displayName: r.display_name, status: r.status, locale: r.locale, createdAt: r.created_at }));
  }

  /** Creates a user (needs role.manage here: users are created to be given standing) and records the audit event. */
  async createUser(actor: Actor, jurisdictionId: string, input: NewUser, ctx: Omit<RequestContext, 'now'>): Promise<UserView> {
    await this.access.require(actor, 'role.manage', { jurisdictionId });
    const now = this.access.now();
    const result = await this.auth.createUser(input, actor.id, { ...ctx, now });
    if (!result.ok) throw new RefusedError(result.refusal);
    const user = result.value;
    await this.access.record(actor, { jurisdictionId, action: 'user.create', objectType: 'user', objectId: user.id, after: { login: user.login, displayName: user.displayName } }, undefined, now);
    return user;
  }

  /** The user must exist before standing is given to them. */
  async requireUser(userId: string, field = 'userId'): Promise<void> {
    const row = userId.length > 200 ? undefined : await this.db.kysely.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (row === undefined) refuse('UNKNOWN_USER', `No user ${userId}.`, field);
  }

  /** A role assignment of this jurisdiction (for revocation through a jurisdiction's URL). */
  async requireRoleAssignment(jurisdictionId: string, assignmentId: string): Promise<void> {
    const row = assignmentId.length > 200 ? undefined : await this.db.kysely.selectFrom('role_assignments').select('jurisdiction_id').where('id', '=', assignmentId).executeTakeFirst();
    if (row?.jurisdiction_id !== jurisdictionId) refuse('UNKNOWN_ROLE_ASSIGNMENT', `No role assignment ${assignmentId} in this registry.`, 'assignmentId');
  }

  /** Live role assignments, by id. */
  async listRoles(actor: Actor, jurisdictionId: string, page: PageRequest<string>, filter: { userId?: string | undefined } = {}): Promise<RoleAssignmentView[]> {
    const all = await this.access.listRoles(actor, jurisdictionId);
    const after = page.after;
    return all.filter((r) => (after === undefined || r.id > after) && (filter.userId === undefined || r.userId === filter.userId)).slice(0, page.limit);
  }
}



function accountSummary(r: Selectable<Schema['accounts']>): AccountSummary {
  return { id: r.id, number: r.number, type: r.type, holder: r.holder, status: r.status, facilityId: r.facility_id, createdAt: r.created_at };
}

function txView(r: Selectable<Schema['transactions']>, hold: TxHoldView | null): TxView {
  return {
    id: r.id,
    type: r.type as TxType,
    status: r.status as TxStatus,
    unitTypeId: r.unit_type_id,
    quantityT: r.quantity_t,
    fromAccountId: r.from_account_id,
    toAccountId: r.to_account_id,
    reversesTxId: r.reverses_tx_id,
    proposedBy: r.proposed_by,
    proposedAt: r.proposed_at,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    reason: r.reason,
    completedAt: r.completed_at,
    journalSeq: r.journal_seq === null ? null : r.journal_seq,
    hold,
  };
}
