// The web app's only way to the server: JSON over /api/v1 with the session cookie. State changes send the
// session's CSRF token; creating POSTs send a fresh Idempotency-Key. Every refusal arrives as an ApiError that
// carries the server's code, message and field, so a form can show the message beside the field it names.

export const API = '/api/v1';
const CSRF_KEY = 'citycap.csrf';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

/** Fired on window when the server says the session has ended (401 on a signed-in request). */
export const SESSION_ENDED_EVENT = 'citycap:session-ended';

export function rememberCsrfToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(CSRF_KEY);
  else sessionStorage.setItem(CSRF_KEY, token);
}

async function csrfToken(): Promise<string | undefined> {
  const stored = sessionStorage.getItem(CSRF_KEY);
  if (stored !== null) return stored;
  // After a reload in a new tab the cookie is there but the token is not: ask for a fresh one.
  const r = await fetch(`${API}/session/csrf-token`, { credentials: 'same-origin' });
  if (!r.ok) return undefined;
  const { csrfToken: token } = (await r.json()) as { csrfToken: string };
  rememberCsrfToken(token);
  return token;
}

export interface RequestOptions {
  readonly body?: unknown;
  /** Send an Idempotency-Key (creating POSTs). Pass a key to retry the same request safely. */
  readonly idempotencyKey?: string | true;
  /** Do not announce a 401 as the end of the session (sign-in itself). */
  readonly quiet401?: boolean;
  readonly signal?: AbortSignal;
}

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const token = await csrfToken();
    if (token !== undefined) headers['x-csrf-token'] = token;
  }
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey === true ? crypto.randomUUID() : options.idempotencyKey;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  if (options.signal !== undefined) init.signal = options.signal;
  const response = await fetch(path.startsWith('/') ? path : `${API}/${path}`, init);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const e = (data as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
    if (response.status === 401 && options.quiet401 !== true) window.dispatchEvent(new Event(SESSION_ENDED_EVENT));
    throw new ApiError(response.status, e?.code ?? `HTTP_${response.status}`, e?.message ?? response.statusText, e?.field);
  }
  return data as T;
}

export const get = <T>(path: string, signal?: AbortSignal): Promise<T> => request<T>('GET', path, signal === undefined ? {} : { signal });
export const post = <T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> => request<T>('POST', path, { ...options, body });
