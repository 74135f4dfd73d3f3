// Data for the role pages: one GET with loading, error and reload (aborted when the page goes or the path changes),
// lists that load page after page, and the current jurisdiction's API prefix.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from '../../../api';
import { useSession } from '../../../session';
import type { Page } from './types';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** GET `path` (relative to /api/v1); null waits (e.g. until the jurisdiction is known). */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return undefined;
    const abort = new AbortController();
    setLoading(true);
    setError(undefined);
    get<T>(path, abort.signal)
      .then((d) => { setData(d); setLoading(false); })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e);
        setLoading(false);
      });
    return () => { abort.abort(); };
  }, [path, tick]);
  const reload = useCallback(() => { setTick((n) => n + 1); }, []);
  return { data, error, loading, reload };
}

export interface PagedList<T> {
  readonly items: readonly T[];
  readonly error: unknown;
  readonly loading: boolean;
  readonly more: boolean;
  readonly loadMore: () => void;
  readonly reload: () => void;
}

/** Most items a list keeps in the page (TIGER_STYLE: a bound on everything); beyond it, narrow the filters. */
const LIST_ITEMS_MAX = 10_000;

/** A cursor-paginated list: the first page of `path` (with its query), then more on request. */
export function usePaged<T>(path: string | null, pageSize = 50): PagedList<T> {
  const [items, setItems] = useState<readonly T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const abortRef = useRef<AbortController | null>(null);

  const fetchPage = useCallback((after: string | null, replace: boolean) => {
    if (path === null) return;
    abortRef.current?.abort();
    const abort = new AbortController();
    abortRef.current = abort;
    const sep = path.includes('?') ? '&' : '?';
    const url = `${path}${sep}limit=${String(pageSize)}${after === null ? '' : `&cursor=${encodeURIComponent(after)}`}`;
    setLoading(true);
    setError(undefined);
    get<Page<T>>(url, abort.signal)
      .then((p) => {
        setItems((prev) => (replace ? p.items : [...prev, ...p.items].slice(0, LIST_ITEMS_MAX)));
        setCursor(p.nextCursor);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e);
        setLoading(false);
      });
  }, [path, pageSize]);

  useEffect(() => {
    // The items shown stay until the first page of the new list arrives (a reload after an action keeps the page).
    setCursor(null);
    fetchPage(null, true);
    return () => { abortRef.current?.abort(); };
  }, [fetchPage, tick]);

  return {
    items,
    error,
    loading,
    more: cursor !== null && items.length < LIST_ITEMS_MAX,
    loadMore: () => { if (cursor !== null) fetchPage(cursor, false); },
    reload: () => { setTick((n) => n + 1); },
  };
}

/** For Loaded's `empty`: false once there are items, true when the list loaded empty, undefined while it loads. */
export function emptyOf(list: { readonly items: readonly unknown[]; readonly loading: boolean }): boolean | undefined {
  return list.items.length > 0 ? false : list.loading ? undefined : true;
}

/** `jurisdictions/<code>` of the jurisdiction being looked at, or null while the list of jurisdictions loads. */
export function useJurisdictionPath(): string | null {
  const { jurisdiction } = useSession();
  return jurisdiction === undefined ? null : `jurisdictions/${encodeURIComponent(jurisdiction.code)}`;
}

/** The signed-in user's id (null when signed out). */
export function useUserId(): string | null {
  const { info } = useSession();
  return info?.session.stage === 'complete' ? info.user.id : null;
}
