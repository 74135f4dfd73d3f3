// Tampering: edit the stored ledger behind the registry's back, directly in SQL, and check that verifyLedger
// fails, says where (place, account number, unit type, entry) and gives the right first sequence number.
// Every case starts from its own freshly populated database, so no case sees another's edit.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { runLedgerDemo } from '../../src/app/demo-ledger.js';
import { verifyLedger, type Problem, type ProblemPlace, type VerifyReport } from '../../src/app/ledger-audit.js';
import { Registry, txOrThrow } from '../../src/app/registry.js';
import { canonicalJson, chainHash, type JournalBody } from '../../src/domain/registry/journal.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { ledgerFixture } from '../support/ledger-fixture.js';

interface Entry {
  readonly seq: bigint;
  readonly txId: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly raw: string;
  readonly body: JournalBody;
}

interface Ledger {
  readonly t: TestDatabase;
  readonly jurisdictionId: string;
  readonly entries: Entry[];
  /** The last entry's seq (the number of entries). */
  readonly last: bigint;
  /** The published head before any tampering. */
  readonly head: string;
  readonly accountNumber: Map<string, string>;
  readonly unitCode: Map<string, string>;
  readonly holdingTypes: Set<string>;
  /** The last seq (≤ upTo) whose entry moved units out of or into this account in this unit type; 0n if none. */
  lastSeq(accountId: string, unitTypeId: string, upTo?: bigint): bigint;
  /** "account DEMO-200-3, unit type ALLOWANCE-P1" — as verifyLedger labels a holding. */
  label(accountId: string, unitTypeId: string): string;
}

/** A transfer from the middle of the journal, so that entries before and after it exist. */
function middleTransfer(l: Ledger, skip = 0): Entry {
  const candidates = l.entries.filter((e) => e.body.tx.type === 'transfer' && e.seq >= l.last / 2n);
  const e = candidates[skip];
  assert.ok(e !== undefined, 'the demo ledger has transfers in its second half');
  return e;
}

function problemsOf(report: VerifyReport): Problem[] {
  return report.jurisdictions.flatMap((j) => j.problems);
}

/** Asserts the report fails with this firstSeq and contains a problem at `seq` in `place` whose message names every `mention`. */
function assertFails(report: VerifyReport, firstSeq: bigint, expected: { seq: bigint; place: ProblemPlace; mentions: string[] }[]): void {
  const problems = problemsOf(report);
  const shown = problems.map((p) => `seq ${p.seq.toString()} [${p.place}] ${p.message}`).join('\n');
  assert.equal(report.ok, false, 'verifyLedger must fail');
  assert.equal(report.firstSeq, firstSeq, `firstSeq; problems:\n${shown}`);
  const smallest = problems.reduce((a, p) => (p.seq < a ? p.seq : a), problems[0]!.seq);
  assert.equal(smallest, firstSeq, 'firstSeq is the smallest problem seq');
  for (const want of expected) {
    const found = problems.find((p) => p.place === want.place && p.seq === want.seq && want.mentions.every((m) => p.message.includes(m)));
    assert.ok(found, `expected a [${want.place}] problem at seq ${want.seq.toString()} naming ${want.mentions.join(' / ')}; got:\n${shown}`);
  }
}

