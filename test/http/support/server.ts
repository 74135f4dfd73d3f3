// The real server for API tests, with limits raised so that suites of thousands of requests are not rate-limited
// (the limits themselves have their own tests).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer, type ServerOptions } from '../../../src/http/server.js';
import type { Database } from '../../../src/store/db.js';

export async function testServer(db: Database, options: ServerOptions = {}): Promise<FastifyInstance> {
  return buildServer(db, { requestsPerMinute: 1_000_000, verificationsPerMinute: 1_000_000, ...options });
}

export interface ErrorJson {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

/** The body as the error shape, or a failed assertion naming what came instead. */
export function errorOf(res: LightMyRequestResponse): ErrorJson['error'] {
  const ct = String(res.headers['content-type'] ?? '');
  if (!ct.startsWith('application/json')) throw new Error(`expected a JSON error, got ${res.statusCode} ${ct}: ${res.body.slice(0, 200)}`);
  const body = JSON.parse(res.body) as unknown;
  if (!isErrorJson(body)) throw new Error(`expected { error: { code, message, field? } }, got ${res.body.slice(0, 300)}`);
  return body.error;
}

export function isErrorJson(body: unknown): body is ErrorJson {
  if (typeof body !== 'object' || body === null || Object.keys(body).length !== 1) return false;
  const e = (body as { error?: unknown }).error;
  if (typeof e !== 'object' || e === null) return false;
  const { code, message, field, ...rest } = e as Record<string, unknown>;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) && typeof message === 'string' && message !== '' && (field === undefined || typeof field === 'string') && Object.keys(rest).length === 0;
}
