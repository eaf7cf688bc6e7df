/**
 * Real processes for fault tests: INFO CIG server nodes (`node --import tsx
 * server/main.ts`), a private throw-away `redis-server` the test may kill and
 * restart, and a throw-away PostgreSQL database on a server the test must not
 * touch otherwise. Every child is killed by its pid when the test process exits,
 * so a failing test leaves nothing running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { dropDatabase, withAdmin } from './db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Whether an executable answers `--version` (synchronous: usable while a test file is imported). */
export function commandAvailable(command: string): boolean {
  const result = spawnSync(command, ['--version'], { stdio: 'ignore', timeout: 5_000 });
  return result.status === 0;
}

/** Whether PostgreSQL answers at `url`, checked synchronously in a child process. */
export function postgresAnswersSync(url: string | undefined, ms = 2_000): boolean {
  if (!url) return false;
  const probe = `
    import pg from 'pg';
    const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: ${ms} });
    c.on('error', () => {});
    c.connect().then(() => c.query('select 1')).then(() => process.exit(0), () => process.exit(1));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe, url], {
    cwd: root,
    stdio: 'ignore',
    timeout: ms + 5_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return result.status === 0;
}

/* ------------------------------------------------------------------ */
/* PostgreSQL: a throw-away database                                   */
/* ------------------------------------------------------------------ */

export interface ThrowAwayDatabase {
  name: string;
  /** The URL of the new database (same server, user and password as the admin URL). */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database next to the one `adminUrl` names; `drop()` removes it (terminating its sessions). */
export async function throwAwayDatabase(adminUrl: string): Promise<ThrowAwayDatabase> {
  const name = `infocig_f_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => dropDatabase(adminUrl, name),
  };
}

/** The same URL pointing at another host:port (e.g. a proxy in front of the server). */
export function viaPort(url: string, host: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = host;
  parsed.port = String(port);
  return parsed.toString();
}

/* ------------------------------------------------------------------ */
/* Output capture                                                      */
/* ------------------------------------------------------------------ */

const MAX_OUTPUT = 256 * 1024;

function capture(child: ChildProcess): { text(): string; wait(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> } {
  let text = '';
  const waiters: { re: RegExp; resolve(m: RegExpMatchArray): void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > MAX_OUTPUT) text = text.slice(-MAX_OUTPUT);
    for (const w of [...waiters]) {
      const m = text.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    text: () => text,
    wait: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const now = text.match(re);
        if (now) return resolve(now);
        const timer = setTimeout(() => reject(new Error(`no ${re} within ${timeoutMs} ms; output:\n${text.slice(-4000)}`)), timeoutMs);
        const onExit = (code: number | null, signal: string | null) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code ?? signal}) before ${re}; output:\n${text.slice(-4000)}`));
        };
        child.once('exit', onExit);
        waiters.push({
          re,
          resolve: (m) => {
            clearTimeout(timer);
            child.off('exit', onExit);
            resolve(m);
          },
        });
      }),
  };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/* ------------------------------------------------------------------ */
/* INFO CIG nodes                                                      */
/* ------------------------------------------------------------------ */

export interface NodeProcess {
  name: string;
  pid: number;
  url: string;
  wsUrl: string;
  /** A development token signed by this node (each node has its own key). */
  token(claims: Record<string, unknown> & { role: string }): Promise<string>;
  /** GET a path, answering status and body text. */
  get(path: string): Promise<{ status: number; body: string }>;
  /** Sends a signal (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Everything the process printed (the last 256 KB). */
  output(): string;
  alive(): boolean;
}

export interface StartNodeOptions {
  name: string;
  /** Added to a clean environment: PORT=0, HOST=127.0.0.1, AUTH_DEV=1, SERVICE_HOURS=always, LOG_LEVEL=warn. */
  env: Record<string, string>;
  startTimeoutMs?: number;
}

/** Variables of the test process that must not leak into a node. */
const NOT_INHERITED = ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'PORT', 'HOST', 'PUBLIC_URL', 'LOG_LEVEL', 'NODE_OPTIONS', 'FORCE_COLOR', 'NO_COLOR'];

/** Starts `server/main.ts` in its own process and resolves once it printed its URL. */
export async function startNode(o: StartNodeOptions): Promise<NodeProcess> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of NOT_INHERITED) delete env[k];
  Object.assign(env, {
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_DEV: '1',
    NODE_ENV: 'test',
    SERVICE_HOURS: 'always',
    LOG_LEVEL: 'warn',
    ...o.env,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const out = capture(child);
  let url: string;
  try {
    const m = await out.wait(/health:\s+(http:\/\/\S+)\/health/, o.startTimeoutMs ?? 30_000);
    url = m[1]!;
  } catch (err) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw err;
  }
  return {
    name: o.name,
    pid: child.pid!,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    async token(claims) {
      const res = await fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
      if (!res.ok) throw new Error(`${o.name}: /dev/token answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async get(path) {
      const res = await fetch(`${url}${path}`);
      return { status: res.status, body: await res.text() };
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited(child);
    },
    output: out.text,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/* ------------------------------------------------------------------ */
/* A private Redis                                                     */
/* ------------------------------------------------------------------ */

export interface RedisProcess {
  port: number;
  url: string;
  /** kill -9: no shutdown, nothing saved (it never saves anyway). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers. */
  start(): Promise<void>;
  running(): boolean;
}

/** A `redis-server` of this test alone, on a free port, persisting nothing. */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(c);
    c.once('exit', () => children.delete(c));
    child = c;
    const out = capture(c);
    await out.wait(/Ready to accept connections/, 10_000);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      const c = child;
      if (!c) return;
      child = null;
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited(c);
    },
    start,
    running: () => child !== null && child.exitCode === null && child.signalCode === null,
  };
}
