// Sign-in in real Chromium against a real server: password and TOTP code, a wrong code refused with the message
// beside the field (English and Japanese), a wrong password, first sign-in with authenticator enrolment (QR code,
// confirmation, recovery codes shown once), sign-out, an expired session handled gracefully (banner, sign in again,
// back on the same page), and the language choice remembered. No console errors, no CSP violations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { assertClean, launchBrowser, openAppPage, type AppPage } from './support/browser.js';
import { cityOf, PASSWORD, rememberTotpSecret, seedCity, signIn, signOut, totpCode } from './support/seed.js';
import { e2eEngines, startServer, type E2EServer } from './support/server.js';

const IDLE_MS = 30 * 60_000;

/** A 6-digit code that is certainly not the right one. */
function wrongCode(right: string): string {
  return String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
}

async function fillPassword(page: Page, login: string): Promise<void> {
  const form = page.locator('form[data-form="sign-in"]');
  await form.locator('input[name="login"]').fill(login);
  await form.locator('input[name="password"]').fill(PASSWORD);
  await form.getByRole('button', { name: /Sign in|ログイン/ }).click();
}

for (const engine of e2eEngines()) {
  describe(`sign-in on ${engine}`, () => {
    let server: E2EServer;
    let browser: Browser;
    const screenshots = engine === 'sqlite';
    const shot = async (app: AppPage, name: string): Promise<void> => {
      if (screenshots) await app.screenshot(name);
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

    it('signs in with the password and the code from the authenticator app, and signs out', async () => {
      const app = await openAppPage(browser, server, { path: '/sign-in' });
      const page = app.page;
      await shot(app, 'sign-in-en');
      await fillPassword(page, 'officer');
      const code = page.getByRole('textbox', { name: 'Code' });
      await code.waitFor();
      await shot(app, 'second-factor-en');
      await code.fill(await totpCode(server, 'officer'));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('.app-header .who').getByText('Sato Kenji').waitFor();
      assert.match(page.url(), /#\/$/, 'back on the home page');
      await signOut(page);
      await assertClean(app);
      await app.close();
    });

    it('refuses a wrong code with the message next to the field, in English and in Japanese', async () => {
      const app = await openAppPage(browser, server, { path: '/sign-in' });
      const page = app.page;
      await fillPassword(page, 'verifier');
      const code = page.getByRole('textbox', { name: 'Code' });
      // Checked as typed: letters that cannot be a code.
      await code.fill('12ab');
      await code.blur();
      await page.getByText('A recovery code has 16 letters and digits').waitFor();
      assert.equal(await code.getAttribute('aria-invalid'), 'true');

      await code.fill(wrongCode(await totpCode(server, 'verifier')));
      await page.getByRole('button', { name: 'Verify' }).click();
      const message = 'The code is wrong, expired or already used. Enter the code the app shows now.';
      await page.getByText(message).waitFor();
      // Next to the field: its description, announced with it.
      const describedBy = (await code.getAttribute('aria-describedby')) ?? '';
      assert.ok(describedBy !== '');
      const described = await page.locator(describedBy.split(' ').map((id) => `[id="${id}"]`).join(',')).allInnerTexts();
      assert.ok(described.includes(message), `the field is described by the message: ${described.join(' | ')}`);
      assert.equal(await page.locator('.field.invalid input[name="code"]').count(), 1);
      await shot(app, 'second-factor-refused-en');

      // The right code still works afterwards.
      await code.fill(await totpCode(server, 'verifier'));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('.app-header .who').waitFor();
      await signOut(page);
      assert.ok(app.refusals.some((r) => r.includes('422')), 'the wrong code was a 422 refusal from the server');
      await assertClean(app);
      await app.close();

      const ja = await openAppPage(browser, server, { locale: 'ja', path: '/sign-in' });
      await fillPassword(ja.page, 'trader');
      const codeJa = ja.page.getByRole('textbox', { name: '確認コード' });
      await codeJa.fill(wrongCode(await totpCode(server, 'trader')));
      await ja.page.getByRole('button', { name: '確認' }).click();
      await ja.page.locator('.field.invalid .field-error').getByText('コードが正しくないか、有効期限切れか、使用済みです。アプリに今表示されているコードを入力してください。').waitFor();
      await shot(ja, 'second-factor-refused-ja');
      await assertClean(ja);
      await ja.close();
    });

    it('refuses a wrong password without saying which part was wrong', async () => {
      const app = await openAppPage(browser, server, { path: '/sign-in' });
      const form = app.page.locator('form[data-form="sign-in"]');
      await form.locator('input[name="login"]').fill('admin');
      await form.locator('input[name="password"]').fill('not-the-password-1234');
      await form.getByRole('button', { name: 'Sign in' }).click();
      await app.page.getByRole('alert').getByText('The login or password is wrong.').waitFor();
      assert.equal(await form.locator('input[name="password"]').inputValue(), '', 'the password is cleared');
      await assertClean(app);
      await app.close();
    });

    it('enrols a new user: QR code, confirmation with the first code, recovery codes shown once', async () => {
      const app = await openAppPage(browser, server, { path: '/sign-in?next=/facilities' });
      const page = app.page;
      await fillPassword(page, 'newcomer');
      const qr = page.getByRole('img', { name: 'QR code to add citycap to your authenticator app' });
      await qr.waitFor();
      assert.match((await qr.getAttribute('src')) ?? '', /^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
      const secret = (await page.locator('code.secret').getAttribute('data-secret')) ?? '';
      assert.match(secret, /^[A-Z2-7]{16,}$/);
      assert.equal((await page.locator('code.secret').innerText()).replace(/ /g, ''), secret, 'the key is shown to type in');
      assert.ok(((await qr.getAttribute('data-otpauth')) ?? '').includes(`secret=${secret}`), 'the QR code carries the secret');
      await shot(app, 'enrolment-en');

      // A wrong first code is refused beside the field; the right one completes the sign-in.
      const code = page.getByRole('textbox', { name: 'Code from the app' });
      const now = server.clock.now();
      const right = await generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
      await code.fill(wrongCode(right));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.locator('.field.invalid .field-error').getByText("The code does not match. Check the authenticator app and your device's clock.").waitFor();
      await code.fill(right);
      await page.getByRole('button', { name: 'Confirm' }).click();
      rememberTotpSecret(server, 'newcomer', secret, now);

      const codes = page.locator('[data-section="recovery-codes"] ol li');
      await codes.first().waitFor();
      assert.equal(await codes.count(), 10);
      for (const c of await codes.allInnerTexts()) assert.match(c, /^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
      await shot(app, 'recovery-codes-en');
      const proceed = page.getByRole('button', { name: 'Continue' });
      assert.equal(await proceed.isDisabled(), true, 'not before saying the codes are saved');
      await page.getByLabel('I have saved my recovery codes.').check();
      await proceed.click();
      await page.locator('.app-header .who').getByText('Yamamoto Aya').waitFor();
      await page.getByRole('heading', { name: 'Facilities', level: 1 }).waitFor();
      assert.match(page.url(), /#\/facilities$/, 'back where the sign-in was asked for');
      await signOut(page);

      // From now on the newcomer signs in with the enrolled app.
      await signIn(page, 'newcomer');
      await signOut(page);
      await assertClean(app);
      await app.close();
    });

    it('handles an expired session: a banner, sign in again, back on the same page', async () => {
      const app = await openAppPage(browser, server);
      const page = app.page;
      await signIn(page, 'admin', { next: '/account/security' });
      await page.getByRole('heading', { name: 'Sign-in settings' }).waitFor();
      assert.ok(await page.getByText('Aoki Haruka (admin)').isVisible());

      server.clock.advance(IDLE_MS + 60_000);
      await page.locator('.app-header').getByRole('link', { name: 'Program' }).click();
      const banner = page.locator('.session-ended');
      await banner.getByText('Your session has ended. Sign in again to continue.').waitFor();
      assert.equal(await page.locator('.app-header .who').count(), 0, 'the header no longer shows a signed-in user');
      await shot(app, 'session-ended-en');

      await banner.getByRole('link', { name: 'Sign in' }).click();
      await fillPassword(page, 'admin');
      await page.getByRole('textbox', { name: 'Code' }).fill(await totpCode(server, 'admin'));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.locator('.app-header .who').waitFor();
      await page.getByRole('heading', { name: 'Tokyo Cap-and-Trade Program' }).waitFor();
      assert.match(page.url(), /#\/program$/);
      assert.equal(await banner.count(), 0, 'the banner is gone');
      await signOut(page);
      await assertClean(app);
      await app.close();
    });

    it('asks a signed-out visitor of a signed-in page to sign in, then shows it', async () => {
      const app = await openAppPage(browser, server, { locale: 'ja', path: '/account/security' });
      const page = app.page;
      await page.getByText('このページを見るにはログインしてください。').waitFor();
      await page.locator('main').getByRole('link', { name: 'ログイン' }).click();
      await fillPassword(page, 'rep-a');
      await page.getByRole('textbox', { name: '確認コード' }).fill(await totpCode(server, 'rep-a'));
      await page.getByRole('button', { name: '確認' }).click();
      await page.getByRole('heading', { name: 'ログイン設定' }).waitFor();
      await shot(app, 'security-ja');
      await signOut(page);
      await assertClean(app);
      await app.close();
    });

    it('remembers the language chosen with the switch', async () => {
      const app = await openAppPage(browser, server, { locale: 'en', path: '/program' });
      const page = app.page;
      await page.getByRole('heading', { name: 'Tokyo Cap-and-Trade Program' }).waitFor();
      await page.getByRole('button', { name: '日本語' }).click();
      await page.getByRole('heading', { name: '東京都総量削減義務と排出量取引制度' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
      await page.reload();
      await page.getByRole('heading', { name: '東京都総量削減義務と排出量取引制度' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'ja');
      const font = await page.evaluate<string>('getComputedStyle(document.body).fontFamily');
      assert.match(font, /IPAexGothic/, 'Japanese pages use a Japanese font');
      await assertClean(app);
      await app.close();
      assert.equal(cityOf(server).users.newcomer.totpSecret, null, 'the seed itself stays as it was');
    });
  });
}
