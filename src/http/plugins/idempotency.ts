// Generic idempotency for creating POSTs. A route declares `config.idempotent: true` (or 'use-case', below); then
// the Idempotency-Key header is required (400 INVALID_REQUEST naming `idempotency-key` when missing or malformed,
// checked by the route's header schema, which this plugin adds) and the first response to (actor, key) is stored
// and replayed:
//   - same key, same request (method, route, path parameters, canonical body) → the stored status and body again,
//     with `Idempotent-Replayed: true`; nothing runs.
//   - same key, another request → 409 IDEMPOTENCY_CONFLICT.
//   - same key while its first request is still running → 409 IDEMPOTENCY_IN_PROGRESS.
// The key is reserved first, in its own short statement (insert … on conflict do nothing), then the handler runs
// (committing its own transaction), then the response is stored in onSend, before it leaves. Refusals (4xx) are
// stored too, so a retry gets the same answer; a 5xx is not stored and releases the key (a retry runs again).
// The check runs as the route's last preHandler: after sign-in (onRequest), the routes' authorization gates and
// request validation, so 401/403/400 come first and are never stored. Keys are per actor (the user id of the
// session or API token); rows are kept IDEMPOTENCY_RETENTION_MS (24 h) and pruned opportunistically.
//
// At-most-once only together with each use-case's own uniqueness: the handler's commit and storing the response
// are two transactions. A crash between them leaves the reservation without a response; after
// IDEMPOTENCY_LEASE_MS a retry takes the key over and runs the handler again. The use-cases therefore refuse
// duplicates themselves (409 …_EXISTS / ALREADY_…, or the ledger's own idempotency key), so a second run creates
// nothing a second time.
//
// `config.idempotent: 'use-case'` is for routes whose use-case stores the key with what it created and answers a
// retry itself (transaction proposals, surrenders: 200 with `replayed: true` and the current state). There this
// layer still requires the key, reserves it, refuses conflicts and concurrent duplicates, and stores and replays
// refusals; but a stored success is not replayed from here: the handler runs again and the use-case replays. Both
// layers see the same key, so they agree: a different body is IDEMPOTENCY_CONFLICT in either.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { Database } from '../../store/db.js';
import { HttpError } from '../errors.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyHeaders } from '../idempotency.js';

/** How long a stored response is replayed (and its row kept). */
export const IDEMPOTENCY_RETENTION_MS = 24 * 3_600_000;
/** After this long, a reservation without a response (its request crashed) may be taken over by a retry. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** Old rows are pruned at most this often (per server). */
const PRUNE_EVERY_MS = 60_000;
export const REPLAYED_HEADER = 'idempotent-replayed';

export type IdempotentMode = true | 'use-case';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A creating POST: requires Idempotency-Key; the first response per (actor, key) is stored and replayed. */
    idempotent?: IdempotentMode;
  }
}

export interface IdempotencyOptions {
  readonly db: Database;
  readonly clock: () => Date;
}

/** What this request holds: a reservation to complete in onSend. */
interface Held {
  readonly actorId: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly createdAt: string;
}
const held = new WeakMap<FastifyRequest, Held>();

/** JSON with object keys sorted at every level (bigint as its decimal string): equal requests, equal text. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of the request as the handler sees it: method, route pattern, path parameters, body. */
export function requestFingerprint(method: string, route: string, params: unknown, body: unknown): string {
  return createHash('sha256').update(canonicalJson({ method, route, params: params ?? {}, body: body ?? null })).digest('hex');
}

