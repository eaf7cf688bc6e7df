/**
 * A fast path in front of fastify for the one public read every page with the
 * chat bubble makes: `GET /api/v1/availability?province=XX[&audience=YY]` for
 * "now". Its answer changes once a minute and is already serialised
 * (AvailabilityNow), so routing, request/reply objects and hooks are all the
 * framework would add; this answers it from node:http directly, like a
 * micro-cache in front of the application, with the same bytes and headers the
 * route sends (a test compares them).
 *
 * Anything else, including every variant of that URL it does not recognise
 * exactly (another parameter, `at`, an unknown province, a repeated key, a body),
 * goes to fastify untouched, which validates and answers as always.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { findProvince } from '../routing/provinces.ts';
import { AUDIENCES, type Audience } from '../routing/types.ts';
import { JSON_TYPE, type AvailabilityNow } from './http-availability.ts';

const PATH = '/api/v1/availability?';
const AUDIENCE_SET: ReadonlySet<string> = new Set(AUDIENCES);
/** The headers http-pages.ts adds to every answer. */
const SECURITY_HEADERS = ['x-content-type-options', 'nosniff', 'referrer-policy', 'no-referrer'] as const;

export type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export interface FastPath {
  listener: Listener;
  /** Requests answered here, for tests and metrics. */
  readonly hits: number;
}

/** Wraps fastify's handler; with `enabled` false (LOG_LEVEL=debug: every request logged) it is the handler itself. */
export function availabilityFastPath(current: AvailabilityNow, fastify: Listener, enabled = true): FastPath {
  let hits = 0;
  // Recognised URLs, parsed once: a few hundred in practice (provinces × audiences).
  const known = new Map<string, Query>();
  const recognise = (url: string): Query | null => {
    const hit = known.get(url);
    if (hit) return hit;
    const query = url.startsWith(PATH) ? parseQuery(url.slice(PATH.length)) : null;
    if (query && known.size < MAX_KNOWN_URLS) known.set(url, query);
    return query;
  };
  // The header list of each answer, made once per answer (a few hundred a minute at most).
  const headersOf = new WeakMap<Buffer, string[]>();
  const headers = (bytes: Buffer): string[] => {
    let list = headersOf.get(bytes);
    if (!list) headersOf.set(bytes, (list = ['content-type', JSON_TYPE, 'content-length', String(bytes.length), ...SECURITY_HEADERS]));
    return list;
  };
  const listener: Listener = (req, res) => {
    const query = req.method === 'GET' && req.url !== undefined ? recognise(req.url) : null;
    if (query === null || announcesBody(req.rawHeaders)) return fastify(req, res);
    hits++;
    const { bytes } = current.get(query.province, query.audience);
    res.writeHead(200, headers(bytes));
    res.end(bytes);
  };
  return {
    listener: enabled ? listener : fastify,
    get hits() {
      return hits;
    },
  };
}

/**
 * Whether the request has a body (Content-Length or Transfer-Encoding, any case), read
 * from the raw header list: `req.headers` would build an object per request, which the
 * answer never needs.
 */
function announcesBody(raw: string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 14 && name.length !== 17) continue;
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') return true;
  }
  return false;
}

interface Query {
  province: string;
  audience: Audience;
}

const MAX_KNOWN_URLS = 2000;

/** `province=XX` and at most `audience=YY`, in either order, both known; else null. */
function parseQuery(query: string): Query | null {
  let province: string | null = null;
  let audience: string | null = null;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return null;
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === 'province' && province === null) province = value;
    else if (key === 'audience' && audience === null) audience = value;
    else return null;
  }
  // Plain letters only: anything encoded or odd is fastify's to validate.
  if (province === null || !/^[A-Za-z]{1,8}$/.test(province)) return null;
  const known = findProvince(province);
  if (!known) return null;
  if (audience !== null && !AUDIENCE_SET.has(audience)) return null;
  return { province: known.code, audience: (audience ?? 'worker') as Audience };
}
