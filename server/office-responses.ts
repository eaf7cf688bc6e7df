/**
 * Ready answers for the office console ("Risposte pronte" of the sedi,
 * config/office-responses.json, or the file named by OFFICE_RESPONSES): the
 * written replies a territorial office sends every day on Linea INPS requests —
 * the request taken in charge, why a direct payment waits on the company's
 * UniEmens-Cig data, a new IBAN, the request passed to the competent sede, the
 * closing letter. Inserted in the reply (or in a message the office writes
 * first) and edited before sending; never sent by themselves.
 *
 * A set of their own, not entries of config/canned-responses.json: an office
 * reply is a formal letter about one request, with the request's own facts, where
 * an advisor's is a chat line; neither console could fill the other's
 * placeholders, so the two files are checked against different lists. Read by
 * the advisors' loader (server/canned-responses.ts): same shape (`id`, `topics`?,
 * `title` and `text` in `it`, `de`?, `en`?), no `public`/`audiences` (an office
 * answer is never a tip for waiting users), longer texts.
 *
 * Placeholders, filled in the office console from the request on screen:
 * {protocollo}, {oggetto} (its subject), {nome} (the user's name, when the
 * request has one), {data_richiesta} (the day it was opened), {sede} (the sede's
 * name), {operatore} (the operator's name) and {data} (today). One the request
 * cannot fill stays in the text, and the console refuses to send until the
 * operator has replaced it.
 */
import { fileURLToPath } from 'node:url';
import { loadCannedResponses, validateCannedResponses, type CannedResponse, type CannedSet } from './canned-responses.ts';

export const OFFICE_PLACEHOLDERS = ['protocollo', 'oggetto', 'nome', 'data_richiesta', 'sede', 'operatore', 'data'] as const;

export const OFFICE_SET: CannedSet = {
  placeholders: OFFICE_PLACEHOLDERS,
  // A letter, not a chat line; still well under a reply's 10,000 characters, leaving room to edit.
  textMax: 4000,
  tips: false,
  defaultFile: fileURLToPath(new URL('../config/office-responses.json', import.meta.url)),
};

/** The file OFFICE_RESPONSES names, else the project's; no default file means none. */
export function loadOfficeResponses(file: string | undefined): CannedResponse[] {
  return loadCannedResponses(file, OFFICE_SET);
}

export function validateOfficeResponses(data: unknown): CannedResponse[] {
  return validateCannedResponses(data, OFFICE_SET);
}
