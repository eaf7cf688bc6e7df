/**
 * Strings of the dashboard's in-page confirmations (confirm-box.js) and of the
 * "Solo ticket" switch's question (provinces-table.js), merged into the page's
 * dictionaries by strings.js; the announcement's preview is in
 * strings-announcements.js. Same rules: the same keys in both.
 */
export const it = {
  'confirm.ok': 'Conferma',
  'confirm.cancel': 'Annulla',
  'prov.ticketOnly.ask.on': 'Attivare «Solo ticket» per {name}?',
  'prov.ticketOnly.ask.on.what': 'Da ora chi chiede una chat da {name} riceverà la proposta di una richiesta Linea INPS al posto della coda. Chi è già in coda mantiene il posto (in coda ora: {waiting}).',
  'prov.ticketOnly.ask.off': 'Disattivare «Solo ticket» per {name}?',
  'prov.ticketOnly.ask.off.what': 'Chi chiede una chat da {name} potrà di nuovo mettersi in coda per parlare con un consulente.',
};

export const en = {
  'confirm.ok': 'Confirm',
  'confirm.cancel': 'Cancel',
  'prov.ticketOnly.ask.on': 'Switch {name} to "Ticket only"?',
  'prov.ticketOnly.ask.on.what': 'From now on, users asking for a chat from {name} are offered a Linea INPS request instead of the queue. Those already waiting keep their place (waiting now: {waiting}).',
  'prov.ticketOnly.ask.off': 'Switch "Ticket only" off for {name}?',
  'prov.ticketOnly.ask.off.what': 'Users asking for a chat from {name} can join the queue for an advisor again.',
};
