/**
 * Child processes of the bench: servers pinned to the server core, helpers pinned
 * to the load core, each stopped at the end of its scenario (and on any exit of the
 * bench itself, even Ctrl-C). CPU time and memory are read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH = path.join(ROOT, 'bench');

const CLK_TCK = 100; // Linux user-space tick; `getconf CLK_TCK` is 100 on every common build

function tasksetWorks(): boolean {
  if (process.platform !== 'linux') return false;
  const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}

export const CORES = os.availableParallelism();
export const TASKSET = tasksetWorks();
/** Servers run here… */
export const SERVER_CPU = '0';
/** …and the load (this process, its helpers) here, when there are two cores or more. */
export const LOAD_CPU = CORES >= 2 ? String(CORES - 1) : '0';
/** `BENCH_PIN=0` turns pinning off: V8's CPU sampler is starved on a pinned core (see README). */
export const PINNED = TASKSET && CORES >= 2 && process.env.BENCH_PIN !== '0';

/** Pins this process (every thread) to the load core. */
export function pinSelfToLoadCore(): boolean {
  if (!PINNED) return false;
  return spawnSync('taskset', ['-a', '-cp', LOAD_CPU, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

const live = new Set<Proc>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const p of live) p.child.kill('SIGKILL');
  });
}

export interface SpawnOptions {
  /** Shown in logs and errors. */
  name: string;
  /** A .ts or .js file, relative to the project root or absolute. */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Which core; default the server core. `null`: not pinned (inherits the bench's). */
  cpu?: string | null;
  /** Extra node flags, e.g. --cpu-prof, --inspect=127.0.0.1:0. */
  nodeFlags?: string[];
  /** IPC channel for helper processes. */
  ipc?: boolean;
}

export class Proc {
  readonly lines: string[] = [];
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exit: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    live.add(this);
    hookExit();
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        if (this.lines.length < 2000) this.lines.push(line);
        else this.lines.splice(0, 1000, `… (${this.name}: earlier lines dropped)`);
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const m = line.match(this.waiters[i]!.re);
          if (m) this.waiters.splice(i, 1)[0]!.resolve(m);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exit = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        live.delete(this);
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first output line matching `re` (also one already printed). */
  waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const m = line.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.re !== re);
        reject(new Error(`${this.name}: no line matching ${re} within ${timeoutMs} ms; output:\n${this.tail()}`));
      }, timeoutMs);
      void this.exit.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${JSON.stringify(this.exited)}) before ${re}; output:\n${this.tail()}`));
      });
      this.waiters.push({
        re,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  tail(n = 30): string {
    return this.lines.slice(-n).join('\n');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** SIGKILL: a crash, as far as the peers can tell. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }

  /** Resident set size, bytes (0 once gone). */
  rss(): number {
    return rssOf(this.pid);
  }

  /** user + system CPU time so far, ms. */
  cpuMs(): number {
    return cpuMsOf(this.pid);
  }
}

export function spawnNode(o: SpawnOptions): Proc {
  const script = path.isAbsolute(o.script) ? o.script : path.join(ROOT, o.script);
  const nodeArgs = [...(o.nodeFlags ?? []), '--import', 'tsx', script, ...(o.args ?? [])];
  const cpu = o.cpu === undefined ? SERVER_CPU : o.cpu;
  const [cmd, args] = PINNED && cpu !== null ? ['taskset', ['-c', cpu, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...o.env })) if (v !== undefined) env[k] = v;
  const child = spawn(cmd, args as string[], {
    cwd: ROOT,
    env,
    stdio: o.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  return new Proc(o.name, child);
}

export function rssOf(pid: number): number {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)\s+kB/);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state is field 3, utime 14 and stime 15 → indexes 11 and 12 here
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** Every PostgreSQL process of the machine (postmaster, backends, WAL writer…), by /proc/<pid>/comm. */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU use of some processes over a stretch of time, as a share of one core (1 = 100%). */
export class CpuMeter {
  private start: number[] = [];
  private t0 = 0;
  private self0 = process.cpuUsage();
  private pids: number[] = [];
  /** A function is asked at each `begin()`: processes forked after construction (a pool's backends) count too. */
  constructor(private readonly pidsOf: number[] | (() => number[])) {}
  begin(): void {
    this.pids = typeof this.pidsOf === 'function' ? this.pidsOf() : this.pidsOf;
    this.start = this.pids.map(cpuMsOf);
    this.self0 = process.cpuUsage();
    this.t0 = performance.now();
  }
  /** The last `end()`'s answer. */
  last: { server: number; load: number } | null = null;
  /** [servers (sum of the pids), this process]. */
  end(): { server: number; load: number } {
    const wall = performance.now() - this.t0;
    const used = this.pids.map(cpuMsOf).reduce((s, v, i) => s + Math.max(0, v - this.start[i]!), 0);
    const self = process.cpuUsage(this.self0);
    this.last = { server: used / wall, load: (self.user + self.system) / 1000 / wall };
    return this.last;
  }
}

export async function stopAll(procs: (Proc | undefined | null)[]): Promise<void> {
  await Promise.all(procs.map((p) => p?.stop()));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
