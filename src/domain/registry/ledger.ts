// The ledger's rules as a pure state machine: commands in, transactions, movements and journal entries out.
// The app loads the state a batch needs, runs the commands here in order, and stores the effects in one
// database transaction. Refused commands leave the state untouched.
import { assert } from '../assert.js';
import { refusal, type Refusal } from '../errors.js';
import { addRanges, assertWellFormed, takeExact, takeOldest, totalSize, type SerialRange } from './blocks.js';
import { chainHash, encodeJournalBody, journalBody, sha256Hex } from './journal.js';
import {
  HOLDING_ACCOUNT_TYPES,
  type Account,
  type TerminalAccountType,
  type Tx,
  type TxRequest,
  type TxType,
  type UnitType,
} from './model.js';

/** Upper bound of one transaction's quantity: more tonnes than the world emits in a decade. */
export const QUANTITY_T_MAX = 1_000_000_000_000n;

export function holdingKey(accountId: string, unitTypeId: string): string {
  return `${accountId}|${unitTypeId}`;
}

export interface LedgerState {
  readonly jurisdictionId: string;
  serialNext: bigint;
  journalSeq: bigint;
  journalHead: string;
  readonly terminalAccounts: Readonly<Record<TerminalAccountType, string>>;
  readonly accounts: Map<string, Account>;
  readonly unitTypes: Map<string, UnitType>;
  /** Blocks per holdingKey, sorted by serial. A key the batch touches must be loaded in full. */
  readonly holdings: Map<string, SerialRange[]>;
  readonly txById: Map<string, Tx>;
  readonly txByKey: Map<string, Tx>;
  /** Serials moved by completed transactions that a reversal in this batch refers to. */
  readonly movesByTx: Map<string, SerialRange[]>;
  /** Original transaction id → the reversal that is pending or done for it. */
  readonly reversalOf: Map<string, string>;
}

export interface JournalEntry {
  readonly seq: bigint;
  readonly txId: string;
  readonly prevHash: string;
  readonly hash: string;
  readonly body: string;
}

/** What a batch changed; the store writes exactly this. */
export interface LedgerEffects {
  readonly txs: Map<string, Tx>;
  readonly journal: JournalEntry[];
  readonly touchedHoldings: Set<string>;
  readonly touchedUnitTypes: Set<string>;
}

export function emptyEffects(): LedgerEffects {
  return { txs: new Map(), journal: [], touchedHoldings: new Set(), touchedUnitTypes: new Set() };
}

export type LedgerCommand =
  /** Propose a transaction; with `execute`, also approve and complete it at once (system and authority use). */
  | { readonly kind: 'submit'; readonly request: TxRequest; readonly idempotencyKey: string; readonly actor: string; readonly execute: boolean }
  | { readonly kind: 'approve'; readonly txId: string; readonly actor: string }
  | { readonly kind: 'complete'; readonly txId: string }
  | { readonly kind: 'reject'; readonly txId: string; readonly actor: string; readonly reason: string }
  | { readonly kind: 'cancel'; readonly txId: string; readonly actor: string };

export type CommandResult =
  | { readonly ok: true; readonly tx: Tx; readonly replayed: boolean }
  | { readonly ok: false; readonly refusal: Refusal };

export interface LedgerEnv {
  readonly now: Date;
  readonly newId: () => string;
}

const IDEMPOTENCY_KEY_MAX = 200;
const ACTOR_MAX = 200;

export function applyCommand(state: LedgerState, effects: LedgerEffects, cmd: LedgerCommand, env: LedgerEnv): CommandResult {
  switch (cmd.kind) {
    case 'submit':
      return submit(state, effects, cmd, env);
    case 'approve':
      return withTx(state, cmd.txId, (tx) => approve(state, effects, tx, cmd.actor, env));
    case 'complete':
      return withTx(state, cmd.txId, (tx) => complete(state, effects, tx, env));
    case 'reject':
    case 'cancel':
      return withTx(state, cmd.txId, (tx) => decide(state, effects, tx, cmd, env));
  }
}

