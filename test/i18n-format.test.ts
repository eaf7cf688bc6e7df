/**
 * How the pages word dates and sizes (widgets/i18n.js), in Node: a deadline at
 * 00:00 Italian time is the end of the day before (the SLA counts whole working
 * days, so most deadlines fall there), in both languages and across the change
 * to summer time; any other deadline keeps its hour.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error plain browser module, no types
import { formatDue, formatSize, setLang } from '../widgets/i18n.js';

test.after.each(() => setLang('it', null));

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

test.run();
