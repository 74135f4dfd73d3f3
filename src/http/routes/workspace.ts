// The signed-in web workspace's reads under /api/v1/jurisdictions/{code}/workspace/…: the approval queue, the reports
// waiting for verification or review, verification agencies, credit applications, one facility's compliance over the
// periods and the holdings of one's accounts. Reads only; the use-cases (WorkspaceQueries) authorize every call, and a
// coarse gate runs before validation so that nobody without standing learns what a valid request looks like.
// API tokens: `registry:read` for the ledger's lists, `reports:read` for the rest.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RegistryServices } from '../../app/registry-queries.js';
import { REPORT_STATUSES, WorkspaceQueries } from '../../app/workspace-queries.js';
import type { Action } from '../../domain/access/permissions.js';
import { pageFromRows, pageOf, pageQuery } from '../pagination.js';
import { SIGNED_IN_SECURITY } from '../plugins/authenticate.js';
import { bigintOrNull, bigintString, jurisdictionCode } from '../schemas.js';
import { actorOf, installForbiddenMapping, signedInErrors } from './registry.js';

export interface WorkspaceRoutesOptions {
  readonly services: RegistryServices;
}

const REGISTRY_READ = { access: 'signed_in', scope: 'registry:read' } as const;
const REPORTS_READ = { access: 'signed_in', scope: 'reports:read' } as const;
const TAGS = ['workspace'];

const codeParams = z.object({ code: jurisdictionCode });
const facilityCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a facility code: letters, digits, ".", "_" or "-"').describe('facility code, e.g. T-101');

const queuedTransaction = z.object({
  id: z.string(),
  type: z.string(),
  status: z.string().describe('proposed, or approved and held until executeAfter'),
  quantityT: bigintString,
  unitTypeId: z.string(),
  unitTypeCode: z.string(),
  fromAccountId: z.string().nullable(),
  fromAccountNumber: z.string().nullable(),
  toAccountId: z.string().nullable(),
  toAccountNumber: z.string().nullable(),
  proposedBy: z.string(),
  proposedByName: z.string(),
  proposedAt: z.string(),
  approvedBy: z.string().nullable(),
  executeAfter: z.string().nullable(),
  ownProposal: z.boolean().describe('you proposed it: someone else approves it (four eyes)'),
  mayApprove: z.boolean().describe('whether you may approve it now (the server checks again)'),
  approvalBlockedBy: z.enum(['FOUR_EYES', 'APPROVE_RIGHT_REQUIRED', 'ROLE_REQUIRED', 'NOT_PROPOSED']).nullable().describe('the rule that stops your approval'),
  mayCancel: z.boolean(),
});

const queuedReport = z.object({
  id: z.string(),
  facilityCode: z.string(),
  facilityName: z.string(),
  category: z.string().nullable(),
  fiscalYear: z.number().int(),
  version: z.number().int(),
  status: z.string(),
  coeL: bigintString.describe('crude-oil equivalent, litres'),
  emissionsKg: bigintString,
  submittedAt: z.string().nullable(),
  assignedAgencyId: z.string().nullable().describe('the agency assigned to the facility for this fiscal year'),
  assignedAgencyName: z.string().nullable(),
});

const agencyView = z.object({ id: z.string(), name: z.string(), categories: z.array(z.string()), mine: z.boolean().describe('you verify for this agency') });

const creditApplicationRow = z.object({
  id: z.string(),
  facilityCode: z.string(),
  facilityName: z.string(),
  period: z.number().int(),
  creditType: z.string(),
  quantityT: bigintString,
  status: z.string().describe('applied, issued or rejected'),
  appliedAt: z.string(),
  appliedBy: z.string(),
  appliedByName: z.string(),
  decidedBy: z.string().nullable(),
  reason: z.string().nullable(),
  txId: z.string().nullable(),
  ownApplication: z.boolean().describe('you applied: someone else decides it (four eyes)'),
});

const periodCompliance = z.object({
  period: z.number().int(),
  firstFiscalYear: z.number().int(),
  lastFiscalYear: z.number().int(),
  adjustmentWindowEnd: z.string(),
  result: z
    .object({
      emissionsT: bigintOrNull,
      capT: bigintOrNull,
      obligationT: bigintOrNull,
      allocatedT: bigintOrNull,
      surrenderedT: bigintOrNull,
      surrenderedByKindT: z.record(z.string(), z.string()).describe('tonnes surrendered by unit kind'),
      shortfallT: bigintOrNull,
      status: z.string(),
      note: z.string().nullable(),
      computedAt: z.string(),
    })
    .nullable()
    .describe('the last compliance run of the period; null before one'),
  years: z.array(z.object({ fiscalYear: z.number().int(), emissionsKg: bigintOrNull, reportStatus: z.string().nullable() })).describe('verified or accepted emissions year by year'),
});

const accountHoldings = z.object({
  id: z.string(),
  number: z.string(),
  type: z.string(),
  holder: z.string(),
  facilityCode: z.string().nullable(),
  holdings: z.array(z.object({ unitTypeId: z.string(), unitTypeCode: z.string(), kind: z.string(), vintage: z.number().int().nullable(), quantityT: bigintString })),
  mayInitiate: z.boolean().describe('whether you may propose transactions from it'),
});

