// Ledger verification and statistics. Verification recomputes the hash chain from the stored entries,
// replays every entry's movements from nothing, and compares the result with the stored transactions,
// blocks, balances, issued totals and the jurisdiction's head. It runs in one read snapshot.
import type { Kysely } from 'kysely';
import { normalize, takeExact, totalSize, type SerialRange } from '../domain/registry/blocks.js';
import { canonicalJson, chainHash, GENESIS_HASH, movesOf, type JournalBody } from '../domain/registry/journal.js';
import { holdingKey } from '../domain/registry/ledger.js';
import { unitStatusOf, type AccountType, type UnitStatus } from '../domain/registry/model.js';
import type { Database } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import { txFromRow } from '../store/ledger-store.js';

export type ProblemPlace = 'journal' | 'transaction' | 'block' | 'balance' | 'unit_type' | 'jurisdiction';

export interface Problem {
  /** The journal sequence number from which stored data disagrees with history (0: before the first entry). */
  readonly seq: bigint;
  readonly place: ProblemPlace;
  readonly message: string;
}

export interface JurisdictionVerification {
  readonly code: string;
  readonly entries: bigint;
  readonly head: string;
  readonly problems: Problem[];
}

export interface VerifyReport {
  readonly ok: boolean;
  /** The smallest seq among all problems, or null when all holds. */
  readonly firstSeq: bigint | null;
  readonly jurisdictions: JurisdictionVerification[];
}

const JOURNAL_PAGE = 5000;
const PROBLEMS_MAX = 100;

export async function verifyLedger(db: Database, options: { jurisdictionCode?: string; expectHead?: string } = {}): Promise<VerifyReport> {
  const tx = db.kysely.transaction();
  const run = async (k: Kysely<Schema>): Promise<VerifyReport> => {
    let query = k.selectFrom('jurisdictions').select(['id', 'code', 'serial_next', 'journal_seq', 'journal_head']).orderBy('code');
    if (options.jurisdictionCode !== undefined) query = query.where('code', '=', options.jurisdictionCode);
    const jurisdictions = await query.execute();
    if (options.jurisdictionCode !== undefined && jurisdictions.length === 0) {
      throw new Error(`no jurisdiction ${options.jurisdictionCode}`);
    }
    const results: JurisdictionVerification[] = [];
    for (const j of jurisdictions) results.push(await verifyJurisdiction(k, j, options.expectHead));
    const seqs = results.flatMap((r) => r.problems.map((p) => p.seq));
    const firstSeq = seqs.length === 0 ? null : seqs.reduce((a, b) => (b < a ? b : a));
    return { ok: seqs.length === 0, firstSeq, jurisdictions: results };
  };
  return db.engine === 'postgres' ? tx.setIsolationLevel('repeatable read').execute(run) : tx.execute(run);
}

