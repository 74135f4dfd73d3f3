// Public disclosure under /api/v1 (no sign-in; OpenAPI `security: []`): jurisdictions and their programs, the
// facility register, compliance results, ledger verification and totals. Reads only: nothing here changes state.
// The disclosure GETs are served from a short-lived in-memory cache (plugins/public-cache.ts) when `cacheMs` > 0;
// /health is not, so that it always reaches the database.
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { acceptedEmissionsKg, complianceReport, emissionsTOfKg, type ComplianceReport } from '../../app/compliance.js';
import { disclosureSummary } from '../../app/disclosure-summary.js';
import { ledgerStats, verifyLedger, type JurisdictionVerification } from '../../app/ledger-audit.js';
import { programOf } from '../../app/programs.js';
import { RefusedError, refusal } from '../../domain/errors.js';
import { HttpError } from '../errors.js';
import { installPublicCache } from '../plugins/public-cache.js';
import { FACILITY_STATUSES } from '../../domain/mrv/designation.js';
import { programSchema, type ProgramDefinition } from '../../domain/program/schema.js';
import { UNIT_STATUSES } from '../../domain/registry/model.js';
import type { Database } from '../../store/db.js';
import { jurisdictionIdByCode, listFacilities, listJurisdictions } from '../../app/disclosure.js';
import { encodeCursor, pageFromRows, pageOf, pageQuery, pageQueryOf } from '../pagination.js';
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

const periodNumber = z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(20, 'must be 20 or less');

/** Rows per page of the disclosure table: a browser loads a register of 10,000 facilities in a handful of requests. */
export const DISCLOSURE_PAGE_MAX = 2000;
const DISCLOSURE_PAGE_DEFAULT = 1000;

const disclosureQuery = pageQueryOf(DISCLOSURE_PAGE_MAX, DISCLOSURE_PAGE_DEFAULT).extend({
  period: periodNumber.optional().describe('the compliance period whose results are shown; default the latest period with results'),
});

const disclosedFacility = facilityView.extend({
  emissionsT: bigintOrNull.describe("the period's verified emissions counted so far (t-CO2), null before a compliance run"),
  capT: bigintOrNull.describe('obligation programs: the emission cap of the period (t-CO2)'),
  allocatedT: bigintOrNull.describe('allocation programs: allowances allocated'),
  surrenderedT: bigintOrNull,
  shortfallT: bigintOrNull,
  complianceStatus: z.string().nullable().describe('compliant, shortfall, emissions_missing, cap_missing (or the allocation codes); null without results'),
});

const disclosureTableView = z.object({
  jurisdiction: z.string(),
  kind: z.enum(['obligation', 'allocation']),
  period: z.number().int().nullable().describe('the period whose compliance results the rows carry; null when no period has results'),
  items: z.array(disclosedFacility),
  nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
});

const facilityDisclosureView = z.object({
  jurisdiction: z.string(),
  facility: facilityView.extend({ owner: z.string(), floorAreaM2: bigintOrNull }),
  baseYear: z.object({ firstFiscalYear: z.number().int(), lastFiscalYear: z.number().int(), baseT: bigintString }).nullable().describe('the active base years and base-year emissions as chosen (before any restatement)'),
  years: z.array(z.object({ fiscalYear: z.number().int(), emissionsT: bigintString })).describe('verified (accepted) emissions per fiscal year, oldest first'),
  periods: z
    .array(z.object({ period: z.number().int(), firstFiscalYear: z.number().int(), lastFiscalYear: z.number().int(), emissionsT: bigintOrNull, capT: bigintOrNull, allocatedT: bigintOrNull, obligationT: bigintOrNull, surrenderedT: bigintOrNull, shortfallT: bigintOrNull, status: z.string() }))
    .describe('compliance results per period that has them'),
});

const summaryView = z.object({
  jurisdiction: z.string(),
  baseT: bigintString.describe('the covered facilities\' base-year emissions, restated for the latest period with a listed year (t-CO2)'),
  years: z.array(
    z.object({
      fiscalYear: z.number().int(),
      emissionsT: bigintString.describe('verified emissions of the covered facilities (t-CO2)'),
      reportingFacilities: z.number().int(),
      reductionPct: z.number().nullable().describe('reduction against the base-year emissions, % (program rounding); null without a base'),
      byCategory: z.record(z.string(), bigintString).describe('emissions by program category (t-CO2)'),
    }),
  ),
});

const nullIfMissing = (v: string | null | undefined): string | null => v ?? null;

