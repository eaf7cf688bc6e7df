/**
 * A test identity provider for the auth suites: an RS256 key whose public half
 * a local HTTP server publishes as a key set (JWKS), the production verifier
 * (createJwksAuthenticator) pointed at it, and tokens signed with the key. The
 * server is started in the suite's `before` and closed in its `after`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Test } from 'uvu';
import type { Authenticator, Identity } from '../../server/auth.ts';
import { createJwksAuthenticator } from '../../server/auth-jwks.ts';

export const IDP_ISSUER = 'https://idp.example.test';
export const IDP_AUDIENCE = 'info-cig';
/** Now in JWT seconds. */
export const now = () => Math.floor(Date.now() / 1000);

/** Serves `body` as JSON at a key-set URL on a free port, counting requests through `onHit`. */
export function serveJson(body: unknown, onHit: () => void): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    onHit();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/.well-known/jwks.json` });
    });
  });
}

export function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface TestIdp {
  /** The production verifier over the published key set. */
  verify(token: string): Promise<Identity>;
  /** An RS256 token of the provider (kid idp-1, a worker spid-user-1 for ten minutes); `claims` overrides, `undefined` deletes. */
  token(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** How many times the key set was fetched. */
  readonly hits: number;
  /** The public key in PEM, as an attacker could know it. */
  readonly publicPem: string;
}

export function testIdp(test: Test): TestIdp {
  let privateKey: CryptoKey;
  let publicPem = '';
  let server: Server | undefined;
  let hits = 0;
  let verifier: Authenticator;

  test.before(async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    privateKey = rsa.privateKey;
    publicPem = await exportSPKI(rsa.publicKey);
    const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] };
    const served = await serveJson(jwks, () => void hits++);
    server = served.server;
    verifier = createJwksAuthenticator({ jwksUrl: served.url, issuer: IDP_ISSUER, audience: IDP_AUDIENCE });
  });

  test.after(async () => {
    await closeServer(server);
  });

  return {
    verify: (token) => verifier.verify(token),
    token(claims = {}, header = {}) {
      const payload: Record<string, unknown> = {
        iss: IDP_ISSUER,
        aud: IDP_AUDIENCE,
        sub: 'spid-user-1',
        role: 'worker',
        iat: now(),
        exp: now() + 600,
        ...claims,
      };
      for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
      return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'RS256', kid: 'idp-1', ...header }).sign(privateKey);
    },
    get hits() {
      return hits;
    },
    get publicPem() {
      return publicPem;
    },
  };
}
