/**
 * Strings of the INFO CIG pages. Italian is the default and the fallback; every
 * other language is one more object in DICTS with the same keys (a missing key
 * falls back to Italian, then to the key itself). `{name}` placeholders are
 * filled by t(key, { name }).
 *
 * In HTML: data-i18n="key" sets textContent; data-i18n-attr="aria-label:key;title:key"
 * sets attributes. applyI18n() re-renders a subtree after setLang().
 */

const it = {
  'lang.label': 'Lingua',
  'app.title': 'INFO CIG – Cassa integrazione',
  'app.subtitle': 'Chat con i consulenti INPS',
  'conn.connecting': 'Connessione…',
  'conn.open': 'Connesso',
  'conn.reconnecting': 'Riconnessione…',
  'conn.closed': 'Disconnesso',
  'conn.retry': 'Riprova',
  'common.loading': 'Caricamento…',
  'common.cancel': 'Annulla',
  'common.you': 'Tu',
  'common.advisor': 'Consulente INPS',
  'common.download': 'Scarica la trascrizione',
  'common.signout': 'Esci',
  'common.comingSoon': 'In arrivo.',

  'topic.cigo': 'CIGO – Cassa integrazione ordinaria',
  'topic.cigs': 'CIGS – Cassa integrazione straordinaria',
  'topic.fis': 'FIS / assegno di integrazione salariale',
  'topic.solidarity_fund': 'Fondi di solidarietà',
  'topic.payment': 'Tempi di pagamento',
  'topic.other': 'Altro',

  'role.worker': 'Lavoratore',
  'role.employer': 'Datore di lavoro',
  'role.intermediary': 'Intermediario',
  'role.advisor': 'Consulente',

  'entry.omnia': 'OMNIA IS',
  'entry.cassetto': 'Cassetto previdenziale',
  'entry.worker_area': 'Area lavoratore',
  'entry.other': 'Altro',

  'avail.openUntil': 'Servizio aperto fino alle {time}.',
  'avail.open': 'Servizio aperto.',
  'avail.closedTitle': 'Il servizio è chiuso',
  'avail.reason.outside_hours': 'La chat è attiva dal lunedì al venerdì, dalle 15:00 alle 18:00.',
  'avail.reason.weekend': 'La chat non è attiva il sabato e la domenica.',
  'avail.reason.holiday': 'Oggi è un giorno festivo{holiday}.',
  'avail.reason.not_rolled_out': 'La chat non è ancora disponibile per il tuo profilo in questa provincia.',
  'avail.reason.other': 'La chat al momento non è disponibile.',
  'avail.opensAt': 'Riapre {when}.',
  'avail.check': 'Verifica di nuovo',
  'avail.error': 'Non è stato possibile verificare la disponibilità del servizio.',

  'start.title': 'Come possiamo aiutarti?',
  'start.topic': 'Argomento della richiesta',
  'start.submit': 'Avvia la chat',
  'start.pickTopic': 'Scegli un argomento.',
  'start.failed': 'Non è stato possibile avviare la chat ({code}).',
  'start.already': 'Hai già una conversazione aperta.',

  'queue.title': 'Sei in coda',
  'queue.first': 'Sei il primo in coda.',
  'queue.position': 'Sei in posizione {position} nella coda.',
  'queue.eta.soon': 'Attesa stimata: meno di un minuto.',
  'queue.eta.minutes': 'Attesa stimata: circa {minutes} minuti.',
  'queue.eta.minute': 'Attesa stimata: circa un minuto.',
  'queue.keepOpen': 'Tieni aperta questa pagina: la chat inizierà appena un consulente sarà libero.',
  'queue.cancel': 'Esci dalla coda',
  'queue.left': 'Sei uscito dalla coda.',

  'chat.with': 'Stai parlando con {name}',
  'chat.anAdvisor': 'un consulente INPS',
  'chat.topic': 'Argomento: {topic}',
  'chat.messages': 'Messaggi',
  'chat.message': 'Il tuo messaggio',
  'chat.send': 'Invia',
  'chat.hint': 'Invio per inviare, Maiusc+Invio per andare a capo.',
  'chat.typing': '{name} sta scrivendo…',
  'chat.sending': 'In invio…',
  'chat.sent': 'Inviato',
  'chat.read': 'Letto',
  'chat.failed': 'Non inviato',
  'chat.end': 'Termina la chat',
  'chat.minimize': 'Riduci a icona',
  'chat.assigned': '{name} ha preso in carico la tua richiesta.',
  'chat.reconnected': 'Connessione ripristinata.',

  'rate.title': 'Prima di chiudere',
  'rate.legend': 'Come valuti l’assistenza ricevuta? (facoltativo)',
  'rate.1': '1 – Pessima',
  'rate.2': '2 – Scarsa',
  'rate.3': '3 – Sufficiente',
  'rate.4': '4 – Buona',
  'rate.5': '5 – Ottima',
  'rate.submit': 'Chiudi la chat',
  'rate.continue': 'Continua la chat',

  'ended.title': 'Conversazione terminata',
  'ended.byMe': 'Grazie per averci contattato.',
  'ended.byPeer': 'Il consulente ha chiuso la conversazione.',
  'ended.new': 'Nuova richiesta',
  'due.endOfDay': '{day}, fine giornata',
  'ended.escalated': 'Il consulente ha passato la tua domanda a {sede}: è la richiesta Linea INPS {protocol}.',
  'ended.escalatedMine': 'Il consulente ha passato la tua domanda alla sede INPS come richiesta Linea INPS: la trovi in «Le mie richieste».',
  'ended.escalatedDue': 'Ti risponderà per iscritto entro {due}; ti avviseremo quando arriva la risposta.',
  'ended.openTicket': 'Vedi la richiesta',
  'queue.handover': 'Ti stiamo passando a un altro consulente: la conversazione resta qui.',

  'error.title': 'Chat non disponibile',
  'error.auth': 'La sessione non è valida o è scaduta. Accedi di nuovo.',
  'error.embed': 'Questa chat non può essere aperta da questa pagina.',
  'error.hostOnly': 'Apri INFO CIG dal Cassetto previdenziale, da OMNIA IS o dalla tua area personale.',
  'error.signin': 'Accesso non riuscito ({code}). Riprova.',
  'error.generic': 'Si è verificato un errore ({code}).',
  'error.rate_limited': 'Stai inviando troppi messaggi: attendi un momento.',

  'transcript.title': 'INFO CIG – trascrizione della conversazione',
  'transcript.conversation': 'Conversazione',
  'transcript.topic': 'Argomento',
  'transcript.with': 'Con',
  'transcript.downloaded': 'Scaricata il',

  'dev.title': 'Accesso di prova (solo sviluppo)',
  'dev.note': 'In produzione si accede dal Cassetto previdenziale o da OMNIA IS.',
  'dev.role': 'Profilo',
  'dev.province': 'Provincia',
  'dev.name': 'Nome',
  'dev.sub': 'Codice utente',
  'dev.skills': 'Competenze (separate da virgola, facoltative)',
  'dev.submit': 'Entra',
  'dev.unavailable': 'L’accesso di prova non è attivo su questo server.',
  'dev.failed': 'Accesso non riuscito ({code}).',

  'adv.title': 'Console consulente INFO CIG',
  'adv.status': 'Il mio stato',
  'adv.available': 'Disponibile',
  'adv.away': 'Assente',
  'adv.load': 'Chat aperte: {load} su {capacity}',
  'adv.chats': 'Chat assegnate',
  'adv.none': 'Nessuna chat assegnata. Imposta lo stato su «Disponibile» per ricevere le richieste.',
  'adv.newChat': 'Nuova chat assegnata: {name}, {topic}, provincia {province}.',
  'adv.titleCue': '(Nuova chat) Console INFO CIG',
  'adv.ctx.role': 'Profilo',
  'adv.ctx.province': 'Provincia',
  'adv.ctx.topic': 'Argomento',
  'adv.ctx.entry': 'Accesso da',
  'adv.ctx.matricola': 'Matricola',
  'adv.ctx.protocol': 'Protocollo',
  'adv.ctx.step': 'Passo',
  'adv.reply': 'Risposta a {name}',
  'adv.outcome': 'Esito',
  'adv.outcome.resolved': 'Risolto',
  'adv.outcome.info_given': 'Informazioni fornite',
  'adv.outcome.escalate_later': 'Da approfondire in seguito',
  'adv.outcome.no_answer': 'Nessuna risposta dall’utente',
  'adv.outcome.closed_by_user': 'chiusa dall’utente',
  'adv.outcome.escalated': 'passata a Linea INPS',
  'adv.escalateOpen': 'Passa alla sede (Linea INPS)',
  'adv.summary': 'Sintesi per la sede',
  'adv.summaryHint': 'La sede riceve questa sintesi con la trascrizione della chat; l’utente riceve il numero di protocollo e la chat si chiude.',
  'adv.summaryRequired': 'Scrivi una sintesi per la sede.',
  'adv.escalate': 'Apri la richiesta Linea INPS',
  'adv.escalated': 'Chat passata a {sede}: richiesta {protocol}.',
  'adv.escalatedDue': 'Risposta prevista entro {due}.',
  'adv.transferOpen': 'Trasferisci a un altro consulente',
  'adv.transferTo': 'A chi passarla',
  'adv.transferHint': 'Solo i colleghi disponibili con un posto libero. «Al primo consulente libero» rimette la chat in testa alla coda. L’utente conserva la conversazione.',
  'adv.transferAnyone': 'Al primo consulente libero',
  'adv.transferFit': 'Colleghi adatti a questa chat',
  'adv.transferOther': 'Altri colleghi disponibili',
  'adv.transferTarget': '{name} ({id}) · chat {load} su {capacity}',
  'adv.transferNobody': 'Nessun collega è disponibile con un posto libero in questo momento.',
  'adv.transferListFailed': 'Elenco dei colleghi non disponibile ({code}): puoi rimettere la chat in coda.',
  'adv.transfer': 'Trasferisci',
  'adv.transferUnavailable': 'Quel collega non può più prendere la chat: è assente o al completo. L’elenco è aggiornato.',
  'adv.transferredTo': 'Chat trasferita a {to}.',
  'adv.transferredQueue': 'Chat rimessa in coda per un altro consulente.',
  'adv.released.unanswered': 'La chat è tornata in coda: l’utente non ha ricevuto risposta in tempo.',
  'adv.released.other': 'La chat è passata a un altro consulente.',
  'adv.canned': 'Risposte pronte',
  'adv.canned.pick': 'Inserisci una risposta pronta…',
  'adv.canned.topic': 'Per l’argomento di questa chat',
  'adv.canned.general': 'Generali',
  'adv.answerBy': 'Rispondi entro le {time}: poi la chat passa a un collega e il tuo stato diventa «Assente».',
  'adv.awayUnanswered': 'Il tuo stato è «Assente»: una chat non ha avuto risposta in tempo ed è passata a un collega. Torna «Disponibile» quando puoi.',
  'adv.close': 'Chiudi la chat',
  'adv.closed': 'Chat chiusa ({outcome}).',
  'adv.dismiss': 'Rimuovi dalla vista',
  'adv.user': 'Utente',

  'stub.office': 'Console delle sedi territoriali',
  'stub.dashboard': 'Cruscotto del servizio',
  // Chat start: the question typed while asking
  'start.question': 'La tua domanda (facoltativa)',
  'start.questionHint': 'La leggerà il consulente che prende in carico la chat.',
  'start.company': 'Per quale azienda?',
  'start.companyHint': 'Il consulente vedrà la matricola e potrà verificare la pratica di quell’azienda.',
  'start.companyNone': 'Nessuna in particolare',

  // Linea INPS requests from the chat app (widgets/chat/tickets.js)
  'tk.mine': 'Le mie richieste',
  'tk.leave': 'Lascia una richiesta Linea INPS',
  'tk.leaveShort': 'Lascia una richiesta',
  'tk.intro': 'Risponde per iscritto un operatore della sede INPS competente, di norma entro 48 ore lavorative.',
  'tk.subject': 'Oggetto',
  'tk.topic': 'Argomento',
  'tk.body': 'Testo della richiesta',
  'tk.matricola': 'Matricola INPS dell’azienda (facoltativa)',
  'tk.matricolaHint': 'Indicala se la richiesta riguarda un’azienda per cui operi.',
  'tk.files': 'Allegati (facoltativi)',
  'tk.filesHint': 'Fino a 3 file da 5 MB ciascuno: PDF, PNG, JPEG, P7M (documento firmato) o testo.',
  'tk.clearFiles': 'Togli gli allegati',
  'tk.send': 'Invia la richiesta',
  'tk.sending': 'Invio in corso…',
  'tk.back': 'Indietro',
  'tk.refresh': 'Aggiorna',
  'tk.views.title': 'Chi ha consultato la richiesta ({n})',
  'tk.views.note': 'Ogni consultazione dei tuoi dati da parte del personale INPS viene registrata: qui vedi quando e da quale ufficio.',
  'tk.views.by.office': 'la sede {sede}',
  'tk.views.by.supervisor': 'un supervisore del servizio',
  'tk.views.by.advisor': 'un consulente INFO CIG',
  'tk.views.ticket.read': '{when}: {by} ha aperto la richiesta',
  'tk.views.attachment.read': '{when}: {by} ha scaricato un allegato',
  'tk.new': 'Nuova richiesta Linea INPS',
  'tk.open': 'Apri la richiesta',
  'tk.need.subject': 'Scrivi l’oggetto della richiesta.',
  'tk.need.category': 'Scegli un argomento.',
  'tk.need.body': 'Scrivi il testo della richiesta.',
  'tk.badMatricola': 'La matricola può contenere solo lettere, cifre, punto, barra e trattino.',
  'tk.file.tooMany': 'Puoi allegare al massimo 3 file.',
  'tk.file.tooBig': '«{name}» supera i 5 MB: riducilo o dividilo in più file.',
  'tk.file.empty': '«{name}» è vuoto.',
  'tk.file.type': '«{name}» non è di un tipo ammesso: allega PDF, PNG, JPEG, P7M o testo.',
  'tk.file.disguised': '«{name}» non è un vero file {type}: il contenuto non corrisponde all’estensione. Allega il documento originale.',
  'tk.kept': 'Quello che hai scritto è rimasto nel modulo.',
  'tk.err.validation_failed': 'Alcuni dati non sono validi: controlla oggetto (al massimo 200 caratteri), argomento e testo.',
  'tk.err.attachment_type_refused': 'Un allegato è stato rifiutato: il suo contenuto non è un PDF, PNG, JPEG, P7M o testo semplice, qualunque sia il nome del file. Toglilo e invia di nuovo.',
  'tk.err.attachment_too_large': 'Un allegato supera i 5 MB.',
  'tk.err.payload_too_large': 'Gli allegati sono troppo grandi: al massimo 5 MB ciascuno.',
  'tk.err.too_many_attachments': 'Al massimo 3 allegati per messaggio.',
  'tk.err.matricola_not_yours': 'Non risulti abilitato a operare per questa matricola: controllala oppure lasciala vuota.',
  'tk.err.ticket_closed': 'La richiesta è stata chiusa nel frattempo: non si può più rispondere. Puoi aprirne una nuova.',
  'tk.err.no_competent_office': 'Non è stato possibile individuare la sede INPS competente per la tua provincia. Riprova più tardi.',
  'tk.err.not_found': 'Richiesta non trovata.',
  'tk.err.auth': 'La sessione è scaduta: accedi di nuovo.',
  'tk.err.network': 'Connessione assente: la richiesta non è stata inviata. Riprova.',
  'tk.err.generic': 'Non è stato possibile completare l’operazione ({code}). Riprova.',
  'tk.closing.title': 'Il servizio sta per chiudere',
  'tk.closing.text': 'L’attesa stimata è di circa {minutes} minuti e la chat chiude alle {time}: potresti non essere servito in tempo.',
  'tk.closing.choice': 'Puoi restare in coda comunque oppure lasciare una richiesta scritta alla sede INPS.',
  'tk.wait': 'Aspetto comunque',
  'tk.why.timeout': 'Nessun consulente si è liberato entro il tempo massimo di attesa: ci dispiace.',
  'tk.why.closed': 'Il servizio ha chiuso prima che un consulente si liberasse: ci dispiace.',
  'tk.why.ticket_only': 'In questo momento la chat non accetta nuove richieste nella tua provincia.',
  'tk.why.closing': 'La chat chiude alle {time}.',
  'tk.why.prefilled': 'Abbiamo già inserito l’argomento e la domanda che avevi scritto.',
  'tk.done.title': 'Richiesta registrata',
  'tk.done.protocol': 'Numero di protocollo',
  'tk.done.sede': 'Assegnata a',
  'tk.done.due': 'Risposta prevista entro',
  'tk.done.keep': 'Annota il numero di protocollo: serve per seguire la richiesta. Ti avviseremo quando la sede risponde.',
  'tk.list.loading': 'Caricamento delle richieste…',
  'tk.list.none': 'Non hai ancora richieste Linea INPS.',
  'tk.list.count': 'Richieste: {n}.',
  'tk.list.partial': 'Sono mostrate le {n} più recenti su {total}.',
  'tk.status.open': 'Aperta',
  'tk.status.in_progress': 'In lavorazione',
  'tk.status.closed': 'Chiusa',
  'tk.overdue': 'In ritardo',
  'tk.due': 'Risposta entro {when}',
  'tk.closedOn': 'Chiusa il {when}',
  'tk.replies': 'Messaggi: {n}',
  'tk.f.topic': 'Argomento',
  'tk.f.sede': 'Sede competente',
  'tk.f.created': 'Aperta il',
  'tk.f.due': 'Risposta prevista entro',
  'tk.f.matricola': 'Matricola',
  'tk.f.outcome': 'Esito',
  'tk.thread': 'Messaggi',
  'tk.transcript': 'Trascrizione della chat',
  'tk.author.office': 'Sede INPS',
  'tk.author.advisor': 'Consulente INPS (riepilogo della chat)',
  'tk.opened': 'Richiesta {protocol}: {n} messaggi.',
  'tk.reply.title': 'Rispondi',
  'tk.reply.text': 'Testo della risposta',
  'tk.reply.files': 'Allegati alla risposta (facoltativi)',
  'tk.reply.send': 'Invia la risposta',
  'tk.reply.done': 'Risposta inviata.',
  'tk.reply.need': 'Scrivi il testo della risposta.',
  'tk.closedBox': 'Richiesta chiusa il {when}. Esito: {outcome}.',
  'tk.outcome.withdrawn': 'ritirata',
  'tk.dl': 'Scarica {name} ({size})',
  'tk.dl.done': 'File {name} scaricato.',
  'tk.attachments': 'Allegati',
};

