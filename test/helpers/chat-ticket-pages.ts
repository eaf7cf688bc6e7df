/**
 * The set-up of the chat app's Linea INPS browser suites: a real server process
 * on the real calendar (no SERVICE_HOURS), one chromium harness (screenshots
 * test/screenshots/chat-ticket-*.png), contexts whose pages get a chosen answer
 * from GET /api/v1/availability (so "closed" and "open" are deterministic), and
 * the sign-in to /chat/. start() in the suite's test.before, stop() in its
 * test.after.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserHarness, serverApi, type Json } from './browser.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

/** A real 1×1 PNG: the server sniffs the signature and IHDR. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
/** A Sunday evening in the answer the real calendar would give; far enough ahead that the page sets no re-check timer. */
export const CLOSED = { open: false, reason: 'outside_hours', opensAt: '2031-03-03T14:00:00.000Z', province: 'MI', audience: 'worker' };

/** `name` names the server's data directory. */
export function chatTicketPages(name: string) {
  const chromium = browserHarness({
    // The refusals these suites provoke on purpose (403, 409, 415), and the answer they cut off on
    // purpose (route.abort('internetdisconnected')), are logged by the browser as failed loads.
    console: { expected: /WebSocket connection to|status of (403|409|415)|net::ERR_INTERNET_DISCONNECTED/i },
    context: { viewport: { width: 1024, height: 900 }, acceptDownloads: true },
    prefix: 'chat-ticket-',
    fullPage: true,
  });
  let proc: ServerProcess | null = null;
  const server = { base: '' };
  const { api, devToken } = serverApi(() => server.base);

  return {
    chromium,
    /** The server's base URL once started. */
    server,
    api,
    devToken,
    async start(): Promise<void> {
      proc = await startServerProcess(name, {});
      server.base = proc.base;
      await chromium.launch();
    },
    async stop(): Promise<void> {
      await chromium.close();
      await proc?.stop();
    },
    /** A context whose pages get `availability` from GET /api/v1/availability. */
    async newContext(contextName: string, availability: Json = CLOSED, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
      const c = await chromium.newContext(contextName, options);
      await c.route('**/api/v1/availability?**', (route) => route.fulfill({ json: availability }));
      return c;
    },
    async signIn(page: Page, role = 'worker', province = 'MI', personName = 'Mario Rossi'): Promise<void> {
      await page.goto(`${server.base}/chat/`);
      await page.getByLabel('Profilo').selectOption(role);
      await page.getByLabel('Provincia').selectOption(province);
      await page.getByLabel('Nome').fill(personName);
      await page.getByRole('button', { name: 'Entra' }).click();
    },
    /** The id of the focused element ('' for none). */
    focusedId: (page: Page) => page.evaluate(() => document.activeElement?.id ?? ''),
  };
}
