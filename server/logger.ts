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
    base: { service: 'info-cig' },
  };
}
