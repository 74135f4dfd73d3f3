// The registry's protections through real HTTP, on both engines: four eyes, the delay for transfers to accounts not
// on the trusted list (completed only by the complete-due job once the delay has passed), the per-transaction limit,
// idempotent proposals, refusals that change nothing (the ledger still verifies), and an audit event for every
// state change. Users sign in for real (signInAs): two representatives of every account of TKY, and the authority.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { txOrThrow } from '../../src/app/registry.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { ledgerFixture, type LedgerFixture } from '../support/ledger-fixture.js';
import { stateFingerprint } from './support/api-fixture.js';
import { signInAs, tokenFor, type Principal } from './support/principals.js';
import { errorOf, testClock, testServer, type TestClock } from './support/server.js';

const HOUR_MS = 3_600_000;
const J = 'TKY';
const BASE = `/api/v1/jurisdictions/${J}`;

interface Outcome {
  transaction: { id: string; status: string; proposedBy: string; approvedBy: string | null; quantityT: string; hold: { executeAfter: string; delayRule: string | null } | null };
  replayed: boolean;
  completionRefusal: { code: string } | null;
}

for (const engine of testEngines()) {
  describe(`registry API on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let clock: TestClock;
    let fx: LedgerFixture;
    let keyN = 0;

    const as = async (principal: Exclude<Principal, 'anonymous'>, login?: string): Promise<Record<string, string>> =>
      (await signInAs(app, principal, { jurisdiction: J, ...(login !== undefined ? { login } : {}) })) ?? {};
    const alice = (): Promise<Record<string, string>> => as('authorized_representative', 'rep-alice');
    const bob = (): Promise<Record<string, string>> => as('authorized_representative', 'rep-bob');
    const admin = (): Promise<Record<string, string>> => as('authority_admin');
    const userIdOf = async (headers: Record<string, string>): Promise<string> => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/session', headers });
      const body = res.json<{ user?: { id: string }; userId?: string }>();
      return body.user?.id ?? body.userId ?? '';
    };

    async function propose(headers: Record<string, string>, body: Record<string, unknown>, key = `k-${++keyN}`): Promise<LightMyRequestResponse> {
      return app.inject({ method: 'POST', url: `${BASE}/transactions`, headers: { ...headers, 'idempotency-key': key }, payload: body });
    }
    const transfer = (quantityT: string, to = fx.traders[0]!): Record<string, unknown> => ({ type: 'transfer', fromAccountId: fx.facilities[0]!, toAccountId: to, unitTypeId: fx.unitTypes[0]!, quantityT });
    const post = async (url: string, headers: Record<string, string>, payload?: unknown): Promise<LightMyRequestResponse> =>
      app.inject({ method: 'POST', url, headers, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    const holding = async (accountId: string): Promise<bigint> => {
      const res = await app.inject({ method: 'GET', url: `${BASE}/accounts/${accountId}`, headers: await admin() });
      assert.equal(res.statusCode, 200, res.body);
      const h = res.json<{ holdings: { unitTypeId: string; quantityT: string }[] }>().holdings.find((x) => x.unitTypeId === fx.unitTypes[0]);
      return BigInt(h?.quantityT ?? '0');
    };
    const completeDue = async (): Promise<{ completed: string[] }> => {
      const res = await post(`${BASE}/jobs/complete-due`, await admin());
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };

    before(async () => {
      t = await engine.create();
      clock = testClock(new Date('2026-04-01T01:00:00.000Z'));
      fx = await ledgerFixture(t.db, { clock: clock.now, facilities: 2, traders: 1 });
      txOrThrow(await fx.registry.submit(fx.jurisdictionId, { type: 'issuance', toAccountId: fx.facilities[0]!, unitTypeId: fx.unitTypes[0]!, quantityT: 10_000n }, { idempotencyKey: 'setup-1', actor: 'system:setup', execute: true }));
      app = await testServer(t.db, { clock: clock.now });
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    it('four eyes: the proposer cannot approve its own transfer (FOUR_EYES); another representative can', async () => {
      const proposed = await propose(await alice(), transfer('100'));
      assert.equal(proposed.statusCode, 201, proposed.body);
      const tx = proposed.json<Outcome>().transaction;
      assert.equal(tx.status, 'proposed');

      const own = await post(`${BASE}/transactions/${tx.id}/approve`, await alice());
      assert.ok(own.statusCode === 422 || own.statusCode === 403, own.body);
      const e = errorOf(own);
      assert.equal(e.code, 'FOUR_EYES');
      assert.match(e.message, /different representative/);

      const other = await post(`${BASE}/transactions/${tx.id}/approve`, await bob());
      assert.equal(other.statusCode, 200, other.body);
      assert.equal(other.json<Outcome>().transaction.status, 'approved');
      // Tidy: the held transfer is cancelled by a representative of the source account.
      const cancelled = await post(`${BASE}/transactions/${tx.id}/cancel`, await alice());
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal(cancelled.json<Outcome>().transaction.status, 'cancelled');
    });

    it('trusted-list delay: a transfer to an untrusted account is held and completes only via complete-due after the delay', async () => {
      const before = await holding(fx.traders[0]!);
      const proposed = await propose(await alice(), transfer('250'));
      assert.equal(proposed.statusCode, 201, proposed.body);
      const id = proposed.json<Outcome>().transaction.id;
      const approved = await post(`${BASE}/transactions/${id}/approve`, await bob());
      assert.equal(approved.statusCode, 200, approved.body);
      const held = approved.json<Outcome>().transaction;
      assert.equal(held.status, 'approved');
      assert.equal(held.hold?.delayRule, 'UNTRUSTED_DESTINATION_DELAY');
      assert.equal(held.hold.executeAfter, new Date(clock.now().getTime() + 26 * HOUR_MS).toISOString());

      assert.deepEqual((await completeDue()).completed, [], 'nothing is due yet');
      clock.advance(25 * HOUR_MS);
      assert.deepEqual((await completeDue()).completed, [], 'still not due after 25 hours');
      assert.equal(await holding(fx.traders[0]!), before);

      clock.advance(HOUR_MS + 60_000);
      assert.deepEqual((await completeDue()).completed, [id]);
      const done = await app.inject({ method: 'GET', url: `${BASE}/transactions/${id}`, headers: await alice() });
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.json<{ status: string }>().status, 'completed');
      assert.equal(await holding(fx.traders[0]!), before + 250n);
    });

    it('trusted accounts: once the activation delay has passed, a transfer to a listed account completes on approval', async () => {
      const added = await post(`${BASE}/accounts/${fx.facilities[0]!}/trusted-accounts`, await alice(), { trustedAccountId: fx.facilities[1]! });
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(added.json<{ active: boolean }>().active, false);
      clock.advance(7 * 24 * HOUR_MS);
      const list = await app.inject({ method: 'GET', url: `${BASE}/accounts/${fx.facilities[0]!}/trusted-accounts`, headers: await bob() });
      assert.deepEqual(list.json<{ items: { trustedAccountId: string; active: boolean }[] }>().items.map((i) => [i.trustedAccountId, i.active]), [[fx.facilities[1]!, true]]);
      const proposed = await propose(await alice(), transfer('10', fx.facilities[1]));
      const approved = await post(`${BASE}/transactions/${proposed.json<Outcome>().transaction.id}/approve`, await bob());
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json<Outcome>().transaction.status, 'completed');
    });

    it('refuses a transfer above the per-transaction limit (TRANSACTION_LIMIT_EXCEEDED on quantityT)', async () => {
      const res = await propose(await alice(), transfer('2000001'));
      assert.equal(res.statusCode, 422, res.body);
      assert.deepEqual([errorOf(res).code, errorOf(res).field], ['TRANSACTION_LIMIT_EXCEEDED', 'quantityT']);
    });

    it('idempotent proposals: the same key and body replay the transaction (200); another body is 409; no key is 400', async () => {
      const headers = await alice();
      const first = await propose(headers, transfer('5'), 'same-key');
      assert.equal(first.statusCode, 201, first.body);
      const again = await propose(headers, transfer('5'), 'same-key');
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json<Outcome>().replayed, true);
      assert.equal(again.json<Outcome>().transaction.id, first.json<Outcome>().transaction.id);
      const conflict = await propose(headers, transfer('6'), 'same-key');
      assert.equal(conflict.statusCode, 409, conflict.body);
      assert.equal(errorOf(conflict).code, 'IDEMPOTENCY_CONFLICT');
      const noKey = await app.inject({ method: 'POST', url: `${BASE}/transactions`, headers, payload: transfer('5') });
      assert.equal(noKey.statusCode, 400, noKey.body);
      assert.equal(errorOf(noKey).field, 'idempotency-key');
    });

    it('a refused transfer changes nothing, and the ledger still verifies', async () => {
      const [a, v] = [await alice(), await as('verifier')];
      const fingerprint = await stateFingerprint(t.db);
      const refused = [
        await propose(a, transfer('2000001')), // over the limit
        await propose(a, transfer('999999')), // more than the account holds
        await propose(v, transfer('1')), // a verifier may not propose
        await propose(a, { ...transfer('1'), fromAccountId: fx.authority }), // not alice's account
        await propose(a, { ...transfer('1'), quantityT: '-1' }), // malformed
      ];
      assert.deepEqual(refused.map((r) => r.statusCode), [422, 422, 403, 403, 400], refused.map((r) => r.body).join('\n'));
      assert.equal(errorOf(refused[1]!).code, 'INSUFFICIENT_UNITS');
      assert.equal(errorOf(refused[2]!).code, 'FORBIDDEN');
      assert.equal(await stateFingerprint(t.db), fingerprint);
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    it('writes an audit event for every state change, readable and exportable by the authority', async () => {
      const [a, b] = [await alice(), await bob()];
      const [aliceId, bobId] = [await userIdOf(a), await userIdOf(b)];
      const p1 = (await propose(a, transfer('1', fx.facilities[1]))).json<Outcome>().transaction.id; // trusted: completes on approval
      assert.equal((await post(`${BASE}/transactions/${p1}/approve`, b)).statusCode, 200);
      const p2 = (await propose(a, transfer('2'))).json<Outcome>().transaction.id;
      assert.equal((await post(`${BASE}/transactions/${p2}/reject`, b, { reason: 'wrong account' })).statusCode, 200);
      const p3 = (await propose(a, transfer('3'))).json<Outcome>().transaction.id;
      assert.equal((await post(`${BASE}/transactions/${p3}/cancel`, a)).statusCode, 200);

      const res = await app.inject({ method: 'GET', url: `${BASE}/audit-events?action=transaction.&limit=200`, headers: await admin() });
      assert.equal(res.statusCode, 200, res.body);
      const events = res.json<{ items: { action: string; objectId: string; actor: string; address: string | null }[] }>().items;
      const of = (id: string): string[] => events.filter((e) => e.objectId === id).map((e) => `${e.action} ${e.actor}`).reverse();
      assert.deepEqual(of(p1), [`transaction.propose ${aliceId}`, `transaction.approve ${bobId}`, `transaction.complete ${bobId}`]);
      assert.deepEqual(of(p2), [`transaction.propose ${aliceId}`, `transaction.reject ${bobId}`]);
      assert.deepEqual(of(p3), [`transaction.propose ${aliceId}`, `transaction.cancel ${aliceId}`]);
      assert.ok(events.filter((e) => !e.actor.startsWith('system:')).every((e) => e.address !== null), 'every event of a user records the client address');
      // The delay job's completion is recorded too (as the system actor).
      assert.ok(events.some((e) => e.action === 'transaction.complete' && e.actor === 'system:complete-due'));

      const trusted = await app.inject({ method: 'GET', url: `${BASE}/audit-events?action=trusted_list.add`, headers: await admin() });
      assert.equal(trusted.json<{ items: unknown[] }>().items.length, 1);

      const csv = await app.inject({ method: 'GET', url: `${BASE}/audit-events/export?format=csv&action=transaction.`, headers: await admin() });
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(String(csv.headers['content-disposition']), /^attachment; filename="audit-TKY-/);
      assert.ok(csv.body.startsWith('id,at,jurisdiction_id,actor,'));
      assert.ok(csv.body.includes(p3));

      const officerReads = await app.inject({ method: 'GET', url: `${BASE}/audit-events`, headers: await as('authority_officer') });
      assert.equal(officerReads.statusCode, 200);
      const repRefused = await app.inject({ method: 'GET', url: `${BASE}/audit-events`, headers: a });
      assert.equal(repRefused.statusCode, 403);
      assert.equal(errorOf(repRefused).code, 'FORBIDDEN');
    });

    it('lists only the accounts a representative may read, and all of them for the authority; API tokens need their scope', async () => {
      const all = await app.inject({ method: 'GET', url: `${BASE}/accounts?limit=2`, headers: await admin() });
      assert.equal(all.statusCode, 200, all.body);
      const page1 = all.json<{ items: { id: string }[]; nextCursor: string | null }>();
      assert.equal(page1.items.length, 2);
      assert.notEqual(page1.nextCursor, null);
      const mine = await app.inject({ method: 'GET', url: `${BASE}/accounts?limit=200`, headers: await alice() });
      const ids = mine.json<{ items: { id: string }[] }>().items.map((i) => i.id).sort();
      assert.deepEqual(ids, [...fx.facilities, ...fx.traders].sort());

      const read = await tokenFor(app, 'authorized_representative', ['registry:read'], { jurisdiction: J, login: 'rep-alice' });
      assert.equal((await app.inject({ method: 'GET', url: `${BASE}/accounts/${fx.facilities[0]!}`, headers: read })).statusCode, 200);
      const write = await propose(read, transfer('1'));
      assert.equal(write.statusCode, 403, write.body);
      assert.equal(errorOf(write).code, 'TOKEN_SCOPE');
    });
  });
}
