// Session lifetime rules: idle and absolute expiry, and the short life of a session that still owes a factor.
import type { AuthSettings } from './settings.js';

/** 'second_factor': password given, TOTP or recovery code due. 'enrolment': no TOTP yet, may only enrol. */
export type SessionStage = 'second_factor' | 'enrolment' | 'complete';

export const SESSION_STAGES: readonly SessionStage[] = ['second_factor', 'enrolment', 'complete'];

export interface SessionTimes {
  readonly createdMs: number;
  readonly lastSeenMs: number;
  readonly idleExpiresMs: number;
  readonly expiresMs: number;
  readonly endedMs: number | null;
}

export type SessionState = 'active' | 'ended' | 'idle_expired' | 'absolute_expired';

type LifetimeSettings = Pick<AuthSettings, 'sessionIdleMs' | 'sessionAbsoluteMs' | 'partialSessionMs'>;

/** Expiry times of a session created (or rotated) at `nowMs`; a partial session gets the short lifetime. */
export function newSessionTimes(nowMs: number, stage: SessionStage, s: LifetimeSettings, absoluteCapMs?: number): SessionTimes {
  const lifeMs = stage === 'complete' ? s.sessionAbsoluteMs : Math.min(s.partialSessionMs, s.sessionAbsoluteMs);
  // Rotation must never extend the absolute lifetime past that of the sign-in it continues.
  const expiresMs = Math.min(nowMs + lifeMs, absoluteCapMs ?? Infinity);
  return { createdMs: nowMs, lastSeenMs: nowMs, idleExpiresMs: Math.min(nowMs + s.sessionIdleMs, expiresMs), expiresMs, endedMs: null };
}

export function sessionState(t: SessionTimes, nowMs: number): SessionState {
  if (t.endedMs !== null && t.endedMs <= nowMs) return 'ended';
  if (nowMs >= t.expiresMs) return 'absolute_expired';
  if (nowMs >= t.idleExpiresMs) return 'idle_expired';
  return 'active';
}

/** The new idle expiry when a request arrives at `nowMs`, or null when the stored one is fresh enough. */
export function touchedIdleExpiry(t: SessionTimes, nowMs: number, s: Pick<AuthSettings, 'sessionIdleMs' | 'sessionTouchMs'>): number | null {
  if (nowMs - t.lastSeenMs < s.sessionTouchMs) return null;
  return Math.min(nowMs + s.sessionIdleMs, t.expiresMs);
}
