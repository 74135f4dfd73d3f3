// Crash safety: a child process runs a random ledger workload (test/support/crash-child.ts) and is killed with
// SIGKILL at a random moment, round after round, on both engines. After each kill the parent checks that what
// the child was told (acknowledged) is durable exactly once, that nothing it was not asked for exists, that the
// only commits it was not told about are commands in flight at the kill, and that the ledger verifies. Then it
// re-submits the in-flight commands with the same keys and bodies and checks that they land exactly once.
//
// Reproduce a failure with CITYCAP_CRASH_SEED=<seed> (printed in every assertion message); CITYCAP_CRASH_ROUNDS
// sets the rounds per engine (default 20).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ensureDemoRegistry, prng } from '../../src/app/demo-ledger.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { Registry } from '../../src/app/registry.js';
import type { CommandResult } from '../../src/domain/registry/ledger.js';
import type { TxRequest } from '../../src/domain/registry/model.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = 'test/support/crash-child.ts';
const CODE = 'CRASH';
/** The child looks up the same number of holding accounts (CRASH_HOLDERS in crash-child.ts). */
const HOLDERS = 8;
const CHILD_APP_NAME = 'citycap-crash-child';
const ROUNDS = Number(process.env.CITYCAP_CRASH_ROUNDS ?? 20);
const BASE_SEED = process.env.CITYCAP_CRASH_SEED === undefined ? (Date.now() ^ (process.pid << 16)) >>> 0 : Number(process.env.CITYCAP_CRASH_SEED) >>> 0;
/** Not ready, or no first acknowledgement, within this time fails the round (the child is broken, not slow). */
const FIRST_ACK_TIMEOUT_MS = 30_000;

interface Body {
  readonly request: TxRequest;
  readonly actor: string;
  readonly execute: boolean;
}

type Ack = { readonly ok: true; readonly txId: string; readonly replayed: boolean } | { readonly ok: false; readonly code: string };

interface RoundOutput {
  readonly intents: Map<string, Body>;
  readonly acks: Map<string, Ack>;
  readonly killedAfterMs: number;
}

function parseBody(json: string): Body {
  const raw = JSON.parse(json) as { request: Record<string, unknown>; actor: string; execute: boolean };
  const request = { ...raw.request };
  if (typeof request.quantityT === 'string') request.quantityT = BigInt(request.quantityT);
  return { request: request as unknown as TxRequest, actor: raw.actor, execute: raw.execute };
}

interface Child {
  /** Resolves when the child has loaded and looked up the registry (it then waits for `start`). */
  readonly ready: Promise<void>;
  /** Lets the workload run; kills it `killDelayMs` after its first acknowledgement; resolves with what it wrote. */
  start(killDelayMs: number): Promise<RoundOutput>;
  /** Kills the child if it is still running (clean-up after a failure). */
  dispose(): void;
}

/**
 * Spawns the child for one round. It starts loading at once (tsx takes most of a second) but only submits after
 * start(), so the parent can spawn the next round's child while it checks the last one.
 */
