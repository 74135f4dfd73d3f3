// API token scopes. `admin` covers everything; `x:write` covers `x:read`.
import { refusal, type Refusal } from '../errors.js';

export const SCOPES = ['registry:read', 'registry:write', 'reports:read', 'reports:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Whether a token granted `granted` may act under `required`. */
export function scopeAllows(granted: readonly string[], required: Scope): boolean {
  if (granted.includes('admin') || granted.includes(required)) return true;
  const [area, level] = required.split(':');
  return level === 'read' && granted.includes(`${area}:write`);
}

/** Checks a requested scope list: known names, no duplicates, at least one. */
export function scopeProblems(scopes: readonly string[], max: number): Refusal[] {
  if (scopes.length === 0) return [refusal('SCOPES_REQUIRED', 'A token needs at least one scope.', 'scopes')];
  if (scopes.length > max) return [refusal('TOO_MANY_SCOPES', `A token has at most ${max} scopes.`, 'scopes')];
  const problems: Refusal[] = [];
  scopes.forEach((s, i) => {
    if (!isScope(s)) problems.push(refusal('UNKNOWN_SCOPE', `Unknown scope "${s.slice(0, 40)}" (scopes: ${SCOPES.join(', ')}).`, `scopes[${i}]`));
    else if (scopes.indexOf(s) !== i) problems.push(refusal('DUPLICATE_SCOPE', `Scope ${s} is listed twice.`, `scopes[${i}]`));
  });
  return problems;
}
