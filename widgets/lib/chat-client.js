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
 *   every reconnect (`hello.resume`) so nothing is missed.
 * - `sendMessage` frames stay pending until acknowledged (or echoed) and are
 *   re-sent with the same clientMsgId after a reconnect: the server stores them once.
 * - Closes 4000–4499 mean "not with this token": one retry with a fresh token
 *   from getToken(); if that is refused too, status becomes `closed`.
 *   Any other close: reconnect with exponential backoff and full jitter.
 *
 * Events: status (connecting|open|reconnecting|closed), welcome, message,
 * pending, ack, failed, queue, assigned, closed, typing, read, advisor, error,
 * reset, history.
 */

const DEFAULTS = {
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  /** Send an application ping after this long without any frame. */
  pingAfterMs: 20_000,
  /** Declare the socket dead when nothing arrives this long after a ping. */
  pongTimeoutMs: 10_000,
  /** How long a request waits for its reply frame. */
  requestTimeoutMs: 15_000,
  /** How long a new socket may take to reach `welcome` before it is given up. */
  connectTimeoutMs: 12_000,
};

/** Codes for which a pending message.send is tried again later rather than given up. */
const RETRYABLE = new Set(['rate_limited', 'store_unavailable', 'internal']);

export function newId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function shouldReconnect(code) {
  return !(code >= 4000 && code < 4500) && code !== 1009;
}

export class ChatClient {
  /**
   * @param {object} o
   * @param {string} [o.baseUrl] http(s) origin (and path prefix) of INFO CIG; default: this page's origin
   * @param {() => Promise<string>} o.getToken
   */
  constructor(o) {
    this.opts = { ...DEFAULTS, ...o };
    const base = new URL(o.baseUrl ?? globalThis.location.origin);
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.httpBase = base;
    const ws = new URL('ws', base);
    ws.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    this.wsUrl = ws.href;
    this.WS = o.WebSocket ?? globalThis.WebSocket;
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);

    this.status = 'idle';
    this.role = null;
    this.user = null;
    this.sessionId = null;
    this.waiting = null;
    /** conversationId -> { lastSeq, seen: Set<number>, info, closed } */
    this.convs = new Map();
    /** clientMsgId -> frame, in insertion (send) order */
    this.pending = new Map();
    /** request id -> { resolve, reject, timer } */
    this.calls = new Map();
    this.listeners = new Map();
    this.ws = null;
    this.token = null;
    this.attempt = 0;
    this.stopped = true;
    this.connecting = false;
    this.welcomed = false;
    this.authRetry = false;
    this.seq = 0;
    this.lastFrameAt = 0;
    this.timers = { retry: null, ping: null, pong: null, resend: null, hello: null };

