// Authentication use-cases: users, sign-in with lockout and throttling, the TOTP second factor and recovery codes,
// sessions (expiry, rotation, CSRF) and API tokens. Each use-case is one database transaction and returns the
// events the audit log records. A refusal that must leave a trace (a failed sign-in) commits that trace, so
// use-cases return refusals instead of throwing them. docs/security.md explains the choices.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import { refusal, type Refusal } from '../domain/errors.js';
import type { AuthEvent, AuthEventType } from '../domain/auth/events.js';
import { passwordLength, passwordProblems } from '../domain/auth/password.js';
import { scopeAllows, scopeProblems, type Scope } from '../domain/auth/scopes.js';
import { newSessionTimes, sessionState, touchedIdleExpiry, type SessionStage, type SessionTimes } from '../domain/auth/session.js';
import { AUTH_LIMITS, DEFAULT_AUTH_SETTINGS, type AuthSettings } from '../domain/auth/settings.js';
import { accountLockout, addressThrottle, lockoutLookbackMs } from '../domain/auth/throttle.js';
import { isTotpCodeFormat, normaliseCode, totpStepAcceptable } from '../domain/auth/totp.js';
import type { Database } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import {
  SecretBox,
  constantTimeEqual,
  dummyPasswordHash,
  hashPassword,
  newRecoveryCode,
  randomToken,
  sha256Hex,
  verifyPassword,
} from './auth/secrets.js';
import { isUniqueViolation } from './facilities.js';
import { uuidv7 } from './ids.js';

type Trx = Transaction<Schema>;

/** Where and when a request came from. `now` is passed in, so rules about time are testable without sleeping. */
export interface RequestContext {
  readonly now: Date;
  /** The client's address as the server determined it; null for local tools (CLI). */
  readonly address: string | null;
  readonly userAgent?: string | null;
}

export type AuthResult<T> =
  | { readonly ok: true; readonly value: T; readonly events: readonly AuthEvent[] }
  | { readonly ok: false; readonly refusal: Refusal; readonly events: readonly AuthEvent[]; readonly retryAfterMs?: number };

export interface AuthOptions {
  /** Overrides of DEFAULT_AUTH_SETTINGS. */
  readonly settings?: Partial<AuthSettings>;
  /** Seals TOTP secrets at rest; default from CITYCAP_TOTP_KEY. */
  readonly secretBox?: SecretBox;
  readonly newId?: () => string;
}

export interface NewUser {
  readonly login: string;
  readonly email: string;
  readonly displayName: string;
  readonly password: string;
  readonly locale?: string;
}

export interface UserView {
  readonly id: string;
  readonly login: string;
  readonly email: string;
  readonly displayName: string;
  readonly status: string;
  readonly locale: string;
  readonly createdAt: string;
  readonly totpActive: boolean;
}

export interface SessionView {
  readonly id: string;
  readonly userId: string;
  readonly stage: SessionStage;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly idleExpiresAt: string;
  readonly expiresAt: string;
  readonly address: string | null;
  readonly userAgent: string | null;
}

/** A new session: the raw session and CSRF tokens exist only here, never in the database. */
export interface IssuedSession {
  readonly session: SessionView;
  readonly sessionToken: string;
  readonly csrfToken: string;
}

export interface TotpEnrolment {
  /** Base32 secret, for people who type it instead of scanning. */
  readonly secret: string;
  /** otpauth:// URI to show as a QR code. */
  readonly otpauthUri: string;
}

export interface ApiTokenView {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** Who a valid API token speaks for. */
export interface TokenPrincipal {
  readonly tokenId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
}

export interface AuthenticateOptions {
  /** Accept a session that still owes the second factor or TOTP enrolment (only for those routes). */
  readonly allowPartial?: boolean;
  /** For state-changing requests: the CSRF token the client sent (header), checked against the session. */
  readonly csrf?: { readonly token: string | undefined };
}

const SESSION_TOKEN_PREFIX = 'ccs_';
const API_TOKEN_PREFIX = 'cct_';
const TOKEN_BYTES = 32;
/** A presented token longer than this is not ours; refuse before hashing. */
const PRESENTED_TOKEN_CHARS_MAX = 128;
const LOGIN_PATTERN = /^[^\s\p{Cc}]+$/u;
const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

const SIGN_IN_FAILED = refusal('SIGN_IN_FAILED', 'The login or password is wrong.', 'credentials');
const SESSION_INVALID = refusal('SESSION_INVALID', 'Not signed in, or the session has ended. Sign in again.', 'session');

export function normaliseLogin(login: string): string {
  return login.normalize('NFKC').trim().toLowerCase();
}

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString();

type SessionRow = Selectable<Schema['sessions']>;

function sessionView(r: SessionRow): SessionView {
  return {
    id: r.id,
    userId: r.user_id,
    stage: r.stage as SessionStage,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    idleExpiresAt: r.idle_expires_at,
    expiresAt: r.expires_at,
    address: r.address,
    userAgent: r.user_agent,
  };
}

function sessionTimes(r: SessionRow): SessionTimes {
  return {
    createdMs: ms(r.created_at),
    lastSeenMs: ms(r.last_seen_at),
    idleExpiresMs: ms(r.idle_expires_at),
    expiresMs: ms(r.expires_at),
    endedMs: r.ended_at === null ? null : ms(r.ended_at),
  };
}

function clip(value: string | null | undefined, max: number): string | null {
  return value === undefined || value === null ? null : value.slice(0, max);
}

export class Auth {
  readonly settings: AuthSettings;
  private readonly box: SecretBox;
  private readonly newId: () => string;

