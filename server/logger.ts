/**
 * pino options shared by every logger: JSON lines, and no personal data. Tokens,
 * tax codes and message text are redacted wherever they appear in a logged object,
 * and a request's URL is logged without its query (requestLine).
 */
import type { LoggerOptions } from 'pino';

export const REDACT_PATHS = [
  'token',
  '*.token',
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'fiscalCode',
  '*.fiscalCode',
  '*.*.fiscalCode',
  'text',
  '*.text',
  '*.*.text',
  'summary',
  '*.summary',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: safeError, error: safeError, req: requestLine },
    base: { service: 'info-cig' },
  };
}

/** What a request looks like to the request serializer: fastify's request (node's has no `ip`). */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * A request as logged (fastify's "incoming request" lines, LOG_LEVEL=debug): its path,
 * and of the query only that there was one. Queries carry what people search for and
 * whom: a subject, a matricola, an owner's id or tax code, an e-mail (`/mailbox/?to=`);
 * redaction paths cannot reach inside a URL, so the query is never written out.
 */
export function requestLine(req: LoggedRequest): Record<string, unknown> {
  const url = typeof req.url === 'string' ? req.url : '';
  const q = url.indexOf('?');
  return {
    method: req.method,
    url: q === -1 ? url : `${url.slice(0, q)}?[redacted]`,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * What of an error may be logged. Database drivers put query parameters (message
 * text, tax codes) into their error messages after the first line; only the first
 * line, the name and the code are kept, here and in every cause.
 */
export function safeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err).split('\n')[0]!.slice(0, 300) };
  const code = (err as { code?: unknown }).code;
  const out: Record<string, unknown> = {
    type: err.name,
    message: err.message.split('\n')[0]!.slice(0, 300),
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
  };
  if (err.cause && depth < 3) out.cause = safeError(err.cause, depth + 1);
  if (depth === 0 && err.stack) out.stack = err.stack.split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 8).join('\n');
  return out;
}
