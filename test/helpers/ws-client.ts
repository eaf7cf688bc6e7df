/** A WebSocket test client that keeps every frame and waits for the ones a test expects. */
import WebSocket from 'ws';

export interface Frame {
  type: string;
  [key: string]: unknown;
}

export class TestSocket {
  readonly frames: Frame[] = [];
  private readonly waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  private cursor = 0;
  closeCode: number | null = null;
  closeReason = '';
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const i = this.waiters.findIndex((w) => w.match(frame));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve(code);
      }),
    );
  }

  static async open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers });
    const socket = new TestSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return socket;
  }

  /** Opens, says hello, and waits for welcome. */
  static async signIn(url: string, token: string, resume?: { conversationId: string; lastSeq: number }[]): Promise<[TestSocket, Frame]> {
    const socket = await TestSocket.open(url);
    socket.send({ type: 'hello', token, ...(resume ? { resume } : {}) });
    const welcome = await socket.next('welcome');
    return [socket, welcome];
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame (after those already taken by next()) matching type and predicate. */
  next(type: string, where: (f: Frame) => boolean = () => true, timeoutMs = 3000): Promise<Frame> {
    return this.nextWhere((f) => f.type === type && where(f), type, timeoutMs);
  }

  nextWhere(match: (f: Frame) => boolean, what = 'matching', timeoutMs = 3000): Promise<Frame> {
    for (let i = this.cursor; i < this.frames.length; i++) {
      if (match(this.frames[i]!)) {
        const found = this.frames[i]!;
        this.frames.splice(i, 1);
        return Promise.resolve(found);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const seen = this.frames.map((f) => f.type).join(', ');
        reject(new Error(`no ${what} frame within ${timeoutMs} ms; seen: [${seen}]`));
      }, timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          const at = this.frames.indexOf(f);
          if (at >= 0) this.frames.splice(at, 1);
          resolve(f);
        },
      });
    });
  }

  /** Frames of a type received so far and not yet taken. */
  all(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  async request(frame: Record<string, unknown>, id: string | number = Math.random().toString(36).slice(2), timeoutMs = 3000): Promise<Frame> {
    this.send({ ...frame, id });
    const reply = replyType(frame.type as string);
    return this.nextWhere((f) => f.re === id && (f.type === 'error' || f.type === reply), `${reply} or error`, timeoutMs);
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }

  /** Cuts the connection without a closing handshake, like a dropped network. */
  drop(): void {
    this.ws.terminate();
  }
}

function replyType(type: string): string {
  return type === 'message.send' ? 'message.ack' : 'ok';
}
