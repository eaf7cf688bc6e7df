/**
 * The typed date fields' reading (widgets/lib/date-field.js), in Node: what a
 * person types in the page's format, or pastes, is the day the API is sent as
 * YYYY-MM-DD; a day the calendar lacks (31/02) and text that is no date are
 * told apart; a day is written back in each language's way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error plain browser module, no types
import { dayText, parseDay } from '../widgets/lib/date-field.js';

test('day first, as Italian, German and the English pages write it, with any separator; two-digit years are 20yy', () => {
  for (const typed of ['01/02/2026', '1/2/2026', '01.02.2026', '1.2.2026', '1-2-2026', '1 2 2026', ' 01 / 02 / 2026 ', '1,2,2026', '1.2.26', '01022026']) {
    assert.equal(parseDay(typed), { iso: '2026-02-01' }, typed);
  }
  assert.equal(parseDay('25/03/2026'), { iso: '2026-03-25' });
  assert.equal(parseDay('07/12/2026'), { iso: '2026-12-07' }, '7 December, never 12 July');
});

test('an ISO date pasted is read as such', () => {
  assert.equal(parseDay('2026-02-01'), { iso: '2026-02-01' });
  assert.equal(parseDay('2026-2-1'), { iso: '2026-02-01' });
});

test('nothing typed is no day, not an error', () => {
  assert.equal(parseDay(''), { iso: '' });
  assert.equal(parseDay('   '), { iso: '' });
  assert.equal(parseDay(undefined), { iso: '' });
});

test('a day the calendar lacks is "nonexistent"; 29 February only in a leap year', () => {
  for (const typed of ['31/02/2026', '29/02/2026', '31/04/2026', '00/01/2026', '01/13/2026', '01/00/2026', '2026-02-30']) {
    assert.equal(parseDay(typed), { error: 'date_nonexistent' }, typed);
  }
  assert.equal(parseDay('29/02/2028'), { iso: '2028-02-29' });
});

test('text that is no date, or a year far off, is "unreadable"', () => {
  for (const typed of ['domani', '1/2', '1/2/2026/3', '2026/02', '12345', '1/2/202', '01/02/0026', '01/02/3026', 'mm/dd/yyyy', '1.2.2026 10:00']) {
    assert.equal(parseDay(typed), { error: 'date_unreadable' }, typed);
  }
});

test('a day is written in each language\'s way', () => {
  assert.is(dayText('2026-02-01', 'it'), '01/02/2026');
  assert.is(dayText('2026-02-01', 'en'), '01/02/2026');
  assert.is(dayText('2026-02-01', 'de'), '01.02.2026');
  assert.is(dayText('', 'it'), '');
  assert.is(dayText('garbage', 'de'), '');
});

test.run();
