/**
 * GET /api/v1/sign-in[?page=…]: how a page signs its user in. Public, and says
 * nothing secret: an OpenID Connect public client's endpoints and id are what the
 * browser sends to the identity provider anyway. The page runs the authorization
 * code flow with PKCE itself (widgets/lib/oidc-client.js); this server only ever
 * verifies the resulting JWT, like any other.
 *
 * `page` names the asking page: the full-page chat (the default) or a staff
 * console (advisor, office, dashboard). They share the identity provider and its
 * client; they differ only when there is none: the chat can still be handed a
 * token by a host page (`host`), a console has no host page (`none`).
 */
import type { FastifyInstance } from 'fastify';
import type { PageSignIn } from './config.ts';

export const SIGN_IN_PAGES = ['chat', 'advisor', 'office', 'dashboard'] as const;
export type SignInPage = (typeof SIGN_IN_PAGES)[number];

const signInSchema = {
  type: 'object',
  required: ['method'],
  properties: {
    method: { enum: ['oidc', 'dev', 'host', 'none'] },
    authorizeUrl: { type: 'string' },
    tokenUrl: { type: 'string' },
    clientId: { type: 'string' },
    scope: { type: 'string' },
    token: { enum: ['id_token', 'access_token'] },
  },
} as const;

const querySchema = {
  type: 'object',
  properties: { page: { enum: SIGN_IN_PAGES } },
  additionalProperties: false,
} as const;

export type SignInMethod = { method: 'oidc' } & PageSignIn | { method: 'dev' } | { method: 'host' };
type PageMethod = SignInMethod | { method: 'none' };

/** OIDC when configured; else the development picker when AUTH_DEV is on; else only a host page's token. */
export function signInMethod(pageSignIn: PageSignIn | null, authDev: boolean): SignInMethod {
  if (pageSignIn) return { method: 'oidc', ...pageSignIn };
  return authDev ? { method: 'dev' } : { method: 'host' };
}

/** What `page` is told: a console has no host page to hand it a token. */
function forPage(method: SignInMethod, page: SignInPage): PageMethod {
  return method.method === 'host' && page !== 'chat' ? { method: 'none' } : method;
}

export async function signInRoutes(app: FastifyInstance, opts: { method: SignInMethod }): Promise<void> {
  app.get<{ Querystring: { page?: SignInPage } }>(
    '/api/v1/sign-in',
    { schema: { querystring: querySchema, response: { 200: signInSchema } } },
    async (request, reply) => {
      reply.header('Cache-Control', 'public, max-age=300');
      return forPage(opts.method, request.query.page ?? 'chat');
    },
  );
}
