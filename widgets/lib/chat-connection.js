/**
 * The socket under ChatClient: opening it with a token, the close codes that
 * end it, reconnecting with backoff, noticing a dead socket, and requests that
 * wait for the frame answering their `id`. No DOM at module level; it loads in
 * Node as well as in the browser.
 *
 * Separate from chat-client.js because none of this knows about conversations
 * or messages, and the reconnect rules are reviewed on their own. ChatClient
 * extends ChatConnection and fills in the chat protocol through four methods:
 * hello(token) (the first frame), dispatch(frame) (every frame that parsed),
 * onTooBig() (the server closed with 1009) and detach() (calling super).
 */

/**
 * Reconnecting: each retry waits a random time up to a ceiling (full jitter, so a node's thousands of sockets
 * do not come back at once) that starts at baseDelayMs and grows by backoffFactor per failed try, up to
 * maxDelayMs. The first retry comes within 0.3 s and the ceiling grows gently: a server restart (a few seconds)
 * is found again about a second after it is up, where base 500 ms doubling each time took ~7 s. Pages say "no
 * connection" only once lostAfterFailures tries in a row failed (about 10 s on average) or the browser is offline.
 */
export const DEFAULTS = {
  baseDelayMs: 300,
  backoffFactor: 1.6,
  maxDelayMs: 15_000,
  lostAfterFailures: 9,
  /** Send an application ping after this long without any frame. */
  pingAfterMs: 20_000,
  /** Declare the socket dead when nothing arrives this long after a ping. */
  pongTimeoutMs: 10_000,
  /** How long a request waits for its reply frame. */
  requestTimeoutMs: 15_000,
  /** How long a new socket may take to reach `welcome` before it is given up. */
  connectTimeoutMs: 12_000,
};

export function shouldReconnect(code) {
  return !(code >= 4000 && code < 4500) && code !== 1009;
}

/**
 * 4429: the person holds too many sockets on the server's node (too_many_sockets). A fresh
 * token would be refused the same, so the client stops at once, without the one retry that
 * other 40xx codes get; the page offers to connect again once another tab is closed.
 */
export const TOO_MANY_SOCKETS = 4429;

export class ChatConnection {
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

    this.status = 'idle';
    /** request id -> { resolve, reject, timer } */
    this.calls = new Map();
    this.listeners = new Map();
    this.ws = null;
    this.token = null;
    this.attempt = 0;
    /** Tries in a row that did not reach `welcome` (wake() starts the backoff over, not this count). */
    this.failures = 0;
    this.stopped = true;
    this.connecting = false;
    this.welcomed = false;
    this.authRetry = false;
    this.seq = 0;
    this.lastFrameAt = 0;
    this.timers = { retry: null, ping: null, pong: null, hello: null };

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

  // ---- what the chat protocol fills in ------------------------------------

  /** The first frame on a new socket. */
  hello(token) {
    return { type: 'hello', token };
  }

  /** Every frame that parsed, after its request (if any) is answered. */
  dispatch() {}

  /** The server closed with 1009: a frame of ours was over its size limit. */
  onTooBig() {}

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
      ws.send(JSON.stringify(this.hello(token)));
    };
    ws.onmessage = (ev) => {
      if (ws === this.ws) this.onFrame(ev.data);
    };
    ws.onclose = (ev) => {
      if (ws === this.ws) this.onClosed(ev.code, ev.reason);
    };
    ws.onerror = () => {};
  }

  /** The server said welcome: backoff and the token retry start over. True the first time. */
  accepted() {
    clearTimeout(this.timers.hello);
    const first = !this.welcomed;
    this.welcomed = true;
    this.attempt = 0;
    this.failures = 0;
    this.authRetry = false;
    return first;
  }

  detach() {
    const ws = this.ws;
    this.ws = null;
    clearTimeout(this.timers.ping);
    clearTimeout(this.timers.pong);
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

  /**
   * Whether a page should say there is no connection, rather than "reconnecting…": the browser is offline, the
   * client stopped, or lostAfterFailures tries in a row failed.
   */
  lost() {
    if (this.status === 'closed') return true;
    if (this.status === 'open') return false;
    const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    return offline || this.failures >= this.opts.lostAfterFailures;
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
      this.onTooBig();
      return this.scheduleReconnect();
    }
    if (!shouldReconnect(code)) {
      if (!this.authRetry && code !== TOO_MANY_SOCKETS) {
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
    const cap = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * this.opts.backoffFactor ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    this.failures += 1;
    // After the status: a page that says "reconnecting…" until enough tries failed hears each one.
    this.emit('retry', { failures: this.failures, lost: this.lost() });
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

  // ---- frames -----------------------------------------------------------

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
    this.dispatch(f);
  }

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
}
