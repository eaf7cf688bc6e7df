import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { count, eq } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import config from '../drizzle.config.ts';
import { seed, parseProvincesCsv, loadProvinces } from '../schema/seed.ts';
import { DEMO_ADVISORS, officeCodeFor } from '../schema/seed-data.ts';
import { advisors, officeProvinces, offices, provinces } from '../schema/tables.ts';
import { MIGRATIONS_FOLDER, openDatabase } from '../server/db.ts';
import { testDatabase } from './helpers/db.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DRIZZLE_KIT = join(ROOT, 'node_modules', 'drizzle-kit', 'bin.cjs');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

const migrations = suite('committed migrations');

migrations('match schema/*tables.ts: drizzle-kit generate finds nothing to add', async () => {
  const out = await mkdtemp(join(tmpdir(), 'infocig-migrations-'));
  try {
    await cp(MIGRATIONS_FOLDER, out, { recursive: true });
    const before = await listFiles(out);
    const journal = await readFile(join(out, 'meta', '_journal.json'), 'utf8');
    const schema = Array.isArray(config.schema) ? config.schema : [config.schema];
    // drizzle-kit prefixes `./` to --out, so it must be relative to its cwd
    const args = ['generate', `--dialect=${config.dialect}`, ...schema.map((s) => `--schema=${s}`), `--out=${relative(ROOT, out)}`];
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [DRIZZLE_KIT, ...args], { cwd: ROOT, timeout: 60_000 });
    const report = `${stdout}\n${stderr}`;
    assert.equal(await listFiles(out), before, `schema/*tables.ts changed without a migration: run npm run db:generate\n${report}`);
    assert.is(await readFile(join(out, 'meta', '_journal.json'), 'utf8'), journal);
    assert.match(report, /No schema changes/, report);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

migrations('the config points drizzle-kit at the folder the server migrates from', () => {
  assert.is(resolve(ROOT, String(config.out)), resolve(MIGRATIONS_FOLDER));
});

migrations.run();

const seeding = suite<{ database: Awaited<ReturnType<typeof testDatabase>> }>('seed');

seeding.before(async (ctx) => {
  ctx.database = await testDatabase();
});

seeding.after(async (ctx) => {
  await ctx.database?.cleanup();
});

async function rowCount(ctx: { database: Awaited<ReturnType<typeof testDatabase>> }, table: typeof provinces | typeof offices | typeof officeProvinces | typeof advisors) {
  const [row] = await ctx.database.db.select({ n: count() }).from(table);
  return row?.n ?? -1;
}

seeding('runs twice without error and leaves 110 provinces, 110 offices and the demo advisors', async (ctx) => {
  const first = await seed(ctx.database.db);
  const second = await seed(ctx.database.db);
  assert.equal(first, second);
  assert.is(await rowCount(ctx, provinces), 110);
  assert.is(await rowCount(ctx, offices), 110);
  assert.is(await rowCount(ctx, officeProvinces), 110);
  assert.is(await rowCount(ctx, advisors), DEMO_ADVISORS.length);
});

seeding('gives every province its own territorial office, named after the province', async (ctx) => {
  await seed(ctx.database.db);
  const [milano] = await ctx.database.db.select().from(offices).where(eq(offices.code, 'SEDE-MI'));
  assert.equal(milano, { code: 'SEDE-MI', name: 'INPS Sede di Milano', province: 'MI', email: 'sede.mi@inps.example' });
  const [mapping] = await ctx.database.db.select().from(officeProvinces).where(eq(officeProvinces.province, 'NA'));
  assert.is(mapping?.officeCode, officeCodeFor('NA'));
  const [aosta] = await ctx.database.db.select().from(provinces).where(eq(provinces.code, 'AO'));
  assert.equal(aosta, { code: 'AO', name: "Valle d'Aosta/Vallée d'Aoste", region: "Valle d'Aosta/Vallée d'Aoste", istat: '007' });
});

seeding('keeps edits made after seeding: an advisor capacity and a province reassigned to another office', async (ctx) => {
  await seed(ctx.database.db);
  await ctx.database.db.update(advisors).set({ capacity: 5 }).where(eq(advisors.id, 'adv-rossi'));
  await ctx.database.db.update(officeProvinces).set({ officeCode: 'SEDE-MI' }).where(eq(officeProvinces.province, 'LO'));
  await seed(ctx.database.db);
  const [rossi] = await ctx.database.db.select().from(advisors).where(eq(advisors.id, 'adv-rossi'));
  assert.is(rossi?.capacity, 5);
  const [lodi] = await ctx.database.db.select().from(officeProvinces).where(eq(officeProvinces.province, 'LO'));
  assert.is(lodi?.officeCode, 'SEDE-MI');
});

seeding('stores the demo advisors with their skills', async (ctx) => {
  await seed(ctx.database.db);
  const [esposito] = await ctx.database.db.select().from(advisors).where(eq(advisors.id, 'adv-esposito'));
  assert.equal(esposito?.skills.regions, ['Campania', 'Lazio']);
  assert.equal(esposito?.skills.languages, ['it', 'en']);
  assert.is(esposito?.active, true);
});

seeding.run();

const csv = suite('province list');

csv('has 110 distinct provinces with two-letter codes, every region named', async () => {
  const rows = await loadProvinces();
  assert.is(rows.length, 110);
  assert.is(new Set(rows.map((r) => r.code)).size, 110);
  assert.ok(rows.every((r) => /^[A-Z]{2}$/.test(r.code) && /^\d{3}$/.test(r.istat) && r.region.length > 0));
});

csv('a malformed line is refused rather than half-read', () => {
  assert.throws(() => parseProvincesCsv('code,name,region,istat_code\nMI,Milano,Lombardia\n'), /line 2/);
  assert.throws(() => parseProvincesCsv('code,name,region,istat_code\nMI,"Milano",Lombardia,015\n'), /line 2/);
  assert.throws(() => parseProvincesCsv('sigla,nome\n'), /header/);
  assert.equal(parseProvincesCsv('code,name,region,istat_code\r\nMI,Milano,Lombardia,015\r\n'), [
    { code: 'MI', name: 'Milano', region: 'Lombardia', istat: '015' },
  ]);
});

csv.run();

const reopen = suite('embedded database on disk');

reopen('keeps its data across a restart and re-applies no migration', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'infocig-pglite-'));
  try {
    const first = await openDatabase({ dataDir });
    await seed(first.db);
    await first.close();
    const second = await openDatabase({ dataDir });
    try {
      await second.ping();
      const [row] = await second.db.select({ n: count() }).from(provinces);
      assert.is(row?.n, 110);
    } finally {
      await second.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

reopen.run();

const protocols = suite('protocol numbers across migration 0003');

/**
 * A database as it was before migration `tag`: the migrations before it applied, on a fresh
 * PGlite; `migrateAll` then applies the rest, as a server upgraded over it would.
 */
async function databaseBefore(tag: string, work: (client: PGlite, migrateAll: () => Promise<void>) => Promise<void>): Promise<void> {
  const before = await mkdtemp(join(tmpdir(), `infocig-before-${tag}-`));
  const client = new PGlite();
  try {
    await cp(MIGRATIONS_FOLDER, before, { recursive: true });
    const journalFile = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
    await writeFile(journalFile, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.tag < tag) }));
    const db = drizzlePglite({ client });
    await migratePglite(db, { migrationsFolder: before });
    await work(client, () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }));
  } finally {
    await client.close();
    await rm(before, { recursive: true, force: true });
  }
}

