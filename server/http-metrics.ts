/**
 * GET /metrics: Prometheus text format. It tells queue sizes, advisor counts and error
 * rates (nothing personal, but not for the public behind the load balancer): with
 * METRICS_TOKEN set, whoever presents it as a bearer token, from anywhere; without it,
 * this machine only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { bearerToken } from './auth.ts';
import { AppError } from './errors.ts';
import type { Metrics } from './metrics.ts';

export async function metricsRoute(app: FastifyInstance, opts: { metrics: Metrics; token: string | null }): Promise<void> {
  app.get('/metrics', {
    schema: { hide: true, response: { 200: { type: 'string' } } } as object,
    onRequest: async (request, reply) => {
      try {
        checkMetricsAccess({ remoteAddress: request.socket.remoteAddress, headers: request.headers }, opts.token);
      } catch (err) {
        // RFC 6750: a 401 names the scheme the scraper should use.
        if ((err as AppError).statusCode === 401) reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
        throw err;
      }
    },
  }, async (_request, reply) => {
    reply.header('Content-Type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
}

export interface MetricsCaller {
  /** The TCP peer's address (the socket's, never a header's). */
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
}

/** Throws 401 (token set, not presented or wrong) or 403 (no token, not from this machine); returns when allowed. */
export function checkMetricsAccess(caller: MetricsCaller, token: string | null): void {
  if (token !== null) {
    const presented = bearerToken(caller.headers.authorization);
    if (presented === null) throw new AppError('unauthenticated', '/metrics needs Authorization: Bearer <METRICS_TOKEN>');
    if (!sameSecret(presented, token)) throw new AppError('token_invalid', 'not the metrics token');
    return;
  }
  if (!isLoopback(caller.remoteAddress) || cameThroughProxy(caller.headers)) {
    throw new AppError('forbidden', '/metrics answers only this machine (loopback, not through a proxy) unless METRICS_TOKEN is set');
  }
}

/**
 * Compared as SHA-256 digests: equal lengths for timingSafeEqual whatever was sent, so
 * neither the token's bytes nor its length leak through the time the answer takes.
 */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** 127.0.0.0/8, ::1, and 127.x mapped into IPv6 (a dual-stack listener's view of IPv4 loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4)) return true;
  return address === '::1';
}

/**
 * A proxy on this machine (the usual reason HOST is 127.0.0.1) makes every public request
 * arrive from loopback; the forwarding headers it adds tell them apart. The app trusts no
 * proxy (fastify's trustProxy is off), so such a header never makes a request local: it
 * only ever takes the loopback exemption away.
 */
function cameThroughProxy(headers: IncomingHttpHeaders): boolean {
  return headers['x-forwarded-for'] !== undefined || headers.forwarded !== undefined || headers['x-real-ip'] !== undefined;
}
