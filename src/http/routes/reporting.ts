// Facilities, MRV reports, base years, credits, surrender for compliance, compliance runs and program adoption,
// under /api/v1/jurisdictions/{code}/… — every route signed in. The routes only translate HTTP: the app layer
// (ReportingService) authorizes every call and runs the use-case. A preParsing hook asks the app layer's check first
// (a role for the action on the path's facility or report, or in its jurisdiction), so that a caller without
// standing gets 403 before its request is parsed or validated; API tokens must also carry the route's scope.
import type { FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccessControl } from '../../app/authorization.js';
import { ReportingService, type FacilityDetail, type ReportSummary } from '../../app/reporting-service.js';
import { reportCsv } from '../../app/compliance.js';
import type { CreditApplication } from '../../app/credits.js';
import type { BaseYearView, ReportView } from '../../app/reporting.js';
import type { StatusDecisionView } from '../../app/facilities.js';
import type { Action } from '../../domain/access/permissions.js';
import type { Actor as AppActor } from '../../domain/access/roles.js';
import type { Scope } from '../../domain/auth/scopes.js';
import { FACILITY_STATUSES } from '../../domain/mrv/designation.js';
import { LINE_KINDS, REPORT_LINES_MAX, litresAsKl, type LineInput } from '../../domain/mrv/conversion.js';
import { programSchema } from '../../domain/program/schema.js';
import type { Database } from '../../store/db.js';
import { RefusedError } from '../../domain/errors.js';
import { HttpError, sendError } from '../errors.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyHeaders } from '../idempotency.js';
import { encodeCursor, pageOf, pageQuery } from '../pagination.js';
import { SIGNED_IN_SECURITY, type Actor as HttpActor } from '../plugins/authenticate.js';
import { bigintOrNull, bigintString, errorBody, errorResponses, jurisdictionCode } from '../schemas.js';

export interface ReportingRoutesOptions {
  readonly db: Database;
  /** The app-layer service; one over `db` (with `clock` and `access`) by default. */
  readonly service?: ReportingService;
  /** The server's clock (use-cases date what they record with it). */
  readonly clock?: (() => Date) | undefined;
  /** The access control shared with sign-in. */
  readonly access?: AccessControl | undefined;
}

/** A signed-in route; API tokens need `scope` (sessions carry every permission of their user). */
const signedIn = (scope: Scope) => ({ access: 'signed_in', scope }) as const;
const SECURITY = SIGNED_IN_SECURITY;
/** Fields that name what the path addresses (refusals about them stay 404). */
const PATH_FIELDS = new Set(['code', 'jurisdiction', 'jurisdictionId', 'facility', 'facilityId', 'reportId', 'requestId', 'applicationId']);
const TAGS = { facilities: ['facilities'], reports: ['reports'], credits: ['credits'], compliance: ['compliance'], programs: ['programs'] };

const errors = {
  ...errorResponses,
  401: errorBody.describe('not signed in (UNAUTHENTICATED)'),
  403: errorBody.describe('signed in, but no role (or token scope) allows this here (FORBIDDEN)'),
  409: errorBody.describe('conflicts with the current state (…_EXISTS, …_TAKEN, ALREADY_…, IDEMPOTENCY_CONFLICT)'),
  422: errorBody.describe('a business rule refuses it; `field` names the request field'),
} as const;

// ---- request schemas ------------------------------------------------------------------------------------------

const facilityCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a facility code: letters, digits, ".", "_" or "-"').describe('facility code, e.g. T-101');
const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/, 'must be an id as the API gave it').describe('an id as the API gave it');
const fiscalYear = z.number().int('must be a whole year').min(1990, 'must be 1990 to 2200').max(2200, 'must be 1990 to 2200');
const period = z.number().int('must be a whole number').min(1, 'must be 1 or more').max(20, 'must be 20 or less');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const decimal = z.string().regex(/^\d{1,30}(\.\d{1,18})?$/, 'must be a non-negative decimal number written as a string, e.g. "1234.5"');
const wholeNumber = z.string().regex(/^\d{1,30}$/, 'must be a non-negative whole number written as a string');
const positiveT = z.string().regex(/^[1-9]\d{0,17}$/, 'must be a whole number of tonnes from 1, written as a string');

const codeParams = z.object({ code: jurisdictionCode });
const facilityParams = z.object({ code: jurisdictionCode, facility: facilityCode });
const reportParams = z.object({ code: jurisdictionCode, reportId: id });
const requestParams = z.object({ code: jurisdictionCode, requestId: id });
const applicationParams = z.object({ code: jurisdictionCode, applicationId: id });
const periodParams = z.object({ code: jurisdictionCode, period: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(20, 'must be 20 or less') });

