// The real server for API tests, with limits raised so that suites of thousands of requests are not rate-limited
// and the public read cache off (publicCacheMs 0) so that every read sees fresh data
// (the limits themselves have their own tests). Sign-in is on (HttpAuth over the same database); pass `clock` to
// move time (testClock), and read the server's database, clock and auth back with serverOf(app) (signInAs does).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { HttpAuth } from '../../../src/http/auth-adapter.js';
import { idempotentRoutesOf } from '../../../src/http/plugins/idempotency.js';
import { buildServer, type ServerOptions } from '../../../src/http/server.js';
import type { Database } from '../../../src/store/db.js';

export interface TestServerInfo {
  readonly db: Database;
  /** The server's sign-in (undefined when the test replaced the authenticator). */
  readonly auth: HttpAuth | undefined;
  readonly clock: () => Date;
}

const servers = new WeakMap<FastifyInstance, TestServerInfo>();

export interface TestServerOptions {
  /**
   * Default true: a POST to a route with `config.idempotent: true` that has no Idempotency-Key gets a fresh one, so
   * that suites written before the generic idempotency layer (which post creating requests without a key) keep
   * testing what they test. Routes whose use-case always took the key ('use-case': transactions, surrenders) are
   * never filled. Tests of the header itself (test/http/idempotency.test.ts, the OpenAPI suite) pass false.
   */
  readonly fillIdempotencyKeys?: boolean;
}

export async function testServer(db: Database, options: ServerOptions = {}, testOptions: TestServerOptions = {}): Promise<FastifyInstance> {
  const clock = options.clock ?? ((): Date => new Date());
  const auth =
    options.authenticator !== undefined
      ? undefined
      : (options.auth ??
        new HttpAuth(db, {
          clock,
          ...(options.authSettings !== undefined ? { settings: options.authSettings } : {}),
          ...(options.secureCookies !== undefined ? { secureCookies: options.secureCookies } : {}),
        }));
  const app = await buildServer(db, { requestsPerMinute: 1_000_000, verificationsPerMinute: 1_000_000, publicCacheMs: 0, webDist: null, ...options, ...(auth !== undefined ? { auth } : {}) });
  servers.set(app, { db, auth, clock: auth?.clock ?? clock });
  if (testOptions.fillIdempotencyKeys ?? true) fillIdempotencyKeys(app);
  return app;
}

/** Wraps app.inject (options form) to add an Idempotency-Key to keyless POSTs of `idempotent: true` routes. */
function fillIdempotencyKeys(app: FastifyInstance): void {
  const patterns = [...idempotentRoutesOf(app)]
    .filter(([, mode]) => mode === true)
    .map(([route]) => new RegExp(`^${route.replace(/^POST /, '').replace(/:\w+/g, '[^/?#]+')}(?:[?#]|$)`));
  const inject = app.inject.bind(app) as (options: InjectOptions) => Promise<LightMyRequestResponse>;
  const filled = (options: InjectOptions): InjectOptions => {
    if (String(options.method ?? 'GET').toUpperCase() !== 'POST' || typeof options.url !== 'string') return options;
    const headers = (options.headers ?? {}) as Record<string, unknown>;
    if (Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) return options;
    const url = options.url;
    if (!patterns.some((p) => p.test(url))) return options;
    return { ...options, headers: { ...headers, 'idempotency-key': `test-${randomUUID()}` } };
  };
  (app as { inject: unknown }).inject = (options?: InjectOptions | string) => {
    if (options === undefined) return inject(undefined as unknown as InjectOptions); // the chain API: unchanged
    return inject(typeof options === 'string' ? options as unknown as InjectOptions : filled(options));
  };
}

/** What testServer built `app` with. */
export function serverOf(app: FastifyInstance): TestServerInfo {
  const info = servers.get(app);
  if (info === undefined) throw new Error('this app was not built by testServer (test/http/support/server.ts)');
  return info;
}

/** A clock a test moves: pass `now` as ServerOptions.clock. */
export interface TestClock {
  readonly now: () => Date;
  advance(ms: number): Date;
  set(at: Date): void;
}

export function testClock(start: Date = new Date('2026-04-01T00:00:00.000Z')): TestClock {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
      return new Date(t);
    },
    set: (at) => {
      t = at.getTime();
    },
  };
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
