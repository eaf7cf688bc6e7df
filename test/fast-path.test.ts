/**
 * The availability fast path in front of fastify (server/http-fast-path.ts):
 * over a real socket, the exact URLs it recognises are answered by it with the
 * bytes and headers the fastify route sends; every other shape of the URL still
 * reaches fastify and its validation.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { createServices } from '../server/services.ts';
import { testDatabase } from './helpers/db.ts';

const ctx = { app: null as unknown as FastifyInstance, port: 0, cleanup: async () => {} };

/** A raw HTTP/1.1 request, so that what comes back is exactly what the server wrote. */
function get(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: ctx.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes out, the status line back: header names exactly as written. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(ctx.port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    socket.on('end', () => resolve(answer.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

/** The headers that describe the answer (not the connection or the time). */
const described = (h: Record<string, unknown>) => {
  const { date: _d, connection: _c, 'keep-alive': _k, ...rest } = h;
  return rest;
};

test.before(async () => {
  const db = await testDatabase();
  const services = await createServices(loadConfig({ AUTH_DEV: '1', LOG_LEVEL: 'silent' }), { db });
  ctx.app = await buildApp(services);
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  ctx.port = (ctx.app.server.address() as { port: number }).port;
  ctx.cleanup = async () => {
    await ctx.app.close();
    await db.cleanup();
  };
});

test.after(() => ctx.cleanup());

test('the availability for now is answered in front of fastify with the route\'s own bytes and headers', async () => {
  for (const path of ['/api/v1/availability?province=MI', '/api/v1/availability?province=RM&audience=employer', '/api/v1/availability?audience=intermediary&province=NA']) {
    const hits = ctx.app.availabilityFastPath!.hits;
    const fast = await get(path);
    assert.is(ctx.app.availabilityFastPath!.hits, hits + 1, `${path} took the fast path`);
    const routed = await ctx.app.inject(path);
    assert.is(fast.status, 200);
    assert.is(fast.body, routed.body, path);
    assert.equal(described(fast.headers), described(routed.headers), path);
  }
});

test('every other shape of the URL goes to fastify, which validates it as before', async () => {
  const cases: [string, number, string?][] = [
    ['/api/v1/availability?province=ZZ', 400, 'unknown_province'],
    ['/api/v1/availability?province=MI&audience=alien', 400, 'validation_failed'],
    ['/api/v1/availability?province=MI&province=RM', 400],
    ['/api/v1/availability?province=MI&extra=1', 400, 'validation_failed'],
    ['/api/v1/availability?province=MI&at=2026-11-23T15:30:00Z', 200],
    ['/api/v1/availability?province=M%49', 200],
    ['/api/v1/availability', 400, 'validation_failed'],
  ];
  for (const [path, status, code] of cases) {
    const hits = ctx.app.availabilityFastPath!.hits;
    const res = await get(path);
    assert.is(ctx.app.availabilityFastPath!.hits, hits, `${path} went to fastify`);
    assert.is(res.status, status, path);
    if (code) assert.is(JSON.parse(res.body).error.code, code, path);
  }
  const head = await get('/api/v1/availability?province=MI', 'HEAD');
  assert.is(head.status, 200, 'HEAD is fastify\'s');
});

test('a GET that announces a body, in any letter case, goes to fastify', async () => {
  const url = '/api/v1/availability?province=MI';
  const requests = [
    `GET ${url} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    `GET ${url} HTTP/1.1\r\nHost: x\r\nCONTENT-LENGTH: 0\r\nConnection: close\r\n\r\n`,
    `GET ${url} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
  ];
  for (const text of requests) {
    const hits = ctx.app.availabilityFastPath!.hits;
    const status = await raw(text);
    assert.match(status, /^HTTP\/1\.1 \d{3} /, 'answered');
    assert.is(ctx.app.availabilityFastPath!.hits, hits, `${text.split('\r\n')[2]} went to fastify`);
  }
  const hits = ctx.app.availabilityFastPath!.hits;
  assert.match(await raw(`GET ${url} HTTP/1.1\r\nHost: x\r\nX-Content-Length-Ish: 1\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 200 /);
  assert.is(ctx.app.availabilityFastPath!.hits, hits + 1, 'other headers do not count');
});

test.run();