const lineInput = z.strictObject({
  kind: z.enum(LINE_KINDS).default('energy').describe('energy (default) or other_gas'),
  source: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters').describe("the program's energy source code (city_gas, electricity_grid …) or, for other gases, the gas (CH4 …)"),
  quantity: decimal.describe('the quantity in `unit`, exactly as metered'),
  unit: z.string().min(1, 'must not be empty').max(32, 'must be at most 32 characters').describe("the source's unit (MWh, thousand_m3 …); t_CO2e for other gases"),
  tCo2PerUnit: decimal.optional().describe("only for supplier-specific factors: the supplier's published t-CO2 per unit"),
});
const lines = z.array(lineInput).max(REPORT_LINES_MAX, `must have at most ${REPORT_LINES_MAX} lines`);

function linesOf(input: readonly z.infer<typeof lineInput>[]): LineInput[] {
  return input.map((l) => ({ kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit, ...(l.tCo2PerUnit === undefined ? {} : { tCo2PerUnit: l.tCo2PerUnit }) }));
}

const registerBody = z.strictObject({
  code: facilityCode,
  name: text(200),
  owner: text(200),
  category: z.string().min(1).max(64).optional().describe('a category of the program (required by obligation programs)'),
  useType: text(64).describe('office, factory, …'),
  floorAreaM2: wholeNumber.optional(),
  address: text(200).optional(),
  city: text(200).optional(),
  country: text(200).optional(),
  declaredEnergy: z
    .array(z.strictObject({ fiscalYear, coeKl: decimal.describe('crude-oil equivalent, kL'), partial: z.boolean().optional() }))
    .max(10, 'must have at most 10 years')
    .optional()
    .describe('energy use declared at registration, consecutive years oldest first; the first designation follows from it'),
});

const designationBody = z.union([
  z.strictObject({ fiscalYear, status: z.enum(FACILITY_STATUSES), reason: text(2000) }).describe('a status the rule does not compute (exemption, withdrawal …), with its reason'),
  z.strictObject({ fiscalYear }).describe('the designation computed from accepted reports for the fiscal year'),
]);

// ---- response schemas -----------------------------------------------------------------------------------------

const statusDecision = z.object({ fiscalYear: z.number().int(), seq: z.number().int(), status: z.string(), reason: z.string() });
const baseYearView = z.object({
  id: z.string(),
  firstFiscalYear: z.number().int(),
  lastFiscalYear: z.number().int(),
  baseKg: bigintString,
  baseT: bigintString,
  status: z.string(),
  reason: z.string(),
});
const facilitySummary = z.object({
  id: z.string(),
  jurisdiction: z.string(),
  code: z.string(),
  name: z.string(),
  owner: z.string(),
  category: z.string().nullable(),
  useType: z.string(),
  floorAreaM2: bigintOrNull,
  address: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
  status: z.string(),
  accountId: z.string().nullable(),
  accountNumber: z.string().nullable(),
  createdAt: z.string(),
});
const facilityDetail = facilitySummary.extend({
  statusHistory: z.array(statusDecision).describe('every designation decision, oldest first; nothing is overwritten'),
  baseYear: baseYearView.nullable().describe('the active base year'),
  verifiers: z.array(z.object({ fromFiscalYear: z.number().int(), agencyId: z.string() })),
  reliefs: z.array(z.object({ period: z.number().int(), reliefCode: z.string() })),
});
const lineView = z.object({
  lineNo: z.number().int(),
  kind: z.string(),
  source: z.string(),
  quantity: z.string(),
  unit: z.string(),
  coeL: bigintString.describe('crude-oil equivalent, litres'),
  co2Kg: bigintString.describe('energy lines: CO2 kg; other-gas lines: CO2e kg'),
});
const reportView = z.object({
  id: z.string(),
  facility: z.string().describe('facility code'),
  facilityId: z.string(),
  fiscalYear: z.number().int(),
  version: z.number().int(),
  status: z.string(),
  coeL: bigintString.describe('crude-oil equivalent, litres: the sum of the lines'),
  coeKl: z.string().describe('the same in kL, for people'),
  emissionsKg: bigintString.describe('energy-origin CO2, kg (the capped emissions)'),
  otherGasCo2eKg: bigintString,
  lines: z.array(lineView),
  correctsReportId: z.string().nullable(),
  agencyId: z.string().nullable(),
  returnedReason: z.string().nullable(),
});
const reportSummary = z.object({ id: z.string(), fiscalYear: z.number().int(), version: z.number().int(), status: z.string(), coeL: bigintString, emissionsKg: bigintString, createdAt: z.string() });
const applicationView = z.object({
  id: z.string(),
  facilityId: z.string(),
  period: z.number().int(),
  creditType: z.string(),
  quantityT: bigintString,
  status: z.string(),
  evidence: z.unknown().describe('the computation the quantity rests on'),
  appliedBy: z.string(),
  decidedBy: z.string().nullable(),
  txId: z.string().nullable(),
});
const complianceJson = z.object({
  jurisdiction: z.string(),
  period: z.number().int(),
  kind: z.enum(['obligation', 'allocation']),
  columns: z.array(z.string()),
  rows: z.array(z.record(z.string(), z.string().nullable())).describe('one row per facility (facility_id is its code), notes included'),
});

