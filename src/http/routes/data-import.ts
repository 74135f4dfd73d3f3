// Data in and out as files, under /api/v1/jurisdictions/{code}/…: the report template (Excel) of a facility and
// year, a filled template (or reports file) uploaded as the facility's draft report, bulk imports of reports and of
// facilities (CSV or .xlsx), and a facility's reports exported as CSV or Excel. The routes only translate HTTP; the
// app layer (DataImport over ReportingService) authorizes, checks and writes.
//
// Files are the raw request body (Content-Type text/csv or the .xlsx type; application/octet-stream is read by its
// content), up to FILE_BYTES_MAX: the body limit of these routes, checked against Content-Length before anything is
// read (413 BODY_TOO_LARGE beyond). A refused file is 422 IMPORT_INVALID with the usual error body and, beside it,
// `problems`: every problem with its sheet, row, column, cell, value and rule. Nothing is written then.
import { createHash } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccessControl } from '../../app/authorization.js';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '../../app/data-import/formats.js';
import { DataImport, type ReportsImportResult } from '../../app/data-import/import.js';
import { FILE_BYTES_MAX } from '../../app/data-import/parse.js';
import { ImportRefusedError } from '../../app/data-import/problems.js';
import { RefusedError } from '../../domain/errors.js';
import type { Action } from '../../domain/access/permissions.js';
import type { Database } from '../../store/db.js';
import { HttpError, sendError } from '../errors.js';
import { SIGNED_IN_SECURITY } from '../plugins/authenticate.js';
import { bigintString, errorBody, errorResponses, jurisdictionCode } from '../schemas.js';
import { appActorOf } from './reporting.js';

export interface DataImportRoutesOptions {
  readonly db: Database;
  readonly clock?: (() => Date) | undefined;
  readonly access?: AccessControl | undefined;
}

/** Media types a file may be sent as. Macro-enabled and legacy Excel types are read so that they are refused with a reason. */
export const UPLOAD_CONTENT_TYPES = [
  'text/csv',
  'application/csv',
  XLSX_CONTENT_TYPE,
  'application/vnd.ms-excel.sheet.macroenabled.12',
  'application/vnd.ms-excel',
  'application/octet-stream',
] as const;

/**
 * An uploaded file as the route sees it. The bytes are private, so that the idempotency layer fingerprints the
 * request by the file's size and SHA-256 (its enumerable fields), not byte by byte.
 */
export class UploadedFile {
  readonly #bytes: Buffer;
  readonly size: number;
  readonly sha256: string;

  constructor(
    bytes: Buffer,
    readonly contentType: string,
  ) {
    this.#bytes = bytes;
    this.size = bytes.length;
    this.sha256 = createHash('sha256').update(bytes).digest('hex');
  }

  get bytes(): Buffer {
    return this.#bytes;
  }
}

const TAGS = ['data'];
const signedIn = (scope: 'reports:read' | 'reports:write') => ({ access: 'signed_in', scope }) as const;
const mib = FILE_BYTES_MAX / (1024 * 1024);

const facilityCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a facility code: letters, digits, ".", "_" or "-"').describe('facility code, e.g. T-101');
const codeParams = z.object({ code: jurisdictionCode });
const facilityParams = z.object({ code: jurisdictionCode, facility: facilityCode });
const dryRun = z.enum(['true', 'false']).optional().describe('true: check everything and run every write, then roll back — nothing is written');

const problem = z.object({
  sheet: z.string().nullable().describe('the worksheet; null for CSV'),
  row: z.number().int().nullable().describe('1-based row as a spreadsheet shows it (a CSV header is row 1)'),
  column: z.string().nullable().describe('the column name (quantity …)'),
  cell: z.string().nullable().describe('the cell address, e.g. C7'),
  value: z.string().nullable().describe('the value found (clipped)'),
  code: z.string().describe('the rule: NEGATIVE_QUANTITY, UNKNOWN_SOURCE, FORMULA_CELL, …'),
  message: z.string(),
});
const importErrorBody = errorBody.extend({ problems: z.array(problem).optional().describe('every problem of a refused file (IMPORT_INVALID), at most 1,000') }).describe('422: a business rule refuses the request; for a refused file, every problem');

