/**
 * The test helper TcpProxy (test/helpers/tcp-proxy.ts) must never keep the
 * process that uses it from exiting: a leaked native handle there made
 * faults.test.ts spin for ever after its summary. Each case runs in a child
 * process, since "the process exits" is what is checked.
 */
import { spawn } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const proxyUrl = new URL('./helpers/tcp-proxy.ts', import.meta.url).href;

/** Runs an ES module script under tsx; resolves with its exit code, or 'hung' after `ms`. */
function runScript(script: string, ms: number): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'hung', output });
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 'killed', output });
    });
  });
}

test('closing the proxy while a connection is ending its side (the peer sent FIN) lets the process exit', async () => {
  // The proxy is closed right after its socket to the client has answered the client's FIN with its own
  // shutdown, before that shutdown completes: the window in which a reset cannot be done.
  const script = `
    import net from 'node:net';
    const { TcpProxy } = await import(${JSON.stringify(proxyUrl)});
    const upstream = net.createServer((s) => s.on('error', () => {}));
    await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: upstream.address().port });
    const client = net.connect(proxy.port, '127.0.0.1');
    client.on('error', () => {});
    await new Promise((r) => client.once('connect', r));
    while (proxy.open === 0) await new Promise((r) => setTimeout(r, 5));
    const [inner] = [...proxy.pairs].map((p) => p.client); // private, read here only to find the moment
    const ended = new Promise((r) => inner.once('end', () => process.nextTick(() => process.nextTick(r))));
    client.end();
    await ended;
    const inFlight = inner.writableEnded && !inner.writableFinished;
    await proxy.close();
    client.destroy();
    upstream.close();
    console.log('shutdown in flight when closed: ' + inFlight);
  `;
  const { code, output } = await runScript(script, 15_000);
  assert.match(output, 'shutdown in flight when closed: true', `the case tested is the one meant:\n${output}`);
  assert.is(code, 0, `the process exited on its own:\n${output}`);
});

test.run();
