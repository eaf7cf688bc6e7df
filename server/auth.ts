/**
 * Sign-in: who the caller is, read only from a verified JWT.
 *
 * Users sign in with national digital identity (SPID, CIE, CNS) through an
 * identity provider that issues JWTs; this server never sees a password. The
 * verifiers live in auth-jwks.ts (production) and auth-dev.ts (development);
 * both turn a verified payload into an Identity through identityFromClaims.
 */
import type { JWTPayload } from 'jose';
import { AppError } from './errors.ts';
import { ROLES, type Role } from '../routing/types.ts';

export interface Identity {
  sub: string;
  role: Role;
  name: string | null;
  province: string | null;
  fiscalCode: string | null;
  /** A company's INPS matricola (employer). */
  matricola: string | null;
  /** An intermediary's represented companies (claim `matricole` array, or `matricola`). */
  matricole: string[];
  sede: string | null;
  skills: string[];
  lang: string | null;
  /** Seconds since the epoch; sockets are closed when it passes. */
  exp: number;
}

export interface Authenticator {
  /** Resolves the identity of a valid token; rejects with AppError token_invalid or token_expired. */
  verify(token: string): Promise<Identity>;
  close?(): void;
}

/** Longest accepted string claim. */
export const MAX_CLAIM_LENGTH = 200;
/** Most entries accepted in an array claim. */
export const MAX_CLAIM_ENTRIES = 100;
/** Longest accepted token, before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

/** The SPID/CIE attribute carrying the fiscal number, as `TINIT-<codice fiscale>`. */
export const EID_FISCAL_NUMBER_CLAIM = 'https://attributes.eid.gov.it/fiscal_number';

/** A person's codice fiscale, omocodia substitutions included, or a company's 11-digit one. */
const PERSON_FISCAL_CODE =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
const COMPANY_FISCAL_CODE = /^[0-9]{11}$/;
const PROVINCE = /^[A-Z]{2}$/;
const LANG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** Codes a claims problem may be reported under. */
export type ClaimsErrorCode = 'token_invalid' | 'validation_failed';

/**
 * The identity a verified payload describes. Throws AppError(code, why) when a
 * claim is missing, of the wrong type, too long or badly shaped; `code` is
 * token_invalid for tokens and validation_failed when checking claims about to
 * be signed.
 */
export function identityFromClaims(payload: JWTPayload, code: ClaimsErrorCode = 'token_invalid'): Identity {
  const fail = (why: string): never => {
    throw new AppError(code, why);
  };
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) fail('the payload is not an object');

  const claim = (key: string): unknown => (Object.hasOwn(payload, key) ? payload[key] : undefined);

  const str = (key: string, value: unknown = claim(key)): string | null => {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') return fail(`claim ${key} is not a string`);
    // What PostgreSQL cannot store (server/input-text.ts): a name with U+0000 would make every
    // write of that person's chat fail; half an emoji is mended as frames and bodies are.
    if (value.includes('\u0000')) return fail(`claim ${key} holds U+0000`);
    const s = value.replace(/\p{Cs}/gu, '\ufffd').trim();
    if (s.length === 0) return null;
    if (s.length > MAX_CLAIM_LENGTH) return fail(`claim ${key} is too long`);
    return s;
  };

  const strings = (key: string, value: unknown = claim(key)): string[] | null => {
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value)) return fail(`claim ${key} is not an array`);
    if (value.length > MAX_CLAIM_ENTRIES) return fail(`claim ${key} has too many entries`);
    const out: string[] = [];
    for (const item of value) {
      const s = str(key, item);
      if (s === null) return fail(`claim ${key} has an empty entry`);
      if (!out.includes(s)) out.push(s);
    }
    return out;
  };

  const sub = str('sub');
  if (sub === null) return fail('claim sub is missing');

  const exp = claim('exp');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return fail('claim exp is missing');

  const rawRole = claim('role');
  if (typeof rawRole !== 'string') return fail('claim role is missing');
  if (!(ROLES as readonly string[]).includes(rawRole)) return fail('claim role is not a known role');
  const role = rawRole as Role;

  let name = str('name');
  if (name === null) {
    const given = str('given_name');
    const family = str('family_name');
    const joined = [given, family].filter((part): part is string => part !== null).join(' ');
    name = joined.length > 0 ? joined : null;
  }

  const province = str('province');
  if (province !== null && !PROVINCE.test(province)) return fail('claim province is not a two-letter code');

  const fiscalCode = readFiscalCode(claim, str, fail);

  const matricola = str('matricola');
  const listed = strings('matricole');
  const matricole = listed ?? (matricola !== null ? [matricola] : []);

  const sede = str('sede');
  if (role === 'office' && sede === null) return fail('claim sede is required for the office role');

  const skills = strings('skills') ?? [];

  const lang = str('lang');
  if (lang !== null && (lang.length > 35 || !LANG.test(lang))) return fail('claim lang is not a language tag');

  return { sub, role, name, province, fiscalCode, matricola, matricole, sede, skills, lang, exp };
}

function readFiscalCode(
  claim: (key: string) => unknown,
  str: (key: string, value?: unknown) => string | null,
  fail: (why: string) => never,
): string | null {
  for (const key of ['fiscalCode', EID_FISCAL_NUMBER_CLAIM, 'fiscalNumber', 'fiscal_number']) {
    const raw = str(key, claim(key));
    if (raw === null) continue;
    const code = normaliseFiscalCode(raw);
    if (code === null) return fail('the fiscal code is not well formed');
    return code;
  }
  return null;
}

/**
 * A codice fiscale in its canonical form: upper case, without spaces or the
 * `TINIT-` prefix SPID and CIE put before it; null when it is not shaped like
 * one (16 characters for a person, 11 digits for a company).
 */
export function normaliseFiscalCode(raw: string): string | null {
  let code = raw.trim().toUpperCase();
  if (code.startsWith('TINIT-')) code = code.slice('TINIT-'.length);
  return PERSON_FISCAL_CODE.test(code) || COMPANY_FISCAL_CODE.test(code) ? code : null;
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or null. */
export function bearerToken(header: string | undefined): string | null {
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 16) return null;
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}
