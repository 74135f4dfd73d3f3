// The web app (web/, built to web/dist by `npm start` and `npm test`): index.html at `/` and its hashed assets
// under /assets/, read into memory once at start-up with their gzip forms. Without a build, `/` stays the status
// page (moved to /status when the app is there). The app's Content-Security-Policy allows only its own scripts,
// styles and API.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError } from '../errors.js';
import { errorResponses } from '../schemas.js';

export const WEB_DIST = join(import.meta.dirname, '../../../web/dist');
export const WEB_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Sent as bytes (a Buffer), never serialized; documented in OpenAPI as a binary string. */
const BYTES = z.any().meta({ type: 'string', format: 'binary' });

/** Files go out as bytes; only errors are serialized (as JSON). */
const bytesOnly = (): ((data: unknown) => string) => (data) => JSON.stringify(data);

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
}

function load(file: string): Asset {
  const body = readFileSync(file);
  return { type: TYPES[extname(file)] ?? 'application/octet-stream', body, gzip: gzipSync(body, { level: 9 }) };
}

/** Whether a built web app exists (the server then serves it at `/`). */
export function webAppBuilt(dist = WEB_DIST): boolean {
  return existsSync(join(dist, 'index.html'));
}

export const webApp: FastifyPluginCallbackZod<{ dist?: string }> = (app, { dist = WEB_DIST }, done) => {
  const index = load(join(dist, 'index.html'));
  const assetsDir = join(dist, 'assets');
  const assets = new Map<string, Asset>();
  if (existsSync(assetsDir)) for (const name of readdirSync(assetsDir)) assets.set(name, load(join(assetsDir, name)));

  const send = (accept: string | undefined, asset: Asset): { body: Buffer; encoding: string | null } =>
    accept !== undefined && /\bgzip\b/.test(accept) ? { body: asset.gzip, encoding: 'gzip' } : { body: asset.body, encoding: null };

  app.get(
    '/',
    {
      config: { access: 'public' },
      serializerCompiler: bytesOnly,
      schema: {
        summary: 'The web application (HTML)',
        tags: ['service'],
        security: [],
        response: { 200: { description: 'the single-page app', content: { 'text/html': { schema: BYTES } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { body, encoding } = send(request.headers['accept-encoding'], index);
      if (encoding !== null) void reply.header('content-encoding', encoding);
      return reply.type(index.type).header('vary', 'accept-encoding').header('cache-control', 'no-cache').header('content-security-policy', WEB_CSP).send(body);
    },
  );

  app.get(
    '/assets/:file',
    {
      config: { access: 'public' },
      serializerCompiler: bytesOnly,
      schema: {
        summary: 'A file of the web application (scripts, styles), named by its content hash',
        tags: ['service'],
        security: [],
        params: z.object({ file: z.string().max(200) }),
        response: { 200: { description: 'the file', content: { 'application/octet-stream': { schema: BYTES } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (asset === undefined) throw new HttpError(404, 'NOT_FOUND', `No file ${request.params.file}.`, 'file');
      const { body, encoding } = send(request.headers['accept-encoding'], asset);
      if (encoding !== null) void reply.header('content-encoding', encoding);
      return reply.type(asset.type).header('vary', 'accept-encoding').header('cache-control', 'public, max-age=31536000, immutable').send(body);
    },
  );
  done();
};
