// The registry's security policy around the ledger: who may propose and approve (representative rights, authority
// roles), four eyes, transaction limits, trusted-only accounts, and the delay for transfers to accounts not on the
// source's trusted list. The HTTP layer calls these, never Registry's commands directly.
//
// One commit per step. A ledger command's audit event and the hold row it concerns are written in the Registry's
// group-committed transaction that carries the command (Registry's `withResults`): the change, its hold and its
// audit event commit together or not at all. An approval that needs no delay carries its completion in the same
// batch, so a transfer to a trusted account takes two commits: the proposal and the approval with completion.
import { assert } from '../domain/assert.js';
import { RefusedError, type Refusal } from '../domain/errors.js';
import { actorIsNamed, systemActor, type Actor } from '../domain/access/roles.js';
import {
  completionTime,
  delayElapsed,
  firstRefusal,
  fourEyes,
  trustedOnly,
  withinTransactionLimit,
} from '../domain/access/transaction-rules.js';
import type { CommandResult } from '../domain/registry/ledger.js';
import type { Tx, TxRequest, TxType } from '../domain/registry/model.js';
import type { Database, Statement, WriteSession } from '../store/db.js';
import { txFromRow } from '../store/ledger-store.js';
import { auditEventRow, auditEventStatements, type AuditEventInput } from './audit.js';
import { accountById, refuse, type AccessControl } from './authorization.js';
import type { Registry } from './registry.js';

/** Who completes due transactions and rejects the ones that can no longer complete. */
export const COMPLETION_ACTOR: Actor = systemActor('complete-due');
/** Most holds one completeDue call takes on. */
export const COMPLETE_DUE_MAX = 256;
const REASON_MAX = 1000;

export interface HoldView {
  /** The earliest moment the transaction may complete (ISO-8601). */
  readonly executeAfter: string;
  /** The rule that delayed it (UNTRUSTED_DESTINATION_DELAY), or null when nothing did. */
  readonly delayRule: string | null;
}

export interface TransactionOutcome {
  readonly tx: Tx;
  /** The same request was made before (idempotency key, or the same approver again): nothing changed. */
  readonly replayed: boolean;
  /** Set after an approval: when it completes (or completed). */
  readonly hold: HoldView | null;
  /** Set when the approval went through but completion failed its checks: the transaction was then rejected. */
  readonly completionRefusal: Refusal | null;
}

/** What the policy reads of a stored transaction. */
export interface DueReport {
  readonly completed: string[];
  readonly rejected: { readonly txId: string; readonly code: string }[];
  /** Holds closed because their transaction was cancelled, rejected or completed elsewhere. */
  readonly closed: string[];
}

const AUTHORITY_TYPES: readonly TxType[] = ['issuance', 'reversal'];

function isAuthorityTx(type: TxType): boolean {
  return AUTHORITY_TYPES.includes(type);
}

/** The audit record of a transaction: small, references by id. */
function txFacts(tx: Tx): Record<string, unknown> {
  return {
    type: tx.type,
    status: tx.status,
    quantityT: tx.quantityT,
    unitTypeId: tx.unitTypeId,
    fromAccountId: tx.fromAccountId,
    toAccountId: tx.toAccountId,
  };
}

export class RegistryPolicy {
  readonly db: Database;

  constructor(
    readonly registry: Registry,
    readonly access: AccessControl,
  ) {
    this.db = access.db;
  }

  // ---- proposal ---------------------------------------------------------------------------------------------

  /**
   * Proposes a transaction: account transactions need a representative with the right to initiate on the source
   * account, issuances and reversals an authority administrator. Transfers are checked against the transaction
   * limits and trusted-only rule. The transaction stays proposed until a second person approves it.
   */
  async proposeTransaction(actor: Actor, jurisdictionId: string, request: TxRequest, idempotencyKey: string): Promise<TransactionOutcome> {
    throwIf(actorIsNamed(actor));
    if (isAuthorityTx(request.type)) {
      await this.access.require(actor, 'authority_tx.propose', { jurisdictionId });
    } else {
      assert('fromAccountId' in request, 'account transactions name their source account');
      await this.access.require(actor, 'transaction.propose', { jurisdictionId, accountId: request.fromAccountId });
    }
    const now = this.access.now();
    let trusted = false;
    if (request.type === 'transfer') {
      const settings = this.access.settingsFor(jurisdictionId);
      const from = await accountById(this.db.kysely, request.fromAccountId);
      if (from === undefined) refuse('UNKNOWN_ACCOUNT', `No account ${request.fromAccountId}.`, 'fromAccountId');
      trusted = await this.access.isTrusted(request.fromAccountId, request.toAccountId, now);
      throwIf(
        firstRefusal(
          trustedOnly({ type: request.type, fromAccountType: from.type, trusted }, settings),
          withinTransactionLimit({ type: request.type, fromAccountId: request.fromAccountId, quantityT: request.quantityT, trusted }, settings),
        ),
      );
    }
    const [result] = await this.registry.runAll(jurisdictionId, [{ kind: 'submit', request, idempotencyKey, actor: actor.id, execute: false }], {
      withResults: ([r], s) =>
        changed(r) ? audit(s, actor, now, { jurisdictionId, action: 'transaction.propose', objectId: r.tx.id, after: { ...txFacts(r.tx), trustedDestination: request.type === 'transfer' ? trusted : null } }) : [],
    });
    if (!result!.ok) throw new RefusedError(result!.refusal);
    return { tx: result!.tx, replayed: result!.replayed, hold: null, completionRefusal: null };
  }

