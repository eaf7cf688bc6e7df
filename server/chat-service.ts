/**
 * What users and advisors do in a chat: ask and cancel (chat-queue.ts), write, read, close,
 * rate, escalate, transfer (advisors' availability: advisor-statuses.ts; what a hello is
 * answered with: chat-welcome.ts). Each method takes the acting client and a validated frame,
 * checks the actor may do it, and throws AppError otherwise; the gateway turns that into
 * an `error` frame. Identity always comes from the verified token, never the frame.
 */
import type { Logger } from 'pino';
import type { Clock } from '../routing/clock.ts';
import { regionOf } from '../routing/provinces.ts';
import type { AdvisorState, RoutingState } from '../routing/routing-state.ts';
import type { ScheduleConfig } from '../routing/schedule.ts';
import { transferTargets, type TransferTarget } from '../routing/transfer.ts';
import type { AdvisorDirectory } from './advisor-directory.ts';
import { AdvisorStatuses } from './advisor-statuses.ts';
import type { Identity } from './auth.ts';
import { ChatQueue } from './chat-queue.ts';
import { rateConversation, rateUntil } from './chat-rating.ts';
import type { ChatStore, ConversationRecord } from './chat-store.ts';
import { ChatWelcome } from './chat-welcome.ts';
import { ConversationCache } from './conversation-cache.ts';
import { queueEntryOf, readersOf } from './conversation-views.ts';
import type { Client } from './client.ts';
import type { Limits } from './config.ts';
import { AppError } from './errors.ts';
import type { Fanout } from './fanout.ts';
import type { Metrics } from './metrics.ts';
import type { QueueDepartures } from './queue-departures.ts';
import type { RouterService } from './router-service.ts';
import type { TicketService } from './ticket-service.ts';

/** The highest seq a conversation can hold (`last_seq` is an `integer` column). */
const MAX_SEQ = 2 ** 31 - 1;

export interface ChatDeps {
  state: RoutingState;
  store: ChatStore;
  fanout: Fanout;
  clock: Clock;
  log: Logger;
  router: RouterService;
  advisors: AdvisorDirectory;
  schedule: ScheduleConfig;
  tickets: TicketService;
  metrics: Metrics;
  /** Records each departure for the dashboard (never awaited: the user's answer does not wait on it). */
  departures: QueueDepartures;
  limits: Limits;
  /** Provinces a supervisor switched to "ticket only" (server/dashboard-service.ts). */
  ticketOnly?: (province: string) => boolean;
  /** A sede's name ("INPS Sede di Milano"), to tell the user where an escalated chat went. */
  officeName?: (sede: string) => string | null;
  advisorGraceMs: number;
}

type Frame = Record<string, unknown>;

/** A message handed to the store: `stored` settles with its ack once committed. */
export interface Submitted {
  stored: Promise<object>;
}

export class ChatService {
  private readonly cache = new ConversationCache();
  /** advisor.status frames, and advisors connecting and leaving (advisor-statuses.ts). */
  readonly statuses: AdvisorStatuses;
  /** chat.request and chat.cancel (chat-queue.ts). */
  private readonly queue: ChatQueue;
  /** What a hello is answered with (chat-welcome.ts). */
  private readonly welcome: ChatWelcome;

  constructor(private readonly deps: ChatDeps) {
    this.statuses = new AdvisorStatuses(deps);
    this.queue = new ChatQueue(deps);
    this.welcome = new ChatWelcome(deps, this.cache);
    // An assignment or hand-over, decided on any node, makes the cached participants stale.
    deps.fanout.onFollow((conversationId) => this.cache.forget(conversationId));
    // …and if such events may have been lost, nothing cached is trusted any more.
    deps.fanout.onMissed(() => this.cache.clear());
  }

