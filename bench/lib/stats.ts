/**
 * Latency histograms (HDR through hdr-histogram-js; a sorted-array fallback with
 * the same nearest-rank percentiles when the package is absent), medians, and
 * the A B A B pairing every ratio of the bench goes through.
 */

type HdrModule = typeof import('hdr-histogram-js');
let hdr: HdrModule | null = null;
try {
  hdr = await import('hdr-histogram-js');
} catch {
  hdr = null;
}

export const HDR_AVAILABLE = hdr !== null;

/** Values in microseconds, 1 µs to 120 s, 3 significant digits. */
export class Histogram {
  private readonly h: import('hdr-histogram-js').Histogram | null;
  private readonly values: number[] | null;
  private sorted = true;

  constructor() {
    this.h = hdr ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 }) : null;
    this.values = hdr ? null : [];
  }

  record(us: number): void {
    const v = Math.max(1, Math.round(us));
    if (this.h) this.h.recordValue(Math.min(v, 120_000_000));
    else {
      this.values!.push(v);
      this.sorted = false;
    }
  }

  get count(): number {
    return this.h ? this.h.totalCount : this.values!.length;
  }

  /** Nearest-rank percentile, µs (0 when empty). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    if (this.h) return this.h.getValueAtPercentile(p);
    const v = this.values!;
    if (!this.sorted) {
      v.sort((a, b) => a - b);
      this.sorted = true;
    }
    const rank = Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1));
    return v[rank]!;
  }

  get max(): number {
    if (this.count === 0) return 0;
    return this.h ? this.h.maxValue : this.percentile(100);
  }

  get mean(): number {
    if (this.count === 0) return 0;
    if (this.h) return this.h.mean;
    return this.values!.reduce((s, x) => s + x, 0) / this.values!.length;
  }

  /** p50/p90/p99/p99.9/max in milliseconds, rounded to µs. */
  summaryMs(): LatencySummary {
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      count: this.count,
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p99: ms(this.percentile(99)),
      p999: ms(this.percentile(99.9)),
      max: ms(this.max),
      mean: ms(this.mean),
    };
  }

  destroy(): void {
    this.h?.destroy();
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/**
 * Runs the systems one after the other, `rounds` times: A B A B … (or A B C A B C …).
 * Returns each system's results in round order, so round i of A pairs with round i of B.
 */
export async function alternate<T>(
  rounds: number,
  systems: { name: string; run: (round: number) => Promise<T> }[],
  log?: (s: string) => void,
  show: (r: T) => string = describe,
): Promise<Record<string, T[]>> {
  const out: Record<string, T[]> = Object.fromEntries(systems.map((s) => [s.name, [] as T[]]));
  for (let round = 0; round < rounds; round++) {
    // Alternate which system goes first, so none always runs on the warmer machine.
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    for (const s of order) {
      const r = await s.run(round);
      out[s.name]!.push(r);
      log?.(`    round ${round + 1}/${rounds} ${s.name}: ${show(r)}`);
    }
  }
  return out;
}

function describe(r: unknown): string {
  if (typeof r === 'number') return fmt(r);
  if (r && typeof r === 'object' && 'rate' in r) return `${fmt((r as { rate: number }).rate)}/s`;
  return JSON.stringify(r).slice(0, 120);
}

/** Median of the per-round ratios a[i]/b[i]. */
export function pairedRatio(a: number[], b: number[]): { ratio: number; ratios: number[] } {
  const ratios = a.map((x, i) => (b[i] ? x / b[i]! : NaN));
  return { ratio: median(ratios), ratios: ratios.map((r) => round(r, 3)) };
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** 12345.6 → "12,346"; 12.345 → "12.3"; 0.1234 → "0.123". */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** What a run's loops read: they go on while `running` and count while `measuring`. */
export interface Phase {
  running: boolean;
  measuring: boolean;
}

/** Warm-up, then the measured window, then the loops are told to stop; the window's length in ms. */
export async function measureWindow(phase: Phase, warmupMs: number, measureMs: number, meter?: { begin(): void; end(): void }): Promise<number> {
  await new Promise((r) => setTimeout(r, warmupMs));
  phase.measuring = true;
  meter?.begin();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, measureMs));
  meter?.end();
  phase.measuring = false;
  const elapsed = performance.now() - t0;
  phase.running = false;
  return elapsed;
}
