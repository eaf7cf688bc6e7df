/**
 * The HTTP and WebSocket application, built from ready services. Tests build it
 * with their own services; server/main.ts builds it with the real ones.
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { decodeJwt } from 'jose';
import { isUserRole } from '../routing/types.ts';
import type { Identity } from './auth.ts';
import type { Services } from './services.ts';
import { availabilityRoutes, AvailabilityNow } from './http-availability.ts';
import { availabilityFastPath, type FastPath } from './http-fast-path.ts';
import { accessLogRoutes } from './http-access-log.ts';
import { announcementRoutes } from './http-announcements.ts';
import { cannedResponsesRoute } from './http-canned-responses.ts';
import { tipsRoute } from './http-tips.ts';
import { chatHistoryRoutes } from './http-chat-history.ts';
import { conversationRoutes } from './http-conversations.ts';
import { installValidation } from './http-validation.ts';
import { frameworkError, installErrorHandling } from './http-errors.ts';
import { clientErrorHandler } from './http-client-errors.ts';
import { installInputTextChecks } from './http-input.ts';
import { healthRoutes } from './http-health.ts';
import { pageRoutes } from './http-pages.ts';
import { signInMethod, signInRoutes } from './http-sign-in.ts';
import { ticketHttpRoutes } from './http-attachments.ts';
import { mailboxRoutes } from './http-mailbox.ts';
import { contactFromClaims, pageLang } from './notices.ts';
import { metricsRoute } from './http-metrics.ts';
import { dashboardRoutes } from './http-dashboard.ts';
import { devTokenRoute } from './dev-token-route.ts';
import { lazyChildLogger } from './lazy-request-logger.ts';
import { wsGateway } from './ws-gateway.ts';

declare module 'fastify' {
  interface FastifyInstance {
    availabilityFastPath: FastPath | null;
  }
}

/** How long node gives slow clients (docs/security.md, "upgrade DoS"). */
export interface HttpTimeouts {
  /** A request's headers must be in within this (slow headers: 408 and closed). */
  headersMs: number;
  /** A whole request, body included. */
  requestMs: number;
  /** A connection that has not sent a request within this is closed. */
  silentMs: number;
  /** How often node looks for requests past those limits. */
  checkEveryMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 20_000, requestMs: 30_000, silentMs: 60_000, checkEveryMs: 5_000 };
/** Fastify's default, kept: longer than the usual load balancer's idle timeout. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export interface BuildOptions {
  /** Told of every route as it is added, with its schema (test/http-fuzz.test.ts fuzzes them all from it). */
  onRoute?: (route: RouteOptions) => void;
  /** Shorter limits for slow clients (tests); default HTTP_TIMEOUTS. */
  httpTimeouts?: HttpTimeouts;
}

