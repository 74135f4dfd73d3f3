// Crash-test workload, run as a child process and killed with SIGKILL at a random moment by test/app/crash.test.ts.
// Usage: node --import tsx test/support/crash-child.ts <db-url> <jurisdiction-code> <seed> <round>
// (or CRASH_DB_URL, CRASH_CODE, CRASH_SEED, CRASH_ROUND; CRASH_CONCURRENCY sets the commands in flight, default 8;
// with CRASH_WAIT_GO=1 it waits, after `ready`, for a line on stdin before it starts, and exits if stdin closes).
//
// The parent has already set up the jurisdiction (ensureDemoRegistry) and given every holder opening units.
// This process submits random execute:true ledger commands forever, several in flight at once, and reports on
// stdout, synchronously (fs.writeSync, nothing buffered), one line per event:
//   ready <holders>                          set-up done (read only); the workload starts (after "go" with CRASH_WAIT_GO)
//   intent <key> <json>                      written BEFORE the command is submitted; json = {request, actor, execute}
//                                            with quantityT as a decimal string
//   ack <key> <txId> new|replayed            written AFTER the submit promise resolved with a transaction
//   ack <key> refused <code>                 written AFTER the submit promise resolved with a refusal
//   error <key> <message>                    the submit promise rejected (then the process exits with status 1)
// Keys are `c<round>-<n>`: unique per round and across rounds.
import { writeSync } from 'node:fs';
import { ensureDemoRegistry, prng } from '../../src/app/demo-ledger.js';
import { Registry } from '../../src/app/registry.js';
import type { TxRequest } from '../../src/domain/registry/model.js';
import { openDatabase } from '../../src/store/db.js';

/** Holding accounts the parent creates with ensureDemoRegistry(registry, code, CRASH_HOLDERS). */
const CRASH_HOLDERS = 8;
const CRASH_ACTOR = 'crash-child';

/** Writes one line with a blocking write(2) of the whole line (below PIPE_BUF, so the parent never sees half of it). */
function emit(line: string): void {
  const buf = Buffer.from(`${line}\n`);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

function arg(i: number, env: string): string {
  const v = process.argv[2 + i] ?? process.env[env];
  if (v === undefined || v === '') throw new Error(`crash-child: missing argument ${i + 1} (or ${env})`);
  return v;
}

async function main(): Promise<void> {
  const url = arg(0, 'CRASH_DB_URL');
  const code = arg(1, 'CRASH_CODE');
  const seed = Number(arg(2, 'CRASH_SEED'));
  const round = Number(arg(3, 'CRASH_ROUND'));
  const concurrency = Number(process.env.CRASH_CONCURRENCY ?? 8);
  if (!Number.isInteger(seed) || !Number.isInteger(round) || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('crash-child: seed, round and CRASH_CONCURRENCY are integers');
  }

  const db = openDatabase(url, { poolMax: 4 });
  const registry = new Registry(db);
  const existing = await registry.jurisdictionByCode(code);
  if (existing === undefined) throw new Error(`crash-child: no jurisdiction ${code}; the parent sets it up first`);
  // Everything exists already: this only reads (and the parent checks that nothing else was written).
  const { jurisdictionId, authority, holders, unitTypes } = await ensureDemoRegistry(registry, code, CRASH_HOLDERS);
  const facilities = holders.filter((h) => h.type === 'facility_compliance');
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const qty = (max: number): bigint => BigInt(1 + Math.floor(random() * max));
  const unitType = (): string => (random() < 0.75 ? unitTypes[0]! : pick(unitTypes));

  const nextRequest = (): TxRequest => {
    const r = random();
    const from = pick(holders);
    if (r < 0.12) return { type: 'issuance', toAccountId: random() < 0.8 ? from.id : authority, unitTypeId: unitType(), quantityT: qty(300) };
    // From any holder: a general holding account cannot surrender (refused), a facility can.
    if (r < 0.22) return { type: 'surrender', fromAccountId: random() < 0.8 ? pick(facilities).id : from.id, unitTypeId: unitType(), quantityT: qty(40) };
    if (r < 0.27) return { type: 'retirement', fromAccountId: from.id, unitTypeId: unitType(), quantityT: qty(40) };
    let to = pick(holders);
    // Refused on purpose: far more than anyone holds, or to the same account.
    if (r < 0.3) return { type: 'transfer', fromAccountId: from.id, toAccountId: to.id, unitTypeId: unitType(), quantityT: 1_000_000_000n };
    if (r < 0.32) return { type: 'transfer', fromAccountId: from.id, toAccountId: from.id, unitTypeId: unitType(), quantityT: 1n };
    if (to.id === from.id) to = holders[(holders.indexOf(from) + 1) % holders.length]!;
    // Now and then more than the account is likely to hold (refused unless it has received a lot).
    return { type: 'transfer', fromAccountId: from.id, toAccountId: to.id, unitTypeId: unitType(), quantityT: random() < 0.1 ? qty(3000) : qty(120) };
  };

  emit(`ready ${holders.length}`);
  if (process.env.CRASH_WAIT_GO === '1') {
    // Started ahead of time (tsx takes a while to load): wait for the parent's "go" on stdin.
    const go = await new Promise<boolean>((resolve) => {
      process.stdin.once('data', () => { resolve(true); });
      process.stdin.once('end', () => { resolve(false); });
    });
    if (!go) process.exit(0);
  }
  let n = 0;
  const worker = async (): Promise<never> => {
    for (;;) {
      const request = nextRequest();
      const key = `c${round}-${n++}`;
      const body = { request, actor: CRASH_ACTOR, execute: true };
      emit(`intent ${key} ${JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
      let result;
      try {
        result = await registry.submit(jurisdictionId, request, { idempotencyKey: key, actor: CRASH_ACTOR, execute: true });
      } catch (error) {
        emit(`error ${key} ${String(error).replace(/\s+/g, ' ')}`);
        process.exit(1);
      }
      emit(result.ok ? `ack ${key} ${result.tx.id} ${result.replayed ? 'replayed' : 'new'}` : `ack ${key} refused ${result.refusal.code}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

main().catch((error: unknown) => {
  process.stderr.write(`crash-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
