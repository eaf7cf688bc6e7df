/**
 * Staff pseudonyms (docs/security.md, "Staff ids").
 *
 * A person's id is their identity provider's `sub`, and a user's frames and answers
 * name their advisor by it. SPID subjects are often the fiscal number
 * (`TINIT-RSSMRA80A01H501U`: birth date and place), which every user served would
 * learn. With STAFF_ID_KEY set, a staff identity's id is instead a keyed pseudonym
 * of its `sub` (GDPR art. 4(5)): HMAC-SHA256 under the key, so it is the same on
 * every node and after every restart, the institute can recompute it for a given
 * person (scripts/staff-id.ts), and nobody without the key can, even by trying
 * every fiscal code (an unkeyed hash would fall to exactly that).
 *
 * It is applied in one place, around the authenticator (server/services.ts), so
 * everything downstream (routing, conversations, the staff directory, the access
 * log, the audit trail) sees the pseudonym only. Users keep their own ids.
 */
import { createHmac } from 'node:crypto';
import { isStaffRole } from '../routing/types.ts';
import type { Authenticator, Identity } from './auth.ts';

export const STAFF_ID_PREFIX = 'staff-';
/** base64url characters kept of the 43 of a SHA-256 MAC: 132 bits, far beyond any collision among staff. */
const MAC_CHARS = 22;

/** A staff member's id from their provider `sub`. */
export type StaffIdOf = (sub: string) => string;

/** `staff-` and 22 base64url characters of HMAC-SHA256(key, sub). */
export function staffPseudonym(key: string, sub: string): string {
  return STAFF_ID_PREFIX + createHmac('sha256', key).update(sub, 'utf8').digest('base64url').slice(0, MAC_CHARS);
}

/** The id a staff `sub` gets: its pseudonym under `key`, or the `sub` itself without one. */
export function staffIdOf(key: string | null): StaffIdOf {
  return key === null ? (sub) => sub : (sub) => staffPseudonym(key, sub);
}

/** The identity as the rest of the server sees it: a staff member's `sub` replaced by their pseudonym. */
export function pseudonymised(identity: Identity, idOf: StaffIdOf): Identity {
  return isStaffRole(identity.role) ? { ...identity, sub: idOf(identity.sub) } : identity;
}

/** `auth` with every staff identity it verifies pseudonymised under `key`; `auth` itself when there is no key. */
export function pseudonymisingStaff(auth: Authenticator, key: string | null): Authenticator {
  if (key === null) return auth;
  const idOf = staffIdOf(key);
  return {
    verify: async (token) => pseudonymised(await auth.verify(token), idOf),
    ...(auth.close ? { close: () => auth.close!() } : {}),
  };
}
