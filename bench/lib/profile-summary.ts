/**
 * Summarises V8 .cpuprofile files (from `npm run bench -- --profile`): where the
 * samples fall, by function (self time) and by package or project folder (self
 * time), so a README note can say what limits a figure.
 *
 *   npx tsx bench/lib/profile-summary.ts bench/results/prof/*.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './proc.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  idlePct: number;
  byFunction: { name: string; pct: number }[];
  byArea: { area: string; pct: number }[];
}

function area(url: string): string {
  if (!url) return '(native / V8)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (u.startsWith('node:')) return `node:${u.slice(5).split('/')[0]}`;
  if (u.startsWith(ROOT)) return path.relative(ROOT, u);
  return u;
}

export function summarise(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  let total = 0;
  let idle = 0;
  const fn = new Map<string, number>();
  const ar = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    total += us;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += us;
      continue;
    }
    const key = `${name} ${area(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a = name === '(garbage collector)' ? '(garbage collector)' : name === '(program)' ? '(program)' : area(n.callFrame.url);
    ar.set(a, (ar.get(a) ?? 0) + us);
  }
  const busy = total - idle || 1;
  const sort = (m: Map<string, number>) => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
  return {
    file,
    totalMs: Math.round(total / 1000),
    idlePct: Math.round((idle / (total || 1)) * 1000) / 10,
    byFunction: sort(fn).map(([name, us]) => ({ name, pct: Math.round((us / busy) * 1000) / 10 })),
    byArea: sort(ar).map(([area, us]) => ({ area, pct: Math.round((us / busy) * 1000) / 10 })),
  };
}

// Run as a script (a relative path too: `npx tsx bench/lib/profile-summary.ts …`).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const t = args.indexOf('--top');
  const top = t >= 0 ? Number(args[t + 1]) : 25;
  const files = args.filter((a, i) => a.endsWith('.cpuprofile') && (t < 0 || i !== t + 1));
  for (const f of files) {
    const s = summarise(f, top);
    console.log(`\n${path.basename(f)}: ${s.totalMs} ms sampled, ${s.idlePct}% idle; shares of busy time:`);
    console.log('  by area:');
    for (const a of s.byArea) console.log(`    ${a.pct.toFixed(1).padStart(5)}%  ${a.area}`);
    console.log('  by function (self):');
    for (const x of s.byFunction) console.log(`    ${x.pct.toFixed(1).padStart(5)}%  ${x.name}`);
  }
}
