// Open data under /api/v1 (docs/open-data.md): the data dictionary, each jurisdiction's catalogue, every public table
// as JSON, CSV or Excel (streamed batch by batch), and the public transaction log page by page — all public, served
// with Cache-Control like the other disclosure reads. And one signed-in route: a facility's annual summary as a PDF,
// for its operator and the authority (authorized in the app layer, FacilitySummaries, before the request is parsed).
import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccessControl } from '../../app/authorization.js';
import { FORMATS, OPEN_DATA_TABLES, TABLE_NAMES, type Format } from '../../app/open-data/dictionary.js';
import { FacilitySummaries } from '../../app/open-data/facility-summary.js';
import { CONTENT_TYPES, csvChunks, fileNameOf, jsonChunks, writeXlsx } from '../../app/open-data/formats.js';
import { openDataSettingsFromEnv, TRANSACTION_LOG_DELAY_SOURCE, type OpenDataSettings } from '../../app/open-data/settings.js';
import { PdfFontMissingError, renderSummaryPdf, SUMMARY_LANGS, summaryFileName } from '../../app/open-data/summary-pdf.js';
import { openTable, type OpenTable } from '../../app/open-data/tables.js';
import { logRowObject, publishedUntil, TRANSACTION_LOG_PAGE_MAX, transactionLogPage } from '../../app/open-data/transaction-log.js';
import { jurisdictionIdByCode } from '../../app/disclosure.js';
import { RefusedError, refusal } from '../../domain/errors.js';
import type { Database } from '../../store/db.js';
import { HttpError } from '../errors.js';
import { decodeCursor, encodeCursor } from '../pagination.js';
import { installPublicCache } from '../plugins/public-cache.js';
import { SIGNED_IN_SECURITY } from '../plugins/authenticate.js';
import { errorBody, errorResponses, jurisdictionCode, jurisdictionParams } from '../schemas.js';
import { actorOf, installForbiddenMapping, signedInErrors } from './registry.js';

export interface OpenDataRoutesOptions {
  readonly db: Database;
  /** The server's clock: the transaction log's cut-off and the PDF's date. */
  readonly clock?: (() => Date) | undefined;
  /** Shared with sign-in (grants); a new one over `db` otherwise. */
  readonly access?: AccessControl | undefined;
  /** Public responses are cached this long and say so in Cache-Control (ms); 0 or absent: neither. */
  readonly cacheMs?: number | undefined;
  /** Default: from the environment (CITYCAP_TRANSACTION_LOG_DELAY_DAYS, CITYCAP_TRANSACTION_LOG_HOLDER_NAMES). */
  readonly settings?: OpenDataSettings | undefined;
}

const PUBLIC = { access: 'public' } as const;
/** Sent as bytes (a stream or a Buffer), never serialized; documented in OpenAPI as a binary string. */
const BYTES = z.any().meta({ type: 'string', format: 'binary' });
const TAGS = ['open data'];
const TRANSACTION_LOG_PAGE_DEFAULT = 100;

const columnView = z.object({
  name: z.string(),
  type: z.enum(['integer', 'decimal', 'text', 'date', 'datetime']),
  json: z.enum(['string', 'number']).describe('how JSON writes the value: big integers and decimals as strings, small numbers as numbers'),
  unit: z.string().nullable(),
  nullable: z.boolean(),
  descriptionEn: z.string(),
  descriptionJa: z.string(),
});
const tableView = z.object({
  name: z.string(),
  titleEn: z.string(),
  titleJa: z.string(),
  descriptionEn: z.string(),
  descriptionJa: z.string(),
  key: z.array(z.string()),
  columns: z.array(columnView),
});
const dictionaryView = z.object({ formats: z.record(z.string(), z.string()), tables: z.array(tableView) });

const FORMAT_NOTES: Readonly<Record<Format, string>> = {
  json: 'UTF-8 JSON: { table, jurisdiction, generatedAt, meta, columns, rows }; rows are objects keyed by column name; big integers are decimal strings.',
  csv: 'UTF-8 with a byte-order mark (Excel then reads Japanese correctly), RFC 4180, CRLF, a header row of column names; empty field = no value. Text starting with = + - @ gets a leading apostrophe.',
  xlsx: 'Excel workbook: the table on the first sheet (header row, numeric cells for numbers), then the sheets "dictionary" and "about".',
};

