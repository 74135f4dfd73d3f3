// The HTTP layer's idempotency records (src/http/plugins/idempotency.ts): the first response to each
// (actor, Idempotency-Key) of a creating POST, replayed to retries. Bounded retention: rows older than
// IDEMPOTENCY_RETENTION_MS (24 h) are pruned opportunistically and never replayed. A row whose status_code is null is
// a reservation: its first request is still running (or crashed; it may be taken over after a short lease).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    // The user id of the session or API token: keys are per actor.
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    // The route pattern (e.g. /api/v1/jurisdictions/:code/facilities), not the URL.
    .addColumn('route', 'text', (c) => c.notNull())
    // SHA-256 (hex) of method, route, path parameters and the canonical body.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['actor_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute();
}
