// Administration for the authority under /api/v1/jurisdictions/{code}: users, role assignments, the audit log (list
// and export) and the complete-due job. Authorization is the use-cases' (AccessControl, RegistryQueries); the coarse
// gate runs before validation; authorization refusals are 403 FORBIDDEN. API tokens need the `admin` scope.
import { Readable } from 'node:stream';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditEvent, AuditFilter } from '../../app/audit.js';
import type { RegistryServices } from '../../app/registry-queries.js';
import { ASSIGNABLE_ROLES } from '../../domain/access/roles.js';
import { HttpError } from '../errors.js';
import { encodeCursor, pageOf, pageFromRows, pageQuery } from '../pagination.js';
import { SIGNED_IN_SECURITY } from '../plugins/authenticate.js';
import { jurisdictionCode } from '../schemas.js';
import { actorOf, gate, installForbiddenMapping, signedInErrors } from './registry.js';

export interface AdminRoutesOptions {
  readonly services: RegistryServices;
}

const ADMIN = { access: 'signed_in', scope: 'admin' } as const;
const TAGS = { users: ['admin: users and roles'], audit: ['admin: audit'], jobs: ['admin: jobs'] };

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'must be an id');
const codeParams = z.object({ code: jurisdictionCode });

const userView = z.object({ id: z.string(), login: z.string(), email: z.string(), displayName: z.string(), status: z.string(), locale: z.string(), createdAt: z.string() });

const roleView = z.object({
  id: z.string(),
  userId: z.string(),
  role: z.enum(ASSIGNABLE_ROLES),
  accountId: z.string().nullable(),
  grantedBy: z.string(),
  grantedAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
});

function roleJson(r: z.infer<typeof roleView>): z.infer<typeof roleView> {
  return { id: r.id, userId: r.userId, role: r.role, accountId: r.accountId, grantedBy: r.grantedBy, grantedAt: r.grantedAt, revokedAt: r.revokedAt, revokedBy: r.revokedBy };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const time = z
  .string()
  .regex(ISO_UTC, 'must be an ISO-8601 UTC time, e.g. 2026-04-01T00:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a real time');
const text = z.string().regex(/^[\x21-\x7E]{1,200}$/, 'must be 1–200 printable ASCII characters without spaces');

const auditFilters = {
  actor: text.optional().describe('user id (or system:… for jobs)'),
  action: text.optional().describe('an exact action (transaction.approve) or a prefix ending in "." (transaction.)'),
  objectType: text.optional(),
  objectId: text.optional(),
  from: time.optional().describe('at or after this time'),
  to: time.optional().describe('before this time'),
};

const auditEventView = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  actorKind: z.string(),
  tokenId: z.string().nullable(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string(),
  before: z.unknown().describe('a small JSON record of the object before, or null'),
  after: z.unknown().describe('a small JSON record of the object after, or null'),
  address: z.string().nullable(),
  userAgent: z.string().nullable(),
});

function auditJson(e: AuditEvent): z.infer<typeof auditEventView> {
  return { id: e.id, at: e.at, actor: e.actor, actorKind: e.actorKind, tokenId: e.tokenId, action: e.action, objectType: e.objectType, objectId: e.objectId, before: e.before, after: e.after, address: e.address, userAgent: e.userAgent };
}

function filterOf(jurisdictionId: string, q: { actor?: string | undefined; action?: string | undefined; objectType?: string | undefined; objectId?: string | undefined; from?: string | undefined; to?: string | undefined }): AuditFilter {
  const f: { -readonly [K in keyof AuditFilter]: AuditFilter[K] } = { jurisdictionId };
  if (q.actor !== undefined) f.actor = q.actor;
  if (q.action !== undefined) f.action = q.action;
  if (q.objectType !== undefined) f.objectType = q.objectType;
  if (q.objectId !== undefined) f.objectId = q.objectId;
  if (q.from !== undefined) f.from = q.from;
  if (q.to !== undefined) f.to = q.to;
  return f;
}

const AUDIT_ID = /^[0-9a-f-]{36}$/;

const EXPORT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/jsonl; charset=utf-8' } as const;

