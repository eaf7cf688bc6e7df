/**
 * The pages (widgets/): static files with a strict Content-Security-Policy and no
 * inline script. The chat app may be framed only by the allowed host pages.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const WIDGETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../widgets');

export function contentSecurityPolicy(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "frame-src 'self'",
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export async function pageRoutes(app: FastifyInstance, opts: { frameAncestors: string[] }): Promise<void> {
  const ancestors = ["'self'", ...opts.frameAncestors].join(' ');
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    if (!request.url.startsWith('/api/')) {
      const framable = request.url.startsWith('/chat');
      reply.header('Content-Security-Policy', contentSecurityPolicy(framable ? ancestors : "'none'"));
      if (!framable) reply.header('X-Frame-Options', 'DENY');
    }
    return payload;
  });
  await app.register(fastifyStatic, { root: WIDGETS, prefix: '/', index: ['index.html'], redirect: true, decorateReply: false });
}
