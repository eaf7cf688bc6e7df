/**
 * Configuration from the environment, validated once at start. A bad value stops
 * start-up with a message naming the variable, never a half-configured server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CannedResponsesError, loadCannedResponses, type CannedResponse } from './canned-responses.ts';
import { loadOfficeResponses } from './office-responses.ts';
import { DEFAULT_ROUTING_CONFIG, RoutingConfigError, validateRoutingConfig, type RoutingConfig } from '../routing/routing-config.ts';
import { isHhmm } from '../routing/zoned-time.ts';

export interface Limits {
  /** Longest message text, in characters. */
  maxTextLength: number;
  /** Largest WebSocket frame, in bytes; bigger frames close the socket with 1009. */
  maxFrameBytes: number;
  /** How long a new socket may stay silent before its `hello`. */
  helloTimeoutMs: number;
  /** message.send per person on a node (all their sockets there): a token bucket (server/ws-budgets.ts). */
  messagesPerSecond: number;
  messageBurst: number;
  /** Every other frame but ping (typing, read, chat.request, …) per person on a node: a bucket of its own. */
  framesPerSecond: number;
  frameBurst: number;
  /** Sockets one user (worker, employer, intermediary) may hold on a node; one more is closed 4429 at its hello. */
  socketsPerUser: number;
  /** The same for staff (advisor, office, supervisor): a console, the dashboard and a few more tabs. */
  socketsPerStaff: number;
  /** Linea INPS requests one person may open in 24 hours; 0: no limit (the bench's single user). */
  ticketsPerUserPerDay: number;
  /** Replies one person may write in 24 hours over all their requests; 0: no limit. */
  repliesPerUserPerDay: number;
}

export interface Config {
  /** SIGTERM: how long /ready answers 503 draining, with the sockets still served, before they are closed (server/shutdown.ts). */
  shutdownDrainMs: number;
  port: number;
  host: string;
  nodeEnv: string;
  databaseUrl: string | null;
  /**
   * PostgreSQL: how long a query may go unanswered before it fails (the client's own
   * bound, for a partitioned network where nothing is refused); statements are cancelled
   * by the server 2 s before it.
   */
  databaseQueryTimeoutMs: number;
  /** Days after closing that a chat or a ticket is erased with what hangs on it (server/retention.ts); null: kept. */
  retentionDays: number | null;
  /** Days the access log is kept (180–3650: who saw what stays answerable for at least six months); null: kept. */
  accessLogRetentionDays: number | null;
  redisUrl: string | null;
  /** Namespace of every Redis key and channel: deployments sharing a Redis use different ones. */
  redisPrefix: string;
  dataDir: string;
  serviceHours: 'always' | 'calendar';
  authDev: boolean;
  auth: { jwksUrl: string; issuer: string; audience: string } | null;
  /**
   * Sign-in of the full-page chat (/chat/ opened from the Cassetto previdenziale or the
   * worker's area) and of the staff consoles: OpenID Connect authorization code with PKCE,
   * run by the page against the identity provider; null when the chat gets its token only
   * from a host page (and the consoles have none).
   */
  pageSignIn: PageSignIn | null;
  /** Browser origins allowed to open /ws; null: this server's own origins only. */
  allowedOrigins: string[] | null;
  publicUrl: string | null;
  /** Linea INPS notices: e-mail over SMTP when SMTP_URL is set, else the local mailbox page. */
  notices: { smtpUrl: string | null; from: string; intervalMs: number; sms: 'log' | null; /** Local HH:MM of the sedi's morning digest; null: none. */ digestAt: string | null };
  logLevel: string;
  limits: Limits;
  /** From config/routing.json or the file named by ROUTING_CONFIG. */
  routing: RoutingConfig;
  /** Ready answers for the advisor console, from config/canned-responses.json or CANNED_RESPONSES. */
  cannedResponses: CannedResponse[];
  /** Ready answers for the office console, from config/office-responses.json or OFFICE_RESPONSES (server/office-responses.ts). */
  officeResponses: CannedResponse[];
  routingTickMs: number;
  /** GET /metrics: a scraper's bearer token; null: only this machine may read it (server/http-metrics.ts). */
  metricsToken: string | null;
  /**
   * STAFF_ID_KEY: the secret under which staff ids are pseudonyms of their provider `sub`
   * (server/staff-ids.ts); null: a staff member's id is their `sub`, shown to the users they serve.
   */
  staffIdKey: string | null;
  /** Group commit of messages (docs/delivery.md): rows per transaction, and how long a batch may wait to fill under load. */
  /** maxInFlight absent: the store's default for its driver (PostgreSQL 2, PGlite 1). */
  commitBatch: { maxRows: number; maxWaitMs: number; maxInFlight?: number };
}

