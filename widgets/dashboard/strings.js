/**
 * Strings of the dashboard page, Italian first (the fallback), then English.
 * The language itself is the shared one of ../i18n.js (setLang/lang), so the
 * switch in the header changes these and the common strings together.
 *
 * In HTML: data-d="key" sets textContent, data-d-attr="aria-label:key" sets attributes.
 * Panels with many words have files of their own, merged in below: "Avvisi agli
 * utenti" (strings-announcements.js, ann.*), "Per lingua" (strings-languages.js,
 * lang.*), the confirmations (strings-confirm.js), "Accessi ai dati personali"
 * (strings-access.js, access.*), "Ultimi 30 giorni" (strings-history.js, history.*)
 * and "Interventi del supervisore" (strings-controls.js, controls.* and audit.*).
 */
import { applyStringsTo, lang, translator } from '../i18n.js';
import * as access from './strings-access.js';
import * as announcements from './strings-announcements.js';
import * as confirmations from './strings-confirm.js';
import * as controls from './strings-controls.js';
import * as history from './strings-history.js';
import * as languages from './strings-languages.js';

/** The panels' own files, merged after the page's words. */
const PARTS = [access, history, controls, announcements, languages, confirmations];

const it = {
  'title': 'Cruscotto del servizio INFO CIG',
  'skip': 'Vai al contenuto',
  'signin.title': 'Accesso di prova (solo sviluppo)',
  'signin.note': 'In produzione si accede con SPID o CIE dal portale interno.',
  'signin.role': 'Profilo',
  'signin.role.supervisor': 'Supervisore (tutta Italia)',
  'signin.role.office': 'Operatore di sede territoriale',
  'signin.sede': 'Sede',
  'signin.name': 'Nome',
  'signin.submit': 'Entra',
  'signin.unavailable': 'L’accesso di prova non è attivo su questo server.',
  'signin.failed': 'Accesso non riuscito.',
  'signout': 'Esci',
  'me.supervisor': '{name} · supervisore',
  'me.office': '{name} · {sede}',

  'summary.title': 'Situazione in tempo reale',
  // «label: n», so that one reads right too («1 consulenti disponibili» did not): a live region says it at each change.
  'summary.text': 'In attesa: {waiting} · consulenti disponibili: {available} su {advisors} · chat in corso: {active} · ticket scaduti: {overdue}',
  'summary.beyond': ' · code oltre l’orario di chiusura: {n}',
  'kpi.waiting': 'Utenti in attesa',
  'kpi.oldest': 'Attesa più lunga',
  'kpi.oldest.where': 'provincia di {name} ({code})',
  'kpi.closing': 'Chiusura del servizio',
  'kpi.available': 'Consulenti disponibili',
  'kpi.active': 'Chat in corso',
  'kpi.occupancy': 'Occupazione',
  // open and in progress: "Ticket aperti" beside the sedi table's «Aperti» column (open only) did not add up
  'kpi.open': 'Ticket aperti o in lavorazione',
  'kpi.overdue': 'Ticket scaduti',
  'kpi.satisfaction': 'Soddisfazione oggi',
  'kpi.satisfaction.value': '{avg} su 5',
  'kpi.satisfaction.one': '1 valutazione',
  'kpi.satisfaction.many': '{n} valutazioni',
  'kpi.satisfaction.none': 'nessuna valutazione',
  'kpi.departures': 'Abbandoni oggi',
  'kpi.departures.selfOne': 'di cui 1 ha trovato la risposta',
  'kpi.departures.self': 'di cui {n} hanno trovato la risposta',
  'kpi.departures.share': '{pct} % di chi ha chiesto',
  'closing.always': 'Sempre aperto',
  'closing.at': 'alle {time} (tra {left})',
  'closing.closed': 'Chiuso',
  'closing.opens': 'Chiuso · riapre {when}',
  'updated': 'Aggiornato alle {time}.',
  'mode.ws': 'Aggiornamento in tempo reale.',
  'mode.poll': 'Aggiornamento ogni {s} secondi.',
  'mode.error': 'Dati NON aggiornati: il server ha rifiutato la lettura.',
  'mode.retry': 'Nuovo tentativo ogni {s} secondi.',
  'mode.offline': 'Dati NON aggiornati: collegamento al server interrotto. Nuovo tentativo ogni {s} secondi.',

  'prov.title': 'Code per provincia',
  'prov.showAll': 'Mostra tutte le province',
  'prov.caption': 'Code per provincia e profilo. Le intestazioni ordinano la tabella.',
  'prov.none': 'Nessun utente in attesa in questo momento.',
  'prov.col.province': 'Provincia',
  'prov.col.region': 'Regione',
  'prov.col.waiting': 'In attesa',
  'prov.col.audience': 'Lav. / Dat. / Int.',
  'prov.col.audience.long': 'Lavoratori, datori di lavoro, intermediari',
  'prov.col.oldest': 'Attesa più lunga',
  'prov.col.eta': 'Attesa stimata',
  'prov.col.advisors': 'Consulenti disponibili',
  'prov.col.heat': 'Livello',
  'prov.col.ticketOnly': 'Solo ticket',
  'prov.col.departures': 'Abbandoni',
  'prov.col.departures.long': 'Abbandoni oggi: chi ha lasciato la coda senza essere servito',
  'prov.departures.self': 'di cui {n} con la risposta',
  'prov.beyond': 'oltre la chiusura',
  'prov.eta.unknown': 'non stimabile',
  'prov.ticketOnly.on': 'Attivo',
  'prov.ticketOnly.off': 'Disattivo',
  'prov.ticketOnly.label': 'Solo richieste Linea INPS per {name}',
  'prov.ticketOnly.done.on': '{name}: agli utenti viene proposta una richiesta Linea INPS al posto della coda.',
  'prov.ticketOnly.done.off': '{name}: la chat è di nuovo disponibile.',
  'prov.ticketOnly.failed': '«Solo ticket» per {name} non cambiato.',
  'prov.ticketOnly.offline': '«Solo ticket» per {name} non cambiato: collegamento al server interrotto. Riprovare.',
  'sort.asc': 'ordine crescente',
  'sort.desc': 'ordine decrescente',
  'heat.0': 'Nessuna attesa',
  'heat.1': 'Bassa',
  'heat.2': 'Media',
  'heat.3': 'Alta',
  'heat.4': 'Critica',
  'heat.legend': 'Livello: attesa più lunga e attesa stimata rispetto alla chiusura.',

  'adv.title': 'Consulenti e carico',
  'adv.caption': 'Consulenti, stato e chat in corso sul totale gestibile.',
  'adv.none': 'Nessun consulente collegato.',
  'adv.col.name': 'Consulente',
  'adv.col.status': 'Stato',
  'adv.col.load': 'Carico',
  'adv.col.serves': 'Serve',
  'adv.anon': 'Consulente {n}',
  'adv.status.available': 'Disponibile',
  'adv.status.away': 'Assente',
  'adv.status.offline': 'Non collegato',
  'adv.load': '{load} di {capacity}',
  'adv.national': 'Tutta Italia',

  'tickets.title': 'Ticket Linea INPS per sede',
  'tickets.caption': 'Arretrato per sede: aperti, in lavorazione, scaduti, SLA non rispettato (48 ore lavorative) e chiusi oggi.',
  'tickets.none': 'Nessun ticket.',
  'tickets.col.sede': 'Sede',
  'tickets.col.open': 'Aperti',
  'tickets.col.progress': 'In lavorazione',
  'tickets.col.overdue': 'Scaduti',
  'tickets.col.sla': 'SLA non rispettato',
  'tickets.col.closedToday': 'Chiusi oggi',
};

