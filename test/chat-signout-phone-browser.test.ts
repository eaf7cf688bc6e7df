/**
 * «Esci» on the chat page, in chromium: a Linea INPS request being written is named before it is lost
 * («Resta nella chat» goes back to the form), as a question on the start form already was; and on a phone
 * while chatting the header keeps «Lingua» and «Esci» side by side (at 320 px with text at 200 % «Esci»
 * wrapped onto a second line on the left), and the sign-out dialog over the compact chat at a real
 * 360 × 640 viewport, in German, is wholly on the screen. The server runs in this process on the test
 * database (PostgreSQL with DATABASE_URL, else PGlite); the advisor is a socket. Screenshots:
 * test/screenshots/signout-phone-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chooseLangBehindDialog, chromiumOrSkip, splitPhrases } from './helpers/browser.ts';
import { workerAsksForChat } from './helpers/pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  context: { viewport: { width: 1024, height: 768 } },
  prefix: 'signout-phone-',
});
const { newPage, shot, axe } = chromium;

const ctx = { server: null as unknown as TestServer, advisor: null as TestSocket | null, chat: null as unknown as Page };

/**
 * Where the visible `selectors` are not wholly inside the viewport, or are cut by their own box
 * (a label wider or taller than its button).
 */
const offScreen = (page: Page, selectors: string[]) =>
  page.evaluate((sels) => {
    const out: string[] = [];
    for (const sel of sels) {
      for (const el of document.querySelectorAll<HTMLElement>(sel)) {
        if (el.closest('[hidden]') || (el.offsetParent === null && el.tagName !== 'DIALOG')) continue;
        const r = el.getBoundingClientRect();
        if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${sel}#${el.id} at ${JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round))}`);
        if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) out.push(`${sel}#${el.id} cut (${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight})`);
      }
    }
    return out;
  }, selectors);