  proposeTransfer(
    actor: Actor,
    input: { jurisdictionId: string; fromAccountId: string; toAccountId: string; unitTypeId: string; quantityT: bigint; idempotencyKey: string },
  ): Promise<TransactionOutcome> {
    const { jurisdictionId, idempotencyKey, ...rest } = input;
    return this.proposeTransaction(actor, jurisdictionId, { type: 'transfer', ...rest }, idempotencyKey);
  }

  // ---- approval -----------------------------------------------------------------------------------------

  /**
   * Approves a proposed transaction. Four eyes: the approver is not the proposer and holds the right to approve on
   * the source account (authority transactions: an authority administrator or officer). It then completes at once,
   * or — a transfer to an account not on the source's active trusted list — is held until the delay has passed
   * since its proposal, and `completeDue` completes it.
   */
  async approveTransaction(actor: Actor, jurisdictionId: string, txId: string): Promise<TransactionOutcome> {
    throwIf(actorIsNamed(actor));
    const tx = await this.storedTx(jurisdictionId, txId);
    await this.requireDecider(actor, tx);
    throwIf(fourEyes(tx.proposedBy, actor.id));
    if (tx.status === 'approved' && tx.approvedBy === actor.id) {
      return { tx, replayed: true, hold: await this.holdOf(tx.id), completionRefusal: null };
    }
    if (tx.status !== 'proposed') refuse('INVALID_STATE', `The transaction is ${tx.status}; only a proposed one can be approved.`, 'txId');

    const now = this.access.now();
    const trusted = tx.type === 'transfer' && tx.toAccountId !== null && tx.fromAccountId !== null && (await this.access.isTrusted(tx.fromAccountId, tx.toAccountId, now));
    const at = completionTime({ type: tx.type, proposedAt: tx.proposedAt, trusted }, now, this.access.settingsFor(jurisdictionId));
    const hold: HoldView = { executeAfter: at.toISOString(), delayRule: at.getTime() > now.getTime() ? 'UNTRUSTED_DESTINATION_DELAY' : null };
    // Without a delay the completion rides in the same batch: approval, completion, hold and audit events commit once.
    const commands = [{ kind: 'approve' as const, txId, actor: actor.id }, ...(hold.delayRule === null ? [{ kind: 'complete' as const, txId }] : [])];
    const [approved, completed] = await this.registry.runAll(jurisdictionId, commands, {
      withResults: ([a, c], s) => {
        if (!changed(a)) return [];
        const done = c !== undefined && changed(c);
        return [
          ...holdStatements(s, tx, hold, now, done ? 'completed' : null),
          ...audit(s, actor, now, {
            jurisdictionId,
            action: 'transaction.approve',
            objectId: tx.id,
            before: { status: tx.status },
            after: { ...txFacts(a.tx), executeAfter: hold.executeAfter, delayRule: hold.delayRule },
          }),
          ...(done ? audit(s, actor, now, { jurisdictionId, action: 'transaction.complete', objectId: tx.id, before: { status: 'approved' }, after: txFacts(c.tx) }) : []),
        ];
      },
    });
    if (!approved!.ok) throw new RefusedError(approved!.refusal);
    if (completed === undefined) return { tx: approved!.tx, replayed: approved!.replayed, hold, completionRefusal: null };
    if (completed.ok) return { tx: completed.tx, replayed: false, hold, completionRefusal: null };
    // Approved but not completable (the units are gone): rejected with the refusal as its reason.
    const done = await this.finish(jurisdictionId, txId, actor, now, completed);
    return { tx: done.tx, replayed: false, hold, completionRefusal: done.refusal };
  }