export const workspaceRoutes: FastifyPluginCallbackZod<WorkspaceRoutesOptions> = (app, { services }, done) => {
  const queries = new WorkspaceQueries(services.access);
  installForbiddenMapping(app);
  const gate = (...actions: Action[]) => async (request: FastifyRequest): Promise<void> => {
    await queries.gate(actorOf(request), actions, (request.params as Record<string, unknown> | undefined)?.code);
  };

  app.get(
    '/jurisdictions/:code/workspace/approval-queue',
    {
      config: REGISTRY_READ,
      onRequest: gate('transaction.approve', 'transaction.propose', 'authority_tx.approve', 'authority_tx.propose'),
      schema: {
        summary: 'Transactions waiting for a decision that you may see: from accounts you represent, and (authority) issuances and reversals',
        description: 'Newest first: proposed, or approved and held for the delay. Each item says whether you may approve it and, if not, the rule (FOUR_EYES for your own proposal).',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: pageQuery,
        response: { 200: pageOf(queuedTransaction), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.approvalQueue(actorOf(request), jid, { after: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.id], (r) => ({ ...r, quantityT: r.quantityT.toString() }));
    },
  );

  app.get(
    '/jurisdictions/:code/workspace/report-queue',
    {
      config: REPORTS_READ,
      onRequest: gate('report.verify', 'report.review'),
      schema: {
        summary: 'Reports of one status (default submitted) with the agency assigned for each fiscal year',
        description: 'For a verifier: the reports of facilities assigned to an agency they verify for (their work list). For the authority: the whole jurisdiction (e.g. verified reports to accept).',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: pageQuery.extend({ status: z.enum(REPORT_STATUSES).default('submitted') }),
        response: { 200: pageOf(queuedReport), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.reportQueue(actorOf(request), jid, status, { after: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.id], (r) => ({ ...r, coeL: r.coeL.toString(), emissionsKg: r.emissionsKg.toString() }));
    },
  );

  app.get(
    '/jurisdictions/:code/workspace/verification-agencies',
    {
      config: REPORTS_READ,
      onRequest: gate('facility.list'),
      schema: {
        summary: 'The verification agencies of the jurisdiction, with the categories each may verify',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        response: { 200: z.object({ items: z.array(agencyView) }), ...signedInErrors },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      return { items: (await queries.agencies(actorOf(request), jid)).map((a) => ({ ...a, categories: [...a.categories] })) };
    },
  );

  app.get(
    '/jurisdictions/:code/workspace/credit-applications',
    {
      config: REPORTS_READ,
      onRequest: gate('credit.decide', 'credit.apply'),
      schema: {
        summary: 'Credit applications: all of them for the authority, those of your facilities for an operator',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: pageQuery.extend({ status: z.enum(['applied', 'issued', 'rejected']).optional() }),
        response: { 200: pageOf(creditApplicationRow), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.creditApplications(actorOf(request), jid, { status }, { after: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.id], (r) => ({ ...r, quantityT: r.quantityT.toString() }));
    },
  );

  app.get(
    '/jurisdictions/:code/workspace/facilities/:facility/compliance',
    {
      config: REPORTS_READ,
      onRequest: gate('facility.read'),
      schema: {
        summary: "A facility's compliance in every period: the last run's result and its emissions year by year",
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: z.object({ code: jurisdictionCode, facility: facilityCode }),
        response: {
          200: z.object({ facility: z.string(), kind: z.enum(['obligation', 'allocation']), baseT: bigintOrNull.describe('the active base-year emissions'), periods: z.array(periodCompliance) }),
          ...signedInErrors,
        },
      },
    },
    async (request) => {
      const jid = await queries.jurisdictionId(request.params.code);
      const c = await queries.facilityCompliance(actorOf(request), jid, request.params.facility);
      const s = (v: bigint | null): string | null => (v === null ? null : v.toString());
      return {
        facility: c.facility,
        kind: c.kind,
        baseT: s(c.baseT),
        periods: c.periods.map((p) => ({
          period: p.period,
          firstFiscalYear: p.firstFiscalYear,
          lastFiscalYear: p.lastFiscalYear,
          adjustmentWindowEnd: p.adjustmentWindowEnd,
          result: p.result === null
            ? null
            : {
                emissionsT: s(p.result.emissionsT),
                capT: s(p.result.capT),
                obligationT: s(p.result.obligationT),
                allocatedT: s(p.result.allocatedT),
                surrenderedT: s(p.result.surrenderedT),
                surrenderedByKindT: { ...p.result.surrenderedByKindT },
                shortfallT: s(p.result.shortfallT),
                status: p.result.status,
                note: p.result.note,
                computedAt: p.result.computedAt,
              },
          years: p.years.map((y) => ({ fiscalYear: y.fiscalYear, emissionsKg: s(y.emissionsKg), reportStatus: y.reportStatus })),
        })),
      };
    },
  );

  app.get(
    '/jurisdictions/:code/workspace/holdings',
    {
      config: REGISTRY_READ,
      onRequest: gate('account.read', 'account.list'),
      schema: {
        summary: 'Your accounts with their holdings by unit type (and each unit type’s vintage period), by account number',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: pageQuery,
        response: { 200: pageOf(accountHoldings), ...signedInErrors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const jid = await queries.jurisdictionId(request.params.code);
      const rows = await queries.holdings(actorOf(request), jid, { after: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.number], (r) => ({ ...r, holdings: r.holdings.map((h) => ({ ...h, quantityT: h.quantityT.toString() })) }));
    },
  );

  done();
};