async function verifyJurisdiction(
  k: Kysely<Schema>,
  j: { id: string; code: string; serial_next: bigint; journal_seq: bigint; journal_head: string },
  expectHead: string | undefined,
): Promise<JurisdictionVerification> {
  // Keep the PROBLEMS_MAX earliest: a later problem may displace one found earlier but further down the journal.
  const problems: Problem[] = [];
  const problem = (seq: bigint, place: ProblemPlace, message: string): void => {
    problems.push({ seq, place, message });
    if (problems.length > 2 * PROBLEMS_MAX) keepEarliest(problems);
  };

  const accounts = new Map((await k.selectFrom('accounts').select(['id', 'number', 'type']).where('jurisdiction_id', '=', j.id).execute()).map((a) => [a.id, a]));
  const unitTypes = new Map((await k.selectFrom('unit_types').select(['id', 'code', 'issued_t']).where('jurisdiction_id', '=', j.id).execute()).map((u) => [u.id, u]));
  const completed = new Map(
    (await k.selectFrom('transactions').selectAll().where('jurisdiction_id', '=', j.id).where('status', '=', 'completed').execute()).map((r) => [r.id, txFromRow(r)]),
  );
  const label = (key: string): string => {
    const [a = '', u = ''] = key.split('|');
    return `account ${accounts.get(a)?.number ?? a}, unit type ${unitTypes.get(u)?.code ?? u}`;
  };

  // 1. Chain and replay.
  const holdings = new Map<string, SerialRange[]>();
  const issued = new Map<string, bigint>();
  const lastSeqOf = new Map<string, bigint>();
  const journaled = new Set<string>();
  let prev = GENESIS_HASH;
  let expected = 1n;
  let issuedEnd = 0n;
  for (let after = 0n; ; ) {
    const page = await k
      .selectFrom('journal')
      .select(['seq', 'tx_id', 'prev_hash', 'hash', 'body'])
      .where('jurisdiction_id', '=', j.id)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(JOURNAL_PAGE)
      .execute();
    for (const row of page) {
      const seq = row.seq;
      after = seq;
      if (seq !== expected) problem(expected, 'journal', `entry ${expected} is missing (next stored entry is ${seq})`);
      expected = seq + 1n;
      if (row.prev_hash !== prev) problem(seq, 'journal', `entry ${seq} does not link to the entry before it (prev_hash differs)`);
      if (row.hash !== chainHash(row.prev_hash, row.body)) problem(seq, 'journal', `entry ${seq}: stored hash does not match its contents`);
      // Go on from the stored hash, so that one edited entry is reported once, not again at every later link.
      prev = row.hash;
      let body: JournalBody;
      try {
        body = JSON.parse(row.body) as JournalBody;
        if (canonicalJson(body) !== row.body) throw new Error('not canonical');
      } catch {
        problem(seq, 'journal', `entry ${seq}: body is not canonical JSON`);
        continue;
      }
      if (body.seq !== seq.toString() || body.tx.id !== row.tx_id || body.jurisdiction !== j.id) {
        problem(seq, 'journal', `entry ${seq}: body names another sequence number, transaction or jurisdiction`);
      }
      if (journaled.has(body.tx.id)) problem(seq, 'journal', `entry ${seq}: transaction ${body.tx.id} is already in the journal`);
      journaled.add(body.tx.id);
      checkTransactionRow(completed.get(body.tx.id), body, seq, problem);
      replay(body, seq, holdings, issued, lastSeqOf, problem, (start, end) => {
        if (start <= issuedEnd) problem(seq, 'journal', `entry ${seq} issues serials ${start}–${end} that were issued before`);
        if (end > issuedEnd) issuedEnd = end;
      });
    }
    if (page.length < JOURNAL_PAGE) break;
  }
  const entries = expected - 1n;
  if (j.journal_seq !== entries || j.journal_head !== prev) {
    problem(entries, 'jurisdiction', `the jurisdiction's head (entry ${j.journal_seq}) is not the last journal entry (${entries})`);
  }
  if (expectHead !== undefined && expectHead !== prev) {
    problem(entries, 'journal', `the chain's head ${prev} is not the expected ${expectHead}`);
  }
  if (j.serial_next !== issuedEnd + 1n) {
    problem(entries, 'jurisdiction', `the next serial number is ${j.serial_next}; the journal has issued up to ${issuedEnd}`);
  }
  for (const t of completed.values()) {
    if (!journaled.has(t.id)) problem(t.journalSeq ?? entries, 'transaction', `completed transaction ${t.id} has no journal entry`);
  }

  // 2. Stored blocks, balances and issued totals against the replay.
  const stored = new Map<string, SerialRange[]>();
  const blocks = await k
    .selectFrom('unit_blocks')
    .select(['account_id', 'unit_type_id', 'serial_start', 'serial_end'])
    .where('jurisdiction_id', '=', j.id)
    .orderBy('serial_start')
    .execute();
  let lastEnd = 0n;
  for (const b of blocks) {
    const key = holdingKey(b.account_id, b.unit_type_id);
    const r = { start: b.serial_start, end: b.serial_end };
    if (r.start <= lastEnd) problem(lastSeqOf.get(key) ?? 0n, 'block', `${label(key)}: block ${r.start}–${r.end} overlaps another block`);
    if (r.end > lastEnd) lastEnd = r.end;
    stored.set(key, [...(stored.get(key) ?? []), r]);
  }
  for (const key of new Set([...stored.keys(), ...holdings.keys()])) {
    const want = normalize(holdings.get(key) ?? []);
    const have = normalize(stored.get(key) ?? []);
    if (canonicalJson(want) !== canonicalJson(have)) {
      problem(lastSeqOf.get(key) ?? 0n, 'block', `${label(key)}: stored blocks hold ${totalSize(have)} t (${describe(have)}); the journal says ${totalSize(want)} t (${describe(want)})`);
    }
  }
  const balances = await k.selectFrom('balances').select(['account_id', 'unit_type_id', 'quantity_t']).where('jurisdiction_id', '=', j.id).execute();
  const storedBalance = new Map(balances.map((b) => [holdingKey(b.account_id, b.unit_type_id), b.quantity_t]));
  for (const key of new Set([...storedBalance.keys(), ...holdings.keys()])) {
    const want = totalSize(holdings.get(key) ?? []);
    const have = storedBalance.get(key) ?? 0n;
    if (want !== have) problem(lastSeqOf.get(key) ?? 0n, 'balance', `${label(key)}: stored balance ${have} t; the journal says ${want} t`);
  }
  for (const u of unitTypes.values()) {
    const want = issued.get(u.id) ?? 0n;
    if (u.issued_t !== want) problem(entries, 'unit_type', `unit type ${u.code}: stored issued total ${u.issued_t} t; the journal says ${want} t`);
    // Conservation: issued = held + in transit + surrendered + retired + cancelled.
    let accounted = 0n;
    for (const [key, ranges] of stored) if (key.endsWith(`|${u.id}`)) accounted += totalSize(ranges);
    if (accounted !== u.issued_t) {
      problem(entries, 'unit_type', `unit type ${u.code}: ${u.issued_t} t issued but ${accounted} t held, surrendered, retired or cancelled`);
    }
  }
  keepEarliest(problems);
  return { code: j.code, entries, head: prev, problems };
}

