// The authorization matrix, one table per bounded context. A context adds its file here.
import { ADMIN } from './admin.js';
import { AUTH } from './auth.js';
import { DATA_IMPORT } from './data-import.js';
import { PUBLIC } from './public.js';
import { REGISTRY } from './registry.js';
import { REPORTING } from './reporting.js';
import type { Matrix } from './types.js';
import { WORKSPACE } from './workspace.js';
import { OPEN_DATA } from './open-data.js';

export { everyone, only, type Expect, type Matrix, type Row } from './types.js';

export const MATRICES: Readonly<Record<string, Matrix>> = { PUBLIC, AUTH, REPORTING, REGISTRY, ADMIN, WORKSPACE, DATA_IMPORT, OPEN_DATA };

/** One table; an operation listed by two contexts is a mistake in the tables. */
export function mergeMatrices(matrices: Readonly<Record<string, Matrix>>): Matrix {
  const out: Record<string, Matrix[string]> = {};
  for (const [name, m] of Object.entries(matrices)) {
    for (const [key, row] of Object.entries(m)) {
      if (key in out) throw new Error(`authorization matrix: ${key} is listed twice (again in ${name})`);
      out[key] = row;
    }
  }
  return out;
}