export interface PageSignIn {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
  /** Which token of the identity provider's answer this server verifies. */
  token: 'id_token' | 'access_token';
}

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    why: string,
  ) {
    super(`Invalid configuration ${field}: ${why}`);
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(name, `expected an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** A retention period in whole days (up to ten years); absent or empty: null, nothing is erased. */
function days(env: Env, name: string, min: number): number | null {
  return env[name] === undefined || env[name] === '' ? null : int(env, name, 0, min, 3650);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(name, `expected 1 or 0, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `expected ${protocols.join(' or ')} URL`);
  return raw;
}

/** SEDE_DIGEST_AT: HH:MM (local), `off` for no digest; default 08:30, before the offices' day starts. */
function digestAt(env: Env): string | null {
  const raw = env.SEDE_DIGEST_AT;
  if (raw === undefined || raw === '') return '08:30';
  if (raw === 'off') return null;
  if (!isHhmm(raw)) throw new ConfigError('SEDE_DIGEST_AT', `expected a local time HH:MM (00:00–23:59) or off, got "${raw}"`);
  return raw;
}

function prefix(env: Env): string {
  const raw = env.REDIS_PREFIX || 'infocig';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(raw)) throw new ConfigError('REDIS_PREFIX', 'letters, digits and _ . : - only, at most 64');
  return raw;
}

/**
 * METRICS_TOKEN: a bearer token (RFC 6750 characters: letters, digits, - . _ ~ + / and
 * trailing =), long enough not to be guessed. The message never quotes the value: it is a secret.
 */
function metricsToken(env: Env): string | null {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return null;
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(raw)) throw new ConfigError('METRICS_TOKEN', 'expected a bearer token: letters, digits and - . _ ~ + / (trailing =), no spaces');
  if (raw.length < 16 || raw.length > 512) throw new ConfigError('METRICS_TOKEN', `expected 16 to 512 characters, got ${raw.length} (e.g. openssl rand -hex 32)`);
  return raw;
}

/**
 * STAFF_ID_KEY: a secret of printable ASCII without spaces, long enough that nobody
 * guesses it (pseudonyms would otherwise be recomputed from guessed fiscal codes).
 * The message never quotes the value.
 */
export function staffIdKey(env: Env): string | null {
  const raw = env.STAFF_ID_KEY;
  if (raw === undefined || raw === '') return null;
  if (!/^[\x21-\x7e]+$/.test(raw)) throw new ConfigError('STAFF_ID_KEY', 'expected printable ASCII characters, no spaces (e.g. openssl rand -hex 32)');
  if (raw.length < 32 || raw.length > 512) throw new ConfigError('STAFF_ID_KEY', `expected 32 to 512 characters, got ${raw.length} (e.g. openssl rand -hex 32)`);
  return raw;
}

/**
 * ALLOWED_ORIGINS: browser origins as a browser sends them (`https://www.inps.it`), compared
 * exactly with the Origin header and written into frame-ancestors, so one written with a path
 * or a trailing slash would silently never match: refused at start instead.
 */
function allowedOrigins(env: Env): string[] | null {
  const list = env.ALLOWED_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list || list.length === 0) return null;
  for (const raw of list) {
    let origin: string | null = null;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') origin = parsed.origin;
    } catch {
      // not a URL: refused below like any other malformed entry
    }
    if (origin !== raw) throw new ConfigError('ALLOWED_ORIGINS', `expected comma-separated origins, scheme, host and port only, as a browser sends them (e.g. https://www.inps.it), got "${raw}"${origin ? ` (write ${origin})` : ''}`);
  }
  return list;
}