/**
 * Applies commands as one unit: when any is refused, the state and effects are put back as they were, the refused
 * command keeps its refusal and every other command is refused with GROUP_REFUSED. Nothing of the group happens.
 */
export function applyAtomically(state: LedgerState, effects: LedgerEffects, commands: readonly LedgerCommand[], env: LedgerEnv): CommandResult[] {
  const saved = saveState(state, effects);
  const results: CommandResult[] = [];
  for (const cmd of commands) {
    const r = applyCommand(state, effects, cmd, env);
    results.push(r);
    if (r.ok) continue;
    restoreState(state, effects, saved);
    const failed = results.length - 1;
    const notApplied = refusal('GROUP_REFUSED', `Not applied: command ${failed + 1} of this group was refused (${r.refusal.code}).`);
    return commands.map((_, i) => (i === failed ? r : { ok: false, refusal: notApplied }));
  }
  return results;
}

interface SavedState {
  readonly scalars: Pick<LedgerState, 'serialNext' | 'journalSeq' | 'journalHead'>;
  readonly maps: Map<Map<unknown, unknown>, Map<unknown, unknown>>;
  readonly sets: Map<Set<string>, Set<string>>;
  readonly journalLength: number;
}

function saveState(state: LedgerState, effects: LedgerEffects): SavedState {
  const maps: Map<unknown, unknown>[] = [state.unitTypes, state.holdings, state.txById, state.txByKey, state.movesByTx, state.reversalOf, effects.txs];
  return {
    scalars: { serialNext: state.serialNext, journalSeq: state.journalSeq, journalHead: state.journalHead },
    maps: new Map(maps.map((m) => [m, new Map(m)])),
    sets: new Map([effects.touchedHoldings, effects.touchedUnitTypes].map((x) => [x, new Set(x)])),
    journalLength: effects.journal.length,
  };
}

function restoreState(state: LedgerState, effects: LedgerEffects, saved: SavedState): void {
  Object.assign(state, saved.scalars);
  for (const [target, copy] of saved.maps) {
    target.clear();
    for (const [k, v] of copy) target.set(k, v);
  }
  for (const [target, copy] of saved.sets) {
    target.clear();
    for (const v of copy) target.add(v);
  }
  effects.journal.length = saved.journalLength;
}

function withTx(state: LedgerState, txId: string, fn: (tx: Tx) => CommandResult): CommandResult {
  const tx = state.txById.get(txId);
  if (tx === undefined || tx.jurisdictionId !== state.jurisdictionId) {
    return fail(refusal('UNKNOWN_TRANSACTION', `No transaction ${txId} in this registry.`, 'txId'));
  }
  return fn(tx);
}

function fail(r: Refusal): CommandResult {
  return { ok: false, refusal: r };
}

/** The movement a request resolves to, after every static rule has passed. */
interface Movement {
  readonly type: TxType;
  readonly unitTypeId: string;
  readonly quantityT: bigint;
  readonly fromAccountId: string | null;
  readonly toAccountId: string | null;
  readonly reversesTxId: string | null;
}