/** Sorts problems by sequence number (stable) and keeps the first PROBLEMS_MAX. */
function keepEarliest(problems: Problem[]): void {
  problems.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  problems.length = Math.min(problems.length, PROBLEMS_MAX);
}

function checkTransactionRow(
  t: ReturnType<typeof txFromRow> | undefined,
  body: JournalBody,
  seq: bigint,
  problem: (seq: bigint, place: ProblemPlace, message: string) => void,
): void {
  if (t === undefined) {
    problem(seq, 'transaction', `entry ${seq}: transaction ${body.tx.id} is not stored as completed`);
    return;
  }
  const same =
    t.type === body.tx.type &&
    t.unitTypeId === body.tx.unit_type &&
    t.quantityT.toString() === body.tx.quantity_t &&
    t.fromAccountId === body.tx.from &&
    t.toAccountId === body.tx.to &&
    t.reversesTxId === body.tx.reverses &&
    t.journalSeq === seq;
  if (!same) problem(seq, 'transaction', `entry ${seq}: stored transaction ${t.id} differs from its journal entry`);
}

function replay(
  body: JournalBody,
  seq: bigint,
  holdings: Map<string, SerialRange[]>,
  issued: Map<string, bigint>,
  lastSeqOf: Map<string, bigint>,
  problem: (seq: bigint, place: ProblemPlace, message: string) => void,
  onIssue: (start: bigint, end: bigint) => void,
): void {
  const moves = movesOf(body);
  const unitType = body.tx.unit_type;
  if (totalSize(moves) !== BigInt(body.tx.quantity_t)) problem(seq, 'journal', `entry ${seq}: moved serials do not add up to its quantity`);
  if (body.tx.from === null) {
    for (const m of moves) onIssue(m.start, m.end);
    issued.set(unitType, (issued.get(unitType) ?? 0n) + totalSize(moves));
  } else {
    const key = holdingKey(body.tx.from, unitType);
    const left = takeExact(holdings.get(key) ?? [], moves);
    if (left === null) problem(seq, 'journal', `entry ${seq} moves serials that the source account did not hold`);
    else holdings.set(key, left);
    lastSeqOf.set(key, seq);
  }
  if (body.tx.to === null) {
    issued.set(unitType, (issued.get(unitType) ?? 0n) - totalSize(moves));
  } else {
    const key = holdingKey(body.tx.to, unitType);
    holdings.set(key, normalize([...(holdings.get(key) ?? []), ...moves]));
    lastSeqOf.set(key, seq);
  }
}

