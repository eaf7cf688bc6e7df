/**
 * The answer-by time of a Linea INPS request left before the service opens, in
 * a real browser (Debian chromium through playwright-core) against a real
 * server whose clock is set (Europe/Rome, the real calendar). The SLA counts
 * whole working days (docs/tickets.md), so a request sent on Thursday at 10:00
 * is due on Monday at 10:00: shown alone, "alle 10:00" read as the time it was
 * sent. The confirmation and the request's page say when it was sent and when
 * the sede answers by, each under its own label, with how the second is
 * counted, in it/de/en.
 *
 * Screenshots: test/screenshots/ticket-due-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import type { Page } from 'playwright-core';
import { ManualClock } from '../routing/clock.ts';
import { browserHarness, chromiumOrSkip } from './helpers/browser.ts';
import { clockedServer } from './helpers/clocked-server.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'ticket-due-', fullPage: true });
const clock = new ManualClock(Date.parse('2026-12-10T09:00:00Z'));
const ctx = { server: { url: () => '' } };

/** Signs in as a Milano worker in `lang` and sends a request from the closed view; the page's clock is the server's. */
async function sendRequest(name: string, lang: string): Promise<Page> {
  const page = await chromium.newPage(name);
  await page.clock.setFixedTime(clock.now());
  await page.goto(`${ctx.server.url()}/chat/?lang=${lang}`);
  await page.locator('#dev-role').selectOption('worker');
  await page.locator('#dev-province').selectOption('MI');
  await page.locator('.dev-form button[type="submit"]').click();
  await page.locator('#tk-subject').fill(`Pagamento di novembre (${name})`);
  await page.locator('#tk-topic').selectOption('payment');
  await page.locator('#tk-body').fill('Il pagamento di novembre non è arrivato.');
  await page.locator('#ticket-form button[type="submit"]').click();
  await page.locator('#done-box dl').waitFor();
  return page;
}

/** The facts of a <dl> as "label: value" lines. */
const facts = (page: Page, dl: string) =>
  page.locator(`${dl} > div`).evaluateAll((divs) => divs.map((d) => `${d.querySelector('dt')?.textContent}: ${d.querySelector('dd')?.textContent}`));

if (chromiumOrSkip('ticket due test')) {
  ctx.server = clockedServer(chromium, clock);

  for (const [lang, sent, due, threadSent, threadDue] of [
    ['it', 'Inviata: giovedì 10 dicembre alle 10:00', 'Risposta della sede entro: lunedì 14 dicembre alle 10:00Contano solo i giorni lavorativi dall’invio: sabato, domenica e festivi esclusi.',
      'Inviata il: 10/12/2026, 10:00', 'Risposta della sede entro: 14/12/2026, 10:00Contano solo i giorni lavorativi dall’invio: sabato, domenica e festivi esclusi.'],
    ['de', 'Gesendet: Donnerstag, 10. Dezember um 10:00 Uhr', 'Antwort des Sitzes bis: Montag, 14. Dezember um 10:00 UhrGezählt werden nur Arbeitstage ab dem Senden, ohne Samstag, Sonntag und Feiertage.',
      'Gesendet am: 10.12.2026, 10:00', 'Antwort des Sitzes bis: 14.12.2026, 10:00Gezählt werden nur Arbeitstage ab dem Senden, ohne Samstag, Sonntag und Feiertage.'],
    ['en', 'Sent: Thursday 10 December at 10:00 (Italian time)', 'The office replies by: Monday 14 December at 10:00 (Italian time)Only working days count, from when you sent it: not Saturdays, Sundays or public holidays.',
      'Sent on: 10/12/2026, 10:00', 'The office replies by: 14/12/2026, 10:00Only working days count, from when you sent it: not Saturdays, Sundays or public holidays.'],
  ] as const) {
    test(`(${lang}) a request sent on Thursday at 10:00, before the service opens, says when it was sent and, under another label with how it is counted, that the sede answers by Monday at 10:00`, async () => {
      clock.set(new Date('2026-12-10T09:00:00Z'));
      const page = await sendRequest(`thursday-${lang}`, lang);
      const done = await facts(page, '#done-box dl');
      assert.ok(done.includes(sent), `the sent time: ${done.join(' | ')}`);
      assert.ok(done.includes(due), `the answer-by time: ${done.join(' | ')}`);
      await chromium.shot(page, `done-${lang}`);
      assert.equal(await chromium.axe(page, `done-${lang}`), []);
      await page.locator('#done-open').click();
      await page.locator('#th-facts .due').waitFor();
      const thread = await facts(page, '#th-facts');
      assert.ok(thread.includes(threadSent), `the thread's sent time: ${thread.join(' | ')}`);
      assert.ok(thread.includes(threadDue), `the thread's answer-by time: ${thread.join(' | ')}`);
      await chromium.shot(page, `thread-${lang}`);
      assert.equal(await chromium.axe(page, `thread-${lang}`), []);
    });
  }

  test('(it) a request sent on a Sunday morning says it was sent on Sunday and is answered by the end of Tuesday', async () => {
    clock.set(new Date('2026-12-13T09:00:00Z'));
    const page = await sendRequest('sunday-it', 'it');
    const done = await facts(page, '#done-box dl');
    assert.ok(done.includes('Inviata: domenica 13 dicembre alle 10:00'), done.join(' | '));
    assert.ok(done.some((f) => f.startsWith('Risposta della sede entro: martedì 15 dicembre, fine giornata')), done.join(' | '));
    await chromium.shot(page, 'done-sunday-it');
  });
}

test.run();
