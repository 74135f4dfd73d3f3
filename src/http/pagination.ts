// Cursor pagination for list routes: `?limit=1..200` (default 50) and `?cursor=…`, answered with
// `{ items, nextCursor }`. A cursor is opaque to clients (base64url of the last item's sort key); it is only
// ever produced by the server, and a tampered one is a 400 naming `cursor`.
import { z } from 'zod';

export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;
const CURSOR_CHARS_MAX = 512;
const KEY_PARTS_MAX = 4;
const KEY_PART_CHARS_MAX = 200;

const cursorPayload = z.strictObject({ v: z.literal(1), k: z.array(z.string().max(KEY_PART_CHARS_MAX)).min(1).max(KEY_PARTS_MAX) });

/** The sort key of the last item on a page, as an opaque string. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify({ v: 1, k: key }), 'utf8').toString('base64url');
}

/** The sort key inside a cursor, or undefined when it is not one this server made. */
export function decodeCursor(cursor: string): string[] | undefined {
  if (cursor.length > CURSOR_CHARS_MAX || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data.k : undefined;
  } catch {
    return undefined;
  }
}

/** The page-size and cursor query fields, with bounds of the route's own (pageQuery has the usual ones). */
export function pageQueryOf(max: number, defaultSize: number) {
  return z.object({
    limit: z.coerce.number().int('must be a whole number').min(1, `must be 1 to ${max}`).max(max, `must be 1 to ${max}`).default(defaultSize).describe(`page size, 1–${max} (default ${defaultSize})`),
    cursor: z
      .string()
      .max(CURSOR_CHARS_MAX)
      .transform((s, ctx) => {
        const key = decodeCursor(s);
        if (key === undefined) {
          ctx.addIssue({ code: 'custom', message: 'is not a cursor from this server (use nextCursor of the previous page)' });
          return z.NEVER;
        }
        return key;
      })
      .optional()
      .describe('nextCursor of the previous page'),
  });
}

/** Query fields of every list route; merge with the route's own filters: `pageQuery.extend({ … })`. */
export const pageQuery = pageQueryOf(PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT);

/** A page of items with the cursor of the next page (null on the last page). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page') });
}

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * Builds a page from rows fetched with `limit + 1` (the extra row only says whether there is a next page).
 * `keyOf` gives the sort key the next query continues after.
 */
export function pageFromRows<R, T>(rows: readonly R[], limit: number, keyOf: (row: R) => readonly string[], view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { items: shown.map(view), nextCursor: more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
