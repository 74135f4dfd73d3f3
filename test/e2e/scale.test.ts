// The disclosure table with a register of 10,000 more facilities, in real Chromium on SQLite: it loads in a handful of
// requests, keeps only a window of rows in the DOM, scrolls to the last facility, and searches and sorts at once.
// The figures (load time, time to show the last row) are printed, not asserted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertClean, launchBrowser, openAppPage } from './support/browser.js';
import { seedCity, seedRegister } from './support/seed.js';
import { startServer, type E2EServer } from './support/server.js';

const EXTRA_FACILITIES = 10_000;
/** The DOM holds the rows in view and a few either side, never the register. */
const ROWS_IN_DOM_MAX = 80;

interface Scrollable {
  scrollTop: number;
  scrollHeight: number;
}

describe('disclosure table with 10,000 facilities on sqlite', () => {
  let server: E2EServer;
  let browser: Browser;
  before(async () => {
    server = await startServer('sqlite');
    await seedCity(server);
    const started = Date.now();
    await seedRegister(server, EXTRA_FACILITIES);
    console.log(`register of ${String(EXTRA_FACILITIES)} facilities inserted in ${String(Date.now() - started)} ms`);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  it('holds only a window of rows and scrolls to the last facility', async () => {
    const started = Date.now();
    const app = await openAppPage(browser, server, { path: '/facilities' });
    const page = app.page;
    await page.getByRole('status').filter({ hasText: '10,012 of 10,012 facilities.' }).waitFor({ timeout: 60_000 });
    console.log(`10,012 facilities loaded and shown in ${String(Date.now() - started)} ms`);
    const rows = page.locator('.data-table tbody tr[data-index]');
    const first = await rows.count();
    assert.ok(first > 5 && first <= ROWS_IN_DOM_MAX, `a window of rows (${String(first)})`);
    assert.equal(await page.locator('.data-table table').getAttribute('aria-rowcount'), '10013');
    assert.equal(await rows.first().locator('td').first().innerText(), 'R-00001');

    const scrolled = Date.now();
    await page.locator('.data-table').evaluate((el: Scrollable) => {
      el.scrollTop = el.scrollHeight;
    });
    const last = page.locator('.data-table tbody tr[data-index="10011"]');
    await last.waitFor();
    console.log(`last row shown ${String(Date.now() - scrolled)} ms after scrolling to the end`);
    assert.equal(await last.locator('td').first().innerText(), 'T-0012');
    assert.equal(await last.getAttribute('aria-rowindex'), '10013');
    assert.ok(await last.isVisible());
    assert.ok((await rows.count()) <= ROWS_IN_DOM_MAX, 'still a window after scrolling');

    // Keyboard: the scroll area takes focus and Home goes back to the top.
    await page.locator('.data-table').focus();
    await page.keyboard.press('Home');
    await page.locator('.data-table tbody tr[data-index="0"]').waitFor();

    // Search and sort over the whole register, in the browser.
    await page.getByLabel('Search', { exact: true }).fill('R-09999');
    await page.getByRole('status').filter({ hasText: '1 of 10,012 facilities.' }).waitFor();
    await page.getByLabel('Search', { exact: true }).fill('');
    await page.getByRole('button', { name: /^Facility/ }).click();
    await page.getByRole('button', { name: /^Facility/ }).click();
    await page.locator('.data-table tbody tr[data-index="0"] td:nth-child(2)').getByText('Works R-09999').waitFor();
    await assertClean(app);
    await app.close();
  });
});
