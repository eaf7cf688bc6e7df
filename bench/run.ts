/**
 * `npm run bench`: the INFO CIG benchmarks (bench/README.md).
 *
 *   npm run bench                     quick mode (a few minutes), every scenario
 *   npm run bench -- --full           full mode (longer runs, more connections)
 *   npm run bench -- --only 6,http    some scenarios, by number or name
 *   npm run bench -- --profile        servers write --cpu-prof profiles to bench/results/prof/
 *
 * It checks that PostgreSQL and Redis answer (and refuses to run otherwise), pins
 * itself to the load core, starts what each scenario needs and stops it, writes
 * bench/results/<time>.json, latest.json and latest.svg, prints the table and
 * rewrites the results section of bench/README.md.
 */
import os from 'node:os';
import { checkServices, deleteAllPrefixes, dropAllCreated, MissingService, POSTGRES_URL, REDIS_URL, runId as newRunId } from './lib/env.ts';
import { machine, printTable, updateReadme, writeChart, writeResults, type RunFile } from './lib/report.ts';
import { LOAD_CPU, PINNED, pinSelfToLoadCore, SERVER_CPU } from './lib/proc.ts';
import { HDR_AVAILABLE } from './lib/stats.ts';
import type { BenchContext, Mode, Scenario, ScenarioResult } from './lib/types.ts';
import { chatRelay } from './scenarios/s1-chat-relay.ts';
import { latency } from './scenarios/s2-latency.ts';
import { memory } from './scenarios/s3-memory.ts';
import { connections } from './scenarios/s4-connections.ts';
import { matching } from './scenarios/s5-matching.ts';
import { transcript } from './scenarios/s6-transcript.ts';
import { http } from './scenarios/s7-http.ts';
import { reconnect } from './scenarios/s8-reconnect.ts';

const ALL: Scenario[] = [chatRelay, latency, memory, connections, matching, transcript, http, reconnect];
const NAMES: Record<string, string> = {
  '1': 'chat-relay',
  '2': 'latency',
  '3': 'memory',
  '4': 'connections',
  '5': 'matching',
  '6': 'transcript',
  '7': 'http',
  '8': 'reconnect',
};
/** Order of execution: the cheap, self-contained ones first; 2 right after 1 (it reuses 1's servers). */
const ORDER = ['transcript', 'http', 'matching', 'chat-relay', 'latency', 'memory', 'connections', 'reconnect'];

const HELP = `npm run bench [-- options]
  --quick            short runs, fewer connections (default)
  --full             the full-size runs (≈ 35–40 min)
  --only <list>      scenarios by number or name, comma-separated:
                     ${Object.entries(NAMES).map(([n, id]) => `${n} ${id}`).join(', ')}
  --profile          INFO CIG servers write CPU profiles (--cpu-prof; scenario 8: node B over the storm only)
                     to bench/results/prof/; the run is kept as <time>.json only, not as latest
  --no-readme        do not rewrite the results section of bench/README.md
Services: PostgreSQL ${POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')} (BENCH_DATABASE_URL), Redis ${REDIS_URL} (BENCH_REDIS_URL).`;

function parseArgs(argv: string[]): { mode: Mode; only: string[] | null; profile: boolean; readme: boolean } {
  let mode: Mode = 'quick';
  let only: string[] | null = null;
  let profile = false;
  let readme = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') mode = 'quick';
    else if (a === '--full') mode = 'full';
    else if (a === '--profile') profile = true;
    else if (a === '--no-readme') readme = false;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) throw new Error('--only needs a list of scenarios');
      only = v.split(',').map((s) => s.trim()).filter(Boolean).map((s) => NAMES[s] ?? s);
      for (const id of only) if (!ALL.some((sc) => sc.id === id)) throw new Error(`unknown scenario "${id}"; known: ${Object.values(NAMES).join(', ')}`);
    } else if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${HELP}`);
  }
  return { mode, only, profile, readme };
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 64;
  }
  try {
    await checkServices();
  } catch (err) {
    if (err instanceof MissingService) {
      console.error(err.message);
      return 69;
    }
    throw err;
  }
  const pinned = pinSelfToLoadCore();
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const ctx: BenchContext = {
    mode: args.mode,
    runId,
    profile: args.profile,
    log: (line) => console.log(line),
    shared: new Map(),
    atEnd: [],
    selected: [],
  };
  console.log(`INFO CIG bench ${runId}: ${args.mode} mode; ${PINNED && pinned ? `servers on core ${SERVER_CPU}, load on core ${LOAD_CPU}` : 'no CPU pinning'}; latency histograms: ${HDR_AVAILABLE ? 'HDR (hdr-histogram-js)' : 'sorted arrays (hdr-histogram-js absent)'}`);

  const selected = ORDER.filter((id) => !args.only || args.only.includes(id)).map((id) => ALL.find((s) => s.id === id)!);
  ctx.selected = selected.map((s) => s.id);
  const results: ScenarioResult[] = [];
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error('\ninterrupted: stopping servers, dropping the throw-away databases…');
    void cleanup(ctx).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const sc of selected) {
      const t0 = Date.now();
      const loadBefore = os.loadavg()[0]!;
      console.log(`\n== ${sc.number}. ${sc.title} ==`);
      let r: ScenarioResult;
      try {
        const out = await sc.run(ctx);
        r = { id: sc.id, number: sc.number, title: sc.title, mode: args.mode, ranAt: new Date().toISOString(), seconds: 0, status: out.status ?? 'ok', checks: out.checks, details: out.details, notes: out.notes };
      } catch (err) {
        const e = err as Error;
        console.error(`  scenario failed: ${e.stack ?? e.message}`);
        r = { id: sc.id, number: sc.number, title: sc.title, mode: args.mode, ranAt: new Date().toISOString(), seconds: 0, status: 'failed', checks: [], details: { error: e.message.split('\n').slice(0, 5).join('\n') }, notes: [`failed: ${e.message.split('\n')[0]}`] };
      }
      r.seconds = Math.round((Date.now() - t0) / 100) / 10;
      // The machine is shared: what else ran shows in the load average (2 = both cores busy).
      r.details.loadAverage = { before: Math.round(loadBefore * 100) / 100, after: Math.round(os.loadavg()[0]! * 100) / 100 };
      results.push(r);
      console.log(`  (${r.seconds} s)`);
      if (interrupted) break;
    }
  } finally {
    await cleanup(ctx);
  }
  const run: RunFile = { runId, startedAt, finishedAt: new Date().toISOString(), mode: args.mode, only: args.only, machine: machine(), scenarios: results };
  // A profiled run is slower than a plain one: it is kept as <time>.json only, never as "latest".
  const { file, latest } = writeResults(run, { latest: !args.profile });
  if (!args.profile) writeChart(latest);
  const readme = !args.profile && args.readme && updateReadme(latest);
  console.log(`\n${printTable(results)}\n`);
  console.log(`results: ${file}${args.profile ? ' (profiled run: latest.json and the README left alone); profiles in bench/results/prof/, summarise with npx tsx bench/lib/profile-summary.ts bench/results/prof/*/*.0.001.cpuprofile' : `, bench/results/latest.json, bench/results/latest.svg${readme ? '; bench/README.md updated' : ''}`}`);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

async function cleanup(ctx: BenchContext): Promise<void> {
  for (const fn of ctx.atEnd.splice(0).reverse()) await fn().catch((err) => console.error(`cleanup: ${(err as Error).message}`));
  await dropAllCreated();
  await deleteAllPrefixes();
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
