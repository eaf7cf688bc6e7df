/**
 * GET /api/v1/sign-in: how the full-page chat signs its user in. Public, and says
 * nothing secret: an OpenID Connect public client's endpoints and id are what the
 * browser sends to the identity provider anyway. The page runs the authorization
 * code flow with PKCE itself (widgets/chat/oidc-signin.js); this server only ever
 * verifies the resulting JWT, like any other.
 */
import type { FastifyInstance } from 'fastify';
import type { PageSignIn } from './config.ts';

const signInSchema = {
  type: 'object',
  required: ['method'],
  properties: {
    method: { enum: ['oidc', 'dev', 'host'] },
    authorizeUrl: { type: 'string' },
    tokenUrl: { type: 'string' },
    clientId: { type: 'string' },
    scope: { type: 'string' },
    token: { enum: ['id_token', 'access_token'] },
  },
} as const;

export type SignInMethod = { method: 'oidc' } & PageSignIn | { method: 'dev' } | { method: 'host' };

/** OIDC when configured; else the development picker when AUTH_DEV is on; else only a host page's token. */
export function signInMethod(pageSignIn: PageSignIn | null, authDev: boolean): SignInMethod {
  if (pageSignIn) return { method: 'oidc', ...pageSignIn };
  return authDev ? { method: 'dev' } : { method: 'host' };
}

export async function signInRoutes(app: FastifyInstance, opts: { method: SignInMethod }): Promise<void> {
  app.get('/api/v1/sign-in', { schema: { response: { 200: signInSchema } } }, async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return opts.method;
  });
}
