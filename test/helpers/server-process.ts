/**
 * `server/main.ts` as a child process, started the way `npm start` starts it, on a
 * free port and a temporary DATA_DIR; and Debian's chromium for the browser tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return import('playwright-core').then(({ chromium }) =>
    chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
  );
}

/** A routing file for ROUTING_CONFIG, `overrides` over the defaults (short graces, thresholds), in a directory of its own. */
export function routingFile(overrides: object): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'infocig-routing-')), 'routing.json');
  writeFileSync(file, JSON.stringify(overrides));
  return file;
}

/** Generous: a cold start compiles through tsx and builds a fresh PGlite database, slow on a loaded machine. */
const START_TIMEOUT_MS = 90_000;

export interface ServerProcess {
  base: string;
  /** The running server (a new one after `restart`). */
  child: ChildProcess;
  log(): string;
  /** Stops the server (SIGTERM) and starts it again on the same port, with the same DATA_DIR: a node restarting. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Stops `child` with SIGTERM, SIGKILL after 5 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      r(null);
    }, 5000);
    child.once('exit', () => r(clearTimeout(t)));
  });
}

/** Spawns the server with `env` and answers once it printed its URLs; `onLog` hears all it writes. */
function spawnServer(env: NodeJS.ProcessEnv, dataDir: string, onLog: (text: string) => void): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'main.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    // A server that never said it is up is killed, not left behind (it would load the machine
    // for every file after this one, and hold its DATA_DIR).
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      reject(new Error(`server did not start in ${START_TIMEOUT_MS / 1000} s:\n${log}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
      onLog(d.toString());
      const m = log.match(/demo page \(chat bubble\):\s+(http:\/\/\S+?)\/demo\//);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: m[1]! });
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      onLog(d.toString());
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
}

/** Starts the server with `env` over a clean development environment (embedded defaults). */
export async function startServerProcess(name: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `infocig-${name}-`));
  const full: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, AUTH_DEV: '1', NODE_ENV: 'development', LOG_LEVEL: 'warn' };
  for (const k of ['SERVICE_HOURS', 'ALLOWED_ORIGINS', 'PUBLIC_URL', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL']) delete full[k];
  Object.assign(full, env);
  let log = '';
  const first = await spawnServer(full, dataDir, (text) => (log += text));
  const proc: ServerProcess = {
    base: first.base,
    child: first.child,
    log: () => log,
    async restart() {
      await terminate(proc.child);
      const again = await spawnServer({ ...full, PORT: new URL(proc.base).port }, dataDir, (text) => (log += text));
      proc.child = again.child;
    },
    async stop() {
      await terminate(proc.child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return proc;
}
