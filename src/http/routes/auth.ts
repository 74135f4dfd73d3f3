// Sign-in over HTTP (docs/security.md, "Sign-in over HTTP"): the session resource and API tokens.
//   POST   /session                  login + password → a partial session in the citycap_session cookie, its stage
//                                    ('second_factor' or 'enrolment') and a CSRF token
//   POST   /session/second-factor    TOTP or recovery code → the complete session (new cookie, new CSRF token)
//   POST   /session/totp             start TOTP enrolment → otpauth URI (for the QR code) and the secret
//   POST   /session/totp/confirm     first code from the app → recovery codes (shown once); completes an enrolment
//   GET    /session                  who am I: user, session stage and expiry, roles
//   GET    /session/csrf-token       a fresh CSRF token for this session (after a page reload)
//   DELETE /session                  sign out (clears the cookie)
//   POST   /tokens, GET /tokens, DELETE /tokens/{tokenId}   API tokens of the signed-in user
// Every auth event goes to the audit log (HttpAuth.recorded). These routes take sessions only, never API tokens.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { IssuedSession } from '../../app/auth.js';
import { RefusedError, type Refusal } from '../../domain/errors.js';
import { SCOPES } from '../../domain/auth/scopes.js';
import { AUTH_LIMITS } from '../../domain/auth/settings.js';
import { SESSION_STAGES } from '../../domain/auth/session.js';
import type { HttpAuth } from '../auth-adapter.js';
import { HttpError } from '../errors.js';
import { credentialsOf, SESSION_COOKIE, type Actor } from '../plugins/authenticate.js';
import { errorBody, errorResponses } from '../schemas.js';

export interface AuthRoutesOptions {
  readonly auth: HttpAuth;
}

const TAGS = ['sign-in'];
const PUBLIC = { access: 'public' } as const;
/** Complete sessions only. */
const SESSION = { access: 'signed_in' } as const;
/** Also a session that still owes its second factor or TOTP enrolment. */
const PARTIAL = { access: 'signed_in', partialSession: true } as const;
const SESSION_SECURITY = [{ session: [] }];

const signedInErrors = {
  ...errorResponses,
  401: errorBody.describe('not signed in, or the session has ended or expired'),
  403: errorBody.describe('CSRF_INVALID: a state change without the X-CSRF-Token header of this session; TOKEN_SCOPE: an API token (these routes take sessions)'),
  422: errorBody.describe('the request is refused; `code` says why'),
} as const;

const stage = z.enum(SESSION_STAGES as unknown as ['second_factor', 'enrolment', 'complete']);
const issuedView = z.object({
  stage: stage.describe("'second_factor': send the app's code next; 'enrolment': set up TOTP next; 'complete': signed in"),
  csrfToken: z.string().describe('send it as the X-CSRF-Token header on every POST, PUT, PATCH and DELETE of this session'),
  expiresAt: z.string().describe('the session ends at this time whatever its use (absolute expiry)'),
  idleExpiresAt: z.string().describe('…and earlier after this long without a request (idle expiry, refreshed by use)'),
});

/** Text that is stored (logins are recorded per attempt, token names): no control characters (PostgreSQL refuses NUL). */
const NO_CONTROL = /^[^\p{Cc}]*$/u;
const NO_CONTROL_MESSAGE = 'must not contain control characters';

const code = z.string().trim().min(1, 'is required').max(AUTH_LIMITS.recoveryCodeChars, `must be at most ${AUTH_LIMITS.recoveryCodeChars} characters`);

const tokenView = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const grantView = z.object({
  role: z.string(),
  jurisdictionId: z.string(),
  accountId: z.string().nullable(),
  rights: z.string().nullable().describe('representatives: initiate, approve or initiate_and_approve'),
});

