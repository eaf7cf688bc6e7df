/**
 * A node's life as the load balancer in front of it sees it. On SIGTERM (a
 * rolling deploy, a scale-in) a node first *drains*: `/ready` answers
 * `503 draining` and new chat sockets are refused with the same code, while the
 * sockets it holds keep working, so the balancer takes it out of rotation
 * before anyone is cut off. After SHUTDOWN_DRAIN_MS the remaining sockets are
 * closed with 1001 (reconnect and resume: every client lands on another node
 * and loses nothing, since every acknowledged message is in the database), then
 * the app closes. SIGINT (a person at the terminal) skips the wait.
 */
import type { FastifyInstance } from 'fastify';

export class Lifecycle {
  private since: number | null = null;

  /** True from the start of the drain: readiness fails and new sockets are refused. */
  get draining(): boolean {
    return this.since !== null;
  }

  drain(now = Date.now()): void {
    this.since ??= now;
  }
}

/** Past this, a close that hangs (a stuck query, a peer that never answers) ends the process anyway. */
export const CLOSE_TIMEOUT_MS = 30_000;

export interface ShutdownOptions {
  lifecycle: Lifecycle;
  drainMs: number;
  /** Exits the process; injected so that the sequence can be followed in a test. */
  exit(code: number): void;
  sleep?: (ms: number) => Promise<void>;
}

/** Drain, then close the sockets with 1001, then the app (and with it the services); exit 0, or 1 if the close hung. */
export async function shutdown(app: FastifyInstance, signal: string, o: ShutdownOptions): Promise<void> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  o.lifecycle.drain();
  const drainMs = signal === 'SIGINT' ? 0 : o.drainMs;
  app.log.info({ signal, drainMs }, 'draining: /ready answers 503, new sockets refused');
  if (drainMs > 0) await sleep(drainMs);
  const sockets = app.websocketServer?.clients ?? new Set();
  app.log.info({ sockets: sockets.size }, 'closing the remaining sockets (1001: reconnect and resume elsewhere)');
  for (const ws of sockets) ws.close(1001, 'server_restart');
  const hung = setTimeout(() => {
    app.log.error({ timeoutMs: CLOSE_TIMEOUT_MS }, 'close did not finish: exiting anyway');
    o.exit(1);
  }, CLOSE_TIMEOUT_MS);
  hung.unref();
  await app.close();
  clearTimeout(hung);
  o.exit(0);
}