function facilityJson(f: FacilityDetail): z.infer<typeof facilityDetail> {
  return {
    id: f.id,
    jurisdiction: f.jurisdiction,
    code: f.code,
    name: f.name,
    owner: f.owner,
    category: f.category,
    useType: f.useType,
    floorAreaM2: f.floorAreaM2 === null ? null : f.floorAreaM2.toString(),
    address: f.address,
    city: f.city,
    country: f.country,
    status: f.status,
    accountId: f.accountId,
    accountNumber: f.accountNumber,
    createdAt: f.createdAt,
    statusHistory: f.statusHistory.map(decisionJson),
    baseYear: f.baseYear === null ? null : baseJson(f.baseYear),
    verifiers: f.verifiers.map((v) => ({ ...v })),
    reliefs: f.reliefs.map((r) => ({ ...r })),
  };
}

function decisionJson(d: StatusDecisionView): z.infer<typeof statusDecision> {
  return { fiscalYear: d.fiscalYear, seq: d.seq, status: d.status, reason: d.reason };
}

function baseJson(b: BaseYearView): z.infer<typeof baseYearView> {
  return { id: b.id, firstFiscalYear: b.firstFiscalYear, lastFiscalYear: b.lastFiscalYear, baseKg: b.baseKg.toString(), baseT: b.baseT.toString(), status: b.status, reason: b.reason };
}

function reportJson(r: ReportView & { facilityCode: string }): z.infer<typeof reportView> {
  return {
    id: r.id,
    facility: r.facilityCode,
    facilityId: r.facilityId,
    fiscalYear: r.fiscalYear,
    version: r.version,
    status: r.status,
    coeL: r.coeL.toString(),
    coeKl: litresAsKl(r.coeL),
    emissionsKg: r.emissionsKg.toString(),
    otherGasCo2eKg: r.otherGasCo2eKg.toString(),
    lines: r.lines.map((l) => ({ lineNo: l.lineNo, kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit, coeL: l.coeL.toString(), co2Kg: l.co2Kg.toString() })),
    correctsReportId: r.correctsReportId,
    agencyId: r.agencyId,
    returnedReason: r.returnedReason,
  };
}

function summaryJson(r: ReportSummary): z.infer<typeof reportSummary> {
  return { ...r, coeL: r.coeL.toString(), emissionsKg: r.emissionsKg.toString() };
}

function applicationJson(a: CreditApplication): z.infer<typeof applicationView> {
  return { id: a.id, facilityId: a.facilityId, period: a.period, creditType: a.creditType, quantityT: a.quantityT.toString(), status: a.status, evidence: a.evidence, appliedBy: a.appliedBy, decidedBy: a.decidedBy, txId: a.txId };
}

// ---- who acts -------------------------------------------------------------------------------------------------

/** The app-layer actor of a signed-in request, as authentication established it. */
export function appActorOf(request: FastifyRequest): AppActor {
  const actor: HttpActor | null = request.actor;
  if (actor === null) throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in, or send an API token, to use this route.');
  return actor.appActor;
}