function addHook<T>(existing: T | T[] | undefined, hook: T): T[] {
  return existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/** The route's header schema with the required Idempotency-Key (a zod object is extended; none becomes the key alone). */
function withKeyHeader(headers: unknown): unknown {
  if (headers === undefined) return idempotencyHeaders;
  if (headers instanceof z.ZodObject) return headers.shape[IDEMPOTENCY_KEY_HEADER] !== undefined ? headers : headers.extend(idempotencyHeaders.shape);
  throw new Error('an idempotent route declares its headers schema with zod (or not at all)');
}

/** The routes of `app` that declared config.idempotent ('POST /api/v1/…' pattern → mode), for tests and tooling. */
const routesOf = new WeakMap<FastifyInstance, Map<string, IdempotentMode>>();
export function idempotentRoutesOf(app: FastifyInstance): ReadonlyMap<string, IdempotentMode> {
  return routesOf.get(app) ?? new Map();
}

export function installIdempotency(app: FastifyInstance, options: IdempotencyOptions): void {
  const { db, clock } = options;
  const routes = new Map<string, IdempotentMode>();
  routesOf.set(app, routes);
  let lastPrune = 0;

  const prune = async (now: Date): Promise<void> => {
    if (now.getTime() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now.getTime();
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS).toISOString();
    await db.kysely.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
  };

  const replay = (reply: FastifyReply, status: number, body: string): FastifyReply =>
    reply.code(status).header(REPLAYED_HEADER, 'true').type('application/json; charset=utf-8').send(body);

  const preHandler: preHandlerAsyncHookHandler = async (request, reply) => {
    const mode = request.routeOptions.config.idempotent;
    const actor = request.actor;
    if (mode === undefined || actor === null) return; // signed-in routes only: authenticate refused anonymous already
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    // Validated by the route's header schema; this guards routes whose schema was replaced.
    if (typeof key !== 'string' || !idempotencyHeaders.shape[IDEMPOTENCY_KEY_HEADER].safeParse(key).success) {
      throw new HttpError(400, 'INVALID_REQUEST', 'header idempotency-key: the Idempotency-Key header is required (1–200 printable ASCII characters)', IDEMPOTENCY_KEY_HEADER);
    }
    const route = request.routeOptions.url ?? request.url;
    const fingerprint = requestFingerprint(request.method, route, request.params, request.body);
    const now = clock();
    await prune(now);
    const createdAt = now.toISOString();
    const row = { actor_id: actor.userId, idempotency_key: key, method: request.method, route, fingerprint, status_code: null, response_body: null, created_at: createdAt };
    const inserted = await db.kysely
      .insertInto('idempotency_keys')
      .values(row)
      .onConflict((oc) => oc.columns(['actor_id', 'idempotency_key']).doNothing())
      .executeTakeFirst();
    if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) {
      held.set(request, { actorId: actor.userId, key, fingerprint, createdAt });
      return;
    }
    // Taken: an expired row, or a reservation whose request crashed, is taken over (one request wins the update).
    const retained = new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS).toISOString();
    const leased = new Date(now.getTime() - IDEMPOTENCY_LEASE_MS).toISOString();
    const taken = await db.kysely
      .updateTable('idempotency_keys')
      .set({ method: request.method, route, fingerprint, status_code: null, response_body: null, created_at: createdAt })
      .where('actor_id', '=', actor.userId)
      .where('idempotency_key', '=', key)
      .where((eb) => eb.or([eb('created_at', '<', retained), eb.and([eb('status_code', 'is', null), eb('created_at', '<', leased)])]))
      .executeTakeFirst();
    if (taken.numUpdatedRows > 0n) {
      held.set(request, { actorId: actor.userId, key, fingerprint, createdAt });
      return;
    }
    const existing = await db.kysely
      .selectFrom('idempotency_keys')
      .select(['fingerprint', 'status_code', 'response_body'])
      .where('actor_id', '=', actor.userId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (existing === undefined) {
      // Released (a 5xx) between our insert and our read: the client may simply retry.
      throw new HttpError(409, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key has just ended without an answer; retry it.', IDEMPOTENCY_KEY_HEADER);
    }
    if (existing.fingerprint !== fingerprint) {
      throw new HttpError(409, 'IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used for a different request; use a new key for a new action.', IDEMPOTENCY_KEY_HEADER);
    }
    if (existing.status_code === null || existing.response_body === null) {
      throw new HttpError(409, 'IDEMPOTENCY_IN_PROGRESS', 'The first request with this Idempotency-Key is still running; retry later.', IDEMPOTENCY_KEY_HEADER);
    }
    const status = Number(existing.status_code);
    // 'use-case': the use-case answers a retry of a success itself (its own replay); refusals are replayed here.
    if (mode === 'use-case' && status < 400) return;
    return replay(reply, status, existing.response_body);
  };

  const onSend: onSendAsyncHookHandler = async (request, reply, payload) => {
    const h = held.get(request);
    if (h === undefined) return payload;
    held.delete(request);
    const where = db.kysely
      .updateTable('idempotency_keys')
      .where('actor_id', '=', h.actorId)
      .where('idempotency_key', '=', h.key)
      .where('created_at', '=', h.createdAt)
      .where('status_code', 'is', null);
    const status = reply.statusCode;
    if (status >= 500 || typeof payload !== 'string') {
      // Not an answer to repeat: release the key so that a retry runs again.
      await db.kysely
        .deleteFrom('idempotency_keys')
        .where('actor_id', '=', h.actorId)
        .where('idempotency_key', '=', h.key)
        .where('created_at', '=', h.createdAt)
        .where('status_code', 'is', null)
        .execute();
      return payload;
    }
    await where.set({ status_code: status, response_body: payload }).execute();
    return payload;
  };

  app.addHook('onRoute', (route) => {
    const mode = route.config?.idempotent;
    if (mode === undefined) return;
    const name = `${String(route.method)} ${route.url}`;
    if (route.method !== 'POST') throw new Error(`${name}: only POST routes are idempotent`);
    if (route.config?.access !== 'signed_in') throw new Error(`${name}: idempotent routes are signed in (keys are per actor)`);
    const schema = (route.schema ?? {}) as { headers?: unknown; description?: string };
    schema.headers = withKeyHeader(schema.headers);
    route.schema = schema;
    route.preHandler = addHook(route.preHandler, preHandler);
    route.onSend = addHook(route.onSend, onSend);
    routes.set(`POST ${route.url}`, mode);
  });
}
