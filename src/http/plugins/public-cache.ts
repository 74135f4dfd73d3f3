// A small in-process cache for public reads: a successful GET's serialized response is kept for `ttlMs` and served
// again to anyone asking the same URL meanwhile. Disclosure data may then be up to ttlMs old, which is what an HTTP
// cache in front of the server would do anyway (Cache-Control says so); it keeps repeated public reads — the load a
// city's open data attracts — from reaching the database. Only for routes of the plugin it is installed in.
import type { FastifyInstance } from 'fastify';

export interface PublicCacheOptions {
  /** How long a response is served again; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Most URLs kept; the oldest entry goes first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly body: string;
  readonly contentType: string;
  readonly expiresAt: number;
}

export const PUBLIC_CACHE_ENTRIES_MAX = 1000;

export function installPublicCache(app: FastifyInstance, options: PublicCacheOptions): void {
  if (options.ttlMs <= 0) return;
  const now = options.now ?? Date.now;
  const max = options.maxEntries ?? PUBLIC_CACHE_ENTRIES_MAX;
  const cacheControl = `public, max-age=${Math.max(1, Math.round(options.ttlMs / 1000))}`;
  const entries = new Map<string, Entry>();

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET') return;
    const hit = entries.get(request.url);
    if (hit === undefined) return;
    if (hit.expiresAt <= now()) {
      entries.delete(request.url);
      return;
    }
    await reply.code(200).header('x-cache', 'hit').header('cache-control', cacheControl).type(hit.contentType).send(hit.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || reply.getHeader('x-cache') === 'hit' || typeof payload !== 'string') return payload;
    if (entries.size >= max) entries.delete(entries.keys().next().value!);
    entries.set(request.url, { body: payload, contentType: String(reply.getHeader('content-type') ?? 'application/json'), expiresAt: now() + options.ttlMs });
    reply.header('x-cache', 'miss').header('cache-control', cacheControl);
    return payload;
  });
}
