/**
 * The user pages on a phone (360 × 640) and with assistive settings, in a real
 * browser (Debian chromium through playwright-core): the bubble that fills a
 * phone's screen leaves the host page under it inert, so Tab stays in the chat
 * and Escape gives the page back with the focus on the bubble; the panel is
 * sized to what is visible (dvh); waiting, the place in the queue is spoken when
 * it changes (politely, at most every 30 s, the first place at once) and never
 * for a new estimate alone, and a service announcement published meanwhile is
 * spoken once; chatting, the two actions share a row, the typing line is not
 * rewritten while the advisor keeps typing; with text at 200 % the header fits
 * 320 px, the message box keeps the form's width and the rating fits, its German words whole. axe-core on every view.
 * Screenshots: test/screenshots/mobile-*.png. Skips without /usr/bin/chromium.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Frame, Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip, serverApi, splitWords, type Json } from './helpers/browser.ts';
import { workerAsksForChat } from './helpers/pages.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { TestSocket } from './helpers/ws-client.ts';

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const PHONE = { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true } as const;

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  context: PHONE,
  prefix: 'mobile-',
});
const { shot, axe } = chromium;

const ctx = { proc: null as ServerProcess | null, base: '', queue: null as unknown as Page, chat: null as unknown as Page, advisor: null as unknown as TestSocket, conv: '' };
const { api, devToken } = serverApi(() => ctx.base);

/**
 * Keeps what the page's shared live region (#announce) says, with the time, in window.__said.
 * Source text: tsx would wrap a function in a `__name` helper the page does not have.
 */
const RECORD_SAID = `document.addEventListener('DOMContentLoaded', () => {
  window.__said = [];
  const el = document.getElementById('announce');
  if (!el) return;
  new MutationObserver(() => {
    const text = el.textContent.trim();
    if (text) window.__said.push({ text, at: Date.now() });
  }).observe(el, { childList: true, characterData: true, subtree: true });
});`;

type Said = { text: string; at: number };
const said = (page: Page): Promise<Said[]> => page.evaluate(() => (window as unknown as { __said: Said[] }).__said);
/** A frame from the server, as the page's chat client would receive it (past scriptQueue's filter). */
const receive = (page: Page, frame: Json) =>
  page.evaluate((f) => {
    const c = (window as unknown as { infocigChat: { dispatch(f: unknown): void } }).infocigChat;
    (Object.getPrototypeOf(c) as { dispatch(f: unknown): void }).dispatch.call(c, f);
  }, frame);
/**
 * From now on (until `false`) the page's client keeps the server's own `queue.position` frames to
 * itself, in window.__kept: the test scripts the place with receive(), and the server's real place
 * (first) with an estimate that moves as other chats end would otherwise overwrite the scripted one
 * at any moment, cancelling a place held back to be spoken.
 */
const scriptQueue = (page: Page, on: boolean) =>
  page.evaluate((on) => {
    const w = window as unknown as { __kept: unknown[]; infocigChat: { dispatch(f: unknown): void } };
    const c = w.infocigChat;
    const proto = Object.getPrototypeOf(c) as { dispatch(f: { type?: string }): void };
    w.__kept ??= [];
    if (!on) return void delete (c as { dispatch?: unknown }).dispatch;
    c.dispatch = (f: unknown) => ((f as { type?: string }).type === 'queue.position' ? void w.__kept.push(f) : proto.dispatch.call(c, f as { type?: string }));
  }, on);
/** Counts the changes of an element's text nodes from now on, in window.__changes[id]. */
const countChanges = (page: Page, id: string) =>
  page.evaluate((id) => {
    const w = window as unknown as { __changes: Record<string, number> };
    w.__changes = { ...(w.__changes ?? {}), [id]: 0 };
    new MutationObserver((records) => (w.__changes[id]! += records.length)).observe(document.getElementById(id)!, { childList: true, characterData: true, subtree: true });
  }, id);
const changes = (page: Page, id: string) => page.evaluate((id) => (window as unknown as { __changes: Record<string, number> }).__changes[id], id);

