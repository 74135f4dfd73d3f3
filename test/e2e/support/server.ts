// A real citycap server for browser tests: buildServer over a fresh, migrated database (SQLite in a temporary file or
// a scratch PostgreSQL database), listening on 127.0.0.1 at a random port and serving the built web app (web/dist,
// rebuilt first when its sources are newer). The server's clock is real time plus an offset that a test moves
// (session expiry, TOTP steps). close() stops the server and drops the database.
//
//   const server = await startServer('sqlite');          // or 'postgres'
//   await seedCity(server);                              // seed.ts: TOKYO, facilities, users with TOTP
//   const page = await openAppPage(browser, server, { locale: 'ja', path: '/facilities' });
//   server.clock.advance(31 * 60_000);                   // the idle session has expired
//   await server.close();
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HttpAuth } from '../../../src/http/auth-adapter.js';
import { buildServer, type ServerOptions } from '../../../src/http/server.js';
import { WEB_DIST } from '../../../src/http/routes/web-app.js';
import type { AuthSettings } from '../../../src/domain/auth/settings.js';
import type { Database, Engine } from '../../../src/store/db.js';
import { testEngines, type TestDatabase } from '../../support/engines.js';

const ROOT = join(import.meta.dirname, '../../..');
const WEB = join(ROOT, 'web');
const BUILD_LOCK = join(WEB, '.e2e-build.lock');
const BUILD_LOCK_STALE_MS = 5 * 60_000;
const BUILD_WAIT_MS_MAX = 6 * 60_000;

/** The server's time: real time plus an offset the test moves forward (never backward: sessions and TOTP steps). */
export interface ServerClock {
  readonly now: () => Date;
  /** Moves the server's time forward by `ms` and returns the new time. */
  advance(ms: number): Date;
}

export interface E2EServer {
  readonly engine: Engine;
  /** `http://127.0.0.1:PORT` — open `${url}/#/path` in the browser. */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly db: Database;
  /** The server's sign-in: the seed creates users and enrols TOTP through `auth.auth` (the use-cases). */
  readonly auth: HttpAuth;
  readonly clock: ServerClock;
  /** Stops the server, closes and drops the database. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Overrides of the sign-in settings (e.g. a short `sessionIdleMs`). */
  readonly authSettings?: Partial<AuthSettings>;
  /** Further buildServer options (the harness sets db, auth, clock, limits, webDist). */
  readonly server?: Omit<ServerOptions, 'auth' | 'clock' | 'authSettings' | 'webDist'>;
}

function serverClock(): ServerClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms) => {
      if (!(ms >= 0)) throw new Error('the server clock only moves forward');
      offsetMs += ms;
      return new Date(Date.now() + offsetMs);
    },
  };
}

/** Newest modification time under `path` (a file or a directory tree). */
function newestMs(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = s.mtimeMs;
  for (const name of readdirSync(path)) t = Math.max(t, newestMs(join(path, name)));
  return t;
}

function webBuildStale(): boolean {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index)) return true;
  const sources = Math.max(newestMs(join(WEB, 'src')), newestMs(join(WEB, 'index.html')), newestMs(join(WEB, 'vite.config.ts')));
  return statSync(index).mtimeMs < sources;
}

/**
 * Builds web/dist when it is missing or older than web/src. Test files run in parallel processes: a lock directory
 * makes one of them build while the others wait, so that no server reads a half-written dist.
 */
export function ensureWebBuilt(): void {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > BUILD_LOCK_STALE_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() - started > BUILD_WAIT_MS_MAX) throw new Error(`waited too long for ${BUILD_LOCK}; remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    // NODE_ENV=test (scripts/test.mjs) would make Vite bundle React's development build.
    const env = { ...process.env, NODE_ENV: 'production' };
    if (webBuildStale()) execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', WEB, '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit', env });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** Starts a real server on a fresh database of `engine`, serving the built web app. */
export async function startServer(engine: Engine = 'sqlite', options: StartServerOptions = {}): Promise<E2EServer> {
  ensureWebBuilt();
  const factory = testEngines().find((e) => e.name === engine);
  if (factory === undefined) throw new Error(`no test engine ${engine}`);
  const t: TestDatabase = await factory.create();
  const clock = serverClock();
  const auth = new HttpAuth(t.db, { clock: clock.now, ...(options.authSettings === undefined ? {} : { settings: options.authSettings }) });
  const app = await buildServer(t.db, {
    requestsPerMinute: 1_000_000,
    verificationsPerMinute: 1_000_000,
    publicCacheMs: 0,
    ...options.server,
    auth,
    clock: clock.now,
    webDist: WEB_DIST,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the server did not listen on a TCP port');
  const url = `http://127.0.0.1:${String(address.port)}`;
  let closed = false;
  return {
    engine,
    url,
    app,
    db: t.db,
    auth,
    clock,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      await t.drop();
    },
  };
}

/** The engines e2e suites run on: SQLite always; PostgreSQL too unless CITYCAP_E2E_ENGINES says otherwise (e.g. `sqlite`). */
export function e2eEngines(): Engine[] {
  const wanted = (process.env.CITYCAP_E2E_ENGINES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  return (['sqlite', 'postgres'] as const).filter((e) => wanted.includes(e));
}
