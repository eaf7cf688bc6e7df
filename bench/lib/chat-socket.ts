/**
 * The bench's WebSocket client for INFO CIG's /ws and the raw ws relay (same
 * frames). Setup frames are parsed and kept for `next`/`request`; during a load
 * run, `message` and `message.ack` frames take a fast path (the client id is cut
 * out of the text, no JSON.parse) so the load core spends its time on sockets.
 */
import WebSocket from 'ws';

export interface Frame {
  type: string;
  [key: string]: unknown;
}

/** Where a load run wants deliveries and acks. */
export interface Sink {
  message(conn: Conn, clientMsgId: string): void;
  ack(conn: Conn, clientMsgId: string): void;
  error(conn: Conn, code: string): void;
}

/** One participant's connection, whatever the system under test. */
export interface Conn {
  /** Who is connected (the participant id). */
  readonly who: string;
  sink: Sink | null;
  sendMessage(conversationId: string, clientMsgId: string, text: string): void;
  close(): void;
  terminate(): void;
}

let addr = 0;
/** Client sockets are spread over 127.0.0.2 … 127.0.0.17: each has its own ephemeral ports. */
export function nextLocalAddress(): string {
  addr = (addr + 1) % 16;
  return `127.0.0.${2 + addr}`;
}

const ACK_PREFIX = '{"type":"message.ack"';
const MESSAGE_PREFIX = '{"type":"message",';
const CMID = '"clientMsgId":"';

function clientMsgIdOf(s: string): string | null {
  const i = s.indexOf(CMID);
  if (i < 0) return null;
  const from = i + CMID.length;
  const j = s.indexOf('"', from);
  return j < 0 ? null : s.slice(from, j);
}

export class ChatSocket implements Conn {
  sink: Sink | null = null;
  /** Every parsed frame goes here too, when set (reconnect scenario). */
  onFrame: ((f: Frame) => void) | null = null;
  /** Keep parsed setup frames for next()/request(); off once a load starts. */
  keep = true;
  readonly frames: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  closeCode: number | null = null;
  readonly closed: Promise<number>;
  who: string;

  private constructor(
    readonly ws: WebSocket,
    who: string,
  ) {
    this.who = who;
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(isBinary ? '' : data.toString()));
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
    ws.on('error', () => {});
  }

  static open(url: string, who = '', o: { timeoutMs?: number; localAddress?: string } = {}): Promise<ChatSocket> {
    const ws = new WebSocket(url, {
      localAddress: o.localAddress ?? nextLocalAddress(),
      perMessageDeflate: false,
      handshakeTimeout: o.timeoutMs ?? 20_000,
    });
    const socket = new ChatSocket(ws, who);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  private receive(s: string): void {
    const sink = this.sink;
    if (sink && !this.onFrame) {
      if (s.startsWith(MESSAGE_PREFIX)) {
        const id = clientMsgIdOf(s);
        if (id) sink.message(this, id);
        return;
      }
      if (s.startsWith(ACK_PREFIX)) {
        const id = clientMsgIdOf(s);
        if (id) sink.ack(this, id);
        return;
      }
    }
    let frame: Frame;
    try {
      frame = JSON.parse(s) as Frame;
    } catch {
      return;
    }
    if (this.onFrame) this.onFrame(frame);
    if (sink) {
      if (frame.type === 'message') return sink.message(this, frame.clientMsgId as string);
      if (frame.type === 'message.ack') return sink.ack(this, frame.clientMsgId as string);
      if (frame.type === 'error') sink.error(this, String(frame.code));
    }
    const i = this.waiters.findIndex((w) => w.match(frame));
    if (i >= 0) {
      this.waiters.splice(i, 1)[0]!.resolve(frame);
      return;
    }
    if (this.keep && this.frames.length < 200) this.frames.push(frame);
  }

  send(frame: object | string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendMessage(conversationId: string, clientMsgId: string, text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    // Built by hand: the same bytes JSON.stringify would give, without the object.
    this.ws.send(`{"type":"message.send","conversationId":"${conversationId}","clientMsgId":"${clientMsgId}","text":"${text}"}`);
  }

  /** The next frame matching, among those kept or still to come. */
  nextWhere(match: (f: Frame) => boolean, what: string, timeoutMs = 10_000): Promise<Frame> {
    const at = this.frames.findIndex(match);
    if (at >= 0) return Promise.resolve(this.frames.splice(at, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.who}: no ${what} within ${timeoutMs} ms (close ${this.closeCode}); kept: ${this.frames.map((f) => f.type).join(', ')}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  next(type: string, timeoutMs = 10_000): Promise<Frame> {
    return this.nextWhere((f) => f.type === type, type, timeoutMs);
  }

  private nextId = 0;
  /** Sends with an id and waits for the answer (`re`), error or not. */
  request(frame: Record<string, unknown>, timeoutMs = 10_000): Promise<Frame> {
    const id = `r${++this.nextId}`;
    this.send({ ...frame, id });
    return this.nextWhere((f) => f.re === id, `answer to ${String(frame.type)}`, timeoutMs);
  }

  /** Opens and says hello; resolves with the welcome (rejects on an error or close). */
  static async signIn(url: string, who: string, hello: Record<string, unknown>, o: { timeoutMs?: number; localAddress?: string } = {}): Promise<[ChatSocket, Frame]> {
    const socket = await ChatSocket.open(url, who, o);
    socket.send({ type: 'hello', ...hello });
    // Promise.race keeps a handler on both, so the loser settling later is not an unhandled rejection.
    const welcome = await Promise.race([
      socket.next('welcome', o.timeoutMs ?? 20_000),
      socket.closed.then((code): Frame => {
        throw new Error(`${who}: closed ${code} before welcome`);
      }),
    ]);
    return [socket, welcome];
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}
