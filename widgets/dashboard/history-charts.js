/**
 * The dashboard's "last 30 days" panel: six bar charts built as inline SVG
 * with DOM calls (no inline style under CSP style-src 'self': sizes are SVG
 * attributes, colours are classes), each with its data table for screen
 * readers, and the CSV download of the same history.
 *
 * Separate from the live panels because it has its own source
 * (GET /api/v1/dashboard/history, loaded once and after a snapshot, not every
 * few seconds) and its own drawing code, which nothing else on the page uses.
 */
import { showError } from '../lib/error-words.js';
import { $, h } from '../lib/ui.js';
import { sayError } from '../lib/said.js';
import { dt, fmtDay, fmtNumber } from './strings.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const n = v / p;
  return ([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((s) => n <= s) ?? 10) * p;
}

/**
 * One chart. `valueOf` may answer null for a day that was taken but has nothing
 * to measure (no rating that day): no bar and `o.none` in the table, unlike a day
 * never taken (a grey mark), because 0 would be a value nobody gave.
 * `o.max` fixes the top of the scale (ratings: 5), so a 4 never fills the chart.
 * `o.part` (with `o.partLabel`) marks a part of each bar apart, drawn at its foot
 * in another shade, with a legend and its own column in the table (departures:
 * those who found the answer in the tips).
 */
function chart(id, title, days, valueOf, format, o = {}) {
  const W = 320;
  const H = 150;
  const pad = { l: 34, r: 6, t: 10, b: 24 };
  const values = days.map((d) => (d.taken ? valueOf(d) : null));
  const max = o.max ?? niceMax(Math.max(0, ...values.filter((v) => v !== null)));
  const bw = (W - pad.l - pad.r) / Math.max(1, days.length);
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const shown = values.filter((v) => v !== null);
  const last = shown.at(-1);
  const desc = dt('history.chart.desc', { title, from: fmtDay(days[0].day), to: fmtDay(days.at(-1).day), max: shown.length ? format(Math.max(...shown)) : '–', last: last === undefined ? '–' : format(last) });
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart', focusable: 'false' },
    svg('title', { id: `${id}-title` }, title),
    svg('desc', { id: `${id}-desc` }, desc),
    svg('line', { x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0), class: 'axis' }),
    svg('line', { x1: pad.l, x2: W - pad.r, y1: y(max), y2: y(max), class: 'grid' }),
    svg('line', { x1: pad.l, x2: W - pad.r, y1: y(max / 2), y2: y(max / 2), class: 'grid' }),
    svg('text', { x: pad.l - 4, y: y(max) + 4, class: 'tick', 'text-anchor': 'end' }, format(max)),
    svg('text', { x: pad.l - 4, y: y(0) + 4, class: 'tick', 'text-anchor': 'end' }, '0'),
    svg('text', { x: pad.l, y: H - 6, class: 'tick' }, fmtDay(days[0].day)),
    svg('text', { x: W - pad.r, y: H - 6, class: 'tick', 'text-anchor': 'end' }, fmtDay(days.at(-1).day)),
  );
  days.forEach((d, i) => {
    const v = values[i];
    const x = pad.l + i * bw + bw * 0.15;
    if (!d.taken) root.append(svg('rect', { x, y: y(0) - 2, width: bw * 0.7, height: 2, class: 'bar missing' }));
    else if (v !== null) root.append(svg('rect', { x, y: y(v), width: bw * 0.7, height: Math.max(0, y(0) - y(v)), class: 'bar' }));
    const part = d.taken && o.part ? o.part(d) : 0;
    if (part > 0) root.append(svg('rect', { x, y: y(part), width: bw * 0.7, height: Math.max(0, y(0) - y(part)), class: 'bar part' }));
  });
  const cell = (d, v) => h('td', { class: 'num' }, !d.taken ? dt('history.notTaken') : v === null ? o.none : format(v));
  const table = h('table', { class: 'data compact' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, dt('history.col.day')),
      h('th', { scope: 'col', class: 'num' }, dt('history.col.value')),
      o.part ? h('th', { scope: 'col', class: 'num' }, o.partLabel) : null)),
    h('tbody', {}, days.map((d, i) => h('tr', {}, h('th', { scope: 'row' }, fmtDay(d.day)), cell(d, values[i]), o.part ? cell(d, d.taken ? o.part(d) : null) : null))));
  return h('figure', { class: 'chart-card card', 'aria-labelledby': `${id}-cap` },
    h('figcaption', { id: `${id}-cap` }, title),
    root,
    o.part ? h('p', { class: 'legend' }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), o.partLabel) : null,
    h('details', {}, h('summary', {}, dt('history.data')), h('div', { class: 'table-wrap' }, table)));
}

