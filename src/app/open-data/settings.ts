// The open-data settings of a deployment: how long completed transactions wait before the public transaction log
// shows them, and whether it names account holders. Defaults follow the EU Transaction Log (EUTL); see
// docs/open-data.md "The transaction log" and ../shared/docs/research/ets_anchors.md §3 ("Data published").
// Same shape and checks as AccessSettings (src/domain/access/settings.ts), where they may move later.
import { refusal, type Refusal } from '../../domain/errors.js';

const DAY_MS = 86_400_000;

export interface OpenDataSettings {
  /**
   * How long after its completion a transaction appears in the public transaction log. EUTL: transaction details are
   * published with a lag of "about 3 years" (ets_anchors.md §3). UNCONFIRMED parameter: the research marks the figure
   * [K] (check Annex XIV of Delegated Reg. (EU) 2019/1122), and the EU counts it in calendar years (X+3), which citycap
   * models as a flat 3 × 365 days counted from the completion instant, as it models the 26-hour transfer delay.
   */
  readonly transactionLogDelayMs: number;
  /**
   * Whether the log names the holders of the accounts involved. EUTL: yes — account holder names and account
   * identifiers are public; the names of representatives are not. A jurisdiction whose accounts may be held by natural
   * persons can set false: the holder columns are then empty (account numbers and types stay).
   */
  readonly transactionLogHolderNames: boolean;
}

/** Where the default delay comes from, for the catalogue and the docs. */
export const TRANSACTION_LOG_DELAY_SOURCE =
  'EUTL practice: transaction details public about 3 years after completion (ets_anchors.md §3, unconfirmed: check Annex XIV of Delegated Reg. (EU) 2019/1122)';

export const DEFAULT_OPEN_DATA_SETTINGS: OpenDataSettings = Object.freeze({
  transactionLogDelayMs: 3 * 365 * DAY_MS,
  transactionLogHolderNames: true,
});

/** A delay beyond ten years is a typo. */
export const TRANSACTION_LOG_DELAY_MS_MAX = 3653 * DAY_MS;

/** Every problem with a settings object, each naming its field. */
export function openDataSettingsProblems(s: OpenDataSettings): Refusal[] {
  const problems: Refusal[] = [];
  const delay = s.transactionLogDelayMs;
  if (!Number.isSafeInteger(delay) || delay < 0 || delay > TRANSACTION_LOG_DELAY_MS_MAX) {
    problems.push(refusal('SETTING_OUT_OF_RANGE', `The transaction log delay is a whole number of milliseconds from 0 to ${TRANSACTION_LOG_DELAY_MS_MAX} (10 years).`, 'transactionLogDelayMs'));
  }
  const names: unknown = s.transactionLogHolderNames; // settings may come from a file
  if (typeof names !== 'boolean') problems.push(refusal('SETTING_INVALID', 'transactionLogHolderNames is true or false.', 'transactionLogHolderNames'));
  return problems;
}

/** The defaults with the given changes; throws naming the field on an invalid setting (checked at start). */
export function openDataSettings(overrides: Partial<OpenDataSettings> = {}): OpenDataSettings {
  const s: OpenDataSettings = { ...DEFAULT_OPEN_DATA_SETTINGS, ...overrides };
  const problems = openDataSettingsProblems(s);
  if (problems.length > 0) throw new Error(`invalid open-data settings: ${problems.map((p) => `${p.field ?? ''}: ${p.message}`).join('; ')}`);
  return Object.freeze(s);
}

/** Environment variables of `citycap serve` and `citycap export`. */
export const DELAY_DAYS_ENV = 'CITYCAP_TRANSACTION_LOG_DELAY_DAYS';
export const HOLDER_NAMES_ENV = 'CITYCAP_TRANSACTION_LOG_HOLDER_NAMES';

/**
 * The settings from the environment: CITYCAP_TRANSACTION_LOG_DELAY_DAYS (whole days, 0–3653) and
 * CITYCAP_TRANSACTION_LOG_HOLDER_NAMES (1/0, true/false); unset variables keep the defaults. Throws naming the variable.
 */
export function openDataSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): OpenDataSettings {
  const overrides: { -readonly [K in keyof OpenDataSettings]?: OpenDataSettings[K] } = {};
  const days = env[DELAY_DAYS_ENV];
  if (days !== undefined && days !== '') {
    if (!/^\d{1,4}$/.test(days) || Number(days) > 3653) throw new Error(`${DELAY_DAYS_ENV} must be a whole number of days from 0 to 3653, not "${days.slice(0, 20)}".`);
    overrides.transactionLogDelayMs = Number(days) * DAY_MS;
  }
  const names = env[HOLDER_NAMES_ENV];
  if (names !== undefined && names !== '') {
    if (!['1', '0', 'true', 'false'].includes(names)) throw new Error(`${HOLDER_NAMES_ENV} must be 1, 0, true or false, not "${names.slice(0, 20)}".`);
    overrides.transactionLogHolderNames = names === '1' || names === 'true';
  }
  return openDataSettings(overrides);
}
