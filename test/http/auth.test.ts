// Sign-in over HTTP, on both engines, through real requests: password + TOTP sign-in, lockout with its audit trail,
// CSRF, idle and absolute session expiry, rotation on sign-in, API token scope / expiry / revocation, and the
// session cookie's attributes. Time is a test clock the server reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { generate } from 'otplib';
import { listAuditEvents } from '../../src/app/audit.js';
import { HttpAuth } from '../../src/http/auth-adapter.js';
import { sendError } from '../../src/http/errors.js';
import { installAuthenticate, SIGNED_IN_SECURITY } from '../../src/http/plugins/authenticate.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { apiFixture } from './support/api-fixture.js';
import { sessionCookieOf, sessionHeaders, TEST_PASSWORD, tokenFor } from './support/principals.js';
import { errorOf, isErrorJson, serverOf, testClock, testServer, type TestClock } from './support/server.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Request headers of a session (a type alias: inject's headers want an index signature). */
type Session = { cookie: string; 'x-csrf-token': string };

for (const engine of testEngines()) {
  describe(`sign-in over HTTP on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let clock: TestClock;
    let auth: HttpAuth;
    let n = 0;

    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      clock = testClock(new Date('2026-04-01T00:00:00.000Z'));
      app = await testServer(t.db, { clock: clock.now });
      auth = serverOf(app).auth!;
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    /** A new user (no roles) and the address its requests come from, so that tests do not throttle each other. */
    async function newUser(): Promise<{ login: string; address: string }> {
      n++;
      const login = `user-${n}`;
      const r = await auth.auth.createUser({ login, email: `${login}@example.test`, displayName: `User ${n}`, password: TEST_PASSWORD }, 'system:test', { now: clock.now(), address: null });
      assert.ok(r.ok);
      return { login, address: `198.51.100.${n}` };
    }

    function inject(address: string, o: InjectOptions): Promise<LightMyRequestResponse> {
      return app.inject({ ...o, remoteAddress: address });
    }

    function signIn(u: { login: string; address: string }, password = TEST_PASSWORD, previous?: string): Promise<LightMyRequestResponse> {
      return inject(u.address, { method: 'POST', url: '/api/v1/session', payload: { login: u.login, password }, ...(previous !== undefined ? { headers: { cookie: previous } } : {}) });
    }

    function sessionOf(res: LightMyRequestResponse, csrf?: string): Session {
      assert.equal(res.statusCode, 200, res.body);
      const cookie = sessionCookieOf(res);
      assert.ok(cookie !== undefined, 'the response sets the session cookie');
      return { cookie, 'x-csrf-token': csrf ?? res.json<{ csrfToken: string }>().csrfToken };
    }

    const totp = (secret: string): Promise<string> => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) });

    /** Password, TOTP enrolment and confirmation: a complete session, the TOTP secret and the recovery codes. */
    async function enrolled(u: { login: string; address: string }): Promise<{ session: Session; secret: string; recoveryCodes: string[] }> {
      const first = await signIn(u);
      assert.equal(first.json<{ stage: string }>().stage, 'enrolment');
      const partial = sessionOf(first);
      const enrol = await inject(u.address, { method: 'POST', url: '/api/v1/session/totp', headers: partial });
      assert.equal(enrol.statusCode, 200, enrol.body);
      const { secret, otpauthUri } = enrol.json<{ secret: string; otpauthUri: string }>();
      assert.match(otpauthUri, /^otpauth:\/\/totp\/.*secret=/);
      const confirm = await inject(u.address, { method: 'POST', url: '/api/v1/session/totp/confirm', headers: partial, payload: { code: await totp(secret) } });
      assert.equal(confirm.statusCode, 200, confirm.body);
      const body = confirm.json<{ recoveryCodes: string[]; session: { stage: string; csrfToken: string } }>();
      assert.equal(body.session.stage, 'complete');
      assert.equal(body.recoveryCodes.length, 10);
      return { session: sessionOf(confirm, body.session.csrfToken), secret, recoveryCodes: body.recoveryCodes };
    }

    /** Password then TOTP (next time step): a complete session. */
    async function fullSignIn(u: { login: string; address: string }, secret: string, previous?: string): Promise<Session> {
      clock.advance(30_000); // a code of a step already used is a replay
      const partial = sessionOf(await signIn(u, TEST_PASSWORD, previous));
      const second = await inject(u.address, { method: 'POST', url: '/api/v1/session/second-factor', headers: partial, payload: { code: await totp(secret) } });
      return sessionOf(second);
    }

    const whoAmI = (u: { address: string }, s: Pick<Session, 'cookie'>): Promise<LightMyRequestResponse> =>
      inject(u.address, { method: 'GET', url: '/api/v1/session', headers: { cookie: s.cookie } });

    it('signs in with password and TOTP: the partial session can do nothing else, the complete one works', async () => {
      const u = await newUser();
      const { session, secret } = await enrolled(u);
      const me = await whoAmI(u, session);
      assert.equal(me.statusCode, 200, me.body);
      assert.equal(me.json<{ user: { login: string; totpActive: boolean } }>().user.login, u.login);
      assert.equal(me.json<{ user: { totpActive: boolean } }>().user.totpActive, true);
      assert.equal(me.json<{ session: { stage: string } }>().session.stage, 'complete');

      const out = await inject(u.address, { method: 'DELETE', url: '/api/v1/session', headers: session });
      assert.equal(out.statusCode, 200, out.body);
      assert.match(String(out.headers['set-cookie']), /citycap_session=;.*Max-Age=0/);
      assert.equal((await whoAmI(u, session)).statusCode, 401, 'signed out');

      clock.advance(30_000);
      const first = await signIn(u);
      assert.equal(first.json<{ stage: string }>().stage, 'second_factor');
      const partial = sessionOf(first);
      assert.equal((await whoAmI(u, partial)).json<{ session: { stage: string } }>().session.stage, 'second_factor');
      const tokens = await inject(u.address, { method: 'GET', url: '/api/v1/tokens', headers: partial });
      assert.equal(tokens.statusCode, 401, 'a session owing its second factor is not signed in');
      const wrong = await inject(u.address, { method: 'POST', url: '/api/v1/session/second-factor', headers: partial, payload: { code: '000000' } });
      assert.equal(errorOf(wrong).code, 'SECOND_FACTOR_INVALID');
      const second = await inject(u.address, { method: 'POST', url: '/api/v1/session/second-factor', headers: partial, payload: { code: await totp(secret) } });
      const complete = sessionOf(second);
      assert.equal(second.json<{ stage: string }>().stage, 'complete');
      assert.equal((await inject(u.address, { method: 'GET', url: '/api/v1/tokens', headers: complete })).statusCode, 200);
      assert.equal((await whoAmI(u, partial)).statusCode, 401, 'the partial session was replaced');
    });

    it('signs in a role holder (signInAs) whose roles GET /api/v1/session lists', async () => {
      const headers = await sessionHeaders(app, 'authority_officer');
      const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers });
      assert.equal(me.statusCode, 200, me.body);
      assert.deepEqual(me.json<{ roles: { role: string }[] }>().roles.map((r) => r.role), ['authority_officer']);
      const rep = await sessionHeaders(app, 'authorized_representative');
      const roles = (await app.inject({ method: 'GET', url: '/api/v1/session', headers: rep })).json<{ roles: { role: string; rights: string | null }[] }>().roles;
      assert.ok(roles.length > 0 && roles.every((r) => r.role === 'authorized_representative' && r.rights === 'initiate_and_approve'));
    });

    it('refuses a wrong login and a wrong password alike, locks the login after 5 failures (429, Retry-After), and audits it', async () => {
      const u = await newUser();
      await enrolled(u);
      const unknown = await signIn({ login: 'nobody-here', address: u.address }, TEST_PASSWORD);
      const wrong = await signIn(u, 'not the password at all');
      assert.equal(unknown.statusCode, 401);
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual(errorOf(unknown), errorOf(wrong), 'the same answer: nobody learns which logins exist');
      for (let i = 0; i < 4; i++) assert.equal((await signIn(u, `wrong password ${i}`)).statusCode, 401);
      const locked = await signIn(u); // the right password, too late
      assert.equal(locked.statusCode, 429, locked.body);
      assert.equal(errorOf(locked).code, 'SIGN_IN_LOCKED');
      const retryAfter = Number(locked.headers['retry-after']);
      assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${String(locked.headers['retry-after'])}`);

      const events = (await listAuditEvents(t.db, { action: 'sign_in.' }, null, 500)).events.filter((e) => JSON.stringify(e.after).includes(`"login":"${u.login}"`));
      const actions = events.map((e) => e.action);
      assert.equal(actions.filter((a) => a === 'sign_in.failed').length, 5);
      assert.equal(actions.filter((a) => a === 'sign_in.locked').length, 1);
      const failed = events.find((e) => e.action === 'sign_in.failed')!;
      assert.equal(failed.address, u.address);
      assert.equal(failed.jurisdictionId, null);
      assert.ok(!JSON.stringify(events).includes('wrong password'), 'no password in the audit log');

      clock.advance(retryAfter * 1000);
      assert.equal((await signIn(u)).statusCode, 200, 'the lock ends');
    });

    it('throttles an address after 20 failures, whatever the login (429)', async () => {
      const address = '192.0.2.200';
      for (let i = 0; i < 20; i++) assert.equal((await signIn({ login: `guess-${i}`, address }, 'some guess at a password')).statusCode, 401);
      const throttled = await signIn({ login: 'guess-x', address }, 'some guess at a password');
      assert.equal(throttled.statusCode, 429);
      assert.equal(errorOf(throttled).code, 'SIGN_IN_THROTTLED');
      assert.ok(Number(throttled.headers['retry-after']) > 0);
      clock.advance(16 * MIN);
    });

    it('refuses a state change with the session cookie but without, or with a wrong, X-CSRF-Token (403)', async () => {
      const u = await newUser();
      const { session } = await enrolled(u);
      const payload = { name: 'feed', scopes: ['reports:read'] };
      const none = await inject(u.address, { method: 'POST', url: '/api/v1/tokens', headers: { cookie: session.cookie }, payload });
      assert.equal(none.statusCode, 403);
      assert.equal(errorOf(none).code, 'CSRF_INVALID');
      const wrong = await inject(u.address, { method: 'POST', url: '/api/v1/tokens', headers: { cookie: session.cookie, 'x-csrf-token': 'x'.repeat(43) }, payload });
      assert.equal(wrong.statusCode, 403);
      const signOut = await inject(u.address, { method: 'DELETE', url: '/api/v1/session', headers: { cookie: session.cookie } });
      assert.equal(signOut.statusCode, 403, 'signing out is a state change too');
      assert.equal((await inject(u.address, { method: 'GET', url: '/api/v1/tokens', headers: { cookie: session.cookie } })).statusCode, 200, 'reads need no CSRF token');
      const ok = await inject(u.address, { method: 'POST', url: '/api/v1/tokens', headers: session, payload });
      assert.equal(ok.statusCode, 200, ok.body);
      const csrfFailed = (await listAuditEvents(t.db, { action: 'csrf.failed' }, null, 500)).events.filter((e) => e.actor !== 'anonymous');
      assert.ok(csrfFailed.length >= 3, 'CSRF failures are audited');

      const fresh = await inject(u.address, { method: 'GET', url: '/api/v1/session/csrf-token', headers: { cookie: session.cookie } });
      const csrfToken = fresh.json<{ csrfToken: string }>().csrfToken;
      const stale = await inject(u.address, { method: 'POST', url: '/api/v1/tokens', headers: session, payload });
      assert.equal(stale.statusCode, 403, 'a new CSRF token replaces the old one');
      const renewed = await inject(u.address, { method: 'POST', url: '/api/v1/tokens', headers: { cookie: session.cookie, 'x-csrf-token': csrfToken }, payload });
      assert.equal(renewed.statusCode, 200);
    });

    it('ends a session after 30 minutes without a request (idle expiry)', async () => {
      const u = await newUser();
      const { session } = await enrolled(u);
      clock.advance(29 * MIN);
      assert.equal((await whoAmI(u, session)).statusCode, 200, 'used within 30 minutes: still signed in');
      clock.advance(29 * MIN);
      assert.equal((await whoAmI(u, session)).statusCode, 200, 'each request restarts the idle time');
      clock.advance(31 * MIN);
      const expired = await whoAmI(u, session);
      assert.equal(expired.statusCode, 401);
      assert.equal(errorOf(expired).code, 'UNAUTHENTICATED');
      clock.advance(MIN);
      assert.equal((await whoAmI(u, session)).statusCode, 401, 'and it stays ended');
    });

    it('ends a session 12 hours after sign-in however active it is (absolute expiry)', async () => {
      const u = await newUser();
      const { session } = await enrolled(u);
      for (let elapsed = 0; elapsed < 12 * HOUR - 20 * MIN; elapsed += 20 * MIN) {
        clock.advance(20 * MIN);
        assert.equal((await whoAmI(u, session)).statusCode, 200, `active after ${elapsed / MIN + 20} minutes`);
      }
      clock.advance(20 * MIN);
      assert.equal((await whoAmI(u, session)).statusCode, 401, 'past 12 hours');
      const expired = (await listAuditEvents(t.db, { action: 'session.expired' }, null, 500)).events;
      assert.ok(expired.some((e) => (e.after as { detail?: { reason?: string } }).detail?.reason === 'absolute_expired'));
    });

    it('rotates the session on sign-in: the cookie from before stops working', async () => {
      const u = await newUser();
      const { session: old, secret } = await enrolled(u);
      const fresh = await fullSignIn(u, secret, old.cookie);
      assert.notEqual(fresh.cookie, old.cookie);
      assert.equal((await whoAmI(u, old)).statusCode, 401, 'the old cookie is refused');
      assert.equal((await whoAmI(u, fresh)).statusCode, 200);
    });

    it('gives the session cookie HttpOnly, SameSite=Strict and Path=/ (and Secure when configured)', async () => {
      const u = await newUser();
      const res = await signIn(u);
      const cookie = String(res.headers['set-cookie']);
      assert.match(cookie, /^citycap_session=ccs_[A-Za-z0-9_-]+;/);
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Strict/);
      assert.match(cookie, /; Path=\//);
      assert.doesNotMatch(cookie, /; Secure/);
      const secureApp = await testServer(t.db, { clock: clock.now, secureCookies: true });
      try {
        const s = await secureApp.inject({ method: 'POST', url: '/api/v1/session', payload: { login: u.login, password: TEST_PASSWORD }, remoteAddress: u.address });
        assert.match(String(s.headers['set-cookie']), /; HttpOnly; SameSite=Strict; Secure$/);
      } finally {
        await secureApp.close();
      }
    });

    it('answers hostile input to the sign-in routes with 4xx JSON errors, never a 5xx (NUL bytes included)', async () => {
      const u = await newUser();
      const { session } = await enrolled(u);
      const nul = await inject(u.address, { method: 'POST', url: '/api/v1/session', payload: { login: 'a\u0000b', password: 'x' } });
      assert.equal(nul.statusCode, 400);
      assert.equal(errorOf(nul).field, 'login');
      const name = await inject(u.address, { method: 'POST', url: '/api/v1/tokens', headers: session, payload: { name: 'a\u0000', scopes: ['admin'] } });
      assert.equal(name.statusCode, 400);
      assert.equal((await inject(u.address, { method: 'DELETE', url: '/api/v1/tokens/%00', headers: session })).statusCode, 400);
      const routes = [
        ['POST', '/api/v1/session'],
        ['POST', '/api/v1/session/second-factor'],
        ['POST', '/api/v1/session/totp/confirm'],
        ['POST', '/api/v1/tokens'],
        ['DELETE', '/api/v1/tokens/x'],
      ] as const;
      const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', '\u0000', '000000', 'AAAA-BBBB-CCCC-DDDD', 'a'.repeat(2000), "' OR 1=1 --", '__proto__'));
      const body = fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.record({ login: text, password: text }),
        fc.record({ code: text }),
        fc.record({ name: text, scopes: fc.array(fc.oneof(text, fc.constantFrom('admin', 'registry:read')), { maxLength: 3 }), expiresAt: fc.oneof(text, fc.constant('2099-01-01T00:00:00Z')) }, { requiredKeys: [] }),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...routes), body, fc.boolean(), async ([method, url], b, withSession) => {
          const res = await inject('203.0.113.250', { method, url, headers: { ...(withSession ? session : {}), 'content-type': 'application/json' }, payload: JSON.stringify(b) });
          assert.ok(res.statusCode < 500, `${method} ${url} ${JSON.stringify(b).slice(0, 100)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (res.statusCode >= 400) assert.ok(isErrorJson(JSON.parse(res.body)), res.body.slice(0, 200));
        }),
        { numRuns: 300 },
      );
      clock.advance(16 * MIN); // let the address's failures age out
    });

    describe('API tokens', () => {
      let probe: FastifyInstance;

      before(async () => {
        // A route that names its scope, served by the same authenticator over the same database.
        probe = Fastify();
        probe.setErrorHandler((error, request, reply) => sendError(error, request, reply));
        installAuthenticate(probe, { authenticator: auth });
        probe.get('/api/v1/probe', { config: { access: 'signed_in', scope: 'registry:write' }, schema: { security: SIGNED_IN_SECURITY } }, (request) => ({
          actor: request.actor?.appActor,
          via: request.actor?.via,
        }));
        await probe.ready();
      });
      after(async () => {
        await probe.close();
      });

      it('serves a token with the route scope (or one that includes it), as the app-layer actor of kind token', async () => {
        const write = await tokenFor(app, 'trader', ['registry:write']);
        const ok = await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: write });
        assert.equal(ok.statusCode, 200, ok.body);
        const body = ok.json<{ via: string; actor: { kind: string; tokenId?: string } }>();
        assert.equal(body.via, 'token');
        assert.equal(body.actor.kind, 'token');
        assert.ok(body.actor.tokenId !== undefined);
        const admin = await tokenFor(app, 'trader', ['admin']);
        assert.equal((await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: admin })).statusCode, 200);
      });

      it('refuses a token without the route scope (403), and a token on a session-only route (403)', async () => {
        const read = await tokenFor(app, 'trader', ['registry:read', 'reports:write']);
        const res = await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: read });
        assert.equal(res.statusCode, 403);
        assert.equal(errorOf(res).code, 'TOKEN_SCOPE');
        const own = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: await tokenFor(app, 'trader', ['admin']) });
        assert.equal(own.statusCode, 403, 'tokens do not manage tokens');
        assert.equal(errorOf(own).code, 'TOKEN_SCOPE');
        const refused = (await listAuditEvents(t.db, { action: 'api_token.refused' }, null, 500)).events;
        assert.ok(refused.some((e) => (e.after as { detail?: { reason?: string } }).detail?.reason === 'scope'));
      });

      it('refuses an expired token and a revoked token (401)', async () => {
        const expiring = await tokenFor(app, 'verifier', ['registry:write'], { expiresAt: new Date(clock.now().getTime() + HOUR) });
        assert.equal((await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: expiring })).statusCode, 200);
        clock.advance(HOUR);
        const expired = await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: expiring });
        assert.equal(expired.statusCode, 401);
        assert.equal(errorOf(expired).code, 'UNAUTHENTICATED');

        const session = await sessionHeaders(app, 'verifier');
        const created = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: session, payload: { name: 'to revoke', scopes: ['registry:write'] } });
        const { token, secret } = created.json<{ token: { id: string }; secret: string }>();
        const bearer = { authorization: `Bearer ${secret}` };
        assert.equal((await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: bearer })).statusCode, 200);
        const revoke = await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: session });
        assert.equal(revoke.statusCode, 200, revoke.body);
        assert.equal((await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: bearer })).statusCode, 401);
        const listed = await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: session });
        const mine = listed.json<{ items: { id: string; revokedAt: string | null }[] }>().items.find((x) => x.id === token.id);
        assert.ok(mine?.revokedAt !== null && mine?.revokedAt !== undefined);
        assert.ok(!listed.body.includes(secret), 'secrets are never listed');
        assert.equal((await probe.inject({ method: 'GET', url: '/api/v1/probe', headers: { authorization: 'Bearer cct_unknown' } })).statusCode, 401);
      });
    });
  });
}
