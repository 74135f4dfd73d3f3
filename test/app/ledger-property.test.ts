// Model-based property test of the registry ledger on both engines. Random operation sequences run against
// the Registry and against a small in-memory model that tracks every serial number; after every step the
// database must agree with the model and keep the ledger's invariants, and a refused or replayed operation
// must leave the database exactly as it was. Each run uses a fresh jurisdiction in one database per engine.
import assert, { AssertionError } from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { Registry } from '../../src/app/registry.js';
import type { CommandResult } from '../../src/domain/registry/ledger.js';
import type { AccountType, Tx, TxRequest, TxStatus, TxType } from '../../src/domain/registry/model.js';
import type { Database } from '../../src/store/db.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const NUM_RUNS = 40;
const MAX_STEPS = 30;

// ---- operations -------------------------------------------------------------------------------------------

/** How much to move: a share of the source's holding, a fixed amount, all of it (possibly 0), or more than it holds. */
type QtySpec =
  | { readonly mode: 'part'; readonly eighths: number }
  | { readonly mode: 'some'; readonly n: bigint }
  | { readonly mode: 'all' }
  | { readonly mode: 'over'; readonly extra: bigint };

/**
 * Accounts are indices into [authority, facility 1, facility 2, trader]; unit types into [allowance, credit].
 * With `fromHolder`, the source is picked among the accounts that may send and hold units of the type (when any).
 */
type ReqSpec =
  | { readonly type: 'issuance'; readonly to: number; readonly unit: number; readonly qty: bigint }
  | { readonly type: 'transfer'; readonly from: number; readonly fromHolder: boolean; readonly to: number; readonly unit: number; readonly qty: QtySpec }
  | {
      readonly type: 'surrender' | 'retirement' | 'cancellation';
      readonly from: number;
      readonly fromHolder: boolean;
      readonly unit: number;
      readonly qty: QtySpec;
    }
  /** Reverses a completed original transaction of the run, or (`any`) one of any status and type, so that refusals happen too. */
  | { readonly type: 'reversal'; readonly pick: number; readonly any: boolean };

type SimpleOp =
  /** Submit and complete at once. */
  | { readonly op: 'execute'; readonly req: ReqSpec }
  /** Propose only; a later approve, complete or cancel picks it up. */
  | { readonly op: 'propose'; readonly req: ReqSpec }
  | { readonly op: 'approve'; readonly pick: number; readonly byProposer: boolean; readonly anyTx: boolean }
  | { readonly op: 'complete'; readonly pick: number; readonly anyTx: boolean }
  | { readonly op: 'cancel'; readonly pick: number; readonly anyTx: boolean }
  /** Repeat an earlier submission's idempotency key with the same body, or with a different one. */
  | { readonly op: 'replay'; readonly pick: number; readonly same: boolean };

type Op =
  | SimpleOp
  /** Propose (alice), approve by the proposer (refused), approve (bob), complete. */
  | { readonly op: 'flow'; readonly req: ReqSpec }
  /** Several operations queued in the same tick, so that the registry carries them in one batch. */
  | { readonly op: 'burst'; readonly ops: readonly SimpleOp[] };

const HOLDING_ACCOUNTS = 4;
const FACILITIES = [1, 2];