const en = {
  'lang.label': 'Language',
  'app.title': 'INFO CIG – Wage integration',
  'app.subtitle': 'Chat with INPS advisors',
  'conn.connecting': 'Connecting…',
  'conn.open': 'Connected',
  'conn.reconnecting': 'Reconnecting…',
  'conn.closed': 'Disconnected',
  'conn.retry': 'Try again',
  'common.loading': 'Loading…',
  'common.cancel': 'Cancel',
  'common.you': 'You',
  'common.advisor': 'INPS advisor',
  'common.download': 'Download the transcript',
  'common.signout': 'Sign out',
  'common.comingSoon': 'Coming soon.',

  'topic.cigo': 'CIGO – ordinary wage guarantee',
  'topic.cigs': 'CIGS – extraordinary wage guarantee',
  'topic.fis': 'FIS / wage integration allowance',
  'topic.solidarity_fund': 'Solidarity funds',
  'topic.payment': 'Payment times',
  'topic.other': 'Other',

  'role.worker': 'Worker',
  'role.employer': 'Employer',
  'role.intermediary': 'Intermediary',
  'role.advisor': 'Advisor',

  'entry.omnia': 'OMNIA IS',
  'entry.cassetto': 'Cassetto previdenziale',
  'entry.worker_area': 'Worker area',
  'entry.other': 'Other',

  'avail.openUntil': 'Open until {time}.',
  'avail.open': 'The service is open.',
  'avail.closedTitle': 'The service is closed',
  'avail.reason.outside_hours': 'The chat is open Monday to Friday, 15:00 to 18:00 (Italian time).',
  'avail.reason.weekend': 'The chat is closed on Saturdays and Sundays.',
  'avail.reason.holiday': 'Today is a public holiday{holiday}.',
  'avail.reason.not_rolled_out': 'The chat is not yet available for your profile in this province.',
  'avail.reason.other': 'The chat is not available right now.',
  'avail.opensAt': 'It opens again {when}.',
  'avail.check': 'Check again',
  'avail.error': 'We could not check whether the service is open.',

  'start.title': 'How can we help?',
  'start.topic': 'Subject of your question',
  'start.submit': 'Start the chat',
  'start.pickTopic': 'Choose a subject.',
  'start.failed': 'The chat could not start ({code}).',
  'start.already': 'You already have an open conversation.',

  'queue.title': 'You are in the queue',
  'queue.first': 'You are first in the queue.',
  'queue.position': 'You are number {position} in the queue.',
  'queue.eta.soon': 'Expected wait: less than a minute.',
  'queue.eta.minutes': 'Expected wait: about {minutes} minutes.',
  'queue.eta.minute': 'Expected wait: about one minute.',
  'queue.keepOpen': 'Keep this page open: the chat starts as soon as an advisor is free.',
  'queue.cancel': 'Leave the queue',
  'queue.left': 'You left the queue.',

  'chat.with': 'You are talking with {name}',
  'chat.anAdvisor': 'an INPS advisor',
  'chat.topic': 'Subject: {topic}',
  'chat.messages': 'Messages',
  'chat.message': 'Your message',
  'chat.send': 'Send',
  'chat.hint': 'Enter sends, Shift+Enter starts a new line.',
  'chat.typing': '{name} is typing…',
  'chat.sending': 'Sending…',
  'chat.sent': 'Sent',
  'chat.read': 'Read',
  'chat.failed': 'Not sent',
  'chat.end': 'End the chat',
  'chat.minimize': 'Minimise',
  'chat.assigned': '{name} has taken your request.',
  'chat.reconnected': 'Connection restored.',

  'rate.title': 'Before you go',
  'rate.legend': 'How would you rate the help you received? (optional)',
  'rate.1': '1 – Very poor',
  'rate.2': '2 – Poor',
  'rate.3': '3 – Fair',
  'rate.4': '4 – Good',
  'rate.5': '5 – Excellent',
  'rate.submit': 'End the chat',
  'rate.continue': 'Keep chatting',

  'ended.title': 'Conversation ended',
  'ended.byMe': 'Thank you for contacting us.',
  'ended.byPeer': 'The advisor closed the conversation.',
  'ended.new': 'New request',
  'due.endOfDay': '{day}, end of day',
  'ended.escalated': 'The advisor passed your question to {sede}: it is Linea INPS request {protocol}.',
  'ended.escalatedMine': 'The advisor passed your question to the INPS office as a Linea INPS request: you will find it under “My requests”.',
  'ended.escalatedDue': 'The office will answer in writing by {due}; we will let you know when it does.',
  'ended.openTicket': 'See the request',
  'queue.handover': 'We are passing you to another advisor: the conversation stays here.',

  'error.title': 'Chat unavailable',
  'error.auth': 'Your session is not valid or has expired. Please sign in again.',
  'error.embed': 'This chat cannot be opened from this page.',
  'error.hostOnly': 'Open INFO CIG from the Cassetto previdenziale, OMNIA IS or your personal area.',
  'error.signin': 'Sign-in did not succeed ({code}). Please try again.',
  'error.generic': 'Something went wrong ({code}).',
  'error.rate_limited': 'You are sending too many messages: please wait a moment.',

  'transcript.title': 'INFO CIG – conversation transcript',
  'transcript.conversation': 'Conversation',
  'transcript.topic': 'Subject',
  'transcript.with': 'With',
  'transcript.downloaded': 'Downloaded on',

  'dev.title': 'Test sign-in (development only)',
  'dev.note': 'In production people sign in from the Cassetto previdenziale or OMNIA IS.',
  'dev.role': 'Profile',
  'dev.province': 'Province',
  'dev.name': 'Name',
  'dev.sub': 'User id',
  'dev.skills': 'Skills (comma-separated, optional)',
  'dev.submit': 'Sign in',
  'dev.unavailable': 'Test sign-in is not enabled on this server.',
  'dev.failed': 'Sign-in failed ({code}).',

  'adv.title': 'INFO CIG advisor console',
  'adv.status': 'My status',
  'adv.available': 'Available',
  'adv.away': 'Away',
  'adv.load': 'Open chats: {load} of {capacity}',
  'adv.chats': 'Assigned chats',
  'adv.none': 'No chats assigned. Set your status to “Available” to receive requests.',
  'adv.newChat': 'New chat assigned: {name}, {topic}, province {province}.',
  'adv.titleCue': '(New chat) INFO CIG console',
  'adv.ctx.role': 'Profile',
  'adv.ctx.province': 'Province',
  'adv.ctx.topic': 'Subject',
  'adv.ctx.entry': 'Opened from',
  'adv.ctx.matricola': 'Company number',
  'adv.ctx.protocol': 'Protocol',
  'adv.ctx.step': 'Step',
  'adv.reply': 'Reply to {name}',
  'adv.outcome': 'Outcome',
  'adv.outcome.resolved': 'Resolved',
  'adv.outcome.info_given': 'Information given',
  'adv.outcome.escalate_later': 'Follow up later',
  'adv.outcome.no_answer': 'No answer from the user',
  'adv.outcome.closed_by_user': 'closed by the user',
  'adv.outcome.escalated': 'handed to Linea INPS',
  'adv.escalateOpen': 'Hand to the local office (Linea INPS)',
  'adv.summary': 'Summary for the office',
  'adv.summaryHint': 'The office gets this summary with the chat transcript; the user gets the protocol number and the chat closes.',
  'adv.summaryRequired': 'Write a summary for the office.',
  'adv.escalate': 'Open the Linea INPS request',
  'adv.escalated': 'Chat handed to {sede}: request {protocol}.',
  'adv.escalatedDue': 'Answer due by {due}.',
  'adv.transferOpen': 'Transfer to another advisor',
  'adv.transferTo': 'Who takes it',
  'adv.transferHint': 'Only colleagues who are available with a free seat. “The first free advisor” puts the chat back at the head of the queue. The user keeps the conversation.',
  'adv.transferAnyone': 'The first free advisor',
  'adv.transferFit': 'Colleagues suited to this chat',
  'adv.transferOther': 'Other available colleagues',
  'adv.transferTarget': '{name} ({id}) · {load} of {capacity} chats',
  'adv.transferNobody': 'No colleague is available with a free seat right now.',
  'adv.transferListFailed': 'The list of colleagues is unavailable ({code}): you can put the chat back in the queue.',
  'adv.transfer': 'Transfer',
  'adv.transferUnavailable': 'That colleague can no longer take the chat: away or full. The list is updated.',
  'adv.transferredTo': 'Chat transferred to {to}.',
  'adv.transferredQueue': 'Chat put back in the queue for another advisor.',
  'adv.released.unanswered': 'The chat went back to the queue: the user got no answer in time.',
  'adv.released.other': 'The chat went to another advisor.',
  'adv.canned': 'Ready answers',
  'adv.canned.pick': 'Insert a ready answer…',
  'adv.canned.topic': 'For this chat’s subject',
  'adv.canned.general': 'General',
  'adv.answerBy': 'Answer by {time}: after that the chat goes to a colleague and your status becomes “Away”.',
  'adv.awayUnanswered': 'Your status is “Away”: a chat had no answer in time and went to a colleague. Switch back to “Available” when you can.',
  'adv.close': 'Close the chat',
  'adv.closed': 'Chat closed ({outcome}).',
  'adv.dismiss': 'Remove from view',
  'adv.user': 'User',

  'stub.office': 'Territorial office console',
  'stub.dashboard': 'Service dashboard',
  // Chat start: the question typed while asking
  'start.question': 'Your question (optional)',
  'start.questionHint': 'The advisor who takes the chat will read it first.',
  'start.company': 'Which company is it about?',
  'start.companyHint': 'The advisor will see its matricola and can check that company’s case.',
  'start.companyNone': 'None in particular',

  // Linea INPS requests from the chat app (widgets/chat/tickets.js)
  'tk.mine': 'My requests',
  'tk.leave': 'Leave a Linea INPS request',
  'tk.leaveShort': 'Leave a request',
  'tk.intro': 'An operator of the competent INPS office answers in writing, normally within 48 working hours.',
  'tk.subject': 'Subject line',
  'tk.topic': 'Topic',
  'tk.body': 'Your request',
  'tk.matricola': 'Company INPS number (matricola, optional)',
  'tk.matricolaHint': 'Give it if the request is about a company you act for.',
  'tk.files': 'Attachments (optional)',
  'tk.filesHint': 'Up to 3 files of 5 MB each: PDF, PNG, JPEG, P7M (signed document) or plain text.',
  'tk.clearFiles': 'Remove the attachments',
  'tk.send': 'Send the request',
  'tk.sending': 'Sending…',
  'tk.back': 'Back',
  'tk.refresh': 'Refresh',
  'tk.views.title': 'Who has looked at this request ({n})',
  'tk.views.note': 'Every time INPS staff look at your data it is recorded: here you see when, and which office.',
  'tk.views.by.office': 'the office {sede}',
  'tk.views.by.supervisor': 'a service supervisor',
  'tk.views.by.advisor': 'an INFO CIG advisor',
  'tk.views.ticket.read': '{when}: {by} opened the request',
  'tk.views.attachment.read': '{when}: {by} downloaded a file',
  'tk.new': 'New Linea INPS request',
  'tk.open': 'Open the request',
  'tk.need.subject': 'Write a subject line for your request.',
  'tk.need.category': 'Choose a topic.',
  'tk.need.body': 'Write your request.',
  'tk.badMatricola': 'The company number may contain only letters, digits, dots, slashes and hyphens.',
  'tk.file.tooMany': 'You can attach at most 3 files.',
  'tk.file.tooBig': '“{name}” is larger than 5 MB: make it smaller or split it.',
  'tk.file.empty': '“{name}” is empty.',
  'tk.file.type': '“{name}” is not an accepted type: attach a PDF, PNG, JPEG, P7M or text file.',
  'tk.file.disguised': '“{name}” is not a real {type} file: its content does not match its extension. Attach the original document.',
  'tk.kept': 'What you typed is still in the form.',
  'tk.err.validation_failed': 'Some details are not valid: check the subject line (200 characters at most), the topic and the text.',
  'tk.err.attachment_type_refused': 'An attachment was refused: its content is not a PDF, PNG, JPEG, P7M or plain text, whatever the file is called. Remove it and send again.',
  'tk.err.attachment_too_large': 'An attachment is larger than 5 MB.',
  'tk.err.payload_too_large': 'The attachments are too large: 5 MB each at most.',
  'tk.err.too_many_attachments': 'At most 3 attachments a message.',
  'tk.err.matricola_not_yours': 'You are not entitled to act for this company number: check it or leave it empty.',
  'tk.err.ticket_closed': 'The request has been closed in the meantime: no more replies. You can open a new one.',
  'tk.err.no_competent_office': 'We could not find the INPS office for your province. Please try again later.',
  'tk.err.not_found': 'Request not found.',
  'tk.err.auth': 'Your session has expired: please sign in again.',
  'tk.err.network': 'No connection: the request was not sent. Please try again.',
  'tk.err.generic': 'That did not work ({code}). Please try again.',
  'tk.closing.title': 'The service is about to close',
  'tk.closing.text': 'The expected wait is about {minutes} minutes and the chat closes at {time} (Italian time): you might not be served in time.',
  'tk.closing.choice': 'You can stay in the queue anyway or leave a written request for the INPS office.',
  'tk.wait': 'Wait anyway',
  'tk.why.timeout': 'No advisor became free within the longest wait we allow: we are sorry.',
  'tk.why.closed': 'The service closed before an advisor became free: we are sorry.',
  'tk.why.ticket_only': 'The chat is not taking new requests in your province right now.',
  'tk.why.closing': 'The chat closes at {time} (Italian time).',
  'tk.why.prefilled': 'We have filled in the topic and the question you had written.',
  'tk.done.title': 'Request registered',
  'tk.done.protocol': 'Protocol number',
  'tk.done.sede': 'Assigned to',
  'tk.done.due': 'Expected reply by',
  'tk.done.keep': 'Note the protocol number: you need it to follow the request. We will let you know when the office replies.',
  'tk.list.loading': 'Loading your requests…',
  'tk.list.none': 'You have no Linea INPS requests yet.',
  'tk.list.count': 'Requests: {n}.',
  'tk.list.partial': 'Showing the {n} most recent of {total}.',
  'tk.status.open': 'Open',
  'tk.status.in_progress': 'In progress',
  'tk.status.closed': 'Closed',
  'tk.overdue': 'Overdue',
  'tk.due': 'Reply by {when}',
  'tk.closedOn': 'Closed on {when}',
  'tk.replies': 'Messages: {n}',
  'tk.f.topic': 'Topic',
  'tk.f.sede': 'Competent office',
  'tk.f.created': 'Opened on',
  'tk.f.due': 'Expected reply by',
  'tk.f.matricola': 'Company number',
  'tk.f.outcome': 'Outcome',
  'tk.thread': 'Messages',
  'tk.transcript': 'Chat transcript',
  'tk.author.office': 'INPS office',
  'tk.author.advisor': 'INPS advisor (chat summary)',
  'tk.opened': 'Request {protocol}: {n} messages.',
  'tk.reply.title': 'Reply',
  'tk.reply.text': 'Reply text',
  'tk.reply.files': 'Attachments to your reply (optional)',
  'tk.reply.send': 'Send the reply',
  'tk.reply.done': 'Reply sent.',
  'tk.reply.need': 'Write the text of your reply.',
  'tk.closedBox': 'Request closed on {when}. Outcome: {outcome}.',
  'tk.outcome.withdrawn': 'withdrawn',
  'tk.dl': 'Download {name} ({size})',
  'tk.dl.done': 'File {name} downloaded.',
  'tk.attachments': 'Attachments',
};

