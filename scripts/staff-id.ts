/**
 * Staff pseudonyms by hand (docs/security.md, "Staff ids"), under the key the nodes use:
 *
 *   STAFF_ID_KEY=… npx tsx scripts/staff-id.ts SUB…      the id each `sub` has as staff ("sub<TAB>id"),
 *                                                        e.g. to filter the access log by actor
 *   STAFF_ID_KEY=… [DATABASE_URL=… | DATA_DIR=…] npx tsx scripts/staff-id.ts --migrate [--dry-run]
 *                                                        rewrites the staff ids already written to their
 *                                                        pseudonyms, once, with every node stopped
 *                                                        (server/staff-id-migration.ts)
 */
import path from 'node:path';
import { ConfigError, staffIdKey } from '../server/config.ts';
import { openDatabase } from '../server/db.ts';
import { migrateStaffIds } from '../server/staff-id-migration.ts';
import { staffIdOf } from '../server/staff-ids.ts';

const args = process.argv.slice(2);
let key: string | null;
try {
  key = staffIdKey(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(78);
}
if (key === null) {
  console.error('STAFF_ID_KEY is needed: the key the nodes use.');
  process.exit(64);
}
const idOf = staffIdOf(key);

if (args[0] === '--migrate') {
  const dryRun = args.includes('--dry-run');
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: path.resolve(process.env.DATA_DIR || './.data') });
  try {
    const result = await migrateStaffIds(database.db, idOf, { dryRun });
    console.log(`${dryRun ? 'would rewrite' : 'rewrote'} ${result.staff} staff ids:`);
    for (const [place, rows] of Object.entries(result.rewritten)) console.log(`  ${place}: ${rows} rows`);
  } finally {
    await database.close();
  }
} else if (args.length === 0 || args.some((a) => a.startsWith('--'))) {
  console.error('usage: scripts/staff-id.ts SUB… | --migrate [--dry-run]');
  process.exit(64);
} else {
  for (const sub of args) console.log(`${sub}\t${idOf(sub)}`);
}