const errors = {
  ...errorResponses,
  401: errorBody.describe('not signed in (UNAUTHENTICATED)'),
  403: errorBody.describe('signed in, but no role (or token scope) allows this here (FORBIDDEN)'),
  409: errorBody.describe('conflicts with the current state (IDEMPOTENCY_CONFLICT …)'),
  413: errorBody.describe(`the file is larger than ${mib} MB (BODY_TOO_LARGE)`),
  415: errorBody.describe('the body is not a file of an accepted type (UNSUPPORTED_MEDIA_TYPE)'),
  422: importErrorBody,
} as const;

/** The request body of the upload routes: the file's bytes (anything else is 415, from the handler). */
const fileBody = z.unknown().meta({ type: 'string', format: 'binary', description: `a CSV (UTF-8) or .xlsx file, at most ${mib} MB` });
const CONSUMES = ['text/csv', XLSX_CONTENT_TYPE, 'application/octet-stream'];

const outcome = z.object({
  facility: z.string(),
  fiscalYear: z.number().int(),
  reportId: z.string(),
  version: z.number().int(),
  status: z.string(),
  action: z.enum(['created', 'updated', 'corrected', 'accepted']),
  lines: z.number().int(),
  coeKl: z.string().describe('crude-oil equivalent, kL'),
  emissionsKg: bigintString.describe('energy-origin CO2, kg'),
});
/** Items listed in a bulk answer; the counts are complete. */
const ITEMS_SHOWN_MAX = 1000;
const reportsResult = z.object({
  mode: z.enum(['accepted', 'draft']),
  dryRun: z.boolean(),
  layout: z.enum(['template', 'reports']).describe('template: the report template; reports: one row per line'),
  reports: z.number().int(),
  lines: z.number().int(),
  sha256: z.string().describe("the file's SHA-256, as the audit events record it"),
  items: z.array(outcome).describe(`the reports written (the first ${ITEMS_SHOWN_MAX})`),
}).describe('what was written (with dryRun: what would have been)');
const facilitiesResult = z.object({
  dryRun: z.boolean(),
  facilities: z.number().int(),
  statusDecisions: z.number().int(),
  sha256: z.string(),
  items: z.array(z.object({ code: z.string(), id: z.string(), status: z.string(), accountNumber: z.string().nullable() })).describe(`the facilities registered (the first ${ITEMS_SHOWN_MAX})`),
}).describe('what was registered (with dryRun: what would have been)');

function reportsJson(r: ReportsImportResult): z.infer<typeof reportsResult> {
  return { ...r, items: r.items.slice(0, ITEMS_SHOWN_MAX).map((i) => ({ ...i, emissionsKg: i.emissionsKg.toString() })) };
}

/** A file in a response: sent as bytes by the bytesOnly serializer (only errors are serialized, as JSON). */
const BYTES = z.string().meta({ format: 'binary' });
const bytesOnly = (): ((data: unknown) => string) => (data) => JSON.stringify(data);

