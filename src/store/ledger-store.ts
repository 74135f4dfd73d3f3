// SQL of the ledger's write path: what one batch loads under the jurisdiction's lock, and how it stores the
// effects. Raw SQL through WriteSession (cached prepared statements on SQLite, one round trip per statement
// on PostgreSQL) because this path carries every transfer; docs/storage.md has the measurements.
import type { SerialRange } from '../domain/registry/blocks.js';
import { movesOf, type JournalBody } from '../domain/registry/journal.js';
import { holdingKey, type LedgerEffects, type LedgerState } from '../domain/registry/ledger.js';
import type { Account, AccountType, Tx, TxStatus, TxType, UnitType } from '../domain/registry/model.js';
import type { WriteSession } from './db.js';
import type { TransactionTable } from './schema.js';

export interface JurisdictionHead {
  readonly serialNext: bigint;
  readonly journalSeq: bigint;
  readonly journalHead: string;
  readonly version: bigint;
}

export function txFromRow(r: TransactionTable): Tx {
  return {
    id: r.id,
    jurisdictionId: r.jurisdiction_id,
    type: r.type as TxType,
    status: r.status as TxStatus,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    unitTypeId: r.unit_type_id,
    quantityT: r.quantity_t,
    fromAccountId: r.from_account_id,
    toAccountId: r.to_account_id,
    reversesTxId: r.reverses_tx_id,
    proposedBy: r.proposed_by,
    approvedBy: r.approved_by,
    decidedBy: r.decided_by,
    reason: r.reason,
    proposedAt: new Date(r.proposed_at),
    approvedAt: r.approved_at === null ? null : new Date(r.approved_at),
    decidedAt: r.decided_at === null ? null : new Date(r.decided_at),
    completedAt: r.completed_at === null ? null : new Date(r.completed_at),
    journalSeq: r.journal_seq,
  };
}

const TX_COLUMNS =
  'id, jurisdiction_id, type, status, idempotency_key, request_hash, unit_type_id, quantity_t, from_account_id, to_account_id, ' +
  'reverses_tx_id, proposed_by, approved_by, decided_by, reason, proposed_at, approved_at, decided_at, completed_at, journal_seq';

function txParams(tx: Tx): unknown[] {
  return [
    tx.id, tx.jurisdictionId, tx.type, tx.status, tx.idempotencyKey, tx.requestHash, tx.unitTypeId, tx.quantityT,
    tx.fromAccountId, tx.toAccountId, tx.reversesTxId, tx.proposedBy, tx.approvedBy, tx.decidedBy, tx.reason,
    tx.proposedAt.toISOString(), tx.approvedAt?.toISOString() ?? null, tx.decidedAt?.toISOString() ?? null,
    tx.completedAt?.toISOString() ?? null, tx.journalSeq,
  ];
}

function placeholders(n: number): string {
  return n === 1 ? '?' : `?${',?'.repeat(n - 1)}`;
}

/** Ids are bounded per batch, so an IN list stays far below both engines' parameter limits. */
async function byIds<Row>(s: WriteSession, sqlBefore: string, ids: readonly string[], extra: readonly unknown[] = []): Promise<Row[]> {
  if (ids.length === 0) return [];
  return s.query<Row>(`${sqlBefore} (${placeholders(ids.length)})`, [...extra, ...ids]);
}

export async function lockJurisdiction(s: WriteSession, jurisdictionId: string): Promise<JurisdictionHead | null> {
  const lock = s.engine === 'postgres' ? ' FOR UPDATE' : '';
  const rows = await s.query<{ serial_next: bigint; journal_seq: bigint; journal_head: string; ledger_version: bigint }>(
    `SELECT serial_next, journal_seq, journal_head, ledger_version FROM jurisdictions WHERE id = ?${lock}`,
    [jurisdictionId],
  );
  const row = rows[0];
  return row === undefined
    ? null
    : { serialNext: row.serial_next, journalSeq: row.journal_seq, journalHead: row.journal_head, version: row.ledger_version };
}

