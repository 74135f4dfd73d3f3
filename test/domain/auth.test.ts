import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { passwordLength, passwordProblems } from '../../src/domain/auth/password.js';
import { SCOPES, scopeAllows, scopeProblems } from '../../src/domain/auth/scopes.js';
import { newSessionTimes, sessionState, touchedIdleExpiry } from '../../src/domain/auth/session.js';
import { DEFAULT_AUTH_SETTINGS as S } from '../../src/domain/auth/settings.js';
import { accountLockout, addressThrottle } from '../../src/domain/auth/throttle.js';
import { isTotpCodeFormat, normaliseCode, totpStepAcceptable, totpWindow } from '../../src/domain/auth/totp.js';

const MIN = 60_000;
const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);

describe('password policy', () => {
  it('accepts a long passphrase', () => {
    assert.deepEqual(passwordProblems('violet tram crosses the river at dawn', 'alice'), []);
  });

  it('refuses fewer than 12 characters and more than 256', () => {
    assert.equal(passwordProblems('short-pw-11', 'alice')[0]?.code, 'PASSWORD_TOO_SHORT');
    assert.equal(passwordProblems('x'.repeat(257), 'alice')[0]?.code, 'PASSWORD_TOO_LONG');
    assert.equal(passwordProblems('x'.repeat(1_000_000), 'alice')[0]?.field, 'password');
  });

  it('counts characters as a person does', () => {
    assert.equal(passwordLength('ｱｲｳ'), 3);
    assert.equal(passwordLength('👨‍👩‍👧'), 1);
  });

  it('refuses the login itself, with or without its domain', () => {
    assert.equal(passwordProblems('officer.tanaka@example.org', 'officer.tanaka@example.org')[0]?.code, 'PASSWORD_IS_LOGIN');
    assert.equal(passwordProblems('Officer.Tanaka', 'officer.tanaka@example.org')[0]?.code, 'PASSWORD_IS_LOGIN');
    assert.equal(passwordProblems('officer.tanaka1', 'officer.tanaka')[0]?.code, 'PASSWORD_IS_LOGIN');
  });

  it('refuses common passwords whatever their case', () => {
    assert.equal(passwordProblems('Password1234', 'alice')[0]?.code, 'PASSWORD_COMMON');
    assert.equal(passwordProblems('zzzzzzzzzzzzzz', 'alice')[0]?.code, 'PASSWORD_COMMON');
  });
});

describe('lockout and throttling', () => {
  it('locks a login on the 5th failure within 15 minutes, for 15 minutes from it', () => {
    const failures = [0, 1, 2, 3].map((i) => T0 + i * MIN);
    assert.deepEqual(accountLockout(failures, T0 + 4 * MIN, S), { limited: false });
    const five = [...failures, T0 + 4 * MIN];
    assert.deepEqual(accountLockout(five, T0 + 4 * MIN, S), { limited: true, untilMs: T0 + 19 * MIN });
    assert.equal(accountLockout(five, T0 + 19 * MIN - 1, S).limited, true);
    assert.deepEqual(accountLockout(five, T0 + 19 * MIN, S), { limited: false });
  });

  it('does not lock for failures spread wider than the window', () => {
    const spread = [0, 4, 8, 12, 16].map((i) => T0 + i * MIN);
    assert.deepEqual(accountLockout(spread, T0 + 16 * MIN, S), { limited: false });
  });

  it('throttles an address at 20 failures in 15 minutes until the oldest leaves the window', () => {
    const failures = Array.from({ length: 20 }, (_, i) => T0 + i * 10_000);
    assert.deepEqual(addressThrottle(failures.slice(0, 19), T0 + 5 * MIN, S), { limited: false });
    assert.deepEqual(addressThrottle(failures, T0 + 5 * MIN, S), { limited: true, untilMs: T0 + 15 * MIN });
    assert.deepEqual(addressThrottle(failures, T0 + 15 * MIN, S), { limited: false });
  });

  const times = fc.array(fc.integer({ min: 0, max: 60 * MIN }), { maxLength: 40 });
  it('locking is monotone: more failures never lift or shorten a lock (property)', () => {
    fc.assert(
      fc.property(times, times, fc.integer({ min: 0, max: 80 * MIN }), (some, more, now) => {
        const a = accountLockout(some.map((t) => T0 + t), T0 + now, S);
        const b = accountLockout([...some, ...more].map((t) => T0 + t), T0 + now, S);
        if (a.limited) assert.ok(b.limited && b.untilMs >= a.untilMs);
      }),
    );
  });

  it('throttling is monotone in failures too (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 * MIN }), { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 20 * MIN }), { maxLength: 30 }), (some, more) => {
        const now = T0 + 20 * MIN;
        const a = addressThrottle(some.map((t) => T0 + t), now, S);
        const b = addressThrottle([...some, ...more].map((t) => T0 + t), now, S);
        if (a.limited) assert.ok(b.limited && b.untilMs >= a.untilMs);
      }),
    );
  });

  it('a lock always ends, at most lockoutMs after the last failure (property)', () => {
    fc.assert(
      fc.property(times, (some) => {
        const failures = some.map((t) => T0 + t);
        const last = Math.max(T0, ...failures);
        assert.equal(accountLockout(failures, last + S.lockoutMs, S).limited, false);
      }),
    );
  });
});

