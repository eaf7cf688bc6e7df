/**
 * npm test's runner (scripts/run-tests.ts) runs each file as uvu through tsx with
 * test/helpers/uvu-hook-errors.ts preloaded, because uvu alone drops the error of
 * a failing before hook: a suite whose server did not start showed "(0 / 8)" and
 * no reason. Runs a fixture suite whose set-up throws, both ways. And the runner
 * ends what a file left running (a server from a failed set-up loaded the machine
 * for every file after it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const preload = pathToFileURL(path.join(root, 'test/helpers/uvu-hook-errors.ts')).href;

function run(extra: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...extra, path.join(root, 'node_modules/uvu/bin.js'), 'test/fixtures', '^hook-fails\\.ts$'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return `${r.stdout}${r.stderr}`;
}

test('a suite whose before hook throws says why when run as npm test runs it', () => {
  const out = run(['--import', preload]);
  assert.match(out, /# before hook failed: Error: the set-up broke here/);
  assert.match(out, /hook-fails\.ts:\d+/, 'with the stack, pointing at the suite');
  assert.match(out, /Passed:\s+0/);
});

test('uvu alone drops that error (why the runner preloads the helper)', () => {
  const out = run([]);
  assert.not.match(out, /the set-up broke here/);
  assert.match(out, /\(0 \/ 1\)/);
});

/** Running, not a zombie waiting for init to reap it (a killed orphan is one for a moment). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILL is delivered when the orphan is next scheduled: on a loaded machine that is a moment later. */
function endsWithin(pid: number, ms: number): boolean {
  const until = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > until) return false;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return true;
}

test('a process a test file started and left running is ended with the file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'infocig-runner-'));
  const pidFile = path.join(dir, 'orphan.pid');
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/run-tests.ts'), 'leaves-orphan'], {
      cwd: root,
      env: { ...process.env, TEST_DIR: 'test/fixtures', ORPHAN_PID_FILE: pidFile, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.match(r.stdout, /1 passed, 0 failed/, r.stdout + r.stderr);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(pid > 0);
    // The orphan sleeps for 300 s: still running 5 s after the runner exited means nobody ended it.
    assert.ok(endsWithin(pid, 5000), `the orphan ${pid} is still running 5 s after the runner exited`);
  } finally {
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
