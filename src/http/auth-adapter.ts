// The Authenticator over the auth and access use-cases: turns a request's credentials into the HTTP Actor (with its
// app-layer twin for AccessControl and RegistryPolicy), and writes what authentication tells the audit log.
//
// Cookie sessions: only complete sessions (both factors given), except on routes with config.partialSession; on
// state-changing methods (anything but GET, HEAD, OPTIONS) the X-CSRF-Token header must match the session's token.
// Bearer API tokens: accepted on routes that name their scope in config.scope, refused 403 TOKEN_SCOPE elsewhere
// and when the token lacks the scope; an unknown, expired or revoked token is 401. When both are sent, the token
// counts (a browser never sends Authorization by itself, so this gives a cross-site attacker nothing).
import { AccessControl } from '../app/authorization.js';
import { Auth, type AuthResult, type RequestContext } from '../app/auth.js';
import type { SecretBox } from '../app/auth/secrets.js';
import type { Actor as AppActor } from '../domain/access/roles.js';
import type { AuthEvent } from '../domain/auth/events.js';
import type { AuthSettings } from '../domain/auth/settings.js';
import type { Database } from '../store/db.js';
import { HttpError } from './errors.js';
import type { Actor, Authenticator, Credentials } from './plugins/authenticate.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const OBJECT_ID_MAX = 200;

export interface HttpAuthOptions {
  /** The time of every decision (sessions, tokens, lockout, audit); tests pass a clock they move. */
  readonly clock?: () => Date;
  /** Overrides of DEFAULT_AUTH_SETTINGS. */
  readonly settings?: Partial<AuthSettings>;
  readonly secretBox?: SecretBox;
  /** The access control to audit with and to hand to routes; default: one over `db` with `clock`. */
  readonly access?: AccessControl;
  /** Mark the session cookie Secure (default false: set it when served over HTTPS, CITYCAP_SECURE_COOKIES=1). */
  readonly secureCookies?: boolean;
}

/** Where a request comes from, as the auth use-cases and the audit log want it. */
export interface RequestOrigin {
  readonly ip: string;
  readonly userAgent?: string | undefined;
}

export class HttpAuth implements Authenticator {
  readonly auth: Auth;
  readonly access: AccessControl;
  readonly clock: () => Date;
  readonly secureCookies: boolean;

  constructor(db: Database, options: HttpAuthOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    const authOptions: { settings?: Partial<AuthSettings>; secretBox?: SecretBox } = {};
    if (options.settings !== undefined) authOptions.settings = options.settings;
    if (options.secretBox !== undefined) authOptions.secretBox = options.secretBox;
    this.auth = new Auth(db, authOptions);
    this.access = options.access ?? new AccessControl(db, { clock: this.clock });
    this.secureCookies = options.secureCookies ?? false;
  }

  /** The request context of the auth use-cases at the server's clock. */
  context(origin: RequestOrigin): RequestContext {
    return { now: this.clock(), address: origin.ip, userAgent: origin.userAgent ?? null };
  }

  async authenticate(c: Credentials): Promise<Actor | null> {
    const ctx = this.context(c);
    if (c.bearerToken !== undefined) {
      if (c.requiredScope === undefined) throw new HttpError(403, 'TOKEN_SCOPE', 'This route takes a signed-in session, not an API token.', 'authorization');
      const r = await this.recorded(this.auth.authenticateToken(c.bearerToken, c.requiredScope, ctx));
      if (!r.ok) {
        if (r.refusal.code === 'TOKEN_SCOPE') throw new HttpError(403, 'TOKEN_SCOPE', r.refusal.message, 'authorization');
        throw new HttpError(401, 'UNAUTHENTICATED', r.refusal.message, 'authorization');
      }
      const { tokenId, userId, scopes } = r.value;
      return { userId, via: 'token', credentialId: tokenId, scopes, appActor: appActorOf('token', userId, c, tokenId) };
    }
    if (c.sessionCookie !== undefined) {
      const options = { allowPartial: c.allowPartial === true, ...(SAFE_METHODS.has(c.method) ? {} : { csrf: { token: c.csrfToken } }) };
      const r = await this.recorded(this.auth.authenticateSession(c.sessionCookie, ctx, options));
      if (!r.ok) {
        if (r.refusal.code === 'CSRF_INVALID') throw new HttpError(403, 'CSRF_INVALID', r.refusal.message, 'x-csrf-token');
        throw new HttpError(401, 'UNAUTHENTICATED', r.refusal.message, 'session');
      }
      const s = r.value;
      return { userId: s.userId, via: 'session', credentialId: s.id, stage: s.stage, appActor: appActorOf('user', s.userId, c) };
    }
    return null;
  }

  /** Awaits an auth use-case and writes its events to the audit log, whatever its outcome. */
  async recorded<T>(result: Promise<AuthResult<T>>): Promise<AuthResult<T>> {
    const r = await result;
    await this.recordEvents(r.events);
    return r;
  }

  /**
   * Writes auth events to the audit log (jurisdiction null): action = the event type, object = the API token, the
   * session or the user it concerns (the login when the user is unknown), after = the event's facts (no secrets).
   */
  async recordEvents(events: readonly AuthEvent[]): Promise<void> {
    for (const e of events) {
      const actor: AppActor = {
        kind: e.actorUserId === null ? 'anonymous' : 'user',
        id: e.actorUserId ?? 'anonymous',
        ...(e.tokenId !== undefined && e.type === 'api_token.refused' ? { tokenId: e.tokenId } : {}),
        ...(e.address !== null ? { address: e.address } : {}),
        ...(e.userAgent !== undefined && e.userAgent !== null ? { userAgent: e.userAgent } : {}),
      };
      const [objectType, objectId] = objectOf(e);
      const after = { subjectUserId: e.subjectUserId, login: e.login, sessionId: e.sessionId, tokenId: e.tokenId, detail: e.detail };
      await this.access.record(actor, { jurisdictionId: null, action: e.type, objectType, objectId: objectId.slice(0, OBJECT_ID_MAX), after }, undefined, new Date(e.at));
    }
  }
}

function objectOf(e: AuthEvent): [string, string] {
  if (e.type.startsWith('api_token.') && e.tokenId !== undefined) return ['api_token', e.tokenId];
  if ((e.type.startsWith('session.') || e.type.startsWith('csrf.')) && e.sessionId !== undefined) return ['session', e.sessionId];
  if (e.subjectUserId !== null) return ['user', e.subjectUserId];
  if (e.login !== undefined && e.login !== '') return ['login', e.login];
  return ['user', 'unknown'];
}

function appActorOf(kind: 'user' | 'token', userId: string, c: Credentials, tokenId?: string): AppActor {
  return {
    kind,
    id: userId,
    address: c.ip,
    ...(tokenId !== undefined ? { tokenId } : {}),
    ...(c.userAgent !== undefined ? { userAgent: c.userAgent } : {}),
  };
}
