/**
 * Files refused in the page before anything is sent, in a real browser (Debian
 * chromium): every problem of the files chosen is said at once — too many, too
 * big, not an accepted type — each saying what to do, so a consultant attaching
 * four files with a big one and a wrong one learns it in one go rather than one
 * «Togli» at a time. Italian at 1024 × 768 and 360 × 640, then German.
 * Screenshots: test/screenshots/chat-ticket-files-*.png. Skips without /usr/bin/chromium.
 */
import { test } from './helpers/browser-test.ts';
import * as assert from 'uvu/assert';
import { chromiumOrSkip } from './helpers/browser.ts';
import { chatTicketPages, CLOSED, PNG } from './helpers/chat-ticket-pages.ts';

const pages = chatTicketPages('chat-ticket-files');
const { chromium, newContext, signIn } = pages;
const { shot, axe } = chromium;

const FILES = [
  { name: 'cedolino.png', mimeType: 'image/png', buffer: PNG },
  { name: 'bilancio.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(6 * 1024 * 1024, 32)]) },
  { name: 'modello.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', buffer: Buffer.from('PK\x03\x04 word') },
  { name: 'iban.txt', mimeType: 'text/plain', buffer: Buffer.from('IT60X0542811101000000123456\n') },
];

if (chromiumOrSkip()) {
  test.before(pages.start);
  test.after(pages.stop);

  for (const [width, height] of [[1024, 768], [360, 640]] as const) {
    test(`(${width} px) four files with one too big and one of a refused type: the form says all three problems at once, each with what to do`, async () => {
      const c = await newContext(`files-${width}`, { ...CLOSED, audience: 'intermediary' }, { viewport: { width, height } });
      const page = await c.newPage();
      await signIn(page, 'intermediary', 'MI', 'Studio Colombo');
      await page.getByRole('heading', { name: 'Il servizio è chiuso' }).waitFor();
      await page.getByLabel('Allegati (facoltativi)').setInputFiles(FILES);
      const error = page.locator('#tk-error');
      await error.filter({ hasText: 'Puoi allegare' }).waitFor();
      assert.is(await error.textContent(),
        'Puoi allegare al massimo 3 file: ne hai scelti 4. Togli quelli in più con «Togli». ' +
        '«bilancio.pdf» supera i 5 MB: riducilo o dividilo in più file. ' +
        '«modello.docx» non è di un tipo ammesso: allega PDF, PNG, JPEG, P7M o testo.');
      assert.is(await page.locator('#tk-files').getAttribute('aria-invalid'), 'true');
      await error.scrollIntoViewIfNeeded();
      await shot(page, `files-refused-${width}`);
      assert.equal(await axe(page), [], 'axe with the files refused');

      // Taking the two refused files away leaves nothing to say.
      await page.getByRole('button', { name: 'Togli «bilancio.pdf»' }).click();
      await error.filter({ hasText: 'Puoi allegare' }).waitFor({ state: 'detached' });
      assert.is(await error.textContent(), '«modello.docx» non è di un tipo ammesso: allega PDF, PNG, JPEG, P7M o testo.');
      await page.getByRole('button', { name: 'Togli «modello.docx»' }).click();
      await error.filter({ hasText: 'modello.docx' }).waitFor({ state: 'detached' });
      assert.is(await error.textContent(), '');
      assert.is(await page.locator('#tk-files').getAttribute('aria-invalid'), null);
      await c.close();
    });
  }

  test('(de) every problem of the chosen files is said in German, with what to do', async () => {
    const c = await newContext('files-de', { ...CLOSED, province: 'BZ', audience: 'intermediary' });
    const page = await c.newPage();
    await signIn(page, 'intermediary', 'BZ', 'Studio Gruber');
    await page.locator('#view-closed:not([hidden])').waitFor();
    await page.locator('#lang').selectOption('de');
    await page.locator('#tk-files').setInputFiles(FILES);
    const error = page.locator('#tk-error');
    await error.filter({ hasText: 'höchstens 3 Dateien' }).waitFor();
    assert.is(await error.textContent(),
      'Sie können höchstens 3 Dateien anhängen: Sie haben 4 ausgewählt. Nehmen Sie die überzähligen mit „Entfernen“ heraus. ' +
      '„bilancio.pdf“ ist größer als 5 MB: Bitte verkleinern Sie die Datei oder teilen Sie sie auf. ' +
      '„modello.docx“ hat kein zulässiges Format: Bitte hängen Sie PDF, PNG, JPEG, P7M oder Text an.');
    await c.close();
  });

  test('no page logged a Content-Security-Policy violation or a script error', () => {
    assert.equal(chromium.problems, [], chromium.problems.join('\n'));
  });
}

test.run();
