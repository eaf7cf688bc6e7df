/**
 * The /ws endpoint: upgrade checks, the hello handshake, and the dispatch of
 * client frames to the chat service.
 *
 * Handlers are attached synchronously at the upgrade, and each connection's
 * frames are handled one after the other in arrival order, so nothing a client
 * sends while its token is being verified is dropped or overtaken.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Authenticator, Identity } from './auth.ts';
import type { ChatService } from './chat-service.ts';
import type { DashboardFeed } from './dashboard-feed.ts';
import { Client } from './client.ts';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import type { Hub } from './hub.ts';
import { CLOSE } from './ws-close-codes.ts';
import { parseClientFrame, type ClientFrame, type ClientFrameType, type ParseResult } from './ws-frames.ts';
import { planResume, replay, type ResumeRequest } from './ws-resume.ts';

export interface GatewayDeps {
  config: Config;
  auth: Authenticator;
  chat: ChatService;
  hub: Hub;
  dashboardFeed: DashboardFeed;
  /** Browser origins allowed to open a socket. */
  originAllowed(origin: string | undefined, request: FastifyRequest): boolean;
  /** The client joined this node's hub; `first` when the person had no other socket here. */
  connected(client: Client, first: boolean): Promise<void>;
  /** The client left; `last` when it was the person's last socket here. */
  disconnected(client: Client, last: boolean): Promise<void>;
}

const MAX_PENDING_FRAMES = 64;
/** Messages of one connection committing at once; beyond, rate_limited (nothing stored). */
const MAX_COMMITTING = 64;
const MAX_BUFFERED_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 25_000;

type Handler = (client: Client, frame: ClientFrame) => Promise<object | null>;

export async function wsGateway(app: FastifyInstance, deps: GatewayDeps): Promise<void> {
  const { chat } = deps;
  const handlers: Partial<Record<ClientFrameType, Handler>> = {
    'chat.request': (c, f) => chat.requestChat(c, f),
    'chat.cancel': (c) => chat.cancel(c),
    'message.send': (c, f) => chat.send(c, f),
    typing: (c, f) => chat.typing(c, f),
    read: (c, f) => chat.read(c, f),
    'conversation.close': (c, f) => chat.close(c, f),
    'advisor.status': (c, f) => chat.advisorStatus(c, f),
    'conversation.escalate': (c, f) => chat.escalate(c, f),
    'conversation.transfer': (c, f) => chat.transfer(c, f),
    ping: async () => ({ type: 'pong' }),
    'dashboard.subscribe': (c) => deps.dashboardFeed.subscribe(c),
    'dashboard.unsubscribe': (c) => deps.dashboardFeed.unsubscribe(c),
  };
  const alive = new WeakMap<WebSocket, boolean>();
  const sockets = new Set<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const socket of sockets) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  app.get(
    '/ws',
    {
      websocket: true,
      schema: { hide: true } as object,
      preValidation: async (request, reply) => {
        if (!deps.originAllowed(request.headers.origin, request)) {
          return reply.code(403).send({ error: { code: 'forbidden', message: 'This origin may not open a chat socket' } });
        }
      },
    },
    (socket, request) => {
      sockets.add(socket);
      alive.set(socket, true);
      socket.on('pong', () => alive.set(socket, true));
      new Connection(socket, request.log, deps, handlers).start(() => sockets.delete(socket));
    },
  );
}

