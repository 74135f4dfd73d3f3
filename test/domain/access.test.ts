import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ACTIONS, AUTHORIZATION_CODES, PERMISSIONS, decide, grantCovers, type Action } from '../../src/domain/access/permissions.js';
import { ANONYMOUS, ROLES, canApprove, canInitiate, noSelfGrant, roleAssignable, systemActor, type Actor, type Grant } from '../../src/domain/access/roles.js';
import { EU_DEFAULT_ACCESS_SETTINGS, accessSettings, accessSettingsProblems } from '../../src/domain/access/settings.js';
import {
  completionTime,
  delayElapsed,
  effectiveLimitT,
  executeAfter,
  fourEyes,
  isTrusted,
  representativesWithinMax,
  trustedActiveFrom,
  trustedOnly,
  withinTransactionLimit,
  type TrustedEntry,
} from '../../src/domain/access/transaction-rules.js';
import { TX_TYPES } from '../../src/domain/registry/model.js';

const HOUR = 3_600_000;
const user = (id: string): Actor => ({ kind: 'user', id });
const role = (r: Grant['role'], jurisdictionId: string, accountId: string | null = null): Grant => ({
  role: r,
  jurisdictionId,
  accountId,
  rights: null,
  source: 'role_assignment',
  sourceId: `${r}-${jurisdictionId}-${accountId ?? '*'}`,
});
const rep = (accountId: string, rights: Grant['rights'], jurisdictionId = 'J-A'): Grant => ({
  role: 'authorized_representative',
  jurisdictionId,
  accountId,
  rights,
  source: 'representative',
  sourceId: `rep-${accountId}`,
});

describe('settings: EU defaults, documented and checked', () => {
  it('defaults to the EU figures: 26 h transfer delay, 7-day activation, 2,000,000 t limit to untrusted accounts', () => {
    assert.equal(EU_DEFAULT_ACCESS_SETTINGS.untrustedTransferDelayMs, 26 * HOUR);
    assert.equal(EU_DEFAULT_ACCESS_SETTINGS.trustedActivationDelayMs, 7 * 24 * HOUR);
    assert.equal(EU_DEFAULT_ACCESS_SETTINGS.transactionLimitT, 2_000_000n);
    assert.equal(EU_DEFAULT_ACCESS_SETTINGS.limitApplies, 'untrusted');
    assert.deepEqual(accessSettingsProblems(EU_DEFAULT_ACCESS_SETTINGS), []);
  });

  it('names the field of every out-of-range setting', () => {
    const problems = accessSettingsProblems({ ...EU_DEFAULT_ACCESS_SETTINGS, untrustedTransferDelayMs: -1, transactionLimitT: 0n, representativesPerAccountMax: 1 });
    assert.deepEqual(problems.map((p) => p.field), ['untrustedTransferDelayMs', 'transactionLimitT', 'representativesPerAccountMax']);
    assert.throws(() => accessSettings({ trustedActivationDelayMs: 1.5 }), /trustedActivationDelayMs/);
  });
});

describe('roles and representative rights', () => {
  it('reads rights: initiate, approve, or both', () => {
    assert.deepEqual([canInitiate('initiate'), canInitiate('approve'), canInitiate('initiate_and_approve')], [true, false, true]);
    assert.deepEqual([canApprove('initiate'), canApprove('approve'), canApprove('initiate_and_approve')], [false, true, true]);
  });

  it('ROLE_ASSIGNABLE: public is everyone, representatives go per account, authority roles are jurisdiction-wide', () => {
    assert.equal(roleAssignable('public', undefined)?.code, 'ROLE_NOT_GRANTABLE');
    assert.equal(roleAssignable('authorized_representative', undefined)?.code, 'ROLE_VIA_REPRESENTATIVES');
    assert.equal(roleAssignable('wizard', undefined)?.code, 'ROLE_UNKNOWN');
    assert.equal(roleAssignable('authority_officer', 'acc-1')?.field, 'accountId');
    assert.equal(roleAssignable('trader', 'acc-1'), null);
  });

  it('NO_SELF_GRANT: nobody grants standing to themselves, except the system bootstrapping', () => {
    assert.equal(noSelfGrant(user('u1'), 'u1')?.code, 'SELF_GRANT');
    assert.equal(noSelfGrant(user('u1'), 'u2'), null);
    assert.equal(noSelfGrant(systemActor('bootstrap'), 'system:bootstrap'), null);
  });
});