/** LOG_LEVEL: one of pino's levels; pino itself would throw later, with a stack, from inside the services. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(env: Env): string {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  if (!LOG_LEVELS.includes(raw)) throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return raw;
}

function smsChannel(env: Env): 'log' | null {
  const raw = env.SMS_CHANNEL;
  if (raw === undefined || raw === '') return null;
  if (raw === 'log') return 'log';
  throw new ConfigError('SMS_CHANNEL', `expected "log" or absent, got "${raw}"`);
}

function serviceHours(env: Env): Config['serviceHours'] {
  const raw = env.SERVICE_HOURS;
  if (raw === undefined || raw === '' || raw === 'calendar') return 'calendar';
  if (raw === 'always') return 'always';
  throw new ConfigError('SERVICE_HOURS', `expected "always" or absent, got "${raw}"`);
}

function production(env: Env): Config['auth'] {
  const jwksUrl = url(env, 'AUTH_JWKS_URL', ['https:', 'http:']);
  const issuer = env.AUTH_ISSUER;
  const audience = env.AUTH_AUDIENCE;
  if (!jwksUrl && !issuer && !audience) return null;
  if (!jwksUrl) throw new ConfigError('AUTH_JWKS_URL', 'required with AUTH_ISSUER and AUTH_AUDIENCE');
  if (!issuer) throw new ConfigError('AUTH_ISSUER', 'required with AUTH_JWKS_URL');
  if (!audience) throw new ConfigError('AUTH_AUDIENCE', 'required with AUTH_JWKS_URL');
  return { jwksUrl, issuer, audience };
}

function pageSignIn(env: Env, auth: Config['auth']): PageSignIn | null {
  const authorizeUrl = url(env, 'AUTH_OIDC_AUTHORIZE_URL', ['https:', 'http:']);
  const tokenUrl = url(env, 'AUTH_OIDC_TOKEN_URL', ['https:', 'http:']);
  const clientId = env.AUTH_OIDC_CLIENT_ID?.trim();
  if (!authorizeUrl && !tokenUrl && !clientId) return null;
  if (!authorizeUrl) throw new ConfigError('AUTH_OIDC_AUTHORIZE_URL', 'required with AUTH_OIDC_TOKEN_URL and AUTH_OIDC_CLIENT_ID');
  if (!tokenUrl) throw new ConfigError('AUTH_OIDC_TOKEN_URL', 'required with AUTH_OIDC_AUTHORIZE_URL');
  if (!clientId) throw new ConfigError('AUTH_OIDC_CLIENT_ID', 'required with AUTH_OIDC_AUTHORIZE_URL');
  // The page would sign people in with tokens this server could not verify.
  if (!auth) throw new ConfigError('AUTH_OIDC_AUTHORIZE_URL', 'needs AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE to verify what it obtains');
  const token = env.AUTH_OIDC_TOKEN || 'id_token';
  if (token !== 'id_token' && token !== 'access_token') throw new ConfigError('AUTH_OIDC_TOKEN', `expected "id_token" or "access_token", got "${token}"`);
  const scope = env.AUTH_OIDC_SCOPE?.trim() || 'openid profile';
  if (!/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(scope)) throw new ConfigError('AUTH_OIDC_SCOPE', 'expected space-separated scope tokens');
  return { authorizeUrl, tokenUrl, clientId, scope, token };
}

/**
 * A set of ready answers (the advisors' from CANNED_RESPONSES, the offices' from
 * OFFICE_RESPONSES), a bad entry stopping start-up with the variable and its place in the file.
 */
function readyAnswers(env: Env, name: 'CANNED_RESPONSES' | 'OFFICE_RESPONSES', load: (file: string | undefined) => CannedResponse[]): CannedResponse[] {
  try {
    return load(env[name] || undefined);
  } catch (err) {
    if (err instanceof CannedResponsesError) throw new ConfigError(`${name} ${err.field}`, err.message.replace(/^canned responses [^:]+: /, ''));
    throw err;
  }
}

const DEFAULT_ROUTING_FILE = fileURLToPath(new URL('../config/routing.json', import.meta.url));

