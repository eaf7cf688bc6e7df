/**
 * Production sign-in: JWTs from the identity provider, verified against its
 * published keys (RFC 8725 hygiene: pinned asymmetric algorithms, issuer,
 * audience, required `exp` and `sub`, small clock tolerance).
 *
 * The key set is fetched only from the configured URL, never from a token's
 * `jku`/`x5u`/`jwk` header (jose ignores those), and is cached with a cooldown
 * so a flood of unknown `kid`s cannot turn into a flood of fetches.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTHeaderParameters, type JWTVerifyGetKey, type JWSAlgorithm } from 'jose';
import { AppError } from './errors.ts';
import { identityFromClaims, MAX_TOKEN_LENGTH, type Authenticator, type Identity } from './auth.ts';

export const DEFAULT_ALGORITHMS: JWSAlgorithm[] = ['RS256', 'ES256', 'PS256', 'EdDSA'];
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export interface JwtRules {
  issuer: string;
  audience: string;
  algorithms: JWSAlgorithm[];
  clockToleranceSeconds: number;
}

export interface JwksAuthenticatorOptions {
  jwksUrl: string | URL;
  issuer: string;
  audience: string;
  algorithms?: JWSAlgorithm[];
  clockToleranceSeconds?: number;
  /** How long to wait for the key set, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Least time between two fetches of the key set, in milliseconds (default 30000). */
  cooldownMs?: number;
  /** How long a fetched key set is trusted before it is fetched again, in milliseconds (default 600000). */
  cacheMaxAgeMs?: number;
}

/** Algorithms never accepted, whatever the configuration says: none and shared-secret ones. */
function assertAsymmetric(algorithms: readonly string[]): void {
  if (algorithms.length === 0) throw new Error('auth: at least one algorithm must be allowed');
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none' || /^HS/i.test(alg)) {
      throw new Error(`auth: algorithm ${alg} is not allowed for sign-in tokens`);
    }
  }
}

function checkRules(rules: JwtRules): void {
  if (!rules.issuer) throw new Error('auth: issuer is required');
  if (!rules.audience) throw new Error('auth: audience is required');
  assertAsymmetric(rules.algorithms);
  if (!Number.isFinite(rules.clockToleranceSeconds) || rules.clockToleranceSeconds < 0 || rules.clockToleranceSeconds > 300) {
    throw new Error('auth: clock tolerance must be between 0 and 300 seconds');
  }
}

/** A jose error (or anything else thrown while verifying) as the AppError callers see. */
export function authError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof errors.JWTExpired) return new AppError('token_expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new AppError('token_invalid', `claim ${err.claim} ${err.reason === 'missing' ? 'is missing' : 'is not acceptable'}`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new AppError('token_invalid', 'algorithm not allowed');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new AppError('token_invalid', 'bad signature');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new AppError('token_invalid', 'no matching signing key');
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new AppError('token_invalid', 'signing keys unavailable');
  }
  if (err instanceof errors.JOSENotSupported) return new AppError('token_invalid', 'unsupported token');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return new AppError('token_invalid', 'malformed token');
  if (err instanceof errors.JOSEError) return new AppError('token_invalid', 'token not verifiable');
  // fetch failures, bad key material: the token cannot be trusted either way
  return new AppError('token_invalid', 'token not verifiable');
}

/** Most verified tokens remembered per authenticator. */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

interface Verified {
  identity: Identity;
  header: JWTHeaderParameters;
  /** The key that verified it: a token is trusted again only while the key set still gives this key. */
  key: unknown;
  /** Milliseconds: the token's `exp`; the entry is never used at or past it. */
  until: number;
}

/**
 * Verifies tokens against keys from `getKey` under the given rules.
 *
 * A token that verified is remembered (keyed by the SHA-256 of the whole token,
 * so an entry keeps 44 characters instead of the ~500 of the token; at most
 * `cacheSize` of them, oldest forgotten first) until its `exp`, so a client
 * sending the same token on every request pays for one signature check, not
 * one per request. A remembered token is trusted again only if the key set
 * still resolves its header to the very key that verified it: when the keys
 * rotate (a new key set is fetched) the cache is emptied and every token is
 * checked afresh. Failures are never remembered.
 */
export function createJwtAuthenticator(getKey: JWTVerifyGetKey, rules: JwtRules, options: { cacheSize?: number; now?: () => number } = {}): Authenticator {
  checkRules(rules);
  const algorithms = [...rules.algorithms];
  const cacheSize = options.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE;
  const now = options.now ?? Date.now;
  const verified = new Map<string, Verified>();

  const remembered = async (digest: string): Promise<Identity | null> => {
    const entry = verified.get(digest);
    if (!entry) return null;
    if (now() >= entry.until) {
      verified.delete(digest);
      return null;
    }
    let key: unknown;
    try {
      key = await getKey(entry.header, { payload: '', signature: '' } as never);
    } catch {
      key = null;
    }
    if (key !== entry.key) {
      verified.clear(); // the key set changed: check every token afresh
      return null;
    }
    return { ...entry.identity };
  };

  return {
    async verify(token: string): Promise<Identity> {
      if (typeof token !== 'string' || token.length === 0) throw new AppError('token_invalid', 'no token');
      if (token.length > MAX_TOKEN_LENGTH) throw new AppError('token_invalid', 'token too long');
      const digest = cacheSize > 0 ? createHash('sha256').update(token).digest('base64') : '';
      if (cacheSize > 0) {
        const hit = await remembered(digest);
        if (hit) return hit;
      }
      let payload;
      let header: JWTHeaderParameters;
      let key: unknown = null;
      // Notes which key verified this token, for its cache entry.
      const keyOfThisToken: JWTVerifyGetKey = async (h, t) => (key = await getKey(h, t)) as Awaited<ReturnType<JWTVerifyGetKey>>;
      try {
        ({ payload, protectedHeader: header } = await jwtVerify(token, keyOfThisToken, {
          algorithms,
          issuer: rules.issuer,
          audience: rules.audience,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: rules.clockToleranceSeconds,
          currentDate: new Date(now()),
        }));
      } catch (err) {
        throw authError(err);
      }
      const identity = identityFromClaims(payload);
      if (cacheSize > 0 && identity.exp * 1000 > now()) {
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
        verified.set(digest, { identity, header, key, until: identity.exp * 1000 });
      }
      return { ...identity };
    },
  };
}

/** Production sign-in against the identity provider's JWKS endpoint. */
export function createJwksAuthenticator(options: JwksAuthenticatorOptions): Authenticator {
  const url = new URL(String(options.jwksUrl));
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('auth: the JWKS URL must be http(s)');
  const keys = createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs ?? 5_000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
  });
  return createJwtAuthenticator(keys, {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
    clockToleranceSeconds: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
  });
}
