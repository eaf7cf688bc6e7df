/**
 * What the fuzz suites (test/ws-fuzz.test.ts, test/ws-idempotency-fuzz.test.ts,
 * test/http-fuzz.test.ts) share: the seed and number of runs (fixed by default so a
 * run is repeatable; FUZZ_SEED and FUZZ_RUNS vary them), a logger whose lines are
 * kept (production options: redaction and the error serializer), a watch on the
 * process for unhandled errors, a snapshot of the built-in prototypes, and the
 * strings that must never be fed to anything without being refused cleanly.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino, { type Logger } from 'pino';
import { ERRORS } from '../../server/errors.ts';
import { loggerOptions } from '../../server/logger.ts';

/** fast-check parameters: `runs` by default (FUZZ_RUNS scales every suite alike), the fixed seed unless FUZZ_SEED. */
export function fuzzParams<T>(runs: number): fc.Parameters<T> {
  const scale = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) / 100 : 1;
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 20261121;
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)), includeErrorInReport: true };
}

export interface CapturedLog {
  logger: Logger;
  lines: Record<string, unknown>[];
  /** The raw text of every line so far, for searching secrets. */
  text(): string;
  /** Lines at level 50 (error) or above logged since `from` (an index into `lines`). */
  errorsSince(from: number): Record<string, unknown>[];
}

/** A pino logger with the production options whose lines are kept in memory. */
export function captureLog(level = 'debug'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return {
    logger: pino(loggerOptions(level), stream),
    lines,
    text: () => raw.join('\n'),
    errorsSince: (from) => lines.slice(from).filter((l) => Number(l.level) >= 50),
  };
}

/** Collects uncaught exceptions and unhandled rejections while installed (a crash of a real server). */
export function watchProcess() {
  const faults: string[] = [];
  const onError = (err: unknown) => faults.push(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    faults,
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

/** The own property names of the built-in prototypes a pollution would touch. */
export function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Reflect.ownKeys(p).map(String).sort().join(','))
    .join('|');
}

/** True when no property appeared on a plain object through its prototype. */
export function plainObjectsClean(): boolean {
  const probe: Record<string, unknown> = {};
  return ['polluted', 'isAdmin', 'role', 'sub', 'type', 'admin', 'x'].every((k) => probe[k] === undefined);
}

export function isRegisteredCode(code: unknown): boolean {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** Keys that reach prototypes or shadow built-ins when code is careless with them. */
export const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then'];

/**
 * Strings that have broken servers: NUL (PostgreSQL text and jsonb refuse it), lone
 * surrogates, control and bidi characters, path and SQL fragments, format strings,
 * prototype names, numbers as text, and very long ones.
 */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202e\u0007\u001b[31m',
  '\r\n\t',
  '../../etc/passwd',
  '%00',
  '%s%n%d',
  "' OR 1=1 --",
  '"; DROP TABLE messages; --',
  '$1',
  'null',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '😀'.repeat(40),
  ...NASTY_KEYS,
  'x'.repeat(65),
  'x'.repeat(4001),
];

/** Any string: printable, full unicode (lone surrogates included), or one of the nasty ones. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', 'a', '\ud83d', '\ude00', '%', '\\'), maxLength: 10 }) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })).map(([a, b]) => `${a}\u0000${b}`) },
);

/** Strings a database refuses or mangles: with U+0000 somewhere, or half a surrogate pair. */
export const poisoned: fc.Arbitrary<string> = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\u0000\u0000'), fc.string({ maxLength: 8 }))
  .map(([a, bad, b]) => a + bad + b);

/** `valid` most of the time, else any string: a field that passes its schema's type check but may carry anything. */
export function mostly(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: anyString }, { weight: 1, arbitrary: poisoned });
}

/** Any JSON value, with nasty strings and keys among the generated ones. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: anyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -0, 1e308, true, false, null, [], {}) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...NASTY_KEYS, 'a', '$ne', '$gt'), anyString, { maxKeys: 3 }).map(ownKeys) },
);

/**
 * The object with each key as an own, enumerable property: `__proto__` set by
 * assignment would change the prototype instead, and JSON.stringify would drop it.
 */
export function ownKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** What must never be in an answer: a stack trace, a source path, SQL or a driver's message. */
export const LEAKY = /\n\s+at |node_modules|\.ts:\d+|\bselect\b.+\bfrom\b|\binsert into\b|\bupdate\b.+\bset\b|Failed query|syntax error|violates|invalid input syntax|unsupported Unicode|DrizzleQueryError|PGlite|pg_/i;

/** A long string shortened for a report: its head, its length and its tail. */
export function abbreviate(s: string, max = 160): string {
  return s.length <= max ? s : `${s.slice(0, 80)}…(${s.length} chars)…${s.slice(-40)}`;
}

/** `value`, printed by fast-check (counterexamples) as `text` rather than in full. */
export function shownAs<T extends object>(value: T, text: string): T {
  return Object.defineProperty(value, fc.toStringMethod, { value: () => text, enumerable: false });
}
