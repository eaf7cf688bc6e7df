/**
 * INFO CIG WebSocket client: connection, resume, retry and de-duplication, for
 * the chat app and the advisor console (no DOM; runs in any modern browser).
 *
 *   const client = new ChatClient({ baseUrl: location.origin, getToken: async () => jwt });
 *   client.on('message', (m) => …);
 *   client.connect();
 *
 * Guarantees it keeps:
 * - `message` events are emitted once per (conversation, seq), whatever the
 *   server or the network repeats; `lastSeq` per conversation is sent back on
 *   every reconnect (`hello.resume`) so nothing is missed (chat-cursors.js).
 * - `sendMessage` frames stay pending until acknowledged (or echoed) and are
 *   re-sent with the same clientMsgId after a reconnect: the server stores them
 *   once (chat-outbox.js).
 * - Closes 4000–4499 mean "not with this token": one retry with a fresh token
 *   from getToken(); if that is refused too, status becomes `closed`.
 *   Any other close: reconnect with exponential backoff and full jitter
 *   (chat-connection.js, the socket this class extends).
 *
 * This file is what the chat protocol does with each frame, the HTTP reads and
 * the methods pages call; importers need only `ChatClient` from here.
 *
 * Events: status (connecting|open|reconnecting|closed), retry (a reconnect scheduled: { failures, lost },
 * see lost() in chat-connection.js), welcome, message,
 * pending, ack, failed, queue, assigned, closed, typing, read (live, or
 * `restored: true` from the welcome's `peerReadSeq`), advisor, error, reset, history.
 */
import { ChatConnection } from './chat-connection.js';
import { Cursors } from './chat-cursors.js';
import { Outbox } from './chat-outbox.js';

export { shouldReconnect } from './chat-connection.js';
export { newId } from './chat-outbox.js';

export class ChatClient extends ChatConnection {
  /**
   * @param {object} o
   * @param {string} [o.baseUrl] http(s) origin (and path prefix) of INFO CIG; default: this page's origin
   * @param {() => Promise<string>} o.getToken
   */
  constructor(o) {
    super(o);
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
    this.role = null;
    this.user = null;
    this.sessionId = null;
    this.waiting = null;
    this.convs = new Cursors();
    this.outbox = new Outbox((type, detail) => this.emit(type, detail));
  }

  // ---- the socket's hooks -------------------------------------------------

  hello(token) {
    const resume = this.convs.resume();
    return { type: 'hello', token, ...(resume.length ? { resume } : {}) };
  }

  detach() {
    this.outbox.cancelRetry();
    super.detach();
  }

  /**
   * A frame over the server's size limit (close 1009): give up the messages over
   * the limit the welcome gave, in UTF-8 bytes as the server counts. When none is
   * over it (no limit known, or it changed), give up the largest waiting message:
   * every 1009 then drops one, and a resend can never close the socket forever.
   */
  onTooBig() {
    const bytes = (p) => new TextEncoder().encode(JSON.stringify(p)).length;
    const max = this.limits?.maxFrameBytes;
    const frames = this.outbox.waiting();
    const over = max ? frames.filter((p) => bytes(p) > max) : [];
    const drop = over.length ? over : frames.length ? [frames.reduce((a, b) => (bytes(b) > bytes(a) ? b : a))] : [];
    this.outbox.giveUp((p) => drop.includes(p), 'too_big');
  }

  // ---- incoming ---------------------------------------------------------

  dispatch(f) {
    switch (f.type) {
      case 'welcome':
        return this.onWelcome(f);
      case 'message':
        return this.onMessage(f, false);
      case 'message.ack':
        if (this.outbox.settle(f.clientMsgId)) this.emit('ack', f);
        return;
      case 'queue.joined':
      case 'queue.position':
        this.waiting = { ...(this.waiting ?? {}), ...f };
        return this.emit('queue', { ...f, kind: f.type === 'queue.joined' ? 'joined' : 'position' });
      case 'queue.left':
        this.waiting = null;
        return this.emit('queue', { ...f, kind: 'left' });
      case 'conversation.assigned': {
        this.waiting = null;
        const c = this.convs.ensure(f.conversationId, 0);
        c.info = { ...c.info, ...f, status: 'open' };
        c.closed = false;
        return this.emit('assigned', f);
      }
      case 'conversation.closed':
        return this.markClosed(f.conversationId, f);
      case 'typing':
      case 'read':
        return this.emit(f.type, f);
      case 'advisor.status':
        return this.emit('advisor', f);
      case 'ticket.updated':
        return this.emit('ticket', f);
      case 'reset':
        return void this.onReset(f);
      case 'error':
        return this.onError(f);
      case 'pong':
        return;
      default:
        return this.emit('frame', f);
    }
  }