  /** Rejects a proposed or approved (held) transaction; needs the right to approve. */
  async rejectTransaction(actor: Actor, jurisdictionId: string, txId: string, reason: string): Promise<TransactionOutcome> {
    throwIf(actorIsNamed(actor));
    if (reason.trim() === '' || reason.length > REASON_MAX) refuse('REASON_INVALID', `A rejection gives a reason (1 to ${REASON_MAX} characters).`, 'reason');
    const tx = await this.storedTx(jurisdictionId, txId);
    await this.requireDecider(actor, tx);
    const now = this.access.now();
    const result = await this.registry.run(jurisdictionId, { kind: 'reject', txId, actor: actor.id, reason }, ([r], s) =>
      changed(r) ? closeStatements(s, r.tx, tx.status, actor, now, 'void', null, 'transaction.reject', { status: r.tx.status, reason }) : [],
    );
    if (!result.ok) throw new RefusedError(result.refusal);
    return { tx: result.tx, replayed: result.replayed, hold: null, completionRefusal: null };
  }

  /**
   * Cancels a proposed or approved (held) transaction — the point of the delay: a representative who sees a transfer
   * they did not want can stop it before it completes. Representatives of the source account (any right) or an
   * authority administrator; authority transactions by an authority administrator.
   */
  async cancelTransaction(actor: Actor, jurisdictionId: string, txId: string): Promise<TransactionOutcome> {
    throwIf(actorIsNamed(actor));
    const tx = await this.storedTx(jurisdictionId, txId);
    if (isAuthorityTx(tx.type) || tx.fromAccountId === null) await this.access.require(actor, 'authority_tx.propose', { jurisdictionId });
    else await this.access.require(actor, 'transaction.cancel', { jurisdictionId, accountId: tx.fromAccountId });
    const now = this.access.now();
    const result = await this.registry.run(jurisdictionId, { kind: 'cancel', txId, actor: actor.id }, ([r], s) =>
      changed(r) ? closeStatements(s, r.tx, tx.status, actor, now, 'void', null, 'transaction.cancel', { status: r.tx.status }) : [],
    );
    if (!result.ok) throw new RefusedError(result.refusal);
    return { tx: result.tx, replayed: result.replayed, hold: null, completionRefusal: null };
  }

  // ---- completion ---------------------------------------------------------------------------------------

  /**
   * The delay job: completes every held transaction whose execute_after is at or before `now` (at most `max` per
   * call), re-checking holdings through the ledger. One that can no longer complete (the units are gone) is
   * rejected with the refusal as its reason. One cancelled or rejected meanwhile is reported as closed.
   */
  async completeDue(now: Date, max: number = COMPLETE_DUE_MAX): Promise<DueReport> {
    if (!Number.isInteger(max) || max < 1 || max > COMPLETE_DUE_MAX) refuse('LIMIT_OUT_OF_RANGE', `completeDue takes 1 to ${COMPLETE_DUE_MAX} holds.`, 'max');
    const due = await this.db.kysely
      .selectFrom('transaction_holds as h')
      .innerJoin('transactions as t', 't.id', 'h.tx_id')
      .select(['h.tx_id', 'h.jurisdiction_id', 'h.execute_after'])
      .where('h.closed_at', 'is', null)
      .where('h.execute_after', '<=', now.toISOString())
      .where('t.status', '=', 'approved')
      .orderBy('h.execute_after')
      .limit(max)
      .execute();
    const report: DueReport = { completed: [], rejected: [], closed: [] };
    // Concurrently: the Registry group-commits the completions of one jurisdiction into few transactions.
    await Promise.all(
      due.map(async (h) => {
        // Never before execute_after: the query ensures it; the rule states it.
        assert(delayElapsed(new Date(h.execute_after), now) === null, 'a due hold has elapsed');
        const done = await this.finish(h.jurisdiction_id, h.tx_id, COMPLETION_ACTOR, now);
        if (done.refusal === null) report.completed.push(h.tx_id);
        else if (done.tx.status === 'rejected' && done.tx.decidedBy === COMPLETION_ACTOR.id) report.rejected.push({ txId: h.tx_id, code: done.refusal.code });
        else report.closed.push(h.tx_id);
      }),
    );
    return report;
  }