    if (typeof window !== 'undefined') {
      window.addEventListener('offline', () => this.drop('offline'));
      window.addEventListener('online', () => this.wake());
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') {
          if (this.ws && this.status === 'open') this.checkAlive();
          else this.wake();
        }
      });
    }
  }

  // ---- events -----------------------------------------------------------

  on(type, fn) {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  emit(type, detail) {
    for (const fn of this.listeners.get(type) ?? []) {
      try {
        fn(detail);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
    }
  }

  setStatus(s) {
    if (this.status === s) return;
    this.status = s;
    this.emit('status', s);
  }

  // ---- connection -------------------------------------------------------

  connect() {
    this.stopped = false;
    clearTimeout(this.timers.retry);
    if (this.ws || this.connecting) return;
    void this.open();
  }

  /** Stops for good (until connect() is called again). */
  close() {
    this.stopped = true;
    clearTimeout(this.timers.retry);
    const ws = this.ws;
    this.detach();
    if (ws) ws.close(1000, 'bye');
    this.setStatus('closed');
  }

  async open() {
    this.connecting = true;
    this.setStatus(this.welcomed ? 'reconnecting' : 'connecting');
    let token;
    try {
      token = await this.opts.getToken();
    } catch (err) {
      this.connecting = false;
      this.emit('error', { code: 'token_unavailable', message: String(err?.message ?? err) });
      this.scheduleReconnect();
      return;
    }
    this.connecting = false;
    if (this.stopped || this.ws) return;
    if (!token) {
      this.setStatus('closed');
      this.emit('error', { code: 'unauthenticated', message: 'no token' });
      return;
    }
    this.token = token;
    let ws;
    try {
      ws = new this.WS(this.wsUrl);
    } catch (err) {
      this.emit('error', { code: 'connect_failed', message: String(err?.message ?? err) });
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.timers.hello = setTimeout(() => ws === this.ws && this.drop('connect_timeout'), this.opts.connectTimeoutMs);
    ws.onopen = () => {
      const resume = [];
      for (const [conversationId, c] of this.convs) if (!c.closed) resume.push({ conversationId, lastSeq: c.lastSeq });
      ws.send(JSON.stringify({ type: 'hello', token, ...(resume.length ? { resume: resume.slice(-50) } : {}) }));
    };
    ws.onmessage = (ev) => {
      if (ws === this.ws) this.onFrame(ev.data);
    };
    ws.onclose = (ev) => {
      if (ws === this.ws) this.onClosed(ev.code, ev.reason);
    };
    ws.onerror = () => {};
  }

  detach() {
    const ws = this.ws;
    this.ws = null;
    clearTimeout(this.timers.ping);
    clearTimeout(this.timers.pong);
    clearTimeout(this.timers.resend);
    clearTimeout(this.timers.hello);
    if (ws) ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    for (const [id, call] of this.calls) {
      clearTimeout(call.timer);
      call.reject({ type: 'error', code: 'disconnected', message: 'connection lost', re: id });
    }
    this.calls.clear();
  }

  /** Treats the socket as dead now (network gone, no pong) and starts reconnecting. */
  drop(reason) {
    if (!this.ws) return;
    const ws = this.ws;
    this.detach();
    try {
      ws.close(4000, reason);
    } catch {
      /* already closing */
    }
    this.onClosed(1006, reason);
  }

  /** The network is back or the page is visible again: retry now instead of waiting out the backoff. */
  wake() {
    if (this.stopped || this.ws || this.connecting) return;
    if (this.status !== 'reconnecting' && this.status !== 'connecting') return;
    clearTimeout(this.timers.retry);
    this.attempt = 0;
    void this.open();
  }

  onClosed(code, reason) {
    this.detach();
    if (this.stopped) return this.setStatus('closed');
    if (code === 1009) {
      // A frame over the server's size limit: give up the oversized messages, keep the rest.
      for (const [id, p] of this.pending) {
        if (JSON.stringify(p).length > 32_000) {
          this.pending.delete(id);
          this.emit('failed', { clientMsgId: id, conversationId: p.conversationId, code: 'too_big' });
        }
      }
      return this.scheduleReconnect();
    }
    if (!shouldReconnect(code)) {
      if (!this.authRetry) {
        // Not with this token: one more go with a fresh one from getToken().
        this.authRetry = true;
        void this.open();
        return;
      }
      this.stopped = true;
      this.setStatus('closed');
      this.emit('error', { code: reason || 'unauthorized', closeCode: code, message: reason || 'closed by server' });
      return;
    }
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    this.setStatus(this.welcomed ? 'reconnecting' : 'connecting');
    const cap = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 20);
    const delay = Math.random() * cap; // full jitter
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(() => {
      if (!this.stopped && !this.ws) void this.open();
    }, delay);
  }

  // ---- liveness ---------------------------------------------------------

  armPing() {
    clearTimeout(this.timers.ping);
    this.timers.ping = setTimeout(() => this.checkAlive(), this.opts.pingAfterMs);
  }

  checkAlive() {
    if (!this.ws || this.status !== 'open') return;
    this.rawSend({ type: 'ping' });
    clearTimeout(this.timers.pong);
    const asked = Date.now();
    this.timers.pong = setTimeout(() => {
      if (this.lastFrameAt < asked) this.drop('no_pong');
    }, this.opts.pongTimeoutMs);
  }

  // ---- incoming ---------------------------------------------------------

  onFrame(raw) {
    let f;
    try {
      f = JSON.parse(raw);
    } catch {
      return;
    }
    if (!f || typeof f.type !== 'string') return;
    this.lastFrameAt = Date.now();
    this.armPing();
    if (f.re !== undefined && this.calls.has(f.re)) {
      const call = this.calls.get(f.re);
      this.calls.delete(f.re);
      clearTimeout(call.timer);
      if (f.type === 'error') call.reject(f);
      else call.resolve(f);
    }
    switch (f.type) {
      case 'welcome':
        return this.onWelcome(f);
      case 'message':
        return this.onMessage(f, false);
      case 'message.ack':
        if (this.pending.delete(f.clientMsgId)) this.emit('ack', f);
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
        const c = this.ensure(f.conversationId, 0);
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
    clearTimeout(this.timers.hello);
    const first = !this.welcomed;
    this.welcomed = true;
    this.attempt = 0;
    this.authRetry = false;
    this.role = f.role;
    this.user = f.user;
    this.sessionId = f.sessionId;
    this.waiting = f.waiting ?? null;
    const history = [];
    for (const c of f.conversations ?? []) {
      const known = this.convs.get(c.conversationId);
      if (known) {
        known.info = { ...known.info, ...c };
        continue;
      }
      // New to this client: the server follows it from its lastSeq; earlier messages come over HTTP.
      const conv = this.ensure(c.conversationId, c.lastSeq);
      conv.info = c;
      if (c.lastSeq > 0) history.push(c.conversationId);
    }
    this.setStatus('open');
    this.emit('welcome', { ...f, reconnected: !first });
    this.flushPending();
    for (const id of history) void this.loadHistory(id).catch(() => {});
  }

  ensure(id, lastSeq) {
    let c = this.convs.get(id);
    if (!c) this.convs.set(id, (c = { lastSeq, seen: new Set(), info: { conversationId: id }, closed: false }));
    return c;
  }

  onMessage(m, history) {
    const c = this.ensure(m.conversationId, 0);
    if (c.seen.has(m.seq)) return;
    c.seen.add(m.seq);
    if (m.seq > c.lastSeq) c.lastSeq = m.seq;
    const mine = !!this.user && m.from?.id === this.user.id;
    if (mine && this.pending.delete(m.clientMsgId)) this.emit('ack', { clientMsgId: m.clientMsgId, conversationId: m.conversationId, seq: m.seq });
    this.emit('message', { ...m, type: 'message', mine, history });
  }

  markClosed(id, f) {
    const c = this.ensure(id, 0);
    if (c.closed) return;
    c.closed = true;
    c.info = { ...c.info, status: 'closed', outcome: f.outcome };
    for (const [cid, p] of this.pending) {
      if (p.conversationId === id) {
        this.pending.delete(cid);
        this.emit('failed', { clientMsgId: cid, conversationId: id, code: 'conversation_closed' });
      }
    }
    this.emit('closed', f);
  }

  onError(f) {
    const p = f.re !== undefined ? this.pending.get(f.re) : undefined;
    if (p) {
      if (RETRYABLE.has(f.code)) {
        clearTimeout(this.timers.resend);
        this.timers.resend = setTimeout(() => this.flushPending(), 1000 + Math.random() * 2000);
      } else {
        this.pending.delete(f.re);
        this.emit('failed', { clientMsgId: p.clientMsgId, conversationId: p.conversationId, code: f.code, message: f.message });
      }
    }
    this.emit('error', f);
  }

  async onReset(f) {
    const c = this.convs.get(f.conversationId);
    if (f.reason === 'unknown_conversation') {
      this.convs.delete(f.conversationId);
      this.emit('reset', { ...f, conversation: null });
      return;
    }
    const conv = c ?? this.ensure(f.conversationId, 0);
    conv.seen.clear();
    conv.lastSeq = typeof f.lastSeq === 'number' ? f.lastSeq : 0;
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
    if (conv.status === 'closed') this.markClosed(id, { type: 'conversation.closed', conversationId: id, outcome: conv.outcome });
    return conv;
  }

  async availability(province, audience) {
    const q = new URLSearchParams({ province, ...(audience ? { audience } : {}) });
    return this.api(`api/v1/availability?${q}`);
  }

  // ---- outgoing ---------------------------------------------------------

  rawSend(frame) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame with an `id` and resolves with its reply (rejects with the error frame). */
  request(type, fields = {}) {
    return new Promise((resolve, reject) => {
      if (this.status !== 'open') return reject({ type: 'error', code: 'disconnected', message: 'not connected' });
      const id = `r${++this.seq}`;
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject({ type: 'error', code: 'timeout', message: 'no reply', re: id });
      }, this.opts.requestTimeoutMs);
      this.calls.set(id, { resolve, reject, timer });
      this.rawSend({ ...fields, type, id });
    });
  }

  requestChat({ topic, province, entry, lang, context }) {
    const f = { topic };
    if (province) f.province = province;
    if (entry) f.entry = entry;
    if (lang) f.lang = lang;
    if (context && Object.keys(context).length) f.context = context;
    return this.request('chat.request', f);
  }

  cancelChat() {
    return this.request('chat.cancel');
  }

  /** Queues a message; it is sent now if connected, or after the next welcome. Returns its clientMsgId. */
  sendMessage(conversationId, text) {
    const clientMsgId = newId();
    const frame = { type: 'message.send', id: clientMsgId, conversationId, clientMsgId, text };
    this.pending.set(clientMsgId, frame);
    this.emit('pending', { conversationId, clientMsgId, text, at: new Date().toISOString() });
    if (this.status === 'open') this.rawSend(frame);
    return clientMsgId;
  }

  flushPending() {
    if (this.status !== 'open') return;
    for (const frame of this.pending.values()) this.rawSend(frame);
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