const en = {
  'title': 'INFO CIG service dashboard',
  'skip': 'Skip to content',
  'signin.title': 'Test sign-in (development only)',
  'signin.note': 'In production staff sign in with SPID or CIE through the intranet.',
  'signin.role': 'Profile',
  'signin.role.supervisor': 'Supervisor (all of Italy)',
  'signin.role.office': 'Territorial office operator',
  'signin.sede': 'Office',
  'signin.name': 'Name',
  'signin.submit': 'Sign in',
  'signin.unavailable': 'Test sign-in is not enabled on this server.',
  'signin.failed': 'Sign-in failed.',
  'signout': 'Sign out',
  'me.supervisor': '{name} · supervisor',
  'me.office': '{name} · {sede}',

  'summary.title': 'Live situation',
  'summary.text': 'Waiting: {waiting} · advisors available: {available} of {advisors} · chats in progress: {active} · overdue tickets: {overdue}',
  'summary.beyond': ' · queues beyond closing time: {n}',
  'kpi.waiting': 'Users waiting',
  'kpi.oldest': 'Longest wait',
  'kpi.oldest.where': 'province of {name} ({code})',
  'kpi.closing': 'Service closes',
  'kpi.available': 'Advisors available',
  'kpi.active': 'Chats in progress',
  'kpi.occupancy': 'Occupancy',
  'kpi.open': 'Tickets open or in progress',
  'kpi.overdue': 'Overdue tickets',
  'kpi.satisfaction': 'Satisfaction today',
  'kpi.satisfaction.value': '{avg} out of 5',
  'kpi.satisfaction.one': '1 rating',
  'kpi.satisfaction.many': '{n} ratings',
  'kpi.satisfaction.none': 'no ratings',
  'kpi.departures': 'Left unserved today',
  'kpi.departures.selfOne': 'of whom 1 found the answer',
  'kpi.departures.self': 'of whom {n} found the answer',
  'kpi.departures.share': '{pct}% of those who asked',
  'closing.always': 'Always open',
  'closing.at': 'at {time} (in {left})',
  'closing.closed': 'Closed',
  'closing.opens': 'Closed · opens {when}',
  'updated': 'Updated at {time}.',
  'mode.ws': 'Live updates.',
  'mode.poll': 'Updated every {s} seconds.',
  'mode.error': 'Data NOT up to date: the server refused the read.',
  'mode.retry': 'Trying again every {s} seconds.',
  'mode.offline': 'Data NOT up to date: connection to the server lost. Trying again every {s} seconds.',

  'prov.title': 'Queues by province',
  'prov.showAll': 'Show every province',
  'prov.caption': 'Queues by province and profile. The headers sort the table.',
  'prov.none': 'Nobody is waiting right now.',
  'prov.col.province': 'Province',
  'prov.col.region': 'Region',
  'prov.col.waiting': 'Waiting',
  'prov.col.audience': 'Wrk / Emp / Int',
  'prov.col.audience.long': 'Workers, employers, intermediaries',
  'prov.col.oldest': 'Longest wait',
  'prov.col.eta': 'Estimated wait',
  'prov.col.advisors': 'Advisors available',
  'prov.col.heat': 'Level',
  'prov.col.ticketOnly': 'Ticket only',
  'prov.col.departures': 'Left',
  'prov.col.departures.long': 'Left today: who left the queue without being served',
  'prov.departures.self': '{n} found the answer',
  'prov.beyond': 'beyond closing',
  'prov.eta.unknown': 'cannot be estimated',
  'prov.ticketOnly.on': 'On',
  'prov.ticketOnly.off': 'Off',
  'prov.ticketOnly.label': 'Linea INPS requests only for {name}',
  'prov.ticketOnly.done.on': '{name}: users are offered a Linea INPS request instead of the queue.',
  'prov.ticketOnly.done.off': '{name}: the chat is available again.',
  'prov.ticketOnly.failed': '"Ticket only" for {name} not changed.',
  'prov.ticketOnly.offline': '"Ticket only" for {name} not changed: connection to the server lost. Please try again.',
  'sort.asc': 'ascending',
  'sort.desc': 'descending',
  'heat.0': 'No wait',
  'heat.1': 'Low',
  'heat.2': 'Medium',
  'heat.3': 'High',
  'heat.4': 'Critical',
  'heat.legend': 'Level: longest wait and estimated wait against closing time.',

  'adv.title': 'Advisors and load',
  'adv.caption': 'Advisors, status and chats in progress out of their capacity.',
  'adv.none': 'No advisor is signed in.',
  'adv.col.name': 'Advisor',
  'adv.col.status': 'Status',
  'adv.col.load': 'Load',
  'adv.col.serves': 'Serves',
  'adv.anon': 'Advisor {n}',
  'adv.status.available': 'Available',
  'adv.status.away': 'Away',
  'adv.status.offline': 'Offline',
  'adv.load': '{load} of {capacity}',
  'adv.national': 'All of Italy',

  'tickets.title': 'Linea INPS tickets by office',
  'tickets.caption': 'Backlog by office: open, in progress, overdue, SLA missed (48 working hours) and closed today.',
  'tickets.none': 'No tickets.',
  'tickets.col.sede': 'Office',
  'tickets.col.open': 'Open',
  'tickets.col.progress': 'In progress',
  'tickets.col.overdue': 'Overdue',
  'tickets.col.sla': 'SLA missed',
  'tickets.col.closedToday': 'Closed today',
};

const DICTS = {
  it: Object.assign({}, it, ...PARTS.map((part) => part.it)),
  en: Object.assign({}, en, ...PARTS.map((part) => part.en)),
};

export const dt = translator(DICTS);

export function applyStrings(root = document) {
  applyStringsTo(root, 'd', dt);
}

const LOCALES = { it: 'it-IT', en: 'en-GB' };
export const locale = () => LOCALES[lang()] ?? 'it-IT';

export function fmtNumber(n, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n);
}

/** 42 s, 4 min, 1 h 5 min. */
export function fmtDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** "10 mar" style, Italian time. */
export function fmtDay(ymd) {
  const d = new Date(`${ymd}T12:00:00Z`);
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
}
export { DICTS as STRINGS };
