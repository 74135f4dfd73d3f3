// The permission table: for every action, who may do it and at which scope, and the pure decision over an
// actor's grants. The HTTP layer names one action per route and asks the app's `authorize` before acting.
import { refusal, type Refusal } from '../errors.js';
import { canApprove, canInitiate, type AccessScope, type Actor, type Grant, type Role } from './roles.js';

/**
 * public: anyone, signed in or not. jurisdiction: grants over the whole jurisdiction. account: grants over the
 * jurisdiction or over that account (the scope names the account; facility actions name the facility's account).
 */
export type PermissionLevel = 'public' | 'jurisdiction' | 'account';

export interface Permission {
  readonly level: PermissionLevel;
  readonly roles: readonly Role[];
  /** For authorized representatives: the right they need on the account. Unset: any right. */
  readonly right?: 'initiate' | 'approve';
  /** What it allows, completing "may …" in refusal messages. */
  readonly does: string;
}

const AUTHORITY: readonly Role[] = ['authority_admin', 'authority_officer'];
const ACCOUNT_READERS: readonly Role[] = [...AUTHORITY, 'authorized_representative', 'facility_operator', 'trader'];

export const PERMISSIONS = {
  // What a program discloses.
  'jurisdiction.read': { level: 'public', roles: ['public'], does: 'read jurisdictions' },
  'program.read': { level: 'public', roles: ['public'], does: 'read program definitions' },
  'disclosure.read': { level: 'public', roles: ['public'], does: 'read disclosed data' },
  // Program administration.
  'program.configure': { level: 'jurisdiction', roles: ['authority_admin'], does: 'configure the program' },
  'account.open': { level: 'jurisdiction', roles: ['authority_admin'], does: 'open accounts' },
  'account.manage': { level: 'account', roles: ['authority_admin'], does: 'block, unblock or close accounts' },
  'unit_type.create': { level: 'jurisdiction', roles: ['authority_admin'], does: 'create unit types' },
  'role.manage': { level: 'jurisdiction', roles: ['authority_admin'], does: 'grant and revoke roles' },
  'role.read': { level: 'jurisdiction', roles: AUTHORITY, does: 'read role assignments' },
  'representative.manage': { level: 'account', roles: ['authority_admin'], does: "change an account's representatives" },
  'audit.read': { level: 'jurisdiction', roles: AUTHORITY, does: 'read and export the audit log' },
  'compliance.run': { level: 'jurisdiction', roles: ['authority_admin'], does: 'run compliance' },
  'compliance.read': { level: 'jurisdiction', roles: AUTHORITY, does: 'read compliance results' },
  // Facilities and reporting (account scope: the facility's compliance account).
  'facility.register': { level: 'jurisdiction', roles: ['authority_admin', 'facility_operator'], does: 'register facilities' },
  'facility.designate': { level: 'jurisdiction', roles: ['authority_admin'], does: 'decide designations and reliefs' },
  'facility.list': { level: 'jurisdiction', roles: [...AUTHORITY, 'verifier'], does: 'list facilities' },
  'facility.read': { level: 'account', roles: [...AUTHORITY, 'facility_operator', 'verifier'], does: 'read this facility' },
  'report.submit': { level: 'account', roles: ['facility_operator'], does: 'draft and submit reports for this facility' },
  'report.read': { level: 'account', roles: [...AUTHORITY, 'facility_operator', 'verifier'], does: "read this facility's reports" },
  'report.verify': { level: 'account', roles: ['verifier'], does: 'verify reports (when the agency is assigned)' },
  'report.review': { level: 'jurisdiction', roles: AUTHORITY, does: 'accept or return reports' },
  'report.return': { level: 'account', roles: ['verifier'], does: "return this facility's reports to the operator (when the agency is assigned)" },
  'base_year.choose': { level: 'account', roles: ['facility_operator'], does: "choose this facility's base years" },
  'credit.apply': { level: 'account', roles: ['facility_operator'], does: 'apply for credits for this facility' },
  'credit.decide': { level: 'jurisdiction', roles: AUTHORITY, does: 'decide credit applications' },
  // The ledger.
  'account.read': { level: 'account', roles: ACCOUNT_READERS, does: 'read this account and its holdings' },
  'account.list': { level: 'jurisdiction', roles: AUTHORITY, does: 'list accounts' },
  'transaction.list': { level: 'jurisdiction', roles: AUTHORITY, does: 'list transactions' },
  'transaction.read': { level: 'account', roles: ACCOUNT_READERS, does: "read this account's transactions" },
  'transaction.propose': { level: 'account', roles: ['authorized_representative'], right: 'initiate', does: 'propose transactions from this account' },
  'transaction.approve': { level: 'account', roles: ['authorized_representative'], right: 'approve', does: 'approve transactions from this account' },
  'transaction.cancel': { level: 'account', roles: ['authorized_representative', 'authority_admin'], does: 'cancel pending transactions from this account' },
  'authority_tx.propose': { level: 'jurisdiction', roles: ['authority_admin'], does: 'propose issuances and reversals' },
  'authority_tx.approve': { level: 'jurisdiction', roles: AUTHORITY, does: 'approve issuances and reversals' },
  'trusted_list.read': { level: 'account', roles: ACCOUNT_READERS, does: "read this account's trusted list" },
  'trusted_list.add': { level: 'account', roles: ['authorized_representative'], right: 'initiate', does: "add to this account's trusted list" },
  'trusted_list.remove': { level: 'account', roles: ['authorized_representative', 'authority_admin'], does: "remove from this account's trusted list" },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export function isAction(value: string): value is Action {
  return Object.hasOwn(PERMISSIONS, value);
}

export function permissionOf(action: Action): Permission {
  return PERMISSIONS[action];
}

export type Decision =
  | { readonly allowed: true; readonly rule: string; readonly grant: Grant | null }
  | { readonly allowed: false; readonly refusal: Refusal };

/** Refusal codes of authorization, for the HTTP layer: SIGN_IN_REQUIRED is 401, the rest 403. */
export const AUTHORIZATION_CODES = [
  'SIGN_IN_REQUIRED',
  'ROLE_REQUIRED',
  'INITIATE_RIGHT_REQUIRED',
  'APPROVE_RIGHT_REQUIRED',
  'SCOPE_REQUIRED',
  'ACCOUNT_SCOPE_REQUIRED',
  'SCOPE_MISMATCH',
] as const;

/** Whether a grant covers a scope for an action at this level. Jurisdiction-level actions need a jurisdiction-wide grant. */
export function grantCovers(grant: Grant, level: PermissionLevel, scope: AccessScope): boolean {
  if (grant.jurisdictionId !== scope.jurisdictionId) return false;
  if (grant.accountId === null) return true;
  return level === 'account' && grant.accountId === scope.accountId;
}

function hasRight(grant: Grant, right: Permission['right']): boolean {
  if (grant.role !== 'authorized_representative' || right === undefined) return true;
  if (grant.rights === null) return false;
  return right === 'initiate' ? canInitiate(grant.rights) : canApprove(grant.rights);
}

/**
 * Rule ROLE_IN_SCOPE: the actor holds one of the action's roles over the scope (with the representative right it
 * needs). Public actions are open to all; system actors (in-process jobs, never built from a request) pass.
 * The caller has checked that scope.accountId, when given, belongs to scope.jurisdictionId.
 */
export function decide(actor: Actor, grants: readonly Grant[], action: Action, scope: AccessScope | null): Decision {
  const p: Permission = PERMISSIONS[action];
  if (p.level === 'public') return { allowed: true, rule: 'PUBLIC', grant: null };
  if (actor.kind === 'anonymous') return deny(refusal('SIGN_IN_REQUIRED', `Sign in to ${p.does}.`));
  if (actor.kind === 'system') return { allowed: true, rule: 'SYSTEM', grant: null };
  if (scope === null) return deny(refusal('SCOPE_REQUIRED', `Name the jurisdiction to ${p.does}.`, 'jurisdictionId'));
  if (p.level === 'account' && scope.accountId === undefined) {
    return deny(refusal('ACCOUNT_SCOPE_REQUIRED', `Name the account to ${p.does}.`, 'accountId'));
  }
  const field = p.level === 'account' ? 'accountId' : 'jurisdictionId';
  const covering = grants.filter((g) => p.roles.includes(g.role) && grantCovers(g, p.level, scope));
  const granted = covering.find((g) => hasRight(g, p.right));
  if (granted !== undefined) return { allowed: true, rule: `ROLE_IN_SCOPE:${granted.role}`, grant: granted };
  if (covering.length > 0 && p.right !== undefined) {
    const code = p.right === 'initiate' ? 'INITIATE_RIGHT_REQUIRED' : 'APPROVE_RIGHT_REQUIRED';
    return deny(refusal(code, `A representative needs the right to ${p.right} to ${p.does}.`, field));
  }
  const where = p.level === 'account' ? 'this account or its jurisdiction' : 'this jurisdiction';
  return deny(refusal('ROLE_REQUIRED', `Only ${p.roles.join(', ')} of ${where} may ${p.does}.`, field));
}

function deny(r: Refusal): Decision {
  return { allowed: false, refusal: r };
}
