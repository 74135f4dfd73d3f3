// The browser-test harness itself: a real server on both engines, the seeded city, and sign-in through the form.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertClean, cspViolations, launchBrowser, openAppPage } from './support/browser.js';
import { cityOf, LOGINS, seedCity, signIn, signOut } from './support/seed.js';
import { e2eEngines, startServer, type E2EServer } from './support/server.js';

for (const engine of e2eEngines()) {
  describe(`e2e harness on ${engine}`, () => {
    let server: E2EServer;
    let browser: Browser;
    before(async () => {
      const started = Date.now();
      server = await startServer(engine);
      await seedCity(server);
      console.log(`seeded ${engine} in ${String(Date.now() - started)} ms`);
      browser = await launchBrowser();
    });
    after(async () => {
      await browser.close();
      await server.close();
    });

    it('seeds every role with an enrolled authenticator, except the newcomer', () => {
      const city = cityOf(server);
      assert.equal(city.facilities.length, 12);
      for (const login of LOGINS) assert.equal(city.users[login].totpSecret === null, login === 'newcomer', login);
    });

    it('records Content-Security-Policy violations, so that a clean page means something', async () => {
      const app = await openAppPage(browser, server);
      await app.page.evaluate(`document.body.insertAdjacentHTML('beforeend', '<img alt="" src="https://example.invalid/x.png">')`);
      await app.page.waitForFunction('window.__cspViolations.length > 0');
      assert.match((await cspViolations(app.page)).join(' '), /img-src blocked https:\/\/example\.invalid/);
      assert.ok(app.problems.some((p) => p.includes('Content Security Policy')), `the console error is recorded too: ${app.problems.join(' | ')}`);
      await app.close();
    });

    it('signs a seeded user in through the form with a TOTP code, twice within 30 seconds', async () => {
      const app = await openAppPage(browser, server);
      await signIn(app.page, 'admin');
      assert.match(await app.page.locator('.app-header .who').innerText(), /Aoki Haruka/);
      await signOut(app.page);
      await signIn(app.page, 'admin');
      await signOut(app.page);
      await assertClean(app);
      await app.close();
    });
  });
}
