/**
 * The demo host page: a mock OMNIA IS wizard that embeds the INFO CIG bubble.
 * As a demo it signs in through POST /dev/token (by default a worker in Milano,
 * sub demo-worker-1, "Mario Rossi"); the identity form reloads the page with
 * ?role=&province=&name=&lang=.
 *
 * The suspension's days are typed fields in the page's format (gg/mm/aaaa,
 * lib/date-field.js), as on every other page: a native date input follows the
 * browser's language, and an Italian page in an American browser asked for
 * mm/dd/yyyy. The page is Italian, as OMNIA IS is.
 */
import { PROVINCES } from '../chat/dev-signin.js';
import { dateField, readDays, setDay } from '../lib/date-field.js';

const $ = (s) => document.querySelector(s);
const params = new URLSearchParams(location.search);
const ROLES = ['worker', 'employer', 'intermediary'];
const role = ROLES.includes(params.get('role')) ? params.get('role') : 'worker';
const province = PROVINCES.some(([c]) => c === params.get('province')) ? params.get('province') : 'MI';
const name = (params.get('name') || '').trim().slice(0, 80) || (role === 'worker' ? 'Mario Rossi' : role === 'employer' ? 'Giulia Bianchi' : 'Studio Verdi');
const lang = ['de', 'en'].includes(params.get('lang')) ? params.get('lang') : 'it';
const sub = role === 'worker' && province === 'MI' && !params.get('name') ? 'demo-worker-1' : `demo-${role}-${province.toLowerCase()}`;

/** The token callback named in the loader's data-token-callback. */
window.getInfoCigToken = async function getInfoCigToken() {
  const res = await fetch(new URL('../dev/token', location.href), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, sub, name, province, ...(role === 'worker' ? {} : { matricola: '1234567890' }) }),
  });
  if (!res.ok) throw new Error(`dev token: HTTP ${res.status}`);
  return (await res.json()).token;
};

// ---- identity form
$('#who').textContent = `${name} (${$(`#id-role option[value="${role}"]`).textContent}, ${province})`;
$('#id-role').value = role;
$('#id-name').value = name;
$('#id-lang').value = lang;
const provSel = $('#id-province');
for (const [code, label] of PROVINCES) provSel.append(new Option(`${label} (${code})`, code, false, code === province));

// ---- wizard
const STEPS = ['Dati dell’azienda', 'Unità produttiva', 'Periodo e lavoratori', 'Riepilogo e invio'];
let step = 1;

function context() {
  return { protocol: $('#protocol').textContent, matricola: $('#matricola').textContent, step: `${step} – ${STEPS[step - 1]}` };
}

function show(n, focus) {
  step = n;
  for (const fs of document.querySelectorAll('.step')) fs.hidden = Number(fs.dataset.step) !== n;
  for (const li of document.querySelectorAll('#steps li')) {
    const s = Number(li.dataset.step);
    li.classList.toggle('done', s < n);
    if (s === n) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
  $('#step-title').textContent = `Passo ${n} di ${STEPS.length}: ${STEPS[n - 1]}`;
  $('#step-error').textContent = '';
  $('#back').disabled = n === 1;
  $('#next').textContent = n === STEPS.length ? 'Invia la domanda' : 'Avanti';
  if (focus) $('#step-title').focus();
  window.InfoCig?.setContext(context());
}

/** The suspension's first and last day, shown in the page's format. */
const days = [dateField($('#f-from')), dateField($('#f-to'))];
for (const input of days) setDay(input, input.getAttribute('value'));

/** Leaving "Periodo e lavoratori": each day readable and real, the end not before the start; else said on its field. */
function periodOk() {
  const error = $('#step-error');
  error.textContent = '';
  const read = readDays(days, error);
  if (!read) return false;
  const [from, to] = read;
  if (from && to && from > to) {
    error.textContent = 'La fine della sospensione viene prima dell’inizio: correggi una delle due date.';
    for (const input of days) input.setAttribute('aria-invalid', 'true');
    days[1].focus();
    return false;
  }
  return true;
}

$('#step-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (step === 3 && !periodOk()) return;
  if (step < STEPS.length) return show(step + 1, true);
  $('#app-status').textContent = 'Inviata (simulazione)';
  $('#sent-note').textContent = 'Domanda inviata (simulazione). Protocollo INPS.IS.2025.0004711.';
});
$('#back').addEventListener('click', () => step > 1 && show(step - 1, true));
$('#open-chat').addEventListener('click', () => window.InfoCig?.open());

// ---- widget
const events = $('#events');
function log(text) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString('it-IT')} ${text}`;
  events.prepend(li);
  while (events.children.length > 8) events.lastElementChild.remove();
}

const cig = window.InfoCig;
if (cig) {
  cig.init({ lang, context: context() });
  cig.on('ready', () => log('ready'));
  cig.on('opened', () => log('opened'));
  cig.on('closed', () => log('closed'));
  cig.on('unread', (d) => log(`unread: ${d.count}`));
  cig.on('queue', (d) => log(`queue: posizione ${d.position}`));
  cig.on('assigned', (d) => log(`assigned: ${d.advisorName ?? 'consulente'}`));
  cig.on('ended', (d) => log(d.ticket ? `ended: richiesta Linea INPS ${d.ticket.protocol}` : 'ended'));
}
show(1, false);
