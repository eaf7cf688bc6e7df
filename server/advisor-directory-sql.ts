/** The staff directory in the database: seeded demo advisors, edited by supervisors later. */
import { and, eq } from 'drizzle-orm';
import { advisors } from '../schema/tables.ts';
import type { AdvisorDirectory } from './advisor-directory.ts';
import type { Db } from './db.ts';

/** An advisor listed (and active) in the directory gets its skills and capacity; others fall back. */
export function sqlAdvisorDirectory(db: Db, fallback: AdvisorDirectory): AdvisorDirectory {
  return {
    async profileOf(identity) {
      const [row] = await db
        .select()
        .from(advisors)
        .where(and(eq(advisors.id, identity.sub), eq(advisors.active, true)))
        .limit(1);
      if (!row) return fallback.profileOf(identity);
      return { id: row.id, name: identity.name ?? row.name, capacity: row.capacity, skills: row.skills };
    },
  };
}