/** The routing file: ROUTING_CONFIG names one; else the project's config/routing.json. */
function routingConfig(env: Env): RoutingConfig {
  const file = env.ROUTING_CONFIG || DEFAULT_ROUTING_FILE;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (!env.ROUTING_CONFIG) return DEFAULT_ROUTING_CONFIG;
    throw new ConfigError('ROUTING_CONFIG', `cannot read ${file}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('ROUTING_CONFIG', `${file} is not JSON: ${(err as Error).message}`);
  }
  try {
    return validateRoutingConfig(data);
  } catch (err) {
    if (err instanceof RoutingConfigError) throw new ConfigError(`ROUTING_CONFIG (${path.basename(file)}) ${err.field}`, err.message.replace(/^routing config [^:]+: /, ''));
    throw err;
  }
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const authDev = flag(env, 'AUTH_DEV', false);
  if (authDev && nodeEnv === 'production') {
    throw new ConfigError('AUTH_DEV', 'development sign-in is refused when NODE_ENV=production');
  }
  const auth = production(env);
  if (!auth && !authDev) throw new ConfigError('AUTH_JWKS_URL', 'set AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE, or AUTH_DEV=1 for development');
  const host = env.HOST || '127.0.0.1';
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', 0, 0, 300_000),
    host,
    nodeEnv,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseQueryTimeoutMs: int(env, 'DATABASE_QUERY_TIMEOUT_MS', 12_000, 3_000, 600_000),
    retentionDays: days(env, 'RETENTION_DAYS', 30),
    accessLogRetentionDays: days(env, 'ACCESS_LOG_RETENTION_DAYS', 180),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: prefix(env),
    dataDir: path.resolve(env.DATA_DIR || './.data'),
    serviceHours: serviceHours(env),
    authDev,
    auth,
    pageSignIn: pageSignIn(env, auth),
    allowedOrigins: allowedOrigins(env),
    publicUrl: url(env, 'PUBLIC_URL', ['http:', 'https:']),
    notices: {
      smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
      from: env.SMTP_FROM || 'INFO CIG – INPS <noreply@info-cig.example>',
      intervalMs: int(env, 'NOTICE_INTERVAL_MS', 5000, 100, 3_600_000),
      sms: smsChannel(env),
      digestAt: digestAt(env),
    },
    logLevel: logLevel(env),
    limits: {
      maxTextLength: int(env, 'MAX_TEXT_LENGTH', 4000, 1, 100_000),
      maxFrameBytes: int(env, 'MAX_FRAME_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
      helloTimeoutMs: int(env, 'HELLO_TIMEOUT_MS', 5000, 100, 60_000),
      messagesPerSecond: int(env, 'MESSAGES_PER_SECOND', 10, 1, 10_000),
      messageBurst: int(env, 'MESSAGE_BURST', 20, 1, 100_000),
      framesPerSecond: int(env, 'FRAMES_PER_SECOND', 20, 1, 10_000),
      frameBurst: int(env, 'FRAME_BURST', 40, 1, 100_000),
      socketsPerUser: int(env, 'SOCKETS_PER_USER', 10, 1, 1_000),
      socketsPerStaff: int(env, 'SOCKETS_PER_STAFF', 20, 1, 1_000),
      ticketsPerUserPerDay: int(env, 'TICKETS_PER_USER_PER_DAY', 20, 0, 10_000),
      repliesPerUserPerDay: int(env, 'REPLIES_PER_USER_PER_DAY', 50, 0, 10_000),
    },
    routing: routingConfig(env),
    cannedResponses: readyAnswers(env, 'CANNED_RESPONSES', (file) => loadCannedResponses(file)),
    officeResponses: readyAnswers(env, 'OFFICE_RESPONSES', loadOfficeResponses),
    routingTickMs: int(env, 'ROUTING_TICK_MS', 1000, 10, 60_000),
    metricsToken: metricsToken(env),
    staffIdKey: staffIdKey(env),
    commitBatch: {
      maxRows: int(env, 'COMMIT_BATCH_MAX_ROWS', 256, 1, 10_000),
      maxWaitMs: int(env, 'COMMIT_BATCH_MAX_WAIT_MS', 0, 0, 1_000),
      ...(env.COMMIT_BATCH_IN_FLIGHT === undefined ? {} : { maxInFlight: int(env, 'COMMIT_BATCH_IN_FLIGHT', 2, 1, 16) }),
    },
  };
}
