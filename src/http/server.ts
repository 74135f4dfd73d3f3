// The HTTP server: a thin adapter over the app use-cases. Infrastructure (errors, security headers, CORS, rate
// limits, request ids, OpenAPI, the authentication seam) is installed here; each bounded context registers its
// routes as one plugin under /api/v1.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registryServicesFor } from '../app/registry-queries.js';
import type { AuthSettings } from '../domain/auth/settings.js';
import type { Database } from '../store/db.js';
import { HttpAuth } from './auth-adapter.js';
import { errorBodyOf, sendError, sendErrorBody } from './errors.js';
import { installAuthenticate, type Authenticator } from './plugins/authenticate.js';
import { installIdempotency } from './plugins/idempotency.js';
import { installOpenApi } from './plugins/openapi.js';
import { installSecurity } from './plugins/security.js';
import { authRoutes } from './routes/auth.js';
import { publicRoutes } from './routes/public.js';
import { reportingRoutes } from './routes/reporting.js';
import { dataImportRoutes } from './routes/data-import.js';
import { adminRoutes } from './routes/admin.js';
import { registryRoutes } from './routes/registry.js';
import { workspaceRoutes } from './routes/workspace.js';
import { openDataRoutes } from './routes/open-data.js';
import { statusPage } from './routes/status-page.js';
import { webApp, webAppBuilt, WEB_DIST } from './routes/web-app.js';

export const API_PREFIX = '/api/v1';
export const BODY_LIMIT_BYTES_DEFAULT = 1_048_576;
export const REQUESTS_PER_MINUTE_DEFAULT = 600;
export const VERIFICATIONS_PER_MINUTE_DEFAULT = 30;
/** How long a public disclosure GET is served again from memory (ms); CITYCAP_PUBLIC_CACHE_MS for `citycap serve`. */
export const PUBLIC_CACHE_MS_DEFAULT = 1000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const API_VERSION = '0.1.0';

export interface ServerOptions {
  /** Fastify's logger: false (default, tests) or pino options. Unexpected errors are logged at level error. */
  readonly logger?: FastifyServerOptions['logger'];
  /** Browser origins allowed by CORS; none (closed) by default. */
  readonly corsOrigins?: readonly string[];
  readonly bodyLimitBytes?: number;
  /** Requests per client address per minute over all routes (default 600). */
  readonly requestsPerMinute?: number;
  /** Journal verifications per client address per minute (default 30): each replays the whole journal. */
  readonly verificationsPerMinute?: number;
  /**
   * Public disclosure GETs (not /health, never signed-in routes) are served again from memory for this long, with
   * Cache-Control: public (default PUBLIC_CACHE_MS_DEFAULT, 1 s); 0 turns the cache off (the test server does).
   */
  readonly publicCacheMs?: number;
  /**
   * Sign-in: sessions, API tokens and the /api/v1/session and /api/v1/tokens routes. Default: an HttpAuth over `db`
   * with `clock`, `authSettings` and `secureCookies`.
   */
  readonly auth?: HttpAuth;
  /** Replaces the authenticator (and drops the sign-in routes): tests of the seam itself. */
  readonly authenticator?: Authenticator;
  /** The time of sign-in decisions (sessions, tokens, lockout) and audit events; tests pass a clock they move. */
  readonly clock?: () => Date;
  /** Overrides of DEFAULT_AUTH_SETTINGS for the default HttpAuth. */
  readonly authSettings?: Partial<AuthSettings>;
  /** Mark the session cookie Secure (behind HTTPS). Default false. */
  readonly secureCookies?: boolean;
  /** Behind a reverse proxy: trust its X-Forwarded-For for the client address (rate limits, audit). */
  readonly trustProxy?: boolean;
  /**
   * The built web app served at `/` (default web/dist when it has been built); null serves none, and `/` is then
   * the status page (always at /status).
   */
  readonly webDist?: string | null;
}

export async function buildServer(db: Database, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? BODY_LIMIT_BYTES_DEFAULT,
    trustProxy: options.trustProxy ?? false,
    // A client's X-Request-Id is kept when it is a plain token (it goes into logs); otherwise a new UUID.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    // Errors the router raises before any route runs (e.g. a malformed percent-encoding in the path).
    frameworkErrors: (error, _request, reply) => {
      void sendErrorBody(reply, 400, errorBodyOf('BAD_URL', error.message));
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    void sendErrorBody(reply, 404, errorBodyOf('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`));
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  const auth = options.authenticator !== undefined ? undefined : (options.auth ?? defaultAuth(db, options));
  await installSecurity(app, { corsOrigins: options.corsOrigins ?? [], requestsPerMinute: options.requestsPerMinute ?? REQUESTS_PER_MINUTE_DEFAULT });
  installAuthenticate(app, { authenticator: options.authenticator ?? auth });
  // Before the routes: it adds the Idempotency-Key header and its hooks to routes with config.idempotent.
  installIdempotency(app, { db, clock: options.clock ?? ((): Date => new Date()) });
  await installOpenApi(app, API_VERSION);

  const verificationPerMinute = options.verificationsPerMinute ?? VERIFICATIONS_PER_MINUTE_DEFAULT;
  await app.register(publicRoutes, { prefix: API_PREFIX, db, verificationPerMinute, cacheMs: options.publicCacheMs ?? PUBLIC_CACHE_MS_DEFAULT });
  if (auth !== undefined) await app.register(authRoutes, { prefix: API_PREFIX, auth });
  await app.register(reportingRoutes, { prefix: API_PREFIX, db, clock: options.clock, access: auth?.access });
  await app.register(dataImportRoutes, { prefix: API_PREFIX, db, clock: options.clock, access: auth?.access });
  await app.register(registryRoutes, { prefix: API_PREFIX, services: registryServicesFor(db, options, auth) });
  await app.register(adminRoutes, { prefix: API_PREFIX, services: registryServicesFor(db, options, auth) });
  await app.register(workspaceRoutes, { prefix: API_PREFIX, services: registryServicesFor(db, options, auth) });
  await app.register(openDataRoutes, { prefix: API_PREFIX, db, clock: options.clock, access: auth?.access, cacheMs: options.publicCacheMs ?? PUBLIC_CACHE_MS_DEFAULT });
  const webDist = options.webDist === undefined ? (webAppBuilt() ? WEB_DIST : null) : options.webDist;
  await app.register(statusPage, { db, verificationPerMinute, paths: webDist === null ? ['/status', '/'] : ['/status'] });
  if (webDist !== null) await app.register(webApp, { dist: webDist });
  await app.ready();
  return app;
}

function defaultAuth(db: Database, options: ServerOptions): HttpAuth {
  return new HttpAuth(db, {
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
    ...(options.authSettings !== undefined ? { settings: options.authSettings } : {}),
    ...(options.secureCookies !== undefined ? { secureCookies: options.secureCookies } : {}),
  });
}
