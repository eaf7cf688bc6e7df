/**
 * The supervisor's interventions on the dashboard: moving an advisor between
 * queues, taking a day's snapshot by hand, and the audit list of the last ten
 * interventions (GET /api/v1/dashboard/audit), reloaded after each one.
 *
 * Separate because these are the page's only writes besides the ticket-only
 * switch (which lives in its table row and reloads this list through `loadAudit`),
 * and because an office operator never sees or calls any of it.
 */
import { formatTime } from '../i18n.js';
import { dateField, dayText, readDays, setDay } from '../lib/date-field.js';
import { $, h } from '../lib/ui.js';
import { servesText } from './advisors-tickets.js';
import { say, sayError } from '../lib/said.js';
import { dt } from './strings.js';

/** Yesterday in Rome, YYYY-MM-DD: the day a snapshot is usually taken for. */
function yesterday() {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function auditText(a) {
  const actor = a.actor.name ?? a.actor.id;
  if (a.action === 'advisor.queues') {
    const w = (s) => ([...(s?.provinces ?? []), ...(s?.regions ?? [])].join(', ') || dt('adv.national'));
    // Named as in the picker (name and user code): the code alone says little, the name alone fits namesakes.
    const target = a.detail.advisorName ? `${a.detail.advisorName} – ${a.target}` : a.target;
    return dt('audit.advisor.queues', { actor, target, before: w(a.detail.before), after: w(a.detail.after) });
  }
  if (a.action === 'province.ticket_only') return dt(`audit.province.ticket_only.${a.detail.on ? 'on' : 'off'}`, { actor, target: a.target });
  if (a.action === 'snapshot.taken') return dt('audit.snapshot.taken', { actor, target: a.target });
  if (a.action === 'announcement.published') return dt('audit.announcement.published', { actor, title: a.detail.title ?? a.target });
  if (a.action === 'announcement.withdrawn') return dt('audit.announcement.withdrawn', { actor, title: a.detail.title ?? a.target });
  return `${actor}: ${a.action} ${a.target}`;
}

/** An advisor as the picker names them: with the user code, as the advisors' own transfer list does (two namesakes are told apart), and where they serve. */
function pickerText(a) {
  return `${a.name ? `${a.name} – ${a.id}` : a.id} (${servesText(a)})`;
}

/**
 * Wires the move and snapshot forms; `api(path, { method, body })` is the dashboard's
 * signed-in fetch, `announce(text)` speaks, `isSupervisor()` tells whether to show
 * or load anything, `loadHistory()` redraws the charts after a snapshot.
 */
export function supervisorControls({ api, announce, isSupervisor, loadHistory }) {
  let audit = [];

  /**
   * The advisor picker follows the live list, rebuilt only when what it shows changes (keeping the
   * choice): the advisors, their names, or where they serve (a move, here or by another supervisor).
   */
  function renderMoveOptions(live) {
    if (!isSupervisor()) return;
    places = { provinces: new Set(live.provinces.map((p) => p.code)), regions: [...new Set(live.provinces.map((p) => p.region))] };
    const select = $('#move-advisor');
    const current = select.value;
    const list = live.advisors.filter((a) => a.id);
    const texts = list.map(pickerText);
    const key = texts.join('|');
    // Said at every render, not only when the list changes: an empty list stays the same across a language change.
    const error = $('#move-error');
    if (!list.length) {
      error.textContent = dt('controls.noAdvisors');
      error.dataset.empty = '';
    } else if (Object.hasOwn(error.dataset, 'empty')) {
      error.textContent = '';
      delete error.dataset.empty;
    }
    if (select.dataset.key === key) return;
    select.dataset.key = key;
    select.replaceChildren(...list.map((a, i) => h('option', { value: a.id }, texts[i])));
    if (list.some((a) => a.id === current)) select.value = current;
    $('#move-form button[type="submit"]').disabled = list.length === 0;
  }

  /** The province codes and region names the live view knows (all of Italy for a supervisor): the move form is checked against them. */
  let places = null;

  async function moveAdvisor(e) {
    e.preventDefault();
    const err = $('#move-error');
    err.textContent = '';
    const id = $('#move-advisor').value;
    if (!id) return;
    const split = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
    const provinces = split($('#move-provinces').value).map((p) => p.toUpperCase());
    // A region as typed ("lombardia") is the one it names; the server knows only the exact names.
    const typedRegions = split($('#move-regions').value);
    const regions = typedRegions.map((r) => places?.regions.find((x) => x.localeCompare(r, 'it', { sensitivity: 'base' }) === 0) ?? r);
    // Said here, by name and on its field, rather than as the server's "validation_failed".
    const badProvinces = places ? provinces.filter((p) => !places.provinces.has(p)) : [];
    const badRegions = places ? regions.filter((r) => !places.regions.includes(r)) : [];
    for (const input of [$('#move-provinces'), $('#move-regions')]) input.removeAttribute('aria-invalid');
    if (badProvinces.length || badRegions.length) {
      const field = badProvinces.length ? $('#move-provinces') : $('#move-regions');
      say(err, () => badProvinces.length ? dt('controls.unknownProvinces', { list: badProvinces.join(', ') }) : dt('controls.unknownRegions', { list: badRegions.join(', ') }));
      field.setAttribute('aria-invalid', 'true');
      field.focus();
      return;
    }
    try {
      const a = await api(`/api/v1/dashboard/advisors/${encodeURIComponent(id)}/queues`, { method: 'POST', body: { provinces, regions } });
      // The picker says where they serve now, before the next live update (which rebuilds it the same).
      const option = [...$('#move-advisor').options].find((o) => o.value === id);
      if (option) option.textContent = pickerText({ ...a, id });
      announce(dt('controls.moved', { name: a.name ?? id, where: servesText(a) }));
      $('#move-provinces').value = '';
      $('#move-regions').value = '';
      void loadAudit();
    } catch (x) {
      sayError(err, x, () => ({ lead: dt('controls.moveFailed') }));
    }
  }

  function renderAudit() {
    const list = $('#audit');
    if (audit.length === 0) return list.replaceChildren(h('li', { class: 'note empty' }, dt('audit.none')));
    list.replaceChildren(...audit.map((a) => h('li', {}, h('time', { datetime: a.at }, formatTime(a.at)), ' ', auditText(a))));
  }

  async function loadAudit() {
    if (!isSupervisor()) return;
    try {
      audit = (await api('/api/v1/dashboard/audit?limit=10')).items;
      renderAudit();
    } catch {
      /* shown again at the next action */
    }
  }

  async function takeSnapshot(e) {
    e.preventDefault();
    const error = $('#snapshot-error');
    const done = $('#snapshot-done');
    error.textContent = '';
    done.textContent = '';
    const days = readDays([snapshotDay], error);
    if (!days) return;
    const [day] = days;
    if (!day) {
      say(error, () => dt('history.snapshot.required'));
      snapshotDay.setAttribute('aria-invalid', 'true');
      snapshotDay.focus();
      return;
    }
    try {
      await api('/api/v1/dashboard/snapshots', { method: 'POST', body: { day } });
      // Said aloud and also shown by the form: one who sees the page saw nothing happen otherwise.
      announce(dt('history.snapshot.done', { day: dayText(day) }));
      say(done, () => dt('history.snapshot.done', { day: dayText(day) }));
      await Promise.all([loadHistory(), loadAudit()]);
    } catch (err) {
      sayError(error, err, () => ({ lead: dt('history.snapshot.failed') })); // shown by the field, and read out (role=alert)
    }
  }

  /** Puts yesterday in the snapshot form, at sign-in. */
  function suggestDay() {
    setDay(snapshotDay, yesterday());
  }

  const snapshotDay = dateField($('#snapshot-day'));
  $('#move-form').addEventListener('submit', (e) => void moveAdvisor(e));
  $('#snapshot-form').addEventListener('submit', (e) => void takeSnapshot(e));
  return { renderMoveOptions, renderAudit, loadAudit, suggestDay };
}
