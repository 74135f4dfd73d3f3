import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { Auth, type AuthResult, type RequestContext } from '../../src/app/auth.js';
import { SecretBox } from '../../src/app/auth/secrets.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const MIN = 60_000;
const T0 = Date.UTC(2030, 3, 1, 9, 0, 0);
const PASSWORD = 'violet tram crosses the river';

function value<T>(r: AuthResult<T>): T {
  if (!r.ok) assert.fail(`refused: ${r.refusal.code} ${r.refusal.message}`);
  return r.value;
}

function refused<T>(r: AuthResult<T>): string {
  assert.ok(!r.ok, 'expected a refusal');
  return r.refusal.code;
}

for (const engine of testEngines()) {
  describe(`authentication on ${engine.name}`, () => {
    let t: TestDatabase;
    let auth: Auth;
    let addressSeq = 0;
    before(async () => {
      t = await engine.create();
      auth = new Auth(t.db, { secretBox: new SecretBox(randomBytes(32)) });
    });
    after(async () => t.drop());

    /** A request context `minutes` after T0, from a fresh address unless one is given. */
    const at = (minutes: number, address?: string): RequestContext => ({ now: new Date(T0 + minutes * MIN), address: address ?? `198.51.100.${++addressSeq}`, userAgent: 'test-agent' });
    const totpAt = (secret: string, minutes: number) => generate({ secret, epoch: Math.floor((T0 + minutes * MIN) / 1000) });

    const newUser = async (login: string) => value(await auth.createUser({ login, email: `${login}@example.org`, displayName: login, password: PASSWORD }, 'admin-1', at(0)));

    /** A user with TOTP enrolled at minute 0 and a complete session. */
    const enrolledUser = async (login: string) => {
      const user = await newUser(login);
      const first = value(await auth.signIn({ login, password: PASSWORD }, at(0)));
      assert.equal(first.session.stage, 'enrolment');
      const { secret, otpauthUri } = value(await auth.enrolTotp(first.session.id, at(0)));
      assert.match(otpauthUri, /^otpauth:\/\/totp\/citycap:/);
      const confirmed = value(await auth.confirmTotp(first.session.id, await totpAt(secret, 0), at(0)));
      assert.ok(confirmed.rotated !== null);
      return { user, secret, recoveryCodes: confirmed.recoveryCodes, session: confirmed.rotated };
    };

    it('stores passwords only as argon2id hashes, and no raw token, code or TOTP secret', async () => {
      const { user, secret, recoveryCodes, session } = await enrolledUser('clear.text');
      const row = await t.db.kysely.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
      assert.match(row.password_hash, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
      assert.ok(!JSON.stringify(row).includes(PASSWORD));
      const everything = JSON.stringify(
        await Promise.all(['users', 'sessions', 'totp_secrets', 'recovery_codes', 'sign_in_attempts'].map((table) => t.db.kysely.selectFrom(table as 'users').selectAll().execute())),
        (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
      );
      for (const secretValue of [PASSWORD, secret, session.sessionToken, session.csrfToken, ...recoveryCodes, ...recoveryCodes.map((c) => c.replace(/-/g, ''))]) {
        assert.ok(!everything.includes(secretValue), 'a secret is stored in clear');
      }
      const totp = await t.db.kysely.selectFrom('totp_secrets').select('secret_sealed').where('user_id', '=', user.id).executeTakeFirstOrThrow();
      assert.match(totp.secret_sealed, /^gcm:v1:/);
    });

    it('gives the same refusal for a wrong login and a wrong password', async () => {
      await newUser('same.refusal');
      const wrongPassword = await auth.signIn({ login: 'same.refusal', password: 'not the password at all' }, at(0));
      const wrongLogin = await auth.signIn({ login: 'no.such.user', password: PASSWORD }, at(0));
      assert.ok(!wrongPassword.ok && !wrongLogin.ok);
      assert.deepEqual(wrongPassword.refusal, wrongLogin.refusal);
      assert.equal(wrongLogin.refusal.code, 'SIGN_IN_FAILED');
      assert.equal(wrongPassword.events[0]?.type, 'sign_in.failed');
    });

    it('locks a login after 5 failures in 15 minutes, also for a correct password, and unlocks after the lockout', async () => {
      await newUser('locked.out');
      for (let i = 0; i < 5; i++) assert.equal(refused(await auth.signIn({ login: 'locked.out', password: `wrong guess number ${i}` }, at(i))), 'SIGN_IN_FAILED');
      const whileLocked = await auth.signIn({ login: 'Locked.Out ', password: PASSWORD }, at(6));
      assert.equal(refused(whileLocked), 'SIGN_IN_LOCKED');
      assert.ok(!whileLocked.ok && whileLocked.retryAfterMs === 13 * MIN);
      assert.equal(whileLocked.events[0]?.type, 'sign_in.locked');
      // An unknown login locks the same way, so lockout does not reveal which logins exist.
      for (let i = 0; i < 5; i++) await auth.signIn({ login: 'ghost.user', password: `wrong guess number ${i}` }, at(i));
      assert.equal(refused(await auth.signIn({ login: 'ghost.user', password: PASSWORD }, at(6))), 'SIGN_IN_LOCKED');
      // The lock runs 15 minutes from the 5th failure (minute 4).
      assert.equal(refused(await auth.signIn({ login: 'locked.out', password: PASSWORD }, at(18.9))), 'SIGN_IN_LOCKED');
      const after = value(await auth.signIn({ login: 'locked.out', password: PASSWORD }, at(19)));
      assert.equal(after.session.stage, 'enrolment');
    });

    it('throttles an address after 20 failures in 15 minutes, whichever logins it tries', async () => {
      await newUser('throttle.victim');
      const address = '203.0.113.77';
      for (let i = 0; i < 20; i++) assert.equal(refused(await auth.signIn({ login: `guess${i}`, password: 'a wrong password here' }, at(i * 0.5, address))), 'SIGN_IN_FAILED');
      const throttled = await auth.signIn({ login: 'throttle.victim', password: PASSWORD }, at(10, address));
      assert.equal(refused(throttled), 'SIGN_IN_THROTTLED');
      assert.ok(!throttled.ok && throttled.refusal.field === 'address');
      // Other addresses are unaffected; this one recovers when its oldest failure leaves the window.
      value(await auth.signIn({ login: 'throttle.victim', password: PASSWORD }, at(10)));
      value(await auth.signIn({ login: 'throttle.victim', password: PASSWORD }, at(15, address)));
    });

    it('requires the second factor before the session is usable', async () => {
      const { secret } = await enrolledUser('two.factor');
      const signedIn = value(await auth.signIn({ login: 'two.factor', password: PASSWORD }, at(1)));
      assert.equal(signedIn.session.stage, 'second_factor');
      assert.equal(refused(await auth.authenticateSession(signedIn.sessionToken, at(1))), 'SECOND_FACTOR_REQUIRED');
      assert.equal(refused(await auth.createApiToken(signedIn.session.id, { name: 'x', scopes: ['registry:read'] }, at(1))), 'SECOND_FACTOR_REQUIRED');
      assert.equal(value(await auth.authenticateSession(signedIn.sessionToken, at(1), { allowPartial: true })).stage, 'second_factor');
      assert.equal(refused(await auth.verifySecondFactor(signedIn.session.id, '000000', at(1))), 'SECOND_FACTOR_INVALID');
      const complete = value(await auth.verifySecondFactor(signedIn.session.id, await totpAt(secret, 1), at(1)));
      assert.equal(complete.session.stage, 'complete');
      assert.equal(value(await auth.authenticateSession(complete.sessionToken, at(2))).userId, complete.session.userId);
      // The partial session's token was rotated away.
      assert.equal(refused(await auth.authenticateSession(signedIn.sessionToken, at(2), { allowPartial: true })), 'SESSION_INVALID');
    });

    it('refuses a TOTP code a second time (replay)', async () => {
      const { secret } = await enrolledUser('replay');
      const a = value(await auth.signIn({ login: 'replay', password: PASSWORD }, at(2)));
      const code = await totpAt(secret, 2);
      value(await auth.verifySecondFactor(a.session.id, code, at(2)));
      const b = value(await auth.signIn({ login: 'replay', password: PASSWORD }, at(2.2)));
      assert.equal(refused(await auth.verifySecondFactor(b.session.id, code, at(2.2))), 'SECOND_FACTOR_INVALID');
      value(await auth.verifySecondFactor(b.session.id, await totpAt(secret, 3), at(3)));
    });

    it('counts second-factor failures toward the lockout and ends the session that reached it', async () => {
      const { secret } = await enrolledUser('code.guesser');
      const s = value(await auth.signIn({ login: 'code.guesser', password: PASSWORD }, at(1)));
      for (let i = 0; i < 4; i++) refused(await auth.verifySecondFactor(s.session.id, String(100000 + i), at(1)));
      const fifth = await auth.verifySecondFactor(s.session.id, '100009', at(1));
      assert.ok(!fifth.ok && fifth.events.some((e) => e.type === 'session.ended'));
      assert.equal(refused(await auth.verifySecondFactor(s.session.id, await totpAt(secret, 1), at(1))), 'SESSION_INVALID');
      assert.equal(refused(await auth.signIn({ login: 'code.guesser', password: PASSWORD }, at(2))), 'SIGN_IN_LOCKED');
    });

    it('accepts a recovery code once', async () => {
      const { recoveryCodes } = await enrolledUser('recovery');
      assert.equal(recoveryCodes.length, 10);
      assert.equal(new Set(recoveryCodes).size, 10);
      const code = recoveryCodes[0]!;
      const a = value(await auth.signIn({ login: 'recovery', password: PASSWORD }, at(1)));
      const used = await auth.verifySecondFactor(a.session.id, code.toLowerCase(), at(1));
      assert.ok(used.ok && used.events.some((e) => e.type === 'recovery_code.used'));
      const b = value(await auth.signIn({ login: 'recovery', password: PASSWORD }, at(2)));
      assert.equal(refused(await auth.verifySecondFactor(b.session.id, code, at(2))), 'SECOND_FACTOR_INVALID');
      value(await auth.verifySecondFactor(b.session.id, recoveryCodes[1]!, at(2)));
    });

    it('regenerated recovery codes replace the old ones', async () => {
      const { recoveryCodes, session } = await enrolledUser('regenerate');
      const fresh = value(await auth.regenerateRecoveryCodes(session.session.id, at(1))).recoveryCodes;
      const a = value(await auth.signIn({ login: 'regenerate', password: PASSWORD }, at(2)));
      assert.equal(refused(await auth.verifySecondFactor(a.session.id, recoveryCodes[0]!, at(2))), 'SECOND_FACTOR_INVALID');
      value(await auth.verifySecondFactor(a.session.id, fresh[0]!, at(2)));
    });

    it('rotates the session on sign-in: the old token no longer works', async () => {
      const { secret, session } = await enrolledUser('rotation');
      assert.ok((await auth.authenticateSession(session.sessionToken, at(1))).ok);
      const again = value(await auth.signIn({ login: 'rotation', password: PASSWORD, previousSessionToken: session.sessionToken }, at(1)));
      assert.notEqual(again.sessionToken, session.sessionToken);
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(1))), 'SESSION_INVALID');
      const complete = value(await auth.verifySecondFactor(again.session.id, await totpAt(secret, 1), at(1)));
      const row = await t.db.kysely.selectFrom('sessions').select(['rotated_from']).where('id', '=', complete.session.id).executeTakeFirstOrThrow();
      assert.equal(row.rotated_from, again.session.id);
      // Rotation on a privilege change.
      const rotated = value(await auth.rotateSession(complete.session.id, 'role_granted', at(2)));
      assert.equal(refused(await auth.authenticateSession(complete.sessionToken, at(2))), 'SESSION_INVALID');
      assert.ok((await auth.authenticateSession(rotated.sessionToken, at(2))).ok);
    });

    it('expires a session after 30 idle minutes', async () => {
      const { session } = await enrolledUser('idle');
      value(await auth.authenticateSession(session.sessionToken, at(29)));
      value(await auth.authenticateSession(session.sessionToken, at(58))); // each request moves the idle limit
      const expired = await auth.authenticateSession(session.sessionToken, at(88));
      assert.equal(refused(expired), 'SESSION_EXPIRED');
      assert.equal(expired.events[0]?.type, 'session.expired');
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(89))), 'SESSION_INVALID');
    });

    it('expires a session 12 hours after sign-in, however active', async () => {
      const { session } = await enrolledUser('absolute');
      for (let m = 20; m < 12 * 60; m += 20) value(await auth.authenticateSession(session.sessionToken, at(m)));
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(12 * 60))), 'SESSION_EXPIRED');
    });

    it('expires a session that owes the second factor after 10 minutes', async () => {
      await enrolledUser('slow.typist');
      const s = value(await auth.signIn({ login: 'slow.typist', password: PASSWORD }, at(1)));
      assert.equal(refused(await auth.verifySecondFactor(s.session.id, '123456', at(11))), 'SESSION_EXPIRED');
    });

    it('checks the CSRF token on state-changing requests', async () => {
      const { session } = await enrolledUser('csrf');
      value(await auth.authenticateSession(session.sessionToken, at(1), { csrf: { token: session.csrfToken } }));
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(1), { csrf: { token: undefined } })), 'CSRF_INVALID');
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(1), { csrf: { token: 'forged' } })), 'CSRF_INVALID');
      const { csrfToken } = value(await auth.issueCsrfToken(session.session.id, at(1)));
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(1), { csrf: { token: session.csrfToken } })), 'CSRF_INVALID');
      value(await auth.authenticateSession(session.sessionToken, at(1), { csrf: { token: csrfToken } }));
    });

    it('ends the session on sign-out', async () => {
      const { session } = await enrolledUser('sign.out');
      const out = await auth.signOut(session.session.id, at(1));
      assert.ok(out.ok && out.events[0]?.type === 'session.ended');
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(1))), 'SESSION_INVALID');
    });

    it('enforces API token scope, expiry and revocation', async () => {
      const { user, session } = await enrolledUser('machine');
      const created = value(await auth.createApiToken(session.session.id, { name: 'meter feed', scopes: ['registry:read', 'reports:write'], expiresAt: new Date(T0 + 60 * MIN) }, at(1)));
      assert.match(created.rawToken, /^cct_/);
      const stored = await t.db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', created.token.id).executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(stored).includes(created.rawToken));
      assert.equal(value(await auth.authenticateToken(created.rawToken, 'registry:read', at(2))).userId, user.id);
      assert.ok((await auth.authenticateToken(created.rawToken, 'reports:read', at(2))).ok);
      const scope = await auth.authenticateToken(created.rawToken, 'registry:write', at(2));
      assert.equal(refused(scope), 'TOKEN_SCOPE');
      assert.equal(scope.events[0]?.type, 'api_token.refused');
      assert.equal(refused(await auth.authenticateToken(created.rawToken, 'registry:read', at(60))), 'TOKEN_INVALID');
      assert.equal(refused(await auth.authenticateToken(`${created.rawToken}x`, 'registry:read', at(2))), 'TOKEN_INVALID');
      // Revocation.
      const other = value(await auth.createApiToken(session.session.id, { name: 'cli', scopes: ['admin'] }, at(3)));
      value(await auth.authenticateToken(other.rawToken, 'registry:write', at(3)));
      value(await auth.revokeApiToken(user.id, other.token.id, user.id, at(4)));
      assert.equal(refused(await auth.authenticateToken(other.rawToken, 'registry:read', at(5))), 'TOKEN_INVALID');
      assert.equal((await auth.listApiTokens(user.id)).find((k) => k.id === other.token.id)?.revokedAt, new Date(T0 + 4 * MIN).toISOString());
      // Bad requests name the field.
      const unknownScope = await auth.createApiToken(session.session.id, { name: 'x', scopes: ['registry:delete'] }, at(3));
      assert.ok(!unknownScope.ok && unknownScope.refusal.field === 'scopes[0]');
      assert.equal(refused(await auth.createApiToken(session.session.id, { name: 'x', scopes: ['admin'], expiresAt: new Date(T0 + 400 * 24 * 60 * MIN) }, at(3))), 'EXPIRY_INVALID');
    });

    it('refuses weak passwords and duplicate logins when creating users', async () => {
      const weak = await auth.createUser({ login: 'weak', email: 'weak@example.org', displayName: 'Weak', password: 'password1234' }, 'admin-1', at(0));
      assert.ok(!weak.ok && weak.refusal.code === 'PASSWORD_COMMON' && weak.refusal.field === 'password');
      await newUser('taken');
      assert.equal(refused(await auth.createUser({ login: 'TAKEN', email: 'x@example.org', displayName: 'X', password: PASSWORD }, 'admin-1', at(0))), 'LOGIN_TAKEN');
    });

    it('changing the password ends the other sessions and refuses the old password', async () => {
      const { secret, session } = await enrolledUser('changer');
      const other = value(await auth.signIn({ login: 'changer', password: PASSWORD }, at(1)));
      const otherComplete = value(await auth.verifySecondFactor(other.session.id, await totpAt(secret, 1), at(1)));
      const newPassword = 'a completely different sentence';
      assert.equal(refused(await auth.changePassword(session.session.id, 'not my password!', newPassword, at(2))), 'PASSWORD_WRONG');
      const rotated = value(await auth.changePassword(session.session.id, PASSWORD, newPassword, at(2)));
      assert.equal(refused(await auth.authenticateSession(otherComplete.sessionToken, at(2))), 'SESSION_INVALID');
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(2))), 'SESSION_INVALID');
      value(await auth.authenticateSession(rotated.sessionToken, at(2)));
      assert.equal(refused(await auth.signIn({ login: 'changer', password: PASSWORD }, at(3))), 'SIGN_IN_FAILED');
      value(await auth.signIn({ login: 'changer', password: newPassword }, at(3)));
    });

    it('a disabled user cannot sign in, and their sessions and tokens stop working', async () => {
      const { user, session } = await enrolledUser('leaver');
      const token = value(await auth.createApiToken(session.session.id, { name: 'job', scopes: ['registry:read'] }, at(1)));
      const r = value(await auth.disableUser(user.id, 'admin-1', at(2)));
      assert.equal(r.sessionsEnded, 1);
      assert.equal(refused(await auth.authenticateSession(session.sessionToken, at(2))), 'SESSION_INVALID');
      assert.equal(refused(await auth.authenticateToken(token.rawToken, 'registry:read', at(2))), 'TOKEN_INVALID');
      assert.equal(refused(await auth.signIn({ login: 'leaver', password: PASSWORD }, at(3))), 'SIGN_IN_FAILED');
    });

    it('describes every state change as an event without secrets', async () => {
      const events: unknown[] = [];
      const u = await auth.createUser({ login: 'audited', email: 'a@example.org', displayName: 'A', password: PASSWORD }, 'admin-1', at(0));
      events.push(...u.events);
      const s = value(await auth.signIn({ login: 'audited', password: PASSWORD }, at(0, '192.0.2.9')));
      const signIn = await auth.signIn({ login: 'audited', password: PASSWORD }, at(0, '192.0.2.9'));
      events.push(...signIn.events);
      const e = signIn.events[0]!;
      assert.equal(e.type, 'sign_in.succeeded');
      assert.equal(e.address, '192.0.2.9');
      assert.equal(e.at, new Date(T0).toISOString());
      assert.ok(!JSON.stringify(events).includes(PASSWORD) && !JSON.stringify(events).includes(s.sessionToken));
      assert.equal(u.events[0]?.type, 'user.created');
    });

    it('forgets sign-in attempts that can no longer matter', async () => {
      const removed = await auth.pruneSignInAttempts(new Date(T0 + 24 * 60 * MIN));
      assert.ok(removed > 0);
      assert.equal((await t.db.kysely.selectFrom('sign_in_attempts').select('id').execute()).length, 0);
    });
  });
}