/** Refusals of sign-in that are not 422. */
const STATUS: Readonly<Record<string, number>> = {
  SIGN_IN_FAILED: 401,
  SIGN_IN_LOCKED: 429,
  SIGN_IN_THROTTLED: 429,
  SESSION_INVALID: 401,
  SESSION_EXPIRED: 401,
  SESSION_STAGE: 409,
  SECOND_FACTOR_REQUIRED: 401,
  TOTP_ENROLMENT_REQUIRED: 401,
};

/** Throws a use-case refusal with its HTTP status; locked and throttled sign-ins say when to come back. */
function refuse(reply: FastifyReply, r: Refusal, retryAfterMs?: number): never {
  const status = STATUS[r.code];
  if (status === 429 && retryAfterMs !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  if (status !== undefined) throw new HttpError(status, r.code, r.message, r.field);
  throw new RefusedError(r);
}

function actorOf(request: FastifyRequest): Actor {
  const actor = request.actor;
  if (actor === null) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in to use this route.');
  return actor;
}

export const authRoutes: FastifyPluginCallbackZod<AuthRoutesOptions> = (app, { auth }, done) => {
  const origin = (request: FastifyRequest): { ip: string; userAgent?: string | undefined } => ({ ip: request.ip, userAgent: request.headers['user-agent'] });

  /** Sets the session cookie: HttpOnly, SameSite=Strict, Path=/, until the session's absolute expiry. */
  const setCookie = (reply: FastifyReply, issued: IssuedSession): void => {
    const maxAge = Math.max(0, Math.floor((Date.parse(issued.session.expiresAt) - auth.clock().getTime()) / 1000));
    const secure = auth.secureCookies ? '; Secure' : '';
    void reply.header('set-cookie', `${SESSION_COOKIE}=${issued.sessionToken}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`);
  };
  const clearCookie = (reply: FastifyReply): void => {
    const secure = auth.secureCookies ? '; Secure' : '';
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure}`);
  };
  const issuedOf = (issued: IssuedSession): z.infer<typeof issuedView> => ({
    stage: issued.session.stage,
    csrfToken: issued.csrfToken,
    expiresAt: issued.session.expiresAt,
    idleExpiresAt: issued.session.idleExpiresAt,
  });

  app.post(
    '/session',
    {
      config: PUBLIC,
      schema: {
        summary: 'Sign in with login and password',
        description:
          'Starts a session in the HttpOnly, SameSite=Strict `citycap_session` cookie; it still owes the second factor (or, the first time, TOTP enrolment). A session the client had before ends (rotation). A wrong login and a wrong password get the same answer. After 5 failures in 15 minutes the login is locked, and after 20 failures from one address it is throttled: 429 with Retry-After.',
        tags: TAGS,
        security: [],
        body: z.object({
          login: z.string().min(1, 'is required').max(AUTH_LIMITS.loginChars, `must be at most ${AUTH_LIMITS.loginChars} characters`).regex(NO_CONTROL, NO_CONTROL_MESSAGE),
          password: z.string().min(1, 'is required').max(1024, 'must be at most 1024 characters'),
        }),
        response: { 200: issuedView, ...errorResponses, 401: errorBody.describe('SIGN_IN_FAILED: the login or password is wrong'), 422: errorBody.describe('the request is refused') },
      },
    },
    async (request, reply) => {
      const previous = credentialsOf(request).sessionCookie;
      const input = { login: request.body.login, password: request.body.password, ...(previous !== undefined ? { previousSessionToken: previous } : {}) };
      const r = await auth.recorded(auth.auth.signIn(input, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal, r.retryAfterMs);
      setCookie(reply, r.value);
      return issuedOf(r.value);
    },
  );

  app.post(
    '/session/second-factor',
    {
      config: PARTIAL,
      schema: {
        summary: "Complete sign-in with the authenticator app's code or a recovery code",
        description: 'The session is replaced by a complete one: a new cookie and a new CSRF token. Wrong codes count toward the lockout.',
        tags: TAGS,
        security: SESSION_SECURITY,
        body: z.object({ code: code.describe('6 digits from the app, or a recovery code XXXX-XXXX-XXXX-XXXX') }),
        response: { 200: issuedView, ...signedInErrors, 409: errorBody.describe('SESSION_STAGE: this session has completed sign-in already') },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const r = await auth.recorded(auth.auth.verifySecondFactor(actor.credentialId, request.body.code, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal, r.retryAfterMs);
      setCookie(reply, r.value);
      return issuedOf(r.value);
    },
  );

  app.post(
    '/session/totp',
    {
      config: PARTIAL,
      schema: {
        summary: 'Start setting up the authenticator app (TOTP)',
        description: 'Returns a new secret as an otpauth:// URI to show as a QR code; confirm it with a code from the app. Allowed during first sign-in (enrolment) and in a complete session (replacing the app).',
        tags: TAGS,
        security: SESSION_SECURITY,
        response: { 200: z.object({ otpauthUri: z.string(), secret: z.string().describe('base32, for typing instead of scanning') }), ...signedInErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const r = await auth.recorded(auth.auth.enrolTotp(actor.credentialId, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal);
      void reply.header('cache-control', 'no-store');
      return { otpauthUri: r.value.otpauthUri, secret: r.value.secret };
    },
  );

  app.post(
    '/session/totp/confirm',
    {
      config: PARTIAL,
      schema: {
        summary: 'Confirm the authenticator app with its first code; get recovery codes',
        description: 'The recovery codes are shown once. During first sign-in the session becomes complete: a new cookie and the new CSRF token in `session`.',
        tags: TAGS,
        security: SESSION_SECURITY,
        body: z.object({ code }),
        response: { 200: z.object({ recoveryCodes: z.array(z.string()), session: issuedView.nullable().describe('the completed session, when this finished first sign-in') }), ...signedInErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const r = await auth.recorded(auth.auth.confirmTotp(actor.credentialId, request.body.code, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal);
      if (r.value.rotated !== null) setCookie(reply, r.value.rotated);
      void reply.header('cache-control', 'no-store');
      return { recoveryCodes: [...r.value.recoveryCodes], session: r.value.rotated === null ? null : issuedOf(r.value.rotated) };
    },
  );

  app.get(
    '/session',
    {
      config: PARTIAL,
      schema: {
        summary: 'Who am I: the signed-in user, the session and the roles held',
        tags: TAGS,
        security: SESSION_SECURITY,
        response: {
          200: z.object({
            user: z.object({ id: z.string(), login: z.string(), displayName: z.string(), locale: z.string(), totpActive: z.boolean() }),
            session: z.object({ id: z.string(), stage, createdAt: z.string(), expiresAt: z.string(), idleExpiresAt: z.string() }),
            roles: z.array(grantView),
          }),
          ...signedInErrors,
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const user = await auth.auth.getUser(actor.userId);
      const session = (await auth.auth.listSessions(actor.userId)).find((s) => s.id === actor.credentialId);
      if (user === undefined || session === undefined) throw new HttpError(401, 'UNAUTHENTICATED', 'The session has ended. Sign in again.', 'session');
      // Roles only once both factors are given: a half-signed-in session learns nothing about the user's standing.
      const grants = session.stage === 'complete' ? await auth.access.grantsOf(actor.appActor) : [];
      return {
        user: { id: user.id, login: user.login, displayName: user.displayName, locale: user.locale, totpActive: user.totpActive },
        session: { id: session.id, stage: session.stage, createdAt: session.createdAt, expiresAt: session.expiresAt, idleExpiresAt: session.idleExpiresAt },
        roles: grants.map((g) => ({ role: g.role, jurisdictionId: g.jurisdictionId, accountId: g.accountId, rights: g.rights })),
      };
    },
  );

  app.get(
    '/session/csrf-token',
    {
      config: PARTIAL,
      schema: {
        summary: 'A fresh CSRF token for this session (the previous one stops working)',
        description: 'For a web page reloaded mid-session. Safe as a GET: the SameSite=Strict cookie is never sent cross-site and CORS keeps other origins from reading the answer.',
        tags: TAGS,
        security: SESSION_SECURITY,
        response: { 200: z.object({ csrfToken: z.string() }), ...signedInErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const r = await auth.recorded(auth.auth.issueCsrfToken(actor.credentialId, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal);
      void reply.header('cache-control', 'no-store');
      return { csrfToken: r.value.csrfToken };
    },
  );

  app.delete(
    '/session',
    {
      config: PARTIAL,
      schema: {
        summary: 'Sign out: the session ends and the cookie is cleared',
        tags: TAGS,
        security: SESSION_SECURITY,
        response: { 200: z.object({ signedOut: z.literal(true) }), ...signedInErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const r = await auth.recorded(auth.auth.signOut(actor.credentialId, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal);
      clearCookie(reply);
      return { signedOut: true as const };
    },
  );

  app.post(
    '/tokens',
    {
      config: SESSION,
      schema: {
        summary: 'Create an API token for a program acting on your behalf',
        description: `The token is in the answer once (\`secret\`); only its digest is stored. Scopes: ${SCOPES.join(', ')} (…:write includes …:read, admin includes all). Expiry: 90 days by default, at most 366. No Idempotency-Key: a retry would need the secret again, which is not kept; revoke a token you did not receive.`,
        tags: TAGS,
        security: SESSION_SECURITY,
        body: z.object({
          name: z.string().min(1, 'is required').max(AUTH_LIMITS.tokenNameChars, `must be at most ${AUTH_LIMITS.tokenNameChars} characters`).regex(NO_CONTROL, NO_CONTROL_MESSAGE),
          scopes: z.array(z.enum(SCOPES)).min(1, 'must name at least one scope').max(AUTH_LIMITS.scopesMax, `must have at most ${AUTH_LIMITS.scopesMax} scopes`),
          expiresAt: z.iso.datetime({ offset: true }).optional().describe('ISO-8601; default 90 days from now'),
        }),
        response: { 200: z.object({ token: tokenView, secret: z.string().describe('send as `Authorization: Bearer <secret>`; shown once') }), ...signedInErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const b = request.body;
      const input = { name: b.name, scopes: b.scopes, ...(b.expiresAt !== undefined ? { expiresAt: new Date(b.expiresAt) } : {}) };
      const r = await auth.recorded(auth.auth.createApiToken(actor.credentialId, input, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal);
      void reply.header('cache-control', 'no-store');
      const t = r.value.token;
      return { token: { id: t.id, name: t.name, scopes: [...t.scopes], createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt }, secret: r.value.rawToken };
    },
  );

  app.get(
    '/tokens',
    {
      config: SESSION,
      schema: {
        summary: 'Your API tokens (never their secrets), newest first',
        tags: TAGS,
        security: SESSION_SECURITY,
        response: { 200: z.object({ items: z.array(tokenView) }), ...signedInErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const tokens = await auth.auth.listApiTokens(actor.userId);
      return { items: tokens.map((t) => ({ id: t.id, name: t.name, scopes: [...t.scopes], createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt })) };
    },
  );

  app.delete(
    '/tokens/:tokenId',
    {
      config: SESSION,
      schema: {
        summary: 'Revoke one of your API tokens, at once',
        tags: TAGS,
        security: SESSION_SECURITY,
        params: z.object({ tokenId: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'must be a token id').describe('the token id') }),
        response: { 200: z.object({ revoked: z.literal(true) }), ...signedInErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const r = await auth.recorded(auth.auth.revokeApiToken(actor.userId, request.params.tokenId, actor.userId, auth.context(origin(request))));
      if (!r.ok) refuse(reply, r.refusal);
      return { revoked: true as const };
    },
  );

  done();
};