/** Where the focus is, followed into the chat frame: "iframe.infocig-frame > textarea#question". */
const FOCUS_JS = `(() => {
  const d = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : '');
  let el = document.activeElement;
  const trail = [];
  while (el) {
    trail.push(d(el));
    if (el.tagName === 'IFRAME' && el.contentDocument) el = el.contentDocument.activeElement;
    else break;
  }
  return trail.join(' > ');
})()`;
const focus = (page: Page) => page.evaluate(FOCUS_JS) as Promise<string>;
/** The host page's own content (its <main>) under an inert ancestor. */
const hostInert = (page: Page) => page.evaluate(() => document.querySelector('main')!.closest('[inert]') !== null);

/** Wider than its box: text cut or running out, or the page scrolling sideways. */
const overflowing = (target: Page | Frame) =>
  target.evaluate(() => [
    ...(document.documentElement.scrollWidth > document.documentElement.clientWidth ? [`the page scrolls sideways (${document.documentElement.scrollWidth} px)`] : []),
    ...[...document.querySelectorAll<HTMLElement>('main *, header *')]
      .filter((el) => el.offsetParent !== null && !el.closest('.sr-only') && getComputedStyle(el).clipPath !== 'inset(50%)')
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 && !['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`),
  ]);

async function chatFrame(page: Page): Promise<Frame> {
  const frame = await (await page.waitForSelector('iframe.infocig-frame', { state: 'attached' })).contentFrame();
  assert.ok(frame, 'the chat iframe has a frame');
  return frame!;
}

if (chromiumOrSkip('phone and assistive-settings test')) {
  test.before(async () => {
    ctx.proc = await startServerProcess('mobile', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    await chromium.launch();
  });

  test.after(async () => {
    await ctx.advisor?.close().catch(() => {});
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('on a phone the open bubble fills the screen and the host page under it is inert: Tab stays in the chat, Escape gives the page back with the focus on the bubble', async () => {
    const page = await chromium.newPage('phone-host');
    await page.goto(`${ctx.base}/demo/`);
    const bubble = page.locator('button.infocig-bubble');
    await bubble.waitFor();
    assert.is(await hostInert(page), false, 'closed, the bubble leaves the page alone');
    await bubble.focus();
    await page.keyboard.press('Enter');
    const chat = page.frameLocator('iframe.infocig-frame');
    await chat.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.equal(await page.locator('.infocig-panel').boundingBox(), { x: 0, y: 0, width: 360, height: 640 }, 'the panel is the whole screen');
    // Tab goes through the chat and, past its end, to the browser: never to the host's controls under the panel.
    const stops: string[] = [];
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press('Tab');
      stops.push(await focus(page));
    }
    const behind = stops.filter((s) => !s.startsWith('iframe.infocig-frame') && s !== 'body');
    assert.equal(behind, [], `Tab reached the page under the panel:\n  ${stops.join('\n  ')}`);
    assert.ok(stops.some((s) => s.includes('#question')), `Tab goes through the chat:\n  ${stops.join('\n  ')}`);
    assert.ok(await hostInert(page), 'the page under the panel is inert');
    await shot(page, 'bubble-open');
    assert.equal(await axe(await chatFrame(page), 'bubble (phone)'), []);
    await page.keyboard.press('Escape');
    await page.locator('.infocig-panel').waitFor({ state: 'hidden' });
    assert.is(await focus(page), 'button.infocig-bubble', 'the focus goes back to the bubble');
    assert.is(await page.locator('[inert]').count(), 0, 'the page is live again');
    assert.is(await bubble.getAttribute('aria-expanded'), 'false');
    await shot(page, 'bubble-closed');
  });

  test('on a desktop the panel sits beside the page, which stays usable; made narrow (a phone turned, a zoom) the page goes inert, and back', async () => {
    const page = await chromium.newPage('desktop-host', { viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false });
    await page.goto(`${ctx.base}/demo/`);
    await page.locator('button.infocig-bubble').click();
    await page.frameLocator('iframe.infocig-frame').getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    assert.is(await hostInert(page), false, 'beside the panel the page is there to use');
    await page.setViewportSize({ width: 400, height: 700 });
    await page.waitForFunction(() => document.querySelector('main')!.closest('[inert]') !== null);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForFunction(() => document.querySelector('[inert]') === null);
    assert.ok(await page.locator('.infocig-panel').isVisible(), 'still open');
  });

  test('the panel is as tall as what the browser shows (dvh: 100vh goes under the toolbars of a phone\'s browser), and the demo page\'s button fits its card on a tablet', async () => {
    const page = await chromium.newPage('tablet-host', { viewport: { width: 768, height: 1024 }, isMobile: false, hasTouch: false });
    await page.goto(`${ctx.base}/demo/`);
    await page.locator('button.infocig-bubble').waitFor();
    const maxHeight = await page.evaluate(() => {
      const sheet = [...document.styleSheets].find((s) => s.href?.endsWith('/loader.css'))!;
      const rule = [...sheet.cssRules].find((r) => r instanceof CSSStyleRule && r.selectorText === '.infocig-panel') as CSSStyleRule;
      return rule.style.maxHeight;
    });
    assert.match(maxHeight, /100dvh/, `the panel's max-height: ${maxHeight}`);
    assert.equal(await overflowing(page), [], 'nothing runs out of its box on the demo page');
    await page.locator('button.infocig-bubble').click();
    await page.frameLocator('iframe.infocig-frame').getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    const box = (await page.locator('.infocig-panel').boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= 1024, `the panel is on screen (${JSON.stringify(box)})`);
    await shot(page, 'tablet-open');
  });

  test('waiting on a phone: the place is spoken when the wait starts; a new estimate alone is not spoken, nor rewritten when its words are the same', async () => {
    const c = await chromium.newContext('queue');
    await c.addInitScript(RECORD_SAID);
    const page = await c.newPage();
    ctx.queue = page;
    await workerAsksForChat(page, ctx.base);
    await page.getByRole('heading', { name: 'Sei in coda' }).waitFor();
    await page.waitForFunction(() => (window as unknown as { __said: Said[] }).__said.some((s) => s.text.includes('coda')));
    const first = await said(page);
    assert.is(first.length, 1, JSON.stringify(first));
    // No advisor is available yet: the wait is said to be unknown (a number would be a guess).
    assert.match(first[0]!.text, /^Sei il primo in coda\. Al momento tutti i consulenti sono occupati/);
    assert.is(await page.locator('#announce').getAttribute('aria-live'), 'polite');
    assert.is(await page.locator('#queue-status').evaluate((el) => el.closest('[aria-live]')), null, 'the status line is not a live region of its own');
    await shot(page, 'queue');
    assert.equal(await overflowing(page), []);
    assert.equal(await axe(page, 'queue'), []);

    await scriptQueue(page, true);
    const eta = await page.evaluate(() => (window as unknown as { infocigChat: { waiting: { etaSeconds: number } } }).infocigChat.waiting.etaSeconds);
    const status = await page.locator('#queue-status').textContent();
    await countChanges(page, 'queue-status');
    // A new estimate in the same words (the server pushes it whenever it moves by a second).
    await receive(page, { type: 'queue.position', position: 1, etaSeconds: eta < 60 ? 30 : Math.ceil(eta / 60) * 60 - 1, etaKnown: false });
    await page.waitForTimeout(200);
    assert.is(await changes(page, 'queue-status'), 0, 'the same words are not written again');
    // A new estimate in other words: shown, not spoken.
    await receive(page, { type: 'queue.position', position: 1, etaSeconds: 1800 });
    await page.locator('#queue-status', { hasText: 'Sei il primo in coda. Attesa stimata: circa 30 minuti.' }).waitFor();
    assert.not.equal(await page.locator('#queue-status').textContent(), status);
    // A new place within 30 s of the last one spoken: shown at once, spoken when the 30 s are up (below).
    await receive(page, { type: 'queue.position', position: 3, etaSeconds: 900 });
    await page.locator('#queue-status', { hasText: 'Sei in posizione 3 nella coda.' }).waitFor();
    assert.is((await page.locator('#queue-number').textContent())?.trim(), '3');
    await page.waitForTimeout(300);
    assert.equal((await said(page)).map((s) => s.text), [first[0]!.text], 'nothing more was spoken yet');
  });

  test('waiting: a service announcement published meanwhile appears and is spoken, politely, once', async () => {
    const page = ctx.queue;
    const supervisor = await devToken({ role: 'supervisor', sub: 'sup-mobile', name: 'Sara Bianchi' });
    const title = 'Pagamenti di marzo in ritardo';
    const created = await api(supervisor, 'POST', '/api/v1/announcements', {
      severity: 'warning',
      title: { it: title },
      text: { it: 'I pagamenti diretti di marzo arriveranno entro il 20 aprile.' },
      audiences: ['worker'],
      provinces: ['MI'],
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    assert.is(created.status, 201, JSON.stringify(created.body));
    // The waiting page asks again every 30 seconds.
    const region = page.getByRole('region', { name: new RegExp(`^Avviso importante\\s*:\\s*${title}$`) });
    await region.waitFor({ timeout: 45_000 });
    assert.is(await region.evaluate((el) => el.closest('.view')?.id), 'view-queue');
    await page.waitForFunction((t) => (window as unknown as { __said: Said[] }).__said.some((s) => s.text.includes(`Nuovo avviso: ${t}`)), title);
    const spoken = (await said(page)).filter((s) => s.text.includes('Nuovo avviso'));
    assert.is(spoken.length, 1, JSON.stringify(spoken));
    assert.is(await page.locator('#announce').getAttribute('aria-live'), 'polite');
    await shot(page, 'queue-announcement');
    assert.equal(await axe(page, 'queue with announcement'), []);
  });

  test('waiting: the place held back is spoken when the 30 s are up, the first place at once, and two things said together are both said', async () => {
    const page = ctx.queue;
    await page
      .waitForFunction(() => (window as unknown as { __said: Said[] }).__said.some((s) => s.text.startsWith('Sei in posizione 3')), null, { timeout: 40_000 })
      .catch(async (err: Error) => {
        const seen = await page.evaluate(() => ({ said: (window as unknown as { __said: Said[] }).__said, kept: (window as unknown as { __kept: unknown[] }).__kept }));
        throw new Error(`${err.message}: ${JSON.stringify(seen)}`);
      });
    const all = await said(page);
    const held = all.find((s) => s.text.startsWith('Sei in posizione 3'))!;
    assert.ok(held.at - all[0]!.at >= 29_000, `30 s after the last place spoken (${held.at - all[0]!.at} ms)`);
    assert.is(all.filter((s) => s.text.startsWith('Sei in posizione 3')).length, 1);
    // The first place is spoken at once; a reconnect said in the same tick is not lost.
    const before = all.length;
    // In one task, as when a resume's frames and the socket's status arrive together (two evaluate
    // calls are two tasks, which a loaded machine can put in different frames).
    await page.evaluate(() => {
      const c = (window as unknown as { infocigChat: { dispatch(f: unknown): void; emit(type: string, d: unknown): void } }).infocigChat;
      (Object.getPrototypeOf(c) as typeof c).dispatch.call(c, { type: 'queue.position', position: 1, etaSeconds: 120 });
      c.emit('status', 'reconnecting');
      c.emit('status', 'open');
    });
    await page.waitForFunction((n) => (window as unknown as { __said: Said[] }).__said.length > n, before);
    await page.waitForTimeout(200);
    const last = (await said(page)).slice(before).map((s) => s.text);
    assert.equal(last, ['Sei il primo in coda. Attesa stimata: circa 2 minuti. Connessione ripristinata.']);
    await scriptQueue(page, false);
    await page.getByRole('button', { name: 'Esci dalla coda' }).click();
    await page.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
  });

  test('chatting on a phone: long words and addresses wrap, the two actions share one row, the typing line is not rewritten while the advisor keeps typing', async () => {
    const page = await chromium.newPage('chat');
    ctx.chat = page;
    const [adv] = await TestSocket.signIn(ctx.base.replace(/^http/, 'ws') + '/ws', await devToken({ role: 'advisor', sub: 'adv-mobile', name: 'Anna Pichler-Unterkircher' }));
    ctx.advisor = adv;
    await adv.request({ type: 'advisor.status', status: 'available' });
    await workerAsksForChat(page, ctx.base);
    const assigned = await adv.next('conversation.assigned', () => true, 10_000);
    ctx.conv = assigned.conversationId as string;
    await page.getByRole('heading', { name: 'Stai parlando con Anna Pichler-Unterkircher' }).waitFor();
    const texts = [
      'Guardi qui: https://www.inps.it/it/it/dati-e-bilanci/osservatori-statistici-e-altre-statistiche/cassa-integrazione-guadagni.html?parametro=valore&altro=1234567890',
      'Lohnausgleichskassenzahlungsverzögerungsbenachrichtigungsschreiben und Donaudampfschifffahrtsgesellschaftskapitän',
      ...Array.from({ length: 8 }, (_, i) => `Messaggio numero ${i + 1}`),
    ];
    for (const [i, text] of texts.entries()) await adv.request({ type: 'message.send', conversationId: ctx.conv, clientMsgId: `m-${i}`, text });
    await page.locator('.msg-text', { hasText: 'Messaggio numero 8' }).waitFor();
    assert.equal(await overflowing(page), []);
    const download = (await page.locator('#download').boundingBox())!;
    const end = (await page.locator('#end').boundingBox())!;
    assert.ok(Math.abs(download.y - end.y) < 2 && end.x > download.x, `one row: ${JSON.stringify({ download, end })}`);
    assert.ok(end.x + end.width <= 360, 'within the screen');
    // The advisor's page says "typing" again every 3 s while they write.
    await countChanges(page, 'typing');
    adv.send({ type: 'typing', conversationId: ctx.conv, active: true });
    await page.locator('#typing', { hasText: 'Anna Pichler-Unterkircher sta scrivendo…' }).waitFor();
    adv.send({ type: 'typing', conversationId: ctx.conv, active: true });
    adv.send({ type: 'typing', conversationId: ctx.conv, active: true });
    await page.waitForTimeout(400);
    assert.is(await changes(page, 'typing'), 1, 'written once');
    await shot(page, 'chat');
    assert.equal(await axe(page, 'chat'), []);
  });

  test('text at 200 % on a phone: the header fits 320 px, the message box keeps the width of the form (the button goes under it), the rating choices fit', async () => {
    const page = ctx.chat;
    // Through the CSSOM, which the pages' style-src 'self' allows (a style attribute in markup it would not).
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    // At 320 px the header's tools go under the title: «Lingua» stays a word (not a letter a line) and «Esci» on the screen.
    await page.setViewportSize({ width: 320, height: 640 });
    assert.equal(await overflowing(page), [], 'nothing runs out of its box at 320 px');
    const label = await page.locator('#lang-box label').evaluate((el) => ({ high: el.getBoundingClientRect().height, twoLines: 2 * parseFloat(getComputedStyle(el).fontSize) }));
    assert.ok(label.high < label.twoLines, `«Lingua» is on one line (${label.high} px high)`);
    await page.locator('header').screenshot({ path: path.join(SHOTS, 'mobile-header-320-200.png') });
    // Under the button at 320 px, the message box keeps its two rows: the conversation above keeps the screen.
    const text = await page.locator('#text').evaluate((el) => ({ high: el.getBoundingClientRect().height, em: parseFloat(getComputedStyle(el).fontSize) }));
    assert.ok(text.high < 5 * text.em, `the message box is two rows high at 320 px (${text.high} px, text ${text.em} px)`);
    await page.setViewportSize(PHONE.viewport);
    const row = (await page.locator('.composer-row').boundingBox())!;
    const box = (await page.locator('#text').boundingBox())!;
    assert.ok(box.width >= row.width - 1, `the message box is as wide as the form (${box.width} of ${row.width})`);
    await page.getByRole('button', { name: 'Termina la chat' }).click();
    await page.getByRole('heading', { name: 'Prima di chiudere' }).waitFor();
    assert.equal(await overflowing(page), []);
    await page.locator('#rate-form').screenshot({ path: path.join(SHOTS, 'mobile-rating-200.png') });
    assert.equal(await axe(page, 'rating at 200 %'), []);
    await page.evaluate(() => (document.documentElement.style.fontSize = ''));
    // At 100 % on the phone, in German: «3 – Ausreichend» stays whole in its card (it split as «Ausreichen|d»).
    await page.getByLabel('Lingua').selectOption('de');
    await page.getByRole('heading', { name: 'Bevor Sie gehen' }).waitFor();
    assert.equal(await splitWords(page, '#rate-form .choice'), [], 'the rating choices keep their words whole in German');
    await page.locator('#rate-form').screenshot({ path: path.join(SHOTS, 'mobile-rating-de.png') });
    await page.getByLabel('Sprache').selectOption('it');
    await page.getByLabel('4 – Buona').check();
    await page.getByRole('button', { name: 'Chiudi la chat' }).click();
    await page.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
    await shot(page, 'ended');
    assert.equal(await axe(page, 'ended'), []);
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
