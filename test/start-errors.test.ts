/**
 * What an operator sees when `npm start` cannot start: a setting that is wrong stops it
 * with exit code 78 and one line naming the variable; services that cannot be opened stop
 * it with exit code 1 and one line with the error's code. Never a stack dump.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../server/config.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function refusal(env: Record<string, string>): string {
  try {
    loadConfig({ AUTH_DEV: '1', ...env });
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
}

/** `server/main.ts` as `npm start` runs it, on the embedded defaults whatever the test run uses. */
function start(env: Record<string, string>): { status: number | null; stderr: string } {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: { ...base, PORT: '0', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stderr: run.stderr };
}

test('a LOG_LEVEL pino does not know stops the start naming the variable and the levels', () => {
  assert.match(refusal({ LOG_LEVEL: 'loud' }), /^Invalid configuration LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"$/);
  assert.is(loadConfig({ AUTH_DEV: '1', LOG_LEVEL: 'debug' }).logLevel, 'debug');
  assert.is(loadConfig({ AUTH_DEV: '1' }).logLevel, 'info');
});

test('an ALLOWED_ORIGINS entry with a path, a trailing slash or no scheme stops the start, saying how to write it', () => {
  assert.match(refusal({ ALLOWED_ORIGINS: 'https://www.inps.it/' }), /^Invalid configuration ALLOWED_ORIGINS: .*got "https:\/\/www\.inps\.it\/" \(write https:\/\/www\.inps\.it\)$/);
  assert.match(refusal({ ALLOWED_ORIGINS: 'https://www.inps.it, https://servizi2.inps.it/omnia' }), /got "https:\/\/servizi2\.inps\.it\/omnia"/);
  assert.match(refusal({ ALLOWED_ORIGINS: 'www.inps.it' }), /^Invalid configuration ALLOWED_ORIGINS: .*got "www\.inps\.it"$/);
  assert.match(refusal({ ALLOWED_ORIGINS: 'ftp://www.inps.it' }), /^Invalid configuration ALLOWED_ORIGINS: /);
  assert.equal(loadConfig({ AUTH_DEV: '1', ALLOWED_ORIGINS: 'https://www.inps.it, http://127.0.0.1:9000' }).allowedOrigins, ['https://www.inps.it', 'http://127.0.0.1:9000']);
  assert.is(loadConfig({ AUTH_DEV: '1', ALLOWED_ORIGINS: ' , ' }).allowedOrigins, null);
});

test('npm start with a bad LOG_LEVEL exits 78 with one line naming it, no stack', () => {
  const run = start({ LOG_LEVEL: 'loud' });
  assert.is(run.status, 78, run.stderr);
  assert.is(run.stderr.trim(), 'INFO CIG cannot start: Invalid configuration LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
});

test('npm start whose DATA_DIR is a file exits 1 with one line and the error code, no stack', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'infocig-start-'));
  const file = path.join(dir, 'not-a-directory');
  writeFileSync(file, 'x');
  try {
    const run = start({ DATA_DIR: file });
    assert.is(run.status, 1, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.is(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^INFO CIG failed to start: .*(EEXIST|ENOTDIR)/);
    assert.not.match(run.stderr, /^\s+at /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