export const reportingRoutes: FastifyPluginCallbackZod<ReportingRoutesOptions> = (app, options, done) => {
  const service = options.service ?? new ReportingService(options.db, { ...(options.clock === undefined ? {} : { clock: options.clock }), ...(options.access === undefined ? {} : { access: options.access }) });

  /**
   * preParsing, before the body is read or validated: the app layer's check for `actions` on the path's facility or
   * report, or in its jurisdiction (API tokens were checked for the route's config.scope by authentication). The
   * handler's service call authorizes again on the resource it loads.
   */
  const guard = (actions: readonly Action[]) => async (request: FastifyRequest, _reply: FastifyReply, payload: RequestPayload) => {
    const params = (request.params ?? {}) as { code?: unknown; facility?: unknown; reportId?: unknown };
    await service.gate(appActorOf(request), actions, typeof params.code === 'string' ? params.code : '', { facility: params.facility, reportId: params.reportId });
    return payload;
  };
  // A refusal UNKNOWN_* is 404 when it names the path's resource; one that names a body field (an unknown energy
  // source, category, relief, agency or unit type) is the request's content refused: 422.
  app.setErrorHandler((error, request, reply) => {
    const head = error instanceof RefusedError ? (error.refusal.field?.split(/[.[]/)[0] ?? '') : '';
    const inPath = PATH_FIELDS.has(head) || Object.hasOwn(request.params ?? {}, head);
    if (error instanceof RefusedError && error.refusal.code.startsWith('UNKNOWN_') && error.refusal.field !== undefined && !inPath) {
      const r = error.refusal;
      return sendError(new HttpError(422, r.code, r.message, r.field), request, reply);
    }
    return sendError(error, request, reply);
  });
  const READ = 'reports:read' as const;
  const WRITE = 'reports:write' as const;

  // ---- facilities ---------------------------------------------------------------------------------------------

  app.post(
    '/jurisdictions/:code/facilities',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['facility.register']),
      schema: {
        summary: 'Registers a facility and opens its compliance account',
        description: 'With declared energy use, the first designation decision is recorded with it. Authority administrators (and jurisdiction-wide operators) register facilities.',
        tags: TAGS.facilities,
        security: SECURITY,
        params: codeParams,
        body: registerBody,
        response: { 200: facilityDetail, ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const f = await service.registerFacility(appActorOf(request), request.params.code, {
        code: b.code,
        name: b.name,
        owner: b.owner,
        useType: b.useType,
        ...(b.category === undefined ? {} : { category: b.category }),
        ...(b.floorAreaM2 === undefined ? {} : { floorAreaM2: BigInt(b.floorAreaM2) }),
        ...(b.address === undefined ? {} : { address: b.address }),
        ...(b.city === undefined ? {} : { city: b.city }),
        ...(b.country === undefined ? {} : { country: b.country }),
        ...(b.declaredEnergy === undefined ? {} : { declaredEnergy: b.declaredEnergy.map((d) => ({ fiscalYear: d.fiscalYear, coeKl: d.coeKl, ...(d.partial === undefined ? {} : { partial: d.partial }) })) }),
      });
      return (facilityJson(f));
    },
  );

  app.get(
    '/jurisdictions/:code/my-facilities',
    {
      config: signedIn(READ),
      preParsing: guard(['facility.read']),
      schema: {
        summary: 'The facilities you may read: those you operate (all of them for authority and verifier roles)',
        tags: TAGS.facilities,
        security: SECURITY,
        params: codeParams,
        querystring: pageQuery,
        response: { 200: pageOf(facilitySummary), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await service.myFacilities(appActorOf(request), request.params.code, { limit: limit + 1, afterCode: cursor?.[0] });
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      return {
        items: shown.map((f) => ({ ...f, floorAreaM2: f.floorAreaM2 === null ? null : f.floorAreaM2.toString() })),
        nextCursor: more ? encodeCursor([shown[shown.length - 1]!.code]) : null,
      };
    },
  );

  app.get(
    '/jurisdictions/:code/facilities/:facility',
    {
      config: signedIn(READ),
      preParsing: guard(['facility.read']),
      schema: {
        summary: 'One facility with its status history, active base year, verifiers and reliefs',
        tags: TAGS.facilities,
        security: SECURITY,
        params: facilityParams,
        response: { 200: facilityDetail, ...errors },
      },
    },
    async (request) => facilityJson(await service.facility(appActorOf(request), request.params.code, request.params.facility)),
  );

  app.post(
    '/jurisdictions/:code/facilities/:facility/designations',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['facility.designate']),
      schema: {
        summary: "The authority's designation decision for a fiscal year",
        description: '`{ fiscalYear }`: computed from accepted reports of the earlier years. `{ fiscalYear, status, reason }`: a decision the rule does not compute (exempted, withdrawn …). Appended to the history.',
        tags: TAGS.facilities,
        security: SECURITY,
        params: facilityParams,
        body: designationBody,
        response: { 200: statusDecision, ...errors },
      },
    },
    async (request) => {
      const d = await service.decideDesignation(appActorOf(request), request.params.code, request.params.facility, request.body);
      return (decisionJson(d));
    },
  );

  app.post(
    '/jurisdictions/:code/facilities/:facility/reliefs',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['facility.designate']),
      schema: {
        summary: 'Grants a program relief to a facility for a period',
        tags: TAGS.facilities,
        security: SECURITY,
        params: facilityParams,
        body: z.strictObject({ period, reliefCode: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a relief code of the program') }),
        response: { 200: z.object({ facility: z.string(), period: z.number().int(), reliefCode: z.string() }).describe('granted'), ...errors },
      },
    },
    async (request) => {
      await service.grantRelief(appActorOf(request), request.params.code, request.params.facility, request.body.period, request.body.reliefCode);
      return { facility: request.params.facility, period: request.body.period, reliefCode: request.body.reliefCode };
    },
  );

  // ---- verification agencies ----------------------------------------------------------------------------------

  app.post(
    '/jurisdictions/:code/verification-agencies',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['program.configure']),
      schema: {
        summary: 'Registers a verification agency for the facility categories it may verify',
        tags: TAGS.facilities,
        security: SECURITY,
        params: codeParams,
        body: z.strictObject({ name: text(200), categories: z.array(z.string().min(1).max(64)).min(1, 'must name at least one category').max(50, 'must have at most 50 categories') }),
        response: { 200: z.object({ id: z.string() }), ...errors },
      },
    },
    async (request) => (await service.registerAgency(appActorOf(request), request.params.code, request.body)),
  );

  const agencyParams = codeParams.extend({ agencyId: id });
  const agencyVerifier = z.object({ userId: z.string(), login: z.string(), displayName: z.string(), addedAt: z.string() });

  app.get(
    '/jurisdictions/:code/verification-agencies/:agencyId/verifiers',
    {
      config: signedIn(READ),
      preParsing: guard(['program.configure']),
      schema: {
        summary: 'The verifiers of an agency: the users who may verify in its name',
        tags: TAGS.facilities,
        security: SECURITY,
        params: agencyParams,
        response: { 200: z.object({ items: z.array(agencyVerifier) }), ...errors },
      },
    },
    async (request) => ({ items: await service.agencyVerifiers(appActorOf(request), request.params.code, request.params.agencyId) }),
  );

  app.post(
    '/jurisdictions/:code/verification-agencies/:agencyId/verifiers',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['program.configure']),
      schema: {
        summary: "Adds a verifier to an agency (they verify only the agency's assigned facilities, and need the verifier role)",
        tags: TAGS.facilities,
        security: SECURITY,
        params: agencyParams,
        body: z.strictObject({ userId: id }),
        response: { 200: z.object({ items: z.array(agencyVerifier) }), ...errors },
      },
    },
    async (request) => ({ items: await service.addAgencyVerifier(appActorOf(request), request.params.code, request.params.agencyId, request.body.userId) }),
  );

  app.delete(
    '/jurisdictions/:code/verification-agencies/:agencyId/verifiers/:userId',
    {
      config: signedIn(WRITE),
      preParsing: guard(['program.configure']),
      schema: {
        summary: 'Removes a verifier from an agency, effective at once',
        tags: TAGS.facilities,
        security: SECURITY,
        params: agencyParams.extend({ userId: id }),
        response: { 200: z.object({ agencyId: z.string(), userId: z.string(), removed: z.literal(true) }), ...errors },
      },
    },
    async (request) => {
      await service.removeAgencyVerifier(appActorOf(request), request.params.code, request.params.agencyId, request.params.userId);
      return { agencyId: request.params.agencyId, userId: request.params.userId, removed: true as const };
    },
  );

  app.post(
    '/jurisdictions/:code/facilities/:facility/verifier-assignments',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['facility.designate']),
      schema: {
        summary: "Assigns the agency that verifies the facility's reports from a fiscal year on",
        tags: TAGS.facilities,
        security: SECURITY,
        params: facilityParams,
        body: z.strictObject({ agencyId: id, fromFiscalYear: fiscalYear }),
        response: { 200: facilityDetail, ...errors },
      },
    },
    async (request) => {
      const f = await service.assignVerifier(appActorOf(request), request.params.code, request.params.facility, request.body.agencyId, request.body.fromFiscalYear);
      return (facilityJson(f));
    },
  );

  // ---- reports ------------------------------------------------------------------------------------------------

  app.post(
    '/jurisdictions/:code/facilities/:facility/reports',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['report.submit']),
      schema: {
        summary: 'Opens a draft report for a fiscal year with its energy (and other-gas) lines',
        description: 'Each line is converted at once: crude-oil equivalent and CO2 per line and in total. Every invalid line is refused naming its field (`lines[2].source`); nothing is written then.',
        tags: TAGS.reports,
        security: SECURITY,
        params: facilityParams,
        body: z.strictObject({ fiscalYear, lines }),
        response: { 200: reportView, ...errors },
      },
    },
    async (request) => {
      const r = await service.createDraft(appActorOf(request), request.params.code, request.params.facility, request.body.fiscalYear, linesOf(request.body.lines));
      return (reportJson({ ...r, facilityCode: request.params.facility }));
    },
  );

  app.get(
    '/jurisdictions/:code/facilities/:facility/reports',
    {
      config: signedIn(READ),
      preParsing: guard(['report.read']),
      schema: {
        summary: "A facility's reports, every version, by fiscal year and version",
        tags: TAGS.reports,
        security: SECURITY,
        params: facilityParams,
        querystring: pageQuery,
        response: { 200: pageOf(reportSummary), ...errors },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const after = cursor === undefined ? undefined : ([Number(cursor[0]), Number(cursor[1])] as const);
      if (after !== undefined && !(Number.isInteger(after[0]) && Number.isInteger(after[1]))) throw new HttpError(400, 'INVALID_REQUEST', 'query cursor: is not a cursor of this list', 'cursor');
      const rows = await service.reports(appActorOf(request), request.params.code, request.params.facility, { limit: limit + 1, after });
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const last = shown[shown.length - 1];
      return { items: shown.map(summaryJson), nextCursor: more && last !== undefined ? encodeCursor([String(last.fiscalYear), String(last.version)]) : null };
    },
  );

  app.get(
    '/jurisdictions/:code/reports/:reportId',
    {
      config: signedIn(READ),
      preParsing: guard(['report.read']),
      schema: {
        summary: 'One report with its lines and computed crude-oil equivalent and CO2',
        tags: TAGS.reports,
        security: SECURITY,
        params: reportParams,
        response: { 200: reportView, ...errors },
      },
    },
    async (request) => reportJson(await service.report(appActorOf(request), request.params.code, request.params.reportId)),
  );

  app.put(
    '/jurisdictions/:code/reports/:reportId/lines',
    {
      config: signedIn(WRITE),
      preParsing: guard(['report.submit']),
      schema: {
        summary: "Replaces a draft's lines (drafts only)",
        tags: TAGS.reports,
        security: SECURITY,
        params: reportParams,
        body: z.strictObject({ lines }),
        response: { 200: reportView, ...errors },
      },
    },
    async (request) => reportJson(await service.updateDraft(appActorOf(request), request.params.code, request.params.reportId, linesOf(request.body.lines))),
  );

  const step = (path: string, actions: readonly Action[], summary: string, run: (actor: AppActor, code: string, reportId: string) => Promise<ReportView & { facilityCode: string }>) =>
    app.post(
      `/jurisdictions/:code/reports/:reportId/${path}`,
      {
        config: signedIn(WRITE),
        preParsing: guard(actions),
        schema: { summary, tags: TAGS.reports, security: SECURITY, params: reportParams, response: { 200: reportView, ...errors } },
      },
      async (request) => reportJson(await run(appActorOf(request), request.params.code, request.params.reportId)),
    );
  step('submit', ['report.submit'], 'Submits a draft for verification (the operator)', (a, c, r) => service.submit(a, c, r));
  step('accept', ['report.review'], 'Accepts a verified report (the authority); an earlier accepted version becomes superseded', (a, c, r) => service.accept(a, c, r));

  app.post(
    '/jurisdictions/:code/reports/:reportId/verify',
    {
      config: signedIn(WRITE),
      preParsing: guard(['report.verify']),
      schema: {
        summary: 'Verifies a submitted report (a verifier of the agency assigned for its fiscal year)',
        description: 'Name your agency; an agency that is not the one assigned to the facility for the year is refused with 403.',
        tags: TAGS.reports,
        security: SECURITY,
        params: reportParams,
        body: z.strictObject({ agencyId: id }),
        response: { 200: reportView, ...errors },
      },
    },
    async (request) => reportJson(await service.verify(appActorOf(request), request.params.code, request.params.reportId, request.body.agencyId)),
  );

  app.post(
    '/jurisdictions/:code/reports/:reportId/return',
    {
      config: signedIn(WRITE),
      preParsing: guard(['report.review', 'report.return']),
      schema: {
        summary: 'Returns a submitted or verified report to the operator with the reason',
        tags: TAGS.reports,
        security: SECURITY,
        params: reportParams,
        body: z.strictObject({ reason: text(2000) }),
        response: { 200: reportView, ...errors },
      },
    },
    async (request) => reportJson(await service.returnReport(appActorOf(request), request.params.code, request.params.reportId, request.body.reason)),
  );

  app.post(
    '/jurisdictions/:code/reports/:reportId/corrections',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['report.submit']),
      schema: {
        summary: 'Corrects an accepted or returned report: a new draft version with the corrected lines',
        tags: TAGS.reports,
        security: SECURITY,
        params: reportParams,
        body: z.strictObject({ lines }),
        response: { 200: reportView, ...errors },
      },
    },
    async (request) => (reportJson(await service.correct(appActorOf(request), request.params.code, request.params.reportId, linesOf(request.body.lines)))),
  );

  // ---- base years ---------------------------------------------------------------------------------------------

  app.post(
    '/jurisdictions/:code/facilities/:facility/base-year',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['base_year.choose']),
      schema: {
        summary: "Chooses the facility's base years (consecutive, each with an accepted report); supersedes the active choice",
        tags: TAGS.reports,
        security: SECURITY,
        params: facilityParams,
        body: z.strictObject({ firstFiscalYear: fiscalYear, lastFiscalYear: fiscalYear }),
        response: { 200: baseYearView, ...errors },
      },
    },
    async (request) => {
      const b = await service.chooseBaseYear(appActorOf(request), request.params.code, request.params.facility, request.body.firstFiscalYear, request.body.lastFiscalYear);
      return (baseJson(b));
    },
  );

  app.post(
    '/jurisdictions/:code/facilities/:facility/recalculation-requests',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['base_year.choose']),
      schema: {
        summary: 'Asks for the base year to be recalculated after a change of floor area or use',
        tags: TAGS.reports,
        security: SECURITY,
        params: facilityParams,
        body: z.strictObject({ floorAreaAfterM2: wholeNumber.optional(), useAfter: text(64).optional(), estimatedBaseKg: wholeNumber.optional(), reason: text(2000).optional() }),
        response: { 200: z.object({ id: z.string(), changePpm: bigintString.describe('the change of base emissions, parts per million') }), ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const r = await service.requestRecalculation(appActorOf(request), request.params.code, request.params.facility, {
        ...(b.floorAreaAfterM2 === undefined ? {} : { floorAreaAfterM2: BigInt(b.floorAreaAfterM2) }),
        ...(b.useAfter === undefined ? {} : { useAfter: b.useAfter }),
        ...(b.estimatedBaseKg === undefined ? {} : { estimatedBaseKg: BigInt(b.estimatedBaseKg) }),
        ...(b.reason === undefined ? {} : { reason: b.reason }),
      });
      return ({ id: r.id, changePpm: r.changePpm.toString() });
    },
  );

  app.post(
    '/jurisdictions/:code/recalculation-requests/:requestId/decision',
    {
      config: signedIn(WRITE),
      preParsing: guard(['report.review']),
      schema: {
        summary: "The authority's decision on a recalculation request; approval gives the new base year",
        tags: TAGS.reports,
        security: SECURITY,
        params: requestParams,
        body: z.strictObject({ approve: z.boolean(), baseKg: wholeNumber.optional().describe('the verified recalculated base, when the authority states it') }),
        response: { 200: z.object({ approved: z.boolean(), baseYear: baseYearView.nullable() }), ...errors },
      },
    },
    async (request) => {
      const { approve, baseKg } = request.body;
      const base = await service.decideRecalculation(appActorOf(request), request.params.code, request.params.requestId, baseKg === undefined ? { approve } : { approve, baseKg: BigInt(baseKg) });
      return { approved: approve, baseYear: base === undefined ? null : baseJson(base) };
    },
  );

  // ---- credits and surrender ----------------------------------------------------------------------------------

  app.post(
    '/jurisdictions/:code/facilities/:facility/credit-applications',
    {
      config: { ...signedIn(WRITE), idempotent: true },
      preParsing: guard(['credit.apply']),
      schema: {
        summary: 'Applies for the excess reduction credits the facility has earned in a period so far',
        tags: TAGS.credits,
        security: SECURITY,
        params: facilityParams,
        body: z.strictObject({ period }),
        response: { 200: applicationView, ...errors },
      },
    },
    async (request) => (applicationJson(await service.applyForCredits(appActorOf(request), request.params.code, request.params.facility, request.body.period))),
  );

  app.get(
    '/jurisdictions/:code/credit-applications/:applicationId',
    {
      config: signedIn(READ),
      preParsing: guard(['credit.decide', 'credit.apply']),
      schema: { summary: 'One credit application with its evidence', tags: TAGS.credits, security: SECURITY, params: applicationParams, response: { 200: applicationView, ...errors } },
    },
    async (request) => applicationJson(await service.creditApplication(appActorOf(request), request.params.code, request.params.applicationId)),
  );

  app.post(
    '/jurisdictions/:code/credit-applications/:applicationId/approve',
    {
      config: signedIn(WRITE),
      preParsing: guard(['credit.decide']),
      schema: {
        summary: "Approves an application and issues its credits into the facility's compliance account",
        description: 'Four eyes: someone other than the applicant approves (FOUR_EYES, 422). Approving an issued application again returns it unchanged.',
        tags: TAGS.credits,
        security: SECURITY,
        params: applicationParams,
        response: { 200: applicationView.extend({ unitTypeId: z.string() }), ...errors },
      },
    },
    async (request) => {
      const a = await service.approveCredits(appActorOf(request), request.params.code, request.params.applicationId);
      return { ...applicationJson(a), unitTypeId: a.unitTypeId };
    },
  );

  app.post(
    '/jurisdictions/:code/credit-applications/:applicationId/reject',
    {
      config: signedIn(WRITE),
      preParsing: guard(['credit.decide']),
      schema: {
        summary: 'Rejects an application with the reason (someone other than the applicant)',
        tags: TAGS.credits,
        security: SECURITY,
        params: applicationParams,
        body: z.strictObject({ reason: text(1000) }),
        response: { 200: applicationView, ...errors },
      },
    },
    async (request) => applicationJson(await service.rejectCredits(appActorOf(request), request.params.code, request.params.applicationId, request.body.reason)),
  );

  app.post(
    '/jurisdictions/:code/facilities/:facility/surrenders',
    {
      config: { ...signedIn('registry:write'), idempotent: 'use-case' },
      preParsing: guard(['credit.apply', 'transaction.propose']),
      schema: {
        summary: "Surrenders units from the facility's compliance account for a period: all lines or none",
        description: "The facility's operator or a representative of its account with the right to initiate. Requires Idempotency-Key: a retry with the same key surrenders nothing more.",
        tags: TAGS.credits,
        security: SECURITY,
        params: facilityParams,
        headers: idempotencyHeaders,
        body: z.strictObject({
          period,
          fiscalYear: fiscalYear.optional().describe('allocation programs: the emissions year the units cover'),
          lines: z.array(z.strictObject({ unitTypeId: id, quantityT: positiveT })).min(1, 'must have at least one line').max(20, 'must have at most 20 lines'),
        }),
        response: { 200: z.object({ txIds: z.array(z.string()), surrenderedT: bigintString, replayed: z.boolean() }), ...errors },
      },
    },
    async (request) => {
      const b = request.body;
      const r = await service.surrender(appActorOf(request), request.params.code, request.params.facility, {
        period: b.period,
        ...(b.fiscalYear === undefined ? {} : { fiscalYear: b.fiscalYear }),
        lines: b.lines.map((l) => ({ unitTypeId: l.unitTypeId, quantityT: BigInt(l.quantityT) })),
        idempotencyKey: request.headers[IDEMPOTENCY_KEY_HEADER],
      });
      return { txIds: [...r.txIds], surrenderedT: r.surrenderedT.toString(), replayed: r.replayed };
    },
  );

  // ---- compliance and programs --------------------------------------------------------------------------------

  app.post(
    '/jurisdictions/:code/compliance/:period/run',
    {
      config: signedIn('admin'),
      preParsing: guard(['compliance.run']),
      schema: {
        summary: 'Computes and stores the compliance results of a period (replacing earlier results of that period)',
        tags: TAGS.compliance,
        security: SECURITY,
        params: periodParams,
        response: { 200: z.object({ jurisdiction: z.string(), period: z.number().int(), kind: z.enum(['obligation', 'allocation']), rows: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }), ...errors },
      },
    },
    async (request) => {
      const s = await service.runCompliance(appActorOf(request), request.params.code, request.params.period);
      return { jurisdiction: s.jurisdiction, period: s.period, kind: s.kind, rows: s.rows, byStatus: { ...s.byStatus } };
    },
  );

  app.get(
    '/jurisdictions/:code/compliance/:period/report',
    {
      config: signedIn(READ),
      preParsing: guard(['compliance.read']),
      schema: {
        summary: 'The full compliance report of a period, notes included: JSON, or CSV with ?format=csv',
        tags: TAGS.compliance,
        security: SECURITY,
        params: periodParams,
        querystring: z.object({ format: z.enum(['json', 'csv']).default('json'), fiscalYear: z.coerce.number().int('must be a whole year').min(1990).max(2200).optional() }),
        response: {
          200: { description: 'the report', content: { 'application/json': { schema: complianceJson }, 'text/csv': { schema: z.string().describe('RFC 4180, header row first') } } },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { format, fiscalYear: fy } = request.query;
      const report = await service.complianceReport(appActorOf(request), request.params.code, request.params.period, fy);
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="compliance-${report.jurisdiction}-P${report.period}.csv"`)
          .send(reportCsv(report));
      }
      return reply.type('application/json; charset=utf-8').send({ jurisdiction: report.jurisdiction, period: report.period, kind: report.kind, columns: [...report.columns], rows: report.rows.map((r) => ({ ...r })) });
    },
  );

  app.post(
    '/jurisdictions/:code/programs',
    {
      config: { ...signedIn('admin'), idempotent: true },
      preParsing: guard(['program.configure']),
      schema: {
        summary: 'Adopts a program definition (a new version) for the jurisdiction',
        description: 'The body is a program definition (the `definition` of GET /jurisdictions/{code}/program). An invalid one is refused naming the first field (PROGRAM_INVALID, 422, e.g. `field: "periods[0].lastFiscalYear"`); a version already adopted with other content is 409.',
        tags: TAGS.programs,
        security: SECURITY,
        params: codeParams,
        body: z.record(z.string(), z.unknown()).describe('a program definition'),
        response: { 200: z.object({ id: z.string(), version: z.string(), kind: z.string(), definition: programSchema }), ...errors },
      },
    },
    async (request) => {
      const p = await service.adoptProgram(appActorOf(request), request.params.code, request.body);
      return ({ id: p.id, version: p.version, kind: p.kind, definition: p });
    },
  );

  done();
};