const accountArb = fc.nat({ max: HOLDING_ACCOUNTS - 1 });
const unitArb = fc.nat({ max: 1 });
const fromHolderArb = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const qtyArb: fc.Arbitrary<QtySpec> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 8 }).map((eighths) => ({ mode: 'part' as const, eighths })) },
  { weight: 2, arbitrary: fc.bigInt({ min: 1n, max: 30n }).map((n) => ({ mode: 'some' as const, n })) },
  { weight: 1, arbitrary: fc.constant({ mode: 'all' as const }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 20n }).map((extra) => ({ mode: 'over' as const, extra })) },
);
const issuanceArb = fc.record({ type: fc.constant('issuance' as const), to: accountArb, unit: unitArb, qty: fc.bigInt({ min: 1n, max: 50n }) });
const reqArb: fc.Arbitrary<ReqSpec> = fc.oneof(
  { weight: 3, arbitrary: issuanceArb },
  {
    weight: 6,
    arbitrary: fc.record({ type: fc.constant('transfer' as const), from: accountArb, fromHolder: fromHolderArb, to: accountArb, unit: unitArb, qty: qtyArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('surrender' as const),
      // Mostly from compliance accounts; now and then from another account, which must be refused.
      from: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FACILITIES) }, { weight: 1, arbitrary: accountArb }),
      fromHolder: fromHolderArb,
      unit: unitArb,
      qty: qtyArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom('retirement' as const, 'cancellation' as const),
      from: accountArb,
      fromHolder: fromHolderArb,
      unit: unitArb,
      qty: qtyArb,
    }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('reversal' as const), pick: fc.nat(), any: fc.boolean() }) },
);
const anyTxArb = fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
const simpleOpArb: fc.Arbitrary<SimpleOp> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('execute' as const), req: reqArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('propose' as const), req: reqArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('approve' as const), pick: fc.nat(), byProposer: fc.boolean(), anyTx: anyTxArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('complete' as const), pick: fc.nat(), anyTx: anyTxArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(), anyTx: anyTxArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('replay' as const), pick: fc.nat(), same: fc.boolean() }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 17, arbitrary: simpleOpArb },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flow' as const), req: reqArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('burst' as const), ops: fc.array(simpleOpArb, { minLength: 2, maxLength: 6 }) }) },
);
/** An operation and the registry that runs it: two registries share the database, as two processes would. */
interface Step {
  readonly op: Op;
  readonly via: number;
}
const viaArb = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) });
/** A few issuances first, so that most runs have units to move from early on. */
const stepsArb: fc.Arbitrary<Step[]> = fc
  .tuple(
    fc.array(fc.record({ op: issuanceArb.map((req) => ({ op: 'execute' as const, req })), via: viaArb }), { maxLength: 4 }),
    fc.array(fc.record({ op: opArb, via: viaArb }), { maxLength: MAX_STEPS - 4, size: 'max' }),
  )
  .map(([issuances, rest]) => [...issuances, ...rest]);

// ---- the model --------------------------------------------------------------------------------------------

interface Movement {
  readonly type: TxType;
  readonly unitTypeId: string;
  readonly quantityT: bigint;
  readonly from: string | null;
  readonly to: string | null;
  readonly reverses: string | null;
}

interface ModelTx extends Movement {
  /** Set once the ledger has answered. */
  id: string;
  readonly key: string;
  readonly request: TxRequest;
  readonly actor: string;
  readonly execute: boolean;
  readonly proposedBy: string;
  status: TxStatus;
  approvedBy: string | null;
  decidedBy: string | null;
  /** The serials it moved, once completed. */
  moved: bigint[] | null;
}

interface Run {
  readonly code: string;
  readonly jurisdictionId: string;
  readonly holdingAccounts: readonly string[];
  readonly unitTypes: readonly string[];
  readonly terminal: Readonly<Record<'surrender' | 'retirement' | 'cancellation', string>>;
  readonly accountTypes: ReadonlyMap<string, AccountType>;
  readonly model: Model;
  keys: number;
}

class Model {
  serialNext = 1n;
  /** Serials per holdingKey, ascending. */
  readonly holdings = new Map<string, bigint[]>();
  readonly issued = new Map<string, bigint>();
  /** Every stored transaction, in submission order. */
  readonly txs: ModelTx[] = [];
  readonly byId = new Map<string, ModelTx>();
  /** Originals that have a proposed, approved or completed reversal. */
  readonly reversed = new Set<string>();

  constructor(readonly accountTypes: ReadonlyMap<string, AccountType>, readonly terminal: Run['terminal']) {}

  held(accountId: string, unitTypeId: string): bigint[] {
    return this.holdings.get(`${accountId}|${unitTypeId}`) ?? [];
  }