if (chromiumOrSkip('sign-out on a phone test')) {
  test.before(async () => {
    ctx.server = await startServer();
    await chromium.launch();
  });

  test.after(async () => {
    await ctx.advisor?.close().catch(() => {});
    await chromium.close();
    await ctx.server.close();
  });

  test('«Esci» with a Linea INPS request being written says it would be lost; «Resta nella chat» goes back to the form; «Esci senza inviare» leaves', async () => {
    const w = await newPage('worker-request');
    await w.goto(`${ctx.server.url}/chat/`);
    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await w.getByRole('button', { name: 'Le mie richieste' }).click();
    await w.getByRole('button', { name: 'Nuova richiesta Linea INPS' }).click();
    await w.getByRole('heading', { name: 'Lascia una richiesta Linea INPS' }).waitFor();
    await w.getByLabel('Oggetto', { exact: true }).fill('CIGO di ottobre non pagata');
    const dialog = w.getByRole('dialog', { name: 'Uscire?' });
    const said = w.locator('#signout-request');

    await w.getByRole('button', { name: 'Esci' }).click();
    await said.filter({ hasText: 'La richiesta Linea INPS che stai scrivendo non è stata inviata e andrà persa: per inviarla scegli «Resta nella chat».' }).waitFor();
    assert.ok(await said.evaluate((p) => p.matches('.notice.notice-warning')), 'a warning, as for the question');
    assert.is(await dialog.getAttribute('aria-describedby'), 'signout-request', 'read with the request');
    assert.is(await w.locator('#signout-text').isVisible(), false, 'no chat to close: not said');
    assert.is(await w.evaluate(() => document.activeElement?.id), 'signout-stay', 'the safe answer has the focus');
    await shot(w, 'request-1024');
    assert.equal(await axe(w, 'sign-out with a request not sent'), []);
    await w.setViewportSize({ width: 360, height: 640 });
    await chooseLangBehindDialog(w, 'de');
    await said.filter({ hasText: 'Ihre Linea-INPS-Anfrage wurde nicht gesendet und geht verloren: Um sie zu senden, wählen Sie „Im Chat bleiben“.' }).waitFor();
    assert.equal(await splitPhrases(w, '#signout-dialog :is(p, button)', 'Im Chat bleiben'), [], '„Im Chat bleiben“ on one line at 360 px');
    assert.equal(await offScreen(w, ['#signout-dialog', '#signout-dialog button']), []);
    await shot(w, 'request-360-de');
    await chooseLangBehindDialog(w, 'en');
    await said.filter({ hasText: 'Your Linea INPS request has not been sent and will be lost' }).waitFor();
    await chooseLangBehindDialog(w, 'it');
    await w.setViewportSize({ width: 1024, height: 768 });

    await dialog.getByRole('button', { name: 'Resta nella chat' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await w.waitForFunction(() => document.activeElement?.id === 'tk-body', undefined, { timeout: 3000 }).catch(() => assert.unreachable('back on the form, on its text still to write'));
    assert.is(await w.getByLabel('Oggetto', { exact: true }).inputValue(), 'CIGO di ottobre non pagata', 'the subject is kept');

    await w.getByLabel('Oggetto', { exact: true }).fill('');
    await w.getByRole('button', { name: 'Esci' }).click();
    await w.getByRole('heading', { name: /Accesso di prova/ }).waitFor();
    assert.is(await w.locator('#signout-dialog').evaluate((d) => (d as HTMLDialogElement).open), false, 'an empty form: out at once');

    await w.getByRole('button', { name: 'Entra' }).click();
    await w.getByRole('button', { name: 'Le mie richieste' }).click();
    await w.getByRole('button', { name: 'Nuova richiesta Linea INPS' }).click();
    await w.getByLabel('Testo della richiesta').fill('Attendo il pagamento da settimane.');
    await w.getByRole('button', { name: 'Esci' }).click();
    await said.waitFor();
    await dialog.getByRole('button', { name: 'Esci senza inviare' }).click();
    await w.getByRole('heading', { name: /Accesso di prova/ }).waitFor();
    await w.close();
  });

  test('chatting at 320 px with text at 200 %, «Lingua» and «Esci» share one header line, on the right, nothing cut', async () => {
    const [adv] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token({ role: 'advisor', sub: 'adv-signout-phone', name: 'Anna Rossi' }));
    ctx.advisor = adv;
    await adv.request({ type: 'advisor.status', status: 'available' });
    const w = await newPage('worker-chat', { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
    await workerAsksForChat(w, ctx.server.url);
    await adv.next('conversation.assigned', () => true, 10_000);
    await w.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();

    await w.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await w.setViewportSize({ width: 320, height: 640 });
    const header = () =>
      w.evaluate(() => {
        const lang = document.querySelector('#lang')!.getBoundingClientRect();
        const out = document.querySelector('#signout')!.getBoundingClientRect();
        return { sameLine: lang.bottom > out.top && out.bottom > lang.top, rightEdges: [lang.right, out.right].map(Math.round), langLeft: lang.left, width: innerWidth };
      });
    const it = await header();
    await shot(w, 'header-320-200');
    assert.ok(it.sameLine, `«Lingua» and «Esci» on one line: ${JSON.stringify(it)}`);
    assert.ok(it.rightEdges[1]! <= it.width && it.langLeft >= 0, `both on the screen: ${JSON.stringify(it)}`);
    assert.equal(await offScreen(w, ['#lang', '#signout']), []);
    // „Abmelden“ does not fit beside „Deutsch“ at 200 %: under it, at the same right edge, rather than on the left.
    await chooseLangBehindDialog(w, 'de');
    await w.getByRole('button', { name: 'Abmelden' }).waitFor();
    const de = await header();
    await shot(w, 'header-320-200-de');
    assert.ok(de.sameLine || de.rightEdges[0] === de.rightEdges[1], `„Sprache“ and „Abmelden“ aligned: ${JSON.stringify(de)}`);
    assert.equal(await offScreen(w, ['#lang', '#signout']), []);
    await chooseLangBehindDialog(w, 'it');
    await w.evaluate(() => (document.documentElement.style.fontSize = ''));
    await w.setViewportSize({ width: 360, height: 640 });
    ctx.chat = w;
  });

  test('at a real 360 × 640 viewport, in German, the sign-out dialog over the compact chat is wholly on the screen', async () => {
    const w = ctx.chat;
    await chooseLangBehindDialog(w, 'de');
    await w.getByLabel('Ihre Nachricht').fill('Eine Frage noch');
    await w.getByRole('button', { name: 'Abmelden' }).click();
    const dialog = w.getByRole('dialog', { name: 'Abmelden?' });
    await dialog.waitFor();
    await w.locator('#signout-unsent').waitFor();
    assert.equal(w.viewportSize(), { width: 360, height: 640 });
    assert.equal(await offScreen(w, ['#signout-dialog', '#signout-dialog button', '#signout-dialog p']), []);
    assert.equal(await splitPhrases(w, '#signout-dialog :is(p, button)', 'Im Chat bleiben'), []);
    await shot(w, 'dialog-360-de');
    await dialog.getByRole('button', { name: 'Im Chat bleiben' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
