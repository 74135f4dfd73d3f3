// Public disclosure under /api/v1 (no sign-in; OpenAPI `security: []`): jurisdictions and their programs, the
// facility register, compliance results, ledger verification and totals. Reads only: nothing here changes state.
// The disclosure GETs are served from a short-lived in-memory cache (plugins/public-cache.ts) when `cacheMs` > 0;
// /health is not, so that it always reaches the database.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { complianceReport } from '../../app/compliance.js';
import { ledgerStats, verifyLedger, type JurisdictionVerification } from '../../app/ledger-audit.js';
import { programOf } from '../../app/programs.js';
import { RefusedError, refusal } from '../../domain/errors.js';
import { installPublicCache } from '../plugins/public-cache.js';
import { FACILITY_STATUSES } from '../../domain/mrv/designation.js';
import { programSchema, type ProgramDefinition } from '../../domain/program/schema.js';
import { UNIT_STATUSES } from '../../domain/registry/model.js';
import type { Database } from '../../store/db.js';
import { jurisdictionIdByCode, listFacilities, listJurisdictions } from '../../app/disclosure.js';
import { pageFromRows, pageOf, pageQuery } from '../pagination.js';
import { bigintOrNull, bigintString, errorResponses, jurisdictionCode, jurisdictionParams } from '../schemas.js';

export interface PublicRoutesOptions {
  readonly db: Database;
  /** Verification replays the whole journal: a tighter per-client limit than other reads (requests per minute). */
  readonly verificationPerMinute: number;
  /** How long a disclosure GET's response is served again from memory (ms); 0 or absent: no cache. */
  readonly cacheMs?: number;
}

const PUBLIC = { access: 'public' } as const;
const TAGS = { disclosure: ['disclosure'], ledger: ['ledger'] };

const programInForce = z.object({ id: z.string(), version: z.string(), kind: z.string(), adoptedAt: z.string() });

const jurisdictionView = z.object({
  id: z.string().describe('the id that grants and other records name'),
  code: z.string(),
  nameEn: z.string(),
  nameJa: z.string(),
  timeZone: z.string(),
  fiscalYearStartMonth: z.number().int(),
  program: programInForce.nullable().describe('the program in force, null before one is adopted'),
});

const programSummary = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  kind: z.enum(['obligation', 'allocation']),
  fiscalYearStartMonth: z.number().int(),
  periods: z.array(z.object({ number: z.number().int(), firstFiscalYear: z.number().int(), lastFiscalYear: z.number().int(), adjustmentWindowEnd: z.string() })),
  categories: z.array(z.object({ code: z.string(), name: z.string() })),
  creditTypes: z.array(z.object({ code: z.string(), kind: z.string(), name: z.string(), transferable: z.boolean() })),
  banking: z.object({ allowed: z.boolean(), horizonPeriods: z.number().int().nullable(), borrowing: z.boolean() }),
});

function summaryOf(p: ProgramDefinition): z.infer<typeof programSummary> {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    kind: p.kind,
    fiscalYearStartMonth: p.fiscalYearStartMonth,
    periods: p.periods.map((x) => ({ number: x.number, firstFiscalYear: x.firstFiscalYear, lastFiscalYear: x.lastFiscalYear, adjustmentWindowEnd: x.adjustmentWindowEnd })),
    categories: p.categories.map((c) => ({ code: c.code, name: c.name })),
    creditTypes: p.creditTypes.map((c) => ({ code: c.code, kind: c.kind, name: c.name, transferable: c.transferable })),
    banking: { allowed: p.banking.allowed, horizonPeriods: p.banking.horizonPeriods, borrowing: p.banking.borrowing },
  };
}

const facilityView = z.object({
  code: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  useType: z.string(),
  status: z.string(),
});

const filterCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a code of letters, digits, ".", "_" or "-"');

const facilitiesQuery = pageQuery.extend({
  category: filterCode.optional().describe('only facilities of this program category'),
  status: z.enum(FACILITY_STATUSES).optional().describe('only facilities with this status'),
  q: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional().describe('part of the facility name (case-insensitive)'),
});

const complianceRow = z.record(z.string(), z.string().nullable()).describe('one facility: every value a string (quantities exact) or null for no data');

const complianceView = z.object({
  jurisdiction: z.string(),
  period: z.number().int(),
  kind: z.enum(['obligation', 'allocation']),
  columns: z.array(z.string()),
  rows: z.array(complianceRow).describe('ordered by facility code (facility_id is the facility code)'),
  nextCursor: z.string().nullable(),
});

