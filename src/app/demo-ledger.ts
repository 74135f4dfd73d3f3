// A reproducible random ledger workload for demos, tests and benchmarks: issuances, transfers, surrenders and
// retirements among N accounts, some deliberately too large so that the ledger refuses them. The same seed
// gives the same commands with the same idempotency keys, so running it twice changes nothing the second time.
import type { Refusal } from '../domain/errors.js';
import type { TxRequest } from '../domain/registry/model.js';
import type { Registry } from './registry.js';

export interface LedgerDemoOptions {
  readonly accounts: number;
  readonly transfers: number;
  readonly seed: number;
  readonly jurisdictionCode?: string;
  /** Commands in flight at once (they share group commits); default 64. */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface LedgerDemoSummary {
  readonly jurisdiction: string;
  readonly accounts: number;
  readonly commands: number;
  readonly completed: number;
  readonly replayed: number;
  readonly refused: Record<string, number>;
  readonly seconds: number;
}

/** mulberry32: a small, fast, seedable PRNG (the workload must not depend on Math.random). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ACCOUNTS_MAX = 10_000;
export const TRANSFERS_MAX = 10_000_000;

export async function runLedgerDemo(registry: Registry, options: LedgerDemoOptions): Promise<LedgerDemoSummary> {
  const started = performance.now();
  const code = options.jurisdictionCode ?? 'DEMO';
  const { jurisdictionId, authority, holders, unitTypes } = await ensureDemoRegistry(registry, code, options.accounts);
  const random = prng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const quantity = (): bigint => BigInt(1 + Math.floor(random() * 50) * (random() < 0.1 ? 40 : 1));

  const requests: TxRequest[] = [];
  // Opening allocation: every account gets units of the first unit type.
  for (const h of holders) requests.push({ type: 'issuance', toAccountId: h.id, unitTypeId: unitTypes[0]!, quantityT: 500n });
  for (let i = 0; i < options.transfers; i++) {
    const r = random();
    const from = pick(holders);
    const unitTypeId = random() < 0.8 ? unitTypes[0]! : pick(unitTypes);
    if (r < 0.1) {
      requests.push({ type: 'issuance', toAccountId: random() < 0.5 ? authority : from.id, unitTypeId, quantityT: quantity() * 10n });
    } else if (r < 0.2 && from.type === 'facility_compliance') {
      requests.push({ type: 'surrender', fromAccountId: from.id, unitTypeId, quantityT: quantity() });
    } else if (r < 0.25) {
      requests.push({ type: 'retirement', fromAccountId: from.id, unitTypeId, quantityT: quantity() });
    } else {
      let to = pick(holders);
      if (to.id === from.id) to = holders[(holders.indexOf(from) + 1) % holders.length]!;
      requests.push({ type: 'transfer', fromAccountId: from.id, toAccountId: to.id, unitTypeId, quantityT: quantity() });
    }
  }

  const refused: Record<string, number> = {};
  let completed = 0;
  let replayed = 0;
  const concurrency = options.concurrency ?? 64;
  for (let i = 0; i < requests.length; i += concurrency) {
    const chunk = requests.slice(i, i + concurrency);
    const results = await Promise.all(
      chunk.map((request, j) => registry.submit(jurisdictionId, request, { idempotencyKey: `demo-${options.seed}-${i + j}`, actor: 'demo', execute: true })),
    );
    for (const r of results) {
      if (!r.ok) countRefusal(refused, r.refusal);
      else if (r.replayed) replayed++;
      else completed++;
    }
    options.onProgress?.(Math.min(i + concurrency, requests.length), requests.length);
  }
  return {
    jurisdiction: code,
    accounts: holders.length,
    commands: requests.length,
    completed,
    replayed,
    refused,
    seconds: (performance.now() - started) / 1000,
  };
}

function countRefusal(refused: Record<string, number>, r: Refusal): void {
  refused[r.code] = (refused[r.code] ?? 0) + 1;
}

interface DemoRegistry {
  readonly jurisdictionId: string;
  readonly authority: string;
  readonly holders: { id: string; type: string }[];
  readonly unitTypes: string[];
}

/** The demo jurisdiction with at least `accounts` holding accounts, reusing what an earlier run created. */
export async function ensureDemoRegistry(registry: Registry, code: string, accounts: number): Promise<DemoRegistry> {
  const k = registry.db.kysely;
  const jurisdictionId =
    (await registry.jurisdictionByCode(code))?.id ??
    (await registry.createJurisdiction({ code, nameEn: 'Demo City', nameJa: 'デモ市', timeZone: 'Asia/Tokyo', fyStartMonth: 4 })).id;
  const existing = await k.selectFrom('accounts').select(['id', 'type']).where('jurisdiction_id', '=', jurisdictionId).execute();
  let authority = existing.find((a) => a.type === 'authority_issuance')?.id;
  authority ??= (await registry.openAccount({ jurisdictionId, type: 'authority_issuance', holder: 'Demo City Environment Bureau' })).id;
  // Ids are UUIDv7, ordered by creation: a rerun sees the accounts in the order the first run made them.
  const holders = existing
    .filter((a) => a.type === 'facility_compliance' || a.type === 'general_holding')
    .map((a) => ({ id: a.id, type: a.type }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  for (let i = holders.length; i < accounts; i++) {
    const type = i % 10 < 7 ? 'facility_compliance' : 'general_holding';
    const opened = await registry.openAccount({ jurisdictionId, type, holder: `${type === 'facility_compliance' ? 'Facility' : 'Trader'} ${i + 1}` });
    holders.push({ id: opened.id, type });
  }
  const unitTypes: string[] = [];
  for (const [ucode, kind, vintage] of [['ALLOWANCE-P1', 'allowance', 1], ['ALLOWANCE-P2', 'allowance', 2], ['ERC-P1', 'excess_reduction_credit', 1]] as const) {
    const found = await k.selectFrom('unit_types').select('id').where('jurisdiction_id', '=', jurisdictionId).where('code', '=', ucode).executeTakeFirst();
    unitTypes.push(found?.id ?? (await registry.createUnitType({ jurisdictionId, code: ucode, kind, issuingJurisdiction: code, vintage })).id);
  }
  return { jurisdictionId, authority, holders: holders.slice(0, accounts), unitTypes };
}