  constructor(
    readonly db: Database,
    options: AuthOptions = {},
  ) {
    this.settings = { ...DEFAULT_AUTH_SETTINGS, ...options.settings };
    this.box = options.secretBox ?? SecretBox.fromEnv();
    this.newId = options.newId ?? (() => uuidv7());
  }

  // ─── events and transactions ───────────────────────────────────────────────────────────────────────────

  private event(type: AuthEventType, ctx: RequestContext, fields: Omit<AuthEvent, 'type' | 'at' | 'address' | 'userAgent'>): AuthEvent {
    return { type, at: ctx.now.toISOString(), address: clip(ctx.address, AUTH_LIMITS.addressChars), userAgent: clip(ctx.userAgent, AUTH_LIMITS.userAgentChars), ...fields };
  }

  private transaction<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(fn);
  }

  /**
   * Serialises, on PostgreSQL, the decisions about one login and one address (SQLite has a single writer), so
   * that parallel guesses cannot all be judged against the same count of failures. Always login before address.
   */
  private async lockKeys(trx: Trx, login: string, address: string): Promise<void> {
    if (this.db.engine !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(7301, hashtext(${login}))`.execute(trx);
    await sql`select pg_advisory_xact_lock(7302, hashtext(${address}))`.execute(trx);
  }

  // ─── users ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Creates a user (an administrator's act; roles are assigned elsewhere). The user enrols TOTP at first sign-in. */
  async createUser(input: NewUser, actorUserId: string, ctx: RequestContext): Promise<AuthResult<UserView>> {
    const login = normaliseLogin(input.login);
    const problems: Refusal[] = [];
    if (login === '' || login.length > AUTH_LIMITS.loginChars || !LOGIN_PATTERN.test(login)) {
      problems.push(refusal('LOGIN_INVALID', `A login is 1 to ${AUTH_LIMITS.loginChars} characters without spaces.`, 'login'));
    }
    const email = input.email.trim();
    if (email.length > AUTH_LIMITS.loginChars || !/^[^\s@]+@[^\s@]+$/.test(email)) problems.push(refusal('EMAIL_INVALID', 'An e-mail address looks like name@example.org.', 'email'));
    const displayName = input.displayName.trim();
    if (displayName === '' || displayName.length > AUTH_LIMITS.displayNameChars) {
      problems.push(refusal('TEXT_INVALID', `displayName is 1 to ${AUTH_LIMITS.displayNameChars} characters.`, 'displayName'));
    }
    const locale = input.locale ?? 'en';
    if (!LOCALE_PATTERN.test(locale)) problems.push(refusal('LOCALE_INVALID', 'A locale is a language tag such as en or ja.', 'locale'));
    problems.push(...passwordProblems(input.password, login));
    const first = problems[0];
    if (first !== undefined) return { ok: false, refusal: first, events: [] };

    const passwordHash = await hashPassword(input.password);
    const id = this.newId();
    const now = ctx.now.toISOString();
    try {
      return await this.transaction(async (trx) => {
        const taken = await trx.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst();
        if (taken !== undefined) return { ok: false, refusal: refusal('LOGIN_TAKEN', `The login ${login} is taken.`, 'login'), events: [] };
        await trx
          .insertInto('users')
          .values({ id, login, email, display_name: displayName, password_hash: passwordHash, status: 'active', locale, created_at: now, created_by: actorUserId, password_changed_at: now })
          .execute();
        const user: UserView = { id, login, email, displayName, status: 'active', locale, createdAt: now, totpActive: false };
        return { ok: true, value: user, events: [this.event('user.created', ctx, { actorUserId, subjectUserId: id, login })] };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return { ok: false, refusal: refusal('LOGIN_TAKEN', `The login ${login} is taken.`, 'login'), events: [] };
      throw error;
    }
  }

  async getUser(userId: string): Promise<UserView | undefined> {
    const row = await this.db.kysely.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
    if (row === undefined) return undefined;
    const totp = await this.db.kysely.selectFrom('totp_secrets').select('id').where('user_id', '=', userId).where('state', '=', 'active').executeTakeFirst();
    return { id: row.id, login: row.login, email: row.email, displayName: row.display_name, status: row.status, locale: row.locale, createdAt: row.created_at, totpActive: totp !== undefined };
  }

  /** Disables a user: every session ends and API tokens stop working (authorization of the actor is the caller's). */
  async disableUser(userId: string, actorUserId: string, ctx: RequestContext): Promise<AuthResult<{ sessionsEnded: number }>> {
    return this.transaction(async (trx) => {
      const r = await trx.updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).executeTakeFirst();
      if (r.numUpdatedRows === 0n) return { ok: false, refusal: refusal('UNKNOWN_USER', `No user ${userId}.`, 'userId'), events: [] };
      const ended = await this.endSessionsOf(trx, userId, null, 'user_disabled', ctx);
      return { ok: true, value: { sessionsEnded: ended }, events: [this.event('user.disabled', ctx, { actorUserId, subjectUserId: userId, detail: { sessionsEnded: ended } })] };
    });
  }

  /** Changes the signed-in user's password: the current one is required, other sessions end, this one rotates. */
  async changePassword(sessionId: string, currentPassword: string, newPassword: string, ctx: RequestContext): Promise<AuthResult<IssuedSession>> {
    const pre = await this.db.kysely.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select(['users.login', 'users.password_hash']).where('sessions.id', '=', sessionId).executeTakeFirst();
    if (pre === undefined) return { ok: false, refusal: SESSION_INVALID, events: [] };
    const problem = passwordProblems(newPassword, pre.login)[0];
    if (problem !== undefined) return { ok: false, refusal: problem, events: [] };
    const currentOk = passwordLength(currentPassword) <= AUTH_LIMITS.passwordCharsMax && (await verifyPassword(pre.password_hash, currentPassword));
    const newHash = currentOk ? await hashPassword(newPassword) : '';
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['complete']);
      if (!s.ok) return s;
      if (!currentOk) return { ok: false, refusal: refusal('PASSWORD_WRONG', 'The current password is wrong.', 'currentPassword'), events: [] };
      const now = ctx.now.toISOString();
      await trx.updateTable('users').set({ password_hash: newHash, password_changed_at: now }).where('id', '=', s.value.user_id).execute();
      const ended = await this.endSessionsOf(trx, s.value.user_id, sessionId, 'password_changed', ctx);
      const rotated = await this.rotate(trx, s.value, 'complete', ms(s.value.expires_at), ctx);
      const events = [
        this.event('user.password_changed', ctx, { actorUserId: s.value.user_id, subjectUserId: s.value.user_id, sessionId: rotated.session.id, detail: { otherSessionsEnded: ended } }),
        this.rotatedEvent(s.value, rotated, 'password_changed', ctx),
      ];
      return { ok: true, value: rotated, events };
    });
  }

  // ─── sign-in ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Checks a login and password. On success: a new session that owes the second factor (or TOTP enrolment), and
   * the session the client presented, if any, ends (rotation on sign-in). Wrong login and wrong password give the
   * same refusal and cost the same time; every attempt is recorded for lockout and throttling.
   */
  async signIn(input: { readonly login: string; readonly password: string; readonly previousSessionToken?: string }, ctx: RequestContext): Promise<AuthResult<IssuedSession>> {
    const login = normaliseLogin(input.login).slice(0, AUTH_LIMITS.loginChars);
    if (login === '') return { ok: false, refusal: refusal('REQUIRED', 'login is required.', 'login'), events: [] };
    const address = clip(ctx.address, AUTH_LIMITS.addressChars) ?? 'local';
    const nowMs = ctx.now.getTime();

    // Read-only first look: a locked login or throttled address is refused without spending a hash on it.
    const before = await this.limits(this.db.kysely, login, address, nowMs);
    const user = await this.db.kysely.selectFrom('users').select(['id', 'password_hash', 'status']).where('login', '=', login).executeTakeFirst();
    let passwordOk = false;
    if (!before.limited) {
      const tooLong = passwordLength(input.password) > AUTH_LIMITS.passwordCharsMax;
      const storedHash = user?.password_hash ?? (await dummyPasswordHash());
      const verified = !tooLong && (await verifyPassword(storedHash, input.password));
      passwordOk = verified && user !== undefined && user.status === 'active';
    }

    return this.transaction(async (trx) => {
      await this.lockKeys(trx, login, address);
      // A password that was not checked (limited at first look) is never judged, whatever the second look says.
      const current = await this.limits(trx, login, address, nowMs);
      const limits = current.limited ? current : before;
      const subjectUserId = user?.id ?? null;
      const base = { actorUserId: null, subjectUserId, login };
      if (limits.limited) {
        await this.recordAttempt(trx, login, address, nowMs, 'password', limits.outcome);
        const r = limits.outcome === 'locked'
          ? refusal('SIGN_IN_LOCKED', 'Too many failed sign-ins for this login. Try again later.', 'login')
          : refusal('SIGN_IN_THROTTLED', 'Too many failed sign-ins from this address. Try again later.', 'address');
        const type = limits.outcome === 'locked' ? 'sign_in.locked' : 'sign_in.throttled';
        return { ok: false, refusal: r, retryAfterMs: limits.untilMs - nowMs, events: [this.event(type, ctx, { ...base, detail: { until: iso(limits.untilMs) } })] };
      }
      if (!passwordOk || user === undefined) {
        await this.recordAttempt(trx, login, address, nowMs, 'password', 'failure');
        const after = await this.limits(trx, login, address, nowMs);
        const detail = { reason: user === undefined ? 'unknown_login' : user.status !== 'active' ? 'user_disabled' : 'wrong_password', lockedNow: after.limited };
        return { ok: false, refusal: SIGN_IN_FAILED, events: [this.event('sign_in.failed', ctx, { ...base, detail })] };
      }
      await this.recordAttempt(trx, login, address, nowMs, 'password', 'success');
      const events: AuthEvent[] = [];
      let rotatedFrom: string | null = null;
      if (input.previousSessionToken !== undefined) {
        const previous = await this.sessionByToken(trx, input.previousSessionToken);
        if (previous !== undefined && previous.ended_at === null) {
          await this.endSession(trx, previous.id, 'rotated', ctx);
          if (previous.user_id === user.id) rotatedFrom = previous.id;
          events.push(this.event('session.ended', ctx, { actorUserId: user.id, subjectUserId: previous.user_id, sessionId: previous.id, detail: { reason: 'signed_in_again' } }));
        }
      }
      const totp = await trx.selectFrom('totp_secrets').select('id').where('user_id', '=', user.id).where('state', '=', 'active').executeTakeFirst();
      const stage: SessionStage = totp === undefined ? 'enrolment' : 'second_factor';
      const issued = await this.insertSession(trx, user.id, stage, newSessionTimes(nowMs, stage, this.settings), rotatedFrom, ctx);
      events.unshift(this.event('sign_in.succeeded', ctx, { actorUserId: user.id, subjectUserId: user.id, login, sessionId: issued.session.id, detail: { stage } }));
      return { ok: true, value: issued, events };
    });
  }

  /** Whether the login is locked or the address throttled at nowMs. */
  private async limits(
    q: Kysely<Schema>,
    login: string,
    address: string,
    nowMs: number,
  ): Promise<{ limited: false } | { limited: true; outcome: 'locked' | 'throttled'; untilMs: number }> {
    const s = this.settings;
    const byLogin = await q
      .selectFrom('sign_in_attempts')
      .select(['attempted_at', 'outcome'])
      .where('login', '=', login)
      .where('attempted_at', '>', iso(nowMs - lockoutLookbackMs(s)))
      .where('outcome', 'in', ['success', 'failure'])
      .orderBy('attempted_at', 'desc')
      .limit(1000)
      .execute();
    const failures: number[] = [];
    for (const a of byLogin) {
      if (a.outcome === 'success') break; // a success clears the failures before it
      failures.push(ms(a.attempted_at));
    }
    const lock = accountLockout(failures, nowMs, s);
    if (lock.limited) return { limited: true, outcome: 'locked', untilMs: lock.untilMs };
    const byAddress = await q
      .selectFrom('sign_in_attempts')
      .select('attempted_at')
      .where('address', '=', address)
      .where('attempted_at', '>', iso(nowMs - s.addressWindowMs))
      .where('outcome', '=', 'failure')
      .orderBy('attempted_at', 'desc')
      .limit(s.addressFailuresMax)
      .execute();
    const throttle = addressThrottle(byAddress.map((a) => ms(a.attempted_at)), nowMs, s);
    if (throttle.limited) return { limited: true, outcome: 'throttled', untilMs: throttle.untilMs };
    return { limited: false };
  }

  private async recordAttempt(trx: Trx, login: string, address: string, nowMs: number, kind: 'password' | 'second_factor', outcome: 'success' | 'failure' | 'locked' | 'throttled'): Promise<void> {
    await trx.insertInto('sign_in_attempts').values({ id: this.newId(), login, address, attempted_at: iso(nowMs), kind, outcome }).execute();
  }

  /** Deletes the attempts that can no longer affect a decision at `now` (the audit log keeps the events). */
  async pruneSignInAttempts(now: Date): Promise<number> {
    const horizonMs = Math.max(lockoutLookbackMs(this.settings), this.settings.addressWindowMs);
    const r = await this.db.kysely.deleteFrom('sign_in_attempts').where('attempted_at', '<', iso(now.getTime() - horizonMs)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ─── second factor ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * Completes sign-in with a TOTP code or an unused recovery code. The partial session is replaced by a complete
   * one (new tokens). Failures count toward the login's lockout like wrong passwords.
   */
  async verifySecondFactor(sessionId: string, code: string, ctx: RequestContext): Promise<AuthResult<IssuedSession>> {
    const nowMs = ctx.now.getTime();
    const address = clip(ctx.address, AUTH_LIMITS.addressChars) ?? 'local';
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['second_factor']);
      if (!s.ok) return s;
      const session = s.value;
      const user = await trx.selectFrom('users').select(['login', 'status']).where('id', '=', session.user_id).executeTakeFirstOrThrow();
      await this.lockKeys(trx, user.login, address);
      const limits = await this.limits(trx, user.login, address, nowMs);
      const base = { actorUserId: session.user_id, subjectUserId: session.user_id, sessionId };
      if (limits.limited) {
        await this.recordAttempt(trx, user.login, address, nowMs, 'second_factor', limits.outcome);
        const r = limits.outcome === 'locked'
          ? refusal('SIGN_IN_LOCKED', 'Too many failed sign-ins for this login. Try again later.', 'code')
          : refusal('SIGN_IN_THROTTLED', 'Too many failed sign-ins from this address. Try again later.', 'address');
        return { ok: false, refusal: r, retryAfterMs: limits.untilMs - nowMs, events: [this.event(limits.outcome === 'locked' ? 'sign_in.locked' : 'sign_in.throttled', ctx, base)] };
      }
      const method = await this.checkSecondFactor(trx, session.user_id, code, nowMs);
      if (method === null || user.status !== 'active') {
        await this.recordAttempt(trx, user.login, address, nowMs, 'second_factor', 'failure');
        const events = [this.event('second_factor.failed', ctx, base)];
        if ((await this.limits(trx, user.login, address, nowMs)).limited) {
          await this.endSession(trx, sessionId, 'locked', ctx);
          events.push(this.event('session.ended', ctx, { ...base, detail: { reason: 'locked' } }));
        }
        return { ok: false, refusal: refusal('SECOND_FACTOR_INVALID', 'The code is wrong, expired or already used.', 'code'), events };
      }
      await this.recordAttempt(trx, user.login, address, nowMs, 'second_factor', 'success');
      // The complete session keeps the absolute limit counted from the password sign-in.
      const rotated = await this.rotate(trx, session, 'complete', ms(session.created_at) + this.settings.sessionAbsoluteMs, ctx);
      const events = [this.event('second_factor.succeeded', ctx, { ...base, detail: { method } })];
      if (method === 'recovery_code') events.push(this.event('recovery_code.used', ctx, base));
      events.push(this.rotatedEvent(session, rotated, 'second_factor', ctx));
      return { ok: true, value: rotated, events };
    });
  }

  /** 'totp' or 'recovery_code' when the code is good (and consumes it), null when not. */
  private async checkSecondFactor(trx: Trx, userId: string, code: string, nowMs: number): Promise<'totp' | 'recovery_code' | null> {
    const typed = normaliseCode(code.slice(0, AUTH_LIMITS.recoveryCodeChars));
    if (isTotpCodeFormat(typed, this.settings.totpDigits)) {
      const totp = await trx.selectFrom('totp_secrets').selectAll().where('user_id', '=', userId).where('state', '=', 'active').executeTakeFirst();
      if (totp === undefined) return null;
      const last = totp.last_used_step === null ? null : Number(totp.last_used_step);
      const step = await this.totpStepOf(this.box.open(totp.secret_sealed, userId), typed, nowMs, last);
      if (step === null) return null;
      const r = await trx.updateTable('totp_secrets').set({ last_used_step: BigInt(step) }).where('id', '=', totp.id).executeTakeFirst();
      return r.numUpdatedRows === 1n ? 'totp' : null;
    }
    if (/^[A-Z2-7]{16}$/.test(typed)) {
      // Single use: the update succeeds once, for the first caller.
      const r = await trx
        .updateTable('recovery_codes')
        .set({ used_at: iso(nowMs) })
        .where('user_id', '=', userId)
        .where('code_hash', '=', sha256Hex(typed))
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n ? 'recovery_code' : null;
    }
    return null;
  }

  /** The time step of a valid, not yet used TOTP code, or null. */
  private async totpStepOf(secret: string, code: string, nowMs: number, lastUsedStep: number | null): Promise<number | null> {
    const s = this.settings;
    const result = await verifyTotp({
      secret,
      token: code,
      epoch: Math.floor(nowMs / 1000),
      period: s.totpPeriodS,
      digits: s.totpDigits,
      epochTolerance: s.totpPeriodS * s.totpToleranceSteps,
    });
    // The functional API types its result for TOTP and HOTP alike; a TOTP success carries the time step.
    if (!result.valid || !('timeStep' in result)) return null;
    return totpStepAcceptable(result.timeStep, lastUsedStep, nowMs, s) ? result.timeStep : null;
  }

  /** Starts (or restarts) TOTP enrolment: a pending secret that confirmTotp activates. */
  async enrolTotp(sessionId: string, ctx: RequestContext): Promise<AuthResult<TotpEnrolment>> {
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['enrolment', 'complete']);
      if (!s.ok) return s;
      const userId = s.value.user_id;
      const user = await trx.selectFrom('users').select('login').where('id', '=', userId).executeTakeFirstOrThrow();
      const secret = generateSecret();
      await trx.deleteFrom('totp_secrets').where('user_id', '=', userId).where('state', '=', 'pending').execute();
      await trx
        .insertInto('totp_secrets')
        .values({ id: this.newId(), user_id: userId, state: 'pending', secret_sealed: this.box.seal(secret, userId), last_used_step: null, created_at: ctx.now.toISOString(), confirmed_at: null })
        .execute();
      const otpauthUri = generateURI({ issuer: this.settings.totpIssuer, label: user.login, secret, digits: this.settings.totpDigits, period: this.settings.totpPeriodS });
      return { ok: true, value: { secret, otpauthUri }, events: [this.event('totp.enrolment_started', ctx, { actorUserId: userId, subjectUserId: userId, sessionId })] };
    });
  }

  /**
   * Activates the pending TOTP secret with a code from the app, replaces any earlier secret and recovery codes, and
   * returns new recovery codes (shown once). A session in the enrolment stage becomes complete (rotated).
   */
  async confirmTotp(sessionId: string, code: string, ctx: RequestContext): Promise<AuthResult<{ recoveryCodes: readonly string[]; rotated: IssuedSession | null }>> {
    const nowMs = ctx.now.getTime();
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['enrolment', 'complete']);
      if (!s.ok) return s;
      const session = s.value;
      const userId = session.user_id;
      const pending = await trx.selectFrom('totp_secrets').selectAll().where('user_id', '=', userId).where('state', '=', 'pending').executeTakeFirst();
      if (pending === undefined) return { ok: false, refusal: refusal('NO_TOTP_ENROLMENT', 'Start TOTP enrolment first.', 'code'), events: [] };
      const typed = normaliseCode(code.slice(0, AUTH_LIMITS.recoveryCodeChars));
      const step = isTotpCodeFormat(typed, this.settings.totpDigits) ? await this.totpStepOf(this.box.open(pending.secret_sealed, userId), typed, nowMs, null) : null;
      if (step === null) return { ok: false, refusal: refusal('TOTP_CODE_INVALID', 'The code does not match; check the authenticator app and the clock.', 'code'), events: [] };
      await trx.deleteFrom('totp_secrets').where('user_id', '=', userId).where('state', '=', 'active').execute();
      await trx.updateTable('totp_secrets').set({ state: 'active', confirmed_at: iso(nowMs), last_used_step: BigInt(step) }).where('id', '=', pending.id).execute();
      const recoveryCodes = await this.replaceRecoveryCodes(trx, userId, nowMs);
      const base = { actorUserId: userId, subjectUserId: userId, sessionId };
      const events = [this.event('totp.confirmed', ctx, base), this.event('recovery_codes.generated', ctx, { ...base, detail: { count: recoveryCodes.length } })];
      let rotated: IssuedSession | null = null;
      if (session.stage === 'enrolment') {
        rotated = await this.rotate(trx, session, 'complete', ms(session.created_at) + this.settings.sessionAbsoluteMs, ctx);
        events.push(this.rotatedEvent(session, rotated, 'totp_enrolled', ctx));
      }
      return { ok: true, value: { recoveryCodes, rotated }, events };
    });
  }

  /** New recovery codes (shown once); the earlier ones stop working. */
  async regenerateRecoveryCodes(sessionId: string, ctx: RequestContext): Promise<AuthResult<{ recoveryCodes: readonly string[] }>> {
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['complete']);
      if (!s.ok) return s;
      const userId = s.value.user_id;
      const totp = await trx.selectFrom('totp_secrets').select('id').where('user_id', '=', userId).where('state', '=', 'active').executeTakeFirst();
      if (totp === undefined) return { ok: false, refusal: refusal('NO_TOTP', 'Enrol TOTP before generating recovery codes.', 'session'), events: [] };
      const recoveryCodes = await this.replaceRecoveryCodes(trx, userId, ctx.now.getTime());
      return { ok: true, value: { recoveryCodes }, events: [this.event('recovery_codes.generated', ctx, { actorUserId: userId, subjectUserId: userId, sessionId, detail: { count: recoveryCodes.length } })] };
    });
  }

  private async replaceRecoveryCodes(trx: Trx, userId: string, nowMs: number): Promise<string[]> {
    await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    const codes = Array.from({ length: this.settings.recoveryCodeCount }, () => newRecoveryCode());
    await trx
      .insertInto('recovery_codes')
      .values(codes.map((c) => ({ id: this.newId(), user_id: userId, code_hash: sha256Hex(normaliseCode(c)), created_at: iso(nowMs), used_at: null })))
      .execute();
    return codes;
  }

  // ─── sessions ───────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The session a raw token names, if it is usable now: not ended, within its idle and absolute limits, complete
   * (unless `allowPartial`), and with a matching CSRF token when `csrf` is given. Refreshes the idle expiry;
   * marks an expired session ended.
   */
  async authenticateSession(sessionToken: string, ctx: RequestContext, options: AuthenticateOptions = {}): Promise<AuthResult<SessionView>> {
    if (sessionToken.length > PRESENTED_TOKEN_CHARS_MAX || !sessionToken.startsWith(SESSION_TOKEN_PREFIX)) return { ok: false, refusal: SESSION_INVALID, events: [] };
    return this.transaction(async (trx) => {
      const row = await this.sessionByToken(trx, sessionToken);
      if (row === undefined) return { ok: false, refusal: SESSION_INVALID, events: [] };
      const s = await this.activeSession(trx, row.id, ctx, options.allowPartial === true ? ['second_factor', 'enrolment', 'complete'] : ['complete']);
      if (!s.ok) return s;
      if (options.csrf !== undefined) {
        const presented = options.csrf.token ?? '';
        if (presented.length > PRESENTED_TOKEN_CHARS_MAX || !constantTimeEqual(sha256Hex(presented), s.value.csrf_hash)) {
          const events = [this.event('csrf.failed', ctx, { actorUserId: s.value.user_id, subjectUserId: s.value.user_id, sessionId: s.value.id })];
          return { ok: false, refusal: refusal('CSRF_INVALID', 'The request lacks a valid CSRF token; reload the page.', 'csrfToken'), events };
        }
      }
      return { ok: true, value: sessionView(s.value), events: s.events };
    });
  }

  /** Issues a fresh CSRF token for a session (the previous one stops working). */
  async issueCsrfToken(sessionId: string, ctx: RequestContext): Promise<AuthResult<{ csrfToken: string }>> {
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['second_factor', 'enrolment', 'complete']);
      if (!s.ok) return s;
      const csrfToken = randomToken(TOKEN_BYTES);
      await trx.updateTable('sessions').set({ csrf_hash: sha256Hex(csrfToken) }).where('id', '=', sessionId).execute();
      return { ok: true, value: { csrfToken }, events: [this.event('csrf.issued', ctx, { actorUserId: s.value.user_id, subjectUserId: s.value.user_id, sessionId })] };
    });
  }

  /** Replaces a session by a new one with new tokens (on a privilege change of this session's user). */
  async rotateSession(sessionId: string, reason: string, ctx: RequestContext): Promise<AuthResult<IssuedSession>> {
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['second_factor', 'enrolment', 'complete']);
      if (!s.ok) return s;
      const rotated = await this.rotate(trx, s.value, s.value.stage as SessionStage, ms(s.value.expires_at), ctx);
      return { ok: true, value: rotated, events: [this.rotatedEvent(s.value, rotated, reason.slice(0, 100), ctx)] };
    });
  }

  /** Ends every session of a user (after their roles change, or on an administrator's request). */
  async endUserSessions(userId: string, reason: string, actorUserId: string, ctx: RequestContext): Promise<AuthResult<{ ended: number }>> {
    return this.transaction(async (trx) => {
      const ended = await this.endSessionsOf(trx, userId, null, reason.slice(0, 100), ctx);
      return { ok: true, value: { ended }, events: ended === 0 ? [] : [this.event('session.ended', ctx, { actorUserId, subjectUserId: userId, detail: { reason: reason.slice(0, 100), count: ended } })] };
    });
  }

  async signOut(sessionId: string, ctx: RequestContext): Promise<AuthResult<null>> {
    return this.transaction(async (trx) => {
      const row = await trx.selectFrom('sessions').select(['user_id', 'ended_at']).where('id', '=', sessionId).executeTakeFirst();
      if (row === undefined) return { ok: false, refusal: SESSION_INVALID, events: [] };
      if (row.ended_at !== null) return { ok: true, value: null, events: [] };
      await this.endSession(trx, sessionId, 'signed_out', ctx);
      return { ok: true, value: null, events: [this.event('session.ended', ctx, { actorUserId: row.user_id, subjectUserId: row.user_id, sessionId, detail: { reason: 'signed_out' } })] };
    });
  }

  /** A user's sessions that have not ended, newest first (for "where am I signed in"). */
  async listSessions(userId: string): Promise<SessionView[]> {
    const rows = await this.db.kysely.selectFrom('sessions').selectAll().where('user_id', '=', userId).where('ended_at', 'is', null).orderBy('created_at', 'desc').limit(100).execute();
    return rows.map(sessionView);
  }

  private async sessionByToken(trx: Trx, sessionToken: string): Promise<SessionRow | undefined> {
    if (sessionToken.length > PRESENTED_TOKEN_CHARS_MAX) return undefined;
    const hash = sha256Hex(sessionToken);
    const row = await trx.selectFrom('sessions').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    // The index found the row by digest; comparing again in constant time costs nothing and guards collations.
    return row !== undefined && constantTimeEqual(row.token_hash, hash) ? row : undefined;
  }

  /**
   * Loads a session that must be usable at ctx.now in one of `stages`; ends it when it has expired. Refusals:
   * SESSION_INVALID (unknown or ended), SESSION_EXPIRED, SECOND_FACTOR_REQUIRED, SESSION_STAGE.
   */
  private async activeSession(trx: Trx, sessionId: string, ctx: RequestContext, stages: readonly SessionStage[]): Promise<AuthResult<SessionRow>> {
    const nowMs = ctx.now.getTime();
    let q = trx.selectFrom('sessions').selectAll().where('id', '=', sessionId);
    if (this.db.engine === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (row === undefined) return { ok: false, refusal: SESSION_INVALID, events: [] };
    const times = sessionTimes(row);
    const state = sessionState(times, nowMs);
    if (state === 'ended') return { ok: false, refusal: SESSION_INVALID, events: [] };
    if (state === 'idle_expired' || state === 'absolute_expired') {
      await this.endSession(trx, row.id, state, ctx);
      const events = [this.event('session.expired', ctx, { actorUserId: null, subjectUserId: row.user_id, sessionId: row.id, detail: { reason: state } })];
      return { ok: false, refusal: refusal('SESSION_EXPIRED', 'The session has expired. Sign in again.', 'session'), events };
    }
    const user = await trx.selectFrom('users').select('status').where('id', '=', row.user_id).executeTakeFirstOrThrow();
    if (user.status !== 'active') {
      await this.endSession(trx, row.id, 'user_disabled', ctx);
      return { ok: false, refusal: SESSION_INVALID, events: [] };
    }
    const stage = row.stage as SessionStage;
    if (!stages.includes(stage)) {
      const r = stage === 'second_factor'
        ? refusal('SECOND_FACTOR_REQUIRED', 'Enter the code from the authenticator app or a recovery code first.', 'session')
        : stage === 'enrolment'
          ? refusal('TOTP_ENROLMENT_REQUIRED', 'Set up the authenticator app (TOTP) first.', 'session')
          : refusal('SESSION_STAGE', 'This session has already completed sign-in.', 'session');
      return { ok: false, refusal: r, events: [] };
    }
    const idle = touchedIdleExpiry(times, nowMs, this.settings);
    if (idle === null) return { ok: true, value: row, events: [] };
    const touched = { ...row, last_seen_at: iso(nowMs), idle_expires_at: iso(idle) };
    await trx.updateTable('sessions').set({ last_seen_at: touched.last_seen_at, idle_expires_at: touched.idle_expires_at }).where('id', '=', row.id).execute();
    return { ok: true, value: touched, events: [] };
  }

  private async insertSession(trx: Trx, userId: string, stage: SessionStage, t: SessionTimes, rotatedFrom: string | null, ctx: RequestContext): Promise<IssuedSession> {
    const sessionToken = randomToken(TOKEN_BYTES, SESSION_TOKEN_PREFIX);
    const csrfToken = randomToken(TOKEN_BYTES);
    const row: SessionRow = {
      id: this.newId(),
      user_id: userId,
      token_hash: sha256Hex(sessionToken),
      csrf_hash: sha256Hex(csrfToken),
      stage,
      created_at: iso(t.createdMs),
      last_seen_at: iso(t.lastSeenMs),
      idle_expires_at: iso(t.idleExpiresMs),
      expires_at: iso(t.expiresMs),
      rotated_from: rotatedFrom,
      ended_at: null,
      end_reason: null,
      address: clip(ctx.address, AUTH_LIMITS.addressChars),
      user_agent: clip(ctx.userAgent, AUTH_LIMITS.userAgentChars),
    };
    await trx.insertInto('sessions').values(row).execute();
    return { session: sessionView(row), sessionToken, csrfToken };
  }

  /** Ends `old` and issues its successor: new id, new tokens, never a later absolute expiry than `absoluteCapMs`. */
  private async rotate(trx: Trx, old: SessionRow, stage: SessionStage, absoluteCapMs: number, ctx: RequestContext): Promise<IssuedSession> {
    await this.endSession(trx, old.id, 'rotated', ctx);
    return this.insertSession(trx, old.user_id, stage, newSessionTimes(ctx.now.getTime(), stage, this.settings, absoluteCapMs), old.id, ctx);
  }

  private rotatedEvent(old: SessionRow, issued: IssuedSession, reason: string, ctx: RequestContext): AuthEvent {
    return this.event('session.rotated', ctx, { actorUserId: old.user_id, subjectUserId: old.user_id, sessionId: issued.session.id, detail: { reason, replaced: old.id, stage: issued.session.stage } });
  }

  private async endSession(trx: Trx, sessionId: string, reason: string, ctx: RequestContext): Promise<void> {
    await trx.updateTable('sessions').set({ ended_at: ctx.now.toISOString(), end_reason: reason }).where('id', '=', sessionId).where('ended_at', 'is', null).execute();
  }

  private async endSessionsOf(trx: Trx, userId: string, exceptSessionId: string | null, reason: string, ctx: RequestContext): Promise<number> {
    let q = trx.updateTable('sessions').set({ ended_at: ctx.now.toISOString(), end_reason: reason }).where('user_id', '=', userId).where('ended_at', 'is', null);
    if (exceptSessionId !== null) q = q.where('id', '!=', exceptSessionId);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  // ─── API tokens ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Creates an API token for the signed-in user (complete session: both factors given). The raw token is in the
   * result once; only its SHA-256 digest is stored.
   */
  async createApiToken(
    sessionId: string,
    input: { readonly name: string; readonly scopes: readonly string[]; readonly expiresAt?: Date },
    ctx: RequestContext,
  ): Promise<AuthResult<{ token: ApiTokenView; rawToken: string }>> {
    const nowMs = ctx.now.getTime();
    const name = input.name.trim();
    if (name === '' || name.length > AUTH_LIMITS.tokenNameChars) return { ok: false, refusal: refusal('TEXT_INVALID', `name is 1 to ${AUTH_LIMITS.tokenNameChars} characters.`, 'name'), events: [] };
    const scopeProblem = scopeProblems(input.scopes, AUTH_LIMITS.scopesMax)[0];
    if (scopeProblem !== undefined) return { ok: false, refusal: scopeProblem, events: [] };
    const expiresMs = input.expiresAt?.getTime() ?? nowMs + this.settings.apiTokenDefaultMs;
    if (!Number.isFinite(expiresMs) || expiresMs <= nowMs || expiresMs > nowMs + this.settings.apiTokenMaxMs) {
      const days = Math.floor(this.settings.apiTokenMaxMs / 86_400_000);
      return { ok: false, refusal: refusal('EXPIRY_INVALID', `A token expires in the future, at most ${days} days from now.`, 'expiresAt'), events: [] };
    }
    return this.transaction(async (trx) => {
      const s = await this.activeSession(trx, sessionId, ctx, ['complete']);
      if (!s.ok) return s;
      const rawToken = randomToken(TOKEN_BYTES, API_TOKEN_PREFIX);
      const token: ApiTokenView = { id: this.newId(), userId: s.value.user_id, name, scopes: [...input.scopes], createdAt: iso(nowMs), expiresAt: iso(expiresMs), lastUsedAt: null, revokedAt: null };
      await trx
        .insertInto('api_tokens')
        .values({ id: token.id, user_id: token.userId, name, scopes: JSON.stringify(token.scopes), token_hash: sha256Hex(rawToken), created_at: token.createdAt, expires_at: token.expiresAt, last_used_at: null, revoked_at: null })
        .execute();
      const events = [this.event('api_token.created', ctx, { actorUserId: token.userId, subjectUserId: token.userId, sessionId, tokenId: token.id, detail: { name, scopes: token.scopes.join(' '), expiresAt: token.expiresAt } })];
      return { ok: true, value: { token, rawToken }, events };
    });
  }

  /**
   * The principal a raw API token speaks for, if the token is known, not revoked, not expired, its user active,
   * and its scopes allow `requiredScope`. TOKEN_INVALID does not say which of these failed; the event does.
   */
  async authenticateToken(rawToken: string, requiredScope: Scope, ctx: RequestContext): Promise<AuthResult<TokenPrincipal>> {
    const invalid = refusal('TOKEN_INVALID', 'The API token is unknown, expired or revoked.', 'authorization');
    if (rawToken.length > PRESENTED_TOKEN_CHARS_MAX || !rawToken.startsWith(API_TOKEN_PREFIX)) return { ok: false, refusal: invalid, events: [] };
    const nowMs = ctx.now.getTime();
    const hash = sha256Hex(rawToken);
    return this.transaction(async (trx) => {
      const row = await trx
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select(['api_tokens.id', 'api_tokens.user_id', 'api_tokens.scopes', 'api_tokens.token_hash', 'api_tokens.expires_at', 'api_tokens.revoked_at', 'api_tokens.last_used_at', 'users.status'])
        .where('api_tokens.token_hash', '=', hash)
        .executeTakeFirst();
      if (row === undefined || !constantTimeEqual(row.token_hash, hash)) return { ok: false, refusal: invalid, events: [] };
      const refused = (reason: string, r: Refusal): AuthResult<TokenPrincipal> => ({
        ok: false,
        refusal: r,
        events: [this.event('api_token.refused', ctx, { actorUserId: row.user_id, subjectUserId: row.user_id, tokenId: row.id, detail: { reason, requiredScope } })],
      });
      if (row.revoked_at !== null) return refused('revoked', invalid);
      if (nowMs >= ms(row.expires_at)) return refused('expired', invalid);
      if (row.status !== 'active') return refused('user_disabled', invalid);
      const scopes = JSON.parse(row.scopes) as string[];
      if (!scopeAllows(scopes, requiredScope)) return refused('scope', refusal('TOKEN_SCOPE', `The API token lacks the scope ${requiredScope}.`, 'scope'));
      if (row.last_used_at === null || nowMs - ms(row.last_used_at) >= this.settings.apiTokenTouchMs) {
        await trx.updateTable('api_tokens').set({ last_used_at: iso(nowMs) }).where('id', '=', row.id).execute();
      }
      return { ok: true, value: { tokenId: row.id, userId: row.user_id, scopes }, events: [] };
    });
  }

  /** Revokes one of the user's own tokens (an administrator acting for someone else passes that user's id). */
  async revokeApiToken(userId: string, tokenId: string, actorUserId: string, ctx: RequestContext): Promise<AuthResult<null>> {
    return this.transaction(async (trx) => {
      const row = await trx.selectFrom('api_tokens').select(['revoked_at']).where('id', '=', tokenId).where('user_id', '=', userId).executeTakeFirst();
      if (row === undefined) return { ok: false, refusal: refusal('UNKNOWN_TOKEN', `No API token ${tokenId} for this user.`, 'tokenId'), events: [] };
      if (row.revoked_at !== null) return { ok: true, value: null, events: [] };
      await trx.updateTable('api_tokens').set({ revoked_at: ctx.now.toISOString() }).where('id', '=', tokenId).execute();
      return { ok: true, value: null, events: [this.event('api_token.revoked', ctx, { actorUserId, subjectUserId: userId, tokenId })] };
    });
  }

  async listApiTokens(userId: string): Promise<ApiTokenView[]> {
    const rows = await this.db.kysely.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').limit(1000).execute();
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      name: r.name,
      scopes: JSON.parse(r.scopes) as string[],
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }
}