  onWelcome(f) {
    const first = this.accepted();
    this.role = f.role;
    this.user = f.user;
    this.sessionId = f.sessionId;
    this.limits = f.limits ?? null;
    this.waiting = f.waiting ?? null;
    const history = [];
    for (const c of f.conversations ?? []) {
      const known = this.convs.get(c.conversationId);
      if (known) {
        known.info = { ...known.info, ...c };
        continue;
      }
      // New to this client: the server follows it from its lastSeq; earlier messages come over HTTP.
      const conv = this.convs.ensure(c.conversationId, c.lastSeq);
      conv.info = c;
      if (c.lastSeq > 0) history.push(c.conversationId);
    }
    this.setStatus('open');
    this.emit('welcome', { ...f, reconnected: !first });
    // Where the other side had read, kept by the server: after a reload (or a read said while this
    // socket was away) the page's own messages up to it say «Letto» again, as the live frame made them.
    for (const c of f.conversations ?? []) {
      if (c.peerReadSeq > 0) this.emit('read', { type: 'read', conversationId: c.conversationId, from: c.peer ?? null, seq: c.peerReadSeq, restored: true });
    }
    this.flushPending();
    for (const id of history) void this.loadHistory(id).catch(() => {});
  }

  onMessage(m, history) {
    if (!this.convs.accept(m.conversationId, m.seq)) return;
    const mine = !!this.user && m.from?.id === this.user.id;
    if (mine && this.outbox.settle(m.clientMsgId)) this.emit('ack', { clientMsgId: m.clientMsgId, conversationId: m.conversationId, seq: m.seq });
    this.emit('message', { ...m, type: 'message', mine, history });
  }

  markClosed(id, f) {
    const c = this.convs.ensure(id, 0);
    if (c.closed) return;
    c.closed = true;
    c.info = { ...c.info, status: 'closed', outcome: f.outcome };
    this.outbox.giveUp((p) => p.conversationId === id, 'conversation_closed');
    this.emit('closed', f);
  }

  onError(f) {
    this.outbox.refused(f, () => this.flushPending());
    this.emit('error', f);
  }

  async onReset(f) {
    if (f.reason === 'unknown_conversation') {
      this.convs.delete(f.conversationId);
      this.emit('reset', { ...f, conversation: null });
      return;
    }
    this.convs.rewind(f.conversationId, f.lastSeq);
    this.emit('reset', { ...f, conversation: null });
    await this.loadHistory(f.conversationId).catch((err) => this.emit('error', { code: 'history_failed', message: String(err?.message ?? err), conversationId: f.conversationId }));
  }

  // ---- HTTP -------------------------------------------------------------

  async api(path) {
    const res = await this.fetch(new URL(path.replace(/^\//, ''), this.httpBase), {
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? `HTTP ${res.status}`), { code: body?.error?.code, status: res.status });
    return body;
  }

  /** Reads a conversation and its transcript over HTTP; emits unseen messages and `history`. */
  async loadHistory(id) {
    const conv = await this.api(`api/v1/conversations/${encodeURIComponent(id)}`);
    for (const m of conv.messages ?? []) this.onMessage({ ...m, conversationId: id }, true);
    this.emit('history', { conversationId: id, conversation: conv });
    if (conv.status === 'closed') this.markClosed(id, { type: 'conversation.closed', conversationId: id, outcome: conv.outcome, ...(conv.rateUntil ? { rateUntil: conv.rateUntil } : {}) });
    return conv;
  }

  async availability(province, audience) {
    const q = new URLSearchParams({ province, ...(audience ? { audience } : {}) });
    return this.api(`api/v1/availability?${q}`);
  }

  // ---- outgoing ---------------------------------------------------------

  requestChat({ topic, province, entry, lang, context }) {
    const f = { topic };
    if (province) f.province = province;
    if (entry) f.entry = entry;
    if (lang) f.lang = lang;
    if (context && Object.keys(context).length) f.context = context;
    return this.request('chat.request', f);
  }

  /** reason: `self_served` when the user found the answer while waiting. */
  cancelChat(reason) {
    return this.request('chat.cancel', reason ? { reason } : {});
  }

  /** Queues a message; it is sent now if connected, or after the next welcome. Returns its clientMsgId. */
  sendMessage(conversationId, text) {
    const frame = this.outbox.add(conversationId, text);
    const { clientMsgId } = frame;
    this.emit('pending', { conversationId, clientMsgId, text, at: new Date().toISOString() });
    if (this.status === 'open') this.rawSend(frame);
    return clientMsgId;
  }

  flushPending() {
    if (this.status !== 'open') return;
    for (const frame of this.outbox.frames.values()) this.rawSend(frame);
  }

  typing(conversationId, active) {
    return this.rawSend({ type: 'typing', conversationId, active });
  }

  read(conversationId, seq) {
    return this.rawSend({ type: 'read', conversationId, seq });
  }

  closeConversation(conversationId, { outcome, rating } = {}) {
    const f = { conversationId };
    if (outcome) f.outcome = outcome;
    if (rating) f.rating = rating;
    return this.request('conversation.close', f);
  }

  /** The user's rating (1–5) of a conversation that has ended; once, within the server's window. */
  rateConversation(conversationId, rating) {
    return this.request('conversation.rate', { conversationId, rating });
  }

    setAdvisorStatus(status) {
    return this.request('advisor.status', { status });
  }

  conversation(id) {
    return this.convs.get(id)?.info ?? null;
  }

  lastSeq(id) {
    return this.convs.get(id)?.lastSeq ?? 0;
  }
}