describe('permission table', () => {
  it('every action names its roles, and the public role only on public actions', () => {
    for (const action of ACTIONS) {
      const p = PERMISSIONS[action];
      assert.ok(p.roles.length > 0, action);
      assert.equal(p.roles.includes('public' as never), p.level === 'public', action);
      for (const r of p.roles) assert.ok((ROLES as readonly string[]).includes(r), `${action}: ${r}`);
    }
  });

  it('lets anyone read public data and asks anonymous visitors to sign in for the rest', () => {
    assert.equal(decide(ANONYMOUS, [], 'disclosure.read', null).allowed, true);
    const d = decide(ANONYMOUS, [], 'account.read', { jurisdictionId: 'J-A', accountId: 'X' });
    assert.ok(!d.allowed);
    assert.equal(d.refusal.code, 'SIGN_IN_REQUIRED');
  });

  it('role scoping: an officer of jurisdiction A cannot act in B', () => {
    const grants = [role('authority_officer', 'J-A')];
    assert.equal(decide(user('o'), grants, 'report.review', { jurisdictionId: 'J-A' }).allowed, true);
    const d = decide(user('o'), grants, 'report.review', { jurisdictionId: 'J-B' });
    assert.ok(!d.allowed);
    assert.equal(d.refusal.code, 'ROLE_REQUIRED');
    assert.equal(d.refusal.field, 'jurisdictionId');
  });

  it('role scoping: a representative of account X cannot act for Y', () => {
    const grants = [rep('X', 'initiate_and_approve')];
    assert.equal(decide(user('r'), grants, 'transaction.propose', { jurisdictionId: 'J-A', accountId: 'X' }).allowed, true);
    const d = decide(user('r'), grants, 'transaction.propose', { jurisdictionId: 'J-A', accountId: 'Y' });
    assert.ok(!d.allowed);
    assert.equal(d.refusal.code, 'ROLE_REQUIRED');
    assert.equal(d.refusal.field, 'accountId');
  });

  it('names the missing representative right: initiate or approve', () => {
    const initiator = [rep('X', 'initiate')];
    const approver = [rep('X', 'approve')];
    const scope = { jurisdictionId: 'J-A', accountId: 'X' };
    const a = decide(user('i'), initiator, 'transaction.approve', scope);
    assert.ok(!a.allowed);
    assert.equal(a.refusal.code, 'APPROVE_RIGHT_REQUIRED');
    const b = decide(user('a'), approver, 'transaction.propose', scope);
    assert.ok(!b.allowed);
    assert.equal(b.refusal.code, 'INITIATE_RIGHT_REQUIRED');
    assert.equal(decide(user('a'), approver, 'transaction.cancel', scope).allowed, true);
  });

  it('an account-scoped grant never reaches a jurisdiction-level action', () => {
    const grants = [role('facility_operator', 'J-A', 'X')];
    assert.equal(decide(user('f'), grants, 'report.submit', { jurisdictionId: 'J-A', accountId: 'X' }).allowed, true);
    assert.equal(decide(user('f'), grants, 'facility.register', { jurisdictionId: 'J-A', accountId: 'X' }).allowed, false);
  });

  it('property: an allowed decision always rests on a grant of a listed role covering the scope', () => {
    const jurisdictions = ['J-A', 'J-B'];
    const accounts = ['X', 'Y', 'Z'];
    const grantArb = fc.oneof(
      fc.record({
        role: fc.constantFrom('authority_admin', 'authority_officer', 'facility_operator', 'verifier', 'trader' as const),
        jurisdictionId: fc.constantFrom(...jurisdictions),
        accountId: fc.option(fc.constantFrom(...accounts), { nil: null }),
      }).map((g) => role(g.role, g.jurisdictionId, g.accountId)),
      fc.record({ accountId: fc.constantFrom(...accounts), rights: fc.constantFrom('initiate', 'approve', 'initiate_and_approve' as const), jurisdictionId: fc.constantFrom(...jurisdictions) })
        .map((g) => rep(g.accountId, g.rights, g.jurisdictionId)),
    );
    fc.assert(
      fc.property(
        fc.array(grantArb, { maxLength: 6 }),
        fc.constantFrom(...ACTIONS),
        fc.constantFrom(...jurisdictions),
        fc.option(fc.constantFrom(...accounts), { nil: undefined }),
        (grants, action: Action, jurisdictionId, accountId) => {
          const scope = accountId === undefined ? { jurisdictionId } : { jurisdictionId, accountId };
          const d = decide(user('u'), grants, action, scope);
          const p = PERMISSIONS[action];
          if (!d.allowed) {
            assert.ok((AUTHORIZATION_CODES as readonly string[]).includes(d.refusal.code));
            return;
          }
          if (p.level === 'public') return;
          assert.ok(d.grant !== null);
          assert.ok((p.roles as readonly string[]).includes(d.grant.role));
          assert.equal(d.grant.jurisdictionId, jurisdictionId);
          assert.ok(grantCovers(d.grant, p.level, scope));
          if (d.grant.accountId !== null) assert.equal(d.grant.accountId, accountId);
          // Taking the grant away takes the permission away unless another grant covers it.
          const others = grants.filter((g) => g !== d.grant);
          const again = decide(user('u'), others, action, scope);
          if (again.allowed) assert.ok(again.grant !== null && again.grant !== d.grant);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('transaction rules', () => {
  const s = EU_DEFAULT_ACCESS_SETTINGS;
  const t0 = new Date('2026-04-01T09:00:00.000Z');

  it('FOUR_EYES: the proposer cannot approve', () => {
    assert.equal(fourEyes('alice', 'alice')?.code, 'FOUR_EYES');
    assert.equal(fourEyes('alice', 'bob'), null);
  });

  it('TRUSTED_ACTIVATION_DELAY: an entry counts from active_from until removed', () => {
    const activeFrom = trustedActiveFrom(t0, s);
    assert.equal(activeFrom.getTime() - t0.getTime(), 7 * 24 * HOUR);
    const entry: TrustedEntry = { accountId: 'X', trustedAccountId: 'Y', activeFrom, removedAt: null };
    assert.equal(isTrusted([entry], 'X', 'Y', t0), false);
    assert.equal(isTrusted([entry], 'X', 'Y', new Date(activeFrom.getTime() - 1)), false);
    assert.equal(isTrusted([entry], 'X', 'Y', activeFrom), true);
    assert.equal(isTrusted([entry], 'Y', 'X', activeFrom), false, 'trust is one-way');
    const removed = { ...entry, removedAt: new Date(activeFrom.getTime() + HOUR) };
    assert.equal(isTrusted([removed], 'X', 'Y', new Date(activeFrom.getTime() + HOUR)), false, 'a removal counts at once');
  });

  it('UNTRUSTED_DESTINATION_DELAY: only transfers to untrusted accounts wait, 26 hours from proposal', () => {
    assert.equal(executeAfter({ type: 'transfer', proposedAt: t0, trusted: false }, s)?.getTime(), t0.getTime() + 26 * HOUR);
    assert.equal(executeAfter({ type: 'transfer', proposedAt: t0, trusted: true }, s), null);
    assert.equal(executeAfter({ type: 'surrender', proposedAt: t0, trusted: false }, s), null);
    assert.equal(delayElapsed(new Date(t0.getTime() + HOUR), t0)?.code, 'DELAY_NOT_ELAPSED');
  });

  it('property: completion is never before execute_after, nor before the approval', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TX_TYPES),
        fc.boolean(),
        fc.integer({ min: 0, max: 100 * 24 * HOUR }),
        fc.integer({ min: 0, max: 10 * 24 * HOUR }),
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        (type, trusted, delayMs, proposedOffsetMs, approvalLagMs) => {
          const settings = { ...s, untrustedTransferDelayMs: delayMs };
          const proposedAt = new Date(t0.getTime() + proposedOffsetMs);
          const now = new Date(proposedAt.getTime() + approvalLagMs);
          const at = completionTime({ type, proposedAt, trusted }, now, settings);
          assert.ok(at.getTime() >= now.getTime());
          const after = executeAfter({ type, proposedAt, trusted }, settings);
          if (after !== null) {
            assert.ok(at.getTime() >= after.getTime());
            assert.equal(delayElapsed(after, at), null);
          }
          if (type !== 'transfer' || trusted) assert.equal(at.getTime(), now.getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('TRANSACTION_LIMIT: the lowest of the jurisdiction and account limits, for transfers to untrusted accounts', () => {
    const settings = accessSettings({ accountTransactionLimitsT: { X: 500n } });
    assert.equal(effectiveLimitT('X', settings), 500n);
    assert.equal(effectiveLimitT('Y', settings), 2_000_000n);
    const over = withinTransactionLimit({ type: 'transfer', fromAccountId: 'X', quantityT: 501n, trusted: false }, settings);
    assert.equal(over?.code, 'TRANSACTION_LIMIT_EXCEEDED');
    assert.equal(over.field, 'quantityT');
    assert.equal(withinTransactionLimit({ type: 'transfer', fromAccountId: 'X', quantityT: 500n, trusted: false }, settings), null);
    assert.equal(withinTransactionLimit({ type: 'transfer', fromAccountId: 'X', quantityT: 501n, trusted: true }, settings), null);
    assert.equal(withinTransactionLimit({ type: 'surrender', fromAccountId: 'X', quantityT: 10_000_000n, trusted: false }, settings), null);
    const all = accessSettings({ limitApplies: 'all', transactionLimitT: 100n });
    assert.equal(withinTransactionLimit({ type: 'transfer', fromAccountId: 'Y', quantityT: 101n, trusted: true }, all)?.code, 'TRANSACTION_LIMIT_EXCEEDED');
    assert.equal(effectiveLimitT('Y', accessSettings({ transactionLimitT: null })), null);
  });

  it('TRUSTED_ACCOUNTS_ONLY and REPRESENTATIVES_MAX', () => {
    const euOperator = accessSettings({ trustedOnlyAccountTypes: ['facility_compliance'] });
    assert.equal(trustedOnly({ type: 'transfer', fromAccountType: 'facility_compliance', trusted: false }, euOperator)?.code, 'TRUSTED_ACCOUNTS_ONLY');
    assert.equal(trustedOnly({ type: 'transfer', fromAccountType: 'facility_compliance', trusted: true }, euOperator), null);
    assert.equal(trustedOnly({ type: 'transfer', fromAccountType: 'general_holding', trusted: false }, euOperator), null);
    assert.equal(representativesWithinMax(4, s), null);
    assert.equal(representativesWithinMax(5, s)?.code, 'REPRESENTATIVES_MAX');
  });
});