  /**
   * Completes an approved transaction — or takes the refused result of a completion just tried — and, when completion
   * is refused while the transaction is still approved, rejects it with the refusal as its reason.
   */
  private async finish(jurisdictionId: string, txId: string, actor: Actor, now: Date, tried?: CommandResult): Promise<{ tx: Tx; refusal: Refusal | null }> {
    const result =
      tried ??
      (await this.registry.run(jurisdictionId, { kind: 'complete', txId }, ([r], s) =>
        changed(r) ? closeStatements(s, r.tx, 'approved', actor, now, 'completed', null, 'transaction.complete', txFacts(r.tx)) : [],
      ));
    if (result.ok) return { tx: result.tx, refusal: null };
    const tx = await this.storedTx(jurisdictionId, txId);
    // Cancelled, rejected or completed by someone else meanwhile: that step closed the hold.
    if (tx.status !== 'approved') return { tx, refusal: tx.status === 'completed' ? null : result.refusal };
    const reason = `${result.refusal.code}: ${result.refusal.message}`.slice(0, REASON_MAX);
    const rejected = await this.registry.run(jurisdictionId, { kind: 'reject', txId, actor: COMPLETION_ACTOR.id, reason }, ([r], s) =>
      changed(r) ? closeStatements(s, r.tx, 'approved', COMPLETION_ACTOR, now, 'rejected', result.refusal.code, 'transaction.reject', { status: r.tx.status, reason }) : [],
    );
    return { tx: rejected.ok ? rejected.tx : tx, refusal: result.refusal };
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  private async requireDecider(actor: Actor, tx: Tx): Promise<void> {
    if (isAuthorityTx(tx.type) || tx.fromAccountId === null) await this.access.require(actor, 'authority_tx.approve', { jurisdictionId: tx.jurisdictionId });
    else await this.access.require(actor, 'transaction.approve', { jurisdictionId: tx.jurisdictionId, accountId: tx.fromAccountId });
  }

  private async holdOf(txId: string): Promise<HoldView | null> {
    const h = await this.db.kysely.selectFrom('transaction_holds').select(['execute_after', 'delay_rule']).where('tx_id', '=', txId).executeTakeFirst();
    return h === undefined ? null : { executeAfter: h.execute_after, delayRule: h.delay_rule };
  }

  private async storedTx(jurisdictionId: string, txId: string): Promise<Tx> {
    if (txId.length === 0 || txId.length > 200) refuse('UNKNOWN_TRANSACTION', 'No such transaction.', 'txId');
    const r = await this.db.kysely.selectFrom('transactions').selectAll().where('id', '=', txId).executeTakeFirst();
    if (r?.jurisdiction_id !== jurisdictionId) refuse('UNKNOWN_TRANSACTION', `No transaction ${txId} in this registry.`, 'txId');
    return txFromRow(r);
  }
}

/** A result that changed the ledger (not a refusal, not a replay): its rows are written with it. */
function changed(r: CommandResult | undefined): r is Extract<CommandResult, { ok: true }> {
  return r !== undefined && r.ok && !r.replayed;
}

function audit(s: WriteSession, actor: Actor, at: Date, event: Omit<AuditEventInput, 'objectType'>): Statement[] {
  return auditEventStatements(s, [auditEventRow(actor, { ...event, objectType: 'transaction' }, at)]);
}

/** The hold of an approved transaction: open until execute_after, or closed at once when completed in the same batch. */
function holdStatements(s: WriteSession, tx: Tx, hold: HoldView, now: Date, outcome: 'completed' | null): Statement[] {
  const at = now.toISOString();
  return s.insertMany(
    'transaction_holds',
    ['tx_id', 'jurisdiction_id', 'execute_after', 'delay_rule', 'created_at', 'closed_at', 'outcome', 'outcome_code'],
    [[tx.id, tx.jurisdictionId, hold.executeAfter, hold.delayRule, at, outcome === null ? null : at, outcome, null]],
  );
}

/** Closes the transaction's hold (if it has an open one) and appends the audit event of the step that closed it. */
function closeStatements(
  s: WriteSession,
  tx: Tx,
  before: string,
  actor: Actor,
  now: Date,
  outcome: 'completed' | 'rejected' | 'void',
  outcomeCode: string | null,
  action: string,
  after: unknown,
): Statement[] {
  return [
    { sql: 'UPDATE transaction_holds SET closed_at = ?, outcome = ?, outcome_code = ? WHERE tx_id = ? AND closed_at IS NULL', params: [now.toISOString(), outcome, outcomeCode, tx.id] },
    ...audit(s, actor, now, { jurisdictionId: tx.jurisdictionId, action, objectId: tx.id, before: { status: before }, after }),
  ];
}

function throwIf(r: Refusal | null): void {
  if (r !== null) throw new RefusedError(r);
}
