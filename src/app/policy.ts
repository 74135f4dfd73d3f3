// The registry's security policy around the ledger: who may propose and approve (representative rights, authority
// roles), four eyes, transaction limits, trusted-only accounts, and the delay for transfers to accounts not on the
// source's trusted list. The HTTP layer calls these, never Registry's commands directly.
//
// Ordering. A ledger command commits in the Registry's own group-committed transaction; its audit event is written
// right after the command's result, in a second transaction (with the hold row it concerns). A crash between the two
// can lose that audit event but never the change itself: the transactions table still records who proposed,
// approved, rejected or cancelled and when. Before approving, the policy writes the transaction's hold row
// (execute_after), so an approved transaction always has one and `completeDue` finishes it even after a crash.
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
import type { Tx, TxRequest, TxType } from '../domain/registry/model.js';
import type { Database } from '../store/db.js';
import { txFromRow } from '../store/ledger-store.js';
import { appendAuditEvent } from './audit.js';
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
    const result = await this.registry.submit(jurisdictionId, request, { idempotencyKey, actor: actor.id });
    if (!result.ok) throw new RefusedError(result.refusal);
    if (!result.replayed) {
      await appendAuditEvent(this.db.kysely, actor, {
        jurisdictionId,
        action: 'transaction.propose',
        objectType: 'transaction',
        objectId: result.tx.id,
        after: { ...txFacts(result.tx), trustedDestination: request.type === 'transfer' ? trusted : null },
      }, now);
    }
    return { tx: result.tx, replayed: result.replayed, hold: null, completionRefusal: null };
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
    // The hold first: an approved transaction always has one, whatever happens next.
    await this.writeHold(tx, hold, now);

    const result = await this.registry.approve(jurisdictionId, txId, actor.id);
    if (!result.ok) throw new RefusedError(result.refusal);
    await this.db.kysely.transaction().execute(async (trx) => {
      await this.writeHold(tx, hold, now, trx);
      await appendAuditEvent(trx, actor, {
        jurisdictionId,
        action: 'transaction.approve',
        objectType: 'transaction',
        objectId: tx.id,
        before: { status: tx.status },
        after: { ...txFacts(result.tx), executeAfter: hold.executeAfter, delayRule: hold.delayRule },
      }, now);
    });
    if (hold.delayRule !== null) return { tx: result.tx, replayed: result.replayed, hold, completionRefusal: null };
    const done = await this.finish(jurisdictionId, txId, actor, now);
    return { tx: done.tx, replayed: false, hold, completionRefusal: done.refusal };
  }

  /** Rejects a proposed or approved (held) transaction; needs the right to approve. */
  async rejectTransaction(actor: Actor, jurisdictionId: string, txId: string, reason: string): Promise<TransactionOutcome> {
    throwIf(actorIsNamed(actor));
    if (reason.trim() === '' || reason.length > REASON_MAX) refuse('REASON_INVALID', `A rejection gives a reason (1 to ${REASON_MAX} characters).`, 'reason');
    const tx = await this.storedTx(jurisdictionId, txId);
    await this.requireDecider(actor, tx);
    const result = await this.registry.reject(jurisdictionId, txId, actor.id, reason);
    if (!result.ok) throw new RefusedError(result.refusal);
    if (!result.replayed) await this.closeHold(tx, actor, 'void', null, 'transaction.reject', { status: result.tx.status, reason }, this.access.now());
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
    const result = await this.registry.cancel(jurisdictionId, txId, actor.id);
    if (!result.ok) throw new RefusedError(result.refusal);
    if (!result.replayed) await this.closeHold(tx, actor, 'void', null, 'transaction.cancel', { status: result.tx.status }, this.access.now());
    return { tx: result.tx, replayed: result.replayed, hold: null, completionRefusal: null };
  }

  // ---- completion ---------------------------------------------------------------------------------------

  /**
   * The delay job: completes every held transaction whose execute_after is at or before `now` (at most `max` per
   * call), re-checking holdings through Registry.complete. One that can no longer complete (the units are gone) is
   * rejected with the refusal as its reason. Holds of transactions cancelled or rejected meanwhile are closed.
   */
  async completeDue(now: Date, max: number = COMPLETE_DUE_MAX): Promise<DueReport> {
    if (!Number.isInteger(max) || max < 1 || max > COMPLETE_DUE_MAX) refuse('LIMIT_OUT_OF_RANGE', `completeDue takes 1 to ${COMPLETE_DUE_MAX} holds.`, 'max');
    const due = await this.db.kysely
      .selectFrom('transaction_holds as h')
      .innerJoin('transactions as t', 't.id', 'h.tx_id')
      .select(['h.tx_id', 'h.jurisdiction_id', 'h.execute_after', 't.status'])
      .where('h.closed_at', 'is', null)
      .where('h.execute_after', '<=', now.toISOString())
      .where('t.status', '<>', 'proposed')
      .orderBy('h.execute_after')
      .limit(max)
      .execute();
    const report: DueReport = { completed: [], rejected: [], closed: [] };
    // Concurrently: the Registry group-commits the completions of one jurisdiction into few transactions.
    await Promise.all(
      due.map(async (h) => {
        // Never before execute_after: the query ensures it; the rule states it.
        assert(delayElapsed(new Date(h.execute_after), now) === null, 'a due hold has elapsed');
        if (h.status !== 'approved') {
          const tx = await this.storedTx(h.jurisdiction_id, h.tx_id);
          if (tx.status === 'completed') {
            // Completed but the hold stayed open: a crash after completion; record it now.
            await this.closeHold(tx, COMPLETION_ACTOR, 'completed', null, 'transaction.complete', txFacts(tx), now);
            report.completed.push(tx.id);
          } else {
            await this.closeHold(tx, COMPLETION_ACTOR, 'void', null, null, null, now);
            report.closed.push(tx.id);
          }
          return;
        }
        const done = await this.finish(h.jurisdiction_id, h.tx_id, COMPLETION_ACTOR, now);
        if (done.refusal === null) report.completed.push(h.tx_id);
        else report.rejected.push({ txId: h.tx_id, code: done.refusal.code });
      }),
    );
    return report;
  }

  /** Completes an approved transaction; when completion is refused, rejects it with the refusal as its reason. */
  private async finish(jurisdictionId: string, txId: string, actor: Actor, now: Date): Promise<{ tx: Tx; refusal: Refusal | null }> {
    const result = await this.registry.complete(jurisdictionId, txId);
    const tx = await this.storedTx(jurisdictionId, txId);
    if (result.ok) {
      // A replay (completed by a twin call) closes the hold without a second audit event.
      const action = result.replayed ? null : 'transaction.complete';
      await this.closeHold(tx, actor, 'completed', null, action, txFacts(result.tx), now);
      return { tx: result.tx, refusal: null };
    }
    if (tx.status !== 'approved') {
      // Cancelled, rejected or completed by someone else meanwhile.
      await this.closeHold(tx, actor, tx.status === 'completed' ? 'completed' : 'void', null, null, null, now);
      return { tx, refusal: tx.status === 'completed' ? null : result.refusal };
    }
    const reason = `${result.refusal.code}: ${result.refusal.message}`.slice(0, REASON_MAX);
    const rejected = await this.registry.reject(jurisdictionId, txId, COMPLETION_ACTOR.id, reason);
    if (rejected.ok) {
      await this.closeHold(tx, COMPLETION_ACTOR, 'rejected', result.refusal.code, 'transaction.reject', { status: rejected.tx.status, reason }, now);
      return { tx: rejected.tx, refusal: result.refusal };
    }
    return { tx, refusal: result.refusal };
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  private async requireDecider(actor: Actor, tx: Tx): Promise<void> {
    if (isAuthorityTx(tx.type) || tx.fromAccountId === null) await this.access.require(actor, 'authority_tx.approve', { jurisdictionId: tx.jurisdictionId });
    else await this.access.require(actor, 'transaction.approve', { jurisdictionId: tx.jurisdictionId, accountId: tx.fromAccountId });
  }

  /** Writes (or, while open, refreshes) the hold of a transaction. */
  private async writeHold(tx: Tx, hold: HoldView, now: Date, ex = this.db.kysely): Promise<void> {
    await ex
      .insertInto('transaction_holds')
      .values({ tx_id: tx.id, jurisdiction_id: tx.jurisdictionId, execute_after: hold.executeAfter, delay_rule: hold.delayRule, created_at: now.toISOString(), closed_at: null, outcome: null, outcome_code: null })
      .onConflict((oc) =>
        oc.column('tx_id').doUpdateSet({ execute_after: hold.executeAfter, delay_rule: hold.delayRule }).where('transaction_holds.closed_at', 'is', null),
      )
      .execute();
  }

  /** Closes the hold (if open) and writes the audit event of the change, in one transaction. */
  private async closeHold(
    tx: Tx,
    actor: Actor,
    outcome: 'completed' | 'rejected' | 'void',
    outcomeCode: string | null,
    action: string | null,
    after: unknown,
    now: Date,
  ): Promise<void> {
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx
        .updateTable('transaction_holds')
        .set({ closed_at: now.toISOString(), outcome, outcome_code: outcomeCode })
        .where('tx_id', '=', tx.id)
        .where('closed_at', 'is', null)
        .execute();
      if (action !== null) {
        await appendAuditEvent(trx, actor, { jurisdictionId: tx.jurisdictionId, action, objectType: 'transaction', objectId: tx.id, before: { status: tx.status }, after }, now);
      }
    });
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

function throwIf(r: Refusal | null): void {
  if (r !== null) throw new RefusedError(r);
}
