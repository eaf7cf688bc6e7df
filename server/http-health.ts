/** Liveness and readiness for load balancers and orchestrators. */
import type { FastifyInstance } from 'fastify';
import { errorSchema } from './http-errors.ts';

export interface Probe {
  name: string;
  check(): Promise<void>;
}

export async function healthRoutes(app: FastifyInstance, opts: { probes: Probe[]; draining: () => boolean }): Promise<void> {
  app.get('/health', { schema: { response: { 200: { type: 'object', properties: { status: { const: 'ok' } } } } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/ready',
    {
      schema: {
        response: {
          200: { type: 'object', properties: { status: { const: 'ready' } } },
          503: errorSchema,
        },
      },
    },
    async (_request, reply) => {
      // First: a draining node must leave the balancer's rotation whatever its services say.
      if (opts.draining()) return reply.code(503).send({ error: { code: 'draining', message: 'Draining: this node is shutting down' } });
      const failed: string[] = [];
      await Promise.all(
        opts.probes.map(async (p) => {
          try {
            await withTimeout(p.check(), 2000);
          } catch {
            failed.push(p.name);
          }
        }),
      );
      if (failed.length) return reply.code(503).send({ error: { code: 'not_ready', message: `Not ready: ${failed.join(', ')} not answering` } });
      return { status: 'ready' as const };
    },
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]);
}