function spawnChild(url: string, childSeed: number, round: number, where: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, CODE, String(childSeed), String(round)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, CRASH_CONCURRENCY: '8', CRASH_WAIT_GO: '1' },
  });
  let out = '';
  let err = '';
  let started: number | undefined;
  let firstAckAt: number | undefined;
  let killedAt: number | undefined;
  let killDelay = 0;
  let onReady: (() => void) | undefined;
  const kill = (): void => {
    killedAt ??= performance.now();
    child.kill('SIGKILL');
  };
  // Not ready, or no first acknowledgement, within FIRST_ACK_TIMEOUT_MS: kill (the round then fails).
  let watchdog = setTimeout(kill, FIRST_ACK_TIMEOUT_MS);
  child.stdin.on('error', () => undefined); // a child that died early: its exit is reported instead
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    if (onReady !== undefined && /^ready /.test(out)) {
      clearTimeout(watchdog);
      onReady();
      onReady = undefined;
    }
    if (started !== undefined && firstAckAt === undefined && /(^|\n)ack /.test(out)) {
      firstAckAt = performance.now();
      clearTimeout(watchdog);
      setTimeout(kill, killDelay);
    }
  });
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal });
    });
  });
  const ended = (code: number | null, signal: NodeJS.Signals | null): Error =>
    new Error(`${where}: the child ended by itself (code ${code}, signal ${signal}); stderr:\n${err}\nstdout tail:\n${out.slice(-2000)}`);
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    closed.then(({ code, signal }) => { reject(ended(code, signal)); }, reject);
  });
  ready.catch(() => undefined); // a failure is reported by whoever awaits ready or start()

  const start = async (killDelayMs: number): Promise<RoundOutput> => {
    killDelay = killDelayMs;
    started = performance.now();
    watchdog = setTimeout(kill, FIRST_ACK_TIMEOUT_MS);
    child.stdin.write('go\n');
    const { code, signal } = await closed;
    if (signal !== 'SIGKILL' || firstAckAt === undefined || killedAt === undefined) throw ended(code, signal);
    const lines = out.split('\n');
    // Every line was one write(2) below PIPE_BUF: a kill cannot leave half a line behind.
    if (lines.at(-1) !== '') throw new Error(`${where}: the child's output ends in a partial line: ${JSON.stringify(lines.at(-1))}`);
    const intents = new Map<string, Body>();
    const acks = new Map<string, Ack>();
    for (const line of lines.slice(0, -1)) {
      const [tag, key = '', a = '', b = ''] = line.split(' ');
      if (tag === 'ready') continue;
      if (tag === 'error') throw new Error(`${where}: the child reported: ${line}`);
      if (tag === 'intent') {
        assert.ok(!intents.has(key), `${where}: intent ${key} written twice`);
        intents.set(key, parseBody(line.slice(`intent ${key} `.length)));
      } else if (tag === 'ack') {
        assert.ok(intents.has(key), `${where}: ack ${key} without an earlier intent`);
        assert.ok(!acks.has(key), `${where}: ack ${key} written twice`);
        acks.set(key, a === 'refused' ? { ok: false, code: b } : { ok: true, txId: a, replayed: b === 'replayed' });
      } else {
        throw new Error(`${where}: unexpected line from the child: ${line}`);
      }
    }
    return { intents, acks, killedAfterMs: Math.round(killedAt - firstAckAt) };
  };
  return { ready, start, dispose: kill };
}

/** The child's URL: on PostgreSQL tagged with an application name, so the parent can wait for its sessions to end. */
function childUrl(t: TestDatabase): string {
  if (t.engine !== 'postgres') return t.url;
  const u = new URL(t.url);
  u.searchParams.set('application_name', CHILD_APP_NAME);
  return u.toString();
}

/**
 * After SIGKILL the server may still be running the child's last statement (even a COMMIT it already sent).
 * Wait until its sessions are gone so that the checks see the final state.
 */
async function childSessionsGone(t: TestDatabase, where: string): Promise<void> {
  if (t.engine !== 'postgres') return;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await sql<{ n: bigint }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${CHILD_APP_NAME}`.execute(t.db.kysely);
    if (rows[0]!.n === 0n) return;
    assert.ok(Date.now() < deadline, `${where}: the killed child's PostgreSQL sessions did not end within 10 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface StoredTx {
  readonly id: string;
  readonly key: string;
  readonly status: string;
  /** Journal rows naming this transaction. */
  readonly journalRows: number;
}

/**
 * The jurisdiction's transactions by idempotency key, with how many journal rows name each one. (The journal
 * has no index on tx_id, so it is read once and counted here rather than joined.) Also checks that a
 * completed transaction's journal_seq points at its own entry.
 */
async function storedTxs(t: TestDatabase, jurisdictionId: string, where: string): Promise<Map<string, StoredTx>> {
  const k = t.db.kysely;
  const txs = await k.selectFrom('transactions').select(['id', 'idempotency_key', 'status', 'journal_seq']).where('jurisdiction_id', '=', jurisdictionId).execute();
  const journal = await k.selectFrom('journal').select(['seq', 'tx_id']).where('jurisdiction_id', '=', jurisdictionId).execute();
  const rowsOf = new Map<string, number>();
  const txAt = new Map<bigint, string>();
  for (const j of journal) {
    rowsOf.set(j.tx_id, (rowsOf.get(j.tx_id) ?? 0) + 1);
    txAt.set(j.seq, j.tx_id);
  }
  const byKey = new Map<string, StoredTx>();
  for (const r of txs) {
    assert.ok(!byKey.has(r.idempotency_key), `${where}: two transactions with idempotency key ${r.idempotency_key}`);
    if (r.status === 'completed') {
      assert.ok(r.journal_seq !== null && txAt.get(r.journal_seq) === r.id, `${where}: ${r.idempotency_key}'s journal_seq ${r.journal_seq} is not its own entry`);
    }
    byKey.set(r.idempotency_key, { id: r.id, key: r.idempotency_key, status: r.status, journalRows: rowsOf.get(r.id) ?? 0 });
  }
  return byKey;
}