  /** The movement a request resolves to, or the refusal code the ledger must give (in the ledger's order). */
  resolve(req: TxRequest): Movement | string {
    if (req.type === 'reversal') {
      const o = this.byId.get(req.reversesTxId);
      if (o === undefined) return 'UNKNOWN_TRANSACTION';
      if (o.status !== 'completed') return 'REVERSAL_NOT_COMPLETED';
      if (o.type === 'reversal') return 'REVERSAL_OF_REVERSAL';
      if (this.reversed.has(o.id)) return 'ALREADY_REVERSED';
      return { type: 'reversal', unitTypeId: o.unitTypeId, quantityT: o.quantityT, from: o.to, to: o.from, reverses: o.id };
    }
    if (req.quantityT <= 0n) return 'QUANTITY_OUT_OF_RANGE';
    const base = { type: req.type, unitTypeId: req.unitTypeId, quantityT: req.quantityT, reverses: null };
    switch (req.type) {
      case 'issuance':
        return { ...base, from: null, to: req.toAccountId };
      case 'transfer':
        if (req.fromAccountId === req.toAccountId) return 'SAME_ACCOUNT';
        return { ...base, from: req.fromAccountId, to: req.toAccountId };
      default:
        if (req.type === 'surrender' && this.accountTypes.get(req.fromAccountId) !== 'facility_compliance') return 'SURRENDER_FROM_COMPLIANCE_ACCOUNT';
        return { ...base, from: req.fromAccountId, to: this.terminal[req.type] };
    }
  }

  /** Null when the source holds what the movement needs now, else the refusal code. */
  check(m: Movement): string | null {
    if (m.from === null) return null;
    const held = this.held(m.from, m.unitTypeId);
    if (m.reverses !== null) {
      const set = new Set(held);
      return this.byId.get(m.reverses)!.moved!.every((s) => set.has(s)) ? null : 'REVERSAL_UNITS_MOVED';
    }
    return BigInt(held.length) < m.quantityT ? 'INSUFFICIENT_UNITS' : null;
  }

  /** Moves the serials (oldest first, or exactly the reversed ones) and returns them. */
  apply(m: Movement): bigint[] {
    let moved: bigint[];
    if (m.from === null) {
      moved = Array.from({ length: Number(m.quantityT) }, (_, i) => this.serialNext + BigInt(i));
      this.serialNext += m.quantityT;
      this.issued.set(m.unitTypeId, (this.issued.get(m.unitTypeId) ?? 0n) + m.quantityT);
    } else {
      const held = this.held(m.from, m.unitTypeId);
      if (m.reverses !== null) {
        moved = [...this.byId.get(m.reverses)!.moved!];
        const out = new Set(moved);
        this.holdings.set(`${m.from}|${m.unitTypeId}`, held.filter((s) => !out.has(s)));
      } else {
        moved = held.slice(0, Number(m.quantityT));
        this.holdings.set(`${m.from}|${m.unitTypeId}`, held.slice(Number(m.quantityT)));
      }
    }
    if (m.to === null) {
      this.issued.set(m.unitTypeId, this.issued.get(m.unitTypeId)! - m.quantityT);
    } else {
      const arrived = [...this.held(m.to, m.unitTypeId), ...moved].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.holdings.set(`${m.to}|${m.unitTypeId}`, arrived);
    }
    return moved;
  }

  completedCount(): number {
    return this.txs.filter((t) => t.status === 'completed').length;
  }
}

// ---- running operations against registry and model ------------------------------------------------------

function okTx(r: CommandResult, what: string): Tx {
  if (!r.ok) assert.fail(`${what}: refused ${r.refusal.code} (${r.refusal.message})`);
  return r.tx;
}

function refused(r: CommandResult, code: string, what: string): void {
  assert.ok(!r.ok, `${what}: expected refusal ${code}, got ${r.ok ? `${r.tx.status} ${r.tx.type}` : ''}`);
  assert.equal(r.refusal.code, code, `${what}: refusal code`);
}

function sameAsModel(tx: Tx, m: ModelTx, what: string): void {
  assert.equal(tx.id, m.id, `${what}: id`);
  assert.deepEqual(
    [tx.type, tx.status, tx.unitTypeId, tx.quantityT, tx.fromAccountId, tx.toAccountId, tx.reversesTxId, tx.proposedBy, tx.approvedBy],
    [m.type, m.status, m.unitTypeId, m.quantityT, m.from, m.to, m.reverses, m.proposedBy, m.approvedBy],
    `${what}: transaction fields`,
  );
}

