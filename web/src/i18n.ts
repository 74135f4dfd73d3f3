// English and Japanese, in the programs' own vocabulary (docs: glossary-ja-en). One catalogue file per language and
// area (locales/<lang>/<namespace>.json); a test checks that both languages have the same keys. The choice is
// remembered in localStorage and reflected in <html lang>, which picks the Japanese font stack.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

const catalogues = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', { eager: true });

export const LANGUAGES = ['en', 'ja'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'citycap.lang';

function resources(): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [path, module] of Object.entries(catalogues)) {
    const [, lang, ns] = /\.\/locales\/(\w+)\/([\w-]+)\.json$/.exec(path) ?? [];
    if (lang === undefined || ns === undefined) continue;
    (out[lang] ??= {})[ns] = module.default;
  }
  return out;
}

export const NAMESPACES = [...new Set(Object.keys(catalogues).map((p) => /\/([\w-]+)\.json$/.exec(p)?.[1] ?? ''))].filter((n) => n !== '');

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'ja') return stored;
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export async function initI18n(): Promise<void> {
  const lng = initialLanguage();
  document.documentElement.lang = lng;
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: false,
    resources: resources(),
    ns: NAMESPACES,
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
}

export async function setLanguage(lng: Language): Promise<void> {
  localStorage.setItem(STORAGE_KEY, lng);
  document.documentElement.lang = lng;
  await i18next.changeLanguage(lng);
}

export function currentLanguage(): Language {
  return i18next.language === 'ja' ? 'ja' : 'en';
}

const locale = (): string => (currentLanguage() === 'ja' ? 'ja-JP' : 'en-GB');

/** Whole numbers and decimal strings from the API (tonnes arrive as strings so that nothing is rounded). */
export function formatNumber(value: number | bigint | string, fractionDigits = 0): string {
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return new Intl.NumberFormat(locale()).format(BigInt(value));
  const n = typeof value === 'string' ? Number(value) : value;
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(n);
}

export function formatPercent(value: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value);
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(iso));
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** The Japanese fiscal year: FY2024 in English, 2024年度 in Japanese. */
export function formatFiscalYear(fy: number): string {
  return currentLanguage() === 'ja' ? `${fy}年度` : `FY${fy}`;
}

/** A range of fiscal years: FY2020–FY2024 in English, 2020年度～2024年度 in Japanese. */
export function formatFiscalYearRange(first: number, last: number): string {
  return currentLanguage() === 'ja' ? `${first}年度～${last}年度` : `FY${first}–FY${last}`;
}

/** A percentage given as a figure (27 → "27 %" / "27%"), with up to `fractionDigits` decimals. */
export function formatPercentFigure(value: number, fractionDigits = 1): string {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: fractionDigits }).format(value / 100);
}
