// Who acts and with which standing: the roles of the architecture page, representative rights on an account,
// and the grants (role × scope) that permissions are checked against.
import { refusal, type Refusal } from '../errors.js';

export const ROLES = [
  'authority_admin',
  'authority_officer',
  'facility_operator',
  'authorized_representative',
  'verifier',
  'trader',
  'public',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles kept in role_assignments. `public` is everyone's; representatives are kept per account with their rights. */
export const ASSIGNABLE_ROLES = ['authority_admin', 'authority_officer', 'facility_operator', 'verifier', 'trader'] as const;
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];

/** How an assignable role may be scoped: to a whole jurisdiction, or also narrowed to one account. */
export const ROLE_SCOPING: Record<AssignableRole, 'jurisdiction' | 'jurisdiction_or_account'> = {
  authority_admin: 'jurisdiction',
  authority_officer: 'jurisdiction',
  verifier: 'jurisdiction',
  facility_operator: 'jurisdiction_or_account',
  trader: 'jurisdiction_or_account',
};

/** Representative rights (Delegated Reg. (EU) 2019/1122 Art. 20): initiate, approve, or both. */
export const REPRESENTATIVE_RIGHTS = ['initiate', 'approve', 'initiate_and_approve'] as const;
export type RepresentativeRights = (typeof REPRESENTATIVE_RIGHTS)[number];

export function canInitiate(rights: RepresentativeRights): boolean {
  return rights !== 'approve';
}

export function canApprove(rights: RepresentativeRights): boolean {
  return rights !== 'initiate';
}

export const ACTOR_KINDS = ['user', 'token', 'system', 'anonymous'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/**
 * Whoever asks. `id` is the user id for users and for API tokens (a token acts for its user and has that user's
 * roles; the token's own scopes are checked by authentication), the job name for system actors ("system:…").
 */
export interface Actor {
  readonly kind: ActorKind;
  readonly id: string;
  readonly tokenId?: string;
  /** The client's network address, as the HTTP layer saw it. */
  readonly address?: string;
  readonly userAgent?: string;
}

export const ANONYMOUS: Actor = { kind: 'anonymous', id: 'anonymous' };

export function systemActor(name: string): Actor {
  return { kind: 'system', id: name.startsWith('system:') ? name : `system:${name}` };
}

/** One standing an actor holds: from a role assignment or from being an account's representative. */
export interface Grant {
  readonly role: Exclude<Role, 'public'>;
  readonly jurisdictionId: string;
  /** null: the whole jurisdiction. Representatives are always scoped to their account. */
  readonly accountId: string | null;
  /** Set for representatives only. */
  readonly rights: RepresentativeRights | null;
  readonly source: 'role_assignment' | 'representative';
  readonly sourceId: string;
}

/** Where an action applies. Account-level actions name the account; the app checks it belongs to the jurisdiction. */
export interface AccessScope {
  readonly jurisdictionId: string;
  readonly accountId?: string;
}

export const ACTOR_ID_MAX = 200;

/** The actor is well formed: a known kind and a named id. */
export function actorIsNamed(actor: Actor): Refusal | null {
  if (!(ACTOR_KINDS as readonly string[]).includes(actor.kind)) {
    return refusal('ACTOR_INVALID', `An actor kind is one of: ${ACTOR_KINDS.join(', ')}.`, 'actor');
  }
  if (actor.id.trim() === '' || actor.id.length > ACTOR_ID_MAX) {
    return refusal('ACTOR_INVALID', `The acting user must be named (1 to ${ACTOR_ID_MAX} characters).`, 'actor');
  }
  return null;
}

export function isAssignableRole(value: string): value is AssignableRole {
  return (ASSIGNABLE_ROLES as readonly string[]).includes(value);
}

export function isRepresentativeRights(value: string): value is RepresentativeRights {
  return (REPRESENTATIVE_RIGHTS as readonly string[]).includes(value);
}

/** Rule ROLE_ASSIGNABLE: the role can be granted here, with a scope it allows. */
export function roleAssignable(role: string, accountId: string | undefined): Refusal | null {
  if (role === 'public') return refusal('ROLE_NOT_GRANTABLE', 'Everyone has the public role; it is not granted.', 'role');
  if (role === 'authorized_representative') {
    return refusal('ROLE_VIA_REPRESENTATIVES', 'Authorized representatives are added to an account with their rights, not granted as a role.', 'role');
  }
  if (!isAssignableRole(role)) return refusal('ROLE_UNKNOWN', `A role is one of: ${ASSIGNABLE_ROLES.join(', ')}.`, 'role');
  if (accountId !== undefined && ROLE_SCOPING[role] === 'jurisdiction') {
    return refusal('ROLE_SCOPE_INVALID', `The ${role} role applies to a whole jurisdiction, not to one account.`, 'accountId');
  }
  return null;
}

/** Rule NO_SELF_GRANT: nobody grants standing to themselves (the system bootstraps the first administrator). */
export function noSelfGrant(actor: Actor, userId: string): Refusal | null {
  return actor.kind !== 'system' && actor.id === userId
    ? refusal('SELF_GRANT', 'Roles and representative rights are granted by someone else.', 'userId')
    : null;
}
