/**
 * One signed-in WebSocket connection, and the per-conversation delivery cursor
 * that makes what it receives ordered and gap-free.
 *
 * For every conversation it follows, the client remembers the last `seq` it was
 * sent. A message at last+1 goes out; an older one is dropped (a duplicate from
 * another path); a newer one means something is missing, so the client holds it,
 * reads the gap from the database (the source of truth) and sends all in order.
 * This one mechanism serves live delivery, resume and cross-node fan-out.
 */
import type { WebSocket } from 'ws';
import type { Identity } from './auth.ts';
import type { StoredMessage } from './chat-store.ts';
import { CLOSE } from './ws-close-codes.ts';

export type GapReader = (conversationId: string, afterSeq: number) => Promise<StoredMessage[]>;

export interface MessageFrame {
  type: 'message';
  conversationId: string;
  seq: number;
  clientMsgId: string;
  from: { id: string; role: string };
  text: string;
  at: string;
}

/**
 * A stored message as sockets receive it: what the cursor needs (conversation, seq)
 * and the frame serialised once, written as the same string to every socket and
 * carried as it is between nodes.
 */
export interface Delivery {
  conversationId: string;
  seq: number;
  frame: string;
}

export function deliveryOf(m: StoredMessage): Delivery {
  return { conversationId: m.conversationId, seq: m.seq, frame: JSON.stringify(messageFrame(m)) };
}

export function messageFrame(m: StoredMessage): MessageFrame {
  return {
    type: 'message',
    conversationId: m.conversationId,
    seq: m.seq,
    clientMsgId: m.clientMsgId,
    from: { id: m.senderId, role: m.senderRole },
    text: m.text,
    at: m.at.toISOString(),
  };
}

interface Cursor {
  last: number;
  /** Set while a gap is being read; messages that arrive meanwhile wait here. */
  held: Delivery[] | null;
}

export class Client {
  /** Made at the first follow: most idle sockets follow nothing, and an empty Map is ~180 B. */
  private cursors: Map<string, Cursor> | null = null;
  closed = false;

  constructor(
    readonly sessionId: string,
    readonly identity: Identity,
    private readonly socket: WebSocket,
    private readonly readGap: GapReader,
    private readonly maxBufferedBytes: number,
  ) {}

  get userId(): string {
    return this.identity.sub;
  }

  send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }

  /** A frame already serialised (fan-out writes one string to every socket). */
  sendText(text: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.close(CLOSE.slowConsumer, 'slow_consumer');
      return;
    }
    this.cork();
    this.socket.send(text);
  }

  private corked = false;

  /**
   * Frames sent in the same tick (an ack, the message, a position…) leave in one write:
   * the TCP socket is corked until the next tick. Saves a syscall per frame under load.
   */
  private cork(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: { cork(): void; uncork(): void; destroyed?: boolean } })._socket;
    if (!raw) return;
    this.corked = true;
    raw.cork();
    process.nextTick(() => {
      this.corked = false;
      if (!raw.destroyed) raw.uncork();
    });
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close(code, reason);
  }

  /** Starts following a conversation from `lastSeq` (0 for a new one). */
  follow(conversationId: string, lastSeq: number): void {
    const cursors = (this.cursors ??= new Map());
    if (!cursors.has(conversationId)) cursors.set(conversationId, { last: lastSeq, held: null });
  }

  unfollow(conversationId: string): void {
    this.cursors?.delete(conversationId);
  }

  /** Delivers a stored message in order, reading any gap before it (the promise, if any, settles when the gap is filled). */
  deliver(message: Delivery): Promise<void> | undefined {
    const cursor = this.cursors?.get(message.conversationId);
    if (!cursor) return;
    if (cursor.held) {
      cursor.held.push(message);
      return;
    }
    if (message.seq <= cursor.last) return;
    if (message.seq === cursor.last + 1) {
      cursor.last = message.seq;
      this.sendText(message.frame);
      return;
    }
    // Not async: the in-order case above (every message under load) makes no promise.
    cursor.held = [message];
    return this.fill(message.conversationId, cursor);
  }

  /** Sends everything after the cursor from the database, then what was held meanwhile. */
  async catchUp(conversationId: string): Promise<void> {
    const cursor = this.cursors?.get(conversationId);
    if (!cursor || cursor.held) return;
    cursor.held = [];
    await this.fill(conversationId, cursor);
  }

  private async fill(conversationId: string, cursor: Cursor): Promise<void> {
    try {
      for (;;) {
        const batch = await this.readGap(conversationId, cursor.last);
        for (const m of batch) {
          if (m.seq !== cursor.last + 1) break;
          cursor.last = m.seq;
          this.sendText(deliveryOf(m).frame);
        }
        if (batch.length < 500) break;
      }
    } finally {
      const held = cursor.held ?? [];
      cursor.held = null;
      held.sort((a, b) => a.seq - b.seq);
      for (const m of held) {
        if (m.seq === cursor.last + 1) {
          cursor.last = m.seq;
          this.sendText(m.frame);
        }
      }
    }
  }
}
