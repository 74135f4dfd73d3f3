// Who is signed in: GET /session on start and after every sign-in step. Pages read it with useSession(); the
// jurisdiction being looked at (public pages and role pages alike) is part of the same context.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, get, request, rememberCsrfToken, SESSION_ENDED_EVENT } from './api';

export interface Grant {
  readonly role: string;
  readonly jurisdictionId: string;
  readonly accountId: string | null;
  readonly rights: string | null;
}

export interface SessionInfo {
  readonly user: { id: string; login: string; displayName: string; locale: string; totpActive: boolean };
  readonly session: { id: string; stage: 'second_factor' | 'enrolment' | 'complete'; createdAt: string; expiresAt: string; idleExpiresAt: string };
  readonly roles: readonly Grant[];
}

export interface JurisdictionSummary {
  readonly id: string;
  readonly code: string;
  readonly nameEn: string;
  readonly nameJa: string;
  /** The program in force; null before the jurisdiction adopts one (the public pages then have nothing to show). */
  readonly program?: { readonly id: string; readonly kind: string } | null;
}

export interface SessionState {
  /** undefined while loading; null when signed out. */
  readonly info: SessionInfo | null | undefined;
  /** True once the server said the session ended (idle or absolute expiry) — the shell says so and offers sign-in. */
  readonly ended: boolean;
  readonly refresh: () => Promise<void>;
  readonly signOut: () => Promise<void>;
  readonly jurisdictions: readonly JurisdictionSummary[];
  readonly jurisdiction: JurisdictionSummary | undefined;
  readonly setJurisdiction: (code: string) => void;
  /** Role names the user holds in the current jurisdiction (e.g. 'authority_admin', 'account_representative'). */
  readonly rolesHere: ReadonlySet<string>;
}

const Ctx = createContext<SessionState | null>(null);
const JURISDICTION_KEY = 'citycap.jurisdiction';
/** At most one session check per this many ms (navigation and focus can come in bursts). */
const SESSION_CHECK_MS_MIN = 2000;

export function SessionProvider({ children }: { children: ReactNode }): ReactNode {
  const [info, setInfo] = useState<SessionInfo | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  const [jurisdictions, setJurisdictions] = useState<readonly JurisdictionSummary[]>([]);
  const [code, setCode] = useState<string | null>(() => localStorage.getItem(JURISDICTION_KEY));

  const refresh = useCallback(async () => {
    try {
      const s = await request<SessionInfo>('GET', 'session', { quiet401: true });
      setInfo(s);
      setEnded(false);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setInfo(null);
      else throw e;
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      await request('DELETE', 'session', { quiet401: true });
    } catch {
      // Signed out already.
    }
    rememberCsrfToken(null);
    setInfo(null);
  }, []);

  useEffect(() => {
    void refresh();
    void get<{ items: JurisdictionSummary[] }>('jurisdictions').then((r) => { setJurisdictions(r.items); });
    const onEnded = (): void => {
      setInfo((prev) => {
        if (prev !== null && prev !== undefined) setEnded(true);
        return null;
      });
      rememberCsrfToken(null);
    };
    window.addEventListener(SESSION_ENDED_EVENT, onEnded);
    return () => { window.removeEventListener(SESSION_ENDED_EVENT, onEnded); };
  }, [refresh]);

  // The server ends a session (idle or absolute expiry) without telling the page. When a signed-in person comes back to
  // the page or moves to another one, ask once: an ended session shows the banner at once, not at the next refusal.
  const complete = info?.session.stage === 'complete';
  useEffect(() => {
    if (!complete) return;
    let lastCheckMs = 0;
    const check = (): void => {
      if (document.visibilityState === 'hidden' || Date.now() - lastCheckMs < SESSION_CHECK_MS_MIN) return;
      lastCheckMs = Date.now();
      request<SessionInfo>('GET', 'session', { quiet401: true }).then(
        (s) => { setInfo(s); },
        (e: unknown) => {
          if (!(e instanceof ApiError) || e.status !== 401) return;
          rememberCsrfToken(null);
          setInfo(null);
          setEnded(true);
        },
      );
    };
    window.addEventListener('hashchange', check);
    window.addEventListener('focus', check);
    document.addEventListener('visibilitychange', check);
    return () => {
      window.removeEventListener('hashchange', check);
      window.removeEventListener('focus', check);
      document.removeEventListener('visibilitychange', check);
    };
  }, [complete]);

  // The one chosen before, else the first with a program (a registry-only jurisdiction such as DEMO has no disclosure).
  const jurisdiction = jurisdictions.find((j) => j.code === code) ?? jurisdictions.find((j) => j.program !== null && j.program !== undefined) ?? jurisdictions[0];
  const setJurisdiction = useCallback((c: string) => {
    localStorage.setItem(JURISDICTION_KEY, c);
    setCode(c);
  }, []);

  const value = useMemo<SessionState>(() => {
    const rolesHere = new Set((info?.roles ?? []).filter((g) => g.jurisdictionId === jurisdiction?.id).map((g) => g.role));
    return { info, ended, refresh, signOut, jurisdictions, jurisdiction, setJurisdiction, rolesHere };
  }, [info, ended, refresh, signOut, jurisdictions, jurisdiction, setJurisdiction]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}
