/**
 * A TCP proxy a test controls, put between a server process and PostgreSQL (or
 * anything else) to make the service "unavailable" without touching the real,
 * shared server:
 *
 * - `cut()`: every open connection is reset and new ones are closed as soon as
 *   they are accepted — what a client sees when the database restarts or its
 *   host goes away (errors at once);
 * - `blackhole()`: connections stay open but nothing passes either way, new ones
 *   are accepted and then ignored — a network partition (clients see nothing
 *   until their own timeouts);
 * - `restore()`: new connections go through again (connections cut or
 *   blackholed before stay dead, as after a real outage).
 */
import net from 'node:net';

type Mode = 'open' | 'cut' | 'blackhole';

export class TcpProxy {
  private mode: Mode = 'open';
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket | null }>();
  /** Connections accepted so far (through or not). */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }, listen: { host?: string; port?: number } = {}): Promise<TcpProxy> {
    const server = net.createServer();
    let proxy: TcpProxy | null = null;
    server.on('connection', (client) => proxy!.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => resolve());
    });
    proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  get state(): Mode {
    return this.mode;
  }

  /** Connections currently open through the proxy. */
  get open(): number {
    return this.pairs.size;
  }

  cut(): void {
    this.mode = 'cut';
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const pair of this.pairs) {
      pair.client.pause();
      pair.upstream?.pause();
    }
  }

  restore(): void {
    this.mode = 'open';
  }

  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    this.accepted++;
    client.on('error', () => {});
    if (this.mode === 'cut') {
      reset(client);
      return;
    }
    const pair: { client: net.Socket; upstream: net.Socket | null } = { client, upstream: null };
    this.pairs.add(pair);
    client.once('close', () => this.drop(pair));
    if (this.mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => {});
    upstream.once('close', () => this.drop(pair));
    // Forward by hand (not pipe) so that a blackhole can stop the flow both ways at once.
    client.on('data', (chunk) => {
      if (this.mode !== 'blackhole') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (this.mode !== 'blackhole') client.write(chunk);
    });
  }

  private drop(pair: { client: net.Socket; upstream: net.Socket | null }): void {
    if (!this.pairs.delete(pair)) return;
    reset(pair.client);
    if (pair.upstream) reset(pair.upstream);
  }
}

/**
 * Resets a connection (RST), or just closes it when its side has already ended.
 * Node's resetAndDestroy() on a socket whose shutdown is still in flight (the
 * peer sent FIN, so the socket ended its side too) fails with EINVAL — an error
 * the handlers here swallow — and leaves the native handle open but idle; the
 * process then spins for ever in its exit-time cleanup, after every timer has
 * gone (seen as faults.test.ts not exiting after its summary, when node C's
 * connections closed as the proxy was closed).
 */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded) socket.destroy();
  else socket.resetAndDestroy();
}
