// The registry for signed-in users under /api/v1/jurisdictions/{code}: accounts with their holdings and unit blocks,
// unit types, transactions and their lifecycle (propose, approve, reject, cancel), trusted account lists and
// representatives. Routes translate HTTP to the use-cases (RegistryPolicy, AccessControl, RegistryQueries), which
// authorize; a coarse gate (RegistryQueries.gate) runs before validation so that nobody without standing in the
// jurisdiction learns what a valid request looks like. Authorization refusals are answered 403 FORBIDDEN.
// API tokens: reads need `registry:read`, changes `registry:write`.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TransactionOutcome } from '../../app/policy.js';
import { forbidden } from '../../app/authorization.js';
import { type RegistryServices, type TxView } from '../../app/registry-queries.js';
import type { Action } from '../../domain/access/permissions.js';
import { REPRESENTATIVE_RIGHTS, type Actor as AppActor } from '../../domain/access/roles.js';
import { RefusedError } from '../../domain/errors.js';
import { TX_STATUSES, TX_TYPES, type TxRequest } from '../../domain/registry/model.js';
import { HttpError, sendError } from '../errors.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyHeaders } from '../idempotency.js';
import { pageFromRows, pageOf, pageQuery } from '../pagination.js';
import { SIGNED_IN_SECURITY } from '../plugins/authenticate.js';
import { bigintOrNull, bigintString, errorBody, errorResponses, jurisdictionCode } from '../schemas.js';

export interface RegistryRoutesOptions {
  readonly services: RegistryServices;
}

const READ = { access: 'signed_in', scope: 'registry:read' } as const;
const WRITE = { access: 'signed_in', scope: 'registry:write' } as const;
const TAGS = { accounts: ['accounts'], transactions: ['transactions'] };

// ---- shared with the admin routes ------------------------------------------------------------------------------

/** The error responses of a signed-in route. */
export const signedInErrors = {
  ...errorResponses,
  401: errorBody.describe('not signed in, or the session or token has ended'),
  403: errorBody.describe('FORBIDDEN: no role of yours allows this here (the message names the rule); CSRF_INVALID; TOKEN_SCOPE'),
  409: errorBody.describe('conflicts with the current state: IDEMPOTENCY_CONFLICT, …_EXISTS, ALREADY_…'),
  422: errorBody.describe('well-formed, but a rule refuses it; `code` says which (e.g. FOUR_EYES, TRANSACTION_LIMIT_EXCEEDED, INSUFFICIENT_UNITS)'),
} as const;

/** The app-layer actor of a signed-in request (the authenticate plugin refused anonymous requests already). */
export function actorOf(request: FastifyRequest): AppActor {
  const a = request.actor;
  if (a === null) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in, or send an API token, to use this route.');
  return a.appActor;
}

/** A preValidation hook: the coarse authorization gate for `actions` in the path's jurisdiction. */
export function gate(services: RegistryServices, ...actions: Action[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const code = (request.params as Record<string, unknown> | undefined)?.code;
    await services.queries.gate(actorOf(request), actions, code);
  };
}

/** Errors of these plugins: authorization refusals become 403 FORBIDDEN; everything else as the server maps it. */
export function installForbiddenMapping(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = error instanceof RefusedError ? forbidden(error.refusal) : error;
    return sendError(mapped, request, reply);
  });
}

/** A bigint key of a cursor (a cursor can be hand-made: it is not signed), or a 400 naming `cursor`. */
export function bigintCursor(key: readonly string[] | undefined): bigint | undefined {
  const k = key?.[0];
  if (k === undefined) return undefined;
  // 18 digits at most: every such number fits the databases' 64-bit integers (a larger one would fail in the driver).
  if (!/^\d{1,18}$/.test(k)) throw new HttpError(400, 'INVALID_REQUEST', 'query cursor: is not a cursor from this server (use nextCursor of the previous page)', 'cursor');
  return BigInt(k);
}

// ---- schemas -------------------------------------------------------------------------------------------------

/** An id (UUID) or an account number (e.g. TOKYO-200-1). */
const ref = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'must be an id or an account number');
const accountRef = ref.describe('account id, or account number (e.g. TOKYO-200-1)');
const quantity = z
  .string()
  .regex(/^[1-9]\d{0,12}$/, 'must be a whole number of tonnes from 1, as a decimal string (e.g. "1500")')
  .describe('tonnes, as a decimal string');