export async function txsByKeys(s: WriteSession, jurisdictionId: string, keys: readonly string[]): Promise<Tx[]> {
  const rows = await byIds<TransactionTable>(s, `SELECT ${TX_COLUMNS} FROM transactions WHERE jurisdiction_id = ? AND idempotency_key IN`, keys, [jurisdictionId]);
  return rows.map(txFromRow);
}

export async function txsByIds(s: WriteSession, ids: readonly string[]): Promise<Tx[]> {
  return (await byIds<TransactionTable>(s, `SELECT ${TX_COLUMNS} FROM transactions WHERE id IN`, ids)).map(txFromRow);
}

/** Reversals that are pending or done for the given originals (rejected and cancelled ones do not count). */
export async function liveReversalsOf(s: WriteSession, originalIds: readonly string[]): Promise<Tx[]> {
  const rows = await byIds<TransactionTable>(
    s,
    `SELECT ${TX_COLUMNS} FROM transactions WHERE reverses_tx_id IS NOT NULL AND status IN ('proposed','approved','completed') AND reverses_tx_id IN`,
    originalIds,
  );
  return rows.map(txFromRow);
}

/** The serials each completed transaction moved, from its journal entry. */
export async function movesByTx(s: WriteSession, txIds: readonly string[]): Promise<Map<string, SerialRange[]>> {
  const rows = await byIds<{ id: string; body: string }>(
    s,
    'SELECT t.id, j.body FROM transactions t JOIN journal j ON j.jurisdiction_id = t.jurisdiction_id AND j.seq = t.journal_seq WHERE t.id IN',
    txIds,
  );
  return new Map(rows.map((r) => [r.id, movesOf(JSON.parse(r.body) as JournalBody)]));
}

export async function accountsByIds(s: WriteSession, ids: readonly string[]): Promise<Account[]> {
  const rows = await byIds<{ id: string; jurisdiction_id: string; number: string; type: string; status: string }>(
    s,
    'SELECT id, jurisdiction_id, number, type, status FROM accounts WHERE id IN',
    ids,
  );
  return rows.map((r) => ({
    id: r.id,
    jurisdictionId: r.jurisdiction_id,
    number: r.number,
    type: r.type as AccountType,
    status: r.status as Account['status'],
  }));
}

export async function unitTypesByIds(s: WriteSession, ids: readonly string[]): Promise<UnitType[]> {
  const rows = await byIds<{ id: string; jurisdiction_id: string; code: string; issued_t: bigint }>(
    s,
    'SELECT id, jurisdiction_id, code, issued_t FROM unit_types WHERE id IN',
    ids,
  );
  return rows.map((r) => ({ id: r.id, jurisdictionId: r.jurisdiction_id, code: r.code, issuedT: r.issued_t }));
}

/** Every block of the given (account, unit type) pairs, keyed by holdingKey, each list sorted by serial. */
export async function blocksOf(s: WriteSession, pairs: readonly (readonly [string, string])[]): Promise<Map<string, SerialRange[]>> {
  const holdings = new Map<string, SerialRange[]>(pairs.map(([a, u]) => [holdingKey(a, u), []]));
  if (pairs.length === 0) return holdings;
  const accountIds = [...new Set(pairs.map(([a]) => a))];
  const unitTypeIds = [...new Set(pairs.map(([, u]) => u))];
  const rows = await s.query<{ account_id: string; unit_type_id: string; serial_start: bigint; serial_end: bigint }>(
    `SELECT account_id, unit_type_id, serial_start, serial_end FROM unit_blocks
     WHERE account_id IN (${placeholders(accountIds.length)}) AND unit_type_id IN (${placeholders(unitTypeIds.length)})
     ORDER BY account_id, unit_type_id, serial_end`,
    [...accountIds, ...unitTypeIds],
  );
  for (const r of rows) holdings.get(holdingKey(r.account_id, r.unit_type_id))?.push({ start: r.serial_start, end: r.serial_end });
  return holdings;
}

const TX_COLUMN_LIST = TX_COLUMNS.split(', ');
const TX_ON_CONFLICT = `ON CONFLICT (id) DO UPDATE SET status = excluded.status, approved_by = excluded.approved_by,
  decided_by = excluded.decided_by, reason = excluded.reason, approved_at = excluded.approved_at,
  decided_at = excluded.decided_at, completed_at = excluded.completed_at, journal_seq = excluded.journal_seq`;
