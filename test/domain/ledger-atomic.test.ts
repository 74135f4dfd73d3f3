// Atomic command groups in the pure ledger: a group either has exactly the effects its commands would have one by
// one, or — when any of them is refused — leaves state and effects exactly as they were, refusing the first
// command that fails and marking the others GROUP_REFUSED.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  applyAtomically,
  applyCommand,
  emptyEffects,
  holdingKey,
  type LedgerCommand,
  type LedgerEffects,
  type LedgerState,
} from '../../src/domain/registry/ledger.js';
import type { Account } from '../../src/domain/registry/model.js';

const ACCOUNTS = ['A', 'B', 'C'];
const UNIT = 'U';

function freshState(): LedgerState {
  const accounts = new Map<string, Account>(
    ACCOUNTS.map((id) => [id, { id, jurisdictionId: 'J', number: `J-300-${id}`, type: 'general_holding', status: 'open' }]),
  );
  return {
    jurisdictionId: 'J',
    serialNext: 1n,
    journalSeq: 0n,
    journalHead: '0'.repeat(64),
    terminalAccounts: { surrender: 'S', retirement: 'R', cancellation: 'X' },
    accounts,
    unitTypes: new Map([[UNIT, { id: UNIT, jurisdictionId: 'J', code: 'U', issuedT: 0n }]]),
    holdings: new Map([...ACCOUNTS, 'R'].map((a) => [holdingKey(a, UNIT), []])),
    txById: new Map(),
    txByKey: new Map(),
    movesByTx: new Map(),
    reversalOf: new Map(),
  };
}

/** A deep copy of everything a command can change, for comparing before and after. */
function copy(state: LedgerState, effects: LedgerEffects) {
  return {
    serialNext: state.serialNext,
    journalSeq: state.journalSeq,
    journalHead: state.journalHead,
    unitTypes: [...state.unitTypes],
    holdings: [...state.holdings].map(([k, v]) => [k, [...v]]),
    txById: [...state.txById],
    txByKey: [...state.txByKey],
    movesByTx: [...state.movesByTx],
    reversalOf: [...state.reversalOf],
    effects: { txs: [...effects.txs], journal: [...effects.journal], holdings: [...effects.touchedHoldings], unitTypes: [...effects.touchedUnitTypes] },
  };
}

let keyCounter = 0;
const commandArb: fc.Arbitrary<LedgerCommand> = fc.oneof(
  fc.record({ to: fc.constantFrom(...ACCOUNTS), q: fc.bigInt({ min: 1n, max: 30n }) }).map(
    ({ to, q }): LedgerCommand => ({ kind: 'submit', request: { type: 'issuance', toAccountId: to, unitTypeId: UNIT, quantityT: q }, idempotencyKey: `k${keyCounter++}`, actor: 'a', execute: true }),
  ),
  fc.record({ from: fc.constantFrom(...ACCOUNTS), to: fc.constantFrom(...ACCOUNTS), q: fc.bigInt({ min: 1n, max: 40n }) }).map(
    ({ from, to, q }): LedgerCommand => ({ kind: 'submit', request: { type: 'transfer', fromAccountId: from, toAccountId: to, unitTypeId: UNIT, quantityT: q }, idempotencyKey: `k${keyCounter++}`, actor: 'a', execute: true }),
  ),
  fc.record({ from: fc.constantFrom(...ACCOUNTS), q: fc.bigInt({ min: 1n, max: 40n }) }).map(
    ({ from, q }): LedgerCommand => ({ kind: 'submit', request: { type: 'retirement', fromAccountId: from, unitTypeId: UNIT, quantityT: q }, idempotencyKey: `k${keyCounter++}`, actor: 'a', execute: true }),
  ),
);

describe('atomic command groups (pure ledger)', () => {
  it('apply a group like its commands one by one, or not at all', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 8 }), fc.array(commandArb, { minLength: 1, maxLength: 6 }), (prefix, group) => {
        // Two identical ledgers: the prefix runs on both; then the group atomically on one, one by one on the other.
        let ids = 0;
        const env = { now: new Date('2026-01-01T00:00:00Z'), newId: () => `id${ids++}` };
        const atomic = freshState();
        const atomicEffects = emptyEffects();
        for (const c of prefix) applyCommand(atomic, atomicEffects, c, env);
        ids = 0;
        const single = freshState();
        const singleEffects = emptyEffects();
        for (const c of prefix) applyCommand(single, singleEffects, c, env);

        const idsAfterPrefix = ids;
        const before = copy(atomic, atomicEffects);
        const results = applyAtomically(atomic, atomicEffects, group, env);
        ids = idsAfterPrefix;
        const oneByOne = group.map((c) => applyCommand(single, singleEffects, c, env));
        const firstRefused = oneByOne.findIndex((r) => !r.ok);
        if (firstRefused < 0) {
          assert.deepEqual(results, oneByOne);
          assert.deepEqual(copy(atomic, atomicEffects), copy(single, singleEffects));
        } else {
          assert.deepEqual(copy(atomic, atomicEffects), before, 'a refused group leaves state and effects untouched');
          results.forEach((r, i) => {
            assert.ok(!r.ok);
            assert.equal(r.refusal.code, i === firstRefused ? (oneByOne[firstRefused] as { refusal: { code: string } }).refusal.code : 'GROUP_REFUSED');
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
