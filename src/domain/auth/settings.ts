// Authentication settings with their documented defaults (docs/security.md). These are program/deployment
// settings: an operator may tighten them for a deployment; they are passed in, never read from globals here.

export interface AuthSettings {
  /** Failed sign-in or second-factor attempts on one login within `accountWindowMs` that lock the login. */
  readonly accountFailuresMax: number;
  readonly accountWindowMs: number;
  /** How long a login stays locked after the failure that locked it. */
  readonly lockoutMs: number;
  /** Failed attempts from one address within `addressWindowMs` after which the address is throttled. */
  readonly addressFailuresMax: number;
  readonly addressWindowMs: number;
  /** A session ends after this long without a request… */
  readonly sessionIdleMs: number;
  /** …and this long after sign-in, whatever its use. */
  readonly sessionAbsoluteMs: number;
  /** A session that still owes the second factor (or TOTP enrolment) lives at most this long. */
  readonly partialSessionMs: number;
  /** last_seen_at is written at most this often per session (saves a write per request). */
  readonly sessionTouchMs: number;
  /** API tokens: default and longest lifetime. */
  readonly apiTokenDefaultMs: number;
  readonly apiTokenMaxMs: number;
  /** api_tokens.last_used_at is written at most this often per token. */
  readonly apiTokenTouchMs: number;
  /** Recovery codes issued at a time. */
  readonly recoveryCodeCount: number;
  /** TOTP (RFC 6238): period, digits and how many periods either side of now a code may come from. */
  readonly totpPeriodS: number;
  readonly totpDigits: 6 | 8;
  readonly totpToleranceSteps: number;
  /** Issuer shown in authenticator apps. */
  readonly totpIssuer: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  accountFailuresMax: 5,
  accountWindowMs: 15 * MINUTE_MS,
  lockoutMs: 15 * MINUTE_MS,
  addressFailuresMax: 20,
  addressWindowMs: 15 * MINUTE_MS,
  sessionIdleMs: 30 * MINUTE_MS,
  sessionAbsoluteMs: 12 * HOUR_MS,
  partialSessionMs: 10 * MINUTE_MS,
  sessionTouchMs: MINUTE_MS,
  apiTokenDefaultMs: 90 * DAY_MS,
  apiTokenMaxMs: 366 * DAY_MS,
  apiTokenTouchMs: MINUTE_MS,
  recoveryCodeCount: 10,
  totpPeriodS: 30,
  totpDigits: 6,
  totpToleranceSteps: 1,
  totpIssuer: 'citycap',
};

/** Bounds on inputs (TIGER_STYLE). Passwords longer than this are refused before hashing. */
export const AUTH_LIMITS = {
  loginChars: 254,
  displayNameChars: 200,
  passwordCharsMin: 12,
  passwordCharsMax: 256,
  tokenNameChars: 100,
  scopesMax: 16,
  addressChars: 64,
  userAgentChars: 512,
  recoveryCodeChars: 32,
} as const;
