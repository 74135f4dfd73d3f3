// Registry use-cases: set up jurisdictions, accounts and unit types, and run ledger commands.
// Commands for one jurisdiction are group-committed: callers queue, a single writer takes up to
// `batchMax` of them into one database transaction under the jurisdiction's lock, and each caller is
// answered only after that transaction has committed.
import type { Transaction } from 'kysely';
import { assert } from '../domain/assert.js';
import { RefusedError, refusal } from '../domain/errors.js';
import type { SerialRange } from '../domain/registry/blocks.js';
import { GENESIS_HASH } from '../domain/registry/journal.js';
import {
  applyAtomically,
  applyCommand,
  emptyEffects,
  holdingKey,
  type CommandResult,
  type LedgerCommand,
  type LedgerState,
} from '../domain/registry/ledger.js';
import {
  ACCOUNT_TYPES,
  TERMINAL_ACCOUNT_TYPES,
  UNIT_KINDS,
  type AccountType,
  type TerminalAccountType,
  type Tx,
  type TxRequest,
  type UnitKind,
  type UnitType,
  type Account,
} from '../domain/registry/model.js';
import type { Database, Statement, WriteSession } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import * as ledgerSql from '../store/ledger-store.js';
import { uuidv7 } from './ids.js';

export interface RegistryOptions {
  /** Most commands one database transaction carries (default 256). */
  readonly batchMax?: number;
  readonly clock?: () => Date;
  readonly newId?: () => string;
}

export interface JurisdictionInput {
  readonly code: string;
  readonly nameEn: string;
  readonly nameJa: string;
  readonly timeZone: string;
  readonly fyStartMonth: number;
}

export interface AccountInput {
  readonly jurisdictionId: string;
  readonly type: AccountType;
  readonly holder: string;
  readonly facilityId?: string;
}

export interface UnitTypeInput {
  readonly jurisdictionId: string;
  readonly code: string;
  readonly kind: UnitKind;
  readonly issuingJurisdiction: string;
  readonly vintage?: number;
  readonly originatingFacilityId?: string;
}

/** EU-style account type numbers used in account numbers (`TKY-200-17`). */
const ACCOUNT_TYPE_NUMBER: Record<AccountType, number> = {
  authority_issuance: 100,
  facility_compliance: 200,
  general_holding: 300,
  linked_transit: 400,
  surrender: 900,
  retirement: 910,
  cancellation: 920,
};

const CODE_PATTERN = /^[A-Z][A-Z0-9-]{1,15}$/;
/** Holdings a writer keeps in memory per jurisdiction before it starts over. */
const CACHED_HOLDINGS_MAX = 100_000;

/**
 * What the writer last stored for a jurisdiction, valid while the jurisdiction's ledger_version is the one it
 * wrote: every ledger batch bumps the version under the jurisdiction's lock, so an equal version proves that no
 * other writer (another process, another Registry) changed blocks, balances or issued totals since. Whatever
 * changes an account's status must bump the version too.
 */
interface LedgerCache {
  version: bigint;
  readonly holdings: Map<string, readonly SerialRange[]>;
  readonly accounts: Map<string, Account>;
  readonly unitTypes: Map<string, UnitType>;
}
const BATCH_MAX_DEFAULT = 256;

/**
 * What a caller writes together with its commands, given their results: rows (an audit event, a hold) that commit in
 * the same database transaction as the change, or not at all. Runs inside the batch, so it must be quick and pure.
 */
export type WithResults = (results: readonly CommandResult[], s: WriteSession) => readonly Statement[];

export interface RunOptions {
  /** All commands happen, or — when any is refused — none (GROUP_REFUSED for the others). Default: each on its own. */
  readonly atomic?: boolean;
  readonly withResults?: WithResults;
}

/** Commands queued together by one caller, applied in order in one batch: each on its own, or as an atomic group. */
interface Pending {
  readonly commands: readonly LedgerCommand[];
  readonly atomic: boolean;
  readonly withResults: WithResults | undefined;
  readonly resolve: (r: CommandResult[]) => void;
  readonly reject: (e: unknown) => void;
}

export class Registry {
  readonly batchMax: number;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly queues = new Map<string, Pending[]>();
  private readonly terminalAccounts = new Map<string, Record<TerminalAccountType, string>>();
  private readonly caches = new Map<string, LedgerCache>();

