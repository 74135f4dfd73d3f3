// The facility operator in real Chromium against a real server, in English and Japanese: from sign-in to a submitted
// GHG Emissions Report — fuel lines with the crude-oil equivalent and CO2 computed as they are typed, a format
// problem shown as it is typed, a line the registry refuses shown with the registry's message next to the field it
// names — then the facility's history and compliance chart; and the holdings page: a surrender refused for a closed
// period (next to the period field), a surrender that goes through, and a transfer proposal. On SQLite the test
// saves the screenshots roles-*.png (docs/screenshots/ with CITYCAP_SCREENSHOTS=docs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertClean, openAppPage, VIEWPORTS } from './support/browser.js';
import { signIn } from './support/seed.js';
import { RETURN_REASON, startRolesRun, type RolesRun, type RolesSeed } from './support/seed-roles.js';
import { e2eEngines, type E2EServer } from './support/server.js';

/** The line fieldset of the report form at `index`. */
const line = (page: Page, index: number) => page.locator(`li[data-line="${String(index)}"]`);

for (const engine of e2eEngines()) {
  describe(`facility operator pages on ${engine}`, () => {
    let server: E2EServer;
    let seed: RolesSeed;
    let browser: Browser;
    let shot: RolesRun['shot'];
    let close: RolesRun['close'];

    before(async () => {
      ({ server, seed, browser, shot, close } = await startRolesRun(engine));
    });
    after(() => close());

    it('files a report with live figures; a refused line shows the registry message next to its field; submits (English)', async () => {
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'operator', { next: '/operator' });
      await page.getByRole('heading', { level: 1, name: 'My facilities' }).waitFor();
      await page.locator('.rp-card').first().waitFor();
      assert.equal(await page.locator('.rp-card').count(), 3);
      await shot(app, 'roles-operator-facilities-en');

      await page.locator('.rp-card', { hasText: 'T-0001' }).getByRole('link', { name: 'New GHG Emissions Report' }).click();
      await page.getByRole('heading', { level: 1, name: 'New GHG Emissions Report' }).waitFor();
      assert.equal(await page.getByLabel('Fiscal year').inputValue(), '2025');
      await page.getByText('Converted with the emission factors of Compliance period 4.').waitFor();

      // Line 1: grid electricity in period 4 needs the supplier's factor. A comma is caught as it is typed.
      await line(page, 0).getByLabel('Quantity (MWh)').fill('12,000');
      await line(page, 0).getByText('Write the number as metered').waitFor();
      assert.equal(await line(page, 0).getByLabel('Quantity (MWh)').getAttribute('aria-invalid'), 'true');
      await line(page, 0).getByLabel('Quantity (MWh)').fill('12000');
      await line(page, 0).getByLabel(/Supplier's emission factor/).fill('0.45');
      assert.equal(await line(page, 0).locator('output[data-line-coe]').innerText(), '3,021.696 kL');
      assert.equal(await line(page, 0).locator('output[data-line-co2]').innerText(), '5,400.000 t-CO2');
      await line(page, 1).getByLabel('Quantity (thousand Nm³)').fill('300');
      assert.equal(await line(page, 1).locator('output[data-line-co2]').innerText(), '669.000 t-CO2');
      const totals = page.getByTestId('report-totals');
      assert.equal(await totals.locator('[data-total="coe"]').innerText(), '3,369.996 kL');
      assert.equal(await totals.locator('[data-total="co2"]').innerText(), '6,069.000 t-CO2');

      // An other-gas line whose gas the registry refuses: its message appears next to that field.
      await page.getByRole('button', { name: 'Add an other-gas line' }).click();
      await line(page, 2).getByLabel('Gas').fill('CH4 (methane)');
      await line(page, 2).getByLabel('Quantity (t-CO2e)').fill('12.5');
      assert.equal(await totals.locator('[data-total="other"]').innerText(), '12.500 t-CO2e');
      await page.getByLabel('Verification result report', { exact: true }).check();
      await page.getByRole('button', { name: 'Save and submit for verification' }).click();
      const refused = page.locator('[data-field="lines[2].source"]');
      await refused.waitFor();
      assert.match(await refused.innerText(), /^Name the gas with letters, digits.*— name the gas with 1–32 letters/);
      assert.equal(await line(page, 2).getByLabel('Gas').getAttribute('aria-invalid'), 'true');
      await page.getByRole('alert').filter({ hasText: 'see the message next to the field it names' }).waitFor();
      await shot(app, 'roles-report-refused-en');

      await line(page, 2).getByLabel('Gas').fill('CH4');
      await page.getByRole('button', { name: 'Save and submit for verification' }).click();
      await page.getByText('Submitted for verification.').waitFor();
      assert.match(page.url(), /#\/reports\/[^?]+\?submitted=1$/);
      await page.locator('.rp-meta .rp-badge', { hasText: 'Submitted' }).waitFor();
      assert.equal(await page.locator('.rp-meta .rp-badge').innerText(), 'Submitted');
      assert.equal(await page.locator('[data-figure="coe"]').innerText(), '3,369.996 kL');
      assert.equal(await page.locator('[data-figure="co2"]').innerText(), '6,069.000 t-CO2');
      assert.equal(await page.locator('table[data-table="report-lines"] tbody tr').count(), 3);
      await shot(app, 'roles-report-submitted-en');

      await page.getByRole('link', { name: 'T-0001' }).click();
      await page.getByRole('heading', { level: 1, name: 'Marunouchi Kanda Building' }).waitFor();
      const fy2025 = page.locator('section', { has: page.getByRole('heading', { name: 'Reports and their status' }) }).getByRole('row', { name: /FY2025/ });
      assert.match(await fy2025.innerText(), /Submitted/);
      await page.locator('.rp-chart-box svg').first().waitFor();
      assert.ok(await page.getByRole('img', { name: /Bar chart: emission cap, emissions and credits surrendered/ }).isVisible());
      await shot(app, 'roles-operator-facility-en');
      await assertClean(app);
      await app.close();
    });

    it('files a report in Japanese, with the refusal in Japanese next to the field, on a phone-width screen', async () => {
      const app = await openAppPage(browser, server, { locale: 'ja', viewport: VIEWPORTS.phone });
      const page = app.page;
      await signIn(page, 'operator', { next: '/operator/T-0002/reports/new' });
      await page.getByRole('heading', { level: 1, name: '算定報告書の作成' }).waitFor();
      assert.equal(await page.getByLabel('年度').locator('option:checked').innerText(), '2025年度');
      await line(page, 0).getByLabel('使用量 (MWh（千kWh）)').fill('9000');
      await line(page, 0).getByLabel(/供給事業者の排出係数/).fill('0.5');
      await line(page, 1).getByLabel('使用量 (千Nm³)').fill('-5');
      await line(page, 1).getByText('使用量に負の数は入力できません。').waitFor();
      await line(page, 1).getByLabel('使用量 (千Nm³)').fill('100');
      assert.equal(await page.getByTestId('report-totals').locator('[data-total="co2"]').innerText(), '4,723.000 t-CO2');
      await page.getByRole('button', { name: 'その他ガスの行を追加' }).click();
      await line(page, 2).getByLabel('ガスの種類').fill('N2O / HFC');
      await line(page, 2).getByLabel('使用量 (t-CO2e)').fill('3');
      await page.getByRole('button', { name: '保存して検証に提出' }).click();
      const refused = page.locator('[data-field="lines[2].source"]');
      await refused.waitFor();
      assert.match(await refused.innerText(), /^ガスの種類は英数字/);
      await shot(app, 'roles-report-form-phone-ja');
      await line(page, 2).getByLabel('ガスの種類').fill('N2O');
      await page.getByRole('button', { name: '保存して検証に提出' }).click();
      await page.getByText('検証に提出しました。').waitFor();
      await page.locator('.rp-meta .rp-badge', { hasText: '提出済み' }).waitFor();
      assert.equal(await page.locator('.rp-meta .rp-badge').innerText(), '提出済み');
      await assertClean(app);
      await app.close();
    });

    it('shows a facility with its reports and compliance chart in Japanese', async () => {
      const app = await openAppPage(browser, server, { locale: 'ja' });
      const page = app.page;
      await signIn(page, 'operator', { next: '/operator/T-0003' });
      await page.getByRole('heading', { level: 1, name: 'Otemachi Place' }).waitFor();
      await page.getByRole('heading', { level: 2, name: '義務履行状況' }).waitFor();
      await page.locator('.rp-chart-box svg').first().waitFor();
      assert.ok(await page.getByRole('rowheader', { name: '第三計画期間 (2020年度～2024年度)' }).isVisible());
      await page.getByRole('heading', { level: 3, name: '第三計画期間 (2020年度～2024年度)' }).waitFor();
      await shot(app, 'roles-operator-facility-ja');
      await assertClean(app);
      await app.close();
    });

    it('corrects a returned report as a new version, and chooses base years', async () => {
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'operator', { next: `/reports/${seed.returned}` });
      await page.getByRole('heading', { level: 1, name: 'GHG Emissions Report FY2025 — T-0003' }).waitFor();
      assert.equal(await page.locator('.rp-meta .rp-badge').innerText(), 'Returned');
      await page.getByRole('note').getByText(RETURN_REASON).waitFor();
      await page.getByRole('button', { name: 'Correct this report' }).click();
      const form = page.locator('form[data-form="correction"]');
      await form.getByLabel('Quantity (thousand Nm³)').fill('130');
      // The supplier's factor is not kept by the registry: it is asked for again.
      await form.getByRole('button', { name: 'Save the correction as a draft' }).click();
      await form.getByText("This period uses the supplier's published factor: enter it.").waitFor();
      await form.getByLabel(/Supplier's emission factor/).fill('0.441');
      await form.getByRole('button', { name: 'Save the correction as a draft' }).click();
      await page.getByText('The correction is saved as a new draft version.').waitFor();
      // The page moves to the new version after the message: wait for it before reading.
      await page.locator('.rp-meta .rp-badge', { hasText: 'Draft' }).waitFor();
      assert.match(await page.locator('.rp-meta').innerText(), /version 2\s+Draft/);
      await page.getByRole('button', { name: 'Submit for verification' }).click();
      await page.locator('.rp-meta .rp-badge', { hasText: 'Submitted' }).waitFor();
      await page.getByText('Submitted for verification.').waitFor();

      await app.goto('/operator/T-0003');
      const history = page.locator('section', { has: page.getByRole('heading', { name: 'Reports and their status' }) });
      await history.getByRole('row', { name: /FY2025 version 2 Submitted/ }).waitFor();
      await history.getByRole('row', { name: /FY2025 version 1 Returned/ }).waitFor();
      const base = page.locator('section', { has: page.getByRole('heading', { name: 'Base years' }) });
      await base.getByLabel('Base years').selectOption('2005');
      await base.getByText('No accepted report for FY2005, FY2006, FY2007.').waitFor();
      assert.equal(await base.getByRole('button', { name: 'Choose these base years' }).isDisabled(), true);
      await base.getByLabel('Base years').selectOption('2002');
      await base.getByText(/^Average of the accepted reports \(FY2002, FY2003, FY2004\): [\d,.]+ t-CO2\.$/).waitFor();
      await base.getByRole('button', { name: 'Choose these base years' }).click();
      await base.getByText(/^Chosen: base-year emissions [\d,]+ t-CO2/).waitFor();
      await assertClean(app);
      await app.close();
    });

    it('surrenders units for the obligation and proposes a transfer from the holdings page', async () => {
      const general = await server.db.kysely.selectFrom('accounts').select('number').where('id', '=', seed.city.generalAccountId).executeTakeFirstOrThrow();
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'operator', { next: '/holdings' });
      await page.getByRole('heading', { level: 1, name: 'Holdings' }).waitFor();
      const summary = page.locator('table[data-table="holdings-summary"]');
      assert.match(await summary.innerText(), /Excess emission reductions\s+Compliance period 3\s+[\d,]+ t-CO2/);
      await shot(app, 'roles-holdings-en');

      // Period 3's fulfilment deadline has passed: the registry says so next to the period.
      const surrender = page.locator('form[data-form="surrender"]');
      await surrender.getByLabel('Facility').selectOption({ label: 'T-0003 — TOKYO-200-3' });
      await surrender.getByLabel('Compliance period').selectOption('3');
      await surrender.getByLabel('Unit type').selectOption({ index: 1 });
      await surrender.getByLabel('Quantity (t-CO2)').fill('100');
      await surrender.getByRole('button', { name: 'Surrender' }).click();
      await surrender.getByText(/^The fulfilment deadline of this period has passed\. — Units for period 3 could be surrendered until 2026-09-30/).waitFor();
      // Period 4 takes them (banking into the next period).
      await surrender.getByLabel('Compliance period').selectOption('4');
      await surrender.getByRole('button', { name: 'Surrender' }).click();
      await surrender.getByText('100 t-CO2 surrendered for Compliance period 4.').waitFor();

      const transfer = page.locator('form[data-form="transfer"]');
      await transfer.getByLabel('From account').selectOption({ label: 'TOKYO-200-3 (Otemachi Holdings KK)' });
      await transfer.getByLabel('Unit type').selectOption({ index: 1 });
      await transfer.getByLabel('Quantity (t-CO2)').fill('0');
      await transfer.getByText('Write whole tonnes from 1').waitFor();
      await transfer.getByLabel('Quantity (t-CO2)').fill('25');
      await transfer.getByLabel('To account').fill(general.number);
      await transfer.getByRole('button', { name: 'Propose the transfer' }).click();
      await transfer.getByText(/Proposed \(transaction .+\)\. It now waits for another representative's approval\./).waitFor();
      await assertClean(app);
      await app.close();

      const ja = await openAppPage(browser, server, { locale: 'ja' });
      await signIn(ja.page, 'operator', { next: '/holdings' });
      await ja.page.getByRole('heading', { level: 1, name: '保有量' }).waitFor();
      await ja.page.locator('table[data-table="holdings-summary"]').waitFor();
      await shot(ja, 'roles-holdings-ja');
      await assertClean(ja);
      await ja.close();
    });
  });
}
