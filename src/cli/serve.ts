// `citycap serve`: starts the HTTP server (HOST, PORT; default 127.0.0.1:8080). CITYCAP_CORS_ORIGINS: browser origins
// allowed by CORS (comma-separated; none by default); CITYCAP_LOG_LEVEL (default warn); CITYCAP_TRUST_PROXY=1 behind a proxy;
// CITYCAP_SECURE_COOKIES=1 marks the session cookie Secure (set it whenever clients reach the server over HTTPS);
// CITYCAP_TOTP_KEY seals TOTP secrets at rest (docs/security.md).
import { Command } from 'commander';
import { runLedgerDemo } from '../app/demo-ledger.js';
import { Registry } from '../app/registry.js';
import { corsOriginsFromEnv } from '../http/plugins/security.js';
import { buildServer } from '../http/server.js';
import { openDatabase } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import { dbUrl } from './context.js';
import { UsageError } from './output.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the HTTP server')
    .option('--db <url>', 'database URL')
    .option('--demo', 'on an empty database, create the demo jurisdiction first')
    .action(async (o: { db?: string; demo?: boolean }) => {
      const port = Number(process.env.PORT ?? 8080);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`PORT must be a port number (got "${process.env.PORT}")`);
      const host = process.env.HOST ?? '127.0.0.1';
      const db = openDatabase(dbUrl(o.db));
      await migrateToLatest(db);
      if (o.demo === true) {
        const any = await db.kysely.selectFrom('jurisdictions').select('id').limit(1).executeTakeFirst();
        if (any === undefined) {
          console.log('citycap: empty database — creating the demo jurisdiction (DEMO)…');
          const s = await runLedgerDemo(new Registry(db), { accounts: 50, transfers: 2000, seed: 1 });
          console.log(`citycap: demo ledger ready: ${s.completed} transactions completed, ${Object.values(s.refused).reduce((a, b) => a + b, 0)} refused on purpose`);
        }
      }
      const app = await buildServer(db, {
        logger: { level: process.env.CITYCAP_LOG_LEVEL ?? 'warn' },
        corsOrigins: corsOriginsFromEnv(process.env.CITYCAP_CORS_ORIGINS),
        trustProxy: process.env.CITYCAP_TRUST_PROXY === '1',
        secureCookies: process.env.CITYCAP_SECURE_COOKIES === '1',
      });
      const address = await app.listen({ host, port });
      console.log(`citycap is running at ${address} (database ${db.label})`);
      const stop = (): void => {
        void app
          .close()
          .then(() => db.close())
          .then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