function submit(state: LedgerState, effects: LedgerEffects, cmd: Extract<LedgerCommand, { kind: 'submit' }>, env: LedgerEnv): CommandResult {
  if (cmd.idempotencyKey.length === 0 || cmd.idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
    return fail(refusal('IDEMPOTENCY_KEY_INVALID', `An idempotency key of 1 to ${IDEMPOTENCY_KEY_MAX} characters is required.`, 'idempotencyKey'));
  }
  if (cmd.actor.length === 0 || cmd.actor.length > ACTOR_MAX) {
    return fail(refusal('ACTOR_INVALID', `The acting user must be named (1 to ${ACTOR_MAX} characters).`, 'actor'));
  }
  const requestHash = sha256Hex(requestFingerprint(cmd));
  const earlier = state.txByKey.get(cmd.idempotencyKey);
  if (earlier !== undefined) {
    if (earlier.requestHash === requestHash) return { ok: true, tx: earlier, replayed: true };
    return fail(refusal('IDEMPOTENCY_CONFLICT', 'This idempotency key was already used for a different request.', 'idempotencyKey'));
  }
  const movement = resolve(state, cmd.request);
  if ('code' in movement) return fail(movement);
  const held = checkHoldings(state, movement);
  if (held !== null) return fail(held);

  const proposed: Tx = {
    id: env.newId(),
    jurisdictionId: state.jurisdictionId,
    ...movement,
    status: 'proposed',
    idempotencyKey: cmd.idempotencyKey,
    requestHash,
    proposedBy: cmd.actor,
    approvedBy: null,
    decidedBy: null,
    reason: null,
    proposedAt: env.now,
    approvedAt: null,
    decidedAt: null,
    completedAt: null,
    journalSeq: null,
  };
  if (!cmd.execute) {
    record(state, effects, proposed);
    return { ok: true, tx: proposed, replayed: false };
  }
  const approved: Tx = { ...proposed, status: 'approved', approvedBy: cmd.actor, approvedAt: env.now };
  return complete(state, effects, approved, env);
}

/** Everything that makes two submissions the same request, in a fixed order. */
function requestFingerprint(cmd: Extract<LedgerCommand, { kind: 'submit' }>): string {
  const r = cmd.request;
  const parts =
    r.type === 'reversal'
      ? [r.type, r.reversesTxId]
      : [r.type, 'fromAccountId' in r ? r.fromAccountId : null, 'toAccountId' in r ? r.toAccountId : null, r.unitTypeId, r.quantityT.toString()];
  return JSON.stringify([cmd.actor, cmd.execute, ...parts]);
}

function resolve(state: LedgerState, req: TxRequest): Movement | Refusal {
  if (req.type === 'reversal') return resolveReversal(state, req.reversesTxId);
  if (!state.unitTypes.has(req.unitTypeId)) {
    return refusal('UNKNOWN_UNIT_TYPE', `No unit type ${req.unitTypeId} in this registry.`, 'unitTypeId');
  }
  if (req.quantityT <= 0n || req.quantityT > QUANTITY_T_MAX) {
    return refusal('QUANTITY_OUT_OF_RANGE', `The quantity must be a whole number of tonnes from 1 to ${QUANTITY_T_MAX}.`, 'quantityT');
  }
  const base = { type: req.type, unitTypeId: req.unitTypeId, quantityT: req.quantityT, reversesTxId: null };
  switch (req.type) {
    case 'issuance': {
      const to = holdingAccount(state, req.toAccountId, 'toAccountId');
      return 'code' in to ? to : { ...base, fromAccountId: null, toAccountId: to.id };
    }
    case 'transfer': {
      const from = holdingAccount(state, req.fromAccountId, 'fromAccountId');
      if ('code' in from) return from;
      const to = holdingAccount(state, req.toAccountId, 'toAccountId');
      if ('code' in to) return to;
      if (from.id === to.id) return refusal('SAME_ACCOUNT', 'A transfer needs two different accounts.', 'toAccountId');
      return { ...base, fromAccountId: from.id, toAccountId: to.id };
    }
    case 'surrender':
    case 'retirement':
    case 'cancellation': {
      const from = holdingAccount(state, req.fromAccountId, 'fromAccountId');
      if ('code' in from) return from;
      if (req.type === 'surrender' && from.type !== 'facility_compliance') {
        return refusal('SURRENDER_FROM_COMPLIANCE_ACCOUNT', 'Units are surrendered from a facility compliance account.', 'fromAccountId');
      }
      return { ...base, fromAccountId: from.id, toAccountId: state.terminalAccounts[req.type] };
    }
  }
}

function holdingAccount(state: LedgerState, id: string, field: string): Account | Refusal {
  const account = state.accounts.get(id);
  if (account === undefined || account.jurisdictionId !== state.jurisdictionId) {
    return refusal('UNKNOWN_ACCOUNT', `No account ${id} in this registry.`, field);
  }
  if (account.status !== 'open') return refusal('ACCOUNT_NOT_OPEN', `Account ${account.number} is ${account.status}.`, field);
  if (!HOLDING_ACCOUNT_TYPES.includes(account.type)) {
    return refusal('ACCOUNT_TYPE_NOT_ALLOWED', `Account ${account.number} (${account.type}) cannot take part in this transaction.`, field);
  }
  return account;
}

