// SQL of the ledger's write path: what one batch loads under the jurisdiction's lock, and how it stores the
// effects. Raw SQL through WriteSession (prepared statements on SQLite, one round trip per statement on
// PostgreSQL) because this path carries every transfer; see docs/storage.md for the measurements.
import type { Block, SerialRange } from '../domain/registry/blocks.js';
import { movesOf, type JournalBody } from '../domain/registry/journal.js';
import { holdingKey, type LedgerEffects, type LedgerState } from '../domain/registry/ledger.js';
import type { Account, AccountType, Tx, TxStatus, TxType, UnitType } from '../domain/registry/model.js';
import type { WriteSession } from './db.js';
import type { TransactionTable } from './schema.js';

export interface JurisdictionHead {
  readonly serialNext: bigint;
  readonly journalSeq: bigint;
  readonly journalHead: string;
}

export type TxRow = TransactionTable;

export function txFromRow(r: TxRow): Tx {
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
    journalSeq: r.journal_seq === null ? null : r.journal_seq,
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
  return Array.from({ length: n }, () => '?').join(',');
}

/** Ids are bounded per batch, so an IN list stays far below both engines' parameter limits. */
async function byIds<Row>(s: WriteSession, sqlBefore: string, ids: readonly string[], extra: readonly unknown[] = []): Promise<Row[]> {
  if (ids.length === 0) return [];
  return s.query<Row>(`${sqlBefore} (${placeholders(ids.length)})`, [...extra, ...ids]);
}

export async function lockJurisdiction(s: WriteSession, jurisdictionId: string): Promise<JurisdictionHead | null> {
  const lock = s.engine === 'postgres' ? ' FOR UPDATE' : '';
  const rows = await s.query<{ serial_next: bigint; journal_seq: bigint; journal_head: string }>(
    `SELECT serial_next, journal_seq, journal_head FROM jurisdictions WHERE id = ?${lock}`,
    [jurisdictionId],
  );
  const row = rows[0];
  return row === undefined ? null : { serialNext: row.serial_next, journalSeq: row.journal_seq, journalHead: row.journal_head };
}

export async function txsByKeys(s: WriteSession, jurisdictionId: string, keys: readonly string[]): Promise<Tx[]> {
  const rows = await byIds<TxRow>(s, `SELECT ${TX_COLUMNS} FROM transactions WHERE jurisdiction_id = ? AND idempotency_key IN`, keys, [jurisdictionId]);
  return rows.map(txFromRow);
}

export async function txsByIds(s: WriteSession, ids: readonly string[]): Promise<Tx[]> {
  return (await byIds<TxRow>(s, `SELECT ${TX_COLUMNS} FROM transactions WHERE id IN`, ids)).map(txFromRow);
}

/** Reversals that are pending or done for the given originals (rejected and cancelled ones do not count). */
export async function liveReversalsOf(s: WriteSession, originalIds: readonly string[]): Promise<Tx[]> {
  const rows = await byIds<TxRow>(
    s,
    `SELECT ${TX_COLUMNS} FROM transactions WHERE status IN ('proposed','approved','completed') AND reverses_tx_id IN`,
    originalIds,
  );
  return rows.map(txFromRow);
}

