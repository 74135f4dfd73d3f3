// Headless Debian Chromium for browser tests (playwright-core; no downloaded browsers): one browser per test file,
// one context per page so that cookies and localStorage never leak between tests. Each opened page records what
// must not happen — console errors, uncaught exceptions, Content-Security-Policy violations, server errors — so a
// test ends with `assertNoProblems()`. API refusals (4xx) are expected in some flows and kept apart.
//
//   const browser = await launchBrowser();
//   const app = await openAppPage(browser, server, { locale: 'ja', path: '/facilities' });
//   await app.page.getByRole('heading', { name: '…' }).waitFor();
//   await app.screenshot('facilities-ja');              // test-results/screenshots/facilities-ja.png
//   app.assertNoProblems();
//   await app.close(); … await browser.close();
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CITYCAP_CHROMIUM ?? '/usr/bin/chromium';
/**
 * Where screenshots go: test-results/screenshots (ignored by git) on every run, so that a test run leaves the tree
 * clean; CITYCAP_SCREENSHOTS=docs writes them to docs/screenshots instead, to refresh the documentation's pictures.
 */
export const SCREENSHOTS = join(import.meta.dirname, '../../..', process.env.CITYCAP_SCREENSHOTS === 'docs' ? 'docs/screenshots' : 'test-results/screenshots');

/** A desktop window and a phone-width one (CSS pixels). */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 860 },
  phone: { width: 390, height: 844 },
} as const;

export type Locale = 'en' | 'ja';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--font-render-hinting=none'],
  });
}

export interface OpenOptions {
  /** The language the browser asks for (navigator.language): 'en' → en-GB, 'ja' → ja-JP. Default 'en'. */
  readonly locale?: Locale;
  /** The app's hash path, e.g. '/facilities' or '/sign-in'. Default '/'. */
  readonly path?: string;
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Downloads allowed (CSV tests). Default true. */
  readonly acceptDownloads?: boolean;
}

export interface AppPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  /** Console errors, page errors, CSP violations and 5xx responses seen so far. */
  readonly problems: string[];
  /** 4xx answers from the API (a wrong code, a signed-out GET /session): expected in some flows, listed for debugging. */
  readonly refusals: string[];
  /** Goes to a hash path of the app (`/facilities`) and waits for the shell to be there. */
  goto(path: string): Promise<void>;
  /** Fails the test when any problem was recorded. */
  assertNoProblems(): void;
  /** Saves <SCREENSHOTS>/<name>.png (full page by default) and returns its path. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** Chromium logs every non-2xx fetch as "Failed to load resource: … status of 401 (…)"; 4xx are API refusals. */
const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of (\d{3})/;

/** Runs in every document before the app: CSP violations reach the page as events, even without a console message. */
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)'));
  });
`;

/** Opens the app served by `server` (anything with a `url`) in a fresh browser context. */
export async function openAppPage(browser: Browser, server: { readonly url: string }, options: OpenOptions = {}): Promise<AppPage> {
  const locale = options.locale ?? 'en';
  const context = await browser.newContext({
    locale: locale === 'ja' ? 'ja-JP' : 'en-GB',
    timezoneId: 'Asia/Tokyo',
    viewport: options.viewport ?? VIEWPORTS.desktop,
    acceptDownloads: options.acceptDownloads ?? true,
  });
  await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
  const page = await context.newPage();
  const problems: string[] = [];
  const refusals: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    const failed = FAILED_RESOURCE.exec(text);
    if (failed !== null && Number(failed[1]) < 500) refusals.push(`${text} ${m.location().url}`);
    else problems.push(`console: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`HTTP ${String(r.status())} ${r.request().method()} ${r.url()}`);
  });
  const baseUrl = server.url;
  const goto = async (path: string): Promise<void> => {
    await page.goto(`${baseUrl}/#${path}`);
    await page.locator('header.app-header').waitFor();
  };
  await goto(options.path ?? '/');
  return {
    page,
    context,
    baseUrl,
    problems,
    refusals,
    goto,
    assertNoProblems: () => {
      assert.deepEqual(problems, [], 'no console errors, page errors or server errors');
    },
    screenshot: async (name, o = {}) => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: o.fullPage ?? true });
      return path;
    },
    close: async () => {
      // Violations of the last page, before it goes.
      problems.push(...(await cspViolations(page)).map((v) => `CSP: ${v}`));
      await context.close();
    },
  };
}

/** CSP violations the page reported so far (also call before assertNoProblems when the page stays open). */
export async function cspViolations(page: Page): Promise<string[]> {
  if (page.isClosed()) return [];
  return page.evaluate<string[]>('window.__cspViolations ?? []');
}

/** assertNoProblems including the CSP violations of the current document. */
export async function assertClean(app: AppPage): Promise<void> {
  const csp = await cspViolations(app.page);
  assert.deepEqual(csp, [], 'no Content-Security-Policy violations');
  app.assertNoProblems();
}