function resolveReversal(state: LedgerState, originalId: string): Movement | Refusal {
  const original = state.txById.get(originalId);
  if (original === undefined || original.jurisdictionId !== state.jurisdictionId) {
    return refusal('UNKNOWN_TRANSACTION', `No transaction ${originalId} in this registry.`, 'reversesTxId');
  }
  if (original.status !== 'completed') {
    return refusal('REVERSAL_NOT_COMPLETED', 'Only a completed transaction can be reversed.', 'reversesTxId');
  }
  if (original.type === 'reversal') return refusal('REVERSAL_OF_REVERSAL', 'A reversal cannot itself be reversed.', 'reversesTxId');
  if (state.reversalOf.has(original.id)) {
    return refusal('ALREADY_REVERSED', 'This transaction already has a reversal.', 'reversesTxId');
  }
  assert(original.toAccountId !== null, 'a completed non-reversal transaction has a destination');
  return {
    type: 'reversal',
    unitTypeId: original.unitTypeId,
    quantityT: original.quantityT,
    fromAccountId: original.toAccountId,
    toAccountId: original.fromAccountId,
    reversesTxId: original.id,
  };
}

/** Null when the source holds what the movement needs now; otherwise why not. */
function checkHoldings(state: LedgerState, m: Movement): Refusal | null {
  if (m.fromAccountId === null) return null;
  const holding = state.holdings.get(holdingKey(m.fromAccountId, m.unitTypeId));
  assert(holding !== undefined, 'the batch loaded every holding it moves units from');
  if (m.reversesTxId !== null) {
    const moves = state.movesByTx.get(m.reversesTxId);
    assert(moves !== undefined, 'the batch loaded the moves of every transaction it reverses');
    return takeExact(holding, moves) === null
      ? refusal('REVERSAL_UNITS_MOVED', 'The units of the original transaction are no longer all in its destination account.', 'reversesTxId')
      : null;
  }
  if (holdsAtLeast(holding, m.quantityT)) return null;
  return refusal('INSUFFICIENT_UNITS', `The account holds ${totalSize(holding)} t of this unit type; ${m.quantityT} t were requested.`, 'quantityT');
}

function holdsAtLeast(holding: readonly SerialRange[], quantityT: bigint): boolean {
  let sum = 0n;
  for (const b of holding) {
    sum += b.end - b.start + 1n;
    if (sum >= quantityT) return true;
  }
  return false;
}

function approve(state: LedgerState, effects: LedgerEffects, tx: Tx, actor: string, env: LedgerEnv): CommandResult {
  if (tx.status === 'approved' && tx.approvedBy === actor) return { ok: true, tx, replayed: true };
  if (tx.status !== 'proposed') return fail(refusal('INVALID_STATE', `The transaction is ${tx.status}; only a proposed one can be approved.`, 'txId'));
  if (actor === tx.proposedBy) {
    return fail(refusal('FOUR_EYES', 'A transaction must be approved by a different representative than its proposer.', 'actor'));
  }
  const approved: Tx = { ...tx, status: 'approved', approvedBy: actor, approvedAt: env.now };
  record(state, effects, approved);
  return { ok: true, tx: approved, replayed: false };
}

function decide(state: LedgerState, effects: LedgerEffects, tx: Tx, cmd: Extract<LedgerCommand, { kind: 'reject' | 'cancel' }>, env: LedgerEnv): CommandResult {
  const status = cmd.kind === 'reject' ? 'rejected' : 'cancelled';
  if (tx.status === status) return { ok: true, tx, replayed: true };
  if (tx.status !== 'proposed' && tx.status !== 'approved') {
    return fail(refusal('INVALID_STATE', `The transaction is ${tx.status}; it can no longer be ${status}.`, 'txId'));
  }
  const reason = cmd.kind === 'reject' ? cmd.reason : null;
  const decided: Tx = { ...tx, status, decidedBy: cmd.actor, reason, decidedAt: env.now };
  record(state, effects, decided);
  if (tx.reversesTxId !== null) state.reversalOf.delete(tx.reversesTxId);
  return { ok: true, tx: decided, replayed: false };
}

