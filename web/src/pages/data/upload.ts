// Sending a file to the server with upload progress: fetch cannot report it, XMLHttpRequest can. The request is what
// api.ts sends for a creating POST — the session cookie, a fresh CSRF token (remembered for the app's other calls)
// and an Idempotency-Key — with the file itself as the body.
import { ApiError, API, get, rememberCsrfToken } from '../../api';

export interface Problem {
  readonly sheet: string | null;
  readonly row: number | null;
  readonly column: string | null;
  readonly cell: string | null;
  readonly value: string | null;
  readonly code: string;
  readonly message: string;
}

/** A refused upload: the server's error and, for a refused file, every problem it found. */
export class UploadRefused extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    field: string | undefined,
    readonly problems: readonly Problem[],
  ) {
    super(status, code, message, field);
  }
}

const ACCEPTED_TYPES = ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.ms-excel'];
/** The server's limit; checked here too so that a big file is not sent for nothing. */
export const FILE_BYTES_MAX = 20 * 1024 * 1024;

/** Where a problem is, as a spreadsheet names it: `Lines!C7`, `C7`, `row 3`, `column quantity`. */
export function placeOf(p: Problem): string {
  const where = p.cell ?? (p.row !== null ? `row ${p.row}` : p.column !== null ? `column ${p.column}` : '');
  return p.sheet === null ? where : where === '' ? p.sheet : `${p.sheet}!${where}`;
}

/**
 * POSTs `file` to `path` (relative to /api/v1) and resolves with the JSON answer; `onProgress` gets the fraction sent
 * (0–1). Refusals reject with UploadRefused (problems empty unless the file itself was refused).
 */
export async function uploadFile<T>(path: string, file: File, onProgress: (sent: number) => void, signal?: AbortSignal): Promise<T> {
  const { csrfToken } = await get<{ csrfToken: string }>('session/csrf-token');
  rememberCsrfToken(csrfToken);
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', ACCEPTED_TYPES.includes(file.type) ? file.type : 'application/octet-stream');
    xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.setRequestHeader('idempotency-key', crypto.randomUUID());
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let data: unknown;
      try {
        data = xhr.responseText === '' ? undefined : JSON.parse(xhr.responseText);
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(data as T);
        return;
      }
      const body = data as { error?: { code?: string; message?: string; field?: string }; problems?: Problem[] } | undefined;
      reject(new UploadRefused(xhr.status, body?.error?.code ?? `HTTP_${xhr.status}`, body?.error?.message ?? xhr.statusText, body?.error?.field, body?.problems ?? []));
    };
    xhr.onerror = () => { reject(new UploadRefused(0, 'NETWORK', 'The connection failed while sending the file.', undefined, [])); };
    signal?.addEventListener('abort', () => { xhr.abort(); });
    xhr.send(file);
  });
}
