/**
 * A node leaving the load balancer's rotation (server/shutdown.ts), the real
 * process: on SIGTERM it drains for SHUTDOWN_DRAIN_MS — /ready answers 503
 * draining at once, a new chat socket is refused with 503, the sockets it holds
 * keep being served — then closes them with 1001 (reconnect and resume) and
 * exits 0. SIGINT, a person at the terminal, does not wait.
 */
import type { ChildProcess } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig } from '../server/config.ts';
import { startServerProcess, type ServerProcess } from './helpers/server-process.ts';
import { TestSocket } from './helpers/ws-client.ts';

const DRAIN_MS = 2000;

async function worker(proc: ServerProcess, sub: string): Promise<TestSocket> {
  const res = await fetch(`${proc.base}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'worker', sub, province: 'PD' }) });
  const { token } = (await res.json()) as { token: string };
  const [socket] = await TestSocket.signIn(`${proc.base.replace(/^http/, 'ws')}/ws`, token);
  return socket;
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));

test('on SIGTERM a node drains: not ready, no new sockets, the open ones still served; then 1001 and exit 0', async () => {
  const proc = await startServerProcess('drain', { SERVICE_HOURS: 'always', SHUTDOWN_DRAIN_MS: String(DRAIN_MS) });
  try {
    assert.is((await fetch(`${proc.base}/ready`)).status, 200);
    const held = await worker(proc, 'drain-held');
    const started = Date.now();
    proc.child.kill('SIGTERM');
    let ready = await fetch(`${proc.base}/ready`);
    for (let i = 0; ready.status === 200 && i < 50; i++) ready = await fetch(`${proc.base}/ready`);
    assert.is(ready.status, 503);
    assert.is(((await ready.json()) as { error: { code: string } }).error.code, 'draining');
    const refused = await TestSocket.open(`${proc.base.replace(/^http/, 'ws')}/ws`).then(
      (s) => (s.drop(), 'opened'),
      (err: Error) => err.message,
    );
    assert.is(refused, 'upgrade refused: 503');
    held.send({ type: 'chat.request', topic: 'cigo' });
    assert.is((await held.next('queue.joined')).position, 1, 'the socket it holds is still served while draining');
    assert.is(await held.closed, 1001);
    assert.is(held.closeReason, 'server_restart');
    assert.ok(Date.now() - started >= DRAIN_MS - 200, `closed after the drain (${Date.now() - started} ms)`);
    assert.is(await exited(proc.child), 0);
  } finally {
    await proc.stop();
  }
});

test('on SIGINT the node does not wait for the drain', async () => {
  const proc = await startServerProcess('drain-int', { SERVICE_HOURS: 'always', SHUTDOWN_DRAIN_MS: '60000' });
  try {
    const held = await worker(proc, 'drain-int');
    const started = Date.now();
    proc.child.kill('SIGINT');
    assert.is(await held.closed, 1001);
    assert.ok(Date.now() - started < 30_000, 'well before the 60 s drain');
    assert.is(await exited(proc.child), 0);
  } finally {
    await proc.stop();
  }
});

test('SHUTDOWN_DRAIN_MS: 0 by default, up to 300000, nothing else accepted', () => {
  assert.is(loadConfig({ AUTH_DEV: '1' }).shutdownDrainMs, 0);
  assert.is(loadConfig({ AUTH_DEV: '1', SHUTDOWN_DRAIN_MS: '15000' }).shutdownDrainMs, 15000);
  for (const bad of ['-1', '300001', 'dieci']) {
    assert.throws(() => loadConfig({ AUTH_DEV: '1', SHUTDOWN_DRAIN_MS: bad }), (e: unknown) => e instanceof ConfigError && /SHUTDOWN_DRAIN_MS/.test(String(e)), bad);
  }
});

test.run();
