// Security headers (strict CSP), CORS (closed unless origins are configured) and per-client rate limits.
import cors from '@fastify/cors';
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

/**
 * The headers @fastify/helmet would send with our settings, computed once. helmet builds them per request through
 * a chain of hooks, which cost half the throughput of a cached public read (docs/benchmarks.md); one hook setting
 * constant headers costs almost nothing. A route that sets its own (the HTML pages' CSP) keeps it.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['content-security-policy', Object.entries(API_CSP_DIRECTIVES).map(([k, v]) => `${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v.join(' ')}`).join('; ')],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];

export async function installSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  app.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of SECURITY_HEADERS) if (!reply.hasHeader(name)) reply.header(name, value);
    done(null, payload);
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
