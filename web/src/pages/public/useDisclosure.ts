// The whole disclosure table of a jurisdiction for a period, page by page (2,000 facilities a request), with the
// count loaded so far for the progress line. Searching, sorting and filtering then happen in the browser, at once.
import { useEffect, useState } from 'react';
import { get } from '../../api';
import type { DisclosedFacility, DisclosurePage } from './model';

const PAGE_ROWS = 2000;
/** A bound on the pages read (TIGER_STYLE): 100 × 2,000 = 200,000 facilities, far beyond any city program. */
const PAGES_MAX = 100;

export interface DisclosureState {
  readonly rows: readonly DisclosedFacility[];
  /** Rows loaded so far while loading. */
  readonly loaded: number;
  readonly done: boolean;
  readonly error: unknown;
  /** The period the compliance columns are for (null: no results yet); undefined until the first page. */
  readonly period: number | null | undefined;
  readonly kind: 'obligation' | 'allocation' | undefined;
}

/** `period` undefined: the latest period with results (the server decides). */
export function useDisclosure(code: string | undefined, period: number | undefined): DisclosureState {
  const [state, setState] = useState<DisclosureState>({ rows: [], loaded: 0, done: false, error: null, period: undefined, kind: undefined });
  useEffect(() => {
    if (code === undefined) return;
    const abort = new AbortController();
    setState({ rows: [], loaded: 0, done: false, error: null, period: undefined, kind: undefined });
    void (async () => {
      const rows: DisclosedFacility[] = [];
      let cursor: string | null = null;
      try {
        for (let page = 0; page < PAGES_MAX; page++) {
          const query = new URLSearchParams({ limit: String(PAGE_ROWS) });
          if (period !== undefined) query.set('period', String(period));
          if (cursor !== null) query.set('cursor', cursor);
          const r: DisclosurePage = await get<DisclosurePage>(`jurisdictions/${encodeURIComponent(code)}/disclosure/facilities?${query.toString()}`, abort.signal);
          rows.push(...r.items);
          cursor = r.nextCursor;
          const done = cursor === null;
          setState({ rows: done ? rows : [], loaded: rows.length, done, error: null, period: r.period, kind: r.kind });
          if (done) return;
        }
      } catch (error) {
        if (!abort.signal.aborted) setState((s) => ({ ...s, error, done: true }));
      }
    })();
    return () => { abort.abort(); };
  }, [code, period]);
  return state;
}
