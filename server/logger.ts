/**
 * pino options shared by every logger: JSON lines, and no personal data. Tokens,
 * tax codes and message text are redacted wherever they appear in a logged object.
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
    serializers: { err: safeError, error: safeError },
    base: { service: 'info-cig' },
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
