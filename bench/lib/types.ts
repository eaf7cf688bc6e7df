/** What a scenario gets and what it gives back. */

export type Mode = 'quick' | 'full';

export interface BenchContext {
  mode: Mode;
  runId: string;
  /** Add --cpu-prof to INFO CIG server processes (profiles under bench/results/prof/). */
  profile: boolean;
  log(line: string): void;
  /** Ids of the scenarios of this run (a scenario may keep resources for a later one only if it is selected). */
  selected: string[];
  /** Resources one scenario leaves for a later one (e.g. scenario 2 reuses scenario 1's chat setup). */
  shared: Map<string, unknown>;
  /** Cleanups of shared resources, run by the runner at the very end. */
  atEnd: (() => Promise<void>)[];
}

export interface Check {
  /** What is measured, e.g. "vs raw ws". */
  name: string;
  /** The figure, in `unit`. */
  value: number;
  unit: string;
  /** e.g. ">= 0.5" or "<= 10". */
  target: string;
  /** null: nothing to judge (no target, or the baseline was skipped). */
  pass: boolean | null;
  /** Shown in the table: what the figure is compared against. */
  baseline?: string;
}

export interface ScenarioResult {
  id: string;
  number: number;
  title: string;
  status: 'ok' | 'skipped' | 'failed';
  mode: Mode;
  ranAt: string;
  seconds: number;
  checks: Check[];
  /** Free-form figures: rates per round, latency summaries, CPU use… */
  details: Record<string, unknown>;
  notes: string[];
}

export interface Scenario {
  id: string;
  number: number;
  title: string;
  run(ctx: BenchContext): Promise<Omit<ScenarioResult, 'id' | 'number' | 'title' | 'mode' | 'ranAt' | 'seconds' | 'status'> & { status?: ScenarioResult['status'] }>;
}

const num = (x: number) => (Math.abs(x) >= 10_000 ? x.toLocaleString('en-US') : String(x));

export function atLeast(name: string, value: number, min: number, unit = '×', baseline?: string): Check {
  return { name, value, unit, target: `>= ${num(min)}`, pass: Number.isFinite(value) ? value >= min : null, ...(baseline ? { baseline } : {}) };
}

export function atMost(name: string, value: number, max: number, unit: string, baseline?: string): Check {
  return { name, value, unit, target: `<= ${num(max)}`, pass: Number.isFinite(value) ? value <= max : null, ...(baseline ? { baseline } : {}) };
}

export function info(name: string, value: number, unit: string, baseline?: string): Check {
  return { name, value, unit, target: '—', pass: null, ...(baseline ? { baseline } : {}) };
}