class Connection {
  private client: Client | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Messages handed to the store and not yet committed. */
  private committing = 0;
  private helloTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    private readonly socket: WebSocket,
    /** The request's logger only: holding the upgrade request itself would keep it alive per socket. */
    private readonly log: FastifyBaseLogger,
    private readonly deps: GatewayDeps,
    private readonly handlers: Partial<Record<ClientFrameType, Handler>>,
  ) {
    this.tokens = deps.config.limits.messageBurst;
  }

  start(onGone: () => void): void {
    this.helloTimer = setTimeout(() => this.socket.close(CLOSE.unauthorized, 'hello_timeout'), this.deps.config.limits.helloTimeoutMs);
    this.socket.on('message', (data, isBinary) => this.onFrame(isBinary ? null : data.toString()));
    this.socket.on('close', () => {
      onGone();
      this.clearTimers();
      void this.chain.then(() => this.onClose()).catch((err) => this.log.warn({ err }, 'disconnect handling failed'));
    });
    this.socket.on('error', (err) => this.log.warn({ err }, 'socket error'));
  }

  private onFrame(raw: string | null): void {
    if (this.pending >= MAX_PENDING_FRAMES) {
      this.sendError('rate_limited', 'too many frames in flight');
      return;
    }
    this.pending++;
    this.chain = this.chain
      .then(() => this.handle(raw))
      .catch((err) => this.log.error({ err }, 'frame handling failed'))
      .finally(() => {
        this.pending--;
      });
  }

  private async handle(raw: string | null): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const parsed: ParseResult = raw === null ? { ok: false, code: 'not_json', detail: 'binary frames are not accepted' } : parseClientFrame(raw);
    if (!this.client) return this.handshake(parsed);
    if (!parsed.ok) return this.sendError(parsed.code, parsed.detail, parsed.re);
    const frame = parsed.frame;
    const handler = this.handlers[frame.type];
    if (!handler) {
      const code = frame.type === 'hello' ? 'bad_request' : 'unknown_type';
      return this.sendError(code, frame.type === 'hello' ? 'already signed in' : frame.type, frame.id);
    }
    if (frame.type === 'message.send') return this.pipelineSend(this.client, frame);
    try {
      const reply = await handler(this.client, frame);
      // Plain `ok` answers go only to frames that asked with an `id`; anything else always goes out.
      if (reply && frame.id !== undefined) this.client.send({ ...reply, re: frame.id });
      else if (reply && (reply as { type?: string }).type !== 'ok') this.client.send(reply);
    } catch (err) {
      this.replyError(err, frame);
    }
  }

  /**
   * message.send is handed to the store in order, inside the frame chain, but its commit
   * is awaited outside it: the next frames go on while the group commit works.
   */
  private async pipelineSend(client: Client, frame: ClientFrame): Promise<void> {
    if (!this.takeToken() || this.committing >= MAX_COMMITTING) return this.sendError('rate_limited', undefined, frame.id);
    let stored: Promise<object>;
    try {
      ({ stored } = await this.deps.chat.submit(client, frame));
    } catch (err) {
      return this.replyError(err, frame);
    }
    this.committing++;
    stored
      .then((ack) => client.send(frame.id !== undefined ? { ...ack, re: frame.id } : ack))
      .catch((err) => this.replyError(err, frame))
      .finally(() => this.committing--);
  }

  private replyError(err: unknown, frame: ClientFrame): void {
    if (err instanceof AppError) {
      const extra = (err as AppError & { extra?: object }).extra ?? {};
      return this.sendError(err.code, err.message, frame.id, extra);
    }
    this.log.error({ err, type: frame.type }, 'handler failed');
    this.sendError('internal', undefined, frame.id);
  }

  private async handshake(parsed: ParseResult): Promise<void> {
    if (!parsed.ok || parsed.frame.type !== 'hello') {
      this.socket.close(CLOSE.unauthorized, 'hello_required');
      return;
    }
    let identity: Identity;
    try {
      identity = await this.deps.auth.verify(parsed.frame.token as string);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'token_invalid';
      this.socket.close(CLOSE.unauthorized, code);
      return;
    }
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.socket.readyState !== this.socket.OPEN) return;
    const { chat } = this.deps;
    const client = new Client(randomUUID(), identity, this.socket, (id, after) => chat.messagesAfter(id, after), MAX_BUFFERED_BYTES);
    try {
      await this.join(client, identity, parsed.frame);
    } catch (err) {
      // Signed in, but the database or the routing state does not answer: say so with a
      // code that tells the client to come back, rather than leaving it without a welcome.
      this.log.warn({ err }, 'could not complete the sign-in');
      this.deps.hub.remove(client);
      this.client = null;
      this.socket.close(CLOSE.internal, 'unavailable');
    }
  }

  private async join(client: Client, identity: Identity, frame: ClientFrame): Promise<void> {
    const { chat, hub } = this.deps;
    this.client = client;
    this.armExpiry(identity.exp);
    const advisor = identity.role === 'advisor' ? await chat.advisorConnected(client) : undefined;
    const welcome = await chat.welcomeFor(client, advisor);
    // Cursors are set before the client joins the hub, so live messages queue behind the replay.
    for (const c of welcome.conversations) client.follow(c.conversationId, c.lastSeq);
    const plan = await planResume(client, (frame.resume as ResumeRequest[] | undefined) ?? [], chat);
    const first = !hub.isOnline(client.userId);
    hub.add(client);
    client.send({
      type: 'welcome',
      role: identity.role,
      sessionId: client.sessionId,
      user: { id: identity.sub, name: identity.name, province: identity.province },
      ...welcome,
      ...(frame.id !== undefined ? { re: frame.id } : {}),
    });
    await this.deps.connected(client, first);
    await replay(client, plan);
  }

  private armExpiry(exp: number): void {
    const ms = Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => this.client?.close(CLOSE.unauthorized, 'token_expired'), Math.max(0, ms));
  }

  private takeToken(): boolean {
    const { messagesPerSecond, messageBurst } = this.deps.config.limits;
    const now = Date.now();
    this.tokens = Math.min(messageBurst, this.tokens + ((now - this.refilledAt) / 1000) * messagesPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private sendError(code: string, message?: string, re?: string | number, extra: object = {}): void {
    const frame = { type: 'error', code, message: message ?? code, ...(re !== undefined ? { re } : {}), ...extra };
    if (this.client) this.client.send(frame);
    else if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private clearTimers(): void {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
  }

  private async onClose(): Promise<void> {
    const client = this.client;
    if (!client) return;
    client.closed = true;
    const last = this.deps.hub.remove(client);
    await this.deps.disconnected(client, last);
  }
}
