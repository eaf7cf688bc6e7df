/**
 * One /ws socket from its upgrade to its close: the hello within its deadline, the
 * frames handled one after the other in arrival order, message.send pipelined into
 * the group commit, the person's shared rate limits, errors and the goodbye.
 *
 * Apart from ws-gateway.ts, which registers the route, the heartbeat and which
 * handler serves which frame type: that file says what the endpoint does, this
 * one how a single connection keeps its order and limits while doing it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { Submitted } from './chat-service.ts';
import { Client, type GapReader } from './client.ts';
import type { DeadlineWheel, Expiring } from './deadline-wheel.ts';
import { AppError } from './errors.ts';
import type { FrameLimit, WsRefusals } from './metrics.ts';
import { CLOSE } from './ws-close-codes.ts';
import { parseClientFrame, type ClientFrame, type ClientFrameType, type ParseResult } from './ws-frames.ts';
import type { Budget, Budgets } from './ws-budgets.ts';
import { verifyHello, welcomeClient } from './ws-handshake.ts';
import type { GatewayDeps } from './ws-gateway.ts';

const MAX_PENDING_FRAMES = 64;
/** Messages of one connection committing at once; beyond, rate_limited (nothing stored). */
const MAX_COMMITTING = 64;
const MAX_BUFFERED_BYTES = 1024 * 1024;
const DONE: Promise<void> = Promise.resolve();

export type Handler = (client: Client, frame: ClientFrame) => Promise<object | null>;

/** What every connection shares: one object, so a connection holds one reference to all of it. */
export interface Gateway {
  deps: GatewayDeps;
  handlers: Partial<Record<ClientFrameType, Handler>>;
  /** The server's logger; a connection binds its request id only when it logs. */
  log: FastifyBaseLogger;
  readGap: GapReader;
  /** Hello timeouts and token expiries of every socket: one timer, not two per socket. */
  deadlines: DeadlineWheel<Connection>;
  /** Each person's sockets here and their shared rate limits. */
  budgets: Budgets;
  refusals: WsRefusals;
}

/** The socket's connection, so that one listener function serves every socket (no closures per socket). */
const kConnection = Symbol('connection');
type GatewaySocket = WebSocket & { [kConnection]?: Connection };

/** Drops the sockets that did not answer the last ping, and pings the others. */
export function ping(sockets: Set<WebSocket>): void {
  for (const socket of sockets as Set<GatewaySocket>) {
    const conn = socket[kConnection];
    if (!conn) continue;
    if (!conn.alive) {
      socket.terminate();
      continue;
    }
    conn.alive = false;
    socket.ping();
  }
}

function onMessage(this: GatewaySocket, data: RawData, isBinary: boolean): void {
  const conn = this[kConnection]!;
  try {
    conn.onFrame(isBinary ? null : data.toString());
  } catch (err) {
    // A throw here is outside any promise: uncaught, it would end the process, every socket with it.
    conn.failed(err);
  }
}

function onPong(this: GatewaySocket): void {
  this[kConnection]!.alive = true;
}

function onClose(this: GatewaySocket): void {
  this[kConnection]!.onClosed();
}

function onError(this: GatewaySocket, err: Error): void {
  this[kConnection]!.onError(err);
}

export class Connection implements Expiring {
  deadlineSlot = 0;
  /** Answered the last heartbeat ping. */
  alive = true;
  private client: Client | null = null;
  /** The frames being handled, one after the other; null when none is. */
  private chain: Promise<void> | null = null;
  private pending = 0;
  /** Messages handed to the store and not yet committed. */
  private committing = 0;
  /**
   * The rate limits this socket shares with the person's other sockets here, from the hello
   * on (server/ws-budgets.ts). No bucket of its own: per socket, a person multiplied their
   * budget by opening sockets. Frames other than message.send count too: a typing or read
   * frame is relayed to the other side (and a read written to the database); unbounded, one
   * socket sent thousands a second into an advisor's console.
   */
  private budget: Budget | null = null;

  constructor(
    private readonly socket: GatewaySocket,
    /** fastify's request id: the upgrade request itself is not kept (see releaseUpgrade in ws-upgrade.ts). */
    private readonly reqId: string,
    private readonly gw: Gateway,
  ) {}

  start(): void {
    const { socket } = this;
    socket[kConnection] = this;
    this.gw.deadlines.schedule(this, Date.now() + this.gw.deps.config.limits.helloTimeoutMs);
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
    socket.on('error', onError);
  }

  /** A logger that says which request and session it speaks of; made only when something is logged. */
  private get log(): FastifyBaseLogger {
    return this.gw.log.child(this.client ? { reqId: this.reqId, sessionId: this.client.sessionId } : { reqId: this.reqId });
  }

  /** The hello did not come in time, or the token expired. */
  expire(): void {
    if (this.client) this.client.close(CLOSE.unauthorized, 'token_expired');
    else this.refuse(CLOSE.unauthorized, 'hello_timeout');
  }

  /** A frame could not even be taken in (a bug): this socket is closed, the others go on. */
  failed(err: unknown): void {
    this.log.error({ err }, 'frame not handled');
    this.socket.close(CLOSE.internal, 'internal');
  }

  onError(err: Error): void {
    this.log.warn({ err }, 'socket error');
    this.socket.terminate();
  }

  onClosed(): void {
    this.gw.deadlines.cancel(this);
    void (this.chain ?? DONE).then(() => this.onClose()).catch((err) => this.log.warn({ err }, 'disconnect handling failed'));
  }

