/**
 * A server built as server/main.ts builds it, listening on a free port, for suites that
 * talk raw HTTP over node:net (fetch would tidy a request up, or refuse to send it,
 * before it reached the server) or need a service of their own in a listening server.
 */
import net from 'node:net';
import pino from 'pino';
import { buildApp, type HttpTimeouts } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createServices, type ServiceOverrides } from '../../server/services.ts';
import { testDatabase } from './db.ts';

/** Far beyond the short limits suites set, far below the defaults: only a missing defence reaches it. */
export const FAILSAFE_MS = 8000;

/** Node's slow-client limits cut short, for tests that wait for them. */
export const SHORT_TIMEOUTS: HttpTimeouts = { headersMs: 300, requestMs: 600, silentMs: 400, checkEveryMs: 100 };

export interface RawServerOptions {
  httpTimeouts?: HttpTimeouts;
  /** Over the defaults (development sign-in, always open, silent). */
  env?: Record<string, string>;
  /** Where it listens (default 127.0.0.1). */
  host?: string;
  /** Services of the suite's own (a routing state that can fail). */
  overrides?: Omit<ServiceOverrides, 'db' | 'logger'>;
}

export async function startRawServer(opts: RawServerOptions = {}) {
  const db = await testDatabase();
  const config = loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'silent', ...opts.env });
  const services = await createServices(config, { ...opts.overrides, db, logger: pino({ level: 'silent' }) });
  const app = await buildApp(services, { httpTimeouts: opts.httpTimeouts });
  await app.listen({ port: 0, host: opts.host ?? '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return {
    app,
    services,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await db.cleanup();
    },
  };
}

/**
 * What the server sent on a raw connection until it closed it, or 'still open' at the
 * failsafe. `from`: the local address to connect from (another interface than loopback).
 */
export function rawExchange(port: number, talk: (socket: net.Socket) => void, to = { host: '127.0.0.1', from: undefined as string | undefined }): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: to.host, localAddress: to.from }, () => talk(socket));
    let received = '';
    const failsafe = setTimeout(() => {
      socket.destroy();
      resolve('still open');
    }, FAILSAFE_MS);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(failsafe);
      resolve(received);
    });
  });
}

/** An answer's status, headers (lower-case names) and body. */
export function parseAnswer(answer: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}
