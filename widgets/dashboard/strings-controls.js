/**
 * Strings of the dashboard's "Interventi del supervisore" panel and its audit
 * list (supervisor-controls.js), merged into the page's dictionaries by
 * strings.js; the announcements' audit lines are in strings-announcements.js.
 * Same rules: the same keys in both.
 */
export const it = {
  'controls.title': 'Interventi del supervisore',
  'controls.move': 'Sposta un consulente tra le code',
  'controls.advisor': 'Consulente',
  'controls.provinces': 'Province servite (sigle separate da virgola)',
  'controls.regions': 'Regioni servite (separate da virgola)',
  'controls.hint': 'Lasciare entrambi vuoti per servire tutta Italia.',
  'controls.submit': 'Sposta',
  'controls.moved': '{name} ora serve: {where}.',
  'controls.moveFailed': 'Consulente non spostato.',
  'controls.unknownProvinces': 'Provincia sconosciuta: {list}. Scrivere le sigle di due lettere separate da virgola (GE, SV).',
  'controls.unknownRegions': 'Regione sconosciuta: {list}. Scrivere il nome della regione (Liguria, Emilia-Romagna).',
  'controls.noAdvisors': 'Nessun consulente collegato da spostare.',
  'audit.title': 'Registro degli interventi',
  'audit.none': 'Nessun intervento registrato.',
  'audit.advisor.queues': '{actor} ha spostato {target}: {before} → {after}',
  'audit.province.ticket_only.on': '{actor} ha attivato «solo ticket» per {target}',
  'audit.province.ticket_only.off': '{actor} ha disattivato «solo ticket» per {target}',
  'audit.snapshot.taken': '{actor} ha rilevato il giorno {target}',
};

export const en = {
  'controls.title': 'Supervisor controls',
  'controls.move': 'Move an advisor between queues',
  'controls.advisor': 'Advisor',
  'controls.provinces': 'Provinces served (codes, comma-separated)',
  'controls.regions': 'Regions served (comma-separated)',
  'controls.hint': 'Leave both empty to serve all of Italy.',
  'controls.submit': 'Move',
  'controls.moved': '{name} now serves: {where}.',
  'controls.moveFailed': 'The advisor was not moved.',
  'controls.unknownProvinces': 'Unknown province: {list}. Write the two-letter codes, comma-separated (GE, SV).',
  'controls.unknownRegions': 'Unknown region: {list}. Write the region\'s name (Liguria, Emilia-Romagna).',
  'controls.noAdvisors': 'No signed-in advisor to move.',
  'audit.title': 'Audit log of the controls',
  'audit.none': 'Nothing recorded yet.',
  'audit.advisor.queues': '{actor} moved {target}: {before} → {after}',
  'audit.province.ticket_only.on': '{actor} switched {target} to ticket only',
  'audit.province.ticket_only.off': '{actor} switched ticket only off for {target}',
  'audit.snapshot.taken': '{actor} recorded the day {target}',
};
