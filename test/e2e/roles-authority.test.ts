// The authority in real Chromium against a real server: the administrator in English (what waits for a decision,
// accepting and returning reports, issuing credits, running compliance with its progress, a designation decision,
// the audit log filtered, a role granted — and granting oneself refused), the officer in Japanese (issuing credits,
// reading compliance results, the audit log, users and the program, without the administrator's actions).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertClean, openAppPage } from './support/browser.js';
import { signIn } from './support/seed.js';
import { startRolesRun, type RolesRun, type RolesSeed } from './support/seed-roles.js';
import { e2eEngines, type E2EServer } from './support/server.js';

for (const engine of e2eEngines()) {
  describe(`authority pages on ${engine}`, () => {
    let server: E2EServer;
    let seed: RolesSeed;
    let browser: Browser;
    let shot: RolesRun['shot'];
    let close: RolesRun['close'];

    before(async () => {
      ({ server, seed, browser, shot, close } = await startRolesRun(engine));
    });
    after(() => close());

    it('administrator: reviews reports, issues credits, runs compliance, decides a designation (English)', async () => {
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'admin', { next: '/authority' });
      await page.getByRole('heading', { level: 1, name: 'Authority' }).waitFor();
      const counts = page.locator('.rp-count');
      await counts.filter({ hasText: 'verified reports to accept' }).locator('.rp-count-n', { hasText: '1' }).waitFor();
      await counts.filter({ hasText: 'credit applications to decide' }).locator('.rp-count-n', { hasText: '2' }).waitFor();
      await shot(app, 'roles-authority-en');

      // Accept the verified report.
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Reports' }).click();
      await page.getByRole('heading', { level: 1, name: 'Reports to review' }).waitFor();
      await page.getByRole('link', { name: 'Ota Precision Works' }).click();
      await page.getByRole('button', { name: 'Accept the report' }).click();
      await page.getByText('Accepted.').waitFor();
      await page.locator('.rp-meta .rp-badge', { hasText: 'Accepted' }).waitFor();

      // Return a submitted report with comments.
      await app.goto(`/reports/${seed.submitted['T-0006']}`);
      const back = page.locator('form[data-form="return"]');
      await back.getByRole('button', { name: 'Return to the operator' }).click();
      await back.getByText('Required.').waitFor();
      await back.getByLabel('Comments').fill('Line 1: the supplier’s factor is not the one published for FY2025.');
      await back.getByRole('button', { name: 'Return to the operator' }).click();
      await page.getByText('Returned with your comments.').waitFor();
      await page.getByRole('note').getByText('Line 1: the supplier’s factor is not the one published for FY2025.').waitFor();

      // Issue credits.
      await app.goto('/authority/credits');
      const application = page.locator(`li[data-application="${seed.applications['T-0006']}"]`);
      await application.getByRole('button', { name: 'Show the computation' }).click();
      await application.locator('table[data-table="evidence"] tbody tr').first().waitFor();
      await shot(app, 'roles-credits-en');
      await application.getByRole('button', { name: 'Approve and issue' }).click();
      await application.getByText(/^Issued [\d,]+ t-CO2\.$/).waitFor();

      // Run compliance for period 3: progress while it runs, then the results.
      await app.goto('/authority/compliance');
      await page.getByLabel('Compliance period', { exact: true }).selectOption('3');
      // A progress bar shows while the run is under way (however short): watch the page for it.
      await page.evaluate(`new MutationObserver((_, o) => {
        if (document.querySelector('.rp-working progress') !== null) { window.__sawProgress = true; o.disconnect(); }
      }).observe(document.body, { childList: true, subtree: true })`);
      await page.getByRole('button', { name: 'Run compliance for this period' }).click();
      await page.getByText(/^Computed 12 facilities: /).waitFor();
      assert.equal(await page.evaluate('window.__sawProgress === true'), true, 'the run showed its progress');
      const results = page.getByRole('table', { name: 'Results of Compliance period 3' });
      await results.getByRole('row', { name: /T-0006/ }).waitFor();
      await page.locator('.rp-chart-box svg').waitFor();
      await shot(app, 'roles-compliance-en');

      // A designation decision, computed from the accepted reports.
      await app.goto('/authority/facilities');
      await page.getByLabel('Search by code or name').fill('hachioji');
      await page.getByRole('status').filter({ hasText: '1 of 12 facilities' }).waitFor();
      await page.getByRole('link', { name: 'T-0010' }).click();
      const designation = page.locator('form[data-form="designation"]');
      await designation.getByLabel('Fiscal year').fill('2025');
      await designation.getByRole('button', { name: 'Record the decision' }).click();
      await designation.getByText(/^Recorded: Specified Facility \(covered\) from FY2025 — /).waitFor();
      await shot(app, 'roles-authority-facility-en');
      await assertClean(app);
      await app.close();
    });

    it('administrator: reads the audit log, grants a role, and cannot grant one to themselves (English)', async () => {
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'admin', { next: '/authority/audit' });
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      await page.getByLabel('Action').fill('credit.');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const rows = page.locator('table[data-table="audit"] tbody tr');
      await rows.filter({ hasText: 'credit.approve' }).first().waitFor();
      // The unfiltered page has credit events too: wait until the filtered page has replaced it.
      await page.waitForFunction(`[...document.querySelectorAll('table[data-table="audit"] tbody tr')].every((r) => r.textContent.includes('credit.'))`);
      assert.ok((await rows.allInnerTexts()).every((r) => r.includes('credit.')));
      await shot(app, 'roles-audit-en');

      await app.goto('/authority/users');
      await page.getByRole('heading', { level: 1, name: 'Users and roles' }).waitFor();
      const grant = page.locator('form[data-form="grant-role"]');
      await grant.getByLabel('User').selectOption({ label: 'Aoki Haruka (admin)' });
      await grant.getByText('Roles are granted by someone else: you cannot grant one to yourself.').waitFor();
      assert.equal(await grant.getByRole('button', { name: 'Grant' }).isDisabled(), true);
      await grant.getByLabel('User').selectOption({ label: 'Yamamoto Aya (newcomer)' });
      await grant.getByLabel('Role').selectOption('verifier');
      await grant.getByRole('button', { name: 'Grant' }).click();
      await grant.getByText('Granted Verifier to newcomer.').waitFor();
      await page.locator('tr[data-login="newcomer"]', { hasText: 'Verifier' }).waitFor();
      // Granting it again: the server's refusal, beside the field it names.
      await grant.getByRole('button', { name: 'Grant' }).click();
      await grant.locator('.field-error', { hasText: /^The user already holds this role here\. — User .+ already holds verifier here\.$/ }).waitFor();
      await shot(app, 'roles-users-en');
      await assertClean(app);
      await app.close();
    });

    it('officer in Japanese: issues credits, reads compliance, audit, users and the program without the administrator’s actions', async () => {
      const app = await openAppPage(browser, server, { locale: 'ja' });
      const page = app.page;
      await signIn(page, 'officer', { next: '/authority' });
      await page.getByRole('heading', { level: 1, name: '所管行政庁' }).waitFor();
      await page.locator('.rp-count-n').first().waitFor();
      await shot(app, 'roles-authority-ja');

      await app.goto('/authority/credits');
      const application = page.locator(`li[data-application="${seed.applications['T-0009']}"]`);
      assert.match(await application.innerText(), /第三計画期間/);
      assert.match(await application.innerText(), /超過削減量/);
      await shot(app, 'roles-credits-ja');
      await application.getByRole('button', { name: '承認して発行' }).click();
      await application.getByText(/^[\d,]+ t-CO2を発行しました。$/).waitFor();

      await app.goto('/authority/compliance');
      await page.getByRole('heading', { level: 1, name: '義務履行' }).waitFor();
      await page.locator('.rp-chart-box svg').waitFor();
      assert.equal(await page.getByRole('button', { name: 'この計画期間の義務履行を算定' }).count(), 0, 'officers do not run compliance');
      await shot(app, 'roles-compliance-ja');

      await app.goto('/authority/audit');
      await page.locator('table[data-table="audit"] tbody tr').first().waitFor();
      await shot(app, 'roles-audit-ja');

      await app.goto('/authority/users');
      await page.locator('table[data-table="users"] tbody tr').first().waitFor();
      assert.equal(await page.locator('form[data-form="grant-role"]').count(), 0, 'officers read roles, administrators change them');
      await shot(app, 'roles-users-ja');

      await app.goto('/authority/program');
      await page.getByRole('heading', { level: 2, name: '計画期間と削減義務率' }).waitFor();
      assert.ok(await page.getByRole('rowheader', { name: '都市ガス（13A）' }).isVisible());
      await shot(app, 'roles-program-ja');
      await assertClean(app);
      await app.close();
    });
  });
}
