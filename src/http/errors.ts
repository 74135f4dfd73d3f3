// How failures become HTTP responses. Every error is JSON `{ "error": { code, message, field? } }`: request
// validation 400 naming the field, refusals 422/404/409 by code, framework errors by their status, and anything
// unexpected a logged 500 — a bug to fix, never an expected outcome.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { RefusedError, type Refusal } from '../domain/errors.js';
import type { ErrorBody } from './schemas.js';

/** An error the HTTP layer raises itself (not a business rule): carries its status. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Refusal codes with a status other than 422. Sign-in and authorization code their refusals with these too. */
const REFUSAL_STATUS: Readonly<Record<string, number>> = {
  NO_PROGRAM: 404,
  IDEMPOTENCY_CONFLICT: 409,
  IMPORT_CONFLICT: 409,
  REQUEST_DECIDED: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_INVALID: 403,
  RATE_LIMITED: 429,
};

/** The status of a refusal: 404 for UNKNOWN_*, 409 for conflicts (…_TAKEN, …_EXISTS, ALREADY_…), else 422. */
export function statusOfRefusal(r: Refusal): number {
  const exact = REFUSAL_STATUS[r.code];
  if (exact !== undefined) return exact;
  if (r.code.startsWith('UNKNOWN_')) return 404;
  if (r.code.endsWith('_TAKEN') || r.code.endsWith('_EXISTS') || /(^|_)ALREADY_/.test(r.code)) return 409;
  return 422;
}

export function errorBodyOf(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

/** Fastify's own client errors, by Fastify code: our code for them. Unlisted 4xx keep their status as BAD_REQUEST etc. */
const FRAMEWORK_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'BAD_URL',
};

const STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  411: 'LENGTH_REQUIRED',
  413: 'BODY_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

const LOCATION: Readonly<Record<string, string>> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** The first validation issue as a field path: `limit`, `lines[0].kind`; the location when the issue is the whole part. */
function validationField(instancePath: string, context: string | undefined): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (parts.length === 0) return LOCATION[context ?? ''] ?? 'request';
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

interface Mapped {
  readonly status: number;
  readonly body: ErrorBody;
  readonly unexpected: boolean;
}

export function mapError(error: unknown, requestId: string): Mapped {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0]!;
    const context = (error as { validationContext?: string }).validationContext;
    const field = validationField(issue.instancePath, context);
    const where = LOCATION[context ?? ''] ?? 'request';
    return { status: 400, body: errorBodyOf('INVALID_REQUEST', `${where} ${field}: ${issue.message}`, field), unexpected: false };
  }
  if (error instanceof RefusedError) {
    const r = error.refusal;
    return { status: statusOfRefusal(r), body: errorBodyOf(r.code, r.message, r.field), unexpected: false };
  }
  if (error instanceof HttpError) {
    return { status: error.statusCode, body: errorBodyOf(error.code, error.message, error.field), unexpected: false };
  }
  const e = error as Partial<FastifyError> | null;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = (typeof e?.code === 'string' ? FRAMEWORK_CODES[e.code] : undefined) ?? STATUS_CODES[status] ?? 'BAD_REQUEST';
    const message = status === 429 ? 'Too many requests; try again later.' : typeof e?.message === 'string' && e.message !== '' ? e.message : code;
    return { status, body: errorBodyOf(code, message), unexpected: false };
  }
  return {
    status: 500,
    body: errorBodyOf('INTERNAL_ERROR', `An unexpected error occurred; it has been logged with request id ${requestId}. This is a bug in citycap.`),
    unexpected: true,
  };
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = mapError(error, request.id);
  if (mapped.unexpected) request.log.error({ err: error, url: request.url, method: request.method }, 'unexpected error (500)');
  // A reply whose serializer failed may carry the old content type; errors are always JSON.
  return sendErrorBody(reply, mapped.status, mapped.body);
}

export function sendErrorBody(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