function fileOf(request: FastifyRequest): UploadedFile {
  const body: unknown = request.body;
  if (body instanceof UploadedFile) return body;
  throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send the file itself as the request body, with Content-Type text/csv (UTF-8) or ${XLSX_CONTENT_TYPE}`, 'body');
}

function attachment(reply: FastifyReply, fileName: string, contentType: string, bytes: Buffer): FastifyReply {
  return reply.type(contentType).header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'no-store').send(bytes);
}

export const dataImportRoutes: FastifyPluginCallbackZod<DataImportRoutesOptions> = (app, options, done) => {
  const data = new DataImport(options.db, { clock: options.clock, access: options.access });

  // Files arrive as bytes (in this plugin only); Fastify refuses a body over the route's bodyLimit before reading it.
  // JSON and plain text are not files: without their parsers such a body is 415 before it is read.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser([...UPLOAD_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: FILE_BYTES_MAX }, (request, body, parsed) => {
    parsed(null, new UploadedFile(body as Buffer, request.headers['content-type'] ?? ''));
  });

  /** preParsing, before the body is read: a caller without standing for any of `actions` gets 403 and sends nothing more. */
  const guard = (actions: readonly Action[]) => async (request: FastifyRequest, _reply: FastifyReply, payload: RequestPayload) => {
    const params = (request.params ?? {}) as { code?: unknown; facility?: unknown };
    await data.service.gate(appActorOf(request), actions, typeof params.code === 'string' ? params.code : '', { facility: params.facility });
    return payload;
  };

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ImportRefusedError) {
      const r = error.refusal;
      return reply.code(422).type('application/json; charset=utf-8').send({ error: { code: r.code, message: r.message, field: r.field ?? 'file' }, problems: [...error.problems] });
    }
    if ((error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send the file itself as the request body, with Content-Type text/csv (UTF-8) or ${XLSX_CONTENT_TYPE}`, 'content-type'), request, reply);
    }
    if ((error as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(new HttpError(413, 'BODY_TOO_LARGE', `the file is larger than ${mib} MB, the limit for uploads; split it into several files`, 'body'), request, reply);
    }
    // A refusal UNKNOWN_* about something the body names (not the path's facility) is the content refused: 422.
    if (error instanceof RefusedError && error.refusal.code.startsWith('UNKNOWN_') && !['code', 'facility', 'jurisdiction'].includes(error.refusal.field ?? '')) {
      const r = error.refusal;
      return sendError(new HttpError(422, r.code, r.message, r.field), request, reply);
    }
    return sendError(error, request, reply);
  });

  app.get(
    '/jurisdictions/:code/facilities/:facility/report-template',
    {
      config: signedIn('reports:read'),
      preParsing: guard(['report.submit']),
      serializerCompiler: bytesOnly,
      schema: {
        summary: "The report template of a facility and fiscal year (Excel), with the program's sources and units",
        description:
          'An .xlsx workbook: sheet Lines (header block with the jurisdiction, facility code and fiscal year; a table of lines with drop-down lists), Instructions in English and Japanese with the factors of that fiscal year, and a hidden Lists sheet. An open draft of that year fills the table. The facility\'s operator downloads it.',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: facilityParams,
        querystring: z.object({ fiscalYear: z.coerce.number().int('must be a whole year').min(1990, 'must be 1990 to 2200').max(2200, 'must be 1990 to 2200') }),
        produces: [XLSX_CONTENT_TYPE],
        response: { 200: { description: 'the workbook (Content-Disposition: attachment)', content: { [XLSX_CONTENT_TYPE]: { schema: BYTES } } }, ...errors },
      },
    },
    async (request, reply) => {
      const t = await data.template(appActorOf(request), request.params.code, request.params.facility, request.query.fiscalYear);
      return attachment(reply, t.fileName, XLSX_CONTENT_TYPE, t.bytes);
    },
  );

  app.post(
    '/jurisdictions/:code/facilities/:facility/report-uploads',
    {
      config: { ...signedIn('reports:write'), idempotent: true },
      bodyLimit: FILE_BYTES_MAX,
      preParsing: guard(['report.submit']),
      schema: {
        summary: "Uploads a filled report template (or a reports CSV of one fiscal year): it becomes the facility's draft report",
        description:
          "A new draft for the year, or the open draft's lines replaced, or a correction (a new draft version) of a returned or accepted report — through the same use-cases as the report API. The whole file is checked first: a refused file is 422 IMPORT_INVALID listing every problem, and nothing is written.",
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: facilityParams,
        querystring: z.object({ dryRun }),
        consumes: CONSUMES,
        body: fileBody,
        response: { 200: reportsResult, ...errors },
      },
    },
    async (request) => {
      const file = fileOf(request);
      const r = await data.uploadReport(appActorOf(request), request.params.code, request.params.facility, file.bytes, { dryRun: request.query.dryRun === 'true' });
      return reportsJson(r);
    },
  );

  app.post(
    '/jurisdictions/:code/imports/reports',
    {
      config: { ...signedIn('reports:write'), idempotent: true },
      bodyLimit: FILE_BYTES_MAX,
      preParsing: guard(['program.configure', 'report.submit']),
      schema: {
        summary: 'Imports reports of many facilities and years from a CSV or .xlsx file: as accepted history, or as drafts',
        description:
          '`mode=accepted` (default; the authority administrator): verified history migrated from a former system, stored as accepted first versions with the program\'s conversion, one audit event per report; a facility-year that already has a report is refused. `mode=draft`: each report goes through the operator\'s use-cases (report.submit on each facility). All or nothing: a refused file is 422 IMPORT_INVALID listing every problem.',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: z.object({ mode: z.enum(['accepted', 'draft']).default('accepted'), dryRun }),
        consumes: CONSUMES,
        body: fileBody,
        response: { 200: reportsResult, ...errors },
      },
    },
    async (request) => {
      const file = fileOf(request);
      const r = await data.importReports(appActorOf(request), request.params.code, file.bytes, request.query.mode, { dryRun: request.query.dryRun === 'true' });
      return reportsJson(r);
    },
  );

  app.post(
    '/jurisdictions/:code/imports/facilities',
    {
      config: { ...signedIn('reports:write'), idempotent: true },
      bodyLimit: FILE_BYTES_MAX,
      preParsing: guard(['facility.register']),
      schema: {
        summary: 'Registers facilities from a CSV or .xlsx file (each with its compliance account), with declared energy use and status decisions',
        description: 'Each row goes through the facilities use-case (facility.register), a status through the designation use-case (facility.designate). All or nothing: a refused file is 422 IMPORT_INVALID listing every problem.',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: codeParams,
        querystring: z.object({ dryRun }),
        consumes: CONSUMES,
        body: fileBody,
        response: { 200: facilitiesResult, ...errors },
      },
    },
    async (request) => {
      const file = fileOf(request);
      const r = await data.importFacilities(appActorOf(request), request.params.code, file.bytes, { dryRun: request.query.dryRun === 'true' });
      return { ...r, items: r.items.slice(0, ITEMS_SHOWN_MAX).map((i) => ({ ...i })) };
    },
  );

  app.get(
    '/jurisdictions/:code/facilities/:facility/reports/export',
    {
      config: signedIn('reports:read'),
      preParsing: guard(['report.read']),
      serializerCompiler: bytesOnly,
      schema: {
        summary: "A facility's reports in force as a reports file (CSV or .xlsx) that the import reads back",
        description: 'Per fiscal year the highest accepted version, else the latest version; one row per line. t_co2_per_unit is empty (supplier factors are not stored).',
        tags: TAGS,
        security: SIGNED_IN_SECURITY,
        params: facilityParams,
        querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }),
        produces: ['text/csv', XLSX_CONTENT_TYPE],
        response: { 200: { description: 'the file (Content-Disposition: attachment)', content: { 'text/csv': { schema: BYTES }, [XLSX_CONTENT_TYPE]: { schema: BYTES } } }, ...errors },
      },
    },
    async (request, reply) => {
      const e = await data.exportReports(appActorOf(request), request.params.code, { facility: request.params.facility, format: request.query.format });
      return attachment(reply, e.fileName, e.contentType === CSV_CONTENT_TYPE ? CSV_CONTENT_TYPE : XLSX_CONTENT_TYPE, e.bytes);
    },
  );

  done();
};
