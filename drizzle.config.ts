import { defineConfig } from 'drizzle-kit';

/**
 * `npm run db:generate` (drizzle-kit generate) writes a new migration under
 * schema/migrations from every `schema/*tables.ts`; commit the SQL and meta/.
 * The server applies them at start (server/db.ts).
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: './schema/*tables.ts',
  out: './schema/migrations',
  strict: true,
  verbose: true,
});