const DICTIONARY = {
  formats: FORMAT_NOTES,
  tables: OPEN_DATA_TABLES.map((t) => ({
    name: t.name,
    titleEn: t.titleEn,
    titleJa: t.titleJa,
    descriptionEn: t.descriptionEn,
    descriptionJa: t.descriptionJa,
    key: [...t.key],
    columns: t.columns.map((c) => ({ name: c.name, type: c.type, json: c.json, unit: c.unit, nullable: c.nullable, descriptionEn: c.en, descriptionJa: c.ja })),
  })),
};

const logPolicy = z.object({
  delayMs: z.number().int().describe('how long after completion a transaction is published'),
  delayDays: z.number().describe('the same in days'),
  publishedUntil: z.string().describe('transactions completed at or before this instant (ISO-8601 UTC) are published'),
  holderNames: z.boolean().describe('whether account holders are named'),
  source: z.string().describe('where the default delay comes from'),
});

const catalogueView = z.object({
  jurisdiction: z.string(),
  dictionary: z.string().describe('URL of the data dictionary'),
  tables: z.array(z.object({ name: z.string(), titleEn: z.string(), titleJa: z.string(), downloads: z.object({ json: z.string(), csv: z.string(), xlsx: z.string() }) })),
  transactionLog: logPolicy.extend({ url: z.string() }),
});

const logItem = z.object({
  journal_seq: z.string(),
  transaction_id: z.string(),
  type: z.string(),
  completed_at: z.string(),
  unit_type: z.string(),
  unit_kind: z.string(),
  vintage: z.number().int().nullable(),
  quantity_t: z.string(),
  from_account: z.string().nullable(),
  from_account_type: z.string().nullable(),
  from_account_holder: z.string().nullable(),
  to_account: z.string().nullable(),
  to_account_type: z.string().nullable(),
  to_account_holder: z.string().nullable(),
  reverses_transaction_id: z.string().nullable(),
});

const logPageView = z.object({
  jurisdiction: z.string(),
  ...logPolicy.omit({ source: true }).shape,
  items: z.array(logItem).describe('completed transactions in journal order, oldest first; the columns of the `transactions` table'),
  nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page (later pages appear as transactions come of age)'),
});

const logQuery = z.object({
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, `must be 1 to ${TRANSACTION_LOG_PAGE_MAX}`)
    .max(TRANSACTION_LOG_PAGE_MAX, `must be 1 to ${TRANSACTION_LOG_PAGE_MAX}`)
    .default(TRANSACTION_LOG_PAGE_DEFAULT)
    .describe(`page size, 1–${TRANSACTION_LOG_PAGE_MAX} (default ${TRANSACTION_LOG_PAGE_DEFAULT})`),
  cursor: z
    .string()
    .max(512)
    .transform((s, ctx) => {
      const key = decodeCursor(s);
      // A journal sequence number: at most 18 digits, so that it fits the databases' 64-bit integers.
      if (key?.length !== 1 || !/^\d{1,18}$/.test(key[0]!)) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor from this server (use nextCursor of the previous page)' });
        return z.NEVER;
      }
      return BigInt(key[0]!);
    })
    .optional()
    .describe('nextCursor of the previous page'),
});

const tableParams = z.object({ code: jurisdictionCode, table: z.enum(TABLE_NAMES as [string, ...string[]]).describe(`one of: ${TABLE_NAMES.join(', ')}`) });
const tableQuery = z.object({ format: z.enum(FORMATS).default('json').describe('json (default), csv or xlsx') });

const summaryParams = z.object({
  code: jurisdictionCode,
  facility: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a facility code: letters, digits, ".", "_" or "-"').describe('facility code, e.g. T-101'),
});
const summaryQuery = z.object({
  fiscalYear: z.coerce.number({ error: 'must be a fiscal year, e.g. 2022' }).int('must be a whole year').min(1990, 'must be 1990 to 2200').max(2200, 'must be 1990 to 2200').describe('the fiscal year, e.g. 2022'),
  lang: z.enum(SUMMARY_LANGS).default('both').describe('en, ja, or both (default): labels in English, Japanese or both'),
});

