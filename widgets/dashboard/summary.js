/**
 * The dashboard's headline: the one-sentence summary (a live region, so it is
 * spoken) and the row of key figures, with the waits set against the closing time.
 *
 * Separate because it alone decides what is announced: the sentence is only
 * rewritten when the counts change, so the clock ticking every update stays
 * silent; it keeps that last sentence to itself.
 */
import { formatTime, formatWhen } from '../i18n.js';
import { $, h } from '../lib/ui.js';
import { dt, fmtDuration, fmtNumber } from './strings.js';

function closingText(service) {
  if (service.closesAt) return dt('closing.at', { time: formatTime(service.closesAt), left: fmtDuration(service.secondsToClose ?? 0) });
  if (service.open) return dt('closing.always');
  return service.opensAt ? dt('closing.opens', { when: formatWhen(service.opensAt) }) : dt('closing.closed');
}

/** "4,4 su 5" over "23 valutazioni"; a dash and "nessuna valutazione" rather than a 0 nobody gave. */
function satisfaction({ ratings, average }) {
  if (!ratings || average === null) return ['—', dt('kpi.satisfaction.none')];
  return [dt('kpi.satisfaction.value', { avg: fmtNumber(average, 1) }), ratings === 1 ? dt('kpi.satisfaction.one') : dt('kpi.satisfaction.many', { n: fmtNumber(ratings) })];
}

/**
 * "7" over "di cui 2 hanno trovato la risposta" and "9 % di chi ha chiesto": those
 * who found their answer in the tips are apart, a success rather than a failure.
 */
function departures(d) {
  if (!d) return ['–', []]; // an older node during an upgrade
  const self = d.byReason.self_served;
  const notes = [];
  if (self) notes.push(self === 1 ? dt('kpi.departures.selfOne') : dt('kpi.departures.self', { n: fmtNumber(self) }));
  if (d.leftUnservedShare !== null) notes.push(dt('kpi.departures.share', { pct: fmtNumber(Math.round(d.leftUnservedShare * 100)) }));
  return [fmtNumber(d.total), notes];
}

/** Where the longest wait is ("Bologna (BO)"), so the card points at the row to look at; none when nobody waits. */
function longestWhere(provinces, seconds) {
  if (!(seconds > 0)) return [];
  const p = (provinces ?? []).reduce((best, x) => (x.waiting > 0 && x.oldestWaitSeconds > (best?.oldestWaitSeconds ?? 0) ? x : best), null);
  return p ? [dt('kpi.oldest.where', { name: p.name, code: p.code })] : [];
}

function kpis({ totals, service, advisors, provinces }, beyond) {
  // An older node behind the same balancer answers without the field during an upgrade.
  const [rating, ratings] = satisfaction(totals.satisfaction ?? { ratings: 0, average: null });
  const [departed, departedNotes] = departures(totals.departures);
  return [
    ['kpi.waiting', fmtNumber(totals.waiting), totals.waiting > 0 ? 'warn' : ''],
    ['kpi.oldest', fmtDuration(totals.oldestWaitSeconds), totals.oldestWaitSeconds >= 300 ? 'alert' : '', longestWhere(provinces, totals.oldestWaitSeconds)],
    ['kpi.closing', closingText(service), beyond ? 'alert' : ''],
    ['kpi.available', `${fmtNumber(totals.advisors.available)} / ${fmtNumber(advisors.length)}`, ''],
    ['kpi.active', fmtNumber(totals.conversationsActive), ''],
    ['kpi.occupancy', `${fmtNumber(Math.round(totals.occupancy * 100))} %`, totals.occupancy >= 0.9 ? 'warn' : ''],
    ['kpi.open', fmtNumber(totals.tickets.open + totals.tickets.inProgress), ''],
    ['kpi.overdue', fmtNumber(totals.tickets.overdue), totals.tickets.overdue > 0 ? 'alert' : ''],
    ['kpi.satisfaction', rating, '', ratings],
    ['kpi.departures', departed, 'wide', departedNotes],
  ];
}

/** Returns `render(live)`, and `forget()` so the next render rewrites (and speaks) the sentence, for a language change. */
export function summaryPanel() {
  let lastSummary = '';

  function render(live) {
    const { totals, queues } = live;
    const all = totals.advisors.available + totals.advisors.away + totals.advisors.offline;
    const beyond = queues.filter((q) => q.beyondClosing).length;
    const text =
      dt('summary.text', { waiting: totals.waiting, available: totals.advisors.available, advisors: all, active: totals.conversationsActive, overdue: totals.tickets.overdue }) +
      (beyond ? dt('summary.beyond', { n: beyond }) : '');
    // Only a change of the counts is announced; the clock ticking is not.
    if (text !== lastSummary) {
      lastSummary = text;
      $('#summary').textContent = text;
    }
    $('#kpis').replaceChildren(
      ...kpis(live, beyond).map(([k, v, tone, note]) =>
        // A note is a line under the figure, or several (departures: the self-served, the share).
        h('div', { class: `kpi ${tone}`.trim() }, h('dt', {}, dt(k)), h('dd', {}, v), ...[note ?? []].flat().filter(Boolean).map((n) => h('dd', { class: 'kpi-note' }, n))),
      ),
    );
  }

  return { render, forget: () => (lastSummary = '') };
}