/**
 * Wires the panel's CSV button; `api(path, { raw })` is the dashboard's signed-in GET,
 * `saveCsv(response, fallbackName)` saves a download.
 * Returns `load` (fetch and draw) and `render` (redraw, for a language change).
 */
/** The series' name in the page's language: the server names the national one in Italian ("Italia"); a sede's or a province's name is a place's own. */
const seriesName = (series) => (series.scope === 'national' ? dt('history.national') : series.name);

export function historyPanel({ api, saveCsv }) {
  let hist = null;
  /** The last failure to read the history, said again in a new language. */
  let loadError = null;

  function render() {
    const box = $('#charts');
    if (!hist) box.replaceChildren();
    else drawCharts(box);
    const status = $('#history-status');
    if (loadError) showError(status, loadError, { lead: dt('history.failed') });
    else if (hist) status.textContent = hist.days.some((d) => d.taken) ? `${seriesName(hist.series)} · ${fmtDay(hist.from)} – ${fmtDay(hist.to)}` : dt('history.empty');
    else status.textContent = '';
  }

  function drawCharts(box) {
    const days = hist.days;
    const int = (v) => fmtNumber(v);
    const min = (v) => fmtNumber(v, 1);
    box.replaceChildren(
      chart('ch-chats', dt('history.chart.chats'), days, (d) => d.chatsServed, int),
      // A day nobody waited has no average wait: no bar, not a 0 that reads as "nobody waited long".
      chart('ch-wait', dt('history.chart.wait'), days, (d) => (d.avgWaitSeconds === null ? null : d.avgWaitSeconds / 60), min, { none: dt('history.noWait') }),
      chart('ch-esc', dt('history.chart.escalations'), days, (d) => d.escalations, int),
      chart('ch-backlog', dt('history.chart.backlog'), days, (d) => d.backlogEnd, int),
      chart('ch-rating', dt('history.chart.rating'), days, (d) => (d.ratingsCount ? d.ratingsSum / d.ratingsCount : null), min, { max: 5, none: dt('history.noRatings') }),
      // Everyone who left unserved; at the foot of the bar, those who found the answer in the tips (a success).
      chart('ch-departures', dt('history.chart.departures'), days, (d) => d.departures ?? 0, int, { part: (d) => d.departuresSelfServed ?? 0, partLabel: dt('history.chart.departures.part') }),
    );
  }

  async function load() {
    try {
      hist = await api('/api/v1/dashboard/history?rows=false');
      loadError = null;
    } catch (err) {
      loadError = err;
    }
    render();
  }

  /** A failure is shown by the button (and read out: role=alert), not only spoken: a sighted supervisor saw nothing. */
  async function downloadCsv() {
    $('#csv-error').textContent = '';
    try {
      await saveCsv(await api('/api/v1/dashboard/history.csv', { raw: true }), 'infocig-cruscotto.csv');
    } catch (err) {
      sayError($('#csv-error'), err, () => ({ lead: dt('history.csvFailed') }));
    }
  }

  $('#csv').addEventListener('click', () => void downloadCsv());
  return { load, render };
}
