/**
 * The supervisor's two actions that reach every user at once ask first, in the
 * page (widgets/dashboard/confirm-box.js), in a real browser (Debian chromium
 * through playwright-core):
 * - the "Solo ticket" switch of a province opens, under its row, "Attivare «Solo
 *   ticket» per Genova?" with what happens to whom; nothing is sent until
 *   "Conferma", which has the focus; "Annulla" and Escape give it back to the
 *   switch, and so does "Conferma" once done;
 * - "Pubblica" shows what users will see (each language as the chat shows it,
 *   who, where, from–to in Rome's time) and publishes only on "Conferma", exactly
 *   that; a change to the form closes the preview.
 * Both at 1024×768 and at 320 px, in Italian and in English: in sight, reflowing,
 * axe-core clean. Screenshots: test/screenshots/dashboard-confirm-*.png.
 * Skips without chromium.
 */
import type { Page } from 'playwright-core';
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { browserHarness, chromiumOrSkip, reflowProblems } from './helpers/browser.ts';
import { signInSupervisor } from './helpers/pages.ts';
import { startServer, type TestServer } from './helpers/server.ts';

const chromium = browserHarness({ console: { expected: /WebSocket connection to/i }, prefix: 'dashboard-confirm-' });
const ctx = { server: null as TestServer | null };

const TITLE = 'Pagamenti di febbraio in ritardo';
const TEXT = 'I pagamenti diretti di febbraio arriveranno entro il 20 marzo.\nNon serve una nuova domanda.';
const TITLE_DE = 'Verspätete Zahlungen für Februar';
const TEXT_DE = 'Die Direktzahlungen für Februar kommen bis zum 20. März.';

/** Rome's calendar day `days` from today, as the Italian page writes it (dd/mm/yyyy). */
const romeDay = (days: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit', year: 'numeric' }).format(Date.now() + days * 86_400_000);

const signIn = (page: Page) => signInSupervisor(page, ctx.server!.url);

/** What has the keyboard focus: an id, else the text of a button. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent || '');

/** The POST bodies the page sends to a path (containing it). */
function posts(page: Page, part: string): unknown[] {
  const sent: unknown[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes(part)) sent.push(r.postDataJSON());
  });
  return sent;
}

/** Fills the announcement form: Italian and German, important, workers of Milan and Bolzano, from tomorrow 15:00 to the day after 15:30. */
async function fillNotice(page: Page): Promise<void> {
  const panel = page.getByRole('region', { name: 'Avvisi agli utenti' });
  await panel.getByLabel('Titolo (italiano)').fill(TITLE);
  await panel.getByLabel('Testo (italiano)').fill(TEXT);
  await panel.getByText(/^Traduzioni \(facoltative\)/).click();
  await panel.getByLabel('Titolo in tedesco').fill(TITLE_DE);
  await panel.getByLabel('Testo in tedesco').fill(TEXT_DE);
  await panel.getByLabel('Importante (in evidenza)').check();
  await panel.getByLabel('Lavoratori').check();
  await panel.getByLabel('Province', { exact: true }).fill('mi, BZ');
  await panel.getByLabel('Giorno di inizio', { exact: true }).fill(romeDay(1));
  await panel.getByLabel('Ora di inizio', { exact: true }).fill('15');
  await panel.getByLabel('Giorno di fine', { exact: true }).fill(romeDay(2));
  await panel.getByLabel('Ora di fine', { exact: true }).fill('1530');
}