function buildRequest(run: Run, spec: ReqSpec): TxRequest | null {
  const model = run.model;
  const unitTypeId = run.unitTypes[spec.type === 'reversal' ? 0 : spec.unit]!;
  const quantity = (from: string, q: QtySpec): bigint => {
    const held = BigInt(model.held(from, unitTypeId).length);
    switch (q.mode) {
      case 'part': {
        const part = (held * BigInt(q.eighths)) / 8n;
        return part > 0n ? part : 1n;
      }
      case 'some':
        return q.n;
      case 'all':
        return held;
      case 'over':
        return held + q.extra;
    }
  };
  const source = (s: { readonly from: number; readonly fromHolder: boolean; readonly type: ReqSpec['type'] }): string => {
    const allowed = s.type === 'surrender' ? FACILITIES.map((i) => run.holdingAccounts[i]!) : run.holdingAccounts;
    const holders = allowed.filter((a) => model.held(a, unitTypeId).length > 0);
    return s.fromHolder && holders.length > 0 ? holders[s.from % holders.length]! : run.holdingAccounts[s.from]!;
  };
  switch (spec.type) {
    case 'issuance':
      return { type: 'issuance', toAccountId: run.holdingAccounts[spec.to]!, unitTypeId, quantityT: spec.qty };
    case 'transfer': {
      const from = source(spec);
      return { type: 'transfer', fromAccountId: from, toAccountId: run.holdingAccounts[spec.to]!, unitTypeId, quantityT: quantity(from, spec.qty) };
    }
    case 'surrender':
    case 'retirement':
    case 'cancellation': {
      const from = source(spec);
      return { type: spec.type, fromAccountId: from, unitTypeId, quantityT: quantity(from, spec.qty) };
    }
    case 'reversal': {
      const originals = model.txs.filter((t) => t.status === 'completed' && t.type !== 'reversal');
      const from = spec.any || originals.length === 0 ? model.txs : originals;
      if (from.length === 0) return null;
      return { type: 'reversal', reversesTxId: from[spec.pick % from.length]!.id };
    }
  }
}

interface Outcome {
  /** True when some command took effect (not a refusal, not a replay). */
  changed: boolean;
}

/**
 * One command, planned: the model has already run it (so that the next plan sees its effect), `call` sends it
 * to the registry, and `settle` checks the registry's answer against what the model expected.
 */
interface Action {
  readonly call: () => Promise<CommandResult>;
  readonly settle: (result: CommandResult, out: Outcome) => void;
}

/** A new submission; `tx` is the transaction the model expects (its id is known once settled), null for a refusal. */
function planSubmit(registry: Registry, run: Run, request: TxRequest, actor: string, execute: boolean): Action & { readonly tx: ModelTx | null } {
  const model = run.model;
  const key = `k${++run.keys}`;
  const what = `submit ${request.type} (${key}, ${execute ? 'execute' : 'propose'} by ${actor})`;
  const call = (): Promise<CommandResult> => registry.submit(run.jurisdictionId, request, { idempotencyKey: key, actor, execute });
  const movement = model.resolve(request);
  const code = typeof movement === 'string' ? movement : model.check(movement);
  if (code !== null || typeof movement === 'string') {
    return { call, tx: null, settle: (result) => { refused(result, code!, what); } };
  }
  const tx: ModelTx = { ...movement, id: '', key, request, actor, execute, proposedBy: actor, status: 'proposed', approvedBy: null, decidedBy: null, moved: null };
  if (execute) {
    tx.status = 'completed';
    tx.approvedBy = actor;
    tx.moved = model.apply(movement);
  }
  if (tx.reverses !== null) model.reversed.add(tx.reverses);
  const settle = (result: CommandResult, out: Outcome): void => {
    const got = okTx(result, what);
    assert.equal(result.ok && result.replayed, false, `${what}: not a replay`);
    tx.id = got.id;
    model.txs.push(tx);
    model.byId.set(tx.id, tx);
    sameAsModel(got, tx, what);
    out.changed = true;
  };
  return { call, tx, settle };
}

/** Settles a command on an existing transaction: expect a replay, a refusal, or the transaction as the model now has it. */
function settleExisting(target: ModelTx, what: string, expect: { replay: true } | { code: string } | { changed: true }): Action['settle'] {
  const want = { ...target };
  return (result, out) => {
    if ('replay' in expect) {
      assert.ok(result.ok && result.replayed, `${what}: replayed`);
    } else if ('code' in expect) {
      refused(result, expect.code, what);
    } else {
      assert.equal(result.ok && result.replayed, false, `${what}: not a replay`);
      sameAsModel(okTx(result, what), want, what);
      out.changed = true;
    }
  };
}

