// Lockout and throttling decisions from the times of failed attempts. Pure: the caller reads the failures and
// passes the time. Only failures count: attempts refused as locked or throttled never checked a secret.
import type { AuthSettings } from './settings.js';

export type LimitDecision = { readonly limited: false } | { readonly limited: true; readonly untilMs: number };

type LockoutSettings = Pick<AuthSettings, 'accountFailuresMax' | 'accountWindowMs' | 'lockoutMs'>;
type ThrottleSettings = Pick<AuthSettings, 'addressFailuresMax' | 'addressWindowMs'>;

/** How far back the caller must read failures for `accountLockout` to decide. */
export function lockoutLookbackMs(s: LockoutSettings): number {
  return s.accountWindowMs + s.lockoutMs;
}

/**
 * A login is locked for `lockoutMs` from any failure that was the `accountFailuresMax`-th within `accountWindowMs`.
 * `failuresMs` are the failures since the login's last success (a success clears the count). Monotone: more
 * failures never shorten or lift a lock.
 */
export function accountLockout(failuresMs: readonly number[], nowMs: number, s: LockoutSettings): LimitDecision {
  const n = s.accountFailuresMax;
  const times = failuresMs.filter((t) => t <= nowMs).sort((a, b) => a - b);
  let untilMs = -Infinity;
  for (let i = n - 1; i < times.length; i++) {
    const first = times[i - n + 1]!;
    const last = times[i]!;
    if (last - first < s.accountWindowMs) untilMs = Math.max(untilMs, last + s.lockoutMs);
  }
  return nowMs < untilMs ? { limited: true, untilMs } : { limited: false };
}

/**
 * An address is throttled while it has `addressFailuresMax` or more failures in the last `addressWindowMs`: a
 * sliding window, lifted when the oldest of them leaves it. Successes do not clear it (one valid account must
 * not reset a guessing run against the others).
 */
export function addressThrottle(failuresMs: readonly number[], nowMs: number, s: ThrottleSettings): LimitDecision {
  const recent = failuresMs.filter((t) => t <= nowMs && t > nowMs - s.addressWindowMs).sort((a, b) => b - a);
  if (recent.length < s.addressFailuresMax) return { limited: false };
  // Throttled until enough failures leave the window that fewer than the maximum remain.
  const leaving = recent[s.addressFailuresMax - 1]!;
  return { limited: true, untilMs: leaving + s.addressWindowMs };
}
