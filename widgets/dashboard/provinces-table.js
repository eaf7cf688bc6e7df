/**
 * The dashboard's queues by province: a sortable table coloured by a heat scale
 * (classes heat-0…, never an inline style), with the supervisor's ticket-only
 * switch in each row. The switch acts only once confirmed: it opens a row under
 * its province saying what will happen ("Attivare «Solo ticket» per Milano?",
 * confirm-box.js), since one slip would send every user of a province to tickets.
 *
 * Separate because it is the one live panel that is not rebuilt at each update:
 * rows are kept per province (and the keyboard focus with them) so a sort
 * button or a switch does not lose focus every two seconds; the sort order and
 * the switches waiting for the server are its own state, and so is the
 * confirmation open (at most one), kept under its row through the updates.
 */
import { $, h } from '../lib/ui.js';
import { confirmBox } from './confirm-box.js';
import { say, sayError } from '../lib/said.js';
import { dt, fmtDuration, fmtNumber } from './strings.js';

const COLUMNS = [
  { key: 'name', label: 'prov.col.province', text: true },
  { key: 'region', label: 'prov.col.region', text: true },
  { key: 'waiting', label: 'prov.col.waiting' },
  { key: 'audience', label: 'prov.col.audience', abbr: 'prov.col.audience.long', sortable: false },
  { key: 'oldestWaitSeconds', label: 'prov.col.oldest' },
  // An unknown wait (nobody available can serve the queue) sorts as the longest.
  { key: 'estimatedWaitSeconds', label: 'prov.col.eta', value: (p) => p.estimatedWaitSeconds ?? Infinity },
  { key: 'advisorsAvailable', label: 'prov.col.advisors' },
  { key: 'heat', label: 'prov.col.heat' },
  // Who left unserved since midnight, sorted by the total; those who found the answer in the tips shown apart.
  { key: 'departures', label: 'prov.col.departures', abbr: 'prov.col.departures.long', value: (p) => p.departures?.total ?? 0 },
  { key: 'ticketOnly', label: 'prov.col.ticketOnly', supervisor: true },
];

/**
 * Wires the "show all provinces" box; `state.live` is the dashboard's latest snapshot
 * (read at each call, and updated here when a switch succeeds), `api(path, { method, body })`
 * the signed-in fetch, `announce(text)` speaks, `isSupervisor()` shows the switches,
 * `loadAudit()` refreshes the interventions list after one.
 * Returns `renderHead` (column headers, for sign-in and a language change) and `render` (the rows).
 */
