/**
 * `npm test`: every test file under test/ in its own process (a crash in one
 * cannot hide the others), two at a time, with uvu through tsx. Files that need
 * a service which does not answer say so on a line `# skipped: <why>`; those are
 * listed at the end. The last line is always `N passed, N failed, N skipped`.
 *
 *   npm test                 all files
 *   npm test -- chat store   only files whose name contains one of the words
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filters = process.argv.slice(2);
/** Where the suites are; test/test-runner.test.ts points it at its fixtures. */
const testDir = process.env.TEST_DIR ?? 'test';
const files = readdirSync(path.join(root, testDir))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 2);
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 240_000);
const LINGER_MS = 30_000;

interface Outcome {
  file: string;
  passed: number;
  failed: number;
  skipped: number;
  skipReasons: string[];
  output: string;
  ms: number;
}

/** Makes uvu say why a suite's before/after hook failed (it drops the error otherwise). */
const HOOK_ERRORS = pathToFileURL(path.join(root, 'test/helpers/uvu-hook-errors.ts')).href;

/**
 * Each test file runs in its own process group, so that what it started (a server process,
 * chromium) goes with it: killed at a timeout or a linger, and swept once the file has
 * exited. A server left behind by a failed set-up would otherwise load the machine for every
 * file after it. On Ctrl-C or SIGTERM the groups still running are ended too.
 */
const groups = new Set<number>();
function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const pid of groups) killGroup(pid);
    process.exit(130);
  });
}

function runFile(file: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', HOOK_ERRORS, path.join(root, 'node_modules/uvu/bin.js'), testDir, `^${file.replace(/\./g, '\\.')}$`], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (child.pid) groups.add(child.pid);
    let output = '';
    let lingered = false;
    let lingerTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      output += d;
      // uvu prints Duration last, after every after-hook: a file still running long after
      // that has reported all it will; it is ended and the linger is reported, not hidden.
      if (!lingerTimer && /Duration:/.test(output)) {
        lingerTimer = setTimeout(() => {
          lingered = true;
          output += `\n# lingered: ${file} was still running ${LINGER_MS / 1000} s after its summary and was ended\n`;
          killGroup(child.pid);
        }, LINGER_MS);
        lingerTimer.unref();
      }
    });
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n(test file timed out after ${fileTimeoutMs} ms)\n`;
      killGroup(child.pid);
    }, fileTimeoutMs);
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      // Whatever the file left running in its group is an orphan now.
      killGroup(child.pid);
      if (child.pid) groups.delete(child.pid);
      resolve(summarize(file, output, lingered ? 0 : (code ?? 1), Date.now() - started));
    };
    child.on('close', finish);
    // A process a test left behind may hold the pipes open after the file itself exited:
    // the exit decides, with a moment for the last output to arrive.
    child.on('exit', (code) => setTimeout(() => finish(code), 2000).unref());
  });
}

function count(output: string, label: string): number | null {
  const m = output.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'));
  return m ? Number(m[1]) : null;
}

function summarize(file: string, output: string, code: number, ms: number): Outcome {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
  const total = count(clean, 'Total') ?? 0;
  const passed = count(clean, 'Passed') ?? 0;
  const skipped = count(clean, 'Skipped') ?? 0;
  // uvu's Total counts the tests that ran; test.skip() ones are only in Skipped.
  let failed = total - passed;
  if (code !== 0 && failed === 0) failed = 1; // a crash before or after the tests
  const skipReasons = [...clean.matchAll(/^# skipped: (.*)$/gm)].map((m) => m[1]!);
  return { file, passed, failed, skipped: skipped + skipReasons.length, skipReasons, output: clean, ms };
}

async function main(): Promise<void> {
  const queue = [...files];
  const outcomes: Outcome[] = [];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const o = await runFile(file);
      outcomes.push(o);
      const mark = o.failed ? 'FAIL' : 'ok  ';
      console.log(`${mark} ${file.padEnd(34)} ${String(o.passed).padStart(3)} passed ${String(o.failed).padStart(2)} failed ${o.skipped ? `${o.skipped} skipped ` : ''}(${(o.ms / 1000).toFixed(1)} s)`);
      if (o.failed) console.log(o.output.split('\n').map((l) => `     | ${l}`).join('\n'));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const sum = (k: 'passed' | 'failed' | 'skipped') => outcomes.reduce((n, o) => n + o[k], 0);
  const lingered = outcomes.filter((o) => o.output.includes('# lingered:')).map((o) => `  ${o.file}`);
  if (lingered.length) console.log(`\nDid not exit after reporting (ended after ${LINGER_MS / 1000} s; its results stand):\n${lingered.join('\n')}`);
  const reasons = outcomes.flatMap((o) => o.skipReasons.map((r) => `  ${o.file}: ${r}`));
  if (reasons.length) console.log(`\nNot run here:\n${reasons.join('\n')}`);
  const mode = process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
  console.log(`\nstorage: ${mode}; files: ${outcomes.length}`);
  console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
  process.exitCode = sum('failed') > 0 || outcomes.length === 0 ? 1 : 0;
}

void main();