for (const engine of testEngines()) {
  describe(`ledger tampering on ${engine.name}`, () => {
    const opened: TestDatabase[] = [];
    after(async () => {
      for (const t of opened) await t.drop();
    });

    async function populated(): Promise<Ledger> {
      const t = await engine.create();
      opened.push(t);
      const summary = await runLedgerDemo(new Registry(t.db), { accounts: 10, transfers: 300, seed: 3 });
      assert.ok(summary.completed > 100);
      const before = await verifyLedger(t.db);
      assert.deepEqual(problemsOf(before), []);
      assert.equal(before.ok, true);
      assert.equal(before.firstSeq, null);

      const k = t.db.kysely;
      const j = await k.selectFrom('jurisdictions').select(['id', 'journal_head', 'journal_seq']).executeTakeFirstOrThrow();
      const rows = await k.selectFrom('journal').select(['seq', 'tx_id', 'prev_hash', 'hash', 'body']).where('jurisdiction_id', '=', j.id).orderBy('seq').execute();
      const entries = rows.map((r): Entry => ({ seq: r.seq, txId: r.tx_id, prevHash: r.prev_hash, hash: r.hash, raw: r.body, body: JSON.parse(r.body) as JournalBody }));
      assert.equal(BigInt(entries.length), j.journal_seq);
      assert.equal(before.jurisdictions[0]!.head, j.journal_head);
      // The published head passes the expectHead check on the untouched ledger.
      assert.equal((await verifyLedger(t.db, { expectHead: j.journal_head })).ok, true);

      const accounts = await k.selectFrom('accounts').select(['id', 'number', 'type']).execute();
      const unitTypes = await k.selectFrom('unit_types').select(['id', 'code']).execute();
      const accountNumber = new Map(accounts.map((a) => [a.id, a.number]));
      const unitCode = new Map(unitTypes.map((u) => [u.id, u.code]));
      return {
        t,
        jurisdictionId: j.id,
        entries,
        last: j.journal_seq,
        head: j.journal_head,
        accountNumber,
        unitCode,
        holdingTypes: new Set(accounts.filter((a) => a.type === 'facility_compliance' || a.type === 'general_holding').map((a) => a.id)),
        lastSeq: (accountId, unitTypeId, upTo = j.journal_seq) => {
          let seq = 0n;
          for (const e of entries) {
            if (e.seq > upTo) break;
            if (e.body.tx.unit_type === unitTypeId && (e.body.tx.from === accountId || e.body.tx.to === accountId)) seq = e.seq;
          }
          return seq;
        },
        label: (accountId, unitTypeId) => `account ${accountNumber.get(accountId)!}, unit type ${unitCode.get(unitTypeId)!}`,
      };
    }

    /** A holding account's holding (with blocks) last touched well before the end, so firstSeq ≠ the last seq. */
    async function quietHolding(l: Ledger): Promise<{ accountId: string; unitTypeId: string; seq: bigint }> {
      const balances = await l.t.db.kysely.selectFrom('balances').select(['account_id', 'unit_type_id', 'quantity_t']).where('quantity_t', '>', 1n).execute();
      const candidates = balances
        .filter((b) => l.holdingTypes.has(b.account_id))
        .map((b) => ({ accountId: b.account_id, unitTypeId: b.unit_type_id, seq: l.lastSeq(b.account_id, b.unit_type_id) }))
        .filter((c) => c.seq > 0n && c.seq < l.last - 5n)
        .sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : a.accountId < b.accountId ? -1 : 1));
      const c = candidates[0];
      assert.ok(c !== undefined, 'some holding was last touched before the final entries');
      return c;
    }

    it('(a) an edited journal body fails at exactly that entry', async () => {
      const l = await populated();
      const e = middleTransfer(l);
      const forged = canonicalJson({ ...e.body, tx: { ...e.body.tx, quantity_t: (BigInt(e.body.tx.quantity_t) + 1n).toString() } });
      await l.t.db.kysely.updateTable('journal').set({ body: forged }).where('jurisdiction_id', '=', l.jurisdictionId).where('seq', '=', e.seq).execute();
      const report = await verifyLedger(l.t.db);
      const n = e.seq.toString();
      assertFails(report, e.seq, [
        { seq: e.seq, place: 'journal', mentions: [`entry ${n}: stored hash does not match`] },
        { seq: e.seq, place: 'journal', mentions: [`entry ${n}: moved serials do not add up`] },
        { seq: e.seq, place: 'transaction', mentions: [`entry ${n}:`, e.txId] },
      ]);
      // The chain goes on from the stored hash, so the unchanged next link is not blamed: one edit, one place.
      assert.ok(problemsOf(report).every((p) => p.seq === e.seq));
      // Nothing before the edited entry is blamed, and the state (replayed from the moves) still agrees.
      assert.ok(problemsOf(report).every((p) => p.place === 'journal' || p.place === 'transaction'));
    });

    it('(b) an edited journal hash fails at that entry', async () => {
      const l = await populated();
      const e = middleTransfer(l, 1);
      await l.t.db.kysely.updateTable('journal').set({ hash: 'f'.repeat(64) }).where('jurisdiction_id', '=', l.jurisdictionId).where('seq', '=', e.seq).execute();
      const report = await verifyLedger(l.t.db);
      assertFails(report, e.seq, [
        { seq: e.seq, place: 'journal', mentions: [`entry ${e.seq.toString()}: stored hash does not match its contents`] },
        // The next entry still names the original hash, so its link breaks too.
        { seq: e.seq + 1n, place: 'journal', mentions: [`entry ${(e.seq + 1n).toString()} does not link`] },
      ]);
      assert.deepEqual(problemsOf(report).map((p) => p.seq), [e.seq, e.seq + 1n]);
    });

    it('(b2) an edited prev_hash breaks the link at that entry', async () => {
      const l = await populated();
      const e = middleTransfer(l, 2);
      await l.t.db.kysely.updateTable('journal').set({ prev_hash: 'e'.repeat(64) }).where('jurisdiction_id', '=', l.jurisdictionId).where('seq', '=', e.seq).execute();
      const report = await verifyLedger(l.t.db);
      assertFails(report, e.seq, [
        { seq: e.seq, place: 'journal', mentions: [`entry ${e.seq.toString()} does not link`] },
        // The stored hash was computed over the original prev_hash, so it no longer matches either.
        { seq: e.seq, place: 'journal', mentions: [`entry ${e.seq.toString()}: stored hash does not match its contents`] },
      ]);
      assert.deepEqual(problemsOf(report).map((p) => p.seq), [e.seq, e.seq]);
    });

    it('(c) a deleted last journal entry fails: the head, the transaction and the holdings it moved disagree', async () => {
      const l = await populated();
      const gone = l.entries.at(-1)!;
      assert.equal(gone.seq, l.last);
      await l.t.db.kysely.deleteFrom('journal').where('jurisdiction_id', '=', l.jurisdictionId).where('seq', '=', gone.seq).execute();
      const report = await verifyLedger(l.t.db);
      const kept = l.last - 1n;
      const expected: { seq: bigint; place: ProblemPlace; mentions: string[] }[] = [
        { seq: kept, place: 'jurisdiction', mentions: [`head (entry ${l.last.toString()}) is not the last journal entry (${kept.toString()})`] },
        { seq: l.last, place: 'transaction', mentions: [`completed transaction ${gone.txId} has no journal entry`] },
      ];
      // The holdings the deleted entry moved now disagree with the shorter history, from the last entry that touched them.
      let firstSeq = kept;
      for (const account of [gone.body.tx.from, gone.body.tx.to]) {
        if (account === null) continue;
        const seq = l.lastSeq(account, gone.body.tx.unit_type, kept);
        expected.push({ seq, place: 'balance', mentions: [l.label(account, gone.body.tx.unit_type)] });
        expected.push({ seq, place: 'block', mentions: [l.label(account, gone.body.tx.unit_type)] });
        if (seq < firstSeq) firstSeq = seq;
      }
      assertFails(report, firstSeq, expected);
      assert.equal(report.jurisdictions[0]!.entries, kept);
    });

    it('(d) a shortened unit block fails at the last entry that touched that holding', async () => {
      const l = await populated();
      const h = await quietHolding(l);
      const block = await l.t.db.kysely
        .selectFrom('unit_blocks')
        .select(['serial_start', 'serial_end'])
        .where('account_id', '=', h.accountId)
        .where('unit_type_id', '=', h.unitTypeId)
        .whereRef('serial_end', '>', 'serial_start')
        .orderBy('serial_start')
        .executeTakeFirstOrThrow();
      await l.t.db.kysely
        .updateTable('unit_blocks')
        .set({ serial_end: sql<bigint>`serial_end - 1` })
        .where('account_id', '=', h.accountId)
        .where('unit_type_id', '=', h.unitTypeId)
        .where('serial_start', '=', block.serial_start)
        .execute();
      const report = await verifyLedger(l.t.db);
      assertFails(report, h.seq, [
        { seq: h.seq, place: 'block', mentions: [l.label(h.accountId, h.unitTypeId), 'stored blocks hold'] },
        { seq: l.last, place: 'unit_type', mentions: [`unit type ${l.unitCode.get(h.unitTypeId)!}:`, 'held, surrendered, retired or cancelled'] },
      ]);
      assert.ok(!problemsOf(report).some((p) => p.place === 'balance'), 'balances were not touched');
    });

    it('(d2) a block moved to another account fails for both accounts, from the earlier of their last entries', async () => {
      const l = await populated();
      const h = await quietHolding(l);
      // Another holding account with its own history in the same unit type.
      const other = [...l.holdingTypes].filter((a) => a !== h.accountId && l.lastSeq(a, h.unitTypeId) > 0n).sort()[0];
      assert.ok(other !== undefined);
      const otherSeq = l.lastSeq(other, h.unitTypeId);
      const block = await l.t.db.kysely
        .selectFrom('unit_blocks')
        .select(['serial_start'])
        .where('account_id', '=', h.accountId)
        .where('unit_type_id', '=', h.unitTypeId)
        .orderBy('serial_start')
        .executeTakeFirstOrThrow();
      await l.t.db.kysely
        .updateTable('unit_blocks')
        .set({ account_id: other })
        .where('account_id', '=', h.accountId)
        .where('unit_type_id', '=', h.unitTypeId)
        .where('serial_start', '=', block.serial_start)
        .execute();
      const report = await verifyLedger(l.t.db);
      assertFails(report, h.seq < otherSeq ? h.seq : otherSeq, [
        { seq: h.seq, place: 'block', mentions: [l.label(h.accountId, h.unitTypeId)] },
        { seq: otherSeq, place: 'block', mentions: [l.label(other, h.unitTypeId)] },
      ]);
      // The units moved but none vanished: the unit type's totals still add up.
      assert.ok(!problemsOf(report).some((p) => p.place === 'unit_type'));
    });

    it('(e) an edited balance fails at the last entry that touched that account and unit type', async () => {
      const l = await populated();
      const h = await quietHolding(l);
      await l.t.db.kysely
        .updateTable('balances')
        .set({ quantity_t: sql<bigint>`quantity_t + 1` })
        .where('account_id', '=', h.accountId)
        .where('unit_type_id', '=', h.unitTypeId)
        .execute();
      const report = await verifyLedger(l.t.db);
      assertFails(report, h.seq, [{ seq: h.seq, place: 'balance', mentions: [l.label(h.accountId, h.unitTypeId), 'stored balance'] }]);
      assert.equal(problemsOf(report).length, 1);
    });

    it("(f) an edited completed transaction's quantity fails at its journal entry", async () => {
      const l = await populated();
      const e = middleTransfer(l, 3);
      await l.t.db.kysely.updateTable('transactions').set({ quantity_t: sql<bigint>`quantity_t + 1` }).where('id', '=', e.txId).execute();
      const report = await verifyLedger(l.t.db);
      assertFails(report, e.seq, [{ seq: e.seq, place: 'transaction', mentions: [`entry ${e.seq.toString()}:`, `stored transaction ${e.txId} differs`] }]);
      assert.equal(problemsOf(report).length, 1);
    });

    it("(g) an edited unit type's issued total fails at the last entry, naming the unit type", async () => {
      const l = await populated();
      const unitTypeId = l.entries[0]!.body.tx.unit_type;
      const code = l.unitCode.get(unitTypeId)!;
      await l.t.db.kysely.updateTable('unit_types').set({ issued_t: sql<bigint>`issued_t + 7` }).where('id', '=', unitTypeId).execute();
      const report = await verifyLedger(l.t.db);
      assertFails(report, l.last, [
        { seq: l.last, place: 'unit_type', mentions: [`unit type ${code}: stored issued total`] },
        { seq: l.last, place: 'unit_type', mentions: [`unit type ${code}:`, 'held, surrendered, retired or cancelled'] },
      ]);
      assert.ok(problemsOf(report).every((p) => p.place === 'unit_type'));
    });

    it('(h) a consistently rewritten chain passes plain verify but fails against the published head', async () => {
      const l = await populated();
      const e = middleTransfer(l, 4);
      // A forgery that moves nothing differently: who proposed the transfer. State still agrees with history.
      let prev = e.prevHash;
      const k = l.t.db.kysely;
      for (const entry of l.entries.filter((x) => x.seq >= e.seq)) {
        const body = entry.seq === e.seq ? canonicalJson({ ...entry.body, tx: { ...entry.body.tx, proposed_by: 'mallory' } }) : entry.raw;
        const hash = chainHash(prev, body);
        await k.updateTable('journal').set({ body, prev_hash: prev, hash }).where('jurisdiction_id', '=', l.jurisdictionId).where('seq', '=', entry.seq).execute();
        prev = hash;
      }
      await k.updateTable('jurisdictions').set({ journal_head: prev }).where('id', '=', l.jurisdictionId).execute();
      assert.notEqual(prev, l.head);

      const plain = await verifyLedger(l.t.db);
      assert.deepEqual(problemsOf(plain), [], 'without a published head a consistent rewrite is invisible');
      assert.equal(plain.jurisdictions[0]!.head, prev);

      const report = await verifyLedger(l.t.db, { expectHead: l.head });
      assertFails(report, l.last, [{ seq: l.last, place: 'journal', mentions: [`chain's head ${prev} is not the expected ${l.head}`] }]);
      assert.equal(problemsOf(report).length, 1);
    });

    it(
      '(i) two edits: firstSeq is the smallest problem seq, and the report keeps the earliest problems',
      async () => {
        const t = await engine.create();
        opened.push(t);
        const f = await ledgerFixture(t.db);
        const [a, b, c] = f.facilities as [string, string, string];
        const u = f.unitTypes[0]!;
        const go = async (key: string, request: Parameters<Registry['submit']>[1]): Promise<void> => {
          txOrThrow(await f.registry.submit(f.jurisdictionId, request, { idempotencyKey: key, actor: 'officer', execute: true }));
        };
        await go('to-a', { type: 'issuance', toAccountId: a, unitTypeId: u, quantityT: 10n }); // seq 1: A's only entry
        await go('to-b', { type: 'issuance', toAccountId: b, unitTypeId: u, quantityT: 100n }); // seq 2
        for (let i = 0; i < 60; i++) {
          await go(`bc-${i}`, { type: 'transfer', fromAccountId: i % 2 === 0 ? b : c, toAccountId: i % 2 === 0 ? c : b, unitTypeId: u, quantityT: 1n });
        }
        const k = t.db.kysely;
        await k.updateTable('balances').set({ quantity_t: sql<bigint>`quantity_t + 1` }).where('account_id', '=', a).where('unit_type_id', '=', u).execute();
        assert.equal((await verifyLedger(t.db)).firstSeq, 1n);
        // A second, later edit: a journal body.
        const row = await k.selectFrom('journal').select('body').where('jurisdiction_id', '=', f.jurisdictionId).where('seq', '=', 2n).executeTakeFirstOrThrow();
        const body = JSON.parse(row.body) as JournalBody;
        const forged = canonicalJson({ ...body, tx: { ...body.tx, proposed_by: 'mallory' } });
        await k.updateTable('journal').set({ body: forged }).where('jurisdiction_id', '=', f.jurisdictionId).where('seq', '=', 2n).execute();
        const report = await verifyLedger(t.db);
        assert.equal(report.ok, false);
        assert.equal(report.firstSeq, 1n, 'the balance edit (seq 1) comes before the body edit (seq 2)');
        assert.ok(problemsOf(report).some((p) => p.place === 'balance' && p.seq === 1n), 'the balance problem is reported');
      },
    );
  });
}