function planApprove(registry: Registry, run: Run, target: ModelTx, actor: string): Action {
  const what = `approve ${target.type} ${target.key} (${target.status}) by ${actor}`;
  const call = (): Promise<CommandResult> => registry.approve(run.jurisdictionId, target.id, actor);
  if (target.status === 'approved' && target.approvedBy === actor) return { call, settle: settleExisting(target, what, { replay: true }) };
  if (target.status !== 'proposed') return { call, settle: settleExisting(target, what, { code: 'INVALID_STATE' }) };
  if (actor === target.proposedBy) return { call, settle: settleExisting(target, what, { code: 'FOUR_EYES' }) };
  target.status = 'approved';
  target.approvedBy = actor;
  return { call, settle: settleExisting(target, what, { changed: true }) };
}

function planComplete(registry: Registry, run: Run, target: ModelTx): Action {
  const what = `complete ${target.type} ${target.key} (${target.status})`;
  const call = (): Promise<CommandResult> => registry.complete(run.jurisdictionId, target.id);
  if (target.status === 'completed') return { call, settle: settleExisting(target, what, { replay: true }) };
  if (target.status !== 'approved') return { call, settle: settleExisting(target, what, { code: 'INVALID_STATE' }) };
  const code = run.model.check(target);
  if (code !== null) return { call, settle: settleExisting(target, what, { code }) };
  target.moved = run.model.apply(target);
  target.status = 'completed';
  return { call, settle: settleExisting(target, what, { changed: true }) };
}

function planCancel(registry: Registry, run: Run, target: ModelTx): Action {
  const what = `cancel ${target.type} ${target.key} (${target.status})`;
  const call = (): Promise<CommandResult> => registry.cancel(run.jurisdictionId, target.id, 'bob');
  if (target.status === 'cancelled') return { call, settle: settleExisting(target, what, { replay: true }) };
  if (target.status !== 'proposed' && target.status !== 'approved') return { call, settle: settleExisting(target, what, { code: 'INVALID_STATE' }) };
  target.status = 'cancelled';
  target.decidedBy = 'bob';
  if (target.reverses !== null) run.model.reversed.delete(target.reverses);
  return { call, settle: settleExisting(target, what, { changed: true }) };
}

function planReplay(registry: Registry, run: Run, earlier: ModelTx, same: boolean): Action {
  const what = `replay ${earlier.key} with ${same ? 'the same' : 'a different'} body`;
  if (same) {
    const want = { ...earlier };
    return {
      call: () => registry.submit(run.jurisdictionId, earlier.request, { idempotencyKey: earlier.key, actor: earlier.actor, execute: earlier.execute }),
      settle: (result) => {
        assert.ok(result.ok && result.replayed, `${what}: replayed`);
        sameAsModel(result.tx, want, what);
      },
    };
  }
  const r = earlier.request;
  const [request, actor] = r.type === 'reversal' ? [r, `${earlier.actor}-other`] : [{ ...r, quantityT: r.quantityT + 1n }, earlier.actor];
  return {
    call: () => registry.submit(run.jurisdictionId, request, { idempotencyKey: earlier.key, actor, execute: earlier.execute }),
    settle: (result) => { refused(result, 'IDEMPOTENCY_CONFLICT', what); },
  };
}

function pickTx(model: Model, pick: number, anyTx: boolean): ModelTx | undefined {
  const pending = model.txs.filter((t) => t.status === 'proposed' || t.status === 'approved');
  const from = anyTx || pending.length === 0 ? model.txs : pending;
  return from[pick % Math.max(from.length, 1)];
}