/** The latest period of the program that has stored compliance results (scanning down from the last), or null. */
async function latestReportedPeriod(db: Database, code: string, program: ProgramDefinition): Promise<ComplianceReport | null> {
  for (const p of [...program.periods].reverse()) {
    const report = await complianceReport(db, { jurisdictionCode: code, period: p.number });
    if (report.rows.length > 0) return report;
  }
  return null;
}

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
    '/jurisdictions/:code/disclosure/facilities',
    {
      config: PUBLIC,
      schema: {
        summary: 'The disclosure table: every facility of the register with its compliance results for a period',
        description: `One row per facility, ordered by code, in pages of up to ${DISCLOSURE_PAGE_MAX}: the register (code, name, category, use, status) and, for the period, verified emissions, cap (or allocation), units surrendered, shortfall and status. Facilities without results have nulls.`,
        tags: TAGS.disclosure,
        security: [],
        params: jurisdictionParams,
        querystring: disclosureQuery,
        response: { 200: disclosureTableView, ...errorResponses },
      },
    },
    async (request) => {
      const { code } = request.params;
      const { limit, cursor, period } = request.query;
      const id = await jurisdictionIdOrRefuse(db, code);
      const program = await programOf(db, id);
      const report = period === undefined ? await latestReportedPeriod(db, code, program) : await complianceReport(db, { jurisdictionCode: code, period });
      const results = new Map((report?.rows ?? []).map((r) => [r.facility_id ?? '', r]));
      const rows = await listFacilities(db, id, { afterCode: cursor?.[0], limit: limit + 1 });
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const items = shown.map((f) => {
        const r = results.get(f.code);
        return {
          ...f,
          emissionsT: nullIfMissing(r?.emissions_t),
          capT: nullIfMissing(r?.cap_t),
          allocatedT: nullIfMissing(r?.allocated_t),
          surrenderedT: nullIfMissing(r?.surrendered_t),
          shortfallT: nullIfMissing(r?.shortfall_t),
          complianceStatus: nullIfMissing(r?.status),
        };
      });
      const last = shown[shown.length - 1];
      return { jurisdiction: code, kind: program.kind, period: report?.period ?? null, items, nextCursor: more && last !== undefined ? encodeCursor([last.code]) : null };
    },
  );

  app.get(
    '/jurisdictions/:code/disclosure/facilities/:facility',
    {
      config: PUBLIC,
      schema: {
        summary: "One facility's disclosure: register entry, base year, verified emissions by fiscal year and compliance per period",
        tags: TAGS.disclosure,
        security: [],
        params: z.object({ code: jurisdictionCode, facility: filterCode.describe('the facility code') }),
        response: { 200: facilityDisclosureView, ...errorResponses },
      },
    },
    async (request) => {
      const { code, facility: facilityCode } = request.params;
      const id = await jurisdictionIdOrRefuse(db, code);
      const program = await programOf(db, id);
      const f = await db.kysely
        .selectFrom('facilities')
        .select(['id', 'code', 'name', 'owner', 'category', 'use_type', 'status', 'floor_area_m2'])
        .where('jurisdiction_id', '=', id)
        .where('code', '=', facilityCode)
        .executeTakeFirst();
      if (f === undefined) throw new HttpError(404, 'UNKNOWN_FACILITY', `No facility ${facilityCode} in ${code}.`, 'facility');
      const base = await db.kysely
        .selectFrom('base_years')
        .select(['first_fiscal_year', 'last_fiscal_year', 'base_t'])
        .where('facility_id', '=', f.id)
        .where('status', '=', 'active')
        .orderBy('chosen_at', 'desc')
        .executeTakeFirst();
      const firstYear = Math.min(program.baseYear?.windowFirstFiscalYear ?? Infinity, program.periods[0]!.firstFiscalYear);
      const lastYear = program.periods[program.periods.length - 1]!.lastFiscalYear;
      const allYears = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
      const byYear = (await acceptedEmissionsKg(db.kysely, [f.id], allYears)).get(f.id) ?? new Map<number, bigint>();
      const periods = [];
      for (const p of program.periods) {
        const row = (await complianceReport(db, { jurisdictionCode: code, period: p.number })).rows.find((r) => r.facility_id === f.code);
        if (row === undefined) continue;
        periods.push({
          period: p.number,
          firstFiscalYear: p.firstFiscalYear,
          lastFiscalYear: p.lastFiscalYear,
          emissionsT: nullIfMissing(row.emissions_t),
          capT: nullIfMissing(row.cap_t),
          allocatedT: nullIfMissing(row.allocated_t),
          obligationT: nullIfMissing(row.obligation_t),
          surrenderedT: nullIfMissing(row.surrendered_t),
          shortfallT: nullIfMissing(row.shortfall_t),
          status: row.status ?? 'unknown',
        });
      }
      return {
        jurisdiction: code,
        facility: { code: f.code, name: f.name, owner: f.owner, category: f.category, useType: f.use_type, status: f.status, floorAreaM2: f.floor_area_m2 === null ? null : String(f.floor_area_m2) },
        baseYear: base === undefined ? null : { firstFiscalYear: base.first_fiscal_year, lastFiscalYear: base.last_fiscal_year, baseT: String(base.base_t) },
        years: [...byYear.entries()].sort(([a], [b]) => a - b).map(([fiscalYear, kg]) => ({ fiscalYear, emissionsT: emissionsTOfKg(program, kg).toString() })),
        periods,
      };
    },
  );

  app.get(
    '/jurisdictions/:code/disclosure/summary',
    {
      config: PUBLIC,
      schema: {
        summary: 'Total verified emissions of the covered facilities by fiscal year and category, and the reduction against their base-year emissions',
        tags: TAGS.disclosure,
        security: [],
        params: jurisdictionParams,
        response: { 200: summaryView, ...errorResponses },
      },
    },
    async (request) => {
      await jurisdictionIdOrRefuse(db, request.params.code);
      const s = await disclosureSummary(db, request.params.code);
      return {
        jurisdiction: s.jurisdiction,
        baseT: s.baseT.toString(),
        years: s.years.map((y) => ({
          fiscalYear: y.fiscalYear,
          emissionsT: y.emissionsT.toString(),
          reportingFacilities: y.reportingFacilities,
          reductionPct: y.reductionPct,
          byCategory: Object.fromEntries(Object.entries(y.byCategory).map(([k, v]) => [k, v.toString()])),
        })),
      };
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