const accountParams = z.object({ code: jurisdictionCode, accountId: accountRef });
const txParams = z.object({ code: jurisdictionCode, txId: ref.describe('transaction id') });

const accountView = z.object({
  id: z.string(),
  number: z.string(),
  type: z.string(),
  holder: z.string(),
  status: z.string(),
  facilityId: z.string().nullable(),
  createdAt: z.string(),
});
const holdingView = z.object({ unitTypeId: z.string(), unitTypeCode: z.string(), kind: z.string(), quantityT: bigintString });
const blockView = z.object({ unitTypeId: z.string(), serialStart: bigintString, serialEnd: bigintString, quantityT: bigintString });
const unitTypeView = z.object({ id: z.string(), code: z.string(), kind: z.string(), issuingJurisdiction: z.string(), vintage: z.number().int().nullable(), issuedT: bigintString });

const holdView = z
  .object({
    executeAfter: z.string().describe('the earliest moment it completes'),
    delayRule: z.string().nullable().describe('UNTRUSTED_DESTINATION_DELAY when held for the delay, else null'),
    closedAt: z.string().nullable(),
    outcome: z.string().nullable().describe('completed, rejected or void once closed'),
  })
  .describe('set once approved');

const txView = z.object({
  id: z.string(),
  type: z.enum(TX_TYPES),
  status: z.enum(TX_STATUSES),
  unitTypeId: z.string(),
  quantityT: bigintString,
  fromAccountId: z.string().nullable(),
  toAccountId: z.string().nullable(),
  reversesTxId: z.string().nullable(),
  proposedBy: z.string(),
  proposedAt: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  decidedBy: z.string().nullable().describe('who rejected or cancelled it'),
  decidedAt: z.string().nullable(),
  reason: z.string().nullable(),
  completedAt: z.string().nullable(),
  journalSeq: bigintOrNull,
  hold: holdView.nullable(),
});

function txJson(t: TxView): z.infer<typeof txView> {
  return { ...t, quantityT: t.quantityT.toString(), journalSeq: t.journalSeq === null ? null : t.journalSeq.toString() };
}

const refusalView = z.object({ code: z.string(), message: z.string(), field: z.string().optional() });
const outcomeView = z.object({
  transaction: txView,
  replayed: z.boolean().describe('the same request was made before: nothing changed'),
  completionRefusal: refusalView.nullable().describe('approved, but completion was refused (e.g. INSUFFICIENT_UNITS): the transaction was rejected with this reason'),
});

const fromAccount = accountRef.describe('source account (id or number)');
const proposal = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('transfer'), fromAccountId: fromAccount, toAccountId: accountRef.describe('destination account (id or number)'), unitTypeId: ref, quantityT: quantity }),
  z.strictObject({ type: z.enum(['surrender', 'retirement', 'cancellation']), fromAccountId: fromAccount, unitTypeId: ref, quantityT: quantity }),
  z.strictObject({ type: z.literal('issuance'), toAccountId: accountRef, unitTypeId: ref, quantityT: quantity }),
  z.strictObject({ type: z.literal('reversal'), reversesTxId: ref.describe('the completed transaction to reverse') }),
]);

const trustedView = z.object({
  id: z.string(),
  accountId: z.string(),
  trustedAccountId: z.string(),
  addedBy: z.string(),
  addedAt: z.string(),
  activeFrom: z.string().describe('transfers to it count as trusted from this time (added + the activation delay)'),
  removedAt: z.string().nullable(),
  removedBy: z.string().nullable(),
  active: z.boolean(),
});
const representativeView = z.object({
  id: z.string(),
  accountId: z.string(),
  userId: z.string(),
  rights: z.enum(REPRESENTATIVE_RIGHTS),
  addedBy: z.string(),
  addedAt: z.string(),
  removedAt: z.string().nullable(),
  removedBy: z.string().nullable(),
});

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
const TRUSTED_KEYS = ['id', 'accountId', 'trustedAccountId', 'addedBy', 'addedAt', 'activeFrom', 'removedAt', 'removedBy', 'active'] as const;
const REPRESENTATIVE_KEYS = ['id', 'accountId', 'userId', 'rights', 'addedBy', 'addedAt', 'removedAt', 'removedBy'] as const;

// ---- routes --------------------------------------------------------------------------------------------------