  /**
   * The conversation if the client takes part in it; the same error whether absent or not
   * theirs. `recent` accepts a cached copy (the message hot path; conversation-cache.ts says how it stays current).
   */
  async participantConversation(client: Client, conversationId: string, recent = false): Promise<ConversationRecord> {
    const cached = recent ? this.cachedFor(client, conversationId) : null;
    if (cached) return cached;
    const conv = await this.deps.store.getConversation(conversationId);
    if (!conv || !isParticipant(conv, client.userId)) throw new AppError('not_participant');
    this.cache.set(conv);
    return conv;
  }

  /** Reads a stretch of a transcript for gap filling and replay (authorization is the caller's). */
  messagesAfter(conversationId: string, afterSeq: number) {
    return this.deps.store.messagesAfter(conversationId, afterSeq, 500);
  }

  /** A user asks for a chat (chat-queue.ts). */
  requestChat(client: Client, frame: Frame): Promise<object> {
    return this.queue.request(client, frame);
  }

  /** A user leaves the queue (chat-queue.ts). */
  cancel(client: Client, frame: Frame = {}): Promise<object> {
    return this.queue.cancel(client, frame);
  }

  async send(client: Client, frame: Frame): Promise<object> {
    return (await this.submit(client, frame)).stored;
  }

  /**
   * Checks the message and hands it to the store, in the order the client sent it; the
   * returned `stored` settles with the ack once it is committed. The gateway awaits only
   * the hand-over, so one connection can have several messages committing at once (group
   * commit batches them) while their order, and so their seq, stays the sending order.
   */
  async submit(client: Client, frame: Frame): Promise<Submitted> {
    return this.submitNow(client, frame) ?? this.append(client, frame, await this.participantConversation(client, frame.conversationId as string));
  }

  /**
   * The same hand-over at once, when the participants are cached (nearly every message):
   * no promise before the store's. null when the conversation must be read first; throws
   * AppError for a message refused.
   */
  submitNow(client: Client, frame: Frame): Submitted | null {
    this.checkText(frame);
    const conv = this.cachedFor(client, frame.conversationId as string);
    return conv ? this.append(client, frame, conv) : null;
  }

  /** The conversation from this node's short-lived cache, if the client takes part in it. */
  private cachedFor(client: Client, conversationId: string): ConversationRecord | null {
    const conv = this.cache.get(conversationId);
    return conv && isParticipant(conv, client.userId) ? conv : null;
  }

  private checkText(frame: Frame): void {
    const max = this.deps.limits.maxTextLength;
    if ((frame.text as string).length > max) throw new AppError('text_too_long', String(max));
  }

  private append(client: Client, frame: Frame, conv: ConversationRecord): Submitted {
    if (conv.status !== 'open') throw new AppError('conversation_closed');
    const stopTimer = this.deps.metrics.commitSeconds.startTimer();
    const input = { conversationId: conv.id, senderId: client.userId, senderRole: client.identity.role, clientMsgId: frame.clientMsgId as string, text: frame.text as string };
    const stored = this.deps.store.appendMessage(input).then(
      ({ message, duplicate }) => {
        stopTimer();
        this.deps.router.answered(conv.id, client.userId);
        if (!duplicate) this.deps.metrics.messages.inc();
        // Every tab of both participants gets the message, the sender's included: each
        // socket then sees the whole conversation as one gap-free sequence. Waiting in the
        // queue, the user alone: the next advisor is sent the history from its start.
        this.deps.fanout.deliver(readersOf(conv), message);
        return { type: 'message.ack', clientMsgId: message.clientMsgId, conversationId: conv.id, seq: message.seq };
      },
      (err: unknown) => {
        // The store, which reads the locked row, says the sender no longer takes part (the chat was handed over,
        // requeued or released, and this node missed the event): the cached participants were stale.
        if (err instanceof AppError && err.code === 'not_participant') this.cache.forget(conv.id);
        if (err instanceof AppError) throw err;
        this.deps.log.error({ err, conversationId: conv.id }, 'message not stored');
        throw new AppError('store_unavailable');
      },
    );
    return { stored };
  }

