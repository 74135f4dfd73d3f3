// One database transaction around many use-case calls, so that a whole file is imported or nothing of it is.
// Each use-case opens its own transaction with `db.kysely.transaction().execute(fn)`; inside the view given to `fn`
// here, that call joins the open transaction instead (no savepoint: a refusal anywhere rolls back the whole file,
// which is what an import wants). The use-cases run unchanged — same checks, same conversion, same authorization,
// same audit events — they only commit together. The ledger's raw write path is not available in the view.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/db.js';
import type { Schema } from '../../store/schema.js';

/** Thrown inside `inOneTransaction` to roll back on purpose (a dry run) while returning a result. */
class RollBack<T> extends Error {
  constructor(readonly result: T) {
    super('rolled back on purpose');
  }
}

/** A Kysely whose `transaction()` runs its function on the already open transaction `trx`. */
function joining(trx: Transaction<Schema>): Kysely<Schema> {
  const joined = { execute: <T>(fn: (t: Transaction<Schema>) => Promise<T>): Promise<T> => fn(trx) };
  return new Proxy(trx, {
    get(target, property) {
      if (property === 'transaction') return () => joined;
      if (property === 'connection') return () => ({ execute: <T>(fn: (k: Kysely<Schema>) => Promise<T>): Promise<T> => fn(target) });
      const value: unknown = Reflect.get(target, property, target);
      // Kysely keeps its state in private fields: its methods must run on the real object, not on the proxy.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Runs `fn` with a Database whose every query and every nested use-case transaction is one transaction on `db`:
 * committed when `fn` resolves, rolled back when it throws — or, with `dryRun`, rolled back after `fn` resolved,
 * its result returned all the same.
 */
export async function inOneTransaction<T>(db: Database, fn: (view: Database) => Promise<T>, options: { dryRun?: boolean } = {}): Promise<T> {
  try {
    return await db.kysely.transaction().execute(async (trx) => {
      const view: Database = {
        engine: db.engine,
        label: db.label,
        kysely: joining(trx),
        withWriteTransaction: () => Promise.reject(new Error('the ledger write path is not available inside an import transaction')),
        close: () => Promise.reject(new Error('an import transaction view is not closed')),
      };
      const result = await fn(view);
      if (options.dryRun === true) throw new RollBack(result);
      return result;
    });
  } catch (error) {
    if (error instanceof RollBack) return error.result as T;
    throw error;
  }
}
