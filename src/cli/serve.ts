// `citycap serve`: starts the HTTP server (HOST, PORT; default 127.0.0.1:8080). CITYCAP_CORS_ORIGINS: browser origins
// allowed by CORS (comma-separated; none by default); CITYCAP_LOG_LEVEL (default warn); CITYCAP_TRUST_PROXY=1 behind a proxy;
// CITYCAP_SECURE_COOKIES=1 marks the session cookie Secure (set it whenever clients reach the server over HTTPS);
// CITYCAP_TOTP_KEY seals TOTP secrets at rest (docs/security.md); CITYCAP_PUBLIC_CACHE_MS: how long public disclosure
// reads are served again from memory (default 1000; 0 turns the cache off). Every CITYCAP_COMPLETE_DUE_MS (default
// 60000; 0 turns it off) the server completes held transfers whose delay has passed (RegistryPolicy.completeDue).
// With --demo (what `npm start` runs): the demo city on an empty database, and its users' sign-in details printed;
// CITYCAP_DEMO=0 refuses both, CITYCAP_DEMO_SEED chooses the seed (docs/demo.md). Without --demo, nothing of it.
import { Command } from 'commander';
import { createDemoCity } from '../app/demo-city.js';
import { demoCredentialsIn, demoRefused, demoSeedFromEnv, isEmptyDatabase, type DemoCredentials } from '../app/demo-city/reset.js';
import { COMPLETE_DUE_MAX, type RegistryPolicy } from '../app/policy.js';
import { registryServicesFor } from '../app/registry-queries.js';
import { corsOriginsFromEnv } from '../http/plugins/security.js';
import { buildServer, PUBLIC_CACHE_MS_DEFAULT, type ServerOptions } from '../http/server.js';
import { openDatabase, type Database } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { dbUrl } from './context.js';
import { credentialsTable, summaryLine } from './demo.js';
import { UsageError } from './output.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the HTTP server')
    .option('--db <url>', 'database URL')
    .option('--demo', 'on an empty database, create the demo city first, and print the demo users\' sign-in details (CITYCAP_DEMO=0 refuses)')
    .action(async (o: { db?: string; demo?: boolean }) => {
      const port = Number(process.env.PORT ?? 8080);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`PORT must be a port number (got "${process.env.PORT}")`);
      const host = process.env.HOST ?? '127.0.0.1';
      const db = openDatabase(dbUrl(o.db));
      await migrateToLatest(db);
      const demoCredentials = o.demo === true ? await prepareDemo(db) : [];
      const publicCacheMs = msFromEnv('CITYCAP_PUBLIC_CACHE_MS', PUBLIC_CACHE_MS_DEFAULT);
      const completeDueMs = msFromEnv('CITYCAP_COMPLETE_DUE_MS', COMPLETE_DUE_EVERY_MS);
      const options: ServerOptions = {
        logger: { level: process.env.CITYCAP_LOG_LEVEL ?? 'warn' },
        corsOrigins: corsOriginsFromEnv(process.env.CITYCAP_CORS_ORIGINS),
        trustProxy: process.env.CITYCAP_TRUST_PROXY === '1',
        secureCookies: process.env.CITYCAP_SECURE_COOKIES === '1',
        publicCacheMs,
      };
      const app = await buildServer(db, options);
      // The services the routes use (made once per server options object): the job shares their Registry (its
      // group commit and cache), AccessControl and clock rather than opening a second writer on the ledger.
      const { policy, access } = registryServicesFor(db, options);
      const job = completeDueJob(policy, access.now.bind(access), completeDueMs, (message, error) => {
        app.log.error({ err: error }, message);
      });
      const address = await app.listen({ host, port });
      console.log(`citycap is running at ${address} (database ${db.label})`);
      if (demoCredentials.length > 0) console.log(credentialsTable(demoCredentials));
      // At once too: transfers that fell due while the server was down complete now.
      if (completeDueMs > 0) void job.runOnce();
      const stop = (): void => {
        void job
          .stop()
          .then(() => app.close())
          .then(() => db.close())
          .then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/**
 * `serve --demo`: on an empty database, creates the demo city (docs/demo.md); returns the demo users' sign-in details
 * when the database holds the demo. Nothing at all when CITYCAP_DEMO=0.
 */
async function prepareDemo(db: Database): Promise<DemoCredentials[]> {
  if (demoRefused()) {
    console.log('citycap: CITYCAP_DEMO=0 — no demo data is created or shown');
    return [];
  }
  const seed = demoSeedFromEnv();
  if (await isEmptyDatabase(db)) {
    console.log('citycap: empty database — creating the demo city (about 1,200 facilities; 10–30 s)…');
    const summary = await createDemoCity(db, { seed, onProgress: (stage) => { console.log(`citycap: demo: ${stage}…`); } });
    console.log(`citycap: ${summaryLine(summary)}`);
  }
  return demoCredentialsIn(db, seed);
}

/** How often `serve` completes due held transfers by default (ms). */
export const COMPLETE_DUE_EVERY_MS = 60_000;
/** Most batches of COMPLETE_DUE_MAX holds one run of the job takes on; the rest waits for the next run. */
export const COMPLETE_DUE_BATCHES_PER_RUN = 8;

function msFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`${name} must be a whole number of milliseconds, 0 or more (got "${raw}")`);
  return n;
}

export interface CompleteDueJob {
  /** Runs once now (tests, or an operator's nudge); resolves when that run ends. Never rejects. */
  runOnce(): Promise<void>;
  /** No further runs; resolves when a run in progress has ended. */
  stop(): Promise<void>;
}

/**
 * Every `everyMs` (0: never), completes held transfers whose delay has passed: at most COMPLETE_DUE_BATCHES_PER_RUN
 * batches of COMPLETE_DUE_MAX per run, one run at a time. Errors are logged and the next run tries again.
 */
export function completeDueJob(policy: RegistryPolicy, now: () => Date, everyMs: number, log: (message: string, error: unknown) => void): CompleteDueJob {
  let running: Promise<void> | null = null;
  let stopped = false;
  const run = async (): Promise<void> => {
    try {
      for (let i = 0; i < COMPLETE_DUE_BATCHES_PER_RUN && !stopped; i++) {
        const r = await policy.completeDue(now(), COMPLETE_DUE_MAX);
        if (r.completed.length + r.rejected.length + r.closed.length < COMPLETE_DUE_MAX) break;
      }
    } catch (error) {
      log('complete-due job failed; it runs again later', error);
    }
  };
  const runOnce = (): Promise<void> => {
    running ??= run().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = everyMs > 0 ? setInterval(() => void runOnce(), everyMs) : null;
  timer?.unref();
  return {
    runOnce,
    stop: async () => {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      await running;
    },
  };
}
