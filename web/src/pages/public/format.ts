// Wording helpers of the public pages: compliance period names as Tokyo writes them (第三計画期間) and shares.
import type { TFunction } from 'i18next';
import { currentLanguage } from '../../i18n';

const KANJI_DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/** 1–99 in kanji numerals (第三計画期間, 第十二計画期間). */
export function kanjiNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) return String(n);
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 0 ? '' : tens === 1 ? '十' : `${KANJI_DIGITS[tens]!}十`}${ones === 0 ? '' : KANJI_DIGITS[ones]!}`;
}

/** "Period 3" / 第三計画期間. */
export function periodName(t: TFunction, n: number): string {
  return t('public:program.periodName', { n: currentLanguage() === 'ja' ? kanjiNumeral(n) : String(n) });
}

/** A share written as "1/3" or "0.5": 1/3 in English, 3分の1 in Japanese. */
export function ratioText(ratio: string): string {
  const m = /^(\d+)\/(\d+)$/.exec(ratio);
  if (m === null) return ratio;
  return currentLanguage() === 'ja' ? `${m[2]!}分の${m[1]!}` : `${m[1]!}/${m[2]!}`;
}
