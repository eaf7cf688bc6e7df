/**
 * Strings of the dashboard page, Italian first (the fallback), then English.
 * The language itself is the shared one of ../i18n.js (setLang/lang), so the
 * switch in the header changes these and the common strings together.
 *
 * In HTML: data-d="key" sets textContent, data-d-attr="aria-label:key" sets attributes.
 */
import { applyStringsTo, lang, translator } from '../i18n.js';

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
  'signin.failed': 'Accesso non riuscito ({code}).',
  'signout': 'Esci',
  'me.supervisor': '{name} · supervisore',
  'me.office': '{name} · {sede}',

  'summary.title': 'Situazione in tempo reale',
  'summary.text': '{waiting} in attesa · {available} consulenti disponibili su {advisors} · {active} chat in corso · {overdue} ticket scaduti',
  'summary.beyond': ' · {n} code oltre l’orario di chiusura',
  'kpi.waiting': 'Utenti in attesa',
  'kpi.oldest': 'Attesa più lunga',
  'kpi.closing': 'Chiusura del servizio',
  'kpi.available': 'Consulenti disponibili',
  'kpi.active': 'Chat in corso',
  'kpi.occupancy': 'Occupazione',
  'kpi.open': 'Ticket aperti',
  'kpi.overdue': 'Ticket scaduti',
  'closing.always': 'Sempre aperto',
  'closing.at': 'alle {time} (tra {left})',
  'closing.closed': 'Chiuso',
  'closing.opens': 'Chiuso · riapre {when}',
  'updated': 'Aggiornato alle {time}.',
  'mode.ws': 'Aggiornamento in tempo reale.',
  'mode.poll': 'Aggiornamento ogni {s} secondi.',
  'mode.error': 'Impossibile aggiornare i dati ({code}): nuovo tentativo a breve.',

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
  'prov.beyond': 'oltre la chiusura',
  'prov.ticketOnly.on': 'Attivo',
  'prov.ticketOnly.off': 'Disattivo',
  'prov.ticketOnly.label': 'Solo richieste Linea INPS per {name}',
  'prov.ticketOnly.done.on': '{name}: agli utenti viene proposta una richiesta Linea INPS al posto della coda.',
  'prov.ticketOnly.done.off': '{name}: la chat è di nuovo disponibile.',
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

  'history.title': 'Ultimi 30 giorni',
  'history.csv': 'Scarica CSV',
  'history.chart.chats': 'Chat servite',
  'history.chart.wait': 'Attesa media (minuti)',
  'history.chart.escalations': 'Chat passate a ticket',
  'history.chart.backlog': 'Ticket aperti a fine giornata',
  'history.chart.desc': '{title} dal {from} al {to}: massimo {max}, ultimo valore {last}.',
  'history.data': 'Dati del grafico',
  'history.col.day': 'Giorno',
  'history.col.value': 'Valore',
  'history.notTaken': 'non rilevato',
  'history.empty': 'Nessuna rilevazione giornaliera nel periodo.',
  'history.snapshot': 'Rileva il giorno',
  'history.snapshot.day': 'Giorno da rilevare',
  'history.snapshot.done': 'Rilevazione del {day} salvata.',
  'history.failed': 'Impossibile leggere lo storico ({code}).',

  'controls.title': 'Interventi del supervisore',
  'controls.move': 'Sposta un consulente tra le code',
  'controls.advisor': 'Consulente',
  'controls.provinces': 'Province servite (sigle separate da virgola)',
  'controls.regions': 'Regioni servite (separate da virgola)',
  'controls.hint': 'Lasciare entrambi vuoti per servire tutta Italia.',
  'controls.submit': 'Sposta',
  'controls.moved': '{name} ora serve: {where}.',
  'controls.failed': 'Operazione non riuscita ({code}).',
  'controls.noAdvisors': 'Nessun consulente collegato da spostare.',
  'audit.title': 'Registro degli interventi',
  'audit.none': 'Nessun intervento registrato.',
  'audit.advisor.queues': '{actor} ha spostato {target}: {before} → {after}',
  'audit.province.ticket_only.on': '{actor} ha attivato «solo ticket» per {target}',
  'audit.province.ticket_only.off': '{actor} ha disattivato «solo ticket» per {target}',
  'audit.snapshot.taken': '{actor} ha rilevato il giorno {target}',
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
  'signin.failed': 'Sign-in failed ({code}).',
  'signout': 'Sign out',
  'me.supervisor': '{name} · supervisor',
  'me.office': '{name} · {sede}',

  'summary.title': 'Live situation',
  'summary.text': '{waiting} waiting · {available} of {advisors} advisors available · {active} chats in progress · {overdue} overdue tickets',
  'summary.beyond': ' · {n} queues beyond closing time',
  'kpi.waiting': 'Users waiting',
  'kpi.oldest': 'Longest wait',
  'kpi.closing': 'Service closes',
  'kpi.available': 'Advisors available',
  'kpi.active': 'Chats in progress',
  'kpi.occupancy': 'Occupancy',
  'kpi.open': 'Open tickets',
  'kpi.overdue': 'Overdue tickets',
  'closing.always': 'Always open',
  'closing.at': 'at {time} (in {left})',
  'closing.closed': 'Closed',
  'closing.opens': 'Closed · opens {when}',
  'updated': 'Updated at {time}.',
  'mode.ws': 'Live updates.',
  'mode.poll': 'Updated every {s} seconds.',
  'mode.error': 'Could not update the data ({code}): trying again shortly.',

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
  'prov.beyond': 'beyond closing',
  'prov.ticketOnly.on': 'On',
  'prov.ticketOnly.off': 'Off',
  'prov.ticketOnly.label': 'Linea INPS requests only for {name}',
  'prov.ticketOnly.done.on': '{name}: users are offered a Linea INPS request instead of the queue.',
  'prov.ticketOnly.done.off': '{name}: the chat is available again.',
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

  'history.title': 'Last 30 days',
  'history.csv': 'Download CSV',
  'history.chart.chats': 'Chats served',
  'history.chart.wait': 'Average wait (minutes)',
  'history.chart.escalations': 'Chats escalated to tickets',
  'history.chart.backlog': 'Open tickets at end of day',
  'history.chart.desc': '{title} from {from} to {to}: highest {max}, latest {last}.',
  'history.data': 'Chart data',
  'history.col.day': 'Day',
  'history.col.value': 'Value',
  'history.notTaken': 'not recorded',
  'history.empty': 'No daily snapshot in this period.',
  'history.snapshot': 'Record the day',
  'history.snapshot.day': 'Day to record',
  'history.snapshot.done': 'Snapshot of {day} saved.',
  'history.failed': 'Could not read the history ({code}).',

  'controls.title': 'Supervisor controls',
  'controls.move': 'Move an advisor between queues',
  'controls.advisor': 'Advisor',
  'controls.provinces': 'Provinces served (codes, comma-separated)',
  'controls.regions': 'Regions served (comma-separated)',
  'controls.hint': 'Leave both empty to serve all of Italy.',
  'controls.submit': 'Move',
  'controls.moved': '{name} now serves: {where}.',
  'controls.failed': 'The change failed ({code}).',
  'controls.noAdvisors': 'No signed-in advisor to move.',
  'audit.title': 'Audit log of the controls',
  'audit.none': 'Nothing recorded yet.',
  'audit.advisor.queues': '{actor} moved {target}: {before} → {after}',
  'audit.province.ticket_only.on': '{actor} switched {target} to ticket only',
  'audit.province.ticket_only.off': '{actor} switched ticket only off for {target}',
  'audit.snapshot.taken': '{actor} recorded the day {target}',
};

const DICTS = { it, en };

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
