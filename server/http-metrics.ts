/** GET /metrics: Prometheus text format. */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.ts';

export async function metricsRoute(app: FastifyInstance, opts: { metrics: Metrics }): Promise<void> {
  app.get('/metrics', { schema: { hide: true, response: { 200: { type: 'string' } } } as object }, async (_request, reply) => {
    reply.header('Content-Type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
}
