/**
 * Canned responses for advisors (config/canned-responses.json, or the file named
 * by CANNED_RESPONSES): the answers given every afternoon — why a direct payment
 * has not come, where to see it, the IBAN, handing a case to the sede — ready to
 * insert in a reply and edit before sending. Checked at start like the routing
 * file: a bad entry stops start-up naming it, so a typo in a placeholder never
 * reaches a citizen as "{nmoe}".
 *
 * Placeholders, filled in the console: {nome} (the user's name), {consulente}
 * (the advisor's). `topics` (optional) puts an answer first for chats on them.
 *
 * `public: true` also shows the answer to users while they wait in the queue
 * (GET /api/v1/tips), for the `topics` and `audiences` it names: one wording of
 * the institute's answers, kept in one file for advisors and users alike. A
 * public answer has no placeholder (there is no advisor yet to fill it in).
 *
 * The offices' answers (written replies of the office console) are another set,
 * in another file, read by the same loader with their own placeholders
 * (server/office-responses.ts): the two never mix.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS, USER_ROLES, type Topic, type UserRole } from '../routing/types.ts';

/** The languages an answer may be written in: Italian always; German for South Tyrol (the user pages speak it); English. */
export const CANNED_LANGS = ['it', 'de', 'en'] as const;
export type CannedTexts = { it: string; de?: string; en?: string };

/** An answer's title or text in the HTTP answers (GET /api/v1/canned-responses, /api/v1/tips). */
export const CANNED_TEXTS_SCHEMA = { type: 'object', properties: Object.fromEntries(CANNED_LANGS.map((l) => [l, { type: 'string' }])), required: ['it'] } as const;

export interface CannedResponse {
  id: string;
  topics: Topic[];
  title: CannedTexts;
  text: CannedTexts;
  /** Shown to waiting users too (GET /api/v1/tips). */
  public?: boolean;
  /** Who a public answer is for; empty: everyone. */
  audiences?: UserRole[];
}

export const CANNED_PLACEHOLDERS = ['nome', 'consulente'] as const;
export const CANNED_MAX = 200;
const TITLE_MAX = 80;

/**
 * What differs between two sets of ready answers read by this loader: the advisors'
 * (this file) and the offices' (server/office-responses.ts). The placeholders are the
 * ones the console that uses the set can fill; anything else stops start-up.
 */
export interface CannedSet {
  placeholders: readonly string[];
  /** Longest text of one answer, in characters. */
  textMax: number;
  /** Whether `public` and `audiences` (tips for waiting users) are allowed. */
  tips: boolean;
  /** The project's file, read when no variable names another. */
  defaultFile: string;
}

export class CannedResponsesError extends Error {
  constructor(
    readonly field: string,
    why: string,
  ) {
    super(`canned responses ${field}: ${why}`);
  }
}

/** The advisors' answers: chat lines, some also tips for waiting users. */
export const ADVISOR_SET: CannedSet = {
  placeholders: CANNED_PLACEHOLDERS,
  textMax: 2000,
  tips: true,
  defaultFile: fileURLToPath(new URL('../config/canned-responses.json', import.meta.url)),
};

