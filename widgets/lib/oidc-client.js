/**
 * Production sign-in of a page (the full-page chat, the staff consoles):
 * OpenID Connect authorization code flow with PKCE (RFC 7636), the page being a
 * public client of the identity provider that fronts SPID, CIE and CNS. No secret
 * lives here; the server verifies the JWT this obtains like any other.
 *
 * The pending request (state, nonce, PKCE verifier) and the tokens are kept in
 * sessionStorage under keys of the page (`infocig.<page>.oidc.*`), so the chat
 * and a console opened in the same tab keep apart sessions: they die with the
 * tab, are not sent anywhere but the identity provider, and the pages' CSP
 * forbids foreign script that could read them.
 */
import { forget, readJson, writeJson } from './tab-store.js';

/** A token this close to its expiry is renewed before use (the server allows 30 s of skew). */
const EARLY_S = 60;

export class SignInError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return b64url(new Uint8Array(digest));
}

/** The payload of a JWT, unverified: only to read `exp`, `nonce` and what to show (the server verifies). */
export function claimsOf(jwt) {
  const part = typeof jwt === 'string' ? jwt.split('.')[1] : null;
  if (!part) return null;
  try {
    const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decodeURIComponent(escape(text)));
  } catch {
    return null;
  }
}

/** Where the identity provider sends the user back: this page, without query or fragment. */
const redirectUri = () => location.origin + location.pathname;

async function tokenRequest(cfg, fields) {
  let res;
  try {
    res = await fetch(cfg.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ client_id: cfg.clientId, ...fields }),
    });
  } catch {
    throw new SignInError('idp_unreachable', 'the identity provider did not answer');
  }
  const body = await res.json().catch(() => null);
  if (!res.ok || !body) throw new SignInError(body?.error || `http_${res.status}`, body?.error_description || `the identity provider answered ${res.status}`);
  return body;
}

/**
 * The sign-in of one page (`page`: chat, advisor, office, dashboard) with the
 * identity provider `cfg` (GET /api/v1/sign-in's answer): { signIn, redirect, signOut }.
 */
export function oidcSession(cfg, page) {
  const PENDING = `infocig.${page}.oidc.pending`;
  const TOKENS = `infocig.${page}.oidc.tokens`;

  /** Sends the browser to the identity provider; `returnTo` is the query string to restore. */
  async function redirect(returnTo = location.search) {
    const pending = { state: random(), nonce: random(), verifier: random(48), returnTo };
    writeJson(PENDING, pending);
    const url = new URL(cfg.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', cfg.clientId);
    url.searchParams.set('redirect_uri', redirectUri());
    url.searchParams.set('scope', cfg.scope);
    url.searchParams.set('state', pending.state);
    url.searchParams.set('nonce', pending.nonce);
    url.searchParams.set('code_challenge', await challengeOf(pending.verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    location.assign(url.href);
    return new Promise(() => {}); // the page is leaving
  }

  function keep(body, nonce) {
    const token = body[cfg.token];
    const claims = claimsOf(token);
    if (!claims || typeof claims.exp !== 'number') throw new SignInError('token_unreadable', `no ${cfg.token} in the identity provider's answer`);
    // An id_token must carry the nonce of our own request: else it was obtained for someone else's.
    if (cfg.token === 'id_token' && nonce !== undefined && claims.nonce !== nonce) throw new SignInError('nonce_mismatch', 'the sign-in answer is not for this request');
    const saved = { token, exp: claims.exp, refresh: typeof body.refresh_token === 'string' ? body.refresh_token : readJson(TOKENS)?.refresh ?? null };
    writeJson(TOKENS, saved);
    return saved;
  }

  /**
   * Finishes a sign-in when the identity provider has just sent the user back
   * (`?code=…&state=…` or `?error=…`), restoring the page's own query string.
   * Resolves true when a sign-in was completed, false when there was none to finish.
   */
  async function completeRedirect() {
    const params = new URLSearchParams(location.search);
    if (!params.has('state') || !(params.has('code') || params.has('error'))) return false;
    const pending = readJson(PENDING);
    forget(PENDING);
    history.replaceState(null, '', redirectUri() + (pending?.returnTo ?? ''));
    if (!pending || params.get('state') !== pending.state) throw new SignInError('state_mismatch', 'the sign-in answer is not for this request');
    if (params.has('error')) throw new SignInError(params.get('error'), params.get('error_description') || 'sign-in was not completed');
    const body = await tokenRequest(cfg, {
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    });
    keep(body, pending.nonce);
    return true;
  }

  /** A valid token: the saved one, else one renewed with the refresh token, else a new sign-in (never resolves). */
  async function getToken() {
    const saved = readJson(TOKENS);
    const now = Date.now() / 1000;
    if (saved && saved.exp - EARLY_S > now) return saved.token;
    if (saved?.refresh) {
      try {
        return keep(await tokenRequest(cfg, { grant_type: 'refresh_token', refresh_token: saved.refresh })).token;
      } catch {
        // fall through: a fresh sign-in (the provider's own session usually makes it one click or none)
      }
    }
    forget(TOKENS);
    return redirect();
  }

  /**
   * Resolves with getToken once the user is signed in; otherwise sends the
   * browser to the identity provider (and never resolves). Rejects with a
   * SignInError when the identity provider's answer cannot be used.
   */
  async function signIn() {
    await completeRedirect();
    if (!readJson(TOKENS)) return redirect();
    return getToken;
  }

  /** Forgets this page's tokens and any pending request (the provider's own session is its own). */
  function signOut() {
    forget(TOKENS, PENDING);
  }

  return { signIn, redirect, signOut };
}
