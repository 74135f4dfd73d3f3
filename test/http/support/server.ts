// The real server for API tests, with limits raised so that suites of thousands of requests are not rate-limited
// and the public read cache off (publicCacheMs 0) so that every read sees fresh data
// (the limits themselves have their own tests). Sign-in is on (HttpAuth over the same database); pass `clock` to
// move time (testClock), and read the server's database, clock and auth back with serverOf(app) (signInAs does).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { HttpAuth } from '../../../src/http/auth-adapter.js';
import { buildServer, type ServerOptions } from '../../../src/http/server.js';
import type { Database } from '../../../src/store/db.js';

export interface TestServerInfo {
  readonly db: Database;
  /** The server's sign-in (undefined when the test replaced the authenticator). */
  readonly auth: HttpAuth | undefined;
  readonly clock: () => Date;
}

const servers = new WeakMap<FastifyInstance, TestServerInfo>();

export async function testServer(db: Database, options: ServerOptions = {}): Promise<FastifyInstance> {
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
  const app = await buildServer(db, { requestsPerMinute: 1_000_000, verificationsPerMinute: 1_000_000, publicCacheMs: 0, ...options, ...(auth !== undefined ? { auth } : {}) });
  servers.set(app, { db, auth, clock: auth?.clock ?? clock });
  return app;
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