protocols('a year counted by the old counter row goes on after its last number; a year without one starts at 1', async () => {
  await databaseBefore('0003', async (client, migrateAll) => {
    await client.query('insert into ticket_protocol_counters (year, last) values (2026, 41)');
    await migrateAll();
    const { rows } = await client.query<{ a: string; b: string; c: string }>('select ticket_protocol(2026) as a, ticket_protocol(2026) as b, ticket_protocol(2027) as c');
    assert.equal(rows[0], { a: 'LINPS-2026-000042', b: 'LINPS-2026-000043', c: 'LINPS-2027-000001' });
    const { rows: left } = await client.query(`select 1 from information_schema.tables where table_name = 'ticket_protocol_counters'`);
    assert.is(left.length, 0, 'the counter table is gone');
  });
});

protocols.run();

const openChats = suite('one open conversation per user across migration 0021');

openChats('second open chats a lost claim made are closed as duplicate, the latest kept; then a second one is refused', async () => {
  await databaseBefore('0021', async (client, migrateAll) => {
    const chat = (id: string, user: string, openedAt: string) =>
      client.query(
        `insert into conversations (id, user_id, user_role, province, audience, topic, entry, advisor_id, opened_at) values ($1, $2, 'worker', 'MI', 'worker', 'payment', 'omnia', 'adv-1', $3)`,
        [id, user, openedAt],
      );
    await chat('c-old', 'w-1', '2026-03-10T14:05:00Z');
    await chat('c-new', 'w-1', '2026-03-10T14:20:00Z');
    await chat('c-other', 'w-2', '2026-03-10T14:06:00Z');
    await migrateAll();
    const { rows } = await client.query<{ id: string; status: string; outcome: string | null; closed_by: string | null }>(
      'select id, status, outcome, closed_by from conversations order by id',
    );
    assert.equal(rows, [
      { id: 'c-new', status: 'open', outcome: null, closed_by: null },
      { id: 'c-old', status: 'closed', outcome: 'duplicate', closed_by: 'system' },
      { id: 'c-other', status: 'open', outcome: null, closed_by: null },
    ]);
    const refused = await chat('c-third', 'w-1', '2026-03-10T14:30:00Z').then(() => null, (err: { code?: string }) => err.code);
    assert.is(refused, '23505', 'a second open chat for w-1 is refused');
  });
});

openChats.run();
