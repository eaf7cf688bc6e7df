/**
 * Development sign-in: an in-process identity provider.
 *
 * A fresh ES256 key pair is generated at start; tokens are signed with it and
 * verified through a local JWKS under the same pinned rules as production, so
 * code paths behind the authenticator are exercised exactly as they will be.
 * Only wired when AUTH_DEV=1 (refused in production by config.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { AppError } from './errors.ts';
import { contactFromClaims } from './notice-contacts.ts';
import { identityFromClaims, type Authenticator } from './auth.ts';
import { createJwtAuthenticator, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './auth-jwks.ts';
import { isUserRole, type Role } from '../routing/types.ts';

export const DEV_ISSUER = 'info-cig-dev';
export const DEV_AUDIENCE = 'info-cig';
export const DEV_TTL_DEFAULT_SECONDS = 8 * 60 * 60;
export const DEV_TTL_MIN_SECONDS = 60;
export const DEV_TTL_MAX_SECONDS = 24 * 60 * 60;

/** What may be asked of POST /dev/token. */
export interface DevTokenRequest {
  role: Role;
  sub?: string;
  name?: string;
  province?: string;
  fiscalCode?: string;
  matricola?: string;
  matricole?: string[];
  sede?: string;
  skills?: string[];
  lang?: string;
  /** The user's contact, as an identity provider gives it (`email`, `phone_number`): Linea INPS notices go there. */
  email?: string;
  phoneNumber?: string;
  ttlSeconds?: number;
}

export interface DevAuthOptions {
  issuer?: string;
  audience?: string;
}

export interface DevAuth {
  authenticator: Authenticator;
  /** A signed token for these claims; AppError validation_failed when they would not verify. */
  issue(claims: DevTokenRequest): Promise<string>;
  /** The public key set tokens are verified against. */
  jwks(): JSONWebKeySet;
}

const DEMO_NAMES: Record<Role, string> = {
  worker: 'Mario Rossi',
  employer: 'Giulia Bianchi',
  intermediary: 'Studio Verdi',
  advisor: 'Operatore Demo',
  office: 'Sede Demo',
  supervisor: 'Supervisore Demo',
};

const ALG = 'ES256';

export async function createDevAuth(options: DevAuthOptions = {}): Promise<DevAuth> {
  const issuer = options.issuer ?? DEV_ISSUER;
  const audience = options.audience ?? DEV_AUDIENCE;
  const { publicKey, privateKey } = await generateKeyPair(ALG);
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported);
  const publicJwk: JWK = { ...exported, kid, alg: ALG, use: 'sig' };
  const keySet: JSONWebKeySet = { keys: [publicJwk] };

  const authenticator = createJwtAuthenticator(createLocalJWKSet(keySet), {
    issuer,
    audience,
    algorithms: [ALG],
    clockToleranceSeconds: DEFAULT_CLOCK_TOLERANCE_SECONDS,
  });

  async function issue(request: DevTokenRequest): Promise<string> {
    if (request === null || typeof request !== 'object') throw new AppError('validation_failed', 'the request is not an object');
    const ttl = request.ttlSeconds ?? DEV_TTL_DEFAULT_SECONDS;
    if (!Number.isInteger(ttl) || ttl < DEV_TTL_MIN_SECONDS || ttl > DEV_TTL_MAX_SECONDS) {
      throw new AppError('validation_failed', `ttlSeconds must be an integer from ${DEV_TTL_MIN_SECONDS} to ${DEV_TTL_MAX_SECONDS}`);
    }
    const role = request.role;
    const iat = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      role,
      name: request.name ?? DEMO_NAMES[role] ?? 'Demo',
    };
    const province = request.province ?? (typeof role === 'string' && isUserRole(role) ? 'MI' : undefined);
    if (province !== undefined) claims.province = province;
    if (request.fiscalCode !== undefined) claims.fiscalCode = request.fiscalCode;
    if (request.matricola !== undefined) claims.matricola = request.matricola;
    if (request.matricole !== undefined) claims.matricole = request.matricole;
    if (request.sede !== undefined) claims.sede = request.sede;
    if (request.skills !== undefined) claims.skills = request.skills;
    if (request.lang !== undefined) claims.lang = request.lang;
    // A contact the notices would drop is refused now, so a developer sees why no e-mail or SMS comes.
    const contact = contactFromClaims({ email: request.email, phone_number: request.phoneNumber });
    if (request.email !== undefined && contact.email === null) throw new AppError('validation_failed', 'email is not an address notices can be sent to');
    if (request.phoneNumber !== undefined && contact.phone === null) throw new AppError('validation_failed', 'phoneNumber must be 6 to 15 digits, optionally after +');
    if (contact.email !== null) claims.email = contact.email;
    if (contact.phone !== null) claims.phone_number = contact.phone;
    const sub = request.sub ?? `dev-${role}-${randomBytes(6).toString('hex')}`;

    // Refuse now what the authenticator would refuse later; store the canonical form.
    const identity = identityFromClaims({ ...claims, sub, exp: iat + ttl }, 'validation_failed');
    if (identity.fiscalCode !== null) claims.fiscalCode = identity.fiscalCode;

    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(identity.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttl)
      .sign(privateKey);
  }

  return {
    authenticator,
    issue,
    jwks: () => ({ keys: keySet.keys.map((key) => ({ ...key })) }),
  };
}
