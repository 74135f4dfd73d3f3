// Security headers (helmet, strict CSP), CORS (closed unless origins are configured) and per-client rate limits.
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';

export interface SecurityOptions {
  /** Origins allowed to call the API from a browser (exact, e.g. https://registry.example.city); none by default. */
  readonly corsOrigins: readonly string[];
  /** Requests per client address per minute, all routes together. */
  readonly requestsPerMinute: number;
}

/** The API serves JSON only; the few HTML pages (status, API docs) set their own narrower policy. */
export const API_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'"],
  scriptSrc: ["'none'"],
  styleSrc: ["'none'"],
};

/** `CITYCAP_CORS_ORIGINS`: comma-separated origins. Each must be a bare http(s) origin; anything else is a start-up error. */
export function corsOriginsFromEnv(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((s) => {
    const origin = s.trim();
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`CITYCAP_CORS_ORIGINS: "${origin}" is not an origin such as https://registry.example.city`);
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      throw new Error(`CITYCAP_CORS_ORIGINS: "${origin}" is not an origin such as https://registry.example.city (scheme, host, optional port; no path)`);
    }
    return origin;
  });
}

export async function installSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });
  // Closed unless configured: without the plugin no response carries Access-Control-Allow-Origin, so browsers keep
  // other origins out (and the per-request cost of the CORS hooks is not paid).
  if (options.corsOrigins.length > 0) {
    const allowed = new Set(options.corsOrigins);
    await app.register(cors, {
      origin: (origin, cb) => {
        cb(null, origin !== undefined && allowed.has(origin));
      },
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization', 'idempotency-key', 'x-csrf-token', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    });
  }
  await app.register(rateLimit, {
    global: true,
    max: options.requestsPerMinute,
    timeWindow: 60_000,
    // The error handler turns this into the JSON error shape.
    errorResponseBuilder: (_request, context) => new HttpError(context.statusCode, 'RATE_LIMITED', `Too many requests; try again in ${context.after}.`),
  });
}