export const adminRoutes: FastifyPluginCallbackZod<AdminRoutesOptions> = (app, { services }, done) => {
  const { queries, access, policy } = services;
  installForbiddenMapping(app);

  // -- users

  app.get(
    '/jurisdictions/:code/users',
    {
      config: ADMIN,
      onRequest: gate(services, 'role.read'),
      schema: {
        summary: 'Users, by login: the directory the authority picks from when granting roles',
        tags: TAGS.users,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: pageQuery,
        response: { 200: pageOf(userView), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.listUsers(actorOf(request), jid, { after: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.login], (r) => r);
    },
  );

  app.post(
    '/jurisdictions/:code/users',
    {
      config: { ...ADMIN, idempotent: true },
      onRequest: gate(services, 'role.manage'),
      schema: {
        summary: 'Creates a user (authority administrator); they enrol TOTP at first sign-in',
        description: 'Roles and representative rights are given separately. A login already taken is 409 LOGIN_TAKEN; a weak password is 422 naming `password`.',
        tags: TAGS.users,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        body: z.strictObject({
          login: z.string().min(1, 'is required').max(200, 'must be at most 200 characters'),
          email: z.string().min(3, 'is required').max(200, 'must be at most 200 characters'),
          displayName: z.string().min(1, 'is required').max(200, 'must be at most 200 characters'),
          password: z.string().min(1, 'is required').max(1024, 'must be at most 1024 characters'),
          locale: z.string().max(35, 'must be at most 35 characters').optional(),
        }),
        response: { 201: userView.extend({ totpActive: z.boolean() }), ...signedInErrors, 200: userView },
      },
    },
    async (request, reply) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const b = request.body;
      const ua = request.headers['user-agent'];
      const user = await queries.createUser(
        actorOf(request),
        jid,
        { login: b.login, email: b.email, displayName: b.displayName, password: b.password, ...(b.locale !== undefined ? { locale: b.locale } : {}) },
        { address: request.ip, userAgent: typeof ua === 'string' ? ua : null },
      );
      return reply.code(201).send({ id: user.id, login: user.login, email: user.email, displayName: user.displayName, status: user.status, locale: user.locale, createdAt: user.createdAt, totpActive: user.totpActive });
    },
  );

  // -- role assignments

  app.get(
    '/jurisdictions/:code/role-assignments',
    {
      config: ADMIN,
      onRequest: gate(services, 'role.read'),
      schema: {
        summary: 'Live role assignments of the jurisdiction (representatives are listed per account)',
        tags: TAGS.users,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: pageQuery.extend({ userId: id.optional().describe('only this user’s roles') }),
        response: { 200: pageOf(roleView), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor, userId } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.listRoles(actorOf(request), jid, { after: cursor?.[0], limit: limit + 1 }, { userId });
      return pageFromRows(rows, limit, (r) => [r.id], roleJson);
    },
  );

  app.post(
    '/jurisdictions/:code/role-assignments',
    {
      config: { ...ADMIN, idempotent: true },
      onRequest: gate(services, 'role.manage'),
      schema: {
        summary: 'Grants a role over the jurisdiction, or (facility_operator, trader) over one account of it',
        description: 'Nobody grants themselves (SELF_GRANT). A role already held at that scope is 409 ROLE_ALREADY_GRANTED. Authorized representatives are added per account instead.',
        tags: TAGS.users,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        body: z.strictObject({ userId: id, role: z.enum(ASSIGNABLE_ROLES), accountId: id.optional().describe('account id or number, for an account-scoped grant') }),
        response: { 201: roleView, ...signedInErrors, 200: roleView },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const jid = await queries.jurisdictionId(request.params.code);
      const b = request.body;
      await access.require(actor, 'role.manage', { jurisdictionId: jid });
      await queries.requireUser(b.userId);
      const accountId = b.accountId === undefined ? undefined : (await queries.accountOf(jid, b.accountId)).id;
      const view = await access.grantRole(actor, { userId: b.userId, role: b.role, jurisdictionId: jid, ...(accountId !== undefined ? { accountId } : {}) });
      return reply.code(201).send(roleJson(view));
    },
  );

  app.delete(
    '/jurisdictions/:code/role-assignments/:assignmentId',
    {
      config: ADMIN,
      onRequest: gate(services, 'role.manage'),
      schema: {
        summary: 'Revokes a role assignment, effective at once (revoking one already revoked answers it unchanged)',
        tags: TAGS.users,
        security: SIGNED_IN_SECURITY,
        params: codeParams.extend({ assignmentId: id }),
        response: { 200: roleView, ...signedInErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const jid = await queries.jurisdictionId(request.params.code);
      await access.require(actor, 'role.manage', { jurisdictionId: jid });
      await queries.requireRoleAssignment(jid, request.params.assignmentId);
      return roleJson(await access.revokeRole(actor, request.params.assignmentId));
    },
  );

  // -- audit log

  app.get(
    '/jurisdictions/:code/audit-events',
    {
      config: ADMIN,
      onRequest: gate(services, 'audit.read'),
      schema: {
        summary: 'The audit log of the jurisdiction, newest first',
        description: 'Every state change: who (user, token, or system job), what (action on an object, with before/after records), when and from where.',
        tags: TAGS.audit,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: pageQuery.extend(auditFilters),
        response: { 200: pageOf(auditEventView), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const after = cursor?.[0];
      if (after !== undefined && !AUDIT_ID.test(after)) throw new HttpError(400, 'INVALID_REQUEST', 'query cursor: is not a cursor from this server (use nextCursor of the previous page)', 'cursor');
      const jid = await queries.jurisdictionId(request.params.code);
      const page = await access.listAudit(actorOf(request), filterOf(jid, filters), after ?? null, limit);
      return { items: page.events.map(auditJson), nextCursor: page.nextCursor === null ? null : encodeCursor([page.nextCursor]) };
    },
  );

  app.get(
    '/jurisdictions/:code/audit-events/export',
    {
      config: ADMIN,
      onRequest: gate(services, 'audit.read'),
      schema: {
        summary: 'Exports the matching audit log as a download: CSV (RFC 4180, header row) or JSON lines',
        description: 'Newest first. CSV cells starting with = + - @ get a leading apostrophe so that spreadsheets do not run them.',
        tags: TAGS.audit,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: z.object({ format: z.enum(['csv', 'jsonl']).default('csv'), ...auditFilters }),
        produces: ['text/csv', 'application/jsonl'],
        response: {
          200: { description: 'the log as a file (Content-Disposition: attachment)', content: { 'text/csv': { schema: z.string() }, 'application/jsonl': { schema: z.string() } } },
          ...signedInErrors,
        },
      },
    },
    async (request, reply) => {
      const { format, ...filters } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const lines = await access.exportAudit(actorOf(request), filterOf(jid, filters), format);
      const stamp = access.now().toISOString().slice(0, 19).replace(/[-:]/g, '');
      return reply
        .type(EXPORT_TYPES[format])
        .header('content-disposition', `attachment; filename="audit-${request.params.code}-${stamp}.${format}"`)
        .header('cache-control', 'no-store')
        // A stream is sent as it is (not serialized); the schema above documents it as text.
        .send(Readable.from(lines) as unknown as string);
    },
  );

  // -- jobs

  app.post(
    '/jurisdictions/:code/jobs/complete-due',
    {
      config: ADMIN,
      onRequest: gate(services, 'authority_tx.approve'),
      schema: {
        summary: 'Runs the delay job now: completes held transactions whose delay has passed',
        description:
          'The server also runs it periodically. It completes every due hold (of every jurisdiction: it only finishes what was approved and is due), at most 256 per call; one whose units are gone is rejected with the refusal as its reason. Nothing completes before its executeAfter.',
        tags: TAGS.jobs,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        response: {
          200: z.object({ completed: z.array(z.string()), rejected: z.array(z.object({ txId: z.string(), code: z.string() })), closed: z.array(z.string()) }),
          ...signedInErrors,
        },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      await access.require(actorOf(request), 'authority_tx.approve', { jurisdictionId: jid });
      const report = await policy.completeDue(access.now());
      return { completed: report.completed, rejected: report.rejected.map((r) => ({ txId: r.txId, code: r.code })), closed: report.closed };
    },
  );

  done();
};
