// The registry's security rules for transactions, each named with its error code (after the UK ETS Registry's
// business rules): four eyes, the trusted account list and its activation delay, the delay for transfers to
// untrusted accounts, transaction limits, trusted-only accounts and the number of representatives.
// Pure: times are arguments, settings are data.
import { refusal, type Refusal } from '../errors.js';
import type { AccountType, TxType } from '../registry/model.js';
import type { AccessSettings } from './settings.js';

/** Rule FOUR_EYES: a transaction is approved by someone other than its proposer (UK: FourEyesPrincipleRule). */
export function fourEyes(proposerId: string, approverId: string): Refusal | null {
  return proposerId === approverId
    ? refusal('FOUR_EYES', 'A transaction must be approved by a different representative than its proposer.', 'actor')
    : null;
}

/** One entry of an account's trusted list, as stored. */
export interface TrustedEntry {
  readonly accountId: string;
  readonly trustedAccountId: string;
  readonly activeFrom: Date;
  readonly removedAt: Date | null;
}

/** When an account added at `addedAt` starts to count as trusted. */
export function trustedActiveFrom(addedAt: Date, settings: AccessSettings): Date {
  return new Date(addedAt.getTime() + settings.trustedActivationDelayMs);
}

/** Rule TRUSTED_ACTIVATION_DELAY: an entry counts from active_from until it is removed (removals count at once). */
export function trustedEntryActive(entry: TrustedEntry, at: Date): boolean {
  return entry.activeFrom.getTime() <= at.getTime() && (entry.removedAt === null || entry.removedAt.getTime() > at.getTime());
}

/** Whether `toAccountId` is on `fromAccountId`'s trusted list at `at`. */
export function isTrusted(entries: readonly TrustedEntry[], fromAccountId: string, toAccountId: string, at: Date): boolean {
  return entries.some((e) => e.accountId === fromAccountId && e.trustedAccountId === toAccountId && trustedEntryActive(e, at));
}

/** Rule TRUSTED_NOT_SELF: an account is not its own trusted account. */
export function trustedNotSelf(accountId: string, trustedAccountId: string): Refusal | null {
  return accountId === trustedAccountId ? refusal('TRUSTED_SELF', 'An account cannot be on its own trusted list.', 'trustedAccountId') : null;
}

/** What the delay rule needs to know about a transaction. */
export interface DelayInput {
  readonly type: TxType;
  readonly proposedAt: Date;
  /** Whether the destination is on the source's active trusted list (only transfers have one). */
  readonly trusted: boolean;
}

/** Only transfers between holding accounts are delayed; surrenders, retirements, issuances and reversals are not. */
export function delayApplies(input: DelayInput): boolean {
  return input.type === 'transfer' && !input.trusted;
}

/**
 * Rule UNTRUSTED_DESTINATION_DELAY: the earliest moment a transaction may complete. A transfer to an untrusted
 * account waits the program's delay counted from its proposal (EU: "26 hours"); everything else may complete at once
 * (returns null).
 */
export function executeAfter(input: DelayInput, settings: AccessSettings): Date | null {
  return delayApplies(input) ? new Date(input.proposedAt.getTime() + settings.untrustedTransferDelayMs) : null;
}

/** When an approval at `now` lets the transaction complete: now, or later when the delay has not yet elapsed. */
export function completionTime(input: DelayInput, now: Date, settings: AccessSettings): Date {
  const after = executeAfter(input, settings);
  return after === null || after.getTime() <= now.getTime() ? now : after;
}

/** Rule DELAY_NOT_ELAPSED: nothing completes before its execute_after. */
export function delayElapsed(executeAfterAt: Date, now: Date): Refusal | null {
  return now.getTime() < executeAfterAt.getTime()
    ? refusal('DELAY_NOT_ELAPSED', `This transaction may complete from ${executeAfterAt.toISOString()}.`, 'txId')
    : null;
}

/** The limit that applies to a transfer out of `fromAccountId`: the lowest of the jurisdiction's and the account's. */
export function effectiveLimitT(fromAccountId: string, settings: AccessSettings): bigint | null {
  const account = Object.hasOwn(settings.accountTransactionLimitsT, fromAccountId) ? settings.accountTransactionLimitsT[fromAccountId] : undefined;
  const limits = [settings.transactionLimitT, account ?? null].filter((v): v is bigint => v !== null);
  return limits.length === 0 ? null : limits.reduce((a, b) => (a < b ? a : b));
}

export interface LimitInput {
  readonly type: TxType;
  readonly fromAccountId: string;
  readonly quantityT: bigint;
  readonly trusted: boolean;
}

/**
 * Rule TRANSACTION_LIMIT: a transfer moves at most the lowest applicable limit (EU: 2,000,000 per transaction to
 * untrusted accounts, Reg. 2023/1642). Surrenders, retirements and authority transactions are not limited.
 */
export function withinTransactionLimit(input: LimitInput, settings: AccessSettings): Refusal | null {
  if (input.type !== 'transfer') return null;
  if (input.trusted && settings.limitApplies === 'untrusted') return null;
  const limitT = effectiveLimitT(input.fromAccountId, settings);
  if (limitT === null || input.quantityT <= limitT) return null;
  const to = settings.limitApplies === 'untrusted' ? ' to an account not on the trusted list' : '';
  return refusal('TRANSACTION_LIMIT_EXCEEDED', `One transfer${to} moves at most ${limitT} t; ${input.quantityT} t were requested.`, 'quantityT');
}

/** Rule TRUSTED_ACCOUNTS_ONLY: some account types transfer only to accounts on their trusted list. */
export function trustedOnly(input: { readonly type: TxType; readonly fromAccountType: AccountType; readonly trusted: boolean }, settings: AccessSettings): Refusal | null {
  if (input.type !== 'transfer' || input.trusted || !settings.trustedOnlyAccountTypes.includes(input.fromAccountType)) return null;
  return refusal('TRUSTED_ACCOUNTS_ONLY', `A ${input.fromAccountType} account transfers only to accounts on its active trusted list.`, 'toAccountId');
}

/** Rule REPRESENTATIVES_MAX: an account has at most the configured number of active representatives. */
export function representativesWithinMax(activeCount: number, settings: AccessSettings): Refusal | null {
  return activeCount >= settings.representativesPerAccountMax
    ? refusal('REPRESENTATIVES_MAX', `An account has at most ${settings.representativesPerAccountMax} representatives.`, 'userId')
    : null;
}

/** The first refusal of several rules, or null when all pass. */
export function firstRefusal(...results: readonly (Refusal | null)[]): Refusal | null {
  return results.find((r) => r !== null) ?? null;
}