/** Add a language here (same keys as `it`) and to LANGS' labels. */
const DICTS = { it, en };
export const LANGS = { it: 'Italiano', en: 'English' };
const LOCALES = { it: 'it-IT', en: 'en-GB' };
export const TIME_ZONE = 'Europe/Rome';

let current = 'it';
const listeners = new Set();

export function lang() {
  return current;
}

/** The best supported language for a tag like "en-US"; Italian otherwise. */
export function pickLang(tag) {
  const base = String(tag || '').toLowerCase().split('-')[0];
  return Object.hasOwn(DICTS, base) ? base : 'it';
}

export function setLang(tag, root = document) {
  current = pickLang(tag);
  if (typeof document !== 'undefined') document.documentElement.lang = current;
  if (root) applyI18n(root);
  for (const fn of listeners) fn(current);
  return current;
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * A t() over a page's dictionaries ({ it, en }): the string in the current
 * language, else the Italian one, else the key itself; `{name}` is filled from vars.
 */
export function translator(dicts) {
  return (key, vars) => {
    const d = dicts[current] ?? dicts.it;
    let s = Object.hasOwn(d, key) ? d[key] : Object.hasOwn(dicts.it, key) ? dicts.it[key] : key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
    return s;
  };
}

/**
 * Translates the markup under root: `data-<name>="key"` sets the text,
 * `data-<name>-attr="aria-label:key;title:key"` sets attributes (name: one word).
 */
export function applyStringsTo(root, name, translate) {
  for (const el of root.querySelectorAll(`[data-${name}]`)) el.textContent = translate(el.dataset[name]);
  for (const el of root.querySelectorAll(`[data-${name}-attr]`)) {
    for (const pair of el.dataset[`${name}Attr`].split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, translate(key));
    }
  }
}

