/**
 * Times typed on a 24-hour clock and Rome's wall time ⇄ instants
 * (widgets/lib/rome-time.js), in Node: 15:00 typed means 15:00 in Rome in
 * summer (+02:00) and in winter (+01:00), whatever this computer's zone (the
 * tests run in New York's); 02:30 on the night clocks go forward does not
 * exist and is refused, 02:30 on the night they go back is the first one.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-expect-error plain browser module, no types
import { parseTime, romeInstant, romeWallTime } from '../widgets/lib/rome-time.js';

// The computer's own zone must play no part: the supervisor's laptop may be anywhere.
process.env.TZ = 'America/New_York';

test('a time typed the ways Italians type it', () => {
  for (const [typed, hm] of [['15', '15:00'], ['15:30', '15:30'], ['15.30', '15:30'], ['1530', '15:30'], [' 15 : 30 ', '15:30'], ['9', '09:00'], ['9:05', '09:05'], ['930', '09:30'], ['0', '00:00'], ['23:59', '23:59'], ['00.00', '00:00']]) {
    assert.equal(parseTime(typed), { hm }, typed);
  }
});

test('nothing typed is no time, not an error', () => {
  assert.equal(parseTime(''), { hm: '' });
  assert.equal(parseTime('  '), { hm: '' });
  assert.equal(parseTime(undefined), { hm: '' });
});

test('an hour past 23 or a minute past 59 is "nonexistent"; what is no 24-hour time is "unreadable"', () => {
  for (const typed of ['24', '24:00', '25:00', '15:60', '2400', '9:75']) assert.equal(parseTime(typed), { error: 'time_nonexistent' }, typed);
  for (const typed of ['3 pm', '3pm', '15:30:00', '9:5', '15h30', '12345', 'mezzogiorno', '15:', ':30', '-1']) {
    assert.equal(parseTime(typed), { error: 'time_unreadable' }, typed);
  }
});

test('15:00 in Rome: 13:00 UTC in summer, 14:00 UTC in winter', () => {
  assert.equal(romeInstant('2026-07-15', '15:00'), { iso: '2026-07-15T13:00:00.000Z' });
  assert.equal(romeInstant('2026-12-15', '15:00'), { iso: '2026-12-15T14:00:00.000Z' });
  assert.equal(romeInstant('2027-01-01', '00:30'), { iso: '2026-12-31T23:30:00.000Z' }, 'the day before in UTC');
});

test('the night clocks go forward (29 March 2026): 02:00–02:59 does not exist, either side does', () => {
  for (const time of ['02:00', '02:30', '02:59']) assert.equal(romeInstant('2026-03-29', time), { error: 'time_dst_gap' }, time);
  assert.equal(romeInstant('2026-03-29', '01:59'), { iso: '2026-03-29T00:59:00.000Z' });
  assert.equal(romeInstant('2026-03-29', '03:00'), { iso: '2026-03-29T01:00:00.000Z' });
  assert.equal(romeInstant('2027-03-28', '02:30'), { error: 'time_dst_gap' }, 'the last Sunday of March, every year');
});

test('the night clocks go back (25 October 2026): 02:30 happens twice, the first (summer time) is taken', () => {
  assert.equal(romeInstant('2026-10-25', '02:30'), { iso: '2026-10-25T00:30:00.000Z' });
  assert.equal(romeInstant('2026-10-25', '01:30'), { iso: '2026-10-24T23:30:00.000Z' });
  assert.equal(romeInstant('2026-10-25', '03:00'), { iso: '2026-10-25T02:00:00.000Z' });
});

test('an instant as Rome\'s clock reads it, summer and winter, and back again', () => {
  assert.equal(romeWallTime(Date.parse('2026-07-15T13:00:00Z')), { day: '2026-07-15', time: '15:00' });
  assert.equal(romeWallTime(Date.parse('2026-12-15T14:00:00Z')), { day: '2026-12-15', time: '15:00' });
  assert.equal(romeWallTime(Date.parse('2026-12-31T23:30:00Z')), { day: '2027-01-01', time: '00:30' });
  // The second 02:30 of 25 October is 02:30 on the clock too.
  assert.equal(romeWallTime(Date.parse('2026-10-25T01:30:00Z')), { day: '2026-10-25', time: '02:30' });
  for (const iso of ['2026-03-29T01:00:00.000Z', '2026-06-01T08:15:00.000Z', '2026-11-30T22:59:00.000Z']) {
    const { day, time } = romeWallTime(Date.parse(iso));
    assert.equal(romeInstant(day, time), { iso }, iso);
  }
});

test.run();