describe('session expiry', () => {
  it('expires a session after 30 idle minutes', () => {
    const t = newSessionTimes(T0, 'complete', S);
    assert.equal(sessionState(t, T0 + 30 * MIN - 1), 'active');
    assert.equal(sessionState(t, T0 + 30 * MIN), 'idle_expired');
  });

  it('expires a session 12 hours after sign-in however busy it is', () => {
    let t = newSessionTimes(T0, 'complete', S);
    for (let m = 20; m < 12 * 60; m += 20) {
      const now = T0 + m * MIN;
      assert.equal(sessionState(t, now), 'active');
      const idle = touchedIdleExpiry(t, now, S);
      assert.ok(idle !== null);
      t = { ...t, lastSeenMs: now, idleExpiresMs: idle };
    }
    assert.equal(sessionState(t, T0 + 12 * 60 * MIN), 'absolute_expired');
  });

  it('gives a session that still owes a factor only minutes', () => {
    const t = newSessionTimes(T0, 'second_factor', S);
    assert.equal(t.expiresMs, T0 + S.partialSessionMs);
  });

  it('never lets rotation extend the absolute lifetime', () => {
    const t = newSessionTimes(T0 + 11 * 60 * MIN, 'complete', S, T0 + 12 * 60 * MIN);
    assert.equal(t.expiresMs, T0 + 12 * 60 * MIN);
    assert.ok(t.idleExpiresMs <= t.expiresMs);
  });

  it('writes last-seen at most once a minute', () => {
    const t = newSessionTimes(T0, 'complete', S);
    assert.equal(touchedIdleExpiry(t, T0 + 30_000, S), null);
    assert.equal(touchedIdleExpiry(t, T0 + MIN, S), T0 + 31 * MIN);
  });
});

describe('token scopes', () => {
  it('allows the granted scope, read under write, and everything under admin', () => {
    assert.ok(scopeAllows(['registry:read'], 'registry:read'));
    assert.ok(!scopeAllows(['registry:read'], 'registry:write'));
    assert.ok(scopeAllows(['registry:write'], 'registry:read'));
    assert.ok(!scopeAllows(['reports:write'], 'registry:read'));
    for (const s of SCOPES) assert.ok(scopeAllows(['admin'], s));
    assert.ok(!scopeAllows([], 'registry:read'));
  });

  it('refuses unknown, duplicate and missing scopes, naming the entry', () => {
    assert.equal(scopeProblems([], 16)[0]?.code, 'SCOPES_REQUIRED');
    assert.deepEqual(scopeProblems(['registry:read', 'registry:delete'], 16).map((r) => [r.code, r.field]), [['UNKNOWN_SCOPE', 'scopes[1]']]);
    assert.equal(scopeProblems(['admin', 'admin'], 16)[0]?.code, 'DUPLICATE_SCOPE');
  });
});

describe('TOTP window', () => {
  it('accepts the current step and one either side, never a step already used', () => {
    const now = T0 + 15_000;
    const { fromStep, toStep } = totpWindow(now, S);
    assert.equal(toStep - fromStep, 2);
    assert.ok(totpStepAcceptable(fromStep, null, now, S));
    assert.ok(totpStepAcceptable(toStep, null, now, S));
    assert.ok(!totpStepAcceptable(toStep + 1, null, now, S));
    assert.ok(!totpStepAcceptable(fromStep - 1, null, now, S));
    assert.ok(!totpStepAcceptable(fromStep + 1, fromStep + 1, now, S));
    assert.ok(totpStepAcceptable(toStep, fromStep + 1, now, S));
  });

  it('reads codes as typed', () => {
    assert.equal(normaliseCode(' 123 456 '), '123456');
    assert.ok(isTotpCodeFormat('123456', 6));
    assert.ok(!isTotpCodeFormat('12345a', 6));
    assert.equal(normaliseCode('abcd-efgh-2345-6723'), 'ABCDEFGH23456723');
  });
});
