// The HTML page at /status (and at `/` when the web app is not built): the ledger's verification status per jurisdiction, for people. Its one inline style is
// allowed by hash, so the page keeps the strict Content-Security-Policy.
import { createHash } from 'node:crypto';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyLedger } from '../../app/ledger-audit.js';
import type { Database } from '../../store/db.js';
import { errorResponses } from '../schemas.js';

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}td,th{padding:.3rem .8rem;text-align:left}';
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;
export const STATUS_PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH}; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const statusPage: FastifyPluginCallbackZod<{ db: Database; verificationPerMinute: number; paths: readonly string[] }> = (app, { db, verificationPerMinute, paths }, done) => {
  for (const path of paths) app.get(
    path,
    {
      config: { rateLimit: { max: verificationPerMinute, timeWindow: 60_000 } },
      schema: {
        summary: 'Status page (HTML): ledger verification per jurisdiction',
        tags: ['service'],
        security: [],
        response: { 200: { description: 'an HTML page', content: { 'text/html': { schema: z.string() } } }, 429: errorResponses[429], 500: errorResponses[500] },
      },
    },
    async (_request, reply) => {
      const report = await verifyLedger(db);
      const rows = report.jurisdictions
        .map((j) => `<tr><td>${escapeHtml(j.code)}</td><td>${j.entries}</td><td>${j.problems.length === 0 ? 'verified' : 'FAILED'}</td><td><code>${escapeHtml(j.head.slice(0, 16))}…</code></td></tr>`)
        .join('');
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', STATUS_PAGE_CSP)
        .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>citycap</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style></head>
<body><h1>citycap</h1><p>Registry ledger status.</p>
<table><thead><tr><th>Jurisdiction</th><th>Journal entries</th><th>Verification</th><th>Chain head</th></tr></thead><tbody>${rows}</tbody></table>
<p>JSON: <a href="/api/v1/ledger/verification">verification</a> · <a href="/api/v1/ledger/stats">totals</a> · API reference: <a href="/api/docs">/api/docs</a></p></body></html>`);
    },
  );
  done();
};
