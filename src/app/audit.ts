// The audit log: one append-only row per state change — who (actor, kind, token), what (action on an object,
// with small before/after records), when, and from where (address, user agent). This module only appends and
// reads; there is no update or delete, and database triggers refuse them on both engines.
// Reading and exporting are authorized in AccessControl (src/app/authorization.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import { assert } from '../domain/assert.js';
import { RefusedError, refusal } from '../domain/errors.js';
import type { Actor } from '../domain/access/roles.js';
import type { Database, Statement, WriteSession } from '../store/db.js';
import type { AuditEventTable, Schema } from '../store/schema.js';
import { uuidv7 } from './ids.js';

/** Largest before/after record, in characters of JSON: the log keeps references and small facts, not documents. */
export const AUDIT_DETAIL_CHARS_MAX = 4000;
export const AUDIT_PAGE_MAX = 500;
export const AUDIT_PAGE_DEFAULT = 100;
const TEXT_MAX = 200;
const USER_AGENT_MAX = 400;

export interface AuditEventInput {
  /** null for events outside any jurisdiction (a sign-in). */
  readonly jurisdictionId: string | null;
  /** `<object>.<verb>`, e.g. `transaction.approve`, `role.grant`. */
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string;
  /** Small JSON-able records (bigints become strings); ids reference larger objects. */
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditEvent {
  readonly id: string;
  readonly jurisdictionId: string | null;
  readonly at: string;
  readonly actor: string;
  readonly actorKind: string;
  readonly tokenId: string | null;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly address: string | null;
  readonly userAgent: string | null;
}

type Executor = Kysely<Schema> | Transaction<Schema>;

function detailJson(value: unknown): string | null {
  if (value === undefined) return null;
  const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  assert(json.length <= AUDIT_DETAIL_CHARS_MAX, `an audit detail fits ${AUDIT_DETAIL_CHARS_MAX} characters`);
  return json;
}

function clip(value: string | undefined, max: number): string | null {
  return value === undefined ? null : value.slice(0, max);
}

/** The row of one event (checked and clipped). */
export function auditEventRow(actor: Actor, event: AuditEventInput, at: Date, id: string = uuidv7()): AuditEventTable {
  assert(event.action.length > 0 && event.action.length <= TEXT_MAX, 'an audit action is named');
  assert(event.objectType.length > 0 && event.objectType.length <= TEXT_MAX, 'an audit object type is named');
  assert(event.objectId.length > 0 && event.objectId.length <= TEXT_MAX, 'an audit object id is named');
  return {
    id,
    jurisdiction_id: event.jurisdictionId,
    at: at.toISOString(),
    actor: actor.id.slice(0, TEXT_MAX),
    actor_kind: actor.kind,
    token_id: clip(actor.tokenId, TEXT_MAX),
    action: event.action,
    object_type: event.objectType,
    object_id: event.objectId,
    before_json: detailJson(event.before),
    after_json: detailJson(event.after),
    // An address is at most an IPv6 text form with a zone; clipping keeps hostile headers bounded.
    address: clip(actor.address, 100),
    user_agent: clip(actor.userAgent, USER_AGENT_MAX),
  };
}

/** Appends one event with `executor` — pass the use-case's transaction so the event commits with the change. */
export async function appendAuditEvent(executor: Executor, actor: Actor, event: AuditEventInput, at: Date, id: string = uuidv7()): Promise<AuditEvent> {
  const row = auditEventRow(actor, event, at, id);
  await executor.insertInto('audit_events').values(row).execute();
  return eventOf(row);
}

const AUDIT_COLUMNS = ['id', 'jurisdiction_id', 'at', 'actor', 'actor_kind', 'token_id', 'action', 'object_type', 'object_id', 'before_json', 'after_json', 'address', 'user_agent'] as const;

/** Statements appending events inside a ledger batch (Registry's `withResults`): they commit with the change. */
export function auditEventStatements(s: WriteSession, rows: readonly AuditEventTable[]): Statement[] {
  return s.insertMany('audit_events', AUDIT_COLUMNS, rows.map((r) => AUDIT_COLUMNS.map((c) => r[c])));
}

function eventOf(r: AuditEventTable): AuditEvent {
  return {
    id: r.id,
    jurisdictionId: r.jurisdiction_id,
    at: r.at,
    actor: r.actor,
    actorKind: r.actor_kind,
    tokenId: r.token_id,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    before: r.before_json === null ? null : JSON.parse(r.before_json),
    after: r.after_json === null ? null : JSON.parse(r.after_json),
    address: r.address,
    userAgent: r.user_agent,
  };
}

export interface AuditFilter {
  /** Required for everyone but system actors: the authority reads its own jurisdiction's log. */
  readonly jurisdictionId?: string;
  readonly actor?: string;
  /** An exact action, or a prefix ending in "." (`transaction.`). */
  readonly action?: string;
  readonly objectType?: string;
  readonly objectId?: string;
  /** ISO-8601 bounds on `at`, inclusive from, exclusive to. */
  readonly from?: string;
  readonly to?: string;
}

export interface AuditPage {
  readonly events: AuditEvent[];
  /** Pass back to get the next (older) page; null at the end. */
  readonly nextCursor: string | null;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function checkFilter(filter: AuditFilter, cursor: string | null, limit: number): void {
  for (const field of ['from', 'to'] as const) {
    const v = filter[field];
    if (v !== undefined && (!ISO.test(v) || Number.isNaN(Date.parse(v)))) {
      throw new RefusedError(refusal('TIME_INVALID', 'A time is ISO-8601 UTC, e.g. 2026-04-01T00:00:00Z.', field));
    }
  }
  for (const field of ['jurisdictionId', 'actor', 'action', 'objectType', 'objectId'] as const) {
    const v = filter[field];
    if (v !== undefined && (v.length === 0 || v.length > TEXT_MAX)) {
      throw new RefusedError(refusal('FILTER_INVALID', `A filter value has 1 to ${TEXT_MAX} characters.`, field));
    }
  }
  if (cursor !== null && !/^[0-9a-f-]{36}$/.test(cursor)) throw new RefusedError(refusal('CURSOR_INVALID', 'The cursor is not one this server gave.', 'cursor'));
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX) {
    throw new RefusedError(refusal('LIMIT_OUT_OF_RANGE', `A page holds 1 to ${AUDIT_PAGE_MAX} events.`, 'limit'));
  }
}

/** Newest first. The cursor is the id of the last event of the previous page (ids are UUIDv7: time-ordered). */
export async function listAuditEvents(db: Database, filter: AuditFilter, cursor: string | null = null, limit: number = AUDIT_PAGE_DEFAULT): Promise<AuditPage> {
  checkFilter(filter, cursor, limit);
  let q = db.kysely.selectFrom('audit_events').selectAll();
  if (filter.jurisdictionId !== undefined) q = q.where('jurisdiction_id', '=', filter.jurisdictionId);
  if (filter.actor !== undefined) q = q.where('actor', '=', filter.actor);
  if (filter.action !== undefined) {
    const a = filter.action;
    // A prefix ends in "."; LIKE with its wildcards escaped (not a range: PostgreSQL collations may ignore punctuation).
    q = a.endsWith('.') ? q.where(sql<boolean>`action like ${`${a.replace(/[!%_]/g, '!$&')}%`} escape '!'`) : q.where('action', '=', a);
  }
  if (filter.objectType !== undefined) q = q.where('object_type', '=', filter.objectType);
  if (filter.objectId !== undefined) q = q.where('object_id', '=', filter.objectId);
  if (filter.from !== undefined) q = q.where('at', '>=', new Date(filter.from).toISOString());
  if (filter.to !== undefined) q = q.where('at', '<', new Date(filter.to).toISOString());
  if (cursor !== null) q = q.where('id', '<', cursor);
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit).map(eventOf);
  return { events: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

export type AuditExportFormat = 'csv' | 'jsonl';

export const AUDIT_CSV_COLUMNS = [
  'id', 'at', 'jurisdiction_id', 'actor', 'actor_kind', 'token_id', 'action', 'object_type', 'object_id', 'before', 'after', 'address', 'user_agent',
] as const;

/** A CSV cell: quoted when needed; a leading = + - @ is defused so spreadsheets do not run it as a formula. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvLine(e: AuditEvent): string {
  const cells = [
    e.id, e.at, e.jurisdictionId, e.actor, e.actorKind, e.tokenId, e.action, e.objectType, e.objectId,
    e.before === null ? null : JSON.stringify(e.before), e.after === null ? null : JSON.stringify(e.after), e.address, e.userAgent,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Every matching event, newest first, as CSV (RFC 4180, CRLF, header row) or JSON lines; read page by page. */
export async function* exportAuditEvents(db: Database, filter: AuditFilter, format: AuditExportFormat): AsyncGenerator<string> {
  const asked: string = format; // checked again: callers may pass what a request said
  if (asked !== 'csv' && asked !== 'jsonl') throw new RefusedError(refusal('FORMAT_INVALID', 'The export format is csv or jsonl.', 'format'));
  if (format === 'csv') yield `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
  let cursor: string | null = null;
  do {
    const page = await listAuditEvents(db, filter, cursor, AUDIT_PAGE_MAX);
    for (const e of page.events) yield format === 'csv' ? csvLine(e) : `${JSON.stringify(e)}\n`;
    cursor = page.nextCursor;
  } while (cursor !== null);
}
