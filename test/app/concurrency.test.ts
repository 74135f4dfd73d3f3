// Real write contention: many clients, each with its OWN Registry over its OWN connection pool (so the only
// thing that serializes them is the database: PostgreSQL's row lock on the jurisdiction, SQLite's single
// writer), all moving units among a few hot accounts, some asking for more than the account holds. Afterwards
// units are conserved, nothing is negative or overlaps, every acknowledged transfer is stored exactly once, and
// each account's balance is exactly what the acknowledged transfers say (no lost update).
//
// Reproduce a failure with CITYCAP_CONCURRENCY_SEED=<seed> (printed in every assertion message).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { prng } from '../../src/app/demo-ledger.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { Registry, txOrThrow } from '../../src/app/registry.js';
import { holdingKey, type CommandResult } from '../../src/domain/registry/ledger.js';
import type { TxRequest } from '../../src/domain/registry/model.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { testEngines, type TestDatabase, type TestEngine } from '../support/engines.js';
import { ledgerFixture, type LedgerFixture } from '../support/ledger-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEED = process.env.CITYCAP_CONCURRENCY_SEED === undefined ? (Date.now() ^ (process.pid << 8)) >>> 0 : Number(process.env.CITYCAP_CONCURRENCY_SEED) >>> 0;
const ACTOR = 'client';

type Transfer = Extract<TxRequest, { type: 'transfer' }>;

interface Planned {
  readonly key: string;
  readonly request: Transfer;
}

interface Outcome extends Planned {
  readonly result: CommandResult;
}

interface Hot {
  readonly f: LedgerFixture;
  /** The hot accounts: every transfer goes from one of them to another. */
  readonly accounts: string[];
  /** holdingKey → units held before the clients start. */
  readonly initial: Map<string, bigint>;
  /** Keys of the set-up issuances. */
  readonly setupKeys: string[];
}

/** Four hot accounts (2 facilities, 2 traders), each given units of both unit types. */
async function hotAccounts(db: Database): Promise<Hot> {
  const f = await ledgerFixture(db, { facilities: 2, traders: 2 });
  const accounts = [...f.facilities, ...f.traders];
  const initial = new Map<string, bigint>();
  const setupKeys: string[] = [];
  for (const [u, unitTypeId] of f.unitTypes.entries()) {
    for (const accountId of accounts) {
      const quantityT = u === 0 ? 1000n : 400n;
      const key = `setup-${accountId}-${u}`;
      txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'issuance', toAccountId: accountId, unitTypeId, quantityT }, { idempotencyKey: key, actor: 'setup', execute: true }));
      initial.set(holdingKey(accountId, unitTypeId), quantityT);
      setupKeys.push(key);
    }
  }
  return { f, accounts, initial, setupKeys };
}

/** A client's transfers among the hot accounts; about one in six asks for more than an account usually holds. */
function plan(seed: number, client: number, count: number, hot: Hot): Planned[] {
  const random = prng((seed + client * 0x9e3779b9) >>> 0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const from = pick(hot.accounts);
    const others = hot.accounts.filter((a) => a !== from);
    const quantityT = BigInt(random() < 0.16 ? 200 + Math.floor(random() * 1400) : 1 + Math.floor(random() * 150));
    const unitTypeId = random() < 0.75 ? hot.f.unitTypes[0]! : hot.f.unitTypes[1]!;
    return { key: `k${client}-${i}`, request: { type: 'transfer', fromAccountId: from, toAccountId: pick(others), unitTypeId, quantityT } };
  });
}

