// Reading from the API in a page: the data, the error and whether it is loading, for one GET path. A new path (or
// reload()) fetches again; a request still running when the path changes or the page goes is aborted, so an old
// answer never replaces a newer one.
import { useCallback, useEffect, useState } from 'react';
import { get } from '../api';

export interface ApiState<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** GET `path` (relative to /api/v1); null waits (e.g. until the jurisdiction is known). */
export function useApi<T>(path: string | null): ApiState<T> {
  const [state, setState] = useState<{ path: string | null; data: T | undefined; error: unknown; loading: boolean }>({ path, data: undefined, error: null, loading: path !== null });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const abort = new AbortController();
    setState((s) => ({ path, data: s.path === path ? s.data : undefined, error: null, loading: true }));
    get<T>(path, abort.signal).then(
      (data) => { setState({ path, data, error: null, loading: false }); },
      (error: unknown) => {
        if (abort.signal.aborted) return;
        setState({ path, data: undefined, error, loading: false });
      },
    );
    return () => { abort.abort(); };
  }, [path, generation]);
  const reload = useCallback(() => { setGeneration((g) => g + 1); }, []);
  const current = state.path === path;
  return { data: current ? state.data : undefined, error: current ? state.error : null, loading: path !== null && (!current || state.loading), reload };
}
