/**
 * How the pages word dates and sizes (widgets/i18n.js), in Node: a deadline at
 * 00:00 Italian time is the end of the day before (the SLA counts whole working
 * days, so most deadlines fall there), in both languages and across the change
 * to summer time; any other deadline keeps its hour. German (the user pages, for
 * South Tyrol) in South Tyrol's words ("Jänner", "um 15:00 Uhr"), and which tags
 * and browser preferences choose it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error plain browser module, no types
import { LANGS, STRINGS, USER_LANGS, browserLang, formatDateTime, formatDue, formatSize, formatWhen, offerLangs, pickLang, setLang, translator } from '../widgets/i18n.js';
// @ts-expect-error plain browser module, no types
import { holidayKey, holidayLabel } from '../widgets/lib/holiday-names.js';
// @ts-expect-error plain browser module, no types
import { fileStamp } from '../widgets/lib/ui.js';
import { nationalHolidays } from '../routing/holidays.ts';

test.after.each(() => {
  offerLangs(LANGS);
  setLang('it', null);
});

test('a deadline at midnight in Rome reads as the end of the day before, with or without the weekday', () => {
  setLang('it', null);
  assert.is(formatDue('2026-12-10T23:00:00Z'), '10/12/2026, fine giornata', 'winter: 00:00 on 11 December is 23:00 UTC');
  assert.is(formatDue('2026-12-10T23:00:00Z', true), 'giovedì 10 dicembre, fine giornata');
  assert.is(formatDue('2026-04-01T22:00:00Z'), '01/04/2026, fine giornata', 'summer: 00:00 on 2 April is 22:00 UTC');
  setLang('en', null);
  assert.is(formatDue('2026-12-10T23:00:00Z'), '10/12/2026, end of day');
  assert.is(formatDue('2026-12-10T23:00:00Z', true), 'Thursday 10 December, end of day');
});

test('any other deadline keeps its date and hour, and a bad instant gives nothing', () => {
  setLang('it', null);
  assert.is(formatDue('2026-12-10T09:30:00Z'), '10/12/2026, 10:30');
  assert.is(formatDue('2026-12-10T09:30:00Z', true), 'giovedì 10 dicembre alle 10:30');
  assert.is(formatDue('2026-12-10T22:59:00Z'), '10/12/2026, 23:59', 'a minute before midnight is not the end of day');
  assert.is(formatDue('not a date'), '');
});

test('file sizes: bytes, kilobytes, megabytes, in the chosen language', () => {
  setLang('it', null);
  assert.equal([formatSize(812), formatSize(14_336), formatSize(2_621_440)], ['812 B', '14 KB', '2,5 MB']);
  setLang('en', null);
  assert.is(formatSize(2_621_440), '2.5 MB');
});

test('in German a deadline, a reopening and a size read as South Tyrol writes them', () => {
  offerLangs(USER_LANGS);
  setLang('de', null);
  assert.is(formatDue('2026-12-10T23:00:00Z'), 'einschließlich 10.12.2026', 'read after "bis": the day it ends');
  assert.is(formatDue('2026-12-10T23:00:00Z', true), 'einschließlich Donnerstag, 10. Dezember');
  assert.is(formatDue('2026-12-10T09:30:00Z', true), 'Donnerstag, 10. Dezember um 10:30 Uhr');
  assert.is(formatWhen('2027-01-04T14:00:00Z'), 'Montag, 4. Jänner um 15:00 Uhr', 'de-IT: Jänner, as in South Tyrol');
  assert.is(formatDateTime('2026-04-01T22:00:00Z'), '02.04.2026, 00:00');
  assert.is(formatSize(2_621_440), '2,5 MB');
});

test('de, de-DE, de-IT, de-AT and de_CH choose German on a page that offers it', () => {
  offerLangs(USER_LANGS);
  assert.equal(['de', 'de-DE', 'de-IT', 'de-AT', 'DE-de', 'de_CH'].map(pickLang), ['de', 'de', 'de', 'de', 'de', 'de']);
  assert.equal(['it-IT', 'en-US', 'fr-FR', '', undefined].map(pickLang), ['it', 'en', 'it', 'it', 'it']);
  assert.is(setLang('de-AT', null), 'de');
});

test('the browser chooses: its first language the page speaks, Italian when it speaks none of them', () => {
  offerLangs(USER_LANGS);
  assert.is(browserLang(['de-DE', 'it-IT']), 'de', 'prefers German');
  assert.is(browserLang(['it-IT', 'de-DE']), 'it', 'a bilingual who prefers Italian keeps Italian');
  assert.is(browserLang(['fr-FR', 'de-AT', 'en']), 'de', 'French first, German the first one spoken here');
  assert.is(browserLang(['fr-FR', 'es']), 'it');
  assert.is(browserLang([]), 'it');
});

test('the staff consoles, which do not offer German, stay Italian for a German browser', () => {
  offerLangs(LANGS);
  assert.is(pickLang('de-DE'), 'it');
  assert.is(browserLang(['de-DE', 'en-GB']), 'en');
  assert.is(setLang('de', null), 'it');
});

test('every national holiday the availability API names has its word in every language of the user pages', () => {
  const names = new Set([2026, 2027].flatMap((y) => nationalHolidays(y).map((h) => h.name)));
  for (const name of names) {
    const key = holidayKey(name);
    assert.ok(key, `no page word for the holiday "${name}"`);
    for (const lang of Object.keys(USER_LANGS)) assert.ok(Object.hasOwn(STRINGS[lang], key), `${lang} lacks ${key} (${name})`);
  }
  offerLangs(USER_LANGS);
  const t = translator(STRINGS);
  setLang('de', null);
  assert.is(holidayLabel('Natale', t), 'Weihnachten');
  assert.is(holidayLabel("Lunedì dell'Angelo (Pasquetta)", t), 'Ostermontag');
  assert.is(holidayLabel('Festa nuova', t), 'Festa nuova', 'a name the page does not know is shown as given');
  setLang('it', null);
  assert.is(holidayLabel('Natale', t), 'Natale');
  offerLangs(LANGS);
});

test('a downloaded transcript is named by the day and time in Rome, as the times inside it, not by UTC', () => {
  assert.is(fileStamp(new Date('2026-12-07T15:09:00Z')), '2026-12-07-16-09', 'winter: UTC+1');
  assert.is(fileStamp(new Date('2026-07-01T15:09:00Z')), '2026-07-01-17-09', 'summer: UTC+2');
  assert.is(fileStamp(new Date('2026-12-31T23:30:00Z')), '2027-01-01-00-30', 'past midnight in Rome');
});

test.run();