function delayPolicy(settings: OpenDataSettings, now: Date): z.infer<typeof logPolicy> {
  return {
    delayMs: settings.transactionLogDelayMs,
    delayDays: settings.transactionLogDelayMs / 86_400_000,
    publishedUntil: publishedUntil(now, settings).toISOString(),
    holderNames: settings.transactionLogHolderNames,
    source: TRANSACTION_LOG_DELAY_SOURCE,
  };
}

async function jurisdictionIdOrRefuse(db: Database, code: string): Promise<string> {
  const id = await jurisdictionIdByCode(db, code);
  if (id === undefined) throw new RefusedError(refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${code}.`, 'code'));
  return id;
}

/** Sends a table in a format, streamed; the headers say how to save it and how long it may be cached. */
function sendTable(reply: FastifyReply, table: OpenTable, format: Format, cacheControl: string | undefined): FastifyReply {
  void reply.type(CONTENT_TYPES[format]).header('content-disposition', `attachment; filename="${fileNameOf(table.jurisdiction, table.def.name, format)}"`);
  if (cacheControl !== undefined) void reply.header('cache-control', cacheControl);
  if (format === 'xlsx') {
    const out = new PassThrough();
    writeXlsx(table, out).catch((error: unknown) => {
      reply.log.error({ err: error }, 'open-data workbook failed while streaming');
      out.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    // A stream is sent as it is (not serialized); the schema documents it.
    return reply.send(out);
  }
  return reply.send(Readable.from(format === 'csv' ? csvChunks(table) : jsonChunks(table)));
}

export const openDataRoutes: FastifyPluginCallbackZod<OpenDataRoutesOptions> = (app, options, done) => {
  const settings = options.settings ?? openDataSettingsFromEnv(process.env);
  const clock = options.clock ?? ((): Date => new Date());
  const summaries = new FacilitySummaries(options.db, { access: options.access, clock });
  void app.register(publicOpenData, { db: options.db, cacheMs: options.cacheMs, settings, clock });
  void app.register(signedInOpenData, { summaries, clock });
  done();
};

const publicOpenData: FastifyPluginCallbackZod<OpenDataRoutesOptions & { settings: OpenDataSettings; clock: () => Date }> = (app, { db, settings, clock, cacheMs }, done) => {
  const ttlMs = cacheMs ?? 0;
  installPublicCache(app, { ttlMs });
  // Streamed downloads bypass the in-memory cache (it keeps only serialized JSON) but carry the same header.
  const cacheControl = ttlMs > 0 ? `public, max-age=${Math.max(1, Math.round(ttlMs / 1000))}` : undefined;
  const prefix = (app as FastifyInstance).prefix;

  app.get(
    '/open-data/dictionary',
    {
      config: PUBLIC,
      schema: {
        summary: 'The data dictionary of the open-data tables: columns, types, units, descriptions in English and Japanese',
        tags: TAGS,
        security: [],
        response: { 200: dictionaryView, ...errorResponses },
      },
    },
    () => DICTIONARY,
  );

  app.get(
    '/jurisdictions/:code/open-data',
    {
      config: PUBLIC,
      schema: {
        summary: "A jurisdiction's open-data catalogue: every table with its download links, and the transaction log's publication rule",
        tags: TAGS,
        security: [],
        params: jurisdictionParams,
        response: { 200: catalogueView, ...errorResponses },
      },
    },
    async (request) => {
      const { code } = request.params;
      await jurisdictionIdOrRefuse(db, code);
      const base = `${prefix}/jurisdictions/${code}/open-data`;
      return {
        jurisdiction: code,
        dictionary: `${prefix}/open-data/dictionary`,
        tables: OPEN_DATA_TABLES.map((t) => ({
          name: t.name,
          titleEn: t.titleEn,
          titleJa: t.titleJa,
          downloads: { json: `${base}/${t.name}?format=json`, csv: `${base}/${t.name}?format=csv`, xlsx: `${base}/${t.name}?format=xlsx` },
        })),
        transactionLog: { ...delayPolicy(settings, clock()), url: `${prefix}/jurisdictions/${code}/transaction-log` },
      };
    },
  );

  app.get(
    '/jurisdictions/:code/open-data/:table',
    {
      config: PUBLIC,
      schema: {
        summary: 'One open-data table as a download: JSON, CSV (UTF-8 with BOM) or Excel',
        description: `Every row of the table, streamed. ${FORMATS.map((f) => `${f}: ${FORMAT_NOTES[f]}`).join(' ')} The columns are described by /open-data/dictionary.`,
        tags: TAGS,
        security: [],
        params: tableParams,
        querystring: tableQuery,
        produces: Object.values(CONTENT_TYPES),
        response: {
          200: {
            description: 'the table as a file (Content-Disposition: attachment)',
            content: {
              'application/json': { schema: z.object({ table: z.string(), jurisdiction: z.string(), generatedAt: z.string(), meta: z.record(z.string(), z.unknown()), columns: z.array(z.string()), rows: z.array(z.record(z.string(), z.unknown())) }) },
              'text/csv': { schema: z.string() },
              [CONTENT_TYPES.xlsx]: { schema: BYTES },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { code, table: name } = request.params;
      const table = await openTable(db, { jurisdictionCode: code, table: name, now: clock(), settings });
      return sendTable(reply, table, request.query.format, cacheControl);
    },
  );

  app.get(
    '/jurisdictions/:code/transaction-log',
    {
      config: PUBLIC,
      schema: {
        summary: 'The public transaction log: completed transactions, published once the program’s delay has passed, without personal data',
        description:
          'In the manner of the EU Transaction Log. Oldest first (journal order), so a cursor stays valid as later transactions are published. Each item has exactly the columns of the `transactions` open-data table: account numbers, types and holders, never representatives, user ids, idempotency keys, addresses or reasons.',
        tags: TAGS,
        security: [],
        params: jurisdictionParams,
        querystring: logQuery,
        response: { 200: logPageView, ...errorResponses },
      },
    },
    async (request) => {
      const { code } = request.params;
      const { limit, cursor } = request.query;
      const id = await jurisdictionIdOrRefuse(db, code);
      const now = clock();
      const page = await transactionLogPage(db, id, { afterSeq: cursor, limit, now, settings });
      const policy = delayPolicy(settings, now);
      return {
        jurisdiction: code,
        delayMs: policy.delayMs,
        delayDays: policy.delayDays,
        publishedUntil: policy.publishedUntil,
        holderNames: policy.holderNames,
        items: page.rows.map((r) => logRowObject(r) as z.infer<typeof logItem>),
        nextCursor: page.nextAfterSeq === null ? null : encodeCursor([page.nextAfterSeq.toString()]),
      };
    },
  );
  done();
};

const signedInOpenData: FastifyPluginCallbackZod<{ summaries: FacilitySummaries; clock: () => Date }> = (app, { summaries, clock }, done) => {
  installForbiddenMapping(app);

  app.get(
    '/jurisdictions/:code/facilities/:facility/annual-summary',
    {
      config: { access: 'signed_in', scope: 'reports:read' },
      // Before the query is validated: without standing, a 403 and nothing about what a valid request looks like.
      onRequest: async (request) => {
        const params = request.params as { code?: unknown; facility?: unknown };
        await summaries.gate(actorOf(request), params.code, params.facility);
      },
      schema: {
        summary: "A facility's annual summary as a PDF (English and Japanese): report lines, crude-oil equivalent, CO2, base-year emissions, cap and position for the period",
        description: 'For the facility’s operator and the authority (rule SUMMARY_READERS). 422 NO_REPORT_FOR_YEAR when the facility has no report for the year; 503 PDF_FONT_MISSING when the server has no Japanese font.',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: summaryParams,
        querystring: summaryQuery,
        produces: ['application/pdf'],
        response: {
          200: { description: 'the PDF (Content-Disposition: attachment)', content: { 'application/pdf': { schema: BYTES } } },
          ...signedInErrors,
          503: errorBody.describe('PDF_FONT_MISSING: the server has no Japanese font (see docs/open-data.md)'),
        },
      },
    },
    async (request, reply) => {
      const { code, facility } = request.params;
      const { fiscalYear, lang } = request.query;
      const summary = await summaries.summary(actorOf(request), { jurisdictionCode: code, facilityCode: facility, fiscalYear });
      let pdf: Buffer;
      try {
        pdf = await renderSummaryPdf(summary, { lang, createdAt: clock() });
      } catch (error) {
        if (error instanceof PdfFontMissingError) throw new HttpError(503, error.code, error.message);
        throw error;
      }
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${summaryFileName(summary)}"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );
  done();
};
