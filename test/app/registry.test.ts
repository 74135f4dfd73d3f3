import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { txOrThrow } from '../../src/app/registry.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { ledgerFixture, type LedgerFixture } from '../support/ledger-fixture.js';

for (const engine of testEngines()) {
  describe(`registry ledger on ${engine.name}`, () => {
    let t: TestDatabase;
    let f: LedgerFixture;
    before(async () => {
      t = await engine.create();
      f = await ledgerFixture(t.db);
    });
    after(async () => t.drop());

    const blocksOf = async (accountId: string, unitTypeId: string) =>
      (await t.db.kysely.selectFrom('unit_blocks').select(['serial_start', 'serial_end']).where('account_id', '=', accountId).where('unit_type_id', '=', unitTypeId).orderBy('serial_start').execute())
        .map((b) => [b.serial_start, b.serial_end]);

    it('issues serial-numbered units from the jurisdiction counter', async () => {
      const [fac] = f.facilities;
      const tx = txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'issuance', toAccountId: fac!, unitTypeId: f.unitTypes[0]!, quantityT: 100n }, { idempotencyKey: 'iss-1', actor: 'officer-a', execute: true }));
      assert.equal(tx.status, 'completed');
      assert.equal(tx.journalSeq, 1n);
      assert.deepEqual(await blocksOf(fac!, f.unitTypes[0]!), [[1n, 100n]]);
      txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'issuance', toAccountId: fac!, unitTypeId: f.unitTypes[1]!, quantityT: 5n }, { idempotencyKey: 'iss-2', actor: 'officer-a', execute: true }));
      assert.deepEqual(await blocksOf(fac!, f.unitTypes[1]!), [[101n, 105n]]);
    });

    it('moves the oldest serials first, splits one block, and merges adjacent arrivals', async () => {
      const [fac1, fac2] = f.facilities;
      const u = f.unitTypes[0]!;
      txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: fac1!, toAccountId: fac2!, unitTypeId: u, quantityT: 30n }, { idempotencyKey: 'tr-1', actor: 'rep', execute: true }));
      txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: fac1!, toAccountId: fac2!, unitTypeId: u, quantityT: 20n }, { idempotencyKey: 'tr-2', actor: 'rep', execute: true }));
      assert.deepEqual(await blocksOf(fac1!, u), [[51n, 100n]]);
      assert.deepEqual(await blocksOf(fac2!, u), [[1n, 50n]]);
    });

    it('returns the same transaction for a repeated idempotency key and refuses a different body', async () => {
      const [fac1, fac2] = f.facilities;
      const req = { type: 'transfer' as const, fromAccountId: fac1!, toAccountId: fac2!, unitTypeId: f.unitTypes[0]!, quantityT: 1n };
      const first = txOrThrow(await f.registry.submit(f.jurisdictionId, req, { idempotencyKey: 'same', actor: 'rep', execute: true }));
      const again = await f.registry.submit(f.jurisdictionId, req, { idempotencyKey: 'same', actor: 'rep', execute: true });
      assert.ok(again.ok && again.replayed);
      assert.equal(again.tx.id, first.id);
      const other = await f.registry.submit(f.jurisdictionId, { ...req, quantityT: 2n }, { idempotencyKey: 'same', actor: 'rep', execute: true });
      assert.ok(!other.ok);
      assert.equal(other.refusal.code, 'IDEMPOTENCY_CONFLICT');
      assert.equal(other.refusal.field, 'idempotencyKey');
    });

    it('refuses a transfer larger than the holding and changes nothing', async () => {
      const [fac1, fac2] = f.facilities;
      const before = await blocksOf(fac1!, f.unitTypes[0]!);
      const r = await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: fac1!, toAccountId: fac2!, unitTypeId: f.unitTypes[0]!, quantityT: 10_000n }, { idempotencyKey: 'too-much', actor: 'rep', execute: true });
      assert.ok(!r.ok);
      assert.equal(r.refusal.code, 'INSUFFICIENT_UNITS');
      assert.deepEqual(await blocksOf(fac1!, f.unitTypes[0]!), before);
      const stored = await t.db.kysely.selectFrom('transactions').select('id').where('idempotency_key', '=', 'too-much').execute();
      assert.equal(stored.length, 0);
    });

    it('runs proposed → approved → completed with four eyes, and re-checks holdings at completion', async () => {
      const [fac1, , fac3] = f.facilities;
      const u = f.unitTypes[0]!;
      const proposed = txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'surrender', fromAccountId: fac1!, unitTypeId: u, quantityT: 10n }, { idempotencyKey: 'sur-1', actor: 'alice' }));
      assert.equal(proposed.status, 'proposed');
      const own = await f.registry.approve(f.jurisdictionId, proposed.id, 'alice');
      assert.ok(!own.ok);
      assert.equal(own.refusal.code, 'FOUR_EYES');
      assert.equal(txOrThrow(await f.registry.approve(f.jurisdictionId, proposed.id, 'bob')).status, 'approved');
      // Meanwhile the facility gives away all but 5 units: completion must now refuse.
      const heldT = (await blocksOf(fac1!, u)).reduce((s, [a, b]) => s + b! - a! + 1n, 0n);
      txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: fac1!, toAccountId: fac3!, unitTypeId: u, quantityT: heldT - 5n }, { idempotencyKey: 'drain', actor: 'rep', execute: true }));
      const late = await f.registry.complete(f.jurisdictionId, proposed.id);
      assert.ok(!late.ok);
      assert.equal(late.refusal.code, 'INSUFFICIENT_UNITS');
      txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: fac3!, toAccountId: fac1!, unitTypeId: u, quantityT: 5n }, { idempotencyKey: 'refill', actor: 'rep', execute: true }));
      const done = txOrThrow(await f.registry.complete(f.jurisdictionId, proposed.id));
      assert.equal(done.status, 'completed');
      assert.equal(done.approvedBy, 'bob');
    });

    it('reverses a completed transaction by returning its exact serials, once', async () => {
      const [fac1, fac2] = f.facilities;
      const u = f.unitTypes[1]!;
      const tr = txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: fac1!, toAccountId: fac2!, unitTypeId: u, quantityT: 3n }, { idempotencyKey: 'to-reverse', actor: 'rep', execute: true }));
      assert.deepEqual(await blocksOf(fac2!, u), [[101n, 103n]]);
      const rev = txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'reversal', reversesTxId: tr.id }, { idempotencyKey: 'rev-1', actor: 'authority', execute: true }));
      assert.equal(rev.fromAccountId, fac2);
      assert.equal(rev.toAccountId, fac1);
      assert.deepEqual(await blocksOf(fac1!, u), [[101n, 105n]]);
      const twice = await f.registry.submit(f.jurisdictionId, { type: 'reversal', reversesTxId: tr.id }, { idempotencyKey: 'rev-2', actor: 'authority', execute: true });
      assert.ok(!twice.ok);
      assert.equal(twice.refusal.code, 'ALREADY_REVERSED');
    });

    it('lets an original be reversed again once its pending reversal is cancelled, within one batch', async () => {
      const [fac1, fac2] = f.facilities;
      const u = f.unitTypes[1]!;
      const tr = txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'transfer', fromAccountId: fac1!, toAccountId: fac2!, unitTypeId: u, quantityT: 1n }, { idempotencyKey: 'rev-target', actor: 'rep', execute: true }));
      const pending = txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'reversal', reversesTxId: tr.id }, { idempotencyKey: 'rev-pending', actor: 'authority' }));
      // Queued in the same tick, these three share one database transaction.
      const [blocked, cancelled, again] = await Promise.all([
        f.registry.submit(f.jurisdictionId, { type: 'reversal', reversesTxId: tr.id }, { idempotencyKey: 'rev-blocked', actor: 'authority', execute: true }),
        f.registry.cancel(f.jurisdictionId, pending.id, 'authority'),
        f.registry.submit(f.jurisdictionId, { type: 'reversal', reversesTxId: tr.id }, { idempotencyKey: 'rev-again', actor: 'authority', execute: true }),
      ]);
      assert.ok(!blocked.ok);
      assert.equal(blocked.refusal.code, 'ALREADY_REVERSED');
      assert.equal(txOrThrow(cancelled).status, 'cancelled');
      assert.equal(txOrThrow(again).status, 'completed');
    });

    it('runs an atomic group whole, or not at all when one of its commands is refused', async () => {
      const [fac1, fac2, fac3] = f.facilities;
      const u = f.unitTypes[0]!;
      // fac3 holds what fac1 gave it in the lifecycle test above.
      const transfer = (key: string, to: string, quantityT: bigint) =>
        ({ kind: 'submit', request: { type: 'transfer', fromAccountId: fac3!, toAccountId: to, unitTypeId: u, quantityT }, idempotencyKey: key, actor: 'rep', execute: true }) as const;
      const before = await blocksOf(fac3!, u);
      const refused = await f.registry.runAtomically(f.jurisdictionId, [transfer('g1-a', fac2!, 1n), transfer('g1-b', fac1!, 1_000_000n)]);
      assert.deepEqual(refused.map((r) => (r.ok ? 'ok' : r.refusal.code)), ['GROUP_REFUSED', 'INSUFFICIENT_UNITS']);
      assert.deepEqual(await blocksOf(fac3!, u), before);
      assert.equal((await t.db.kysely.selectFrom('transactions').select('id').where('idempotency_key', 'in', ['g1-a', 'g1-b']).execute()).length, 0);

      const done = await f.registry.runAtomically(f.jurisdictionId, [transfer('g2-a', fac2!, 1n), transfer('g2-b', fac1!, 1n)]);
      assert.deepEqual(done.map((r) => r.ok && r.tx.status), ['completed', 'completed']);
      const seqs = done.map((r) => (r.ok ? r.tx.journalSeq : null));
      assert.equal(seqs[1], seqs[0]! + 1n);
    });

    it('verifies: the chain and the replayed balances agree with storage', async () => {
      const report = await verifyLedger(t.db);
      assert.deepEqual(report.jurisdictions.flatMap((j) => j.problems), []);
      assert.equal(report.ok, true);
      assert.ok(report.jurisdictions[0]!.entries >= 9n);
    });
  });
}
