// The journal: one entry per completed transaction, chained by SHA-256 so that rewritten history shows.
import { createHash } from 'node:crypto';
import type { SerialRange } from './blocks.js';
import type { Tx } from './model.js';

export const GENESIS_HASH = '0'.repeat(64);

/** What an entry records: the completed transaction and exactly which serials it moved. */
export interface JournalBody {
  readonly v: 1;
  readonly jurisdiction: string;
  readonly seq: string;
  readonly tx: {
    readonly id: string;
    readonly type: string;
    readonly unit_type: string;
    readonly quantity_t: string;
    readonly from: string | null;
    readonly to: string | null;
    readonly reverses: string | null;
    readonly idempotency_key: string;
    readonly proposed_by: string;
    readonly approved_by: string | null;
    readonly proposed_at: string;
    readonly approved_at: string | null;
    readonly completed_at: string;
  };
  readonly moves: readonly (readonly [string, string])[];
}

/**
 * The entry's body. Keys are inserted in sorted order at every level, and every value is a string, null, an
 * array of strings or the version number, so JSON.stringify of it is already canonical JSON: encodeJournalBody
 * relies on this, and a test checks it against canonicalJson.
 */
export function journalBody(tx: Tx, seq: bigint, moves: readonly SerialRange[]): JournalBody {
  return {
    jurisdiction: tx.jurisdictionId,
    moves: moves.map((r) => [r.start.toString(), r.end.toString()] as const),
    seq: seq.toString(),
    tx: {
      approved_at: tx.approvedAt?.toISOString() ?? null,
      approved_by: tx.approvedBy,
      completed_at: (tx.completedAt ?? new Date(0)).toISOString(),
      from: tx.fromAccountId,
      id: tx.id,
      idempotency_key: tx.idempotencyKey,
      proposed_at: tx.proposedAt.toISOString(),
      proposed_by: tx.proposedBy,
      quantity_t: tx.quantityT.toString(),
      reverses: tx.reversesTxId,
      to: tx.toAccountId,
      type: tx.type,
      unit_type: tx.unitTypeId,
    },
    v: 1,
  };
}

export function encodeJournalBody(body: JournalBody): string {
  return JSON.stringify(body);
}

export function movesOf(body: JournalBody): SerialRange[] {
  return body.moves.map(([start, end]) => ({ start: BigInt(start), end: BigInt(end) }));
}

/** Canonical JSON: keys sorted at every level, bigints as decimal strings, no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot encode ${typeof value} canonically`);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** hash(n) = SHA-256(hash(n-1) ‖ "\n" ‖ canonical body(n)). */
export function chainHash(prevHash: string, canonicalBody: string): string {
  return sha256Hex(`${prevHash}\n${canonicalBody}`);
}
