/** What `npm start` says about its configuration (server/main.ts), kept apart so tests can read it. */
import type { Config } from './config.ts';

/** The start line's retention: what is erased and when, or that nothing is. */
export function retentionText(config: Config): string {
  const data = config.retentionDays === null ? 'off (RETENTION_DAYS unset)' : `${config.retentionDays} days after closing`;
  return config.accessLogRetentionDays === null ? data : `${data}, access log ${config.accessLogRetentionDays} days`;
}

/** The start line's staff ids: pseudonyms of the provider's `sub` (STAFF_ID_KEY), or the `sub` itself. */
export function staffIdsText(config: Config): string {
  return config.staffIdKey === null ? 'provider sub (STAFF_ID_KEY unset)' : 'pseudonymised';
}

/** Warnings for the log at start: settings acceptable in development that production should not run with. */
export function startWarnings(config: Config): string[] {
  if (config.nodeEnv !== 'production' || config.staffIdKey !== null) return [];
  return ['STAFF_ID_KEY is unset: users see the identity provider\'s sub of the staff who serve them (a SPID sub may be a fiscal code); set it before going live (docs/security.md, "Staff ids")'];
}

/**
 * What `npm start` prints when the services cannot start (the database or Redis does not
 * answer, DATA_DIR is not a directory): one line, the error's first line and its code,
 * for the operator; no stack, and nothing after the first line, where drivers quote
 * what they were sending.
 */
export function startFailureText(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);
  const code = (err as { code?: unknown } | null)?.code;
  return `INFO CIG failed to start: ${message}${typeof code === 'string' && !message.includes(code) ? ` (${code})` : ''}`;
}
