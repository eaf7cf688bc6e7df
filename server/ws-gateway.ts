/**
 * The /ws endpoint: upgrade checks, the heartbeat, and which handler of the chat
 * service serves each client frame type. What the handshake checks and sends
 * (hello, welcome, resume) is in ws-handshake.ts; one socket's life (its frames
 * in order, its rate limits, its close) is a Connection, in ws-connection.ts.
 *
 * Handlers are attached synchronously at the upgrade, and each connection's
 * frames are handled one after the other in arrival order, so nothing a client
 * sends while its token is being verified is dropped or overtaken.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DashboardFeed } from './dashboard-feed.ts';
import type { Client } from './client.ts';
import type { Config } from './config.ts';
import { DeadlineWheel } from './deadline-wheel.ts';
import type { WsRefusals } from './metrics.ts';
import type { ClientFrameType } from './ws-frames.ts';
import { Budgets } from './ws-budgets.ts';
import { Connection, ping, type Gateway, type Handler } from './ws-connection.ts';
import type { HandshakeDeps } from './ws-handshake.ts';
import { releaseUpgrade } from './ws-upgrade.ts';

/** auth, chat, hub, signedIn and connected: see HandshakeDeps (ws-handshake.ts). */
export interface GatewayDeps extends HandshakeDeps {
  config: Config;
  dashboardFeed: DashboardFeed;
  /** Browser origins allowed to open a socket. */
  originAllowed(origin: string | undefined, request: FastifyRequest): boolean;
  /** The node is shutting down (server/shutdown.ts): new sockets go elsewhere. */
  draining?: () => boolean;
  /** The client left; `last` when it was the person's last socket here. */
  disconnected(client: Client, last: boolean): Promise<void>;
  /** A user asked for a chat reading the page in `lang` (chat.request): their notices follow it. */
  languageChosen?(client: Client, lang: string): void;
  /** Counts refused sockets and frames for /metrics (Metrics.wsRefusals); reason codes only, never who. */
  refusals?: WsRefusals;
  /** Ping period; a socket that has not answered the previous ping is dropped. Default 25 s. */
  heartbeatMs?: number;
}

const HEARTBEAT_MS = 25_000;

const NOT_COUNTED: WsRefusals = { socket: () => {}, frame: () => {} };

export async function wsGateway(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  const { chat } = deps;
  const handlers: Partial<Record<ClientFrameType, Handler>> = {
    'chat.request': (c, f) => {
      if (typeof f.lang === 'string') deps.languageChosen?.(c, f.lang);
      return chat.requestChat(c, f);
    },
    'chat.cancel': (c, f) => chat.cancel(c, f),
    'message.send': (c, f) => chat.send(c, f),
    typing: (c, f) => chat.typing(c, f),
    read: (c, f) => chat.read(c, f),
    'conversation.close': (c, f) => chat.close(c, f),
    'conversation.rate': (c, f) => chat.rate(c, f),
    'advisor.status': (c, f) => chat.statuses.set(c, f),
    'conversation.escalate': (c, f) => chat.escalate(c, f),
    'conversation.transfer': (c, f) => chat.transfer(c, f),
    ping: async () => ({ type: 'pong' }),
    'dashboard.subscribe': (c) => deps.dashboardFeed.subscribe(c),
    'dashboard.unsubscribe': (c) => deps.dashboardFeed.unsubscribe(c),
  };
  const gw: Gateway = {
    deps,
    handlers,
    log: app.log,
    readGap: (conversationId, afterSeq) => chat.messagesAfter(conversationId, afterSeq),
    deadlines: new DeadlineWheel<Connection>(),
    budgets: new Budgets(deps.config.limits),
    refusals: deps.refusals ?? NOT_COUNTED,
  };
  // ws already keeps the set of open sockets: the heartbeat walks it rather than a second one.
  const heartbeat = setInterval(() => ping(app.websocketServer.clients), deps.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    gw.deadlines.close();
  });

  app.get(
    '/ws',
    {
      websocket: true,
      schema: { hide: true } as object,
      preValidation: async (request, reply) => {
        if (!deps.originAllowed(request.headers.origin, request)) {
          gw.refusals.socket('forbidden');
          return reply.code(403).send({ error: { code: 'forbidden', message: 'This origin may not open a chat socket' } });
        }
        if (deps.draining?.()) {
          gw.refusals.socket('draining');
          return reply.code(503).header('retry-after', '1').send({ error: { code: 'draining', message: 'This node is shutting down: connect again' } });
        }
      },
    },
    (socket, request) => {
      releaseUpgrade(socket, request);
      new Connection(socket, request.id, gw).start();
    },
  );
}
