import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as auditModule from '../../src/app/audit.js';
import { AccessControl } from '../../src/app/authorization.js';
import { RefusedError } from '../../src/domain/errors.js';
import { ANONYMOUS, systemActor } from '../../src/domain/access/roles.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { DAY_MS, accessFixture, person, type AccessFixture } from '../support/access-fixture.js';

async function refusedWith(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof RefusedError, String(e));
    assert.equal(e.refusal.code, code, e.message);
    if (field !== undefined) assert.equal(e.refusal.field, field);
    return true;
  });
}

for (const engine of testEngines()) {
  describe(`access control on ${engine.name}`, () => {
    let t: TestDatabase;
    let f: AccessFixture;
    before(async () => {
      t = await engine.create();
      f = await accessFixture(t.db);
    });
    after(async () => t.drop());

    describe('roles', () => {
      it('grants a role (audited), refuses a duplicate, a self-grant and a grant by someone without role.manage', async () => {
        const { admin, officer, mallory } = f.people;
        const granted = await f.access.grantRole(admin, { userId: 'verifier-1', role: 'verifier', jurisdictionId: f.jurisdictionId });
        assert.equal(granted.role, 'verifier');
        assert.equal(granted.grantedBy, 'admin-tky');
        await refusedWith(f.access.grantRole(admin, { userId: 'verifier-1', role: 'verifier', jurisdictionId: f.jurisdictionId }), 'ROLE_ALREADY_GRANTED', 'role');
        await refusedWith(f.access.grantRole(admin, { userId: 'admin-tky', role: 'trader', jurisdictionId: f.jurisdictionId }), 'SELF_GRANT', 'userId');
        await refusedWith(f.access.grantRole(officer, { userId: 'x', role: 'trader', jurisdictionId: f.jurisdictionId }), 'ROLE_REQUIRED', 'jurisdictionId');
        await refusedWith(f.access.grantRole(mallory, { userId: 'x', role: 'authority_admin', jurisdictionId: f.jurisdictionId }), 'ROLE_REQUIRED');
        await refusedWith(f.access.grantRole(admin, { userId: 'x', role: 'authority_officer', jurisdictionId: f.jurisdictionId, accountId: f.traders[0]! }), 'ROLE_SCOPE_INVALID', 'accountId');
        await refusedWith(f.access.grantRole(admin, { userId: 'x', role: 'authorized_representative', jurisdictionId: f.jurisdictionId }), 'ROLE_VIA_REPRESENTATIVES', 'role');
        const events = await f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId, objectId: granted.id });
        assert.deepEqual(events.events.map((e) => e.action), ['role.grant']);
      });

      it('a revoked role no longer authorizes', async () => {
        const { admin } = f.people;
        const g = await f.access.grantRole(admin, { userId: 'temp-officer', role: 'authority_officer', jurisdictionId: f.jurisdictionId });
        const temp = person('temp-officer');
        assert.equal((await f.access.authorize(temp, 'report.review', { jurisdictionId: f.jurisdictionId })).allowed, true);
        const revoked = await f.access.revokeRole(admin, g.id);
        assert.ok(revoked.revokedAt !== null);
        const d = await f.access.authorize(temp, 'report.review', { jurisdictionId: f.jurisdictionId });
        assert.ok(!d.allowed);
        assert.equal(d.refusal.code, 'ROLE_REQUIRED');
        // Revoking again changes nothing and writes no second event.
        await f.access.revokeRole(admin, g.id);
        const events = await f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId, objectId: g.id });
        assert.deepEqual(events.events.map((e) => e.action), ['role.revoke', 'role.grant']);
      });

      it('role scoping: an officer of jurisdiction A cannot act in B', async () => {
        const { officer, otherOfficer } = f.people;
        assert.equal((await f.access.authorize(officer, 'report.review', { jurisdictionId: f.jurisdictionId })).allowed, true);
        const d = await f.access.authorize(officer, 'report.review', { jurisdictionId: f.otherJurisdictionId });
        assert.ok(!d.allowed);
        assert.equal(d.refusal.code, 'ROLE_REQUIRED');
        await refusedWith(f.access.listAudit(officer, { jurisdictionId: f.otherJurisdictionId }), 'ROLE_REQUIRED');
        await refusedWith(f.access.listAudit(otherOfficer, { jurisdictionId: f.jurisdictionId }), 'ROLE_REQUIRED');
        // An account named in the scope must belong to the scope's jurisdiction.
        const m = await f.access.authorize(officer, 'account.read', { jurisdictionId: f.jurisdictionId, accountId: f.otherAccount });
        assert.ok(!m.allowed);
        assert.equal(m.refusal.code, 'SCOPE_MISMATCH');
      });

      it('anonymous visitors read public data only; system jobs pass', async () => {
        assert.equal((await f.access.authorize(ANONYMOUS, 'disclosure.read', null)).allowed, true);
        const d = await f.access.authorize(ANONYMOUS, 'account.read', { jurisdictionId: f.jurisdictionId, accountId: f.traders[0]! });
        assert.ok(!d.allowed);
        assert.equal(d.refusal.code, 'SIGN_IN_REQUIRED');
        assert.equal((await f.access.authorize(systemActor('job'), 'compliance.run', { jurisdictionId: f.jurisdictionId })).allowed, true);
      });
    });

    describe('representatives', () => {
      it('role scoping: a representative of account X cannot act for Y', async () => {
        const { dave } = f.people;
        const [fac1] = f.facilities;
        const [trader1] = f.traders;
        assert.equal((await f.access.authorize(dave, 'transaction.propose', { jurisdictionId: f.jurisdictionId, accountId: trader1! })).allowed, true);
        const d = await f.access.authorize(dave, 'transaction.propose', { jurisdictionId: f.jurisdictionId, accountId: fac1! });
        assert.ok(!d.allowed);
        assert.equal(d.refusal.code, 'ROLE_REQUIRED');
        assert.equal(d.refusal.field, 'accountId');
        await refusedWith(f.access.addTrustedAccount(dave, { accountId: fac1!, trustedAccountId: trader1! }), 'ROLE_REQUIRED', 'accountId');
      });

      it('only the authority changes representatives; duplicates and the per-account maximum are refused', async () => {
        const { admin, carol } = f.people;
        const [, fac2] = f.facilities;
        await refusedWith(f.access.addRepresentative(carol, { accountId: fac2!, userId: 'zed', rights: 'approve' }), 'ROLE_REQUIRED');
        await refusedWith(f.access.addRepresentative(admin, { accountId: fac2!, userId: 'zed', rights: 'everything' }), 'RIGHTS_INVALID', 'rights');
        for (const u of ['r1', 'r2', 'r3', 'r4', 'r5']) await f.access.addRepresentative(admin, { accountId: fac2!, userId: u, rights: 'initiate' });
        await refusedWith(f.access.addRepresentative(admin, { accountId: fac2!, userId: 'r6', rights: 'initiate' }), 'REPRESENTATIVES_MAX', 'userId');
        await refusedWith(f.access.addRepresentative(admin, { accountId: fac2!, userId: 'r1', rights: 'approve' }), 'REPRESENTATIVE_EXISTS', 'userId');
        const removed = await f.access.removeRepresentative(admin, { accountId: fac2!, userId: 'r5' });
        assert.ok(removed.removedAt !== null);
        const r1 = person('r1');
        assert.equal((await f.access.authorize(r1, 'transaction.propose', { jurisdictionId: f.jurisdictionId, accountId: fac2! })).allowed, true);
        const r5 = await f.access.authorize(person('r5'), 'transaction.propose', { jurisdictionId: f.jurisdictionId, accountId: fac2! });
        assert.equal(r5.allowed, false);
        assert.equal((await f.access.representativesOf(admin, fac2!)).length, 4);
      });
    });

    describe('trusted accounts', () => {
      it('trusted-list activation delay: a just-added trusted account is not trusted until active_from', async () => {
        const { alice, bob } = f.people;
        const [fac1, , fac3] = f.facilities;
        const added = await f.access.addTrustedAccount(alice, { accountId: fac1!, trustedAccountId: fac3! });
        assert.equal(Date.parse(added.activeFrom) - Date.parse(added.addedAt), 7 * DAY_MS);
        assert.equal(added.active, false);
        assert.equal(await f.access.isTrusted(fac1!, fac3!, f.now()), false);
        assert.equal(await f.access.isTrusted(fac1!, fac3!, new Date(Date.parse(added.activeFrom) - 1)), false);
        assert.equal(await f.access.isTrusted(fac1!, fac3!, new Date(added.activeFrom)), true);
        await refusedWith(f.access.addTrustedAccount(alice, { accountId: fac1!, trustedAccountId: fac3! }), 'TRUSTED_ALREADY_LISTED', 'trustedAccountId');
        await refusedWith(f.access.addTrustedAccount(alice, { accountId: fac1!, trustedAccountId: fac1! }), 'TRUSTED_SELF', 'trustedAccountId');
        await refusedWith(f.access.addTrustedAccount(alice, { accountId: fac1!, trustedAccountId: f.otherAccount }), 'SCOPE_MISMATCH', 'trustedAccountId');
        // Adding needs the right to initiate; bob may only approve.
        await refusedWith(f.access.addTrustedAccount(bob, { accountId: fac1!, trustedAccountId: f.traders[1]! }), 'INITIATE_RIGHT_REQUIRED', 'accountId');
        f.advance(7 * DAY_MS);
        const list = await f.access.trustedAccountsOf(alice, fac1!);
        assert.deepEqual(list.map((e) => [e.trustedAccountId, e.active]), [[fac3!, true]]);
      });

      it('a removal counts at once, and may be made by any representative', async () => {
        const { alice, bob } = f.people;
        const [fac1, , fac3] = f.facilities;
        assert.equal(await f.access.isTrusted(fac1!, fac3!, f.now()), true);
        const removed = await f.access.removeTrustedAccount(bob, { accountId: fac1!, trustedAccountId: fac3! });
        assert.equal(removed.active, false);
        assert.equal(await f.access.isTrusted(fac1!, fac3!, f.now()), false);
        assert.deepEqual(await f.access.trustedAccountsOf(alice, fac1!), []);
        // Added again, it waits out the delay again.
        const again = await f.access.addTrustedAccount(alice, { accountId: fac1!, trustedAccountId: fac3! });
        assert.equal(again.active, false);
      });
    });

    describe('audit', () => {
      it('audit events written for every state change with actor/action/object/address', async () => {
        const { admin, alice } = f.people;
        const [fac1] = f.facilities;
        const page = await f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId }, null, 500);
        const actions = new Set(page.events.map((e) => e.action));
        for (const a of ['role.grant', 'role.revoke', 'representative.add', 'representative.remove', 'trusted_list.add', 'trusted_list.remove']) assert.ok(actions.has(a), a);
        const byAlice = await f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId, actor: 'alice', action: 'trusted_list.add' });
        assert.ok(byAlice.events.length >= 1);
        for (const e of byAlice.events) {
          assert.equal(e.actorKind, 'user');
          assert.equal(e.objectType, 'account');
          assert.equal(e.objectId, fac1);
          assert.equal(e.address, alice.address);
          assert.equal(e.userAgent, alice.userAgent);
          assert.ok(!Number.isNaN(Date.parse(e.at)));
          assert.equal((e.after as { accountId: string }).accountId, fac1);
        }
        const prefixed = await f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId, action: 'trusted_list.' });
        assert.deepEqual(new Set(prefixed.events.map((e) => e.action)), new Set(['trusted_list.add', 'trusted_list.remove']));
      });

      it('pages newest first with a cursor, and exports CSV and JSON lines', async () => {
        const { admin } = f.people;
        const all = await f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId }, null, 500);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: auditModule.AuditPage = await f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId }, cursor, 3);
          seen.push(...page.events.map((e) => e.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        assert.deepEqual(seen, all.events.map((e) => e.id));
        assert.deepEqual([...seen].sort().reverse(), seen);
        await refusedWith(f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId }, 'not a cursor'), 'CURSOR_INVALID', 'cursor');
        await refusedWith(f.access.listAudit(admin, { jurisdictionId: f.jurisdictionId }, null, 501), 'LIMIT_OUT_OF_RANGE', 'limit');

        let csv = '';
        for await (const chunk of await f.access.exportAudit(admin, { jurisdictionId: f.jurisdictionId }, 'csv')) csv += chunk;
        const lines = csv.trimEnd().split('\r\n');
        assert.equal(lines[0], auditModule.AUDIT_CSV_COLUMNS.join(','));
        assert.equal(lines.length, all.events.length + 1);
        let jsonl = '';
        for await (const chunk of await f.access.exportAudit(admin, { jurisdictionId: f.jurisdictionId }, 'jsonl')) jsonl += chunk;
        const parsed = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string });
        assert.deepEqual(parsed.map((e) => e.id), seen);
        await refusedWith(f.access.exportAudit(f.people.alice, { jurisdictionId: f.jurisdictionId }, 'csv'), 'ROLE_REQUIRED');
        assert.equal(auditModule.csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
      });

      it('audit is append-only: no update or delete API, and the database refuses both', async () => {
        const exported = Object.keys(auditModule).join(' ');
        assert.doesNotMatch(exported, /update|delete|remove|purge|edit/i);
        const auditMethods = Object.getOwnPropertyNames(AccessControl.prototype).filter((m) => /audit/i.test(m));
        assert.ok(auditMethods.includes('listAudit') && auditMethods.includes('exportAudit'));
        assert.deepEqual(auditMethods.filter((m) => /update|delete|remove|purge|edit/i.test(m)), []);
        const before = await t.db.kysely.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        await assert.rejects(t.db.kysely.updateTable('audit_events').set({ actor: 'someone-else' }).execute(), /append-only/);
        await assert.rejects(t.db.kysely.deleteFrom('audit_events').execute(), /append-only/);
        const afterCount = await t.db.kysely.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
        assert.equal(BigInt(afterCount.n), BigInt(before.n));
      });
    });
  });
}
