// Several writers on one SQLite file in one process: the write lock is awaited without blocking the event
// loop, so a writer waiting for the lock never stops the holder from committing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { Registry, txOrThrow } from '../../src/app/registry.js';
import { openDatabase } from '../../src/store/db.js';
import { testEngines } from '../support/engines.js';
import { ledgerFixture } from '../support/ledger-fixture.js';

describe('several SQLite writers in one process', () => {
  // Before the write lock was awaited asynchronously, this deadlocked until SQLite answered "database is locked".
  it('all commit and the ledger verifies', async () => {
    const t = await testEngines().find((e) => e.name === 'sqlite')!.create();
    const others = [0, 1, 2, 3].map(() => openDatabase(t.url));
    try {
      const f = await ledgerFixture(t.db);
      const [a, b] = f.facilities as [string, string];
      const u = f.unitTypes[0]!;
      txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'issuance', toAccountId: a, unitTypeId: u, quantityT: 10_000n }, { idempotencyKey: 'fund', actor: 'officer', execute: true }));
      const results = await Promise.all(
        others.flatMap((db, i) => {
          const registry = new Registry(db);
          return Array.from({ length: 100 }, (_, n) =>
            registry.submit(
              f.jurisdictionId,
              { type: 'transfer', fromAccountId: n % 2 === 0 ? a : b, toAccountId: n % 2 === 0 ? b : a, unitTypeId: u, quantityT: 1n },
              { idempotencyKey: `w${i}-${n}`, actor: 'rep', execute: true },
            ),
          );
        }),
      );
      assert.ok(results.every((r) => r.ok && r.tx.status === 'completed'));
      const report = await verifyLedger(t.db);
      assert.deepEqual(report.jurisdictions.flatMap((j) => j.problems), []);
      assert.equal(report.jurisdictions[0]!.entries, 401n);
    } finally {
      await Promise.all(others.map((db) => db.close()));
      await t.drop();
    }
  });
});