for (const engine of testEngines()) {
  describe(`crash safety on ${engine.name} (SIGKILL during group commits)`, () => {
    let t: TestDatabase;
    let registry: Registry;
    let jurisdictionId: string;
    const engineSeed = (BASE_SEED + (engine.name === 'postgres' ? 1 : 0)) >>> 0;
    /** Every key anyone was asked to submit: the parent's set-up and every child's intents. */
    const asked = new Set<string>();
    /** Keys known completed (acknowledged to a child or to the parent) → transaction id. */
    const done = new Map<string, string>();
    /** Keys whose last answer was a refusal. */
    const refused = new Set<string>();

    before(async () => {
      t = await engine.create();
      registry = new Registry(t.db);
      const demo = await ensureDemoRegistry(registry, CODE, HOLDERS);
      jurisdictionId = demo.jurisdictionId;
      let i = 0;
      for (const h of demo.holders) {
        for (const unitTypeId of demo.unitTypes) {
          const key = `setup-${i++}`;
          asked.add(key);
          const r = await registry.submit(jurisdictionId, { type: 'issuance', toAccountId: h.id, unitTypeId, quantityT: 1000n }, { idempotencyKey: key, actor: 'setup', execute: true });
          assert.ok(r.ok);
          done.set(key, r.tx.id);
        }
      }
    });
    after(async () => t.drop());

    it(`survives ${ROUNDS} kills: acknowledged = durable exactly once, nothing invented, in-flight commands resubmit exactly once`, async (ctx) => {
      const random = prng(engineSeed);
      const totals = { acked: 0, refused: 0, inFlight: 0, committedUnacked: 0, resubmittedNew: 0, resubmittedReplayed: 0, resubmittedRefused: 0, killedAfterMs: 0 };
      const started = performance.now();
      const whereOf = (round: number): string => `${engine.name} seed=${engineSeed} round=${round}`;
      const spawnRound = (round: number): Child => spawnChild(childUrl(t), Math.floor(random() * 2 ** 32), round, whereOf(round));
      let next: Child | undefined = spawnRound(0);
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const where = whereOf(round);
          const child: Child = next!;
          await child.ready;
          const out = await child.start(20 + Math.floor(random() * 281));
          // The next round's child loads while this one is checked; it touches nothing before its start().
          next = round + 1 < ROUNDS ? spawnRound(round + 1) : undefined;
          await childSessionsGone(t, where);
          totals.killedAfterMs += out.killedAfterMs;

          for (const key of out.intents.keys()) {
            assert.ok(key.startsWith(`c${round}-`), `${where}: key ${key} does not carry the round`);
            assert.ok(!asked.has(key), `${where}: key ${key} was used in an earlier round`);
            asked.add(key);
          }
          const inFlight = [...out.intents.keys()].filter((k) => !out.acks.has(k));
          assert.ok(out.acks.size > 0, `${where}: the child acknowledged nothing`);
          assert.ok(inFlight.length <= 8, `${where}: ${inFlight.length} commands in flight, more than the child's 8 workers`);
          totals.inFlight += inFlight.length;

          // 1. What the child was told is stored: acknowledged transactions completed with one journal entry,
          //    refusals left nothing behind.
          let stored = await storedTxs(t, jurisdictionId, where);
          for (const [key, ack] of out.acks) {
            const s = stored.get(key);
            if (ack.ok) {
              totals.acked++;
              assert.ok(!ack.replayed, `${where}: first submission of ${key} answered as a replay`);
              assert.ok(s !== undefined, `${where}: acknowledged ${key} (${ack.txId}) is not stored`);
              assert.equal(s.id, ack.txId, `${where}: ${key} is stored under another transaction id`);
              assert.equal(s.status, 'completed', `${where}: acknowledged ${key} is ${s.status}`);
              assert.equal(s.journalRows, 1, `${where}: acknowledged ${key} has ${s.journalRows} journal rows`);
              done.set(key, ack.txId);
            } else {
              totals.refused++;
              assert.equal(s, undefined, `${where}: refused ${key} (${ack.code}) left a ${s?.status} transaction behind`);
              refused.add(key);
            }
          }

          // 2. Nothing invented: every stored transaction was asked for, and the only ones nobody was told about
          //    are this round's in-flight commands.
          const committedUnacked = new Map<string, StoredTx>();
          for (const s of stored.values()) {
            assert.ok(asked.has(s.key), `${where}: stored transaction ${s.id} has key ${s.key} that nobody submitted`);
            assert.equal(s.status, 'completed', `${where}: ${s.key} is ${s.status}; every command executes at once`);
            assert.equal(s.journalRows, 1, `${where}: ${s.key} has ${s.journalRows} journal rows`);
            const known = done.get(s.key);
            if (known !== undefined) {
              assert.equal(s.id, known, `${where}: ${s.key} was acknowledged as ${known} but is stored as ${s.id}`);
            } else {
              assert.ok(inFlight.includes(s.key), `${where}: ${s.key} is completed but was neither acknowledged nor in flight at the kill`);
              committedUnacked.set(s.key, s);
            }
          }
          for (const key of done.keys()) assert.ok(stored.has(key), `${where}: ${key}, acknowledged earlier, is gone`);
          totals.committedUnacked += committedUnacked.size;
          const report = await verifyLedger(t.db, { jurisdictionCode: CODE });
          assert.deepEqual(report.jurisdictions.flatMap((j) => j.problems), [], `${where}: ledger does not verify after the kill`);

          // 3. The client retries what it never heard back about, twice at once (same batch), with the same keys
          //    and bodies: a command the child committed replays, any other lands now (or is refused), once.
          const submit = (key: string): Promise<CommandResult> => {
            const b = out.intents.get(key)!;
            return registry.submit(jurisdictionId, b.request, { idempotencyKey: key, actor: b.actor, execute: b.execute });
          };
          const results = await Promise.all(inFlight.map(async (key) => [key, await Promise.all([submit(key), submit(key)])] as const));
          for (const [key, [first, second]] of results) {
            const committed = committedUnacked.get(key);
            if (committed !== undefined) {
              assert.ok(first.ok && first.replayed && first.tx.id === committed.id, `${where}: resubmitted ${key}, committed before the kill, did not replay ${committed.id}`);
            } else {
              assert.ok(!first.ok || !first.replayed, `${where}: resubmitted ${key} replayed ${first.ok ? first.tx.id : ''}, which was not stored after the kill`);
            }
            if (first.ok) {
              assert.ok(second.ok && second.replayed && second.tx.id === first.tx.id, `${where}: the duplicate resubmission of ${key} was not a replay of ${first.tx.id}`);
              assert.equal(first.tx.status, 'completed');
              if (first.replayed) totals.resubmittedReplayed++;
              else totals.resubmittedNew++;
              done.set(key, first.tx.id);
            } else {
              assert.ok(!second.ok && second.refusal.code === first.refusal.code, `${where}: the duplicate resubmission of refused ${key} was answered differently`);
              totals.resubmittedRefused++;
              refused.add(key);
            }
          }
          // Later, once more: every resubmitted command that went through replays from storage.
          for (const [key, [first]] of results) {
            if (!first.ok) continue;
            const again = await submit(key);
            assert.ok(again.ok && again.replayed && again.tx.id === first.tx.id, `${where}: a third submission of ${key} did not replay ${first.tx.id}`);
          }

          // 4. Afterwards storage holds exactly the completed keys, each once, and still verifies.
          stored = await storedTxs(t, jurisdictionId, where);
          assert.deepEqual(new Set(stored.keys()), new Set(done.keys()), `${where}: stored keys differ from the acknowledged ones`);
          for (const [key, id] of done) {
            const s = stored.get(key)!;
            assert.ok(s.id === id && s.status === 'completed' && s.journalRows === 1, `${where}: ${key} is not stored exactly once as ${id}`);
          }
          for (const key of refused) assert.ok(!stored.has(key), `${where}: refused ${key} is stored`);
          const { n } = await t.db.kysely
            .selectFrom('journal')
            .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
            .where('jurisdiction_id', '=', jurisdictionId)
            .executeTakeFirstOrThrow();
          assert.equal(BigInt(n), BigInt(done.size), `${where}: journal entries ≠ completed transactions`);
          // Verification replays the whole journal; after the resubmissions it runs in the last round only
          // (the next round's post-kill verification covers the others).
          if (round === ROUNDS - 1) {
            const afterRetry = await verifyLedger(t.db, { jurisdictionCode: CODE });
            assert.deepEqual(afterRetry.jurisdictions.flatMap((j) => j.problems), [], `${where}: ledger does not verify after the resubmissions`);
            assert.equal(afterRetry.jurisdictions[0]!.entries, BigInt(done.size), `${where}: journal length`);
          }
        }
      } finally {
        next?.dispose();
      }
      ctx.diagnostic(
        `${engine.name} seed=${engineSeed}: ${ROUNDS} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
          `acked ${totals.acked} completed + ${totals.refused} refused; ${totals.inFlight} in flight at kills, ` +
          `${totals.committedUnacked} of them committed unacknowledged; resubmitted: ${totals.resubmittedReplayed} replayed, ` +
          `${totals.resubmittedNew} new, ${totals.resubmittedRefused} refused; mean kill ${Math.round(totals.killedAfterMs / ROUNDS)} ms after first ack`,
      );
    });
  });
}
