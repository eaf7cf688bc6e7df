/**
 * How the pages word a refusal (widgets/lib/error-words.js): every code the
 * registry (server/errors.ts) can answer has its own words, in Italian, German
 * and English, that never hold the code; the code goes apart, for the help desk.
 * Kept in step with the registry like docs/errors.md (test/errors-doc.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ERRORS } from '../server/errors.ts';
// @ts-expect-error plain browser modules, no types
import { USER_LANGS, offerLangs, setLang } from '../widgets/i18n.js';
// @ts-expect-error plain browser modules, no types
import { WORDS, errorCode, errorSentence, wordsKind } from '../widgets/lib/error-words.js';

type Dict = Record<string, string>;
const dicts = WORDS as Record<string, Dict>;
const LANGS = ['it', 'de', 'en'];
const CODES = Object.keys(ERRORS);
// The words are German too (the chat and the office console speak it).
offerLangs(USER_LANGS);

test.after.each(() => {
  setLang('it', null);
});

test('every code of the registry has words of its own, not the generic "something unexpected"', () => {
  const generic = CODES.filter((code) => wordsKind(code) === 'generic');
  assert.equal(generic, [], `codes without words: ${generic.join(', ')}`);
  // And so has every status the registry answers with, for a code a newer server adds.
  for (const status of new Set(Object.values(ERRORS).map((e) => e.status))) {
    if (status !== 409 && status !== 422) assert.is.not(wordsKind(`new_${status}`, status), 'generic', `status ${status}`);
  }
});

test('the words are in Italian, German and English, with the same keys and placeholders in each', () => {
  assert.equal(Object.keys(dicts).sort(), [...LANGS].sort());
  const it = Object.keys(dicts.it!);
  for (const lang of LANGS) {
    const dict = dicts[lang]!;
    assert.equal(it.filter((k) => !Object.hasOwn(dict, k)), [], `${lang} lacks keys`);
    assert.equal(Object.keys(dict).filter((k) => !Object.hasOwn(dicts.it!, k)), [], `${lang} has keys Italian lacks`);
    for (const [k, v] of Object.entries(dict)) {
      assert.ok(v.trim(), `${lang} ${k} is blank`);
      assert.equal(v.match(/\{\w+\}/g) ?? [], dicts.it![k]!.match(/\{\w+\}/g) ?? [], `${lang} ${k}: placeholders`);
    }
  }
  for (const code of CODES) {
    const kind = wordsKind(code);
    for (const lang of LANGS) assert.ok(Object.hasOwn(dicts[lang]!, kind), `${code}: no ${lang} words (${kind})`);
  }
});

test('no sentence holds a code, in any language: the code goes apart', () => {
  for (const lang of LANGS) {
    setLang(lang, null);
    for (const code of [...CODES, 'network', 'disconnected', 'unavailable', 'token_unavailable', 'state_mismatch', 'idp_unreachable', 'some_new_code']) {
      const text = errorSentence({ code, message: 'A field is missing or wrong: body/subject must NOT have more than 200 characters' });
      // One-word codes are words too ("Check the network"): what must not show is the code as a code.
      assert.not.ok(code.includes('_') ? text.includes(code) : text.includes(`(${code})`), `${lang} ${code}: «${text}»`);
      assert.not.match(text, /\b[a-z]+_[a-z_]+\b/, `${lang} ${code}: no snake_case word in «${text}»`);
      assert.ok(text.endsWith('.'), `${lang} ${code}: a whole sentence, «${text}»`);
    }
  }
});

test('a refusal says what happened and what to do: the service down, a permission, a rate limit, an expired session, no connection', () => {
  assert.is(errorSentence({ code: 'store_unavailable', status: 503 }, { lead: 'Registro degli accessi non disponibile.' }),
    'Registro degli accessi non disponibile. Il servizio non risponde in questo momento. Riprova tra qualche istante.');
  assert.match(errorSentence({ code: 'forbidden', status: 403 }), /^Non hai i permessi per questa operazione/);
  assert.is(errorSentence({ code: 'rate_limited', status: 429 }), 'Troppe richieste in poco tempo. Attendi qualche secondo e riprova.');
  assert.is(errorSentence({ code: 'token_expired', status: 401 }), 'La sessione è scaduta o non è più valida. Ricarica la pagina e accedi di nuovo.');
  assert.is(errorSentence(new TypeError('Failed to fetch')), 'Il collegamento al server si è interrotto. Controlla la rete e riprova.');
  setLang('de', null);
  assert.is(errorSentence({ code: 'access_log_unavailable', status: 503 }),
    'Die Einsichtnahme konnte nicht im Zugriffsprotokoll vermerkt werden, daher werden die Daten nicht angezeigt. Bitte versuchen Sie es in einigen Augenblicken erneut.');
  setLang('en', null);
  assert.is(errorSentence({ code: 'rate_limited' }), 'Too many requests in a short time. Wait a few seconds and try again.');
});

test('validation_failed names the field when the page knows it, in its own words', () => {
  const fields = { subject: 'Oggetto', 'to.userId': 'Codice utente', body: 'Testo' };
  const ajv = { code: 'validation_failed', message: 'A field is missing or wrong: body/subject must NOT have more than 200 characters' };
  assert.is(errorSentence(ajv, { fields }), 'Il campo «Oggetto» non è valido. Correggilo e riprova.');
  assert.is(errorSentence({ code: 'validation_failed', message: 'A field is missing or wrong: to.userId is longer than 64 characters' }, { fields }),
    'Il campo «Codice utente» non è valido. Correggilo e riprova.');
  assert.is(errorSentence({ code: 'validation_failed', message: 'A field is missing or wrong: body is empty' }, { fields }), 'Il campo «Testo» non è valido. Correggilo e riprova.');
  assert.is(errorSentence({ code: 'validation_failed', message: 'A field is missing or wrong: status must be open' }, { fields }),
    'Alcuni dati non sono validi. Controlla i campi compilati e riprova.', 'a field the page does not know: the general words');
});

test('an unknown code falls back to a general sentence, by its HTTP status when it has one', () => {
  assert.is(errorSentence({ code: 'brand_new', status: 409 }), 'Si è verificato un problema imprevisto. Riprova; se si ripete, comunica all’assistenza il codice indicato.');
  assert.is(errorSentence({ code: 'http_502', status: 502 }), 'Il servizio non risponde in questo momento. Riprova tra qualche istante.');
  assert.is(errorSentence('http_404'), 'Non trovato: non esiste più o non è visibile con il tuo profilo. Aggiorna la pagina.');
  assert.is(errorCode({ status: 502 }), 'http_502');
  assert.is(errorCode(new TypeError('Failed to fetch')), 'network');
});

test("a page's own words, lead and tail come around them; a page that retries by itself leaves out \"try again\" but not \"sign in again\"", () => {
  const own = (code: string) => (code === 'ticket_closed' ? 'La richiesta è già chiusa.' : undefined);
  assert.is(errorSentence({ code: 'ticket_closed' }, { own, tail: 'Il testo è conservato.' }), 'La richiesta è già chiusa. Il testo è conservato.');
  assert.is(errorSentence({ code: 'unavailable', status: 503 }, { lead: 'Dati NON aggiornati.', tail: 'Nuovo tentativo ogni 5 secondi.', retrying: true }),
    'Dati NON aggiornati. Il servizio non risponde in questo momento. Nuovo tentativo ogni 5 secondi.');
  assert.match(errorSentence({ code: 'token_expired', status: 401 }, { retrying: true }), /Ricarica la pagina e accedi di nuovo\.$/);
});

test.run();
