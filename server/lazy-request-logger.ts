/**
 * Fastify gives every request a child logger bound to its request id. pino
 * builds a child eagerly (its bindings are serialised, through the redaction
 * of logger.ts), which was ~3 % of a request's CPU under load, although most
 * requests never log a line (per-request lines are off unless LOG_LEVEL=debug).
 * This factory hands out a stand-in that makes the real child on first use:
 * the same lines, with the same `reqId`, when something is logged.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

type LogFn = FastifyBaseLogger['info'];

function call(fn: LogFn, logger: FastifyBaseLogger, args: unknown[]): void {
  (fn as (...a: unknown[]) => void).apply(logger, args);
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

interface LazyChildLogger extends Record<(typeof LEVELS)[number], (...args: unknown[]) => void> {}

class LazyChildLogger {
  private made: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get real(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): LevelWithSilentOrString {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.real.level = level;
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

// One method per level, on the prototype (nothing allocated per request): the real child's.
for (const level of LEVELS) {
  LazyChildLogger.prototype[level] = function (this: LazyChildLogger, ...args: unknown[]) {
    call(this.real[level], this.real, args);
  };
}

/** For Fastify's `childLoggerFactory`. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