export async function buildApp(services: Services, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { config } = services;
  const availabilityNow = new AvailabilityNow({ schedule: services.schedule, now: () => services.clock.now() });
  let fastPath: FastPath | null = null;
  const timeouts = options.httpTimeouts ?? HTTP_TIMEOUTS;
  const app = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    // Our own node:http server, so that the availability fast path (http-fast-path.ts)
    // sits in front of fastify. Slow clients are cut by node's own checks: a started
    // request's headers within 20 s and the whole of it within 30 s (checked every 5 s),
    // an idle keep-alive connection after 72 s; a connection that
    // never sends a byte, by a timer that node replaces with its keep-alive one after
    // the first answer. Not a socket inactivity timer for the connection's whole life
    // (fastify's connectionTimeout): re-armed on every read and write, it cost ~4 % of
    // a hot route's throughput and covered nothing those do not.
    serverFactory: (handler) => {
      fastPath = availabilityFastPath(availabilityNow, handler, config.logLevel !== 'debug');
      const server = createServer(
        { headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: timeouts.checkEveryMs },
        fastPath.listener,
      );
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      server.on('connection', (socket: Socket) => socket.setTimeout(timeouts.silentMs));
      return server;
    },
    requestTimeout: timeouts.requestMs,
    // Per-request lines only when debugging: at 'info' they would dwarf everything else.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
    // Each request's child logger is made only if the request logs something.
    childLoggerFactory: lazyChildLogger,
    frameworkErrors: frameworkError,
    // What node's parser refuses (malformed, headers too large, too slow) in the registry's shape too.
    clientErrorHandler: clientErrorHandler(services.logger as FastifyBaseLogger),
  });
  // Bodies checked as written, the text parts of a request coerced (http-validation.ts).
  installValidation(app);
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  app.decorate('availabilityFastPath', fastPath);
  installErrorHandling(app);
  installInputTextChecks(app);
  await app.register(fastifyWebsocket, {
    options: { maxPayload: config.limits.maxFrameBytes, perMessageDeflate: false },
  });
  const signIn = signInMethod(config.pageSignIn, config.authDev);
  await pageRoutes(app, { frameAncestors: config.allowedOrigins ?? [], connectSources: signIn.method === 'oidc' ? [new URL(signIn.tokenUrl).origin] : [] });
  await app.register(signInRoutes, { method: signIn });
  await app.register(healthRoutes, { probes: services.probes, draining: () => services.lifecycle.draining });
  await app.register(availabilityRoutes, { schedule: services.schedule, now: () => services.clock.now(), current: availabilityNow });
  await app.register(conversationRoutes, {
    auth: services.auth, store: services.store, access: services.access, chat: services.chat, tickets: services.tickets, officeName: services.dashboard.officeName,
  });
  await app.register(chatHistoryRoutes, {
    auth: services.auth, store: services.store, access: services.access, db: services.db.db, clock: services.clock, officeName: services.dashboard.officeName,
  });
  await app.register(ticketHttpRoutes, { auth: services.auth, tickets: services.tickets, access: services.access, attachments: services.attachments, contacts: services.contacts, officeName: services.dashboard.officeName });
  await app.register(accessLogRoutes, { auth: services.auth, access: services.access, timeZone: services.tickets.timeZone, officeName: services.dashboard.officeName });
  await app.register(cannedResponsesRoute, { auth: services.auth, responses: services.config.cannedResponses, officeResponses: services.config.officeResponses });
  await app.register(tipsRoute, { responses: services.config.cannedResponses });
  await app.register(announcementRoutes, { auth: services.auth, announcements: services.announcements });
  await app.register(metricsRoute, { metrics: services.metrics, token: config.metricsToken });
  await app.register(dashboardRoutes, { auth: services.auth, dashboard: services.dashboard });
  if (services.dev) await app.register(devTokenRoute, { dev: services.dev });
  if (services.dev) await app.register(mailboxRoutes, { mailbox: services.mailbox });
  await app.register(wsGateway, {
    config,
    auth: services.auth,
    chat: services.chat,
    hub: services.hub,
    dashboardFeed: services.dashboardFeed,
    originAllowed: (origin, request) => originAllowed(origin, request.headers.host, config.allowedOrigins),
    draining: () => services.lifecycle.draining,
    refusals: services.metrics.wsRefusals,
    signedIn: (identity, token) => rememberContact(services, identity, token),
    languageChosen: (client, lang) => rememberLanguage(services, client.identity, lang),
    connected: (client, first) => services.sessions.connected(client, first),
    disconnected: (client, last) => services.sessions.disconnected(client, last),
  });
  // Graces of advisors whose seats a restarted node restored count from when they can come back.
  app.addHook('onListen', async () => services.sessions.serving());
  app.addHook('onClose', async () => services.close());
  return app;
}

/**
 * Browsers always send Origin on a WebSocket upgrade; other clients may not.
 * This server's own pages (the chat app, also when framed by a host page) may
 * always open a socket; other origins only when allow-listed.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[] | null): boolean {
  if (origin === undefined) return true;
  if (allowed?.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The language a user reads the chat in, from their chat.request: a chat escalated to
 * a Linea INPS request is announced in it (German in South Tyrol). Not awaited.
 */
function rememberLanguage(services: Services, identity: Identity, raw: string): void {
  const lang = pageLang(raw);
  if (!lang || !isUserRole(identity.role)) return;
  services.contacts.rememberOnce(identity.sub, { email: null, phone: null, lang }).catch((err: unknown) => services.logger.warn({ err }, 'language of the chat not recorded'));
}

/**
 * A user's contact from the token of their chat sign-in, like from a ticket's: a chat the
 * advisor escalates becomes a ticket whose notices go there. Off the sign-in's path
 * (not awaited); a failure is logged and the next sign-in tries again.
 */
function rememberContact(services: Services, identity: Identity, token: string): void {
  if (!isUserRole(identity.role)) return;
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return; // verified a moment ago: cannot happen
  }
  services.contacts.rememberOnce(identity.sub, contactFromClaims(claims)).catch((err: unknown) => services.logger.warn({ err }, 'contact from the sign-in not recorded'));
}
