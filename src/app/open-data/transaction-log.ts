// The public transaction log, in the manner of the EU Transaction Log: completed transactions of a jurisdiction in
// journal order, each published once `transactionLogDelayMs` has passed since it completed (settings.ts), with the
// account numbers, types and holders involved — and nothing about the people who acted: no proposer, approver or
// decider ids, no idempotency key or request hash, no free-text reason, no proposal or approval times (they say when
// someone was at work). The journal's primary key (jurisdiction, seq) drives the read, so a page is an index range.
import type { Database } from '../../store/db.js';
import { TRANSACTIONS } from './dictionary.js';
import type { OpenDataSettings } from './settings.js';

export type LogCell = string | number | null;

/** Most entries one page carries (HTTP `limit`, and the batch the downloads read). */
export const TRANSACTION_LOG_PAGE_MAX = 1000;

export interface TransactionLogPage {
  /** Transactions completed at or before this instant are published; later ones are not yet. */
  readonly publishedUntil: Date;
  /** Rows in TRANSACTIONS.columns order. */
  readonly rows: readonly (readonly LogCell[])[];
  /** The journal sequence number to continue after, or null on the last page. */
  readonly nextAfterSeq: bigint | null;
}

/** The instant up to which completed transactions are public at `now`. */
export function publishedUntil(now: Date, settings: OpenDataSettings): Date {
  return new Date(now.getTime() - settings.transactionLogDelayMs);
}

export async function transactionLogPage(
  db: Database,
  jurisdictionId: string,
  options: { readonly afterSeq?: bigint | undefined; readonly limit: number; readonly now: Date; readonly settings: OpenDataSettings },
): Promise<TransactionLogPage> {
  if (!Number.isSafeInteger(options.limit) || options.limit < 1 || options.limit > TRANSACTION_LOG_PAGE_MAX) throw new Error(`transaction log page size 1..${TRANSACTION_LOG_PAGE_MAX}`);
  const until = publishedUntil(options.now, options.settings);
  let q = db.kysely
    .selectFrom('journal as j')
    .innerJoin('transactions as t', 't.id', 'j.tx_id')
    .innerJoin('unit_types as u', 'u.id', 't.unit_type_id')
    .leftJoin('accounts as fa', 'fa.id', 't.from_account_id')
    .leftJoin('accounts as ta', 'ta.id', 't.to_account_id')
    .select([
      'j.seq',
      't.id',
      't.type',
      't.completed_at',
      'u.code as unit_type',
      'u.kind as unit_kind',
      'u.vintage',
      't.quantity_t',
      'fa.number as from_number',
      'fa.type as from_type',
      'fa.holder as from_holder',
      'ta.number as to_number',
      'ta.type as to_type',
      'ta.holder as to_holder',
      't.reverses_tx_id',
    ])
    .where('j.jurisdiction_id', '=', jurisdictionId)
    .where('t.status', '=', 'completed')
    .where('t.completed_at', '<=', until.toISOString())
    .orderBy('j.seq')
    .limit(options.limit + 1);
  if (options.afterSeq !== undefined) q = q.where('j.seq', '>', options.afterSeq);
  const found = await q.execute();
  const more = found.length > options.limit;
  const shown = more ? found.slice(0, options.limit) : found;
  const names = options.settings.transactionLogHolderNames;
  const rows = shown.map((r): LogCell[] => [
    String(r.seq),
    r.id,
    r.type,
    r.completed_at,
    r.unit_type,
    r.unit_kind,
    r.vintage,
    String(r.quantity_t),
    r.from_number,
    r.from_type,
    names ? r.from_holder : null,
    r.to_number,
    r.to_type,
    names ? r.to_holder : null,
    r.reverses_tx_id,
  ]);
  const last = shown[shown.length - 1];
  return { publishedUntil: until, rows, nextAfterSeq: more && last !== undefined ? last.seq : null };
}

/** A row as an object keyed by the dictionary's column names (the HTTP page's items). */
export function logRowObject(row: readonly LogCell[]): Record<string, LogCell> {
  return Object.fromEntries(TRANSACTIONS.columns.map((c, i) => [c.name, row[i] ?? null]));
}