/** Completes an approved transaction: re-checks holdings, moves the blocks, appends the journal entry. */
function complete(state: LedgerState, effects: LedgerEffects, tx: Tx, env: LedgerEnv): CommandResult {
  if (tx.status === 'completed') return { ok: true, tx, replayed: true };
  if (tx.status !== 'approved') return fail(refusal('INVALID_STATE', `The transaction is ${tx.status}; only an approved one can be completed.`, 'txId'));
  const held = checkHoldings(state, tx);
  if (held !== null) return fail(held);

  const moved = move(state, effects, tx);
  const seq = state.journalSeq + 1n;
  const completed: Tx = { ...tx, status: 'completed', completedAt: env.now, journalSeq: seq };
  const body = encodeJournalBody(journalBody(completed, seq, moved));
  const hash = chainHash(state.journalHead, body);
  effects.journal.push({ seq, txId: completed.id, prevHash: state.journalHead, hash, body });
  state.journalSeq = seq;
  state.journalHead = hash;
  state.movesByTx.set(completed.id, moved);
  record(state, effects, completed);
  return { ok: true, tx: completed, replayed: false };
}

function move(state: LedgerState, effects: LedgerEffects, tx: Tx): SerialRange[] {
  let moved: SerialRange[];
  if (tx.fromAccountId === null) {
    moved = [{ start: state.serialNext, end: state.serialNext + tx.quantityT - 1n }];
    state.serialNext += tx.quantityT;
  } else {
    const key = holdingKey(tx.fromAccountId, tx.unitTypeId);
    const holding = state.holdings.get(key)!;
    let remaining: SerialRange[];
    if (tx.reversesTxId !== null) {
      moved = state.movesByTx.get(tx.reversesTxId)!;
      remaining = takeExact(holding, moved)!;
    } else {
      const taken = takeOldest(holding, tx.quantityT)!;
      moved = taken.moved;
      remaining = taken.remaining;
    }
    assertWellFormed(remaining, key);
    state.holdings.set(key, remaining);
    effects.touchedHoldings.add(key);
  }
  assert(totalSize(moved) === tx.quantityT, 'a transaction moves exactly its quantity');

  if (tx.toAccountId === null) {
    adjustIssued(state, effects, tx.unitTypeId, -tx.quantityT);
  } else {
    const key = holdingKey(tx.toAccountId, tx.unitTypeId);
    const holding = state.holdings.get(key);
    assert(holding !== undefined, 'the batch loaded every holding it moves units to');
    const arrived = addRanges(holding, moved);
    assertWellFormed(arrived, key);
    state.holdings.set(key, arrived);
    effects.touchedHoldings.add(key);
  }
  if (tx.fromAccountId === null) adjustIssued(state, effects, tx.unitTypeId, tx.quantityT);
  return moved;
}

function adjustIssued(state: LedgerState, effects: LedgerEffects, unitTypeId: string, deltaT: bigint): void {
  const unitType = state.unitTypes.get(unitTypeId)!;
  const issuedT = unitType.issuedT + deltaT;
  assert(issuedT >= 0n, 'issued quantity never goes below zero');
  state.unitTypes.set(unitTypeId, { ...unitType, issuedT });
  effects.touchedUnitTypes.add(unitTypeId);
}

function record(state: LedgerState, effects: LedgerEffects, tx: Tx): void {
  state.txById.set(tx.id, tx);
  state.txByKey.set(tx.idempotencyKey, tx);
  if (tx.reversesTxId !== null) state.reversalOf.set(tx.reversesTxId, tx.id);
  effects.txs.set(tx.id, tx);
}