export const t = translator(DICTS);

export function applyI18n(root = document) {
  applyStringsTo(root, 'i18n', t);
}

/** "lunedì 3 marzo alle 15:00" style, always in Italian time. */
export function formatWhen(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const loc = LOCALES[current] ?? 'it-IT';
  const day = new Intl.DateTimeFormat(loc, { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long' }).format(d);
  const time = formatTime(iso);
  return current === 'it' ? `${day} alle ${time}` : `${day} at ${time} (Italian time)`;
}

export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(LOCALES[current] ?? 'it-IT', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
}

export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(LOCALES[current] ?? 'it-IT', {
    timeZone: TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(d);
}

/**
 * A deadline. The SLA counts whole working days (routing/working-hours.ts), so
 * many deadlines fall at 00:00, which reads as the wrong day: shown as the end
 * of the day before ("10/12/2026, fine giornata"). `long`: with the weekday.
 */
export function formatDue(iso, long = false) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (formatTime(iso) !== '00:00') return long ? formatWhen(iso) : formatDateTime(iso);
  const loc = LOCALES[current] ?? 'it-IT';
  const parts = long ? { weekday: 'long', day: 'numeric', month: 'long' } : { day: '2-digit', month: '2-digit', year: 'numeric' };
  const day = new Intl.DateTimeFormat(loc, { timeZone: TIME_ZONE, ...parts }).format(new Date(d.getTime() - 1));
  return t('due.endOfDay', { day });
}

/** Bytes as "812 B", "14 KB", "2,5 MB" in the chosen language. */
export function formatSize(bytes) {
  const nf = (v, digits) => new Intl.NumberFormat(LOCALES[current] ?? 'it-IT', { maximumFractionDigits: digits }).format(v);
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${nf(bytes / 1024, 0)} KB` : `${nf(bytes / 1048576, 1)} MB`;
}

/** A label for a topic/role/entry/outcome code, or the code itself. */
export function label(kind, code) {
  const key = `${kind}.${code}`;
  const s = t(key);
  return s === key ? String(code ?? '') : s;
}
export { DICTS as STRINGS };