const problemView = z.object({ seq: bigintString, place: z.string(), message: z.string() });
const verificationView = z.object({
  code: z.string(),
  ok: z.boolean(),
  entries: bigintString.describe('journal entries'),
  head: z.string().describe('hash of the last journal entry (the chain head); record it to check later that history was not rewritten'),
  problems: z.array(problemView).describe('at most 100, earliest first'),
});

function verificationOf(j: JurisdictionVerification): z.infer<typeof verificationView> {
  return {
    code: j.code,
    ok: j.problems.length === 0,
    entries: j.entries.toString(),
    head: j.head,
    problems: j.problems.map((p) => ({ seq: p.seq.toString(), place: p.place, message: p.message })),
  };
}

const byStatus = z.object(Object.fromEntries(UNIT_STATUSES.map((s) => [s, bigintString])) as Record<(typeof UNIT_STATUSES)[number], typeof bigintString>);
const statsView = z.object({
  unitTypes: z.array(z.object({ jurisdiction: z.string(), unitType: z.string(), kind: z.string(), issuedT: bigintString, byStatusT: byStatus })),
  transactions: z.array(z.object({ jurisdiction: z.string(), type: z.string(), status: z.string(), count: bigintString, quantityT: bigintString })),
});

async function jurisdictionIdOrRefuse(db: Database, code: string): Promise<string> {
  const id = await jurisdictionIdByCode(db, code);
  if (id === undefined) throw new RefusedError(refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${code}.`, 'code'));
  return id;
}

export const publicRoutes: FastifyPluginCallbackZod<PublicRoutesOptions> = (app, { db, verificationPerMinute, cacheMs }, done) => {
  app.get(
    '/health',
    {
      config: PUBLIC,
      schema: {
        summary: 'Liveness: the server answers and its database is reachable',
        tags: ['service'],
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses },
      },
    },
    async () => {
      await db.kysely.selectFrom('jurisdictions').select('id').limit(1).execute();
      return { status: 'ok' as const };
    },
  );
  // The disclosure routes in their own scope (inside this plugin's prefix): the cache's hooks apply to them only.
  void app.register(disclosureRoutes, { db, verificationPerMinute, ...(cacheMs === undefined ? {} : { cacheMs }) });
  done();
};

const disclosureRoutes: FastifyPluginCallbackZod<PublicRoutesOptions> = (app, { db, verificationPerMinute, cacheMs }, done) => {
  const verifyLimit = { max: verificationPerMinute, timeWindow: 60_000 };
  installPublicCache(app, { ttlMs: cacheMs ?? 0 });

  app.get(
    '/jurisdictions',
    {
      config: PUBLIC,
      schema: {
        summary: 'Jurisdictions, with the program each has in force',
        tags: TAGS.disclosure,
        security: [],
        querystring: pageQuery,
        response: { 200: pageOf(jurisdictionView), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listJurisdictions(db, { afterCode: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.code], (r) => ({
        id: r.id,
        code: r.code,
        nameEn: r.nameEn,
        nameJa: r.nameJa,
        timeZone: r.timeZone,
        fiscalYearStartMonth: r.fyStartMonth,
        program: r.program,
      }));
    },
  );

  app.get(
    '/jurisdictions/:code/program',
    {
      config: PUBLIC,
      schema: {
        summary: "A jurisdiction's program in force: a summary and the full definition",
        tags: TAGS.disclosure,
        security: [],
        params: jurisdictionParams,
        response: { 200: z.object({ jurisdiction: z.string(), summary: programSummary, definition: programSchema }), ...errorResponses },
      },
    },
    async (request) => {
      const id = await jurisdictionIdOrRefuse(db, request.params.code);
      const program = await programOf(db, id);
      return { jurisdiction: request.params.code, summary: summaryOf(program), definition: program };
    },
  );

  app.get(
    '/jurisdictions/:code/facilities',
    {
      config: PUBLIC,
      schema: {
        summary: 'The facility register: code, name, category, use type and status',
        tags: TAGS.disclosure,
        security: [],
        params: jurisdictionParams,
        querystring: facilitiesQuery,
        response: { 200: pageOf(facilityView), ...errorResponses },
      },
    },
    async (request) => {
      const id = await jurisdictionIdOrRefuse(db, request.params.code);
      const { limit, cursor, category, status, q } = request.query;
      const rows = await listFacilities(db, id, { category, status, nameContains: q, afterCode: cursor?.[0], limit: limit + 1 });
      return pageFromRows(rows, limit, (r) => [r.code], (r) => r);
    },
  );

  app.get(
    '/jurisdictions/:code/compliance/:period',
    {
      config: PUBLIC,
      schema: {
        summary: 'Compliance results of a period, one row per facility',
        description: 'Obligation programs: cap, obligation, surrendered units, shortfall and status. Allocation programs: the given fiscal year, or each facility’s latest computed year.',
        tags: TAGS.disclosure,
        security: [],
        params: z.object({ code: jurisdictionCode, period: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(20, 'must be 20 or less') }),
        querystring: pageQuery.extend({ fiscalYear: z.coerce.number().int('must be a whole year').min(1990).max(2200).optional() }),
        response: { 200: complianceView, 422: errorResponses[400].describe('e.g. the fiscal year is outside the period'), ...errorResponses },
      },
    },
    async (request) => {
      const { code, period } = request.params;
      const { limit, cursor, fiscalYear } = request.query;
      const report = await complianceReport(db, fiscalYear === undefined ? { jurisdictionCode: code, period } : { jurisdictionCode: code, period, fiscalYear });
      // The report is read whole (ordered by facility code); the page bounds the response.
      const after = cursor?.[0];
      const rest = after === undefined ? report.rows : report.rows.filter((r) => (r.facility_id ?? '') > after);
      const page = pageFromRows(rest.slice(0, limit + 1), limit, (r) => [r.facility_id ?? ''], (r) => ({ ...r }));
      return { jurisdiction: report.jurisdiction, period: report.period, kind: report.kind, columns: [...report.columns], rows: page.items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/ledger/verification',
    {
      config: { ...PUBLIC, rateLimit: verifyLimit },
      schema: {
        summary: 'Verifies every jurisdiction’s journal: hash chain, replay, stored holdings and totals',
        tags: TAGS.ledger,
        security: [],
        response: { 200: z.object({ ok: z.boolean(), firstSeq: bigintOrNull, jurisdictions: z.array(verificationView) }), ...errorResponses },
      },
    },
    async () => {
      const report = await verifyLedger(db);
      return { ok: report.ok, firstSeq: report.firstSeq === null ? null : report.firstSeq.toString(), jurisdictions: report.jurisdictions.map(verificationOf) };
    },
  );

  app.get(
    '/jurisdictions/:code/ledger/verification',
    {
      config: { ...PUBLIC, rateLimit: verifyLimit },
      schema: {
        summary: 'Verifies one jurisdiction’s journal',
        tags: TAGS.ledger,
        security: [],
        params: jurisdictionParams,
        response: { 200: verificationView, ...errorResponses },
      },
    },
    async (request) => {
      await jurisdictionIdOrRefuse(db, request.params.code);
      const report = await verifyLedger(db, { jurisdictionCode: request.params.code });
      return verificationOf(report.jurisdictions[0]!);
    },
  );

  app.post(
    '/jurisdictions/:code/ledger/verification',
    {
      config: { ...PUBLIC, rateLimit: verifyLimit },
      schema: {
        summary: 'Verifies one jurisdiction’s journal against a chain head recorded earlier',
        description: 'A check, not a change: the journal must still verify and `expectHead` must be its head. Someone who recorded the head can so detect a rewritten history.',
        tags: TAGS.ledger,
        security: [],
        params: jurisdictionParams,
        body: z.strictObject({ expectHead: z.string().regex(/^[0-9a-f]{64}$/, 'must be a chain head: 64 lower-case hex digits') }),
        response: { 200: verificationView.extend({ headMatches: z.boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      await jurisdictionIdOrRefuse(db, request.params.code);
      const { expectHead } = request.body;
      const report = await verifyLedger(db, { jurisdictionCode: request.params.code, expectHead });
      const j = report.jurisdictions[0]!;
      return { ...verificationOf(j), headMatches: j.head === expectHead };
    },
  );

  app.get(
    '/ledger/stats',
    {
      config: PUBLIC,
      schema: {
        summary: 'Units issued and where they are (held, in transit, surrendered, retired, cancelled); transactions by type and status',
        tags: TAGS.ledger,
        security: [],
        querystring: z.object({ jurisdiction: jurisdictionCode.optional() }),
        response: { 200: statsView, ...errorResponses },
      },
    },
    async (request) => {
      const code = request.query.jurisdiction;
      if (code !== undefined) await jurisdictionIdOrRefuse(db, code);
      const stats = await ledgerStats(db, code);
      return {
        unitTypes: stats.unitTypes.map((u) => ({
          jurisdiction: u.jurisdiction,
          unitType: u.unitType,
          kind: u.kind,
          issuedT: u.issuedT.toString(),
          byStatusT: Object.fromEntries(UNIT_STATUSES.map((s) => [s, u.byStatusT[s].toString()])) as Record<(typeof UNIT_STATUSES)[number], string>,
        })),
        transactions: stats.transactions.map((t) => ({ ...t, count: t.count.toString(), quantityT: t.quantityT.toString() })),
      };
    },
  );
  done();
};
