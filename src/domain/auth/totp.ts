// TOTP (RFC 6238) rules that do not need the HMAC: the acceptance window, code formats and replay protection.
import type { AuthSettings } from './settings.js';

type TotpSettings = Pick<AuthSettings, 'totpPeriodS' | 'totpToleranceSteps'>;

/** The RFC 6238 time step at `nowMs`. */
export function totpStep(nowMs: number, s: Pick<AuthSettings, 'totpPeriodS'>): number {
  return Math.floor(nowMs / 1000 / s.totpPeriodS);
}

/** The steps whose codes are accepted at `nowMs`: now, and `totpToleranceSteps` either side for clock drift. */
export function totpWindow(nowMs: number, s: TotpSettings): { readonly fromStep: number; readonly toStep: number } {
  const step = totpStep(nowMs, s);
  return { fromStep: step - s.totpToleranceSteps, toStep: step + s.totpToleranceSteps };
}

/** A code is accepted only from a step after the last accepted one, so an observed code cannot be replayed. */
export function totpStepAcceptable(step: number, lastUsedStep: number | null, nowMs: number, s: TotpSettings): boolean {
  const w = totpWindow(nowMs, s);
  return step >= w.fromStep && step <= w.toStep && (lastUsedStep === null || step > lastUsedStep);
}

export function isTotpCodeFormat(code: string, digits: number): boolean {
  return code.length === digits && /^[0-9]+$/.test(code);
}

/** What a person types, spaces and dashes removed: authenticator apps show `123 456`. */
export function normaliseCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}