  async typing(client: Client, frame: Frame): Promise<null> {
    const conv = await this.participantConversation(client, frame.conversationId as string, true);
    const peer = client.userId === conv.userId ? conv.advisorId : conv.userId;
    if (peer) this.deps.fanout.toUser(peer, { type: 'typing', conversationId: conv.id, from: { id: client.userId, role: client.identity.role }, active: frame.active !== false });
    return null;
  }

  async read(client: Client, frame: Frame): Promise<null> {
    const conv = await this.participantConversation(client, frame.conversationId as string, true);
    const seq = frame.seq as number;
    const byUser = client.userId === conv.userId;
    const peer = byUser ? conv.advisorId : conv.userId;
    if (peer) this.deps.fanout.toUser(peer, { type: 'read', conversationId: conv.id, from: { id: client.userId, role: client.identity.role }, seq });
    // Kept, so that the other side's page still says «Letto» after a reload (welcome `peerReadSeq`).
    // Not awaited: the receipt is on its way already, and this socket's next frames (a reply
    // typed right after reading) must not wait behind an UPDATE that queues on the row lock of
    // the conversation's message batch. Best effort: a store outage loses where they read, never
    // the frame to the peer. A seq beyond what the column can hold is not kept (the store would refuse it).
    if (seq <= MAX_SEQ) {
      void this.deps.store.markRead(conv.id, byUser ? 'user' : 'advisor', seq).catch((err: unknown) => {
        this.deps.log.warn({ err, conversationId: conv.id }, 'read position not stored');
      });
    }
    return null;
  }

  async close(client: Client, frame: Frame): Promise<object> {
    const conv = await this.participantConversation(client, frame.conversationId as string);
    const byUser = client.userId === conv.userId;
    // The user's close is always `closed_by_user`: what came of the chat is the advisor's to say.
    if (byUser && frame.outcome !== undefined) throw new AppError('forbidden', 'the outcome of a chat is the advisor’s to give');
    const outcome = (frame.outcome as string | undefined) ?? (byUser ? 'closed_by_user' : 'resolved');
    const rating = byUser && typeof frame.rating === 'number' ? frame.rating : null;
    const closed = await this.finish(client, conv, outcome, rating, {});
    return { type: 'ok', conversationId: conv.id, outcome: closed.outcome };
  }

  /** The user rates a chat that has ended (chat-rating.ts): after an advisor's close, an escalation, or their own without a rating. */
  rate(client: Client, frame: Frame): Promise<object> {
    return rateConversation(this.deps.store, client.userId, frame.conversationId as string, frame.rating as number, this.deps.clock.now());
  }

  /** Until when `userId` may still rate `conv`, or null (chat-rating.ts). */
  rateUntil(conv: ConversationRecord, userId: string): string | null {
    return rateUntil(conv, userId, this.deps.clock.now());
  }

  /** What a participant is told of a closed conversation: its user also until when they may rate it, if they may. */
  closedNote(conv: ConversationRecord, to: string, base: object): object {
    const until = this.rateUntil(conv, to);
    return until ? { ...base, rateUntil: until } : base;
  }

  /** The advisor hands the chat to the territorial office as a Linea INPS ticket, with its transcript. */
  async escalate(client: Client, frame: Frame): Promise<object> {
    if (client.identity.role !== 'advisor') throw new AppError('forbidden', 'only advisors escalate');
    const conv = await this.participantConversation(client, frame.conversationId as string);
    if (conv.status !== 'open') throw new AppError('conversation_closed');
    const transcript = await this.deps.store.messagesAfter(conv.id, 0);
    const note = frame.note as string | undefined; // for the sede only (an internal note); the summary is what the user reads
    const ticket = await this.deps.tickets.createFromEscalation({ conversation: conv, summary: frame.summary as string, advisor: client.identity, transcript, ...(note === undefined ? {} : { note }) });
    // Both sides are told where the case went: its protocol, the sede and when an answer is due.
    const handedTo = {
      ticketId: ticket.id, protocol: ticket.protocol, sede: ticket.sede, sedeName: this.deps.officeName?.(ticket.sede) ?? null, dueAt: ticket.dueAt?.toISOString() ?? null,
    };
    await this.finish(client, conv, 'escalated', null, handedTo);
    this.deps.metrics.escalations.inc();
    return { type: 'ok', conversationId: conv.id, ...handedTo };
  }

