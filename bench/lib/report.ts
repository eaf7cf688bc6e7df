/**
 * Results out: the JSON files, the printed table, the SVG chart, and the results
 * section of bench/README.md (between its two `bench:results` markers).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH, CORES, PINNED, LOAD_CPU, SERVER_CPU } from './proc.ts';
import { fmt } from './stats.ts';
import type { Check, Mode, ScenarioResult } from './types.ts';

export const RESULTS_DIR = path.join(BENCH, 'results');
const README = path.join(BENCH, 'README.md');
const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

export interface RunFile {
  runId: string;
  startedAt: string;
  finishedAt: string;
  mode: Mode;
  only: string[] | null;
  machine: { cpus: number; model: string; node: string; pinned: string; memoryGiB: number };
  scenarios: ScenarioResult[];
}

export function machine(): RunFile['machine'] {
  return {
    cpus: CORES,
    model: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    pinned: PINNED ? `servers on core ${SERVER_CPU}, load on core ${LOAD_CPU} (taskset)` : process.env.BENCH_PIN === '0' ? 'not pinned (BENCH_PIN=0)' : 'not pinned (taskset unavailable or one core)',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** Writes <stamp>.json, merges into latest.json (a scenario run alone replaces only its own entry). */
export function writeResults(run: RunFile, o: { latest: boolean } = { latest: true }): { file: string; latest: RunFile } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = run.startedAt.replace(/[:]/g, '-').replace(/\..*$/, '');
  const file = path.join(RESULTS_DIR, `${stamp}.json`);
  writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
  const latestPath = path.join(RESULTS_DIR, 'latest.json');
  let latest: RunFile = run;
  if (run.only && existsSync(latestPath)) {
    try {
      const prev = JSON.parse(readFileSync(latestPath, 'utf8')) as RunFile;
      const mine = new Set(run.scenarios.map((s) => s.id));
      latest = { ...run, scenarios: [...prev.scenarios.filter((s) => !mine.has(s.id)), ...run.scenarios].sort((a, b) => a.number - b.number) };
    } catch {
      latest = run;
    }
  }
  latest = { ...latest, scenarios: [...latest.scenarios].sort((a, b) => a.number - b.number) };
  if (!o.latest) return { file, latest };
  writeFileSync(latestPath, JSON.stringify(latest, null, 2) + '\n');
  return { file, latest };
}

function valueText(c: Check): string {
  return `${fmt(c.value)}${c.unit === '×' ? '×' : c.unit ? ` ${c.unit}` : ''}`;
}

function verdict(c: Check): string {
  return c.pass === null ? '—' : c.pass ? 'yes' : 'NO';
}

interface Row {
  n: string;
  scenario: string;
  measure: string;
  value: string;
  baseline: string;
  target: string;
  met: string;
}

function rows(results: ScenarioResult[]): Row[] {
  const out: Row[] = [];
  for (const s of results) {
    const title = `${s.title}${s.mode === 'quick' ? ' (quick)' : ''}`;
    if (s.status !== 'ok' && s.checks.length === 0) {
      out.push({ n: String(s.number), scenario: title, measure: s.status, value: '—', baseline: '—', target: '—', met: s.status === 'failed' ? 'NO' : '—' });
      continue;
    }
    s.checks.forEach((c, i) => {
      out.push({
        n: i === 0 ? String(s.number) : '',
        scenario: i === 0 ? title : '',
        measure: c.name,
        value: valueText(c),
        baseline: c.baseline ?? '',
        target: c.target === '—' ? '—' : `${c.target}${c.unit === '×' ? '×' : c.unit ? ` ${c.unit}` : ''}`,
        met: verdict(c),
      });
    });
  }
  return out;
}

const HEAD: Row = { n: '#', scenario: 'scenario', measure: 'measure', value: 'result', baseline: 'baseline (same run)', target: 'target', met: 'met' };
const KEYS = Object.keys(HEAD) as (keyof Row)[];

