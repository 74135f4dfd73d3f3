import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { RefusedError } from '../../src/domain/errors.js';
import { accessSettings, EU_DEFAULT_ACCESS_SETTINGS } from '../../src/domain/access/settings.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { DAY_MS, HOUR_MS, accessFixture, type AccessFixture } from '../support/access-fixture.js';

async function refusedWith(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof RefusedError, String(e));
    assert.equal(e.refusal.code, code, e.message);
    if (field !== undefined) assert.equal(e.refusal.field, field);
    return true;
  });
}

let keys = 0;
const key = (): string => `k-${++keys}`;

for (const engine of testEngines()) {
  describe(`registry policy on ${engine.name}`, () => {
    let t: TestDatabase;
    let f: AccessFixture;
    before(async () => {
      t = await engine.create();
      f = await accessFixture(t.db);
    });
    after(async () => t.drop());

    const heldT = async (accountId: string): Promise<bigint> => {
      const row = await t.db.kysely.selectFrom('balances').select('quantity_t').where('account_id', '=', accountId).where('unit_type_id', '=', f.unitTypes[0]!).executeTakeFirst();
      return row === undefined ? 0n : row.quantity_t;
    };
    const statusOf = async (txId: string): Promise<string> =>
      (await t.db.kysely.selectFrom('transactions').select('status').where('id', '=', txId).executeTakeFirstOrThrow()).status;
    const transfer = (from: string, to: string, quantityT: bigint) => ({
      jurisdictionId: f.jurisdictionId,
      fromAccountId: from,
      toAccountId: to,
      unitTypeId: f.unitTypes[0]!,
      quantityT,
      idempotencyKey: key(),
    });

    describe('four eyes', () => {
      it('four-eyes: own approval refused with FOUR_EYES', async () => {
        const { carol, bob } = f.people;
        const [fac1, fac2] = f.facilities;
        const p = await f.policy.proposeTransfer(carol, transfer(fac1!, fac2!, 5n));
        assert.equal(p.tx.status, 'proposed');
        await refusedWith(f.policy.approveTransaction(carol, f.jurisdictionId, p.tx.id), 'FOUR_EYES', 'actor');
        assert.equal(await statusOf(p.tx.id), 'proposed');
        await f.policy.cancelTransaction(bob, f.jurisdictionId, p.tx.id);
        assert.equal(await statusOf(p.tx.id), 'cancelled');
      });

      it('four-eyes: approver without approve rights refused', async () => {
        const { alice, carol, dave, mallory } = f.people;
        const [fac1, fac2] = f.facilities;
        const p = await f.policy.proposeTransfer(carol, transfer(fac1!, fac2!, 5n));
        await refusedWith(f.policy.approveTransaction(alice, f.jurisdictionId, p.tx.id), 'APPROVE_RIGHT_REQUIRED', 'accountId');
        await refusedWith(f.policy.approveTransaction(dave, f.jurisdictionId, p.tx.id), 'ROLE_REQUIRED', 'accountId');
        await refusedWith(f.policy.approveTransaction(mallory, f.jurisdictionId, p.tx.id), 'ROLE_REQUIRED');
        assert.equal(await statusOf(p.tx.id), 'proposed');
        await f.policy.rejectTransaction(carol, f.jurisdictionId, p.tx.id, 'test over');
      });

      it('a representative without the right to initiate cannot propose', async () => {
        const { bob } = f.people;
        const [fac1, fac2] = f.facilities;
        await refusedWith(f.policy.proposeTransfer(bob, transfer(fac1!, fac2!, 5n)), 'INITIATE_RIGHT_REQUIRED', 'accountId');
      });

      it('authority issuance: proposed by an administrator, approved by someone else with an authority role', async () => {
        const { admin, officer, otherOfficer } = f.people;
        const [, fac2] = f.facilities;
        const p = await f.policy.proposeTransaction(admin, f.jurisdictionId, { type: 'issuance', toAccountId: fac2!, unitTypeId: f.unitTypes[0]!, quantityT: 100n }, key());
        assert.equal(p.tx.status, 'proposed');
        await refusedWith(f.policy.approveTransaction(admin, f.jurisdictionId, p.tx.id), 'FOUR_EYES');
        await refusedWith(f.policy.approveTransaction(otherOfficer, f.jurisdictionId, p.tx.id), 'ROLE_REQUIRED', 'jurisdictionId');
        await refusedWith(f.policy.proposeTransaction(officer, f.jurisdictionId, { type: 'issuance', toAccountId: fac2!, unitTypeId: f.unitTypes[0]!, quantityT: 1n }, key()), 'ROLE_REQUIRED');
        const before = await heldT(fac2!);
        const done = await f.policy.approveTransaction(officer, f.jurisdictionId, p.tx.id);
        assert.equal(done.tx.status, 'completed');
        assert.equal(done.hold?.delayRule, null);
        assert.equal(await heldT(fac2!), before + 100n);
      });
    });

    describe('trusted accounts and the transfer delay', () => {
      it('transfer to an untrusted account is held and completes only after the delay via completeDue', async () => {
        const { alice, bob } = f.people;
        const [fac1] = f.facilities;
        const [trader1] = f.traders;
        const fromBefore = await heldT(fac1!);
        const toBefore = await heldT(trader1!);
        const p = await f.policy.proposeTransfer(alice, transfer(fac1!, trader1!, 40n));
        const proposedAt = f.now().getTime();
        f.advance(HOUR_MS);
        const a = await f.policy.approveTransaction(bob, f.jurisdictionId, p.tx.id);
        assert.equal(a.tx.status, 'approved');
        assert.equal(a.hold?.delayRule, 'UNTRUSTED_DESTINATION_DELAY');
        assert.equal(Date.parse(a.hold.executeAfter), proposedAt + 26 * HOUR_MS, 'the delay counts from the proposal');
        assert.equal(await heldT(trader1!), toBefore);

        const early = await f.policy.completeDue(new Date(proposedAt + 26 * HOUR_MS - 1));
        assert.ok(!early.completed.includes(p.tx.id));
        assert.equal(await statusOf(p.tx.id), 'approved');
        f.advance(25 * HOUR_MS);
        const due = await f.policy.completeDue(f.now());
        assert.deepEqual(due.completed, [p.tx.id]);
        assert.equal(await statusOf(p.tx.id), 'completed');
        assert.equal(await heldT(fac1!), fromBefore - 40n);
        assert.equal(await heldT(trader1!), toBefore + 40n);
        // Once done, a later run has nothing to do for it.
        assert.deepEqual((await f.policy.completeDue(f.now())).completed, []);

        const trail = await f.access.listAudit(f.people.admin, { jurisdictionId: f.jurisdictionId, objectType: 'transaction', objectId: p.tx.id });
        assert.deepEqual(trail.events.map((e) => [e.action, e.actor]).reverse(), [
          ['transaction.propose', 'alice'],
          ['transaction.approve', 'bob'],
          ['transaction.complete', 'system:complete-due'],
        ]);
        const approve = trail.events.find((e) => e.action === 'transaction.approve')!;
        assert.equal(approve.address, bob.address);
        assert.equal((approve.after as { executeAfter: string }).executeAfter, a.hold.executeAfter);
      });

      it('a just-added trusted account is not trusted until active_from; then transfers complete at approval', async () => {
        const { alice, bob } = f.people;
        const [fac1] = f.facilities;
        const [, trader2] = f.traders;
        const entry = await f.access.addTrustedAccount(alice, { accountId: fac1!, trustedAccountId: trader2! });
        const early = await f.policy.proposeTransfer(alice, transfer(fac1!, trader2!, 3n));
        const heldOne = await f.policy.approveTransaction(bob, f.jurisdictionId, early.tx.id);
        assert.equal(heldOne.tx.status, 'approved');
        assert.equal(heldOne.hold?.delayRule, 'UNTRUSTED_DESTINATION_DELAY');

        f.advance(Date.parse(entry.activeFrom) - f.now().getTime());
        const toBefore = await heldT(trader2!);
        const p = await f.policy.proposeTransfer(alice, transfer(fac1!, trader2!, 7n));
        const done = await f.policy.approveTransaction(bob, f.jurisdictionId, p.tx.id);
        assert.equal(done.tx.status, 'completed');
        assert.equal(done.hold?.delayRule, null);
        // The earlier one was proposed more than 26 hours ago: it is due now too.
        const due = await f.policy.completeDue(f.now());
        assert.deepEqual(due.completed, [early.tx.id]);
        assert.equal(await heldT(trader2!), toBefore + 10n);
      });

      it('a held transfer can be cancelled before it completes; its hold then closes', async () => {
        const { alice, bob, carol } = f.people;
        const [fac1, , fac3] = f.facilities;
        const p = await f.policy.proposeTransfer(alice, transfer(fac1!, fac3!, 9n));
        const a = await f.policy.approveTransaction(bob, f.jurisdictionId, p.tx.id);
        assert.equal(a.tx.status, 'approved');
        await f.policy.cancelTransaction(carol, f.jurisdictionId, p.tx.id);
        f.advance(27 * HOUR_MS);
        const due = await f.policy.completeDue(f.now());
        assert.ok(!due.completed.includes(p.tx.id));
        assert.equal(await statusOf(p.tx.id), 'cancelled');
        const hold = await t.db.kysely.selectFrom('transaction_holds').selectAll().where('tx_id', '=', p.tx.id).executeTakeFirstOrThrow();
        assert.equal(hold.outcome, 'void');
      });

      it('a held transfer whose units are gone by the time it is due is rejected, naming the rule', async () => {
        const { dave, erin } = f.people;
        const [trader1, trader2] = f.traders;
        const [fac1] = f.facilities;
        const all = await heldT(trader1!);
        const p = await f.policy.proposeTransfer(dave, transfer(trader1!, fac1!, all));
        await f.policy.approveTransaction(erin, f.jurisdictionId, p.tx.id);
        // Meanwhile the units go elsewhere (set-up path, outside the policy).
        const drain = await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: trader1!, toAccountId: trader2!, unitTypeId: f.unitTypes[0]!, quantityT: 1n }, { idempotencyKey: key(), actor: 'system:setup', execute: true });
        assert.ok(drain.ok);
        f.advance(27 * HOUR_MS);
        const due = await f.policy.completeDue(f.now());
        assert.deepEqual(due.rejected, [{ txId: p.tx.id, code: 'INSUFFICIENT_UNITS' }]);
        assert.equal(await statusOf(p.tx.id), 'rejected');
      });
    });

    describe('limits', () => {
      it('per-transaction limit refused', async () => {
        const { alice, dave } = f.people;
        const [fac1, fac2] = f.facilities;
        const [trader1] = f.traders;
        f.setSettings(accessSettings({ accountTransactionLimitsT: { [fac1!]: 50n }, transactionLimitT: 2_000n }));
        try {
          const p = transfer(fac1!, fac2!, 51n);
          await refusedWith(f.policy.proposeTransfer(alice, p), 'TRANSACTION_LIMIT_EXCEEDED', 'quantityT');
          const stored = await t.db.kysely.selectFrom('transactions').select('id').where('idempotency_key', '=', p.idempotencyKey).execute();
          assert.equal(stored.length, 0);
          assert.equal((await f.policy.proposeTransfer(alice, transfer(fac1!, fac2!, 50n))).tx.status, 'proposed');
          // The jurisdiction's limit binds other accounts.
          await refusedWith(f.policy.proposeTransfer(dave, transfer(trader1!, fac2!, 2_001n)), 'TRANSACTION_LIMIT_EXCEEDED', 'quantityT');
          // Surrenders are not limited.
          const s = await f.policy.proposeTransaction(alice, f.jurisdictionId, { type: 'surrender', fromAccountId: fac1!, unitTypeId: f.unitTypes[0]!, quantityT: 60n }, key());
          assert.equal(s.tx.status, 'proposed');
        } finally {
          f.setSettings(EU_DEFAULT_ACCESS_SETTINGS);
        }
      });

      it('trusted-only accounts transfer only to their trusted list', async () => {
        const { alice } = f.people;
        const [fac1, fac2] = f.facilities;
        f.setSettings(accessSettings({ trustedOnlyAccountTypes: ['facility_compliance'] }));
        try {
          await refusedWith(f.policy.proposeTransfer(alice, transfer(fac1!, fac2!, 1n)), 'TRUSTED_ACCOUNTS_ONLY', 'toAccountId');
        } finally {
          f.setSettings(EU_DEFAULT_ACCESS_SETTINGS);
        }
      });
    });

    describe('audit events commit with the change', () => {
      const eventsOf = async (txId: string): Promise<string[]> =>
        (await t.db.kysely.selectFrom('audit_events').select('action').where('object_id', '=', txId).orderBy('id').execute()).map((r) => r.action);
      /** Makes the database refuse audit events of one action, as a failing disk or a constraint would. */
      const refuseAudit = async (action: string): Promise<() => Promise<void>> => {
        if (t.db.engine === 'sqlite') {
          await sql.raw(`create trigger planted_refusal before insert on audit_events when new.action = '${action}' begin select raise(abort, 'planted refusal'); end`).execute(t.db.kysely);
          return async () => { await sql`drop trigger planted_refusal`.execute(t.db.kysely); };
        }
        await sql.raw(`create function planted_refusal() returns trigger language plpgsql as $$ begin if new.action = '${action}' then raise exception 'planted refusal'; end if; return new; end $$`).execute(t.db.kysely);
        await sql`create trigger planted_refusal before insert on audit_events for each row execute function planted_refusal()`.execute(t.db.kysely);
        return async () => {
          await sql`drop trigger planted_refusal on audit_events`.execute(t.db.kysely);
          await sql`drop function planted_refusal()`.execute(t.db.kysely);
        };
      };

      it('a transfer to a trusted account: proposal, approval and completion each leave one event; the hold closes with the completion', async () => {
        // fac1 trusts trader2 (activated in the trusted-accounts tests above).
        const { alice, bob } = f.people;
        const [fac1] = f.facilities;
        const [, trader2] = f.traders;
        const p = await f.policy.proposeTransfer(alice, transfer(fac1!, trader2!, 1n));
        const a = await f.policy.approveTransaction(bob, f.jurisdictionId, p.tx.id);
        assert.equal(a.tx.status, 'completed');
        assert.deepEqual(await eventsOf(p.tx.id), ['transaction.propose', 'transaction.approve', 'transaction.complete']);
        const hold = await t.db.kysely.selectFrom('transaction_holds').selectAll().where('tx_id', '=', p.tx.id).executeTakeFirstOrThrow();
        assert.equal(hold.outcome, 'completed');
        assert.notEqual(hold.closed_at, null);
      });

      it('when the audit event cannot be written, the proposal is not made either', async () => {
        const { alice } = f.people;
        const [fac1] = f.facilities;
        const [, trader2] = f.traders;
        const request = transfer(fac1!, trader2!, 1n);
        const restore = await refuseAudit('transaction.propose');
        try {
          await assert.rejects(f.policy.proposeTransfer(alice, request), /planted refusal/);
        } finally {
          await restore();
        }
        const stored = await t.db.kysely.selectFrom('transactions').select('id').where('idempotency_key', '=', request.idempotencyKey).execute();
        assert.deepEqual(stored, []);
      });

      it('when the approval event cannot be written, the transaction stays proposed, without a hold, and the units stay', async () => {
        const { alice, bob } = f.people;
        const [fac1] = f.facilities;
        const [, trader2] = f.traders;
        const p = await f.policy.proposeTransfer(alice, transfer(fac1!, trader2!, 1n));
        const before = await heldT(fac1!);
        const restore = await refuseAudit('transaction.approve');
        try {
          await assert.rejects(f.policy.approveTransaction(bob, f.jurisdictionId, p.tx.id), /planted refusal/);
        } finally {
          await restore();
        }
        assert.equal(await statusOf(p.tx.id), 'proposed');
        assert.equal(await heldT(fac1!), before);
        assert.equal(await t.db.kysely.selectFrom('transaction_holds').select('tx_id').where('tx_id', '=', p.tx.id).executeTakeFirst(), undefined);
        assert.deepEqual(await eventsOf(p.tx.id), ['transaction.propose']);
        const a = await f.policy.approveTransaction(bob, f.jurisdictionId, p.tx.id);
        assert.equal(a.tx.status, 'completed');
      });
    });

    describe('properties', () => {
      it('property: completeDue never completes a transaction before its execute_after', async () => {
        const { dave, erin } = f.people;
        const [trader1] = f.traders;
        const [fac1, , fac3] = f.facilities;
        // trader1 trusts fac1 (activated); fac3 stays untrusted.
        await f.access.addTrustedAccount(dave, { accountId: trader1!, trustedAccountId: fac1! });
        f.advance(7 * DAY_MS);
        await f.policy.completeDue(f.now());
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 0, max: 40 * HOUR_MS }), { minLength: 1, maxLength: 4 }),
            fc.boolean(),
            async (steps, toTrusted) => {
              const to = toTrusted ? fac1! : fac3!;
              const p = await f.policy.proposeTransfer(dave, transfer(trader1!, to, 1n));
              const a = await f.policy.approveTransaction(erin, f.jurisdictionId, p.tx.id);
              assert.equal(a.tx.status, toTrusted ? 'completed' : 'approved');
              for (const step of steps) {
                const now = f.advance(step);
                const report = await f.policy.completeDue(now);
                for (const id of report.completed) {
                  const hold = await t.db.kysely.selectFrom('transaction_holds').select('execute_after').where('tx_id', '=', id).executeTakeFirstOrThrow();
                  assert.ok(Date.parse(hold.execute_after) <= now.getTime(), `${id} completed at ${now.toISOString()}, due ${hold.execute_after}`);
                }
              }
              const status = await statusOf(p.tx.id);
              const due = Date.parse(a.hold!.executeAfter);
              if (status === 'completed') assert.ok(f.now().getTime() >= due);
              else assert.ok(f.now().getTime() < due || status === 'rejected');
            },
          ),
          { numRuns: 12 },
        );
        f.advance(2 * DAY_MS);
        await f.policy.completeDue(f.now());
      });
    });
  });
}
