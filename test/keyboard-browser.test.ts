/**
 * Keyboard only, in a real browser: after the first `goto` of each page every
 * step is a key press (Tab, Shift+Tab, Enter, Space, arrows, Escape), never a
 * click. A worker on the demo page opens the bubble, picks a topic, starts the
 * chat and writes; an advisor signs in, goes available, replies and closes with
 * an outcome; the worker rates and closes; the same start again in English.
 * At every step the focused element (followed into the same-origin chat frame)
 * must show a visible focus indicator, and focus must never fall back to <body>.
 * Also: widget files come back gzip-compressed with a short public cache.
 * Screenshots go to test/screenshots/keyboard-*.png. Skips without chromium.
 */
import { gunzipSync } from 'node:zlib';
import { ANY_REFUSAL, browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { FrameLocator, Page } from 'playwright-core';

const chromium = browserHarness({
  console: { refused: ANY_REFUSAL, expected: /WebSocket connection to/i },
  context: { viewport: { width: 1280, height: 860 } },
  prefix: 'keyboard-',
  serveAxe: false,
});
const { shot } = chromium;

const ctx = {
  proc: null as ServerProcess | null,
  base: '',
  worker: null as unknown as Page,
  advisor: null as unknown as Page,
  chat: null as unknown as FrameLocator,
};

interface Focus {
  /** The path through frames, e.g. "iframe.infocig-frame > textarea#text". */
  where: string;
  tag: string;
  id: string;
  name: string;
  type: string;
  text: string;
  label: string;
  visible: boolean;
  indicator: string;
}

/**
 * The focused element, followed into same-origin iframes, and whether it shows a focus indicator.
 * Sent as source text: tsx would wrap named functions in a `__name` helper the page does not have.
 */
const FOCUSED_JS = `(() => {
  let doc = document;
  let el = doc.activeElement;
  const trail = [];
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList.length ? '.' + [...e.classList].join('.') : '');
  while (el && el.tagName === 'IFRAME') {
    trail.push(describe(el));
    const inner = el.contentDocument;
    if (!inner) break;
    doc = inner;
    el = inner.activeElement;
  }
  if (!el) return { where: trail.join(' > ') || '(none)', tag: '', id: '', name: '', type: '', text: '', label: '', visible: false, indicator: '' };
  trail.push(describe(el));
  const cs = doc.defaultView.getComputedStyle(el);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
  const shadow = cs.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  const lbl = (el.id ? doc.querySelector('label[for="' + el.id + '"]')?.textContent : el.closest('label')?.textContent) ?? '';
  return {
    where: trail.join(' > '),
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.name ?? '',
    type: el.type ?? '',
    text: (el.textContent ?? '').trim().replace(/\\s+/g, ' ').slice(0, 80),
    label: (el.getAttribute('aria-label') ?? lbl).trim().replace(/\\s+/g, ' '),
    visible: r.width > 0 && r.height > 0,
    indicator: outline ? 'outline ' + cs.outlineWidth + ' ' + cs.outlineStyle + ' ' + cs.outlineColor : shadow ? 'box-shadow ' + cs.boxShadow : '',
  };
})()`;

function focused(page: Page): Promise<Focus> {
  return page.evaluate(FOCUSED_JS) as Promise<Focus>;
}

/** Asserts the focus is on a visible element (not body) that shows a focus indicator. */
async function assertFocus(page: Page, step: string): Promise<Focus> {
  const f = await focused(page);
  assert.ok(f.tag && f.tag !== 'body' && f.tag !== 'html', `${step}: focus is lost (${f.where})`);
  assert.ok(f.visible, `${step}: the focused element is not rendered (${f.where})`);
  assert.ok(f.indicator, `${step}: no visible focus indicator on ${f.where}`);
  return f;
}

/** Presses Tab (or Shift+Tab) until `want` matches the focused element, checking every stop on the way. */
async function tabTo(page: Page, want: (f: Focus) => boolean, what: string, opts: { back?: boolean; max?: number } = {}): Promise<Focus> {
  const seen: string[] = [];
  for (let i = 0; i < (opts.max ?? 40); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    seen.push(f.where);
    if (f.tag === 'body') continue; // between the end of the document and the browser UI
    assert.ok(f.indicator, `no visible focus indicator on ${f.where} (tabbing to ${what})`);
    if (want(f)) return f;
  }
  assert.unreachable(`could not reach ${what} by ${opts.back ? 'Shift+Tab' : 'Tab'}; focus went through:\n  ${seen.join('\n  ')}`);
  throw new Error('unreachable');
}

const byId = (id: string) => (f: Focus) => f.id === id;
const byText = (re: RegExp) => (f: Focus) => f.tag === 'button' && re.test(f.text || f.label);

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.proc = await startServerProcess('keyboard', { SERVICE_HOURS: 'always' });
    ctx.base = ctx.proc.base;
    await chromium.launch();
    ctx.worker = await chromium.newPage('worker');
    ctx.advisor = await chromium.newPage('advisor');
    ctx.chat = ctx.worker.frameLocator('iframe.infocig-frame');
  });

  test.after(async () => {
    await chromium.close();
    await ctx.proc?.stop();
  });

  test('widget files are served gzip-compressed, byte for byte, with a short public cache', async () => {
    const plain = await fetch(`${ctx.base}/chat/chat.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.is(plain.status, 200);
    assert.is(plain.headers.get('content-encoding'), null);
    const original = Buffer.from(await plain.arrayBuffer());
    // node's fetch decodes gzip by itself: read the raw bytes through node:http instead.
    const http = await import('node:http');
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      http.get(`${ctx.base}/chat/chat.js`, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(parts) }));
      }).on('error', reject);
    });
    assert.is(raw.headers['content-encoding'], 'gzip');
    assert.match(String(raw.headers['vary'] ?? ''), /accept-encoding/i);
    assert.match(String(raw.headers['cache-control'] ?? ''), /public, max-age=300/);
    assert.match(String(raw.headers['content-security-policy'] ?? ''), /script-src 'self'/);
    assert.ok(raw.body.length < original.length / 2, `compressed ${raw.body.length} of ${original.length} bytes`);
    assert.ok(gunzipSync(raw.body).equals(original), 'decodes to the same bytes');
    // fetch (which decodes) also works, and a second request comes from the cache with the same bytes.
    const again = Buffer.from(await (await fetch(`${ctx.base}/chat/chat.js`)).arrayBuffer());
    assert.ok(again.equals(original));
    // The API is not touched.
    const api = await fetch(`${ctx.base}/api/v1/availability?province=MI&audience=worker`, { headers: { 'accept-encoding': 'gzip' } });
    assert.is(api.headers.get('cache-control')?.includes('max-age=300') ?? false, false);
  });

  test('(a) a worker reaches the bubble by Tab, opens it with Enter, picks a topic, starts the chat and writes', async () => {
    const page = ctx.worker;
    await page.goto(`${ctx.base}/demo/`);
    await page.locator('button.infocig-bubble').waitFor();
    // The skip link comes first and is visible when focused.
    const skip = await tabTo(page, (f) => f.tag === 'a', 'the skip link', { max: 1 });
    assert.match(skip.text, /Vai al contenuto/);
    const bubble = await tabTo(page, (f) => f.where.includes('infocig-bubble'), 'the chat bubble');
    assert.is(bubble.label, 'Apri la chat INFO CIG');
    await shot(page, 'bubble-focus');
    await page.keyboard.press('Enter');
    await ctx.chat.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await page.waitForFunction(() => (document.activeElement as HTMLIFrameElement | null)?.contentDocument?.activeElement?.id === 'start-title');
    const inFrame = await assertFocus(page, 'after opening the bubble');
    assert.ok(inFrame.where.startsWith('iframe.infocig-frame'), `focus moves into the chat (${inFrame.where})`);

    // Topics: Tab reaches the radio group, arrows choose, Space confirms the first.
    const radio = await tabTo(page, (f) => f.name === 'topic', 'the topic choice');
    assert.is(radio.type, 'radio');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    const checked = await ctx.chat.locator('input[name="topic"]:checked').evaluate((i) => (i as HTMLInputElement).closest('label')!.textContent);
    assert.is(checked, 'CIGO – Cassa integrazione ordinaria');
    await assertFocus(page, 'on the chosen topic');
    await tabTo(page, byId('question'), 'the question');
    await page.keyboard.type('Domanda scritta con la tastiera');
    await tabTo(page, byText(/^Avvia la chat$/), 'the start button');
    await shot(page, 'start');
    await page.keyboard.press('Enter');
    await ctx.chat.locator('#queue-status', { hasText: 'Sei il primo in coda' }).waitFor();
    const q = await assertFocus(page, 'in the queue');
    assert.is(q.id, 'queue-title', 'focus follows to the queue heading');
  });

  test('(b) the advisor signs in, goes available, reaches the chat, replies and closes with an outcome', async () => {
    const adv = ctx.advisor;
    await adv.goto(`${ctx.base}/advisor/`);
    await adv.locator('#si-name').waitFor();
    await adv.waitForFunction(() => document.activeElement?.id === 'si-name');
    // The name field has focus on arrival; fill the form with keys.
    await adv.keyboard.press('Control+A');
    await adv.keyboard.type('Anna Rossi');
    await tabTo(adv, byId('si-sub'), 'the user code');
    await adv.keyboard.press('Control+A');
    await adv.keyboard.type('adv-kbd');
    await tabTo(adv, byText(/^Entra$/), 'the sign-in button');
    await adv.keyboard.press('Enter');
    await adv.getByRole('heading', { name: 'Chat assegnate' }).waitFor();
    await adv.locator('#load', { hasText: 'Chat aperte: 0 su 3' }).waitFor();
    await assertFocus(adv, 'after signing in');

    const status = await tabTo(adv, (f) => f.name === 'status', 'the status switch');
    assert.is(status.label.trim() || status.id, status.label.trim() || status.id);
    // Arrows move within the radio group: to "Disponibile" (the first).
    await adv.keyboard.press('ArrowUp');
    await adv.waitForFunction(() => (document.querySelector('input[name="status"]:checked') as HTMLInputElement | null)?.value === 'available');
    await assertFocus(adv, 'on Disponibile');
    const card = adv.locator('article.chat-card', { has: adv.getByRole('heading', { name: 'Mario Rossi' }) });
    await card.waitFor();
    await adv.locator('#load', { hasText: 'Chat aperte: 1 su 3' }).waitFor();
    await assertFocus(adv, 'when a chat is assigned'); // the assignment does not steal or drop focus

    // Ready answers: arrowing through the list reads them and inserts none; "Inserisci" puts the chosen one in.
    await tabTo(adv, (f) => f.tag === 'select' && /Risposte pronte/.test(f.label), 'the ready answers');
    await adv.keyboard.press('ArrowDown');
    await adv.keyboard.press('ArrowDown');
    assert.is(await card.getByLabel('Risposta a Mario Rossi').inputValue(), '', 'nothing inserted while choosing');
    assert.match((await assertFocus(adv, 'choosing a ready answer')).label, /Risposte pronte/);
    await tabTo(adv, byText(/^Inserisci$/), 'the insert button');
    await adv.keyboard.press('Enter');
    assert.ok((await card.getByLabel('Risposta a Mario Rossi').inputValue()).length > 20, 'the chosen answer is in the reply box');
    assert.match((await assertFocus(adv, 'after inserting')).label, /Risposta a Mario Rossi/, 'the focus goes to the reply, to read and edit it');
    await adv.keyboard.press('Control+A');
    await adv.keyboard.type('Buongiorno, risposta scritta con la tastiera.');
    await adv.keyboard.press('Enter');
    await ctx.chat.locator('.msg.theirs .msg-text', { hasText: 'risposta scritta con la tastiera' }).waitFor();
    await card.locator('.msg.theirs .msg-text', { hasText: 'Domanda scritta con la tastiera' }).waitFor();

    const outcome = await tabTo(adv, (f) => f.tag === 'select' && /Esito/.test(f.label), 'the outcome');
    assert.ok(outcome);
    await adv.keyboard.press('ArrowDown');
    assert.is(await card.getByLabel('Esito').inputValue(), 'info_given');
    await tabTo(adv, byText(/^Chiudi la chat$/), 'the close button');
    await shot(adv, 'advisor-close', true);
    await adv.keyboard.press('Enter');
    await card.locator('.closed-note', { hasText: 'Chat chiusa' }).waitFor();
    const after = await assertFocus(adv, 'after closing the chat');
    assert.ok(after.where.length > 0);
    await ctx.chat.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
  });

  test('(c) the worker, after a message both ways, rates and closes with keys', async () => {
    // (b) closed the first chat from the advisor side; the worker starts a second one to end it themselves.
    const page = ctx.worker;
    const adv = ctx.advisor;
    const ended = await assertFocus(page, 'when the advisor ends the chat');
    assert.ok(ended.where.startsWith('iframe'), `focus stays in the chat (${ended.where})`);
    await tabTo(page, byText(/^Nuova richiesta$/), 'New request');
    await page.keyboard.press('Enter');
    await ctx.chat.getByRole('heading', { name: 'Come possiamo aiutarti?' }).waitFor();
    await assertFocus(page, 'on the start view again');
    await tabTo(page, (f) => f.name === 'topic', 'the topic choice');
    await page.keyboard.press('Space');
    await tabTo(page, byText(/^Avvia la chat$/), 'the start button');
    await page.keyboard.press('Enter');
    await ctx.chat.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    await page.waitForFunction(() => (document.querySelector('iframe') as HTMLIFrameElement).contentDocument?.activeElement?.id === 'text');
    await assertFocus(page, 'in the conversation');
    await page.keyboard.type('Grazie, tutto chiaro.');
    await page.keyboard.press('Enter');
    const card = adv.locator('article.chat-card').nth(1); // the second chat, next to the first one (closed)
    await card.locator('.msg.theirs .msg-text', { hasText: 'tutto chiaro' }).waitFor();
    await ctx.chat.locator('.msg.mine .msg-text', { hasText: 'tutto chiaro' }).waitFor();
    assert.is((await focused(page)).id, 'text', 'the message box keeps focus after sending');
    await shot(page, 'conversation');

    await tabTo(page, byText(/^Termina la chat$/), 'End the chat');
    await page.keyboard.press('Enter');
    const title = await assertFocus(page, 'on the rating form');
    assert.is(title.id, 'rate-title');
    await tabTo(page, (f) => f.name === 'rating', 'the rating');
    await page.keyboard.press('Space'); // 1
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight'); // 4
    assert.is(await ctx.chat.locator('input[name="rating"]:checked').inputValue(), '4');
    await assertFocus(page, 'on the rating');
    await shot(page, 'rating');
    await tabTo(page, byText(/^Chiudi la chat$/), 'Close the chat');
    await page.keyboard.press('Enter');
    await ctx.chat.getByRole('heading', { name: 'Conversazione terminata' }).waitFor();
    const done = await assertFocus(page, 'after closing');
    assert.is(done.id, 'ended-title');
    await card.locator('.closed-note', { hasText: 'Chat chiusa' }).waitFor();
    await shot(page, 'ended');

    // Escape minimises the panel and gives focus back to the bubble.
    await page.keyboard.press('Escape');
    await page.locator('.infocig-panel').waitFor({ state: 'hidden' });
    const back = await assertFocus(page, 'after Escape');
    assert.ok(back.where.includes('infocig-bubble'), `focus returns to the bubble (${back.where})`);
    await page.keyboard.press('Enter');
    await page.locator('.infocig-panel').waitFor({ state: 'visible' });
    // The frame gets focus at once and puts it on its heading when the loader's "focus" message lands.
    await page.waitForFunction(() => (document.activeElement as HTMLIFrameElement | null)?.contentDocument?.activeElement?.id === 'ended-title');
    await assertFocus(page, 'after reopening');

    // The advisor dismisses the closed cards with keys; focus goes to the list heading.
    for (let i = 0; i < 2; i++) {
      await tabTo(adv, byText(/^Rimuovi/), 'Dismiss', { max: 60 });
      await adv.keyboard.press('Enter');
      await assertFocus(adv, 'after dismissing a card');
    }
    await adv.locator('article.chat-card').first().waitFor({ state: 'detached' });
  });

  test('(d) the same start in English, switching the language by keyboard', async () => {
    const page = ctx.worker;
    await tabTo(page, (f) => f.tag === 'select' && f.id === 'lang', 'the language switch', { back: true });
    await page.keyboard.press('ArrowDown'); // Italiano → Deutsch
    await ctx.chat.locator('html[lang="de"]').waitFor();
    await page.keyboard.press('ArrowDown'); // Deutsch → English
    await ctx.chat.locator('html[lang="en"]').waitFor();
    await ctx.chat.getByRole('heading', { name: 'Conversation ended' }).waitFor();
    await assertFocus(page, 'after switching language');
    await tabTo(page, byText(/^New request$/), 'New request');
    await page.keyboard.press('Enter');
    await ctx.chat.getByRole('heading', { name: 'How can we help?' }).waitFor();
    await tabTo(page, (f) => f.name === 'topic', 'the topic choice');
    await page.keyboard.press('Space');
    assert.is(await ctx.chat.locator('input[name="topic"]:checked').evaluate((i) => (i as HTMLInputElement).closest('label')!.textContent), 'CIGO – ordinary wage guarantee');
    await tabTo(page, byText(/^Start the chat$/), 'Start the chat');
    await page.keyboard.press('Enter');
    await ctx.chat.getByRole('heading', { name: 'You are talking with Anna Rossi' }).waitFor();
    await page.waitForFunction(() => (document.querySelector('iframe') as HTMLIFrameElement).contentDocument?.activeElement?.id === 'text');
    await assertFocus(page, 'in the English conversation');
    await page.keyboard.type('Hello, written in English.');
    await page.keyboard.press('Enter');
    await ctx.advisor.locator('.msg.theirs .msg-text', { hasText: 'written in English' }).waitFor();
    await shot(page, 'english');
    // Leave it tidy: end without rating.
    await tabTo(page, byText(/^End the chat$/), 'End the chat');
    await page.keyboard.press('Enter');
    await tabTo(page, (f) => f.tag === 'button' && f.text === 'End the chat' && f.type === 'submit', 'End the chat (submit)');
    await page.keyboard.press('Enter');
    await ctx.chat.getByRole('heading', { name: 'Conversation ended' }).waitFor();
    await assertFocus(page, 'after the English chat ends');
  });

  test('no page logged a script error or a CSP violation', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