/** Plans one operation (null when it has nothing to act on yet, e.g. no transaction to approve). */
function plan(registry: Registry, run: Run, op: SimpleOp): Action | null {
  const model = run.model;
  switch (op.op) {
    case 'execute':
    case 'propose': {
      const request = buildRequest(run, op.req);
      if (request === null) return null;
      const actor = op.op === 'propose' ? 'alice' : request.type === 'reversal' ? 'authority' : 'rep';
      return planSubmit(registry, run, request, actor, op.op === 'execute');
    }
    case 'approve': {
      const target = pickTx(model, op.pick, op.anyTx);
      return target === undefined ? null : planApprove(registry, run, target, op.byProposer ? target.proposedBy : 'bob');
    }
    case 'complete': {
      const target = pickTx(model, op.pick, op.anyTx);
      return target === undefined ? null : planComplete(registry, run, target);
    }
    case 'cancel': {
      const target = pickTx(model, op.pick, op.anyTx);
      return target === undefined ? null : planCancel(registry, run, target);
    }
    case 'replay': {
      const earlier = model.txs[op.pick % Math.max(model.txs.length, 1)];
      return earlier === undefined ? null : planReplay(registry, run, earlier, op.same);
    }
  }
}

async function step(registry: Registry, run: Run, op: Op): Promise<Outcome> {
  const out: Outcome = { changed: false };
  const one = async (a: Action | null): Promise<void> => {
    if (a !== null) a.settle(await a.call(), out);
  };
  switch (op.op) {
    case 'flow': {
      const request = buildRequest(run, op.req);
      if (request === null) break;
      const proposal = planSubmit(registry, run, request, 'alice', false);
      await one(proposal);
      const tx = proposal.tx;
      if (tx === null) break;
      await one(planApprove(registry, run, tx, 'alice')); // four eyes: refused
      await one(planApprove(registry, run, tx, 'bob'));
      assert.equal(tx.status, 'approved');
      await one(planComplete(registry, run, tx));
      assert.equal(tx.status, 'completed', 'nothing happened in between, so completion succeeds');
      break;
    }
    case 'burst': {
      // All commands are queued in the same tick, so the registry carries them in one batch and applies them
      // in queue order, which is the order the model ran them in. Transactions created in the burst join the
      // model only when settled, so the burst's commands act on earlier transactions only.
      const actions = op.ops.map((o) => plan(registry, run, o)).filter((a) => a !== null);
      const results = await Promise.all(actions.map((a) => a.call()));
      actions.forEach((a, i) => { a.settle(results[i]!, out); });
      break;
    }
    default:
      await one(plan(registry, run, op));
  }
  return out;
}

// ---- the database side -----------------------------------------------------------------------------------

interface Snapshot {
  readonly head: readonly [bigint, bigint, string];
  readonly issued: readonly (readonly [string, bigint])[];
  readonly balances: readonly (readonly [string, bigint])[];
  readonly blocks: readonly (readonly [string, bigint, bigint])[];
  readonly txs: readonly (readonly [string, string, string | null, string | null, bigint | null])[];
  readonly journal: readonly (readonly [bigint, string])[];
}

