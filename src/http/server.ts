// The HTTP server. For now it serves the ledger's public status (verification and totals); the full
// registry API with sign-in arrives with the "Registry service" issue.
import Fastify, { type FastifyInstance } from 'fastify';
import { ledgerStats, verifyLedger } from '../app/ledger-audit.js';
import type { Database } from '../store/db.js';

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
}

export function buildServer(db: Database): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  app.get('/api/v1/health', () => ({ status: 'ok', engine: db.engine }));
  app.get('/api/v1/ledger/verification', async () => jsonSafe(await verifyLedger(db)));
  app.get('/api/v1/ledger/stats', async () => jsonSafe(await ledgerStats(db)));
  app.get('/', async (_req, reply) => {
    const report = await verifyLedger(db);
    const rows = report.jurisdictions
      .map((j) => `<tr><td>${escapeHtml(j.code)}</td><td>${j.entries}</td><td>${j.problems.length === 0 ? 'verified' : 'FAILED'}</td><td><code>${j.head.slice(0, 16)}…</code></td></tr>`)
      .join('');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>citycap</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}td,th{padding:.3rem .8rem;text-align:left}</style></head>
<body><h1>citycap</h1><p>Registry ledger status (${db.engine}).</p>
<table><thead><tr><th>Jurisdiction</th><th>Journal entries</th><th>Verification</th><th>Chain head</th></tr></thead><tbody>${rows}</tbody></table>
<p>JSON: <a href="/api/v1/ledger/verification">verification</a> · <a href="/api/v1/ledger/stats">totals</a></p></body></html>`);
  });
  return app;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