function describe(ranges: readonly SerialRange[]): string {
  const shown = ranges.slice(0, 3).map((r) => `${r.start}–${r.end}`);
  return ranges.length > 3 ? `${shown.join(', ')}, … ${ranges.length} blocks` : shown.join(', ') || 'none';
}

// ---- statistics -------------------------------------------------------------------------------------------

export interface UnitTypeStats {
  readonly jurisdiction: string;
  readonly unitType: string;
  readonly kind: string;
  readonly issuedT: bigint;
  readonly byStatusT: Record<UnitStatus, bigint>;
}

export interface LedgerStats {
  readonly unitTypes: UnitTypeStats[];
  readonly transactions: { jurisdiction: string; type: string; status: string; count: bigint; quantityT: bigint }[];
}

export async function ledgerStats(db: Database, jurisdictionCode?: string): Promise<LedgerStats> {
  const k = db.kysely;
  let unitQuery = k
    .selectFrom('unit_types as u')
    .innerJoin('jurisdictions as j', 'j.id', 'u.jurisdiction_id')
    .select(['u.id', 'u.code', 'u.kind', 'u.issued_t', 'j.code as jurisdiction'])
    .orderBy('j.code')
    .orderBy('u.code');
  if (jurisdictionCode !== undefined) unitQuery = unitQuery.where('j.code', '=', jurisdictionCode);
  const units = await unitQuery.execute();
  const sums = await k
    .selectFrom('balances as b')
    .innerJoin('accounts as a', 'a.id', 'b.account_id')
    .select(['b.unit_type_id', 'a.type', (eb) => eb.fn.sum<bigint | string>('b.quantity_t').as('quantity_t')])
    .groupBy(['b.unit_type_id', 'a.type'])
    .execute();
  const unitTypes = units.map((u): UnitTypeStats => {
    const byStatusT: Record<UnitStatus, bigint> = { held: 0n, in_transit: 0n, surrendered: 0n, retired: 0n, cancelled: 0n };
    for (const s of sums) if (s.unit_type_id === u.id) byStatusT[unitStatusOf(s.type as AccountType)] += BigInt(s.quantity_t);
    return { jurisdiction: u.jurisdiction, unitType: u.code, kind: u.kind, issuedT: u.issued_t, byStatusT };
  });
  let txQuery = k
    .selectFrom('transactions as t')
    .innerJoin('jurisdictions as j', 'j.id', 't.jurisdiction_id')
    .select([
      'j.code as jurisdiction',
      't.type',
      't.status',
      (eb) => eb.fn.countAll<bigint | string>().as('count'),
      (eb) => eb.fn.sum<bigint | string>('t.quantity_t').as('quantity_t'),
    ])
    .groupBy(['j.code', 't.type', 't.status'])
    .orderBy('j.code')
    .orderBy('t.type')
    .orderBy('t.status');
  if (jurisdictionCode !== undefined) txQuery = txQuery.where('j.code', '=', jurisdictionCode);
  const transactions = (await txQuery.execute()).map((r) => ({
    jurisdiction: r.jurisdiction,
    type: r.type,
    status: r.status,
    count: BigInt(r.count),
    quantityT: BigInt(r.quantity_t),
  }));
  return { unitTypes, transactions };
}
