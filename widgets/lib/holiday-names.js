/**
 * The national holidays' names in the page's language. The availability API
 * names a holiday in Italian (routing/holidays.ts: a stable value, also in the
 * server's logs); a German or English page shows its own word for it. A name not
 * listed here (a holiday added on the server first) is shown as the API gave it.
 */
const KEYS = {
  Capodanno: 'newYear',
  Epifania: 'epiphany',
  Pasqua: 'easter',
  "Lunedì dell'Angelo (Pasquetta)": 'easterMonday',
  'Festa della Liberazione': 'liberation',
  'Festa del Lavoro': 'labour',
  'Festa della Repubblica': 'republic',
  'Ferragosto (Assunzione)': 'assumption',
  "San Francesco d'Assisi": 'stFrancis',
  Ognissanti: 'allSaints',
  'Immacolata Concezione': 'immaculate',
  Natale: 'christmas',
  'Santo Stefano': 'stStephen',
};

/** The strings key of an Italian holiday name (`holiday.<key>`), or null when not listed. */
export function holidayKey(name) {
  return Object.hasOwn(KEYS, name) ? `holiday.${KEYS[name]}` : null;
}

/** The holiday's name through `t` (the page's translator), else as given. */
export function holidayLabel(name, t) {
  const key = holidayKey(name);
  return key ? t(key) : name;
}
