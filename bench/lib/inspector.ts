/**
 * A little of the V8 inspector protocol, over the `--inspect=127.0.0.1:0` socket
 * of a server process: force a full GC, then read process.memoryUsage(). Memory
 * figures taken right after a forced GC are live data, not garbage not yet collected.
 */
import WebSocket from 'ws';
import type { Proc } from './proc.ts';

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export class Inspector {
  private nextId = 0;
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const call = this.calls.get(msg.id);
      if (!call) return;
      this.calls.delete(msg.id);
      if (msg.error) call.reject(new Error(msg.error.message));
      else call.resolve(msg.result);
    });
    ws.on('error', () => {});
  }

  static async attach(proc: Proc): Promise<Inspector> {
    const url = (await proc.waitFor(/Debugger listening on (ws:\/\/\S+)/, 30_000))[1]!;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.nextId;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(new Error(`inspector: ${method} timed out`));
      }, 60_000);
      this.calls.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  async gc(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage');
  }

  async memory(): Promise<MemoryUsage> {
    const r = (await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as {
      result: { value: string };
    };
    return JSON.parse(r.result.value) as MemoryUsage;
  }

  /** Two full GCs (the second collects what the first only finalised), then memoryUsage(). */
  async settledMemory(): Promise<MemoryUsage> {
    await this.gc();
    await new Promise((r) => setTimeout(r, 200));
    await this.gc();
    return this.memory();
  }

  /** Starts the V8 sampling profiler (stop with stopProfile). */
  async startProfile(): Promise<void> {
    await this.call('Profiler.enable');
    await this.call('Profiler.setSamplingInterval', { interval: 200 });
    await this.call('Profiler.start');
  }

  /** Stops the profiler; the profile is a .cpuprofile object. */
  async stopProfile(): Promise<unknown> {
    const r = (await this.call('Profiler.stop')) as { profile: unknown };
    return r.profile;
  }

  close(): void {
    this.ws.close();
  }
}