  /**
   * Hands a chat on: to a named advisor who is available with a free seat, or back to
   * the head of the queue for anyone but the one transferring. The user keeps the
   * conversation and its history.
   */
  async transfer(client: Client, frame: Frame): Promise<object> {
    if (client.identity.role !== 'advisor') throw new AppError('forbidden', 'only advisors transfer');
    const conv = await this.participantConversation(client, frame.conversationId as string);
    if (conv.status !== 'open') throw new AppError('conversation_closed');
    const to = frame.to as string | undefined;
    if (to !== undefined) {
      const target = (await this.deps.state.snapshot()).advisors.find((a) => a.id === to);
      if (!target || to === client.userId || target.status !== 'available' || target.conversations.length >= target.capacity) {
        throw new AppError('transfer_target_unavailable', to.slice(0, 64));
      }
    }
    await this.deps.router.requeue(conv, 'transferred', client.userId, to);
    return { type: 'ok', conversationId: conv.id };
  }

  /** The colleagues the advisor of an open chat may hand it to (routing/transfer.ts); anyone else gets not_found. */
  async transferTargets(identity: Identity, conversationId: string): Promise<TransferTarget[]> {
    const conv = await this.deps.store.getConversation(conversationId);
    if (!conv || identity.role !== 'advisor' || conv.advisorId !== identity.sub) throw new AppError('not_found');
    if (conv.status !== 'open') throw new AppError('conversation_closed');
    const { advisors } = await this.deps.state.snapshot();
    return transferTargets(advisors, queueEntryOf(conv), identity.sub, regionOf);
  }

  /** Closes in the database, frees the seat, tells both sides. Idempotent for a closed conversation. */
  private async finish(client: Client, conv: ConversationRecord, outcome: string, rating: number | null, extra: object) {
    const now = this.deps.clock.now();
    const closed = await this.deps.store.closeConversation(conv.id, { outcome, rating, closedBy: client.userId, at: new Date(now) });
    this.cache.forget(conv.id);
    await this.deps.state.release(conv.id, now);
    // Closed while it waited in the queue to be handed over: its user leaves the queue with it (a claim won
    // meanwhile is dropped by the router, which finds the chat closed).
    if (conv.advisorId === null && (await this.deps.state.waitingEntry(conv.userId))?.conversationId === conv.id) await this.deps.state.cancel(conv.userId);
    if (conv.status === 'open') {
      this.deps.metrics.conversationsClosed.inc({ outcome: closed.outcome ?? outcome });
      const handled = Math.max(0, (now - conv.openedAt.getTime()) / 1000);
      this.deps.metrics.handleSeconds.observe(handled);
      this.deps.router.recordHandled(conv.id, handled);
      const note = { type: 'conversation.closed', conversationId: conv.id, outcome: closed.outcome, closedBy: client.userId, ...extra };
      for (const who of readersOf(conv)) this.deps.fanout.toUser(who, this.closedNote(closed, who, note));
    }
    void this.deps.router.dispatch();
    return closed;
  }

  /** The `welcome` frame's content for a freshly connected client, and the open conversations it was made from (chat-welcome.ts). */
  welcomeFor(client: Client, advisor?: AdvisorState) {
    return this.welcome.welcomeFor(client, advisor);
  }
}

function isParticipant(conv: ConversationRecord, userId: string): boolean {
  return conv.userId === userId || conv.advisorId === userId;
}