/** Submits a client's plan with `inFlight` commands outstanding at once (its Registry group-commits them). */
async function runClient(registry: Registry, jurisdictionId: string, planned: readonly Planned[], inFlight: number, gauge: { now: number; max: number }): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < planned.length) {
      const p = planned[next++]!;
      gauge.now++;
      gauge.max = Math.max(gauge.max, gauge.now);
      try {
        outcomes.push({ ...p, result: await registry.submit(jurisdictionId, p.request, { idempotencyKey: p.key, actor: ACTOR, execute: true }) });
      } finally {
        gauge.now--;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return outcomes;
}

/**
 * The jurisdiction's transactions, each with how many journal rows name it and whether its journal_seq points
 * at its own entry. (The journal has no index on tx_id: it is read once and counted here rather than joined.)
 */
async function storedTxs(db: Database, jurisdictionId: string): Promise<{ id: string; idempotency_key: string; status: string; journalRows: number; journalSeqPointsHere: boolean }[]> {
  const txs = await db.kysely.selectFrom('transactions').select(['id', 'idempotency_key', 'status', 'journal_seq']).where('jurisdiction_id', '=', jurisdictionId).execute();
  const journal = await db.kysely.selectFrom('journal').select(['seq', 'tx_id']).where('jurisdiction_id', '=', jurisdictionId).execute();
  const rowsOf = new Map<string, number>();
  const txAt = new Map<bigint, string>();
  for (const j of journal) {
    rowsOf.set(j.tx_id, (rowsOf.get(j.tx_id) ?? 0) + 1);
    txAt.set(j.seq, j.tx_id);
  }
  return txs.map((r) => ({ ...r, journalRows: rowsOf.get(r.id) ?? 0, journalSeqPointsHere: r.journal_seq !== null && txAt.get(r.journal_seq) === r.id }));
}

/** Checks every invariant against what the clients were told. */
async function checkAfterContention(db: Database, hot: Hot, outcomes: readonly Outcome[], where: string): Promise<{ completed: number; refused: Record<string, number> }> {
  const k = db.kysely;
  const jurisdictionId = hot.f.jurisdictionId;
  const refused: Record<string, number> = {};
  const acked = outcomes.filter((o) => o.result.ok);
  for (const o of outcomes) {
    if (o.result.ok) {
      assert.ok(!o.result.replayed, `${where}: ${o.key}, submitted once, was answered as a replay`);
      assert.equal(o.result.tx.status, 'completed', `${where}: ${o.key} answered ${o.result.tx.status}`);
    } else {
      refused[o.result.refusal.code] = (refused[o.result.refusal.code] ?? 0) + 1;
      assert.equal(o.result.refusal.code, 'INSUFFICIENT_UNITS', `${where}: ${o.key} refused for another reason: ${o.result.refusal.message}`);
    }
  }

  // Acknowledged transfers are completed with exactly one journal entry; refused ones left nothing; nothing else exists.
  const rows = await storedTxs(db, jurisdictionId);
  const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
  assert.equal(byKey.size, rows.length, `${where}: an idempotency key is stored twice`);
  for (const o of outcomes) {
    const row = byKey.get(o.key);
    if (o.result.ok) {
      assert.ok(row !== undefined, `${where}: acknowledged ${o.key} (${o.result.tx.id}) is not stored`);
      assert.equal(row.id, o.result.tx.id, `${where}: ${o.key} stored under another id`);
      assert.equal(row.status, 'completed', `${where}: acknowledged ${o.key} is ${row.status}`);
      assert.equal(row.journalRows, 1, `${where}: acknowledged ${o.key} has ${row.journalRows} journal rows`);
      assert.equal(row.journalSeqPointsHere, true, `${where}: ${o.key}'s journal_seq is not its own entry`);
    } else {
      assert.equal(row, undefined, `${where}: refused ${o.key} is stored`);
    }
  }
  assert.deepEqual(
    new Set(rows.map((r) => r.idempotency_key)),
    new Set([...hot.setupKeys, ...acked.map((o) => o.key)]),
    `${where}: stored transactions are not exactly the set-up plus the acknowledged transfers`,
  );
  const { n: journalRows } = await k.selectFrom('journal').select((eb) => eb.fn.countAll<bigint | number | string>().as('n')).where('jurisdiction_id', '=', jurisdictionId).executeTakeFirstOrThrow();
  assert.equal(BigInt(journalRows), BigInt(rows.filter((r) => r.status === 'completed').length), `${where}: journal entries ≠ completed transactions`);

  // No lost update: each hot holding = initial + acknowledged incoming − acknowledged outgoing.
  const expected = new Map(hot.initial);
  for (const o of acked) {
    const from = holdingKey(o.request.fromAccountId, o.request.unitTypeId);
    const to = holdingKey(o.request.toAccountId, o.request.unitTypeId);
    expected.set(from, expected.get(from)! - o.request.quantityT);
    expected.set(to, expected.get(to)! + o.request.quantityT);
  }
  const balances = await k.selectFrom('balances').select(['account_id', 'unit_type_id', 'quantity_t']).where('jurisdiction_id', '=', jurisdictionId).execute();
  const stored = new Map(balances.map((b) => [holdingKey(b.account_id, b.unit_type_id), b.quantity_t]));
  for (const b of balances) assert.ok(b.quantity_t >= 0n, `${where}: negative balance ${b.quantity_t} t in ${b.account_id}`);
  for (const [key, want] of expected) {
    assert.ok(want >= 0n, `${where}: the acknowledged transfers overdraw ${key} (${want} t)`);
    assert.equal(stored.get(key) ?? 0n, want, `${where}: ${key} holds ${stored.get(key)} t; the acknowledged transfers say ${want} t`);
  }
  assert.deepEqual(new Set(stored.keys()), new Set(expected.keys()), `${where}: balances exist outside the hot accounts`);

  // Blocks: disjoint across the whole jurisdiction, and each holding's blocks add up to its balance.
  const blocks = await k
    .selectFrom('unit_blocks')
    .select(['account_id', 'unit_type_id', 'serial_start', 'serial_end'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('serial_start')
    .execute();
  const blockSum = new Map<string, bigint>();
  let lastEnd = 0n;
  for (const b of blocks) {
    assert.ok(b.serial_start > lastEnd, `${where}: block ${b.serial_start}–${b.serial_end} overlaps serials up to ${lastEnd}`);
    assert.ok(b.serial_end >= b.serial_start, `${where}: empty block ${b.serial_start}–${b.serial_end}`);
    lastEnd = b.serial_end;
    const key = holdingKey(b.account_id, b.unit_type_id);
    blockSum.set(key, (blockSum.get(key) ?? 0n) + b.serial_end - b.serial_start + 1n);
  }
  for (const [key, want] of expected) assert.equal(blockSum.get(key) ?? 0n, want, `${where}: blocks of ${key} do not add up to its balance`);

  // Conservation per unit type: everything issued is still held by the hot accounts.
  const unitTypes = await k.selectFrom('unit_types').select(['id', 'code', 'issued_t']).where('jurisdiction_id', '=', jurisdictionId).execute();
  for (const u of unitTypes) {
    let initial = 0n;
    let held = 0n;
    for (const [key, q] of hot.initial) if (key.endsWith(`|${u.id}`)) initial += q;
    for (const [key, q] of stored) if (key.endsWith(`|${u.id}`)) held += q;
    assert.equal(u.issued_t, initial, `${where}: ${u.code} issued total changed`);
    assert.equal(held, initial, `${where}: ${u.code}: ${held} t held but ${initial} t issued`);
  }

  const report = await verifyLedger(db, { jurisdictionCode: 'TKY' });
  assert.deepEqual(report.jurisdictions.flatMap((j) => j.problems), [], `${where}: ledger does not verify`);
  assert.equal(report.jurisdictions[0]!.entries, BigInt(hot.setupKeys.length + acked.length), `${where}: journal length`);
  return { completed: acked.length, refused };
}

function pgEngine(): TestEngine {
  const e = testEngines().find((x) => x.name === 'postgres');
  assert.ok(e !== undefined);
  return e;
}

describe('concurrent clients on postgres (each its own Registry and connection pool)', () => {
  const CLIENTS = 16;
  const TRANSFERS = 150;
  const IN_FLIGHT = 3;
  const CLIENT_APP_NAME = 'citycap-concurrency-client';
  let t: TestDatabase;
  let hot: Hot;
  let clients: { db: Database; registry: Registry }[];

  before(async () => {
    t = await pgEngine().create();
    hot = await hotAccounts(t.db);
    const url = new URL(t.url);
    url.searchParams.set('application_name', CLIENT_APP_NAME);
    clients = Array.from({ length: CLIENTS }, () => {
      const db = openDatabase(url.toString(), { poolMax: 2 });
      return { db, registry: new Registry(db) };
    });
    // Open every pool's connections now so that all clients start contending at once.
    await Promise.all(clients.flatMap((c) => [sql`SELECT 1`.execute(c.db.kysely), sql`SELECT 1`.execute(c.db.kysely)]));
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.db.close()));
    // pg's Pool.end() resolves before its sockets have closed: dropping the database (WITH FORCE) at once could
    // terminate a session that is still closing, and its error would surface after the test.
    for (let i = 0; i < 500; i++) {
      const { rows } = await sql<{ n: bigint }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${CLIENT_APP_NAME}`.execute(t.db.kysely);
      if (rows[0]!.n === 0n) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await t.drop();
  });

  it(`${CLIENTS} clients × ${TRANSFERS} transfers among 4 hot accounts: conserved, no overdraft, no lost update, exactly once`, async (ctx) => {
    const where = `postgres seed=${SEED}`;
    const gauge = { now: 0, max: 0 };
    const started = performance.now();
    const perClient = await Promise.all(clients.map((c, i) => runClient(c.registry, hot.f.jurisdictionId, plan(SEED, i, TRANSFERS, hot), IN_FLIGHT, gauge)));
    const seconds = (performance.now() - started) / 1000;
    const outcomes = perClient.flat();
    assert.equal(outcomes.length, CLIENTS * TRANSFERS);
    assert.ok(gauge.max >= CLIENTS, `${where}: at most ${gauge.max} commands were in flight at once`);
    const { completed, refused } = await checkAfterContention(t.db, hot, outcomes, where);
    assert.ok(completed > 0 && (refused.INSUFFICIENT_UNITS ?? 0) > 0, `${where}: the workload should both move units and be refused sometimes`);
    ctx.diagnostic(`${where}: ${outcomes.length} transfers in ${seconds.toFixed(1)} s (${Math.round(outcomes.length / seconds)}/s), ${completed} completed, refused ${JSON.stringify(refused)}, max ${gauge.max} in flight`);
  });

  it('the same commands from every client at once land exactly once, and every client gets the same transaction', async () => {
    const where = `postgres seed=${SEED} (same keys from ${CLIENTS} clients)`;
    const { f, accounts } = hot;
    const unitTypeId = f.unitTypes[1]!;
    // Fund a source that cannot run out, so no command can be refused and every answer must agree.
    const source = accounts[0]!;
    txOrThrow(await f.registry.submit(f.jurisdictionId, { type: 'issuance', toAccountId: source, unitTypeId, quantityT: 100_000n }, { idempotencyKey: 'dup-fund', actor: 'setup', execute: true }));
    const random = prng(SEED ^ 0x5eed);
    const commands: Planned[] = Array.from({ length: 40 }, (_, i) => ({
      key: `dup-${i}`,
      request: { type: 'transfer', fromAccountId: source, toAccountId: accounts[1 + (i % 3)]!, unitTypeId, quantityT: BigInt(1 + Math.floor(random() * 20)) },
    }));
    const balancesBefore = await f.registry.db.kysely.selectFrom('balances').select(['account_id', 'quantity_t']).where('unit_type_id', '=', unitTypeId).execute();
    const gauge = { now: 0, max: 0 };
    const perClient = await Promise.all(
      clients.map((c, ci) => {
        // Each client sends the commands in its own order, a few at a time, so different clients create different ones.
        const shuffle = prng((SEED + ci) >>> 0);
        const order = [...commands];
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(shuffle() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        return runClient(c.registry, f.jurisdictionId, order, 3, gauge);
      }),
    );
    for (const cmd of commands) {
      const answers = perClient.map((outs) => outs.find((o) => o.key === cmd.key)!.result);
      const txIds = new Set(answers.map((a) => (a.ok ? a.tx.id : `refused ${a.refusal.code}`)));
      assert.equal(txIds.size, 1, `${where}: ${cmd.key} answered ${[...txIds].join(', ')}`);
      assert.equal(answers.filter((a) => a.ok && !a.replayed).length, 1, `${where}: ${cmd.key} was created by more than one client (or none)`);
    }
    const rows = (await storedTxs(t.db, f.jurisdictionId)).filter((r) => r.idempotency_key.startsWith('dup-'));
    assert.equal(rows.length, commands.length + 1, `${where}: transactions stored for the duplicated keys`);
    for (const r of rows) assert.ok(r.status === 'completed' && r.journalRows === 1 && r.journalSeqPointsHere, `${where}: ${r.idempotency_key} is ${r.status} with ${r.journalRows} journal rows`);
    // Balances moved by each command once.
    const after = new Map((await t.db.kysely.selectFrom('balances').select(['account_id', 'quantity_t']).where('unit_type_id', '=', unitTypeId).execute()).map((b) => [b.account_id, b.quantity_t]));
    const want = new Map(balancesBefore.map((b) => [b.account_id, b.quantity_t]));
    for (const c of commands) {
      want.set(c.request.fromAccountId, want.get(c.request.fromAccountId)! - c.request.quantityT);
      want.set(c.request.toAccountId, want.get(c.request.toAccountId)! + c.request.quantityT);
    }
    assert.deepEqual(after, want, `${where}: balances after the duplicated commands`);
    const report = await verifyLedger(t.db);
    assert.deepEqual(report.jurisdictions.flatMap((j) => j.problems), [], `${where}: ledger does not verify`);
  });
});

// SQLite: better-sqlite3 is synchronous, so two connections in ONE process would wait for each other's lock
// on the same thread (BEGIN IMMEDIATE blocks the event loop for busy_timeout while the holder can never get
// to COMMIT). Real SQLite contention is between processes: each client here is a process with its own
// Registry and its own openDatabase on the same file.
const SQLITE_CLIENT = `
import { openDatabase } from ${JSON.stringify(pathToFileURL(`${ROOT}src/store/db.ts`).href)};
import { Registry } from ${JSON.stringify(pathToFileURL(`${ROOT}src/app/registry.ts`).href)};
const { url, jurisdictionId, inFlight, planned } = JSON.parse(process.env.CONCURRENCY_CLIENT);
const db = openDatabase(url);
const registry = new Registry(db);
await db.kysely.selectFrom('jurisdictions').select('id').execute();
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const outcomes = [];
let next = 0;
const worker = async () => {
  while (next < planned.length) {
    const p = planned[next++];
    const request = { ...p.request, quantityT: BigInt(p.request.quantityT) };
    const r = await registry.submit(jurisdictionId, request, { idempotencyKey: p.key, actor: ${JSON.stringify(ACTOR)}, execute: true });
    outcomes.push(r.ok ? { key: p.key, ok: true, txId: r.tx.id, status: r.tx.status, replayed: r.replayed } : { key: p.key, ok: false, code: r.refusal.code, message: r.refusal.message });
  }
};
await Promise.all(Array.from({ length: inFlight }, worker));
await db.close();
process.stdout.write(JSON.stringify(outcomes) + '\\n');
`;

interface ChildOutcome {
  readonly key: string;
  readonly ok: boolean;
  readonly txId?: string;
  readonly status?: string;
  readonly replayed?: boolean;
  readonly code?: string;
  readonly message?: string;
}

describe('concurrent client processes on sqlite (each its own Registry and openDatabase on one file)', () => {
  const CLIENTS = 4;
  const TRANSFERS = 150;
  let t: TestDatabase;
  let hot: Hot;
  before(async () => {
    const sqlite = testEngines().find((x) => x.name === 'sqlite');
    assert.ok(sqlite !== undefined);
    t = await sqlite.create();
    hot = await hotAccounts(t.db);
  });
  after(async () => t.drop());

  it(`${CLIENTS} processes × ${TRANSFERS} transfers among 4 hot accounts: conserved, no overdraft, no lost update, exactly once`, async (ctx) => {
    const where = `sqlite seed=${SEED}`;
    const plans = Array.from({ length: CLIENTS }, (_, i) => plan(SEED, i, TRANSFERS, hot));
    const children = plans.map((planned) => {
      const env = { ...process.env, CONCURRENCY_CLIENT: JSON.stringify({ url: t.url, jurisdictionId: hot.f.jurisdictionId, inFlight: 3, planned }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) };
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SQLITE_CLIENT], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdin.on('error', () => undefined); // a client that died early: its exit is reported instead
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      const ready = new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (out.startsWith('ready\n')) resolve();
        };
        child.stdout.on('data', check);
        child.on('close', () => {
          reject(new Error(`${where}: a client process ended before it was ready: ${err}`));
        });
      });
      const finished = new Promise<ChildOutcome[]>((resolve, reject) => {
        child.on('close', (code) => {
          if (code !== 0) reject(new Error(`${where}: a client process failed (status ${code}): ${err}`));
          else resolve(JSON.parse(out.slice('ready\n'.length)) as ChildOutcome[]);
        });
      });
      finished.catch(() => undefined); // awaited below; a failure before that point surfaces through `ready`
      return { child, ready, finished };
    });
    await Promise.all(children.map((c) => c.ready));
    const started = performance.now();
    for (const c of children) c.child.stdin.end('go\n');
    const results = await Promise.all(children.map((c) => c.finished));
    const seconds = (performance.now() - started) / 1000;
    const outcomes: Outcome[] = results.flatMap((outs, i) => {
      const byKey = new Map(plans[i]!.map((p) => [p.key, p]));
      assert.equal(outs.length, TRANSFERS, `${where}: client ${i} answered ${outs.length} of ${TRANSFERS}`);
      return outs.map((o): Outcome => {
        const p = byKey.get(o.key)!;
        if (!o.ok) return { ...p, result: { ok: false, refusal: { code: o.code!, message: o.message! } } };
        // Only the fields the checks read come back from the child.
        const tx = { id: o.txId!, status: o.status! } as unknown as Extract<CommandResult, { ok: true }>['tx'];
        return { ...p, result: { ok: true, tx, replayed: o.replayed! } };
      });
    });
    const { completed, refused } = await checkAfterContention(t.db, hot, outcomes, where);
    assert.ok(completed > 0 && (refused.INSUFFICIENT_UNITS ?? 0) > 0, `${where}: the workload should both move units and be refused sometimes`);
    ctx.diagnostic(`${where}: ${outcomes.length} transfers from ${CLIENTS} processes in ${seconds.toFixed(1)} s, ${completed} completed, refused ${JSON.stringify(refused)}`);
  });
});
