// Authorized representatives in real Chromium against a real server: one proposes a transfer; in their approval
// queue the approve button of their own proposal is disabled and the page says why (four-eyes rule, FOUR_EYES); the
// server refuses that approval too when it is sent anyway; a second representative approves it in Japanese (held
// for the untrusted-destination delay), and a refusal the server gives on a stale queue is shown with its code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertClean, openAppPage } from './support/browser.js';
import { signIn } from './support/seed.js';
import { startRolesRun, type RolesRun, type RolesSeed } from './support/seed-roles.js';
import { e2eEngines, type E2EServer } from './support/server.js';

/** Proposes a transfer of `quantity` t from TOKYO-200-3 to the trader's general account on the holdings page. */
async function proposeTransfer(page: Page, to: string, quantity: string): Promise<string> {
  await page.getByRole('heading', { level: 1, name: /Holdings|保有量/ }).waitFor();
  const form = page.locator('form[data-form="transfer"]');
  await form.locator('select[name="fromAccountId"]').selectOption({ label: 'TOKYO-200-3 (Otemachi Holdings KK)' });
  await form.locator('select[name="unitTypeId"]').selectOption({ index: 1 });
  await form.locator('input[name="quantityT"]').fill(quantity);
  await form.locator('input[name="toAccountId"]').fill(to);
  await form.locator('button[type="submit"]').click();
  const done = form.locator('.rp-done');
  await done.waitFor();
  const id = /transaction ([^)]+)\)|取引 ([^)]+)）/.exec(await done.innerText());
  assert.ok(id !== null, 'the confirmation names the transaction');
  return id[1] ?? id[2]!;
}

for (const engine of e2eEngines()) {
  describe(`authorized representative pages on ${engine}`, () => {
    let server: E2EServer;
    let seed: RolesSeed;
    let browser: Browser;
    let general: string;
    let shot: RolesRun['shot'];
    let close: RolesRun['close'];

    before(async () => {
      ({ server, seed, browser, shot, close } = await startRolesRun(engine));
      general = (await server.db.kysely.selectFrom('accounts').select('number').where('id', '=', seed.city.generalAccountId).executeTakeFirstOrThrow()).number;
    });
    after(() => close());

    it('refuses approving one’s own proposal: disabled with the four-eyes explanation, and FOUR_EYES from the server', async () => {
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'rep-a', { next: '/holdings' });
      const txId = await proposeTransfer(page, general, '20');

      await app.goto('/approvals');
      await page.getByRole('heading', { level: 1, name: 'Approval queue' }).waitFor();
      const item = page.locator(`li[data-tx="${txId}"]`);
      await item.waitFor();
      assert.match(await item.innerText(), /Transfer · 20 t-CO2 ERC-P3-T-0003/);
      assert.match(await item.innerText(), /Watanabe Sho \(you\)/);
      const approve = item.getByRole('button', { name: 'Approve' });
      assert.equal(await approve.isDisabled(), true, 'one’s own proposal cannot be approved');
      const why = item.locator('.rp-why[data-rule="FOUR_EYES"]');
      assert.equal(await why.innerText(), 'You proposed this transaction, so someone else must approve it (four-eyes rule). FOUR_EYES');
      // The button names its explanation for screen readers.
      assert.equal(await approve.getAttribute('aria-describedby'), await why.getAttribute('id'));
      await shot(app, 'roles-approvals-own-en');

      // The UI is not what stops it: the server refuses the same approval sent with this session.
      const refusal = await page.evaluate<{ status: number; body: { error: { code: string } } }>(`(async () => {
        const r = await fetch('/api/v1/jurisdictions/TOKYO/transactions/${txId}/approve', { method: 'POST', headers: { 'x-csrf-token': sessionStorage.getItem('citycap.csrf') ?? '' } });
        return { status: r.status, body: await r.json() };
      })()`);
      assert.equal(refusal.status, 422);
      assert.equal(refusal.body.error.code, 'FOUR_EYES');
      await assertClean(app);
      await app.close();
    });

    it('a second representative approves in Japanese; a stale queue shows the server’s refusal with its code', async () => {
      // rep-a proposes another transfer and keeps it to cancel it later.
      const a = await openAppPage(browser, server);
      await signIn(a.page, 'rep-a', { next: '/holdings' });
      const cancelled = await proposeTransfer(a.page, general, '5');

      const b = await openAppPage(browser, server, { locale: 'ja' });
      const page = b.page;
      await signIn(page, 'rep-b', { next: '/approvals' });
      await page.getByRole('heading', { level: 1, name: '承認待ち' }).waitFor();
      const items = page.locator('li[data-tx]');
      await items.first().waitFor();
      assert.equal(await items.count(), 2);
      const first = page.locator('li[data-tx]', { hasText: '20 t-CO2' });
      assert.match(await first.innerText(), /振替 · 20 t-CO2/);
      assert.match(await first.innerText(), /申請者\s*Watanabe Sho/);
      assert.equal(await first.getByRole('button', { name: '承認' }).isDisabled(), false);
      await shot(b, 'roles-approvals-ja');

      // rep-a cancels the other transfer while rep-b's queue still shows it: the server refuses rep-b's approval.
      await a.goto('/approvals');
      const mine = a.page.locator(`li[data-tx="${cancelled}"]`);
      await mine.getByRole('button', { name: 'Cancel the transaction' }).click();
      await mine.getByText('Cancelled.').waitFor();
      const stale = page.locator(`li[data-tx="${cancelled}"]`);
      await stale.getByRole('button', { name: '承認' }).click();
      const alert = stale.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /この取引はもうこの手続を待っていません。 \(INVALID_STATE\)/);

      await first.getByRole('button', { name: '承認' }).click();
      // Not on the trusted list: approved and held for the delay (cancellable until then).
      await first.getByText(/^承認しました。振替先が信頼口座リストにないため、.+以降に完了します。/).waitFor();
      await assertClean(a);
      await a.close();
      await assertClean(b);
      await b.close();
    });
  });
}
