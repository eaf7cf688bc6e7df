/**
 * The pages (widgets/): static files with a strict Content-Security-Policy and no
 * inline script. The chat app may be framed only by the allowed host pages.
 * Text files (HTML, JS, CSS, SVG) go out gzip-compressed when the browser accepts
 * it, compressed once per file version (path + ETag + Last-Modified) and kept in
 * memory; every page file may be cached for five minutes.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const WIDGETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../widgets');

/** `connectSources`: origins the pages may fetch besides this server (the identity provider's token endpoint). */
export function contentSecurityPolicy(frameAncestors: string, connectSources: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self' ws: wss:", ...connectSources].join(' '),
    "frame-src 'self'",
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export async function pageRoutes(app: FastifyInstance, opts: { frameAncestors: string[]; connectSources?: string[] }): Promise<void> {
  const ancestors = ["'self'", ...opts.frameAncestors].join(' ');
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    const served = servedPath(request.url);
    // Whatever a signed-in request gets is someone's data (a request, a transcript, who read
    // what): no browser cache or proxy may keep it. Routes with something to share set their own.
    if (request.headers.authorization !== undefined && !reply.hasHeader('cache-control')) reply.header('Cache-Control', 'no-store');
    if (!served.startsWith('/api/')) {
      const framable = served === '/chat' || served.startsWith('/chat/');
      reply.header('Content-Security-Policy', contentSecurityPolicy(framable ? ancestors : "'none'", opts.connectSources));
      if (!framable) reply.header('X-Frame-Options', 'DENY');
    }
    return payload;
  });
  const gzipped = new Map<string, { version: string; body: Buffer }>();
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode !== 200 || request.url.startsWith('/api/')) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    const etag = reply.getHeader('etag');
    // Only @fastify/static's answers (they carry an ETag) of the compressible types.
    if (!etag || !COMPRESSIBLE.test(type) || reply.getHeader('content-encoding')) return payload;
    reply.header('Vary', 'Accept-Encoding');
    if (!/\bgzip\b/i.test(String(request.headers['accept-encoding'] ?? ''))) return payload;
    const key = servedPath(request.url);
    const version = `${String(etag)} ${String(reply.getHeader('last-modified') ?? '')}`;
    let hit = gzipped.get(key);
    if (hit?.version === version) {
      (payload as Readable | null)?.destroy?.();
    } else {
      const body = await readAll(payload);
      hit = { version, body: gzipSync(body, { level: 9 }) };
      if (gzipped.size >= 500) gzipped.clear(); // a bound on memory; widgets/ holds a few dozen files
      gzipped.set(key, hit);
    }
    reply.header('Content-Encoding', 'gzip');
    reply.removeHeader('content-length');
    return hit.body;
  });
  await app.register(fastifyStatic, { root: WIDGETS, prefix: '/', index: ['index.html'], redirect: true, decorateReply: false, maxAge: 300_000 });
}

/**
 * The path a request is answered for, dot segments resolved as the static files see
 * them: the headers are chosen by it, not by the raw URL, else `/api/%2e%2e/advisor/`
 * served a console with no CSP at all and `/chat/../advisor/` one that could be framed.
 */
export function servedPath(url: string): string {
  const raw = url.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  return path.posix.normalize(decoded.replace(/\\/g, '/'));
}

const COMPRESSIBLE = /^(text\/(html|css|javascript|plain)|application\/(javascript|json)|image\/svg\+xml)\b/i;

async function readAll(payload: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload);
  const parts: Buffer[] = [];
  for await (const chunk of payload as AsyncIterable<Buffer | string>) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts);
}
