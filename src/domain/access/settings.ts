// The security settings of a registry: delays, limits and trusted-list policy, with the EU Union Registry's
// practice as the documented default (docs/access-control.md, ../shared/docs/research/ets_anchors.md §3).
// For now one object per deployment or per jurisdiction; a later step may move it into the program definition,
// where the rest of a program's parameters live.
import { refusal, type Refusal } from '../errors.js';
import { ACCOUNT_TYPES, type AccountType } from '../registry/model.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface AccessSettings {
  /**
   * How long a transfer to an account that is not on the source's active trusted list waits, counted from its
   * proposal. EU: completes at 12:00 CET on the next working day (second working day when proposed after 12:00),
   * Delegated Reg. (EU) 2019/1122 Art. 35(3), known as "the 26-hour delay"; modelled as a flat 26 hours (working
   * days and holidays are not modelled).
   */
  readonly untrustedTransferDelayMs: number;
  /**
   * How long after being added an account counts as trusted. EU: 12:00 CET on the 4th working day under
   * Reg. 2019/1122 Art. 23 (7 days under the older Reg. 389/2013 Art. 26). Default 7 calendar days, which is never
   * shorter than 4 working days unless public holidays intervene. Removals count at once.
   */
  readonly trustedActivationDelayMs: number;
  /**
   * Most tonnes one transfer may move, jurisdiction-wide; null for no limit. EU: 2,000,000 allowances per
   * transaction to accounts not on the trusted list (Reg. 2023/1642, live 10 September 2023).
   */
  readonly transactionLimitT: bigint | null;
  /** Lower limits for transfers out of particular accounts (account id → tonnes); the lowest limit applies. */
  readonly accountTransactionLimitsT: Readonly<Record<string, bigint>>;
  /** Which transfers the limits apply to. EU: 'untrusted' (transfers to trusted accounts, surrenders and deletions are not limited). */
  readonly limitApplies: 'untrusted' | 'all';
  /**
   * Source account types that may transfer only to trusted accounts. EU: operator holding accounts, unless the
   * holder applies for the simplified procedure. Default: none, because city programs (Tokyo, Saitama) let facilities
   * trade credits directly; a program that follows EU practice sets ['facility_compliance'].
   */
  readonly trustedOnlyAccountTypes: readonly AccountType[];
  /** Most active representatives one account may have. UK ETS Registry: 5 (non-read-only). */
  readonly representativesPerAccountMax: number;
}

export const EU_DEFAULT_ACCESS_SETTINGS: AccessSettings = Object.freeze({
  untrustedTransferDelayMs: 26 * HOUR_MS,
  trustedActivationDelayMs: 7 * DAY_MS,
  transactionLimitT: 2_000_000n,
  accountTransactionLimitsT: Object.freeze({}),
  limitApplies: 'untrusted',
  trustedOnlyAccountTypes: Object.freeze([]),
  representativesPerAccountMax: 5,
});

/** Upper bounds on the settings themselves: a delay beyond a year or a limit beyond the ledger's maximum is a typo. */
export const DELAY_MS_MAX = 366 * DAY_MS;
export const LIMIT_T_MAX = 1_000_000_000_000n;
export const REPRESENTATIVES_MAX = 50;

/** Every problem with a settings object, each naming its field. */
export function accessSettingsProblems(s: AccessSettings): Refusal[] {
  const problems: Refusal[] = [];
  for (const field of ['untrustedTransferDelayMs', 'trustedActivationDelayMs'] as const) {
    const v = s[field];
    if (!Number.isSafeInteger(v) || v < 0 || v > DELAY_MS_MAX) {
      problems.push(refusal('SETTING_OUT_OF_RANGE', `A delay is a whole number of milliseconds from 0 to ${DELAY_MS_MAX} (366 days).`, field));
    }
  }
  const limitOk = (v: bigint): boolean => v >= 1n && v <= LIMIT_T_MAX;
  if (s.transactionLimitT !== null && !limitOk(s.transactionLimitT)) {
    problems.push(refusal('SETTING_OUT_OF_RANGE', `A transaction limit is from 1 to ${LIMIT_T_MAX} t, or none.`, 'transactionLimitT'));
  }
  for (const [accountId, v] of Object.entries(s.accountTransactionLimitsT)) {
    if (!limitOk(v)) problems.push(refusal('SETTING_OUT_OF_RANGE', `A transaction limit is from 1 to ${LIMIT_T_MAX} t.`, `accountTransactionLimitsT.${accountId}`));
  }
  const applies: string = s.limitApplies; // settings may come from a file
  if (applies !== 'untrusted' && applies !== 'all') {
    problems.push(refusal('SETTING_INVALID', "Limits apply to 'untrusted' transfers or to 'all'.", 'limitApplies'));
  }
  s.trustedOnlyAccountTypes.forEach((t, i) => {
    if (!(ACCOUNT_TYPES as readonly string[]).includes(t)) {
      problems.push(refusal('SETTING_INVALID', `An account type is one of: ${ACCOUNT_TYPES.join(', ')}.`, `trustedOnlyAccountTypes[${i}]`));
    }
  });
  if (!Number.isSafeInteger(s.representativesPerAccountMax) || s.representativesPerAccountMax < 2 || s.representativesPerAccountMax > REPRESENTATIVES_MAX) {
    // EU Art. 20: every account has at least two representatives, so a maximum below two could never be met.
    problems.push(refusal('SETTING_OUT_OF_RANGE', `Representatives per account: from 2 to ${REPRESENTATIVES_MAX}.`, 'representativesPerAccountMax'));
  }
  return problems;
}

/** The EU defaults with the given changes; throws on an invalid setting (settings are configuration, checked at start). */
export function accessSettings(overrides: Partial<AccessSettings> = {}): AccessSettings {
  const s: AccessSettings = { ...EU_DEFAULT_ACCESS_SETTINGS, ...overrides };
  const problems = accessSettingsProblems(s);
  if (problems.length > 0) throw new Error(`invalid access settings: ${problems.map((p) => `${p.field ?? ''}: ${p.message}`).join('; ')}`);
  return Object.freeze(s);
}