  constructor(
    readonly db: Database,
    options: RegistryOptions = {},
  ) {
    this.batchMax = options.batchMax ?? BATCH_MAX_DEFAULT;
    assert(this.batchMax >= 1 && this.batchMax <= 1000, 'batchMax within 1..1000');
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? (() => uuidv7());
  }

  // ---- set-up -------------------------------------------------------------------------------------------

  /** Creates a jurisdiction with its surrender, retirement and cancellation accounts. */
  async createJurisdiction(input: JurisdictionInput): Promise<{ id: string; code: string }> {
    if (!CODE_PATTERN.test(input.code)) {
      throw new RefusedError(refusal('CODE_INVALID', 'A jurisdiction code is 2–16 capital letters, digits or hyphens, starting with a letter.', 'code'));
    }
    if (!Number.isInteger(input.fyStartMonth) || input.fyStartMonth < 1 || input.fyStartMonth > 12) {
      throw new RefusedError(refusal('MONTH_INVALID', 'The fiscal year starts in a month from 1 to 12.', 'fyStartMonth'));
    }
    const id = this.newId();
    const now = this.clock().toISOString();
    await this.db.kysely.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('jurisdictions').select('id').where('code', '=', input.code).executeTakeFirst();
      if (existing !== undefined) throw new RefusedError(refusal('CODE_TAKEN', `Jurisdiction ${input.code} already exists.`, 'code'));
      await trx
        .insertInto('jurisdictions')
        .values({
          id,
          code: input.code,
          name_en: input.nameEn,
          name_ja: input.nameJa,
          time_zone: input.timeZone,
          fy_start_month: input.fyStartMonth,
          serial_prefix: input.code,
          journal_head: GENESIS_HASH,
          created_at: now,
        })
        .execute();
      for (const type of TERMINAL_ACCOUNT_TYPES) {
        await trx
          .insertInto('accounts')
          .values({ id: this.newId(), jurisdiction_id: id, number: `${input.code}-${ACCOUNT_TYPE_NUMBER[type]}-1`, type, holder: input.nameEn, created_at: now })
          .execute();
      }
    });
    return { id, code: input.code };
  }

  async jurisdictionByCode(code: string): Promise<{ id: string; code: string } | undefined> {
    return this.db.kysely.selectFrom('jurisdictions').select(['id', 'code']).where('code', '=', code).executeTakeFirst();
  }

  /** Opens an account; inside the caller's transaction when `trx` is given (e.g. a facility and its account together). */
  async openAccount(input: AccountInput, trx?: Transaction<Schema>): Promise<{ id: string; number: string }> {
    if (!(ACCOUNT_TYPES as readonly string[]).includes(input.type) || (TERMINAL_ACCOUNT_TYPES as readonly string[]).includes(input.type)) {
      throw new RefusedError(refusal('ACCOUNT_TYPE_INVALID', `Accounts opened by users are one of: authority_issuance, facility_compliance, general_holding, linked_transit.`, 'type'));
    }
    if (input.holder.trim() === '' || input.holder.length > 200) {
      throw new RefusedError(refusal('HOLDER_INVALID', 'The account holder is named (1 to 200 characters).', 'holder'));
    }
    const open = async (trx: Transaction<Schema>): Promise<{ id: string; number: string }> => {
      const jurisdiction = await trx.selectFrom('jurisdictions').select(['id', 'code']).where('id', '=', input.jurisdictionId).executeTakeFirst();
      if (jurisdiction === undefined) throw new RefusedError(refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${input.jurisdictionId}.`, 'jurisdictionId'));
      const { n } = await trx
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<bigint | number | string>().as('n'))
        .where('jurisdiction_id', '=', jurisdiction.id)
        .where('type', '=', input.type)
        .executeTakeFirstOrThrow();
      const id = this.newId();
      const number = `${jurisdiction.code}-${ACCOUNT_TYPE_NUMBER[input.type]}-${BigInt(n) + 1n}`;
      await trx
        .insertInto('accounts')
        .values({
          id,
          jurisdiction_id: jurisdiction.id,
          number,
          type: input.type,
          holder: input.holder,
          facility_id: input.facilityId ?? null,
          created_at: this.clock().toISOString(),
        })
        .execute();
      return { id, number };
    };
    return trx === undefined ? this.db.kysely.transaction().execute(open) : open(trx);
  }

  async createUnitType(input: UnitTypeInput): Promise<{ id: string; code: string }> {
    if (!(UNIT_KINDS as readonly string[]).includes(input.kind)) {
      throw new RefusedError(refusal('UNIT_KIND_INVALID', `A unit kind is one of: ${UNIT_KINDS.join(', ')}.`, 'kind'));
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(input.code)) {
      throw new RefusedError(refusal('CODE_INVALID', 'A unit type code is 1–40 letters, digits, dots, underscores or hyphens.', 'code'));
    }
    const id = this.newId();
    await this.db.kysely.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('unit_types')
        .select('id')
        .where('jurisdiction_id', '=', input.jurisdictionId)
        .where('code', '=', input.code)
        .executeTakeFirst();
      if (taken !== undefined) throw new RefusedError(refusal('CODE_TAKEN', `Unit type ${input.code} already exists.`, 'code'));
      await trx
        .insertInto('unit_types')
        .values({
          id,
          jurisdiction_id: input.jurisdictionId,
          code: input.code,
          kind: input.kind,
          issuing_jurisdiction: input.issuingJurisdiction,
          vintage: input.vintage ?? null,
          originating_facility_id: input.originatingFacilityId ?? null,
          created_at: this.clock().toISOString(),
        })
        .execute();
    });
    return { id, code: input.code };
  }

  // ---- ledger commands ------------------------------------------------------------------------------------

  submit(jurisdictionId: string, request: TxRequest, opts: { idempotencyKey: string; actor: string; execute?: boolean }): Promise<CommandResult> {
    return this.run(jurisdictionId, { kind: 'submit', request, idempotencyKey: opts.idempotencyKey, actor: opts.actor, execute: opts.execute ?? false });
  }

  approve(jurisdictionId: string, txId: string, actor: string): Promise<CommandResult> {
    return this.run(jurisdictionId, { kind: 'approve', txId, actor });
  }

  complete(jurisdictionId: string, txId: string): Promise<CommandResult> {
    return this.run(jurisdictionId, { kind: 'complete', txId });
  }

  reject(jurisdictionId: string, txId: string, actor: string, reason: string): Promise<CommandResult> {
    return this.run(jurisdictionId, { kind: 'reject', txId, actor, reason });
  }

  cancel(jurisdictionId: string, txId: string, actor: string): Promise<CommandResult> {
    return this.run(jurisdictionId, { kind: 'cancel', txId, actor });
  }

  /** Queues a command; resolves once the batch that carried it has committed. */
  async run(jurisdictionId: string, command: LedgerCommand, withResults?: WithResults): Promise<CommandResult> {
    return (await this.runAll(jurisdictionId, [command], withResults === undefined ? {} : { withResults }))[0]!;
  }

  /**
   * Runs commands as one unit in one database transaction: all of them happen, or — when any is refused — none
   * (that one keeps its refusal, the others are refused with GROUP_REFUSED). At most batchMax commands.
   */
  runAtomically(jurisdictionId: string, commands: readonly LedgerCommand[]): Promise<CommandResult[]> {
    return this.runAll(jurisdictionId, commands, { atomic: true });
  }

  /** Runs one caller's commands in order in one batch (one commit), with the rows `withResults` adds. */
  runAll(jurisdictionId: string, commands: readonly LedgerCommand[], options: RunOptions = {}): Promise<CommandResult[]> {
    assert(commands.length >= 1 && commands.length <= this.batchMax, 'a caller queues 1 to batchMax commands');
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(jurisdictionId);
      const idle = queue === undefined;
      if (queue === undefined) {
        queue = [];
        this.queues.set(jurisdictionId, queue);
      }
      queue.push({ commands, atomic: options.atomic ?? false, withResults: options.withResults, resolve, reject });
      if (idle) void this.drain(jurisdictionId, queue);
    });
  }

  private async drain(jurisdictionId: string, queue: Pending[]): Promise<void> {
    // Yield once so that callers arriving in the same tick share the first batch.
    await Promise.resolve();
    while (queue.length > 0) {
      const batch = takeBatch(queue, this.batchMax);
      try {
        const results = await this.runBatch(jurisdictionId, batch);
        batch.forEach((p, i) => { p.resolve(results[i]!); });
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
        } else {
          // One command may have broken the batch: retry each caller's alone so that the others still go through.
          for (const p of batch) {
            try {
              p.resolve((await this.runBatch(jurisdictionId, [p]))[0]!);
            } catch (e) {
              p.reject(e);
            }
          }
        }
      }
    }
    this.queues.delete(jurisdictionId);
  }

  private async runBatch(jurisdictionId: string, batch: readonly Pending[]): Promise<CommandResult[][]> {
    const commands = batch.flatMap((p) => p.commands);
    const terminal = await this.terminalAccountsOf(jurisdictionId);
    try {
      const { results, committed } = await this.db.withWriteTransaction(async (s) => {
        const head = await ledgerSql.lockJurisdiction(s, jurisdictionId);
        if (head === null) {
          const unknown = refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${jurisdictionId}.`, 'jurisdictionId');
          return { results: batch.map((p) => p.commands.map(() => ({ ok: false as const, refusal: unknown }))), committed: null };
        }
        let cache = this.caches.get(jurisdictionId);
        if (cache?.version !== head.version || cache.holdings.size > CACHED_HOLDINGS_MAX) {
          cache = { version: head.version, holdings: new Map(), accounts: new Map(), unitTypes: new Map() };
          this.caches.set(jurisdictionId, cache);
        }
        const state = await this.loadState(s, jurisdictionId, head, terminal, commands, cache);
        const loaded = new Map(state.holdings);
        const storedTxIds = new Set(state.txById.keys());
        const effects = emptyEffects();
        const env = { now: this.clock(), newId: this.newId };
        const out = batch.map((p) => (p.atomic ? applyAtomically(state, effects, p.commands, env) : p.commands.map((c) => applyCommand(state, effects, c, env))));
        const rows = batch.flatMap((p, i) => p.withResults?.(out[i]!, s) ?? []);
        const changed = effects.txs.size > 0;
        if (changed) await ledgerSql.writeEffects(s, jurisdictionId, loaded, state, effects, head.version + 1n, storedTxIds);
        if (rows.length > 0) await s.execute(rows);
        return { results: out, committed: changed ? { cache, state } : null };
      });
      if (committed !== null) {
        // The batch is durable: the cache now stands for the version it wrote.
        for (const [key, blocks] of committed.state.holdings) committed.cache.holdings.set(key, blocks);
        for (const [id, u] of committed.state.unitTypes) committed.cache.unitTypes.set(id, u);
        committed.cache.version += 1n;
      }
      return results;
    } catch (error) {
      // Whatever the failed batch did to the cache never reached the database.
      this.caches.delete(jurisdictionId);
      throw error;
    }
  }

  /** Loads everything the commands can touch, in two rounds: transactions first, then what they name. */
  private async loadState(
    s: WriteSession,
    jurisdictionId: string,
    head: ledgerSql.JurisdictionHead,
    terminal: Record<TerminalAccountType, string>,
    commands: readonly LedgerCommand[],
    cache: LedgerCache,
  ): Promise<LedgerState> {
    const keys: string[] = [];
    const txIds: string[] = [];
    for (const c of commands) {
      if (c.kind === 'submit') {
        keys.push(c.idempotencyKey);
        if (c.request.type === 'reversal') txIds.push(c.request.reversesTxId);
      } else {
        txIds.push(c.txId);
      }
    }
    const txs = [...(await ledgerSql.txsByKeys(s, jurisdictionId, keys)), ...(await ledgerSql.txsByIds(s, txIds))];
    const txById = new Map(txs.map((t) => [t.id, t]));
    const txByKey = new Map(txs.filter((t) => t.jurisdictionId === jurisdictionId).map((t) => [t.idempotencyKey, t]));

    const originals = new Set<string>();
    const pairs = new Map<string, readonly [string, string]>();
    const addPair = (accountId: string | null, unitTypeId: string): void => {
      if (accountId !== null) pairs.set(holdingKey(accountId, unitTypeId), [accountId, unitTypeId]);
    };
    const addTx = (t: Tx | undefined): void => {
      if (t === undefined) return;
      addPair(t.fromAccountId, t.unitTypeId);
      addPair(t.toAccountId, t.unitTypeId);
      if (t.reversesTxId !== null) originals.add(t.reversesTxId);
    };
    const unitTypeIds = new Set<string>();
    for (const c of commands) {
      if (c.kind !== 'submit') {
        addTx(txById.get(c.txId));
        continue;
      }
      const r = c.request;
      if (r.type === 'reversal') {
        originals.add(r.reversesTxId);
        addTx(txById.get(r.reversesTxId));
        continue;
      }
      unitTypeIds.add(r.unitTypeId);
      if (r.type !== 'issuance') addPair(r.fromAccountId, r.unitTypeId);
      if (r.type === 'issuance' || r.type === 'transfer') addPair(r.toAccountId, r.unitTypeId);
      else addPair(terminal[r.type], r.unitTypeId);
    }
    for (const [, u] of pairs.values()) unitTypeIds.add(u);

    const missingPairs = [...pairs].filter(([key]) => !cache.holdings.has(key)).map(([, pair]) => pair);
    const missingAccounts = [...new Set([...pairs.values()].map(([a]) => a))].filter((id) => !cache.accounts.has(id));
    const missingUnitTypes = [...unitTypeIds].filter((id) => !cache.unitTypes.has(id));
    for (const [key, blocks] of await ledgerSql.blocksOf(s, missingPairs)) cache.holdings.set(key, blocks);
    for (const a of await ledgerSql.accountsByIds(s, missingAccounts)) cache.accounts.set(a.id, a);
    for (const u of await ledgerSql.unitTypesByIds(s, missingUnitTypes)) cache.unitTypes.set(u.id, u);
    const reversals = await ledgerSql.liveReversalsOf(s, [...originals]);
    const moves = await ledgerSql.movesByTx(s, [...originals]);

    const holdings = new Map<string, SerialRange[]>();
    for (const key of pairs.keys()) holdings.set(key, [...(cache.holdings.get(key) ?? [])]);
    const accounts = new Map<string, Account>();
    for (const [a] of pairs.values()) {
      const account = cache.accounts.get(a);
      if (account !== undefined) accounts.set(a, account);
    }
    const unitTypes = new Map<string, UnitType>();
    for (const id of unitTypeIds) {
      const u = cache.unitTypes.get(id);
      if (u?.jurisdictionId === jurisdictionId) unitTypes.set(id, u);
    }
    return {
      jurisdictionId,
      serialNext: head.serialNext,
      journalSeq: head.journalSeq,
      journalHead: head.journalHead,
      terminalAccounts: terminal,
      accounts,
      unitTypes,
      holdings,
      txById,
      txByKey,
      movesByTx: moves,
      reversalOf: new Map(reversals.map((t) => [t.reversesTxId!, t.id])),
    };
  }

  private async terminalAccountsOf(jurisdictionId: string): Promise<Record<TerminalAccountType, string>> {
    const cached = this.terminalAccounts.get(jurisdictionId);
    if (cached !== undefined) return cached;
    const rows = await this.db.kysely
      .selectFrom('accounts')
      .select(['id', 'type'])
      .where('jurisdiction_id', '=', jurisdictionId)
      .where('type', 'in', [...TERMINAL_ACCOUNT_TYPES])
      .execute();
    const found = Object.fromEntries(rows.map((r) => [r.type, r.id])) as Partial<Record<TerminalAccountType, string>>;
    // An unknown jurisdiction has none; runBatch then refuses every command without caching anything.
    const terminal = { surrender: found.surrender ?? '', retirement: found.retirement ?? '', cancellation: found.cancellation ?? '' };
    if (rows.length === TERMINAL_ACCOUNT_TYPES.length) this.terminalAccounts.set(jurisdictionId, terminal);
    return terminal;
  }
}

/** Queued entries for one batch: whole entries, up to `max` commands (an entry larger than that goes alone). */
function takeBatch(queue: Pending[], max: number): Pending[] {
  let n = 0;
  let count = 0;
  while (n < queue.length && (n === 0 || count + queue[n]!.commands.length <= max)) count += queue[n++]!.commands.length;
  return queue.splice(0, n);
}

/** The transaction of a successful result; a refusal becomes a RefusedError (for callers that stop on refusal). */
export function txOrThrow(result: CommandResult): Tx {
  if (!result.ok) throw new RefusedError(result.refusal);
  return result.tx;
}
