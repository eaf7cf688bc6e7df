/**
 * Where to reach users (`notice_contacts`): the `email` and `phone_number`
 * claims of their verified tokens, recorded when they open a ticket, read by
 * the notice dispatcher (notices.ts) to route their notices.
 */
import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../routing/clock.ts';
import { noticeContacts } from '../schema/attachment-tables.ts';
import type { Db } from './db.ts';

export interface Contact {
  email: string | null;
  phone: string | null;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const PHONE = /^\+?[0-9]{6,15}$/;

/**
 * The contact a verified token carries: `email` (unless `email_verified` is
 * false) and `phone_number` (unless `phone_number_verified` is false).
 * Badly shaped values are ignored, never stored.
 */
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
  return { email, phone };
}

/** Where to reach users, recorded from their tokens (`notice_contacts`). */
export class ContactBook {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Records what the token says; a missing value keeps the one already known. */
  async remember(userId: string, contact: Contact): Promise<void> {
    if (contact.email === null && contact.phone === null) return;
    await this.db
      .insert(noticeContacts)
      .values({ userId, email: contact.email, phone: contact.phone, updatedAt: new Date(this.clock.now()) })
      .onConflictDoUpdate({
        target: noticeContacts.userId,
        set: {
          email: sql`coalesce(excluded.email, ${noticeContacts.email})`,
          phone: sql`coalesce(excluded.phone, ${noticeContacts.phone})`,
          updatedAt: sql`excluded.updated_at`,
        },
        setWhere: sql`${noticeContacts.email} is distinct from coalesce(excluded.email, ${noticeContacts.email}) or ${noticeContacts.phone} is distinct from coalesce(excluded.phone, ${noticeContacts.phone})`,
      });
  }

  async get(userId: string): Promise<Contact | null> {
    const [row] = await this.db.select().from(noticeContacts).where(eq(noticeContacts.userId, userId)).limit(1);
    return row ? { email: row.email, phone: row.phone } : null;
  }
}