if (chromiumOrSkip()) {
  test.before(async () => {
    ctx.server = await startServer();
    // Three waiting in Genova, one in Milano: the question says how many keep their place.
    for (const [i, province] of ['GE', 'GE', 'GE', 'MI'].entries()) {
      await ctx.server.services.state.enqueue({
        userId: `w-${province}-${i}`, role: 'worker', name: `Utente ${i}`, province, audience: 'worker', topic: 'cigo', lang: 'it', entry: 'omnia', context: {}, priority: 0,
        since: Date.now() - (5 + i) * 60_000,
      } as never);
    }
    await chromium.launch();
  });

  test.after(async () => {
    await chromium.close();
    await ctx.server?.close();
  });

  test('the «Solo ticket» switch asks before it acts: nothing is sent until «Conferma», which has the focus; Annulla and Escape give it back to the switch', async () => {
    const page = await chromium.newPage('switch', { viewport: { width: 1024, height: 768 } });
    await signIn(page);
    const sent = posts(page, '/ticket-only');
    const sw = page.getByRole('switch', { name: 'Solo richieste Linea INPS per Genova' });
    const ask = page.getByRole('group', { name: 'Attivare «Solo ticket» per Genova?' });
    await sw.click();
    await ask.waitFor();
    assert.is(
      await ask.locator('p').nth(1).textContent(),
      'Da ora chi chiede una chat da Genova riceverà la proposta di una richiesta Linea INPS al posto della coda. Chi è già in coda mantiene il posto (in coda ora: 3).',
    );
    assert.is(await focused(page), 'Conferma');
    assert.is(await sw.isChecked(), false, 'the switch does not move before Conferma');
    // Under the province's own row, and wholly in the table's box at 1024 px.
    assert.is(await page.locator('#prov-body tr[data-province="GE"] + tr').getAttribute('data-confirm'), 'GE');
    const [box, wrap] = [await ask.boundingBox(), await page.locator('#prov-table').locator('xpath=..').boundingBox()];
    assert.ok(box && wrap && box.x >= wrap.x && box.x + box.width <= wrap.x + wrap.width, `in sight: ${JSON.stringify(box)} in ${JSON.stringify(wrap)}`);
    await page.locator('#prov-table').locator('xpath=../..').screenshot({ path: 'test/screenshots/dashboard-confirm-switch-1024.png' });
    assert.equal(await chromium.axe(page, 'switch 1024'), []);

    await page.keyboard.press('Escape');
    await ask.waitFor({ state: 'detached' });
    assert.is(await focused(page), 'to-GE', 'Escape: the focus back on the switch');
    await page.keyboard.press('Space');
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Annulla' }).click();
    await ask.waitFor({ state: 'detached' });
    assert.is(await focused(page), 'to-GE', 'Annulla: the focus back on the switch');
    assert.equal(sent, [], 'nothing sent');
    assert.not.ok(ctx.server!.services.dashboard.isTicketOnly('GE'));
    assert.is(await sw.isChecked(), false);

    await page.keyboard.press('Space');
    await ask.waitFor();
    await page.keyboard.press('Enter'); // on Conferma
    await page.locator('#announce', { hasText: 'Genova: agli utenti viene proposta una richiesta Linea INPS al posto della coda.' }).waitFor({ state: 'attached' });
    assert.equal(sent, [{ on: true }]);
    assert.ok(ctx.server!.services.dashboard.isTicketOnly('GE'));
    assert.is(await sw.isChecked(), true);
    assert.is(await focused(page), 'to-GE', 'done: the focus back on the switch');
    await page.locator('#audit li', { hasText: 'Sara Bianchi ha attivato «solo ticket» per GE' }).waitFor();

    // Off again: the same question the other way.
    await sw.click();
    const off = page.getByRole('group', { name: 'Disattivare «Solo ticket» per Genova?' });
    assert.is(await off.locator('p').nth(1).textContent(), 'Chi chiede una chat da Genova potrà di nuovo mettersi in coda per parlare con un consulente.');
    await off.getByRole('button', { name: 'Conferma' }).click();
    await page.locator('#announce', { hasText: 'Genova: la chat è di nuovo disponibile.' }).waitFor({ state: 'attached' });
    assert.equal(sent, [{ on: true }, { on: false }]);
    assert.not.ok(ctx.server!.services.dashboard.isTicketOnly('GE'));
    await page.close();
  });

  test('«Pubblica» shows what users will see, who, where and from–to in Rome time, and publishes only on «Conferma», exactly that', async () => {
    const page = await chromium.newPage('publish', { viewport: { width: 1024, height: 768 } });
    await signIn(page);
    const sent = posts(page, '/api/v1/announcements');
    const panel = page.getByRole('region', { name: 'Avvisi agli utenti' });
    const publish = panel.getByRole('button', { name: 'Pubblica' });
    const preview = panel.getByRole('group', { name: 'Pubblicare questo avviso?' });
    await fillNotice(page);
    await publish.click();
    await preview.waitFor();
    assert.is(await focused(page), 'Conferma');
    const versions = preview.locator('.ann-version');
    assert.equal(await versions.nth(0).locator('p').allTextContents(), ['In italiano', `Avviso importante ${TITLE}`, TEXT]);
    assert.equal(await versions.nth(1).locator('p').allTextContents(), ['In tedesco', `Wichtiger Hinweis ${TITLE_DE}`, TEXT_DE]);
    assert.is(await versions.nth(1).locator('.notice').getAttribute('lang'), 'de');
    assert.ok(await versions.nth(0).locator('.notice').evaluate((el) => el.classList.contains('notice-warning')), 'highlighted as the chat shows a warning');
    assert.is(await preview.locator('p.note').textContent(), 'Chi usa la chat in inglese lo legge in italiano.');
    assert.equal(await preview.locator('dl.ann-facts > *').allTextContents(), [
      'Per chi', 'Lavoratori', 'Dove', 'MI, BZ', 'Quando (ora italiana)', `dal ${romeDay(1)}, 15:00 al ${romeDay(2)}, 15:30`,
    ]);
    await page.locator('#ann-form').screenshot({ path: 'test/screenshots/dashboard-confirm-publish-1024.png' });
    assert.equal(await chromium.axe(page, 'preview 1024'), []);

    await page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });
    assert.is(await focused(page), 'Pubblica', 'Escape: the focus back on Pubblica');
    assert.is(await panel.getByLabel('Titolo (italiano)').inputValue(), TITLE, 'the form as it was');
    await publish.click();
    await preview.getByRole('button', { name: 'Annulla' }).click();
    await preview.waitFor({ state: 'detached' });
    assert.is(await focused(page), 'Pubblica', 'Annulla: the focus back on Pubblica');
    // Changed after the preview, the form is no longer what it showed: the preview goes.
    await publish.click();
    await preview.waitFor();
    await panel.getByLabel('Testo (italiano)').fill(`${TEXT} Grazie.`);
    await preview.waitFor({ state: 'detached' });
    assert.equal(sent, [], 'nothing sent');

    await publish.click();
    await preview.getByRole('button', { name: 'Conferma' }).click();
    await page.locator('#announce', { hasText: `Avviso «${TITLE}» pubblicato.` }).waitFor({ state: 'attached' });
    assert.is(sent.length, 1);
    const body = sent[0] as Record<string, unknown>;
    assert.equal([body.title, body.text, body.severity, body.audiences, body.provinces], [
      { it: TITLE, de: TITLE_DE }, { it: `${TEXT} Grazie.`, de: TEXT_DE }, 'warning', ['worker'], ['MI', 'BZ'],
    ]);
    await panel.locator('#ann-body tr', { hasText: TITLE }).waitFor();
    // The focus on the list that shows it, once the list and the audit trail are read again.
    await page.waitForFunction(() => document.activeElement?.id === 'ann-list-title');
    assert.is(await panel.getByLabel('Titolo (italiano)').inputValue(), '', 'the form is emptied');
    await page.close();
  });

  test('at 320 px and in English both confirmations fit the width, their buttons in sight, and read in the page\'s language', async () => {
    const page = await chromium.newPage('320', { viewport: { width: 320, height: 700 } });
    await signIn(page);
    const sw = page.getByRole('switch', { name: 'Solo richieste Linea INPS per Genova' });
    // Nothing scrolls sideways and the question's parts are within the width. (A title longer than its
    // field scrolls inside it, which the check counts: not what is looked at here.)
    const inSight = async (sel: string) =>
      (await reflowProblems(page, [`${sel} .confirm-ok`, `${sel} .confirm-cancel`, `${sel} .confirm-question`])).filter((p) => !/^input#ann-(title|text)-/.test(p));

    await sw.click();
    await page.getByRole('group', { name: 'Attivare «Solo ticket» per Genova?' }).waitFor();
    assert.equal(await inSight('#prov-table'), []);
    await page.locator('#prov-table').locator('xpath=../..').screenshot({ path: 'test/screenshots/dashboard-confirm-switch-320.png' });
    await page.keyboard.press('Escape');

    await fillNotice(page);
    await page.getByRole('button', { name: 'Pubblica' }).click();
    await page.getByRole('group', { name: 'Pubblicare questo avviso?' }).waitFor();
    assert.equal(await inSight('#ann-preview'), []);
    await page.locator('#ann-preview').screenshot({ path: 'test/screenshots/dashboard-confirm-publish-320.png' });
    assert.equal(await chromium.axe(page, 'preview 320'), []);

    // English: a language change closes the preview (its words were Italian); asked again, it is English.
    await page.getByLabel('Lingua', { exact: true }).selectOption('en');
    await page.getByRole('group', { name: 'Pubblicare questo avviso?' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const preview = page.getByRole('group', { name: 'Publish this notice?' });
    await preview.waitFor();
    assert.equal(await preview.locator('.ann-version-lang').allTextContents(), ['In Italian', 'In German']);
    assert.is(await preview.locator('p.note').textContent(), 'Users of the chat in English read it in Italian.');
    assert.equal(await preview.locator('dl.ann-facts dt').allTextContents(), ['For whom', 'Where', 'When (Italian time)']);
    assert.match((await preview.locator('dl.ann-facts dd').last().textContent()) ?? '', new RegExp(`^from ${romeDay(1)}, 15:00 to ${romeDay(2)}, 15:30$`));
    assert.equal(await preview.getByRole('button').allTextContents(), ['Confirm', 'Cancel']);
    assert.equal(await inSight('#ann-preview'), []);
    await page.locator('#ann-preview').screenshot({ path: 'test/screenshots/dashboard-confirm-publish-320-en.png' });
    await page.keyboard.press('Escape');

    await page.getByRole('switch', { name: 'Linea INPS requests only for Genova' }).click();
    const ask = page.getByRole('group', { name: 'Switch Genova to "Ticket only"?' });
    await ask.waitFor();
    assert.match((await ask.textContent()) ?? '', /Those already waiting keep their place \(waiting now: 3\)\./);
    assert.equal(await inSight('#prov-table'), []);
    await page.locator('#prov-table').locator('xpath=../..').screenshot({ path: 'test/screenshots/dashboard-confirm-switch-320-en.png' });
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.locator('#prov-table').locator('xpath=../..').screenshot({ path: 'test/screenshots/dashboard-confirm-switch-1024-en.png' });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.locator('#ann-form').screenshot({ path: 'test/screenshots/dashboard-confirm-publish-1024-en.png' });
    assert.equal(await chromium.axe(page, 'english'), []);
    await page.close();
  });

  test('no Content-Security-Policy violation or script error', () => {
    assert.equal(chromium.problems, []);
  });
}

test.run();
