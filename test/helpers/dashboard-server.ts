/**
 * The supervisor dashboard's test server, shared by test/dashboard.test.ts (the
 * live view, the controls, the feed) and test/dashboard-history.test.ts (the
 * daily snapshots, history, CSV, ratings). Each of those files gets its own
 * server, database and ManualClock from a session here, so neither depends on
 * what the other has created. The dashboard's clock is the
 * real calendar: Tuesday 10 March 2026, 17:55 in Rome (five minutes before
 * closing), unlike test/helpers/server.ts whose service hours are 'always'.
 */
import type { Test } from 'uvu';
import { ManualClock, type Clock } from '../../routing/clock.ts';
import { defaultScheduleConfig, zonedTimeToUtc } from '../../routing/schedule.ts';
import type { DashboardService } from '../../server/dashboard-service.ts';
import { testDatabase, type TestDatabase } from './db.ts';
import type { Services } from '../../server/services.ts';
import { startServer } from './server.ts';
import { TestSocket } from './ws-client.ts';

export type Json = Record<string, any>;

export const NOW = zonedTimeToUtc('2026-03-10', '17:55', 'Europe/Rome').getTime();
/** The past day the history tests fill with rows; the office test asks to snapshot it too. */
export const SEEDED_DAY = '2026-03-05';

// ---------------------------------------------------------------------------
// The server, with the dashboard's service and routes mounted here while server/services.ts
// and server/app.ts do not build them yet (they are used as they are once they do).

export interface DashServer {
  url: string;
  wsUrl: string;
  services: Services;
  dashboard: DashboardService;
  db: TestDatabase;
  token(claims: Record<string, unknown> & { role: string }): Promise<string>;
  close(): Promise<void>;
}

/** test/helpers/server.ts's server on the real calendar (the dashboard sets waits against closing time), with its database kept at hand. */
async function startDashboardServer(o: { clock: Clock; userGraceMs?: number }): Promise<DashServer> {
  const db = await testDatabase();
  const server = await startServer({ clock: o.clock, db, schedule: defaultScheduleConfig(), env: { SERVICE_HOURS: '' }, userGraceMs: o.userGraceMs });
  return {
    ...server,
    dashboard: server.services.dashboard, // started by createServices
    db,
    async close() {
      await server.close();
      await db.cleanup();
    },
  };
}

// ---------------------------------------------------------------------------
// A test file's session: its hooks, plain HTTP calls, tokens and signed-in sockets.

export interface CallResult {
  status: number;
  body: Json;
  text: string;
  headers: Headers;
}

export interface DashboardSession {
  /** The file's own clock, set back to NOW before each of its tests. */
  clock: ManualClock;
  call(token: string | null, method: string, path: string, body?: unknown): Promise<CallResult>;
  supervisor(): Promise<string>;
  office(sede: string): Promise<string>;
  signIn(claims: Record<string, unknown> & { role: string }): Promise<TestSocket>;
}

/**
 * Registers the file's hooks on its suite: a fresh server and database in
 * suite.before (handed to onStart), the clock back to NOW before each test, the
 * sockets and then the server and its database closed in suite.after.
 */
export function dashboardSession(suite: Test, onStart: (server: DashServer) => void, o: { userGraceMs?: number } = {}): DashboardSession {
  const clock = new ManualClock(NOW);
  let server: DashServer | undefined;
  const sockets: TestSocket[] = [];
  const current = (): DashServer => {
    if (!server) throw new Error('the dashboard server is not started');
    return server;
  };

  suite.before(async () => {
    try {
      server = await startDashboardServer({ clock, userGraceMs: o.userGraceMs });
    } catch (err) {
      console.error('could not start the server:', err); // uvu does not print errors of hooks
      throw err;
    }
    onStart(server);
  });

  suite.after(async () => {
    for (const s of sockets) s.drop();
    await server?.close();
  });

  suite.before.each(() => {
    clock.set(NOW);
  });

  async function call(token: string | null, method: string, path: string, body?: unknown): Promise<CallResult> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${current().url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: Json = {};
    try {
      json = JSON.parse(text);
    } catch {
      /* CSV */
    }
    return { status: res.status, body: json, text, headers: res.headers };
  }

  const supervisor = () => current().token({ role: 'supervisor', sub: 'sup-1', name: 'Sara Supervisori' });
  const office = (sede: string) => current().token({ role: 'office', sub: `op-${sede}`, sede, name: `Operatore ${sede}` });

  async function signIn(claims: Record<string, unknown> & { role: string }): Promise<TestSocket> {
    const [socket] = await TestSocket.signIn(current().wsUrl, await current().token(claims));
    sockets.push(socket);
    return socket;
  }

  return { clock, call, supervisor, office, signIn };
}

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
