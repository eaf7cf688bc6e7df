/**
 * The chat client's outbox: message.send frames the server has not yet
 * acknowledged (nor echoed), kept in send order with their clientMsgId so that
 * a resend after a reconnect is stored once, and the rules for giving one up
 * (a `failed` event) or trying it again later.
 *
 * Separate from chat-client.js because this is the at-least-once half of the
 * protocol, read and tested as a unit; the client decides when to (re)send.
 * No DOM: it loads in Node as well as in the browser.
 */

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

export class Outbox {
  /** @param {(type: string, detail: object) => void} emit where `failed` events go */
  constructor(emit) {
    this.emit = emit;
    /** clientMsgId -> frame, in insertion (send) order */
    this.frames = new Map();
    this.retry = null;
  }

  /** A new frame for `text`, waiting from now on; the caller sends it. */
  add(conversationId, text) {
    const clientMsgId = newId();
    const frame = { type: 'message.send', id: clientMsgId, conversationId, clientMsgId, text };
    this.frames.set(clientMsgId, frame);
    return frame;
  }

  /** The server has the message (ack or echo); true if it was still waiting. */
  settle(clientMsgId) {
    return this.frames.delete(clientMsgId);
  }

  /** The frames still waiting, in send order. */
  waiting() {
    return [...this.frames.values()];
  }

  /** Gives up every waiting frame that `test` picks, each with a `failed` event. */
  giveUp(test, code) {
    for (const [id, p] of this.frames) {
      if (test(p)) {
        this.frames.delete(id);
        this.emit('failed', { clientMsgId: id, conversationId: p.conversationId, code });
      }
    }
  }

  /** An error frame: if it answers a waiting send, retry all later (`flush`) or give that one up. */
  refused(f, flush) {
    const p = f.re !== undefined ? this.frames.get(f.re) : undefined;
    if (!p) return;
    if (RETRYABLE.has(f.code)) {
      clearTimeout(this.retry);
      this.retry = setTimeout(flush, 1000 + Math.random() * 2000);
    } else {
      this.frames.delete(f.re);
      this.emit('failed', { clientMsgId: p.clientMsgId, conversationId: p.conversationId, code: f.code, message: f.message });
    }
  }

  /** The socket is gone: a retry waiting for it would only send into nothing. */
  cancelRetry() {
    clearTimeout(this.retry);
  }
}