export function printTable(results: ScenarioResult[]): string {
  const all = [HEAD, ...rows([...results].sort((a, b) => a.number - b.number))];
  const width = Object.fromEntries(KEYS.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<keyof Row, number>;
  const line = (r: Row) => KEYS.map((k) => r[k].padEnd(width[k])).join('  ').trimEnd();
  const rule = KEYS.map((k) => '-'.repeat(width[k])).join('  ');
  return [line(HEAD), rule, ...all.slice(1).map(line)].join('\n');
}

export function markdownTable(results: ScenarioResult[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${KEYS.map((k) => HEAD[k]).join(' | ')} |`, `| ${KEYS.map(() => '---').join(' | ')} |`];
  for (const r of rows(results)) lines.push(`| ${KEYS.map((k) => esc(r[k]) || ' ').join(' | ')} |`);
  return lines.join('\n');
}

/** How far a check is from its target: 1 = exactly met, 2 = twice as good; null without a numeric target. */
export function score(c: Check): number | null {
  const m = c.target.match(/^(>=|<=)\s*([\d.,]+)/);
  if (!m || !Number.isFinite(c.value)) return null;
  const t = Number(m[2]!.replace(/,/g, ''));
  if (m[1] === '>=') return t === 0 ? null : c.value / t;
  return c.value <= 0 ? 3 : t / c.value;
}

const escXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar per judged figure: its distance to the target (the line at 1×), log scale 0.01×–10×. */
export function svgChart(run: RunFile): string {
  const items: { label: string; s: number; text: string; pass: boolean | null }[] = [];
  for (const sc of run.scenarios) {
    for (const c of sc.checks) {
      const s = score(c);
      if (s === null) continue;
      items.push({ label: `${sc.number}. ${c.name}`, s, text: `${valueText(c)} (target ${c.target}${c.unit === '×' ? '×' : c.unit ? ` ${c.unit}` : ''})`, pass: c.pass });
    }
  }
  const W = 980;
  const labelW = 440;
  const barW = 330;
  const rowH = 22;
  const top = 56;
  const H = top + items.length * rowH + 40;
  const lo = Math.log10(0.01);
  const hi = Math.log10(10);
  const x = (v: number) => labelW + ((Math.log10(Math.min(10, Math.max(0.01, v))) - lo) / (hi - lo)) * barW;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="10" y="20" font-size="15" font-weight="600">INFO CIG bench — ${escXml(run.mode)} run ${escXml(run.finishedAt.slice(0, 16).replace('T', ' '))} UTC</text>`);
  parts.push(`<text x="10" y="38" fill="#555">Each bar: result ÷ target (or target ÷ result for "at most" targets), log scale. Right of the line at 1× = target met.</text>`);
  for (const t of [0.01, 0.1, 1, 10]) {
    const xx = x(t);
    parts.push(`<line x1="${xx}" y1="${top - 6}" x2="${xx}" y2="${top + items.length * rowH}" stroke="${t === 1 ? '#222' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    parts.push(`<text x="${xx}" y="${top + items.length * rowH + 14}" text-anchor="middle" fill="#555">${t}×</text>`);
  }
  items.forEach((it, i) => {
    const y = top + i * rowH;
    const color = it.pass === null ? '#999' : it.pass ? '#2e7d32' : '#c62828';
    const x0 = x(0.01);
    parts.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" font-size="11">${escXml(it.label.length > 70 ? `${it.label.slice(0, 68)}…` : it.label)}</text>`);
    parts.push(`<rect x="${x0}" y="${y + 4}" width="${Math.max(1, x(it.s) - x0)}" height="${rowH - 8}" fill="${color}" opacity="0.85"/>`);
    parts.push(`<text x="${labelW + barW + 8}" y="${y + 14}" fill="#333">${escXml(it.text)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export function writeChart(run: RunFile): string {
  const file = path.join(RESULTS_DIR, 'latest.svg');
  writeFileSync(file, svgChart(run));
  return file;
}

/** Replaces the results section of bench/README.md with this run's table. */
export function updateReadme(run: RunFile): boolean {
  if (!existsSync(README)) return false;
  const text = readFileSync(README, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) return false;
  const modes = [...new Set(run.scenarios.map((s) => s.mode))].join(' + ');
  const when = [...new Set(run.scenarios.map((s) => s.ranAt.slice(0, 10)))].join(', ');
  const loads = run.scenarios.flatMap((s) => {
    const l = s.details.loadAverage as { before: number; after: number } | undefined;
    return l ? [l.before, l.after] : [];
  });
  const loadText = loads.length ? ` Load average (1 min) around the scenarios: ${Math.min(...loads)}–${Math.max(...loads)} on ${run.machine.cpus} cores (the machine is shared).` : '';
  const notes = run.scenarios.flatMap((s) => s.notes.map((n) => `- **${s.number}. ${s.title}**: ${n}`));
  const section = [
    START,
    `_Written by \`npm run bench\` (${modes} mode, ${when}; ${run.machine.cpus} cores, ${escMd(run.machine.model)}, Node ${run.machine.node}; ${run.machine.pinned}). Source: [results/latest.json](results/latest.json).${loadText}_`,
    '',
    markdownTable(run.scenarios),
    '',
    '![Results against targets](results/latest.svg)',
    '',
    ...(notes.length ? ['Notes from the run:', '', ...notes, ''] : []),
    END,
  ].join('\n');
  writeFileSync(README, text.slice(0, a) + section + text.slice(b + END.length));
  return true;
}

function escMd(s: string): string {
  return s.replace(/[|*_]/g, ' ');
}
