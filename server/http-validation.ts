/**
 * How HTTP requests are checked against their route schemas (docs/security.md, "injection").
 *
 * A JSON body is what a client wrote, types and all: a number, `true` or `["x"]` where the schema
 * says string is refused (validation_failed), as a frame is (ws-frames.ts), instead of being
 * turned into "12345", "true" or "x". One Ajv with `coerceTypes: 'array'` for everything (fastify's
 * default, kept here before) did exactly that to bodies, while the docs said wrong types were refused.
 * Querystrings, path parameters and headers are text on the wire: there "true" must become true and
 * "2" 2, and a repeated parameter an array, so those parts keep the coercion. Defaults are filled in
 * (`page`, `pageSize`) and nothing unknown is silently dropped (schemas say additionalProperties: false).
 */
import { Ajv, type Options } from 'ajv';
import type { FastifyInstance } from 'fastify';

const COMMON: Options = { useDefaults: true, removeAdditional: false, allErrors: false, allowUnionTypes: true };

export function installValidation(app: FastifyInstance): void {
  const bodies = new Ajv({ ...COMMON, coerceTypes: false });
  const text = new Ajv({ ...COMMON, coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : text).compile(schema));
}
