// The verifier in real Chromium against a real server, in English and Japanese: the list of submitted reports of the
// facilities assigned to their agency, a report with its lines, and its verification for their agency; a report of
// a facility that another agency verifies is neither listed nor verifiable (the server refuses, naming the agency).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { Facilities } from '../../src/app/facilities.js';
import { Registry } from '../../src/app/registry.js';
import { Reporting } from '../../src/app/reporting.js';
import { assertClean, openAppPage } from './support/browser.js';
import { signIn } from './support/seed.js';
import { startRolesRun, type RolesRun, type RolesSeed } from './support/seed-roles.js';
import { e2eEngines, type E2EServer } from './support/server.js';

for (const engine of e2eEngines()) {
  describe(`verifier pages on ${engine}`, () => {
    let server: E2EServer;
    let seed: RolesSeed;
    let browser: Browser;
    let shot: RolesRun['shot'];
    let close: RolesRun['close'];

    before(async () => {
      ({ server, seed, browser, shot, close } = await startRolesRun(engine));
      // T-0006 is verified by another agency from FY2025 on: not the verifier's.
      const facilities = new Facilities(new Registry(server.db));
      const other = await facilities.registerAgency({ jurisdictionId: seed.city.jurisdiction.id, name: 'Kanto Assurance KK', categories: ['I-1'] }, 'officer');
      await facilities.assignVerifier(seed.city.facilities[5]!.id, other.id, 2025, 'officer');
    });
    after(() => close());

    it('lists the agency’s submitted reports and verifies one (English)', async () => {
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'verifier', { next: '/verification' });
      await page.getByRole('heading', { level: 1, name: 'Reports to verify' }).waitFor();
      await page.getByText('Your agency: Tokyo Verification KK').waitFor();
      const rows = page.locator('table[data-table="report-queue"] tbody tr');
      await rows.first().waitFor();
      const listed = await rows.allInnerTexts();
      assert.deepEqual(listed.map((r) => /T-\d{4}/.exec(r)?.[0]).sort(), ['T-0005', 'T-0011'], 'T-0006 belongs to another agency from FY2025');
      await shot(app, 'roles-verifier-queue-en');

      await page.getByRole('link', { name: 'Koto Waterworks' }).click();
      await page.getByRole('heading', { level: 1, name: 'GHG Emissions Report FY2024 — T-0011' }).waitFor();
      assert.ok((await page.locator('table[data-table="report-lines"] tbody tr').count()) >= 1);
      const form = page.locator('form[data-form="verify"]');
      // The verifier's only agency is chosen for them once the agencies have loaded.
      await form.locator('select[name="agencyId"] option:checked', { hasText: 'Tokyo Verification KK' }).waitFor({ state: 'attached' });
      await shot(app, 'roles-verify-en');
      await form.getByRole('button', { name: 'Verify this report' }).click();
      await page.getByText('Verified. The authority now reviews it.').waitFor();
      await page.locator('.rp-meta .rp-badge', { hasText: 'Verified' }).waitFor();

      // Another agency's facility: the server refuses, and says why beside the agency.
      await app.goto(`/reports/${seed.submitted['T-0006']}`);
      await page.getByRole('heading', { level: 1, name: 'GHG Emissions Report FY2025 — T-0006' }).waitFor();
      await form.getByLabel('Verification agency').selectOption({ label: 'Tokyo Verification KK' });
      await form.getByRole('button', { name: 'Verify this report' }).click();
      const beside = form.locator('.field-error');
      await beside.waitFor();
      assert.match(await beside.innerText(), /^You may not do this here\. — .*is not the one assigned to this facility for FY2025 \(VERIFIER_NOT_ASSIGNED\)/);
      await assertClean(app);
      await app.close();
    });

    it('returns a submitted report to the operator with comments (English)', async () => {
      const reporting = new Reporting(server.db, { clock: server.clock.now });
      const t7 = seed.city.facilities.find((f) => f.code === 'T-0007')!;
      const draft = await reporting.createDraft(t7.id, 2025, [{ kind: 'energy', source: 'city_gas', quantity: '300', unit: 'thousand_Nm3' }], seed.city.users.operator.userId);
      await reporting.submit(draft.id, seed.city.users.operator.userId);
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'verifier', { next: `/reports/${draft.id}` });
      await page.getByRole('heading', { level: 1, name: 'GHG Emissions Report FY2025 — T-0007' }).waitFor();
      const form = page.locator('form[data-form="return"]');
      // Without comments the form says so beside the field, and nothing is sent.
      await form.getByRole('button', { name: 'Return with comments' }).click();
      await form.locator('.field-error').waitFor();
      await form.getByLabel('Comments').fill('City gas for March is missing; please add the invoice.');
      await form.getByRole('button', { name: 'Return with comments' }).click();
      await page.getByText('Returned with your comments.').waitFor();
      await page.locator('.rp-meta .rp-badge', { hasText: 'Returned' }).waitFor();
      const stored = await server.db.kysely.selectFrom('reports').select(['status', 'returned_reason']).where('id', '=', draft.id).executeTakeFirstOrThrow();
      assert.deepEqual(stored, { status: 'returned', returned_reason: 'City gas for March is missing; please add the invoice.' });
      await assertClean(app);
      await app.close();
    });

    it('verifies a report in Japanese', async () => {
      const app = await openAppPage(browser, server, { locale: 'ja' });
      const page = app.page;
      await signIn(page, 'verifier', { next: '/verification' });
      await page.getByRole('heading', { level: 1, name: '検証する算定報告書' }).waitFor();
      await page.locator('table[data-table="report-queue"]').waitFor();
      assert.ok(await page.getByRole('columnheader', { name: '登録検証機関' }).isVisible());
      await shot(app, 'roles-verifier-queue-ja');
      await page.getByRole('link', { name: 'Shibuya Station Hotel' }).click();
      await page.getByRole('heading', { level: 1, name: '2025年度 算定報告書 — T-0005' }).waitFor();
      await shot(app, 'roles-verify-ja');
      await page.getByRole('button', { name: 'この算定報告書を検証済みにする' }).click();
      await page.getByText('検証しました。次に所管行政庁が審査します。').waitFor();
      await page.locator('.rp-meta .rp-badge', { hasText: '検証済み' }).waitFor();
      await assertClean(app);
      await app.close();
    });
  });
}