export function provincesTable({ state, api, announce, isSupervisor, loadAudit }) {
  let sort = { key: 'heat', dir: 'desc' };
  const rows = new Map();
  const pending = new Set();
  /** The confirmation open: { code, on, tr } (its row, shown under the province's), or null. */
  let asking = null;

  const columns = () => COLUMNS.filter((c) => !c.supervisor || isSupervisor());

  function renderHead() {
    closeAsk(false); // its words are in the language it was opened in
    const cells = columns().map((c) => {
      const sorted = sort.key === c.key;
      const th = h('th', { scope: 'col', class: c.text ? null : 'num', 'aria-sort': sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : null });
      if (c.abbr) th.setAttribute('abbr', dt(c.abbr));
      if (c.sortable === false) {
        th.append(h('span', { title: dt(c.abbr ?? c.label) }, dt(c.label)));
        return th;
      }
      const btn = h('button', { type: 'button', class: `sort${sorted ? ` sorted ${sort.dir}` : ''}`, title: c.abbr ? dt(c.abbr) : null }, dt(c.label), h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'));
      btn.addEventListener('click', () => {
        sort = { key: c.key, dir: sorted && sort.dir === 'desc' ? 'asc' : sorted ? 'desc' : c.text ? 'asc' : 'desc' };
        renderHead();
        render();
        $(`#prov-head th[aria-sort] button`)?.focus();
      });
      th.append(btn);
      return th;
    });
    $('#prov-head').replaceChildren(...cells);
  }

  function compare(a, b) {
    const { key, dir } = sort;
    const sign = dir === 'asc' ? 1 : -1;
    const value = COLUMNS.find((c) => c.key === key)?.value ?? ((p) => p[key]);
    const va = value(a);
    const vb = value(b);
    const primary = typeof va === 'string' ? va.localeCompare(vb, 'it') : Number(va) - Number(vb);
    // Ties: the hotter, then where someone has waited longest (what a supervisor looks for first), then the busier.
    const oldest = (b.oldestWaitSeconds ?? 0) - (a.oldestWaitSeconds ?? 0);
    return sign * primary || b.heat - a.heat || oldest || b.waiting - a.waiting || a.name.localeCompare(b.name, 'it');
  }

  /** The row's elements, made once per province; the switch only for a supervisor. */
  function createRow(p) {
    const tr = h('tr', { 'data-province': p.code });
    const cells = {
      name: h('th', { scope: 'row' }),
      region: h('td'),
      waiting: h('td', { class: 'num' }),
      audience: h('td', { class: 'num audience-cell' }),
      oldest: h('td', { class: 'num' }),
      eta: h('td', { class: 'num' }),
      advisors: h('td', { class: 'num' }),
      heat: h('td', {}, h('span', { class: 'heat' })),
      departures: h('td', { class: 'num' }),
    };
    tr.append(...Object.values(cells));
    const r = { tr, cells, toggle: null };
    if (isSupervisor()) {
      const id = `to-${p.code}`;
      const input = h('input', { type: 'checkbox', role: 'switch', id, class: 'switch' });
      const label = h('label', { for: id, class: 'switch-label' }, h('span', { class: 'sr-only' }), h('span', { class: 'switch-state', 'aria-hidden': 'true' }));
      // The click (mouse, Space, or the label) only asks: the box stays as it is until "Conferma".
      input.addEventListener('click', (e) => {
        const on = input.checked; // already turned by the click, turned back by preventDefault
        e.preventDefault();
        if (!pending.has(p.code)) ask(p.code, on);
      });
      tr.append(h('td', { class: 'switch-cell' }, input, label));
      r.toggle = { input, label };
    }
    return r;
  }

  function provinceRow(p) {
    let r = rows.get(p.code);
    if (!r) {
      r = createRow(p);
      rows.set(p.code, r);
    }
    const c = r.cells;
    r.tr.className = `heat-row heat-${p.heat}${p.ticketOnly ? ' ticket-only' : ''}`;
    c.name.textContent = `${p.name} (${p.code})`;
    c.region.textContent = p.region;
    c.waiting.textContent = fmtNumber(p.waiting);
    c.audience.textContent = `${p.byAudience.worker} / ${p.byAudience.employer} / ${p.byAudience.intermediary}`;
    c.oldest.textContent = p.waiting ? fmtDuration(p.oldestWaitSeconds) : '–';
    // null: nobody available can serve some of those waiting.
    c.eta.replaceChildren(!p.waiting ? '–' : p.estimatedWaitSeconds === null ? dt('prov.eta.unknown') : fmtDuration(p.estimatedWaitSeconds));
    if (p.beyondClosing) c.eta.append(h('span', { class: 'beyond' }, ` · ${dt('prov.beyond')}`));
    c.advisors.textContent = fmtNumber(p.advisorsAvailable);
    const d = p.departures; // absent from an older node during an upgrade
    c.departures.replaceChildren(d ? fmtNumber(d.total) : '–');
    if (d?.byReason.self_served) c.departures.append(h('span', { class: 'sub' }, dt('prov.departures.self', { n: fmtNumber(d.byReason.self_served) })));
    const badge = c.heat.firstChild;
    badge.className = `heat heat-${p.heat}`;
    badge.textContent = dt(`heat.${p.heat}`);
    if (r.toggle) {
      const { input, label } = r.toggle;
      if (!pending.has(p.code)) input.checked = p.ticketOnly;
      // Not `disabled` while the server answers: that would drop the keyboard focus the confirmation gave back.
      if (pending.has(p.code)) input.setAttribute('aria-disabled', 'true');
      else input.removeAttribute('aria-disabled');
      label.firstChild.textContent = dt('prov.ticketOnly.label', { name: p.name });
      label.lastChild.textContent = dt(input.checked ? 'prov.ticketOnly.on' : 'prov.ticketOnly.off');
    }
    return r.tr;
  }

  function render() {
    if (!state.live) return;
    const showAll = $('#show-all').checked || !isSupervisor();
    // The province being asked about stays in sight even if its queue empties meanwhile.
    const list = state.live.provinces.filter((p) => showAll || p.waiting > 0 || p.ticketOnly || p.code === asking?.code).sort(compare);
    const body = $('#prov-body');
    const wanted = list.flatMap((p) => (p.code === asking?.code ? [provinceRow(p), asking.tr] : [provinceRow(p)]));
    const current = [...body.children];
    if (wanted.length !== current.length || wanted.some((tr, i) => tr !== current[i])) {
      const active = document.activeElement;
      body.replaceChildren(...wanted);
      if (active && body.contains(active) && document.activeElement !== active) active.focus();
    }
    $('#prov-none').hidden = list.length > 0;
    $('#heat-legend').textContent = dt('heat.legend');
  }

  /** Opens the confirmation under the province's row (closing any other), the focus on "Conferma". */
  function ask(code, on) {
    const p = state.live.provinces.find((x) => x.code === code);
    closeAsk(false);
    $('#prov-error').textContent = '';
    const name = p.name;
    const { box, focus } = confirmBox({
      question: dt(on ? 'prov.ticketOnly.ask.on' : 'prov.ticketOnly.ask.off', { name }),
      details: [h('p', {}, dt(on ? 'prov.ticketOnly.ask.on.what' : 'prov.ticketOnly.ask.off.what', { name, waiting: fmtNumber(p.waiting) }))],
      onConfirm: () => {
        closeAsk(true);
        void toggleTicketOnly(code, on);
      },
      onCancel: () => closeAsk(true),
    });
    const tr = h('tr', { class: 'confirm-row', 'data-confirm': code }, h('td', { colspan: columns().length, class: 'confirm-cell' }, box));
    asking = { code, on, tr };
    render();
    focus();
  }

  /** Closes the confirmation; `refocus`: the focus back on its switch (Annulla, Escape, Conferma). */
  function closeAsk(refocus) {
    if (!asking) return;
    const { code, tr } = asking;
    asking = null;
    const hadFocus = tr.contains(document.activeElement);
    tr.remove();
    render();
    if (refocus || hadFocus) rows.get(code)?.toggle?.input.focus();
  }

  async function toggleTicketOnly(code, on) {
    const p = state.live.provinces.find((x) => x.code === code);
    pending.add(code);
    const r0 = rows.get(code);
    if (r0?.toggle) r0.toggle.input.checked = on; // shown as asked while the server answers
    $('#prov-error').textContent = '';
    render();
    try {
      await api(`/api/v1/dashboard/provinces/${encodeURIComponent(code)}/ticket-only`, { method: 'POST', body: { on } });
      p.ticketOnly = on;
      if (on && !state.live.ticketOnly.includes(code)) state.live.ticketOnly.push(code);
      if (!on) state.live.ticketOnly = state.live.ticketOnly.filter((c) => c !== code);
      announce(dt(on ? 'prov.ticketOnly.done.on' : 'prov.ticketOnly.done.off', { name: p.name }));
      void loadAudit();
    } catch (err) {
      // Shown, not only announced: the switch springs back, and a sighted supervisor must see why.
      if (err.status) sayError($('#prov-error'), err, () => ({ lead: dt('prov.ticketOnly.failed', { name: p.name }) }));
      else say($('#prov-error'), () => dt('prov.ticketOnly.offline', { name: p.name }));
    } finally {
      pending.delete(code);
      const r = rows.get(code);
      if (r?.toggle) r.toggle.input.checked = p.ticketOnly;
      render();
      provinceRow(p);
    }
  }

  $('#show-all').addEventListener('change', render);
  return { renderHead, render };
}
