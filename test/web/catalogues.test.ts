// The web app's translation catalogues (web/src/locales/<lang>/<namespace>.json): English and Japanese have the same
// namespaces and, in each, the same keys (plural forms aside: English has `_one` and `_other`, Japanese `_other`
// only), no empty text, and the same {{placeholders}} in both languages. The checks are a pure function, tried first
// on a catalogue with a key missing, so that a green run means they would catch one.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const LOCALES = join(import.meta.dirname, '../../web/src/locales');
const LANGUAGES = ['en', 'ja'] as const;
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

type Catalogue = Readonly<Record<string, unknown>>;
/** language → namespace → catalogue */
type Catalogues = Readonly<Record<string, Readonly<Record<string, Catalogue>>>>;

/** Every leaf as `a.b.c` → text; a leaf that is not text is reported as a problem. */
function leaves(node: unknown, path: string, out: Map<string, string>, problems: string[]): void {
  if (typeof node === 'string') {
    out.set(path, node);
    return;
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    problems.push(`${path}: not text`);
    return;
  }
  for (const [k, v] of Object.entries(node)) leaves(v, path === '' ? k : `${path}.${k}`, out, problems);
}

const placeholders = (text: string): string => [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!).sort().join(',');

/** What is wrong with a set of catalogues, one line per problem (empty: all is well). */
function catalogueProblems(catalogues: Catalogues): string[] {
  const problems: string[] = [];
  const [first, ...others] = LANGUAGES;
  const namespaces = new Set(LANGUAGES.flatMap((l) => Object.keys(catalogues[l] ?? {})));
  for (const ns of [...namespaces].sort()) {
    const byLanguage = new Map<string, Map<string, string>>();
    for (const lang of LANGUAGES) {
      const catalogue = catalogues[lang]?.[ns];
      if (catalogue === undefined) {
        problems.push(`${lang}/${ns}.json is missing`);
        continue;
      }
      const keys = new Map<string, string>();
      leaves(catalogue, '', keys, problems);
      for (const [key, text] of keys) if (text.trim() === '') problems.push(`${lang}/${ns}: ${key} is empty`);
      byLanguage.set(lang, keys);
    }
    // Plural forms count as one key; each needs its `_other` form in every language.
    const bases = (keys: Map<string, string>): Map<string, string> => {
      const out = new Map<string, string>();
      for (const [key, text] of keys) {
        const base = key.replace(PLURAL_SUFFIX, '');
        if (base !== key && !keys.has(`${base}_other`)) problems.push(`${ns}: ${key} has no ${base}_other`);
        if (!out.has(base) || key.endsWith('_other')) out.set(base, text);
      }
      return out;
    };
    const reference = byLanguage.get(first);
    if (reference === undefined) continue;
    const refBases = bases(reference);
    for (const lang of others) {
      const keys = byLanguage.get(lang);
      if (keys === undefined) continue;
      const langBases = bases(keys);
      for (const key of refBases.keys()) if (!langBases.has(key)) problems.push(`${lang}/${ns}: missing ${key} (in ${first})`);
      for (const key of langBases.keys()) if (!refBases.has(key)) problems.push(`${first}/${ns}: missing ${key} (in ${lang})`);
      for (const [key, text] of refBases) {
        const other = langBases.get(key);
        if (other !== undefined && placeholders(text) !== placeholders(other)) problems.push(`${ns}: ${key} has placeholders {${placeholders(text)}} in ${first} but {${placeholders(other)}} in ${lang}`);
      }
    }
  }
  return problems;
}

function readCatalogues(): Catalogues {
  const out: Record<string, Record<string, Catalogue>> = {};
  for (const lang of readdirSync(LOCALES)) {
    out[lang] = {};
    for (const file of readdirSync(join(LOCALES, lang)).filter((f) => f.endsWith('.json'))) {
      out[lang][file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(LOCALES, lang, file), 'utf8')) as Catalogue;
    }
  }
  return out;
}

describe('translation catalogues', () => {
  it('catches a missing key, an empty text, a lone plural form and different placeholders', () => {
    const good: Catalogues = {
      en: { x: { a: 'A', b: { c: 'C {{n}}' }, d_one: 'one', d_other: '{{count}} things' } },
      ja: { x: { a: 'エー', b: { c: 'シー {{n}}' }, d_other: '{{count}}個' } },
    };
    assert.deepEqual(catalogueProblems(good), []);
    assert.deepEqual(catalogueProblems({ en: good.en!, ja: { x: { a: 'エー', d_other: '{{count}}個' } } }), ['ja/x: missing b.c (in en)']);
    assert.deepEqual(catalogueProblems({ en: good.en!, ja: { x: { ...good.ja!.x, a: ' ' } } }), ['ja/x: a is empty']);
    assert.deepEqual(catalogueProblems({ en: { x: { ...good.en!.x, e_one: 'x' } }, ja: good.ja! }), ['x: e_one has no e_other', 'ja/x: missing e (in en)']);
    assert.deepEqual(catalogueProblems({ en: good.en!, ja: { x: { ...good.ja!.x, b: { c: 'シー' } } } }), ['x: b.c has placeholders {n} in en but {} in ja']);
    assert.deepEqual(catalogueProblems({ en: { ...good.en!, y: { a: 'A' } }, ja: good.ja! }), ['ja/y.json is missing']);
  });

  it('has the same keys in English and Japanese in every namespace, with no empty text', () => {
    const catalogues = readCatalogues();
    assert.deepEqual(Object.keys(catalogues).sort(), [...LANGUAGES]);
    const namespaces = Object.keys(catalogues.en ?? {});
    assert.ok(namespaces.includes('common') && namespaces.includes('public') && namespaces.includes('auth'), `namespaces: ${namespaces.join(', ')}`);
    assert.deepEqual(catalogueProblems(catalogues), []);
  });
});

/** Source files of the web app, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'locales' ? [] : sources(path);
    return /\.tsx?$/.test(e.name) ? [path] : [];
  });
}

/** Whether `a.b.c` leads to text in the catalogue (or to plural forms of it). */
function hasKey(catalogue: Catalogue | undefined, key: string): boolean {
  let node: unknown = catalogue;
  const parts = key.split('.');
  for (const [i, part] of parts.entries()) {
    if (typeof node !== 'object' || node === null) return false;
    const record = node as Record<string, unknown>;
    if (i === parts.length - 1 && typeof record[`${part}_other`] === 'string') return true;
    node = record[part];
  }
  return typeof node === 'string';
}

describe('keys used in the code', () => {
  it('exist in the catalogues: every literal t("…") of a page names a key of its namespace', () => {
    const catalogues = readCatalogues();
    const missing: string[] = [];
    let checked = 0;
    for (const file of sources(join(import.meta.dirname, '../../web/src'))) {
      const code = readFileSync(file, 'utf8');
      // The namespace of useTranslation('ns') or useTranslation(['ns', …]); 'common' without one.
      const ns = /useTranslation\(\s*\[?\s*'([\w-]+)'/.exec(code)?.[1] ?? 'common';
      for (const m of code.matchAll(/\bt\(\s*'([\w.:-]+)'/g)) {
        const [keyNs, key] = m[1]!.includes(':') ? (m[1]!.split(':') as [string, string]) : [ns, m[1]!];
        checked++;
        if (!hasKey(catalogues.en?.[keyNs], key)) missing.push(`${file.replace(/.*web\/src\//, '')}: ${keyNs}:${key}`);
      }
    }
    assert.ok(checked > 200, `the scan finds the keys (${String(checked)})`);
    assert.deepEqual(missing, []);
  });
});
