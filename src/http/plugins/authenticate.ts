// The seam between HTTP and sign-in. Every /api/v1 route declares `config.access`: 'public' (no sign-in, OpenAPI
// `security: []`) or 'signed_in'. An `Authenticator` — supplied by the auth use-cases, none by default — turns the
// request's credentials into `request.actor`; a signed-in route without an actor is refused 401 before validation.
// Which actor may do what is decided in the app layer (ARCHITECTURE: authorization in `app`), not here.
//
// API tokens: a route names the scope a token needs in `config.scope` (e.g. 'registry:write'); a signed-in route
// without one takes sessions only (a token there is refused 403 TOKEN_SCOPE). The route's OpenAPI security is
// derived from that at start-up: `[{ session: [] }]`, or `[{ session: [] }, { token: [scope] }]`.
// Routes of the sign-in flow itself set `config.partialSession` to accept a session that still owes its second
// factor or TOTP enrolment; every other route needs a complete session.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor as AppActor } from '../../domain/access/roles.js';
import type { Scope } from '../../domain/auth/scopes.js';
import type { SessionStage } from '../../domain/auth/session.js';
import { HttpError } from '../errors.js';

export const ROLES = ['authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative', 'verifier', 'trader'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Who is acting, as established by an Authenticator. Handlers pass `appActor` to the use-cases (AccessControl,
 * RegistryPolicy …), which authorize; roles are looked up there, per action and scope, not here.
 */
export interface Actor {
  readonly userId: string;
  /** How the request was authenticated. */
  readonly via: 'session' | 'token';
  /** Session id or token id, for audit events. */
  readonly credentialId: string;
  /** Sessions: how far sign-in has got ('complete' on every route but those with config.partialSession). */
  readonly stage?: SessionStage;
  /** API tokens are scoped; sessions carry every permission of their user (undefined). */
  readonly scopes?: readonly string[];
  /** The same actor as the app layer names it: kind 'user' (session) or 'token', the user id, address, user agent. */
  readonly appActor: AppActor;
}

/** What a request presents; read by the plugin so that authenticators do not parse HTTP themselves. */
export interface Credentials {
  /** The session cookie's value (cookie name: SESSION_COOKIE). */
  readonly sessionCookie?: string;
  /** The token of an `Authorization: Bearer …` header. */
  readonly bearerToken?: string;
  /** The CSRF header (CSRF_HEADER) for cookie sessions on state-changing methods. */
  readonly csrfToken?: string;
  readonly method: string;
  /** The client address (Fastify's request.ip; trustProxy decides whether X-Forwarded-For counts). */
  readonly ip: string;
  readonly userAgent?: string;
  /** The scope an API token needs on this route (config.scope); undefined: the route takes sessions only. */
  readonly requiredScope?: Scope;
  /** The route accepts a session that still owes the second factor or TOTP enrolment (config.partialSession). */
  readonly allowPartial?: boolean;
}

export interface Authenticator {
  /**
   * Null when the request presents no credentials. Throws RefusedError with code UNAUTHENTICATED (401) when they are
   * invalid or expired, CSRF_INVALID (403) when a cookie session's state-changing request lacks a valid CSRF token
   * (HttpError with the same codes is fine too), TOKEN_SCOPE (403) when an API token lacks the route's scope.
   */
  authenticate(credentials: Credentials): Promise<Actor | null>;
}

export type Access = 'public' | 'signed_in';

export const SESSION_COOKIE = 'citycap_session';
export const CSRF_HEADER = 'x-csrf-token';

/** OpenAPI security schemes a signed-in route names in `schema.security`. */
export const SECURITY_SCHEMES = {
  session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'web sessions (HttpOnly, SameSite=Strict); state changes also send the X-CSRF-Token header' },
  token: { type: 'http', scheme: 'bearer', description: 'API tokens for machine clients (scoped, expiring)' },
} as const;
/** A signed-in route's schema.security; the token entry is replaced at start-up by the route's config.scope. */
export const SIGNED_IN_SECURITY = [{ session: [] }, { token: [] }];

/** The OpenAPI security of a signed-in route: sessions, and API tokens with `scope` when given. */
export function securityFor(scope?: Scope): Array<Record<string, string[]>> {
  return scope === undefined ? [{ session: [] }] : [{ session: [] }, { token: [scope] }];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated actor, or null for anonymous requests. */
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Required on every /api/v1 route. */
    access?: Access;
    /** The scope an API token needs here; without one, a signed-in route takes sessions only. */
    scope?: Scope;
    /** Accept a session that still owes the second factor or TOTP enrolment (sign-in routes only). */
    partialSession?: boolean;
  }
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function bearer(request: FastifyRequest): string | undefined {
  const m = /^Bearer ([\x21-\x7E]{1,512})$/.exec(header(request, 'authorization') ?? '');
  return m?.[1];
}

function sessionCookie(request: FastifyRequest): string | undefined {
  // Parsed here rather than with @fastify/cookie so that this seam has no dependency on how the auth code signs cookies.
  for (const part of (header(request, 'cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === SESSION_COOKIE) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function credentialsOf(request: FastifyRequest): Credentials {
  const c: { -readonly [K in keyof Credentials]: Credentials[K] } = { method: request.method, ip: request.ip };
  const config = request.routeOptions.config;
  if (config.scope !== undefined) c.requiredScope = config.scope;
  if (config.partialSession === true) c.allowPartial = true;
  const cookie = sessionCookie(request);
  if (cookie !== undefined) c.sessionCookie = cookie;
  const token = bearer(request);
  if (token !== undefined) c.bearerToken = token;
  const csrf = header(request, CSRF_HEADER);
  if (csrf !== undefined) c.csrfToken = csrf;
  const ua = header(request, 'user-agent');
  if (ua !== undefined) c.userAgent = ua;
  return c;
}

export interface AuthenticateOptions {
  readonly authenticator?: Authenticator | undefined;
}

/**
 * Checks at start-up that every /api/v1 route declares its access and that its OpenAPI security agrees; at request
 * time fills request.actor and refuses anonymous requests to signed-in routes.
 */
export function installAuthenticate(app: FastifyInstance, options: AuthenticateOptions): void {
  app.decorateRequest('actor', null);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return;
    const name = `${String(route.method)} ${route.url}`;
    const access = route.config?.access;
    const security = (route.schema as { security?: unknown[] } | undefined)?.security;
    if (access === 'public') {
      if (!Array.isArray(security) || security.length !== 0) throw new Error(`${name}: a public route declares schema.security = []`);
    } else if (access === 'signed_in') {
      if (!Array.isArray(security) || security.length === 0) throw new Error(`${name}: a signed-in route declares its schema.security`);
      // The document says what the authenticator does: tokens only where the route names their scope.
      (route.schema as { security: unknown[] }).security = securityFor(route.config?.scope);
    } else {
      throw new Error(`${name}: every /api/v1 route declares config.access ('public' or 'signed_in')`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (options.authenticator !== undefined && access === 'signed_in') {
      request.actor = await options.authenticator.authenticate(credentialsOf(request));
    }
    if (access === 'signed_in' && request.actor === null) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in, or send an API token, to use this route.');
    }
  });
}
