// Who API tests send requests as: anonymous (no credentials) or a user holding one role, signed in for real.
//
// signInAs(app, principal, options?) → request headers { cookie, 'x-csrf-token' } (anonymous: {}).
//   The first call for a principal on an app (built by testServer) creates the user `<principal>-<jurisdiction>`
//   with the auth use-case, gives it its standing in the jurisdiction (default the api fixture's TOKYO) through
//   AccessControl as a system actor, and signs in through the real HTTP routes: POST /api/v1/session (password) →
//   POST /api/v1/session/totp (enrolment; the otpauth secret) → POST /api/v1/session/totp/confirm with the code
//   otplib computes at the server's clock → the complete session's cookie and CSRF token (and recovery codes).
//   Later calls reuse the cached session with a fresh CSRF token (GET /api/v1/session/csrf-token, which also
//   checks that it is alive); when it has ended (signed out, expired, rotated) they sign in again: password, then
//   a recovery code as second factor (a TOTP code of the same 30 seconds would be a replay). Each call after the
//   first thus writes one `csrf.issued` audit event: get the headers before taking a state fingerprint.
//   Standing per principal (options.jurisdiction):
//     authority_admin, authority_officer, verifier   the role over the jurisdiction
//     facility_operator   the role over the jurisdiction, and representative (initiate_and_approve) of each
//                         facility_compliance account of it
//     trader              the role over the jurisdiction, and representative of each general_holding account
//     authorized_representative   representative (initiate_and_approve) of every facility_compliance and
//                         general_holding account of the jurisdiction (representatives are not a granted role)
//   options.login names a second user with the same standing (four-eyes tests need two representatives).
// tokenFor(app, principal, scopes, options?) → { authorization: 'Bearer …' }: an API token the same user creates
//   through POST /api/v1/tokens (a new token on each call).
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { systemActor } from '../../../src/domain/access/roles.js';
import type { Scope } from '../../../src/domain/auth/scopes.js';
import { ROLES, SESSION_COOKIE } from '../../../src/http/plugins/authenticate.js';
import { TOKYO } from './api-fixture.js';
import { serverOf } from './server.js';

export const PRINCIPALS = ['anonymous', ...ROLES] as const;
export type Principal = (typeof PRINCIPALS)[number];

export interface SignInOptions {
  /** The jurisdiction code the principal's standing is in (default TOKYO, the api fixture's). */
  readonly jurisdiction?: string;
  /** Another user with the same standing (default `<principal>-<jurisdiction>`). */
  readonly login?: string;
}

/** A test user's password (long enough, and not a common one). */
export const TEST_PASSWORD = 'plover-quartz-ledger-9137';

interface Signed {
  readonly login: string;
  headers: { cookie: string; 'x-csrf-token': string };
  readonly recoveryCodes: string[];
}

const signedIn = new WeakMap<FastifyInstance, Map<string, Signed>>();

/** The `name=value` of the session cookie a response sets, or undefined. */
export function sessionCookieOf(res: LightMyRequestResponse): string | undefined {
  const set = res.headers['set-cookie'];
  for (const c of Array.isArray(set) ? set : set === undefined ? [] : [set]) {
    const first = c.split(';')[0] ?? '';
    if (first.startsWith(`${SESSION_COOKIE}=`) && first.length > SESSION_COOKIE.length + 1) return first;
  }
  return undefined;
}

function expectOk(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.statusCode, 200, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
}

/**
 * Request headers that authenticate as `principal` on `app` (see the file header). Never undefined now; the type
 * keeps callers written for the harness without sign-in compiling.
 */
export function signInAs(app: FastifyInstance, principal: Principal, options: SignInOptions = {}): Promise<Record<string, string> | undefined> {
  return principal === 'anonymous' ? Promise.resolve({}) : sessionHeaders(app, principal, options);
}

/** signInAs for a role: the headers of a complete session. */
export async function sessionHeaders(app: FastifyInstance, principal: Exclude<Principal, 'anonymous'>, options: SignInOptions = {}): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const jurisdiction = options.jurisdiction ?? TOKYO;
  const login = (options.login ?? `${principal}-${jurisdiction}`).toLowerCase();
  let cache = signedIn.get(app);
  if (cache === undefined) {
    cache = new Map();
    signedIn.set(app, cache);
  }
  const known = cache.get(login);
  if (known !== undefined) {
    // Still signed in? A fresh CSRF token both checks it and keeps the header right after a test asked for one.
    const check = await app.inject({ method: 'GET', url: '/api/v1/session/csrf-token', headers: { cookie: known.headers.cookie } });
    if (check.statusCode === 200) known.headers = { cookie: known.headers.cookie, 'x-csrf-token': check.json<{ csrfToken: string }>().csrfToken };
    else known.headers = await signInAgain(app, known);
    return { ...known.headers };
  }
  const created = await createUser(app, principal, jurisdiction, login);
  cache.set(login, created);
  return { ...created.headers };
}