const BLOCK_KEY = ['account_id', 'unit_type_id', 'serial_end'];

/**
 * Stores a batch's effects: transactions (insert or update), journal entries, the changed blocks (each touched
 * holding diffed against what was loaded), those holdings' balances, issued totals and the jurisdiction's head.
 * A few multi-row statements per batch, however many commands it carried.
 */
export async function writeEffects(
  s: WriteSession,
  jurisdictionId: string,
  loaded: ReadonlyMap<string, readonly SerialRange[]>,
  state: LedgerState,
  effects: LedgerEffects,
  version: bigint,
  storedTxIds: ReadonlySet<string>,
): Promise<void> {
  const txs = [...effects.txs.values()];
  const deleted: unknown[][] = [];
  const upserted: unknown[][] = [];
  const balances: unknown[][] = [];
  for (const key of effects.touchedHoldings) {
    const [accountId = '', unitTypeId = ''] = key.split('|');
    const after = state.holdings.get(key) ?? [];
    diffHolding(loaded.get(key) ?? [], after, {
      deleted: (b) => deleted.push([accountId, unitTypeId, b.end]),
      upserted: (b) => upserted.push([accountId, unitTypeId, b.end, b.start, jurisdictionId]),
    });
    let quantityT = 0n;
    for (const b of after) quantityT += b.end - b.start + 1n;
    balances.push([accountId, unitTypeId, jurisdictionId, quantityT]);
  }
  // Each row is written by exactly one statement, so they can run together (see WriteSession.execute).
  await s.execute([
    // New transactions are plain inserts; only those already stored (approved, completed…) need the upsert.
    ...s.insertMany('transactions', TX_COLUMN_LIST, txs.filter((t) => !storedTxIds.has(t.id)).map(txParams)),
    ...s.insertMany('transactions', TX_COLUMN_LIST, txs.filter((t) => storedTxIds.has(t.id)).map(txParams), TX_ON_CONFLICT),
    ...s.insertMany(
      'journal',
      ['jurisdiction_id', 'seq', 'tx_id', 'prev_hash', 'hash', 'body'],
      effects.journal.map((e) => [jurisdictionId, e.seq, e.txId, e.prevHash, e.hash, e.body]),
    ),
    ...s.deleteMany('unit_blocks', BLOCK_KEY, deleted),
    ...s.insertMany(
      'unit_blocks',
      [...BLOCK_KEY, 'serial_start', 'jurisdiction_id'],
      upserted,
      'ON CONFLICT (account_id, unit_type_id, serial_end) DO UPDATE SET serial_start = excluded.serial_start',
    ),
    ...s.insertMany(
      'balances',
      ['account_id', 'unit_type_id', 'jurisdiction_id', 'quantity_t'],
      balances,
      'ON CONFLICT (account_id, unit_type_id) DO UPDATE SET quantity_t = excluded.quantity_t',
    ),
    ...[...effects.touchedUnitTypes].map((id) => ({ sql: 'UPDATE unit_types SET issued_t = ? WHERE id = ?', params: [state.unitTypes.get(id)!.issuedT, id] })),
    {
      sql: 'UPDATE jurisdictions SET serial_next = ?, journal_seq = ?, journal_head = ?, ledger_version = ? WHERE id = ?',
      params: [state.serialNext, state.journalSeq, state.journalHead, version, jurisdictionId],
    },
  ]);
}

/**
 * Blocks are keyed by their last serial. Walking both lists (sorted, so by start and end alike): an end only
 * before → delete; an end after whose start is new or changed → upsert; same start and end → untouched.
 */
export function diffHolding(
  before: readonly SerialRange[],
  after: readonly SerialRange[],
  out: { deleted: (b: SerialRange) => void; upserted: (b: SerialRange) => void },
): void {
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const b = before[i];
    const a = after[j];
    if (a === undefined || (b !== undefined && b.end < a.end)) {
      out.deleted(b!);
      i++;
    } else if (b === undefined || a.end < b.end) {
      out.upserted(a);
      j++;
    } else {
      if (a.start !== b.start) out.upserted(a);
      i++;
      j++;
    }
  }
}