  onFrame(raw: string | null): void {
    if (this.pending >= MAX_PENDING_FRAMES) {
      this.gw.refusals.frame('in_flight');
      this.sendError('rate_limited', 'too many frames in flight');
      return;
    }
    const parsed: ParseResult = raw === null ? { ok: false, code: 'not_json', detail: 'binary frames are not accepted' } : parseClientFrame(raw);
    // Nothing ahead of it (nearly always, under load): a message.send is handed over now, not a turn of the chain later.
    if (this.pending === 0 && this.client && parsed.ok && parsed.frame.type === 'message.send' && this.socket.readyState === this.socket.OPEN) {
      const later = this.pipelineSend(this.client, parsed.frame);
      if (later) this.enqueue(() => later);
      return;
    }
    this.enqueue(() => this.handle(parsed));
  }

  /** Frames are handled one after the other, in arrival order. */
  private enqueue(step: () => Promise<void>): void {
    this.pending++;
    const done = () => {
      // An idle connection keeps no settled promise.
      if (--this.pending === 0 && this.chain === chain) this.chain = null;
    };
    const chain: Promise<void> = (this.chain ?? DONE).then(step).then(done, (err) => {
      done();
      this.log.error({ err }, 'frame handling failed');
    });
    this.chain = chain;
  }

  private async handle(parsed: ParseResult): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (!this.client) return this.handshake(parsed);
    if (!parsed.ok) return this.sendError(parsed.code, parsed.detail, parsed.re);
    const frame = parsed.frame;
    const handler = this.gw.handlers[frame.type];
    if (!handler) {
      const code = frame.type === 'hello' ? 'bad_request' : 'unknown_type';
      return this.sendError(code, frame.type === 'hello' ? 'already signed in' : frame.type, frame.id);
    }
    if (frame.type === 'message.send') return this.pipelineSend(this.client, frame);
    if (frame.type !== 'ping' && !this.budget!.takeFrame(Date.now())) return this.rateLimited('frames', frame);
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
   * is awaited outside it: the next frames go on while the group commit works. A promise
   * only when the hand-over itself waits (the conversation is read first).
   */
  private pipelineSend(client: Client, frame: ClientFrame): Promise<void> | undefined {
    if (!this.budget!.takeMessage(Date.now())) return this.rateLimited('messages', frame);
    if (this.committing >= MAX_COMMITTING) return this.rateLimited('in_flight', frame);
    const { chat } = this.gw.deps;
    let now: Submitted | null;
    try {
      now = chat.submitNow(client, frame);
    } catch (err) {
      this.replyError(err, frame);
      return;
    }
    if (now) {
      this.awaitCommit(client, frame, now.stored);
      return;
    }
    return chat.submit(client, frame).then(
      ({ stored }) => this.awaitCommit(client, frame, stored),
      (err) => this.replyError(err, frame),
    );
  }

  private awaitCommit(client: Client, frame: ClientFrame, stored: Promise<object>): void {
    this.committing++;
    stored.then(
      (ack) => {
        this.committing--;
        try {
          client.send(frame.id !== undefined ? { ...ack, re: frame.id } : ack);
        } catch (err) {
          // Never an unhandled rejection: this promise has no other handler.
          this.log.warn({ err }, 'ack not sent');
        }
      },
      (err) => {
        this.committing--;
        this.replyError(err, frame);
      },
    );
  }

  private rateLimited(limit: FrameLimit, frame: ClientFrame): undefined {
    this.gw.refusals.frame(limit);
    this.sendError('rate_limited', undefined, frame.id);
    return undefined;
  }

  /** Closes a socket that is not let in, counted by its reason once (a hello timing out mid-check closed it already). */
  private refuse(code: number, reason: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.gw.refusals.socket(reason);
    this.socket.close(code, reason);
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
    const hello = await verifyHello(this.gw.deps.auth, parsed);
    if (!hello.ok) {
      this.refuse(CLOSE.unauthorized, hello.reason);
      return;
    }
    const { identity, token, frame } = hello;
    this.gw.deadlines.cancel(this);
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.budget = this.gw.budgets.join(identity.sub, identity.role);
    if (!this.budget) {
      // A 40xx code: the client must not come back by itself, it would only be refused again.
      this.log.info({ role: identity.role }, 'socket refused: the person holds too many sockets here');
      this.refuse(CLOSE.tooManySockets, 'too_many_sockets');
      return;
    }
    this.gw.deps.signedIn?.(identity, token);
    const client = new Client(randomUUID(), identity, this.socket, this.gw.readGap, MAX_BUFFERED_BYTES);
    try {
      this.client = client;
      this.gw.deadlines.schedule(this, identity.exp * 1000);
      await welcomeClient(this.gw.deps, client, identity, frame);
    } catch (err) {
      // Signed in, but the database or the routing state does not answer: say so with a
      // code that tells the client to come back, rather than leaving it without a welcome.
      this.log.warn({ err }, 'could not complete the sign-in');
      const last = this.gw.deps.hub.remove(client);
      this.client = null;
      this.refuse(CLOSE.internal, 'unavailable');
      // Past the welcome (the replay failed) they counted as connected, which stopped a waiting user's grace:
      // they leave as any closed socket does, or a page closed now would stay queued until the longest wait.
      if (client.welcomed) await this.gw.deps.disconnected(client, last).catch((e) => this.log.warn({ err: e }, 'disconnect after a failed sign-in'));
    }
  }

  private sendError(code: string, message?: string, re?: string | number, extra: object = {}): void {
    const frame = { type: 'error', code, message: message ?? code, ...(re !== undefined ? { re } : {}), ...extra };
    if (this.client) this.client.send(frame);
    else if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private async onClose(): Promise<void> {
    if (this.budget) this.gw.budgets.leave(this.budget);
    this.budget = null;
    const client = this.client;
    if (!client) return;
    client.closed = true;
    const last = this.gw.deps.hub.remove(client);
    await this.gw.deps.disconnected(client, last);
  }
}
