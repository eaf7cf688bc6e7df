/**
 * Where to reach users (`notice_contacts`): the `email` and `phone_number`
 * claims of their verified tokens, recorded when they open a ticket and when
 * they sign in to the chat, read by the notice dispatcher (notices.ts) to route
 * their notices; and the language their `lang` claim names, in which their
 * notices are written when there is a text for it (German, for South Tyrol).
 */
import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../routing/clock.ts';
import { noticeContacts } from '../schema/attachment-tables.ts';
import type { Db } from './db.ts';
import { allOk, GroupCommit } from './group-commit.ts';

export interface Contact {
  email: string | null;
  phone: string | null;
  /** The language of the `lang` claim, lower case without its region ('de' for de-IT). */
  lang: string | null;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const PHONE = /^\+?[0-9]{6,15}$/;
const LANG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/**
 * The contact a verified token carries: `email` (unless `email_verified` is
 * false) and `phone_number` (unless `phone_number_verified` is false).
 * Badly shaped values are ignored, never stored.
 */
/** The languages a notice may be chosen in by the page (what the user pages speak). */
const PAGE_LANGS: ReadonlySet<string> = new Set(['it', 'de', 'en']);

/**
 * The language the person chose on the page (`X-InfoCig-Lang` of the chat's ticket
 * calls, `lang` of chat.request), when it is one the pages speak; else null. A
 * preference, not an identity: it only picks the words of their own notices (and
 * the language an office's ready answer is offered in, GET /api/v1/tickets/:id).
 */
export function pageLang(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const base = value.trim().toLowerCase().split('-')[0]!;
  return PAGE_LANGS.has(base) ? base : null;
}

export function contactFromClaims(claims: Record<string, unknown>): Contact {
  const get = (key: string) => (Object.hasOwn(claims, key) ? claims[key] : undefined);
  const rawEmail = get('email');
  const email =
    typeof rawEmail === 'string' && get('email_verified') !== false && rawEmail.length <= 254 && EMAIL.test(rawEmail.trim())
      ? rawEmail.trim().replace(/@(.*)$/, (_, d: string) => `@${d.toLowerCase()}`)
      : null;
  const rawPhone = get('phone_number');
  const phone =
    typeof rawPhone === 'string' && get('phone_number_verified') !== false && PHONE.test(rawPhone.replace(/[\s.-]/g, '')) ? rawPhone.replace(/[\s.-]/g, '') : null;
  const rawLang = get('lang');
  const lang = typeof rawLang === 'string' && LANG.test(rawLang) ? rawLang.split('-')[0]!.toLowerCase() : null;
  return { email, phone, lang };
}

/** Where to reach users, recorded from their tokens (`notice_contacts`). */
export class ContactBook {
  /**
   * What this node has recorded per user, merged (a missing value keeps the known one, as
   * the upsert does), so that a sign-in or a chat's language repeating it writes nothing.
   */
  private readonly recorded = new Map<string, Contact>();
  /**
   * Sign-ins' contacts, written many per statement: after a node is lost, its users sign
   * in again on the others all at once, and one upsert each would cost the sign-ins'
   * own reads their coalescing (server/chat-store-sql.ts).
   */
  private readonly signIns = new GroupCommit<{ userId: string; contact: Contact }, void>((batch) => this.write(batch).then(() => allOk(batch.map(() => undefined))), {
    maxRows: 128,
    maxWaitMs: 0,
    maxQueued: 20_000,
  });

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Records what the token says; a missing value keeps the one already known. */
  async remember(userId: string, contact: Contact): Promise<void> {
    if (nothingIn(contact)) return;
    await this.write([{ userId, contact }]);
  }

  /**
   * `remember` for a sign-in: skipped when this node already recorded the same contact
   * for the user (most sign-ins repeat what is known), and written together with the
   * sign-ins of the same moment. Bounded; forgetting only costs a write. A failed write is
   * not marked, so the next sign-in tries again.
   */
  async rememberOnce(userId: string, contact: Contact): Promise<void> {
    if (nothingIn(contact)) return;
    // Compared with everything recorded, not with the last call: a sign-in (address) and a
    // chat.request (language) of the same person each add nothing the other did not know.
    const known = this.recorded.get(userId);
    if (known && FIELDS.every((f) => contact[f] === null || contact[f] === known[f])) return;
    await this.signIns.submit({ userId, contact });
    if (this.recorded.size >= 50_000) this.recorded.clear();
    const merged = { ...contact };
    for (const f of FIELDS) merged[f] = contact[f] ?? known?.[f] ?? null;
    this.recorded.set(userId, merged);
  }

  /** One upsert for all; a user twice in the batch is written once, with the later values over the earlier. */
  private async write(batch: { userId: string; contact: Contact }[]): Promise<void> {
    const byUser = new Map<string, Contact>();
    for (const { userId, contact } of batch) {
      const before = byUser.get(userId);
      byUser.set(userId, { email: contact.email ?? before?.email ?? null, phone: contact.phone ?? before?.phone ?? null, lang: contact.lang ?? before?.lang ?? null });
    }
    const at = new Date(this.clock.now());
    // A column changes when the token brings a value other than the one kept.
    const changes = (column: 'email' | 'phone' | 'lang') =>
      sql`${noticeContacts[column]} is distinct from coalesce(${sql.raw(`excluded.${column}`)}, ${noticeContacts[column]})`;
    await this.db
      .insert(noticeContacts)
      .values([...byUser].map(([userId, c]) => ({ userId, email: c.email, phone: c.phone, lang: c.lang, updatedAt: at })))
      .onConflictDoUpdate({
        target: noticeContacts.userId,
        set: {
          email: sql`coalesce(excluded.email, ${noticeContacts.email})`,
          phone: sql`coalesce(excluded.phone, ${noticeContacts.phone})`,
          lang: sql`coalesce(excluded.lang, ${noticeContacts.lang})`,
          updatedAt: sql`excluded.updated_at`,
        },
        setWhere: sql`${changes('email')} or ${changes('phone')} or ${changes('lang')}`,
      });
  }

  async get(userId: string): Promise<Contact | null> {
    const [row] = await this.db.select().from(noticeContacts).where(eq(noticeContacts.userId, userId)).limit(1);
    return row ? { email: row.email, phone: row.phone, lang: row.lang } : null;
  }
}

const FIELDS = ['email', 'phone', 'lang'] as const;

function nothingIn(contact: Contact): boolean {
  return contact.email === null && contact.phone === null && contact.lang === null;
}