/** The file CANNED_RESPONSES (or the set's variable) names, else the project's; no default file means none. */
export function loadCannedResponses(file: string | undefined, set: CannedSet = ADVISOR_SET): CannedResponse[] {
  const name = file || set.defaultFile;
  let text: string;
  try {
    text = readFileSync(name, 'utf8');
  } catch {
    if (!file) return [];
    throw new CannedResponsesError(path.basename(name), `cannot read ${name}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CannedResponsesError(path.basename(name), `not JSON: ${(err as Error).message}`);
  }
  return validateCannedResponses(data, set);
}

export function validateCannedResponses(data: unknown, set: CannedSet = ADVISOR_SET): CannedResponse[] {
  if (!Array.isArray(data)) throw new CannedResponsesError('(file)', 'expected an array of responses');
  if (data.length > CANNED_MAX) throw new CannedResponsesError('(file)', `at most ${CANNED_MAX} responses`);
  const seen = new Set<string>();
  return data.map((raw, i) => {
    const item = one(raw, `[${i}]`, set);
    if (seen.has(item.id)) throw new CannedResponsesError(`[${i}].id`, `"${item.id}" is used twice`);
    seen.add(item.id);
    return item;
  });
}

function one(raw: unknown, at: string, set: CannedSet): CannedResponse {
  if (!isObject(raw)) throw new CannedResponsesError(at, 'expected an object');
  const fields = set.tips ? ['id', 'topics', 'title', 'text', 'public', 'audiences'] : ['id', 'topics', 'title', 'text'];
  const unknown = Object.keys(raw).filter((k) => !fields.includes(k));
  if (unknown.length) throw new CannedResponsesError(at, `unknown field ${unknown[0]}`);
  if (typeof raw.id !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(raw.id)) throw new CannedResponsesError(`${at}.id`, 'expected lower-case letters, digits, - or _ (up to 64)');
  const topics = raw.topics ?? [];
  if (!Array.isArray(topics) || topics.some((x) => !(TOPICS as readonly unknown[]).includes(x))) {
    throw new CannedResponsesError(`${at}.topics`, `expected some of ${TOPICS.join(', ')}`);
  }
  const item: CannedResponse = { id: raw.id, topics: topics as Topic[], title: texts(raw.title, `${at}.title`, TITLE_MAX, set), text: texts(raw.text, `${at}.text`, set.textMax, set) };
  return raw.public === undefined && raw.audiences === undefined ? item : { ...item, ...publicPart(raw, item, at) };
}

/** `public` and `audiences`: a public answer reads the same for everyone, so it has no placeholder. */
function publicPart(raw: Record<string, unknown>, item: CannedResponse, at: string): Pick<CannedResponse, 'public' | 'audiences'> {
  if (raw.public !== undefined && typeof raw.public !== 'boolean') throw new CannedResponsesError(`${at}.public`, 'expected true or false');
  const audiences = raw.audiences ?? [];
  if (!Array.isArray(audiences) || audiences.some((x) => !(USER_ROLES as readonly unknown[]).includes(x))) {
    throw new CannedResponsesError(`${at}.audiences`, `expected some of ${USER_ROLES.join(', ')}`);
  }
  if (raw.public === true) {
    const lang = CANNED_LANGS.find((l) => /\{\w*\}/.test(`${item.title[l] ?? ''}${item.text[l] ?? ''}`));
    if (lang) throw new CannedResponsesError(`${at}.text.${lang}`, 'a public answer (shown to waiting users) cannot have placeholders');
  }
  return { public: raw.public === true, audiences: audiences as UserRole[] };
}

/** The public answers for a waiting user's topic and audience (GET /api/v1/tips), in the file's order. */
export function tipsFor(responses: readonly CannedResponse[], topic: Topic, audience: UserRole): CannedResponse[] {
  return responses.filter((r) => r.public === true && r.topics.includes(topic) && (r.audiences?.length ? r.audiences.includes(audience) : true));
}

/** { it, de?, en? }: Italian required, each 1..max characters, placeholders only the known ones. */
function texts(raw: unknown, at: string, max: number, set: CannedSet): CannedTexts {
  if (!isObject(raw)) throw new CannedResponsesError(at, 'expected { "it": …, "de"?: …, "en"?: … }');
  const out: CannedTexts = { it: '' };
  for (const [lang, value] of Object.entries(raw)) {
    if (!isCannedLang(lang)) throw new CannedResponsesError(`${at}.${lang}`, 'only "it", "de" and "en"');
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw new CannedResponsesError(`${at}.${lang}`, `expected text of 1 to ${max} characters`);
    const bad = [...value.matchAll(/\{(\w*)\}/g)].map((m) => m[1]!).find((p) => !set.placeholders.includes(p));
    if (bad !== undefined) throw new CannedResponsesError(`${at}.${lang}`, `unknown placeholder {${bad}}: use ${set.placeholders.map((p) => `{${p}}`).join(', ')}`);
    out[lang] = value;
  }
  if (!out.it) throw new CannedResponsesError(`${at}.it`, 'the Italian text is required');
  return out;
}

function isCannedLang(lang: string): lang is (typeof CANNED_LANGS)[number] {
  return (CANNED_LANGS as readonly string[]).includes(lang);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
