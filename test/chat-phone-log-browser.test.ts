/**
 * The conversation on a phone, in chromium: at 360 × 640 the header, the chat's head, the keys hint
 * and the empty typing line left the log one message above the reply box. Chatting on a phone (or in
 * a short window: the on-screen keyboard up, 360 × 400) the page keeps several messages and the reply
 * box in sight, without scrolling the page; at 1024 × 768 the header and the hint are as before; at
 * 320 px with text at 200 % nothing runs out of its box. The server runs in this process on the test
 * database (PostgreSQL with DATABASE_URL, else PGlite); the advisor is a socket. Screenshots:
 * test/screenshots/phone-log-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { browserHarness, chromiumOrSkip, reflowProblems } from './helpers/browser.ts';
import { workerAsksForChat } from './helpers/pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { TestSocket } from './helpers/ws-client.ts';

const chromium = browserHarness({
  console: { expected: /WebSocket connection to/i },
  context: { viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true },
  prefix: 'phone-log-',
});
const { shot, axe } = chromium;

const ctx = { server: null as unknown as TestServer, page: null as unknown as Page, advisor: null as TestSocket | null };

/**
 * What the user sees of the conversation: the messages wholly inside both the log's box and the screen,
 * whether the reply box and its button are wholly on the screen, and how far the page itself is scrolled.
 */
const IN_SIGHT = `(() => {
  const log = document.querySelector('.log').getBoundingClientRect();
  const top = Math.max(0, log.top) - 1;
  const bottom = Math.min(window.innerHeight, log.bottom) + 1;
  const onScreen = [document.querySelector('#text'), document.querySelector('#composer button[type="submit"]')]
    .map((el) => el.getBoundingClientRect())
    .every((r) => r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight + 1);
  return {
    messages: [...document.querySelectorAll('#log .msg')].map((m) => m.getBoundingClientRect()).filter((r) => r.top >= top && r.bottom <= bottom).length,
    replyBox: onScreen,
    pageScroll: document.documentElement.scrollHeight - window.innerHeight,
  };
})()`;
/** Source text: tsx would wrap a function named inside a callback in a helper (`__name`) the page does not have. */
const inSight = (page: Page) => page.evaluate(IN_SIGHT) as Promise<{ messages: number; replyBox: boolean; pageScroll: number }>;

if (chromiumOrSkip('phone conversation test')) {
  test.before(async () => {
    ctx.server = await startServer();
    await chromium.launch();
  });

  test.after(async () => {
    await ctx.advisor?.close().catch(() => {});
    await chromium.close();
    await ctx.server.close();
  });

  test('a worker and an advisor exchange short messages', async () => {
    const [adv] = await TestSocket.signIn(ctx.server.wsUrl, await ctx.server.token({ role: 'advisor', sub: 'adv-phone-log', name: 'Anna Rossi' }));
    ctx.advisor = adv;
    await adv.request({ type: 'advisor.status', status: 'available' });
    const page = await chromium.newPage('worker');
    ctx.page = page;
    await workerAsksForChat(page, ctx.server.url);
    const assigned = await adv.next('conversation.assigned', () => true, 10_000);
    await page.getByRole('heading', { name: 'Stai parlando con Anna Rossi' }).waitFor();
    for (let i = 1; i <= 6; i++) {
      await adv.request({ type: 'message.send', conversationId: assigned.conversationId, clientMsgId: `phone-${i}`, text: `Messaggio numero ${i}` });
    }
    await page.locator('.msg-text', { hasText: 'Messaggio numero 6' }).waitFor();
  });

  test('at 360 × 640 the log shows at least four short messages with the reply box in sight, the page not scrolled', async () => {
    const page = ctx.page;
    const seen = await inSight(page);
    await shot(page, '360x640');
    assert.ok(seen.messages >= 4, `messages in sight: ${seen.messages}`);
    assert.ok(seen.replyBox, 'the reply box and its button are on the screen');
    assert.ok(seen.pageScroll <= 0, `the page does not scroll (${seen.pageScroll} px more)`);
    assert.equal(await axe(page, 'chat at 360 × 640'), []);
  });

  test('with the on-screen keyboard up (360 × 400) the reply box stays in sight with messages above it', async () => {
    const page = ctx.page;
    await page.setViewportSize({ width: 360, height: 400 });
    await page.getByLabel('Il tuo messaggio').focus();
    const seen = await inSight(page);
    await shot(page, '360x400');
    assert.ok(seen.messages >= 2, `messages in sight: ${seen.messages}`);
    assert.ok(seen.replyBox, 'the reply box and its button are on the screen');
    assert.ok(seen.pageScroll <= 0, `the page does not scroll (${seen.pageScroll} px more)`);
  });

  test('at 320 px with text at 200 % nothing runs out of its box; at 1024 × 768 the title, «Lingua» and the keys hint are shown as before', async () => {
    const page = ctx.page;
    await page.evaluate(() => (document.documentElement.style.fontSize = '200%'));
    await page.setViewportSize({ width: 320, height: 640 });
    assert.equal(await reflowProblems(page, ['#text', '#signout', '#lang']), []);
    await shot(page, '320-200');
    await page.evaluate(() => (document.documentElement.style.fontSize = ''));
    await page.setViewportSize({ width: 1024, height: 768 });
    for (const [what, sel] of [['the title', '#app-title'], ['the subtitle', '.app-sub'], ['«Lingua»', '#lang-box label'], ['the keys hint', '#text-hint']]) {
      const box = await page.locator(sel!).boundingBox();
      assert.ok(box && box.width > 1 && box.height > 1, `${what} is shown (${JSON.stringify(box)})`);
    }
    const seen = await inSight(page);
    await shot(page, '1024x768');
    assert.ok(seen.messages >= 4 && seen.replyBox, JSON.stringify(seen));
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
