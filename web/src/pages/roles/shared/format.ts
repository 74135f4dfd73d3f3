// Wording and numbers of the role pages in the programs' own vocabulary: compliance periods as Tokyo writes them
// (第三計画期間), statuses, energy sources and units, tonnes from kilograms, and the server's refusals in the reader's
// language (the code's explanation from the catalogue, with the server's own message, which names the rule).
import i18next from 'i18next';
import { ApiError } from '../../../api';
import { errorText, fieldError as uiFieldError } from '../../../components/ui';
import { currentLanguage, formatFiscalYear, formatNumber } from '../../../i18n';
import { kgAsT, litresAsKl } from './conversion';

const KANJI_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1–99 in kanji numerals (第三計画期間). */
function kanji(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 0 ? '' : tens === 1 ? '十' : `${KANJI_DIGITS[tens]!}十`}${ones === 0 ? '' : KANJI_DIGITS[ones]!}`;
}

/** "Period 3" / 第三計画期間. */
export function periodName(n: number): string {
  return i18next.t('roles:period.name', { n: currentLanguage() === 'ja' ? kanji(n) : String(n) });
}

/** FY2020–FY2024 / 2020年度～2024年度. */
export function yearRange(first: number, last: number): string {
  return currentLanguage() === 'ja' ? `${formatFiscalYear(first)}～${formatFiscalYear(last)}` : `${formatFiscalYear(first)}–${formatFiscalYear(last)}`;
}

/** A catalogue label for a code (status, kind, unit …), or the code itself when the catalogue has none. */
export function label(group: string, code: string | null | undefined): string {
  if (code === null || code === undefined || code === '') return '—';
  const key = `roles:${group}.${code}`;
  return i18next.exists(key) ? i18next.t(key) : code;
}

/** Whole tonnes (a decimal string from the API) with the unit. */
export function tonnes(t: string | bigint | null | undefined): string {
  if (t === null || t === undefined) return '—';
  return i18next.t('roles:unit.tonnes', { value: formatNumber(t) });
}

/** Kilograms (string) as tonnes with three decimals, with the unit. */
export function kgAsTonnes(kg: string | bigint | null | undefined, unitKey: 'unit.tonnes' | 'unit.tonnesCo2e' = 'unit.tonnes'): string {
  if (kg === null || kg === undefined) return '—';
  return i18next.t(`roles:${unitKey}`, { value: formatNumber(kgAsT(BigInt(kg)), 3) });
}

/** Kilograms as whole tonnes (rounded half up), for charts and summaries. */
export function kgToWholeT(kg: string | bigint): number {
  const v = BigInt(kg);
  return Number((v + 500n) / 1000n);
}

/** Litres as kL with three decimals, with the unit. */
export function litresAsKlText(litres: string | bigint | null | undefined): string {
  if (litres === null || litres === undefined) return '—';
  return i18next.t('roles:unit.kl', { value: formatNumber(litresAsKl(BigInt(litres)), 3) });
}

/**
 * A refusal for people: the catalogue's explanation of its code (roles:apiError.CODE, then common's), followed by
 * the code; the server's own message when the catalogue does not know the code (it names the rule and the field).
 */
export function refusalText(error: unknown): string {
  if (!(error instanceof ApiError)) return errorText(error);
  const key = `roles:apiError.${error.code}`;
  if (i18next.exists(key)) return `${i18next.t(key)} (${error.code})`;
  return `${errorText(error)} (${error.code})`;
}

/** A refusal with the server's message as well: for the banner, where there is room for both. */
export function refusalDetail(error: unknown): { text: string; server: string | undefined } {
  if (!(error instanceof ApiError)) return { text: errorText(error), server: undefined };
  const text = refusalText(error);
  return { text, server: text.includes(error.message) ? undefined : error.message };
}

/** A refusal's text beside its field: the explanation in the reader's language when the code is known, then the server's words. */
function besideField(error: ApiError): string {
  const key = `roles:apiError.${error.code}`;
  return i18next.exists(key) ? `${i18next.t(key)} — ${error.message}` : errorText(error);
}

/** The server's message for exactly this field (`lines[2].quantity`). */
export function exactFieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && error.field === field ? besideField(error) : undefined;
}

/** The server's message for this field (also `x.field` and `field[i]`), as components/ui's fieldError matches it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return uiFieldError(error, field) === undefined ? undefined : besideField(error as ApiError);
}