async function snapshot(db: Database, jurisdictionId: string): Promise<Snapshot> {
  const k = db.kysely;
  const j = await k.selectFrom('jurisdictions').select(['serial_next', 'journal_seq', 'journal_head']).where('id', '=', jurisdictionId).executeTakeFirstOrThrow();
  const unitTypes = await k.selectFrom('unit_types').select(['id', 'issued_t']).where('jurisdiction_id', '=', jurisdictionId).orderBy('id').execute();
  const balances = await k
    .selectFrom('balances')
    .select(['account_id', 'unit_type_id', 'quantity_t'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('account_id')
    .orderBy('unit_type_id')
    .execute();
  const blocks = await k
    .selectFrom('unit_blocks')
    .select(['account_id', 'unit_type_id', 'serial_start', 'serial_end'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('serial_start')
    .orderBy('account_id')
    .orderBy('unit_type_id')
    .execute();
  const txs = await k
    .selectFrom('transactions')
    .select(['id', 'status', 'approved_by', 'decided_by', 'journal_seq'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('id')
    .execute();
  const journal = await k.selectFrom('journal').select(['seq', 'tx_id']).where('jurisdiction_id', '=', jurisdictionId).orderBy('seq').execute();
  return {
    head: [j.serial_next, j.journal_seq, j.journal_head],
    issued: unitTypes.map((u) => [u.id, u.issued_t] as const),
    balances: balances.map((b) => [`${b.account_id}|${b.unit_type_id}`, b.quantity_t] as const),
    blocks: blocks.map((b) => [`${b.account_id}|${b.unit_type_id}`, b.serial_start, b.serial_end] as const),
    txs: txs.map((t) => [t.id, t.status, t.approved_by, t.decided_by, t.journal_seq] as const),
    journal: journal.map((e) => [e.seq, e.tx_id] as const),
  };
}

/** Maximal runs of consecutive serials (input ascending). */
function runsOf(serials: readonly bigint[]): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const s of serials) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] + 1n === s) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

function checkAgainstModel(s: Snapshot, run: Run): void {
  const model = run.model;

  // Blocks: valid ranges that never overlap anywhere in the jurisdiction.
  let lastEnd = 0n;
  const blocksByKey = new Map<string, [bigint, bigint][]>();
  for (const [key, start, end] of s.blocks) {
    const id = `${key}@${String(start)}–${String(end)}`;
    assert.ok(start >= 1n && end >= start, `block ${id} is a non-empty range of positive serials`);
    assert.ok(start > lastEnd, `block ${id} does not overlap the block before it`);
    lastEnd = end;
    blocksByKey.set(key, [...(blocksByKey.get(key) ?? []), [start, end]]);
  }

  // Each holding: exactly the model's serials, as maximal runs (adjacent blocks are always merged).
  for (const key of new Set([...blocksByKey.keys(), ...model.holdings.keys()])) {
    const stored = blocksByKey.get(key) ?? [];
    for (let i = 1; i < stored.length; i++) assert.ok(stored[i - 1]![1] + 1n < stored[i]![0], `holding ${key}: blocks are not adjacent`);
    assert.deepEqual(stored, runsOf(model.held(...(key.split('|') as [string, string]))), `holding ${key}: stored blocks are the model's serials`);
  }

  // Balances: never negative, equal to the model and to the sum of the blocks.
  const balances = new Map(s.balances);
  for (const [key, q] of s.balances) {
    assert.ok(q >= 0n, `balance ${key} is not negative`);
    const blockSum = (blocksByKey.get(key) ?? []).reduce((sum, [a, b]) => sum + b - a + 1n, 0n);
    assert.equal(q, blockSum, `balance ${key} equals the sum of its blocks`);
  }
  for (const [key, serials] of model.holdings) {
    assert.equal(balances.get(key) ?? 0n, BigInt(serials.length), `balance ${key} agrees with the model`);
  }

  // Conservation per unit type: issued = held + surrendered + retired + cancelled.
  for (const [unitTypeId, issued] of s.issued) {
    assert.ok(issued >= 0n, 'issued total is not negative');
    assert.equal(issued, model.issued.get(unitTypeId) ?? 0n, `unit type ${unitTypeId}: issued total agrees with the model`);
    const byStatus = { held: 0n, surrendered: 0n, retired: 0n, cancelled: 0n };
    for (const [key, start, end] of s.blocks) {
      const [accountId = '', u] = key.split('|');
      if (u !== unitTypeId) continue;
      const type = run.accountTypes.get(accountId);
      assert.ok(type !== undefined, `block ${key}@${String(start)} belongs to an account of the jurisdiction`);
      const status = type === 'surrender' ? 'surrendered' : type === 'retirement' ? 'retired' : type === 'cancellation' ? 'cancelled' : 'held';
      byStatus[status] += end - start + 1n;
    }
    assert.equal(byStatus.held + byStatus.surrendered + byStatus.retired + byStatus.cancelled, issued, `unit type ${unitTypeId}: units are conserved`);
  }
  assert.equal(s.head[0], model.serialNext, 'the next serial agrees with the model');

  // Transactions and journal.
  const want = model.txs
    .map((t) => [t.id, t.status, t.approvedBy, t.decidedBy] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(
    s.txs.map(([id, status, approvedBy, decidedBy]) => [id, status, approvedBy, decidedBy]),
    want,
    'stored transactions agree with the model',
  );
  const completed = model.txs.filter((t) => t.status === 'completed').map((t) => t.id);
  assert.equal(s.journal.length, completed.length, 'one journal entry per completed transaction');
  assert.deepEqual(new Set(s.journal.map(([, txId]) => txId)), new Set(completed), 'the journal records exactly the completed transactions');
  assert.deepEqual(
    s.journal.map(([seq]) => seq),
    s.journal.map((_, i) => BigInt(i + 1)),
    'journal entries are numbered 1, 2, 3, …',
  );
  assert.equal(s.head[1], BigInt(s.journal.length), "the jurisdiction's head is the last journal entry");
}

function describeFailure(error: unknown): string {
  if (error instanceof AssertionError) {
    // A custom message hides the values compared: show them.
    return error.generatedMessage ? error.message : `${error.message}\n  actual: ${inspect(error.actual, { depth: 6 })}\n  expected: ${inspect(error.expected, { depth: 6 })}`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function setUpRun(registry: Registry, code: string): Promise<Run> {
  const { id: jurisdictionId } = await registry.createJurisdiction({ code, nameEn: `City ${code}`, nameJa: code, timeZone: 'Asia/Tokyo', fyStartMonth: 4 });
  const open = async (type: AccountType, holder: string): Promise<string> => (await registry.openAccount({ jurisdictionId, type, holder })).id;
  const holdingAccounts = [
    await open('authority_issuance', 'Authority'),
    await open('facility_compliance', 'Facility 1'),
    await open('facility_compliance', 'Facility 2'),
    await open('general_holding', 'Trader'),
  ];
  const unitTypes = [
    (await registry.createUnitType({ jurisdictionId, code: 'ALLOWANCE', kind: 'allowance', issuingJurisdiction: code, vintage: 1 })).id,
    (await registry.createUnitType({ jurisdictionId, code: 'ERC', kind: 'excess_reduction_credit', issuingJurisdiction: code, vintage: 1 })).id,
  ];
  const accounts = await registry.db.kysely.selectFrom('accounts').select(['id', 'type']).where('jurisdiction_id', '=', jurisdictionId).execute();
  const accountTypes = new Map(accounts.map((a) => [a.id, a.type as AccountType]));
  const terminalOf = (type: AccountType): string => accounts.find((a) => a.type === type)!.id;
  const terminal = { surrender: terminalOf('surrender'), retirement: terminalOf('retirement'), cancellation: terminalOf('cancellation') };
  return { code, jurisdictionId, holdingAccounts, unitTypes, terminal, accountTypes, model: new Model(accountTypes, terminal), keys: 0 };
}

for (const engine of testEngines()) {
  describe(`ledger against an in-memory model on ${engine.name}`, () => {
    let t: TestDatabase;
    let registries: Registry[];
    let runs = 0;
    before(async () => {
      t = await engine.create();
      registries = [new Registry(t.db), new Registry(t.db)];
    });
    after(async () => t.drop());

    it('agrees with the model after every step, conserves units, changes nothing on refusal, and verifies', async () => {
      await fc.assert(
        fc.asyncProperty(stepsArb, async (steps) => {
          const run = await setUpRun(registries[0]!, `P${++runs}`);
          let prev = await snapshot(t.db, run.jurisdictionId);
          checkAgainstModel(prev, run);
          for (const [i, { op, via }] of steps.entries()) {
            try {
              const { changed } = await step(registries[via]!, run, op);
              const now = await snapshot(t.db, run.jurisdictionId);
              checkAgainstModel(now, run);
              if (!changed) assert.deepEqual(now, prev, 'a refused or replayed operation changes nothing');
              prev = now;
            } catch (error) {
              throw new Error(`step ${i} ${fc.stringify(op)}: ${describeFailure(error)}`, { cause: error });
            }
          }
          const report = await verifyLedger(t.db, { jurisdictionCode: run.code });
          assert.deepEqual(report.jurisdictions.flatMap((j) => j.problems), [], 'verification finds no problem');
          assert.equal(report.ok, true);
          const { n: completed } = await t.db.kysely
            .selectFrom('transactions')
            .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
            .where('jurisdiction_id', '=', run.jurisdictionId)
            .where('status', '=', 'completed')
            .executeTakeFirstOrThrow();
          const { n: entries } = await t.db.kysely
            .selectFrom('journal')
            .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
            .where('jurisdiction_id', '=', run.jurisdictionId)
            .executeTakeFirstOrThrow();
          assert.equal(BigInt(entries), BigInt(completed), 'journal rows = completed transactions');
          assert.equal(BigInt(completed), BigInt(run.model.completedCount()));
        }),
        { numRuns: NUM_RUNS, includeErrorInReport: true },
      );
    });
  });
}
