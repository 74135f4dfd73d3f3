// Hash routing (`#/facilities/F-1`): no server fallback needed, and the back button works. A route is a pattern
// with `:name` segments; pages are loaded lazily so the first page stays small.
import { useEffect, useState, type ComponentType, type LazyExoticComponent } from 'react';

export type Params = Readonly<Record<string, string>>;

export interface RouteDef {
  /** `/reports/:reportId` */
  readonly path: string;
  readonly page: LazyExoticComponent<ComponentType<{ params: Params }>>;
  /** Shown in the navigation under this catalogue key (namespace:key), for these roles ('public' = everyone). */
  readonly nav?: { readonly labelKey: string; readonly roles: readonly string[] | 'public' };
  /** Needs a complete session; the router sends others to sign-in. */
  readonly signedIn?: boolean;
}

export function currentPath(): string {
  const h = window.location.hash.replace(/^#/, '');
  return h === '' ? '/' : h.split('?')[0]!;
}

/** Query parameters after the path in the hash (`#/facilities?category=office`). */
export function currentQuery(): URLSearchParams {
  const h = window.location.hash;
  const i = h.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : h.slice(i + 1));
}

export function navigate(path: string): void {
  window.location.hash = path;
}

export function useHashPath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const on = (): void => { setPath(currentPath()); };
    window.addEventListener('hashchange', on);
    return () => { window.removeEventListener('hashchange', on); };
  }, []);
  return path;
}

export function match(pattern: string, path: string): Params | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(s[i]!);
    else if (seg !== s[i]) return null;
  }
  return params;
}
