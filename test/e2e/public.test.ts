// The public pages in real Chromium against a real server, signed out, in English and Japanese: the program sheet,
// the facility disclosure table (search, sort, filters, CSV), a facility's page, the emissions charts and the ledger's
// verification. No console errors and no Content-Security-Policy violations anywhere. On SQLite the test also saves
// the screenshots (docs/screenshots/ with CITYCAP_SCREENSHOTS=docs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertClean, launchBrowser, openAppPage, VIEWPORTS, type AppPage } from './support/browser.js';
import { seedCity } from './support/seed.js';
import { e2eEngines, startServer, type E2EServer } from './support/server.js';

/** The rows the disclosure table shows now, as their codes (only the rendered window). */
async function shownCodes(page: Page): Promise<string[]> {
  return page.locator('.data-table tbody tr[data-index] td:first-child').allInnerTexts();
}

for (const engine of e2eEngines()) {
  describe(`public pages on ${engine}`, () => {
    let server: E2EServer;
    let browser: Browser;
    const screenshots = engine === 'sqlite';
    const shot = async (app: AppPage, name: string, fullPage = true): Promise<void> => {
      if (screenshots) await app.screenshot(name, { fullPage });
    };

    before(async () => {
      server = await startServer(engine);
      await seedCity(server);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser.close();
      await server.close();
    });

    it('shows the home page with the latest published result, in English and in Japanese', async () => {
      const en = await openAppPage(browser, server, { locale: 'en' });
      await en.page.getByTestId('headline').waitFor();
      assert.match(await en.page.getByTestId('headline').innerText(), /^FY2024: [\d,]+ t-CO2 from 10 covered facilities, \d+(\.\d)?% below their base-year emissions\.$/);
      assert.equal(await en.page.locator('html').getAttribute('lang'), 'en');
      await shot(en, 'home-en');
      await assertClean(en);
      await en.close();

      const ja = await openAppPage(browser, server, { locale: 'ja' });
      await ja.page.getByTestId('headline').waitFor();
      assert.match(await ja.page.getByTestId('headline').innerText(), /^2024年度：対象事業所10か所の排出量は [\d,]+ t-CO2、基準排出量比 \d+(\.\d)?% 削減。$/);
      assert.equal(await ja.page.locator('html').getAttribute('lang'), 'ja');
      assert.equal(await ja.page.getByRole('link', { name: '削減量口座簿' }).first().isVisible(), true);
      await shot(ja, 'home-ja');
      await assertClean(ja);
      await ja.close();
    });

    it('shows the program as a readable sheet: periods, compliance factors, credits', async () => {
      const en = await openAppPage(browser, server, { path: '/program' });
      await en.page.getByRole('heading', { name: 'Tokyo Cap-and-Trade Program' }).waitFor();
      const factors = en.page.locator('section', { has: en.page.getByRole('heading', { name: 'Compliance factors' }) });
      const office = factors.getByRole('row', { name: /I-1/ });
      assert.deepEqual((await office.getByRole('cell').allInnerTexts()).map((s) => s.trim()), ['8%', '17%', '27%', '50%']);
      assert.ok(await en.page.getByRole('cell', { name: 'FY2020–FY2024' }).isVisible());
      assert.ok(await en.page.getByRole('rowheader', { name: 'Outside-Tokyo Credits' }).isVisible());
      await shot(en, 'program-en');
      await assertClean(en);
      await en.close();

      const ja = await openAppPage(browser, server, { locale: 'ja', path: '/program' });
      await ja.page.getByRole('heading', { name: '東京都総量削減義務と排出量取引制度' }).waitFor();
      assert.ok(await ja.page.getByRole('cell', { name: '2020年度～2024年度' }).isVisible());
      assert.ok(await ja.page.getByRole('columnheader', { name: '第三計画期間' }).first().isVisible());
      assert.ok(await ja.page.getByRole('rowheader', { name: '都外クレジット' }).isVisible());
      await shot(ja, 'program-ja');
      await assertClean(ja);
      await ja.close();
    });

    it('searches, filters, sorts and downloads the disclosure table', async () => {
      const app = await openAppPage(browser, server, { path: '/facilities' });
      const page = app.page;
      await page.getByRole('status').filter({ hasText: '12 of 12 facilities.' }).waitFor();
      assert.equal((await shownCodes(page)).length, 12);
      assert.deepEqual((await shownCodes(page)).slice(0, 2), ['T-0001', 'T-0002']);
      await shot(app, 'facilities-en', false);

      // Search by part of the name, case-insensitively.
      await page.getByLabel('Search', { exact: true }).fill('tower');
      await page.getByRole('status').filter({ hasText: '1 of 12 facilities.' }).waitFor();
      assert.deepEqual(await shownCodes(page), ['T-0002']);
      await page.getByLabel('Search', { exact: true }).fill('');

      // Filter by category, then by use.
      await page.getByLabel('Category', { exact: true }).selectOption('II');
      await page.getByRole('status').filter({ hasText: '3 of 12 facilities.' }).waitFor();
      await page.getByLabel('Use', { exact: true }).selectOption('factory');
      await page.getByRole('status').filter({ hasText: '2 of 12 facilities.' }).waitFor();
      assert.deepEqual(await shownCodes(page), ['T-0010', 'T-0012']);
      assert.match(page.url(), /#\/facilities\?category=II&use=factory$/);

      // Sort by emissions: the biggest first, then the smallest first.
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await page.getByRole('status').filter({ hasText: '12 of 12 facilities.' }).waitFor();
      await page.getByRole('button', { name: /Emissions \(t-CO2\)/ }).click();
      assert.equal(await page.getByRole('columnheader', { name: /Emissions/ }).getAttribute('aria-sort'), 'descending');
      const emissions = async (): Promise<number[]> => (await page.locator('.data-table tbody tr[data-index] td:nth-child(6)').allInnerTexts()).filter((s) => s !== '—').map((s) => Number(s.replace(/,/g, '')));
      const descending = await emissions();
      assert.deepEqual(descending, [...descending].sort((a, b) => b - a));
      await page.getByRole('button', { name: /Emissions \(t-CO2\)/ }).click();
      const ascending = await emissions();
      assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));

      // CSV of what is shown (filtered): a header and one line per facility.
      await page.getByLabel('Compliance', { exact: true }).selectOption('shortfall');
      const expected = await shownCodes(page);
      assert.ok(expected.length > 0, 'some facilities fall short in period 3');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      assert.equal(download.suggestedFilename(), 'TOKYO-facilities-p3.csv');
      const csv = readFileSync(await download.path(), 'utf8');
      const lines = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
      assert.equal(lines[0], 'Code,Facility,Category,Use,Status,Emissions (t-CO2),Cap (t-CO2),Surrendered (t),Shortfall (t-CO2),Compliance');
      assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), expected);
      assert.ok(lines.slice(1).every((l) => l.endsWith(',Shortfall')));

      // Keyboard: the facility code is a link to its page.
      await page.getByRole('link', { name: expected[0]! }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 2, name: 'Verified emissions by fiscal year' }).waitFor();
      await assertClean(app);
      await app.close();
    });

    it('shows the disclosure table in Japanese, with Japanese statuses and the CSV in Japanese', async () => {
      const app = await openAppPage(browser, server, { locale: 'ja', path: '/facilities' });
      const page = app.page;
      await page.getByRole('status').filter({ hasText: '12件中12件を表示。' }).waitFor();
      assert.ok(await page.getByRole('columnheader', { name: /排出上限量/ }).isVisible());
      assert.ok((await page.locator('.data-table tbody').innerText()).includes('特定地球温暖化対策事業所'));
      assert.ok(await page.getByText('義務履行の数値：第三計画期間。').isVisible());
      await shot(app, 'facilities-ja', false);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSVをダウンロード' }).click()]);
      const csv = readFileSync(await download.path(), 'utf8');
      assert.ok(csv.startsWith('\uFEFF番号,事業所,区分,用途,指定状況,排出量（t-CO2）'));
      await assertClean(app);
      await app.close();
    });

    it("shows a facility's emissions by fiscal year against its cap", async () => {
      const app = await openAppPage(browser, server, { path: '/facilities/T-0003' });
      const page = app.page;
      await page.getByRole('heading', { name: 'T-0003 Otemachi Place' }).waitFor();
      await page.locator('.chart svg').first().waitFor();
      const periods = page.locator('section', { has: page.getByRole('heading', { name: 'Compliance by period' }) });
      assert.equal(await periods.getByRole('row').count(), 3, 'periods 2 and 3 and the header');
      assert.ok(await page.getByRole('rowheader', { name: 'FY2024', exact: true }).isVisible());
      await shot(app, 'facility-en');
      await assertClean(app);
      await app.close();

      const ja = await openAppPage(browser, server, { locale: 'ja', path: '/facilities/T-0003' });
      await ja.page.getByRole('heading', { name: '年度別の検証済み排出量' }).waitFor();
      await ja.page.locator('.chart svg').first().waitFor();
      assert.ok(await ja.page.getByRole('rowheader', { name: '2024年度', exact: true }).isVisible());
      await shot(ja, 'facility-ja');
      await assertClean(ja);
      await ja.close();
    });

    it('charts total emissions by fiscal year and each facility against its cap, without CSP violations', async () => {
      const app = await openAppPage(browser, server, { path: '/emissions' });
      const page = app.page;
      await page.getByRole('heading', { name: 'Total emissions by fiscal year' }).waitFor();
      await page.locator('.chart svg').nth(1).waitFor();
      assert.equal(await page.locator('.chart[role="img"]').count(), 2);
      // The by-year table: FY2015–FY2024, one row each.
      const table = page.locator('table', { has: page.getByRole('columnheader', { name: 'Fiscal year' }) });
      assert.equal(await table.locator('tbody tr').count(), 10);
      assert.ok((await page.locator('.chart').first().innerHTML()).includes('FY2024'), 'the chart labels fiscal years');
      await shot(app, 'emissions-en');
      await assertClean(app);
      await app.close();

      const ja = await openAppPage(browser, server, { locale: 'ja', path: '/emissions' });
      await ja.page.getByRole('heading', { name: '年度別の総排出量' }).waitFor();
      await ja.page.locator('.chart svg').nth(1).waitFor();
      assert.ok((await ja.page.locator('.chart').first().innerHTML()).includes('2024年度'), 'the chart labels fiscal years as 年度');
      await shot(ja, 'emissions-ja');
      await assertClean(ja);
      await ja.close();
    });

    it("shows that the ledger's journal verifies, with its head", async () => {
      const app = await openAppPage(browser, server, { path: '/ledger' });
      const page = app.page;
      await page.getByText(/The journal verifies: \d+ entr(y|ies), chain and holdings intact\.$/).waitFor();
      assert.match(await page.locator('code.hash').innerText(), /^[0-9a-f]{64}$/);
      assert.ok(await page.getByRole('rowheader', { name: /Excess emission reductions/ }).isVisible());
      await page.getByRole('button', { name: 'Verify again' }).click();
      await page.getByText(/The journal verifies/).waitFor();
      await shot(app, 'ledger-en');
      await assertClean(app);
      await app.close();

      const ja = await openAppPage(browser, server, { locale: 'ja', path: '/ledger' });
      await ja.page.getByText(/台帳は正しく検証されました/).waitFor();
      await shot(ja, 'ledger-ja');
      await assertClean(ja);
      await ja.close();
    });

    it('works at phone width: the navigation wraps and the table scrolls inside its frame', async () => {
      const app = await openAppPage(browser, server, { locale: 'ja', path: '/facilities', viewport: VIEWPORTS.phone });
      await app.page.getByRole('status').filter({ hasText: '12件中12件を表示。' }).waitFor();
      const overflow = await app.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(overflow <= 0, `the page does not scroll sideways (overflow ${String(overflow)} px)`);
      await shot(app, 'facilities-phone-ja', false);
      await assertClean(app);
      await app.close();
    });
  });
}
