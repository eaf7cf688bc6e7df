/**
 * The app as services.ts and app.ts build it, not listening, for suites that
 * call it with app.inject: a throw-away seeded database, the suite's clock,
 * and no timers (the notice dispatcher and the retention sweep are run by
 * hand). Apart from server.ts, which listens on a port for clients that talk
 * over real sockets.
 */
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Clock } from '../../routing/clock.ts';
import { buildApp, type BuildOptions } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createServices, type Services } from '../../server/services.ts';
import { testDatabase } from './db.ts';

export type Json = Record<string, any>;

export interface InjectedApp {
  app: FastifyInstance;
  services: Services;
  /** A development token with these claims. */
  token(claims: Record<string, unknown>): Promise<string>;
  /** A JSON request as `tok` (null: signed out) to this app, or to `on`: the status, the parsed body and the raw text. */
  call(tok: string | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, on?: FastifyInstance): Promise<{ status: number; body: Json; raw: string }>;
  close(): Promise<void>;
}

/** `env` over the defaults (development sign-in, always open, silent); `options` for buildApp; `logger` instead of a silent one. */
export async function injectedApp(clock: Clock, env: Record<string, string> = {}, options: BuildOptions & { logger?: Logger } = {}): Promise<InjectedApp> {
  const database = await testDatabase();
  const config = loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'always', LOG_LEVEL: 'silent', ...env });
  const services = await createServices(config, { db: database, clock, logger: options.logger ?? pino({ level: 'silent' }), notices: false, retentionTimer: false });
  const app = await buildApp(services, options);
  await app.ready();
  return {
    app,
    services,
    token: (claims) => services.dev!.issue(claims as never),
    async call(tok, method, url, payload, on = app) {
      const res = await on.inject({ method, url, headers: tok ? { authorization: `Bearer ${tok}` } : {}, ...(payload === undefined ? {} : { payload: payload as Json }) });
      return { status: res.statusCode, body: res.json() as Json, raw: res.body };
    },
    async close() {
      await app.close();
      await database.cleanup();
    },
  };
}

/** A multipart/form-data POST through app.inject, which takes bytes: the form is encoded as fetch would send it. `headers`: more of them (an Idempotency-Key). */
export async function injectForm(app: FastifyInstance, token: string, url: string, form: FormData, headers: Record<string, string> = {}) {
  const encoded = new Request('http://localhost/', { method: 'POST', body: form });
  return app.inject({
    method: 'POST',
    url,
    payload: Buffer.from(await encoded.arrayBuffer()),
    headers: { ...headers, authorization: `Bearer ${token}`, 'content-type': encoded.headers.get('content-type')! },
  });
}