/** An API token of `principal`'s user with `scopes`, created through POST /api/v1/tokens. */
export async function tokenFor(app: FastifyInstance, principal: Exclude<Principal, 'anonymous'>, scopes: readonly Scope[], options: SignInOptions & { expiresAt?: Date } = {}): Promise<{ authorization: string }> {
  const headers = await sessionHeaders(app, principal, options);
  const payload = { name: `test ${scopes.join(' ')}`, scopes: [...scopes], ...(options.expiresAt !== undefined ? { expiresAt: options.expiresAt.toISOString() } : {}) };
  const res = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers, payload });
  expectOk(res, `POST /api/v1/tokens as ${principal}`);
  return { authorization: `Bearer ${res.json<{ secret: string }>().secret}` };
}

async function createUser(app: FastifyInstance, principal: Exclude<Principal, 'anonymous'>, jurisdiction: string, login: string): Promise<Signed> {
  const { db, auth, clock } = serverOf(app);
  if (auth === undefined) throw new Error('signInAs needs a server with sign-in (testServer without a custom authenticator)');
  const ctx = { now: clock(), address: null };
  const user = await auth.auth.createUser({ login, email: `${login}@example.test`, displayName: `Test ${principal}`, password: TEST_PASSWORD }, 'system:test', ctx);
  if (!user.ok) throw new Error(`signInAs: cannot create ${login}: ${user.refusal.code} ${user.refusal.message}`);
  const userId = user.value.id;
  const j = await db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', jurisdiction).executeTakeFirst();
  if (j === undefined) throw new Error(`signInAs: no jurisdiction ${jurisdiction} (load the fixture first)`);
  const setup = systemActor('test-setup');
  if (principal !== 'authorized_representative') await auth.access.grantRole(setup, { userId, role: principal, jurisdictionId: j.id });
  const types = principal === 'facility_operator' ? ['facility_compliance'] : principal === 'trader' ? ['general_holding'] : principal === 'authorized_representative' ? ['facility_compliance', 'general_holding'] : [];
  if (types.length > 0) {
    const accounts = await db.kysely.selectFrom('accounts').select('id').where('jurisdiction_id', '=', j.id).where('type', 'in', types).orderBy('id').execute();
    for (const a of accounts) await auth.access.addRepresentative(setup, { accountId: a.id, userId, rights: 'initiate_and_approve' });
  }

  // Sign in through HTTP: password, TOTP enrolment, confirmation with the app's first code.
  const first = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { login, password: TEST_PASSWORD } });
  expectOk(first, `sign-in of ${login}`);
  assert.equal(first.json<{ stage: string }>().stage, 'enrolment');
  const partial = { cookie: sessionCookieOf(first) ?? '', 'x-csrf-token': first.json<{ csrfToken: string }>().csrfToken };
  const enrol = await app.inject({ method: 'POST', url: '/api/v1/session/totp', headers: partial });
  expectOk(enrol, `TOTP enrolment of ${login}`);
  const secret = enrol.json<{ secret: string }>().secret;
  const code = await generate({ secret, epoch: Math.floor(clock().getTime() / 1000) });
  const confirm = await app.inject({ method: 'POST', url: '/api/v1/session/totp/confirm', headers: partial, payload: { code } });
  expectOk(confirm, `TOTP confirmation of ${login}`);
  const body = confirm.json<{ recoveryCodes: string[]; session: { csrfToken: string; stage: string } | null }>();
  assert.equal(body.session?.stage, 'complete');
  return { login, headers: { cookie: sessionCookieOf(confirm) ?? '', 'x-csrf-token': body.session.csrfToken }, recoveryCodes: [...body.recoveryCodes] };
}

/** Password, then a recovery code: a TOTP code of the same 30 seconds would be refused as a replay. */
async function signInAgain(app: FastifyInstance, s: Signed): Promise<Signed['headers']> {
  const first = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { login: s.login, password: TEST_PASSWORD } });
  expectOk(first, `sign-in of ${s.login}`);
  const partial = { cookie: sessionCookieOf(first) ?? '', 'x-csrf-token': first.json<{ csrfToken: string }>().csrfToken };
  const code = s.recoveryCodes.shift();
  if (code === undefined) throw new Error(`signInAs: ${s.login} has used all its recovery codes`);
  const second = await app.inject({ method: 'POST', url: '/api/v1/session/second-factor', headers: partial, payload: { code } });
  expectOk(second, `second factor of ${s.login}`);
  return { cookie: sessionCookieOf(second) ?? '', 'x-csrf-token': second.json<{ csrfToken: string }>().csrfToken };
}
