/** Bearer sign-in for HTTP routes: the verified identity, or 401 with a stable code. */
import type { FastifyRequest } from 'fastify';
import { bearerToken, type Authenticator, type Identity } from './auth.ts';
import { AppError } from './errors.ts';

export async function signedIn(request: FastifyRequest, auth: Authenticator): Promise<Identity> {
  const token = bearerToken(request.headers.authorization);
  if (!token) throw new AppError('unauthenticated', 'send Authorization: Bearer <token>');
  return auth.verify(token);
}