export async function movesByTx(s: WriteSession, txIds: readonly string[]): Promise<Map<string, SerialRange[]>> {
  const rows = await byIds<{ tx_id: string; body: string }>(s, 'SELECT tx_id, body FROM journal WHERE tx_id IN', txIds);
  return new Map(rows.map((r) => [r.tx_id, movesOf(JSON.parse(r.body) as JournalBody)]));
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
export async function blocksOf(s: WriteSession, pairs: readonly (readonly [string, string])[]): Promise<Map<string, Block[]>> {
  const holdings = new Map<string, Block[]>(pairs.map(([a, u]) => [holdingKey(a, u), []]));
  if (pairs.length === 0) return holdings;
  const accountIds = [...new Set(pairs.map(([a]) => a))];
  const unitTypeIds = [...new Set(pairs.map(([, u]) => u))];
  const rows = await s.query<{ id: string; account_id: string; unit_type_id: string; serial_start: bigint; serial_end: bigint }>(
    `SELECT id, account_id, unit_type_id, serial_start, serial_end FROM unit_blocks
     WHERE account_id IN (${placeholders(accountIds.length)}) AND unit_type_id IN (${placeholders(unitTypeIds.length)})
     ORDER BY serial_start`,
    [...accountIds, ...unitTypeIds],
  );
  for (const r of rows) {
    holdings.get(holdingKey(r.account_id, r.unit_type_id))?.push({ id: r.id, start: r.serial_start, end: r.serial_end });
  }
  return holdings;
}

interface PlacedBlock {
  readonly key: string;
  readonly accountId: string;
  readonly unitTypeId: string;
  readonly start: bigint;
  readonly end: bigint;
}

function placed(holdings: ReadonlyMap<string, readonly Block[]>, keys: Iterable<string>): Map<string, PlacedBlock> {
  const out = new Map<string, PlacedBlock>();
  for (const key of keys) {
    const [accountId = '', unitTypeId = ''] = key.split('|');
    for (const b of holdings.get(key) ?? []) out.set(b.id, { key, accountId, unitTypeId, start: b.start, end: b.end });
  }
  return out;
}

/**
 * Stores a batch's effects: transactions (insert or update), journal entries, the changed blocks (by diffing
 * the touched holdings against what was loaded), those holdings' balances, issued totals and the head.
 */
export async function writeEffects(
  s: WriteSession,
  jurisdictionId: string,
  loaded: ReadonlyMap<string, readonly Block[]>,
  state: LedgerState,
  effects: LedgerEffects,
): Promise<void> {
  for (const tx of effects.txs.values()) {
    await s.run(
      `INSERT INTO transactions (${TX_COLUMNS}) VALUES (${placeholders(20)})
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, approved_by = excluded.approved_by,
         decided_by = excluded.decided_by, reason = excluded.reason, approved_at = excluded.approved_at,
         decided_at = excluded.decided_at, completed_at = excluded.completed_at, journal_seq = excluded.journal_seq`,
      txParams(tx),
    );
  }
  for (const e of effects.journal) {
    await s.run('INSERT INTO journal (jurisdiction_id, seq, tx_id, prev_hash, hash, body) VALUES (?, ?, ?, ?, ?, ?)', [
      jurisdictionId, e.seq, e.txId, e.prevHash, e.hash, e.body,
    ]);
  }

  const before = placed(loaded, effects.touchedHoldings);
  const after = placed(state.holdings, effects.touchedHoldings);
  for (const id of before.keys()) {
    if (!after.has(id)) await s.run('DELETE FROM unit_blocks WHERE id = ?', [id]);
  }
  for (const [id, b] of after) {
    const old = before.get(id);
    if (old === undefined) {
      await s.run('INSERT INTO unit_blocks (id, jurisdiction_id, account_id, unit_type_id, serial_start, serial_end) VALUES (?, ?, ?, ?, ?, ?)', [
        id, jurisdictionId, b.accountId, b.unitTypeId, b.start, b.end,
      ]);
    } else if (old.key !== b.key || old.start !== b.start || old.end !== b.end) {
      await s.run('UPDATE unit_blocks SET account_id = ?, serial_start = ?, serial_end = ? WHERE id = ?', [b.accountId, b.start, b.end, id]);
    }
  }
  for (const key of effects.touchedHoldings) {
    const [accountId = '', unitTypeId = ''] = key.split('|');
    let quantityT = 0n;
    for (const b of state.holdings.get(key) ?? []) quantityT += b.end - b.start + 1n;
    await s.run(
      `INSERT INTO balances (account_id, unit_type_id, jurisdiction_id, quantity_t) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, unit_type_id) DO UPDATE SET quantity_t = excluded.quantity_t`,
      [accountId, unitTypeId, jurisdictionId, quantityT],
    );
  }
  for (const id of effects.touchedUnitTypes) {
    await s.run('UPDATE unit_types SET issued_t = ? WHERE id = ?', [state.unitTypes.get(id)!.issuedT, id]);
  }
  if (effects.journal.length > 0) {
    await s.run('UPDATE jurisdictions SET serial_next = ?, journal_seq = ?, journal_head = ? WHERE id = ?', [
      state.serialNext, state.journalSeq, state.journalHead, jurisdictionId,
    ]);
  }
}
