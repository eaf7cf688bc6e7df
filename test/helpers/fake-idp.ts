/**
 * A small OpenID Connect identity provider for the browser suites, in the test's
 * process: /authorize (authorization code, redirecting back with the code or with
 * `access_denied`), /token (the code exchanged against its PKCE verifier, checked
 * for real, and refresh tokens), /jwks (its RS256 key). Whoever signs in next is
 * `idp.person`: the claims of that person's id_token. Apart from test/helpers/idp.ts,
 * which serves only a key set for the verifier's own suites.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as assert from 'uvu/assert';

export const FAKE_ISSUER = 'https://idp.example.test';

type Claims = Record<string, unknown> & { sub: string };

interface Grant {
  challenge: string;
  nonce: string;
  redirectUri: string;
  person: Claims;
}

export interface FakeIdp {
  readonly base: string;
  /** Every POST /token form, in order. */
  readonly tokenCalls: Record<string, string>[];
  /** Every GET /authorize query, in order. */
  readonly authorizations: URLSearchParams[];
  /** The claims of whoever signs in next (sub required). */
  person: Claims;
  /** Seconds of validity of the next id_token issued. */
  lifetime: number;
  /** How many of the next /authorize requests answer access_denied. */
  refusals: number;
  /** An id_token of this provider for `person` (what a page would get), for the suite's own API calls. */
  token(person: Claims, nonce?: string): Promise<string>;
  close(): Promise<void>;
}

const b64url = (b: Buffer) => b.toString('base64url');

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return Object.fromEntries(new URLSearchParams(text));
}

/** Starts the provider on a free port for the OpenID client `clientId` (also the tokens' audience). */
export async function startFakeIdp(clientId: string, person: Claims): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const grants = new Map<string, Grant>();
  const refreshes = new Map<string, Claims>();
  let server: Server;

  const idp: FakeIdp = {
    base: '',
    tokenCalls: [],
    authorizations: [],
    person,
    lifetime: 600,
    refusals: 0,
    token: (who, nonce) => sign(privateKey, clientId, who, idp.lifetime, nonce),
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', idp.base);
    if (url.pathname === '/jwks') return send(res, 200, { keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' }] });
    if (url.pathname === '/authorize') return authorize(url.searchParams, res);
    if (url.pathname === '/token' && req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type, accept', 'access-control-allow-methods': 'POST' });
      return void res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') return exchange(await readForm(req), res);
    send(res, 404, { error: 'not_found' });
  }

  function authorize(q: URLSearchParams, res: ServerResponse): void {
    idp.authorizations.push(q);
    const back = new URL(q.get('redirect_uri') ?? '');
    back.searchParams.set('state', q.get('state') ?? '');
    if (idp.refusals > 0) {
      idp.refusals--;
      back.searchParams.set('error', 'access_denied');
    } else {
      assert.is(q.get('client_id'), clientId);
      assert.is(q.get('response_type'), 'code');
      assert.is(q.get('code_challenge_method'), 'S256');
      const code = b64url(randomBytes(16));
      grants.set(code, { challenge: q.get('code_challenge') ?? '', nonce: q.get('nonce') ?? '', redirectUri: back.origin + back.pathname, person: idp.person });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.href });
    res.end();
  }

  async function exchange(form: Record<string, string>, res: ServerResponse): Promise<void> {
    idp.tokenCalls.push(form);
    if (form.grant_type === 'refresh_token') {
      const who = refreshes.get(form.refresh_token ?? '');
      if (!who) return send(res, 400, { error: 'invalid_grant' });
      idp.lifetime = 600;
      return send(res, 200, { id_token: await idp.token(who), token_type: 'Bearer', expires_in: 600 });
    }
    const grant = grants.get(form.code ?? '');
    grants.delete(form.code ?? '');
    const verified = grant && b64url(createHash('sha256').update(form.code_verifier ?? '').digest()) === grant.challenge;
    if (!grant || !verified || form.redirect_uri !== grant.redirectUri) return send(res, 400, { error: 'invalid_grant' });
    const refresh = `refresh-${refreshes.size + 1}`;
    refreshes.set(refresh, grant.person);
    return send(res, 200, { id_token: await idp.token(grant.person, grant.nonce), refresh_token: refresh, token_type: 'Bearer', expires_in: idp.lifetime });
  }

  server = createServer((req, res) => void handle(req, res).catch((err) => send(res, 500, { error: String(err) })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  (idp as { base: string }).base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return idp;
}

function sign(key: CryptoKey, audience: string, { sub, ...claims }: Claims, lifetime: number, nonce?: string): Promise<string> {
  return new SignJWT({ ...claims, ...(nonce ? { nonce } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
    .setIssuer(FAKE_ISSUER)
    .setAudience(audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + lifetime)
    .sign(key);
}
