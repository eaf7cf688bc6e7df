/**
 * Strings of the dashboard's "Per lingua" table and the advisors' languages
 * column (languages.js, advisors-tickets.js), merged into the page's
 * dictionaries by strings.js. Same rules: the same keys in both.
 */
export const it = {
  'lang.title': 'Per lingua',
  'lang.caption': 'Chi attende in ogni lingua e quanti consulenti disponibili possono rispondergli in quella lingua.',
  'lang.col.lang': 'Lingua',
  'lang.col.waiting': 'In attesa',
  'lang.col.oldest': 'Attesa più lunga',
  'lang.col.speakers': 'Consulenti disponibili che la parlano',
  'lang.noSpeaker': 'Nessun consulente disponibile parla {lang}: dopo l’attesa prevista la chat va a chi è libero, in italiano.',
  'adv.col.langs': 'Lingue',
  'adv.allLangs': 'Tutte',
};

export const en = {
  'lang.title': 'By language',
  'lang.caption': 'Who is waiting in each language, and how many available advisors can answer them in it.',
  'lang.col.lang': 'Language',
  'lang.col.waiting': 'Waiting',
  'lang.col.oldest': 'Longest wait',
  'lang.col.speakers': 'Available advisors who speak it',
  'lang.noSpeaker': 'No available advisor speaks {lang}: after the set wait the chat goes to whoever is free, in Italian.',
  'adv.col.langs': 'Languages',
  'adv.allLangs': 'All',
};
