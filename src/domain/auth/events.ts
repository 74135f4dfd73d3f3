// What authentication tells the audit log: who did what to whom, when and from where. The audit writer stores
// these; no secret (password, token, code, TOTP secret) ever appears in one.

export type AuthEventType =
  | 'user.created'
  | 'user.disabled'
  | 'user.password_changed'
  | 'sign_in.succeeded'
  | 'sign_in.failed'
  | 'sign_in.locked'
  | 'sign_in.throttled'
  | 'second_factor.succeeded'
  | 'second_factor.failed'
  | 'recovery_code.used'
  | 'totp.enrolment_started'
  | 'totp.confirmed'
  | 'recovery_codes.generated'
  | 'session.rotated'
  | 'session.ended'
  | 'session.expired'
  | 'csrf.issued'
  | 'csrf.failed'
  | 'api_token.created'
  | 'api_token.revoked'
  | 'api_token.refused';

export interface AuthEvent {
  readonly type: AuthEventType;
  /** ISO-8601 UTC. */
  readonly at: string;
  /** Who acted: a user id, or null when not (yet) known (a failed sign-in). */
  readonly actorUserId: string | null;
  /** Whose account it concerns, when known. */
  readonly subjectUserId: string | null;
  /** The login as typed (normalised) for sign-in events. */
  readonly login?: string;
  readonly sessionId?: string;
  readonly tokenId?: string;
  readonly address: string | null;
  readonly userAgent?: string | null;
  /** Extra facts without secrets: refusal code, reason, scopes, the session a rotation replaced. */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}