export const registryRoutes: FastifyPluginCallbackZod<RegistryRoutesOptions> = (app, { services }, done) => {
  const { queries, policy, access } = services;
  installForbiddenMapping(app);

  async function outcomeJson(jurisdictionId: string, o: TransactionOutcome): Promise<z.infer<typeof outcomeView>> {
    const view = await queries.transactionView(jurisdictionId, o.tx.id);
    return { transaction: txJson(view), replayed: o.replayed, completionRefusal: o.completionRefusal === null ? null : { ...o.completionRefusal } };
  }

  // -- accounts

  app.get(
    '/jurisdictions/:code/accounts',
    {
      config: READ,
      onRequest: gate(services, 'account.list', 'account.read'),
      schema: {
        summary: 'Accounts you may read: all of them for the authority, your own for representatives',
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: z.object({ code: jurisdictionCode }),
        querystring: pageQuery.extend({ type: z.enum(['authority_issuance', 'facility_compliance', 'general_holding', 'linked_transit', 'surrender', 'retirement', 'cancellation']).optional() }),
        response: { 200: pageOf(accountView), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor, type } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.listAccounts(actorOf(request), jid, { after: cursor?.[0], limit: limit + 1 }, { type });
      return pageFromRows(rows, limit, (r) => [r.id], (r) => r);
    },
  );

  app.get(
    '/jurisdictions/:code/accounts/:accountId',
    {
      config: READ,
      onRequest: gate(services, 'account.read'),
      schema: {
        summary: 'One account with its holdings by unit type',
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams,
        response: { 200: accountView.extend({ holdings: z.array(holdingView) }), ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const { account, holdings } = await queries.account(actorOf(request), jid, request.params.accountId);
      return { ...account, holdings: holdings.map((h) => ({ ...h, quantityT: h.quantityT.toString() })) };
    },
  );

  app.get(
    '/jurisdictions/:code/accounts/:accountId/blocks',
    {
      config: READ,
      onRequest: gate(services, 'account.read'),
      schema: {
        summary: "The account's unit blocks (serial ranges), in serial order",
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams,
        querystring: pageQuery.extend({ unitTypeId: ref.optional().describe('only blocks of this unit type') }),
        response: { 200: pageOf(blockView), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor, unitTypeId } = request.query;
      const after = bigintCursor(cursor);
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.blocks(actorOf(request), jid, request.params.accountId, { after, limit: limit + 1 }, { unitTypeId });
      return pageFromRows(rows, limit, (r) => [r.serialStart.toString()], (r) => ({
        unitTypeId: r.unitTypeId,
        serialStart: r.serialStart.toString(),
        serialEnd: r.serialEnd.toString(),
        quantityT: r.quantityT.toString(),
      }));
    },
  );

  app.get(
    '/jurisdictions/:code/unit-types',
    {
      config: READ,
      schema: {
        summary: 'Unit types of the jurisdiction (allowances and credits), with the tonnes issued',
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: z.object({ code: jurisdictionCode }),
        querystring: pageQuery,
        response: { 200: pageOf(unitTypeView), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.unitTypes(actorOf(request), jid, { after: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.code], (r) => ({ ...r, issuedT: r.issuedT.toString() }));
    },
  );

  // -- transactions

  app.get(
    '/jurisdictions/:code/transactions',
    {
      config: READ,
      onRequest: gate(services, 'transaction.list', 'transaction.read'),
      schema: {
        summary: 'Transactions, newest first: all for the authority, those of your accounts for representatives',
        tags: TAGS.transactions,
        security: SIGNED_IN_SECURITY,
        params: z.object({ code: jurisdictionCode }),
        querystring: pageQuery.extend({
          accountId: accountRef.optional().describe('only transactions from or to this account'),
          status: z.enum(TX_STATUSES).optional(),
          type: z.enum(TX_TYPES).optional(),
        }),
        response: { 200: pageOf(txView), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor, accountId, status, type } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.listTransactions(actorOf(request), jid, { after: cursor?.[0], limit: limit + 1 }, { accountRef: accountId, status, type });
      return pageFromRows(rows, limit, (r) => [r.id], txJson);
    },
  );

  app.get(
    '/jurisdictions/:code/transactions/:txId',
    {
      config: READ,
      onRequest: gate(services, 'transaction.list', 'transaction.read'),
      schema: {
        summary: 'One transaction, with its hold (when it completes) once approved',
        tags: TAGS.transactions,
        security: SIGNED_IN_SECURITY,
        params: txParams,
        response: { 200: txView, ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      return txJson(await queries.transaction(actorOf(request), jid, request.params.txId));
    },
  );

  app.post(
    '/jurisdictions/:code/transactions',
    {
      config: { ...WRITE, idempotent: 'use-case' },
      onRequest: gate(services, 'transaction.propose', 'authority_tx.propose'),
      schema: {
        summary: 'Proposes a transaction; a second person approves it (four eyes)',
        description:
          'Representatives with the right to initiate on the source account: transfer, surrender, retirement, cancellation. ' +
          'The authority (administrator): issuance and reversal. Transfers are checked against the transaction limits and trusted-only rule. ' +
          'Requires Idempotency-Key: the same key and body answer the same transaction (200, replayed); the same key with another body is 409 IDEMPOTENCY_CONFLICT.',
        tags: TAGS.transactions,
        security: SIGNED_IN_SECURITY,
        params: z.object({ code: jurisdictionCode }),
        headers: idempotencyHeaders,
        body: proposal,
        response: { 200: outcomeView.describe('a replay: the transaction this key made before'), 201: outcomeView.describe('proposed'), ...signedInErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const jid = await queries.jurisdictionId(request.params.code);
      const b = request.body;
      const acc = async (r: string, field: string): Promise<string> => (await queries.accountOf(jid, r, field)).id;
      let tx: TxRequest;
      switch (b.type) {
        case 'transfer':
          tx = { type: 'transfer', fromAccountId: await acc(b.fromAccountId, 'fromAccountId'), toAccountId: await acc(b.toAccountId, 'toAccountId'), unitTypeId: b.unitTypeId, quantityT: BigInt(b.quantityT) };
          break;
        case 'issuance':
          tx = { type: 'issuance', toAccountId: await acc(b.toAccountId, 'toAccountId'), unitTypeId: b.unitTypeId, quantityT: BigInt(b.quantityT) };
          break;
        case 'reversal':
          tx = { type: 'reversal', reversesTxId: b.reversesTxId };
          break;
        default:
          tx = { type: b.type, fromAccountId: await acc(b.fromAccountId, 'fromAccountId'), unitTypeId: b.unitTypeId, quantityT: BigInt(b.quantityT) };
      }
      const outcome = await policy.proposeTransaction(actor, jid, tx, request.headers[IDEMPOTENCY_KEY_HEADER]);
      return reply.code(outcome.replayed ? 200 : 201).send(await outcomeJson(jid, outcome));
    },
  );

  app.post(
    '/jurisdictions/:code/transactions/:txId/approve',
    {
      config: WRITE,
      onRequest: gate(services, 'transaction.approve', 'authority_tx.approve'),
      schema: {
        summary: 'Approves a proposed transaction (by someone other than its proposer)',
        description:
          'Four eyes: the proposer cannot approve (422 FOUR_EYES). A transfer to an account not on the source’s active trusted list is held until its delay has passed (hold.executeAfter); the complete-due job then completes it. Anything else completes at once.',
        tags: TAGS.transactions,
        security: SIGNED_IN_SECURITY,
        params: txParams,
        response: { 200: outcomeView, ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      return outcomeJson(jid, await policy.approveTransaction(actorOf(request), jid, request.params.txId));
    },
  );

  app.post(
    '/jurisdictions/:code/transactions/:txId/reject',
    {
      config: WRITE,
      onRequest: gate(services, 'transaction.approve', 'authority_tx.approve'),
      schema: {
        summary: 'Rejects a proposed or held transaction, with a reason',
        tags: TAGS.transactions,
        security: SIGNED_IN_SECURITY,
        params: txParams,
        body: z.strictObject({ reason: z.string().trim().min(1, 'is required').max(1000, 'must be at most 1000 characters') }),
        response: { 200: outcomeView, ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      return outcomeJson(jid, await policy.rejectTransaction(actorOf(request), jid, request.params.txId, request.body.reason));
    },
  );

  app.post(
    '/jurisdictions/:code/transactions/:txId/cancel',
    {
      config: WRITE,
      onRequest: gate(services, 'transaction.cancel', 'authority_tx.propose'),
      schema: {
        summary: 'Cancels a proposed or held transaction (a representative of the source account, or the authority)',
        tags: TAGS.transactions,
        security: SIGNED_IN_SECURITY,
        params: txParams,
        response: { 200: outcomeView, ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      return outcomeJson(jid, await policy.cancelTransaction(actorOf(request), jid, request.params.txId));
    },
  );

  // -- trusted accounts

  app.get(
    '/jurisdictions/:code/accounts/:accountId/trusted-accounts',
    {
      config: READ,
      onRequest: gate(services, 'trusted_list.read'),
      schema: {
        summary: "The account's trusted list; entries still in their activation delay have active = false",
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams,
        response: { 200: z.object({ items: z.array(trustedView) }), ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const account = await queries.accountOf(jid, request.params.accountId);
      const items = await access.trustedAccountsOf(actorOf(request), account.id);
      return { items: items.map((t) => pick(t, TRUSTED_KEYS)) };
    },
  );

  app.post(
    '/jurisdictions/:code/accounts/:accountId/trusted-accounts',
    {
      config: { ...WRITE, idempotent: true },
      onRequest: gate(services, 'trusted_list.add'),
      schema: {
        summary: "Adds an account to the account's trusted list; it counts from activeFrom (the activation delay)",
        description: 'A representative with the right to initiate. Adding an account already listed is 409 TRUSTED_ALREADY_LISTED.',
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams,
        body: z.strictObject({ trustedAccountId: accountRef }),
        response: { 201: trustedView, ...signedInErrors, 200: trustedView },
      },
    },
    async (request, reply) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const account = await queries.accountOf(jid, request.params.accountId);
      const trusted = await queries.accountOf(jid, request.body.trustedAccountId, 'trustedAccountId');
      const view = await access.addTrustedAccount(actorOf(request), { accountId: account.id, trustedAccountId: trusted.id });
      return reply.code(201).send(pick(view, TRUSTED_KEYS));
    },
  );

  app.delete(
    '/jurisdictions/:code/accounts/:accountId/trusted-accounts/:trustedAccountId',
    {
      config: WRITE,
      onRequest: gate(services, 'trusted_list.remove'),
      schema: {
        summary: "Removes an account from the account's trusted list, effective at once",
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams.extend({ trustedAccountId: accountRef }),
        response: { 200: trustedView, ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const account = await queries.accountOf(jid, request.params.accountId);
      const trusted = await queries.accountOf(jid, request.params.trustedAccountId, 'trustedAccountId');
      return pick(await access.removeTrustedAccount(actorOf(request), { accountId: account.id, trustedAccountId: trusted.id }), TRUSTED_KEYS);
    },
  );

  // -- representatives

  app.get(
    '/jurisdictions/:code/accounts/:accountId/representatives',
    {
      config: READ,
      onRequest: gate(services, 'account.read'),
      schema: {
        summary: "The account's authorized representatives and their rights",
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams,
        response: { 200: z.object({ items: z.array(representativeView) }), ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const account = await queries.accountOf(jid, request.params.accountId);
      const items = await access.representativesOf(actorOf(request), account.id);
      return { items: items.map((r) => pick(r, REPRESENTATIVE_KEYS)) };
    },
  );

  app.post(
    '/jurisdictions/:code/accounts/:accountId/representatives',
    {
      config: { ...WRITE, idempotent: true },
      onRequest: gate(services, 'representative.manage'),
      schema: {
        summary: 'Adds an authorized representative with the right to initiate, approve, or both (authority administrator)',
        description: 'Nobody adds themselves (SELF_GRANT). A user who already represents the account is 409 REPRESENTATIVE_EXISTS: remove and add again to change rights.',
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams,
        body: z.strictObject({ userId: ref.describe('the user'), rights: z.enum(REPRESENTATIVE_RIGHTS) }),
        response: { 201: representativeView, ...signedInErrors, 200: representativeView },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const jid = await queries.jurisdictionId(request.params.code);
      const account = await queries.accountOf(jid, request.params.accountId);
      await access.require(actor, 'representative.manage', { jurisdictionId: jid, accountId: account.id });
      await queries.requireUser(request.body.userId);
      const view = await access.addRepresentative(actor, { accountId: account.id, userId: request.body.userId, rights: request.body.rights });
      return reply.code(201).send(pick(view, REPRESENTATIVE_KEYS));
    },
  );

  app.delete(
    '/jurisdictions/:code/accounts/:accountId/representatives/:userId',
    {
      config: WRITE,
      onRequest: gate(services, 'representative.manage'),
      schema: {
        summary: 'Removes a representative from the account, effective at once (authority administrator)',
        tags: TAGS.accounts,
        security: SIGNED_IN_SECURITY,
        params: accountParams.extend({ userId: ref }),
        response: { 200: representativeView, ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const account = await queries.accountOf(jid, request.params.accountId);
      return pick(await access.removeRepresentative(actorOf(request), { accountId: account.id, userId: request.params.userId }), REPRESENTATIVE_KEYS);
    },
  );

  done();
};
