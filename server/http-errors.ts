/** Every HTTP error leaves as `{ error: { code, message } }` with a code from the registry. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorBody } from './errors.ts';

function codeFor(err: FastifyError): { status: number; code: string; message: string; extra?: Record<string, unknown> } {
  if (err instanceof AppError) return { status: err.statusCode, code: err.code, message: err.message, extra: err.extra };
  if (err.validation) return { status: 400, code: 'validation_failed', message: `A field is missing or wrong: ${err.message}` };
  const status = err.statusCode ?? 500;
  if (status === 413) return { status, code: 'payload_too_large', message: 'The request body is too large' };
  if (status === 415) return { status, code: 'unsupported_media_type', message: 'Send JSON with Content-Type: application/json' };
  if (status >= 400 && status < 500) return { status, code: 'bad_request', message: `The request is malformed: ${err.message}` };
  return { status: 500, code: 'internal', message: 'Something went wrong on our side' };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, code, message, extra } = codeFor(err);
    // 503: busy or a dependency down, nothing stored; the client may retry shortly.
    if (status === 503) {
      request.log.warn({ err }, 'request refused for now');
      reply.header('Retry-After', '1');
    } else if (status >= 500) request.log.error({ err }, 'request failed');
    reply.code(status).send(errorBody(code, message, extra));
  });
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send(errorBody('not_found', 'Not found'));
  });
}

/**
 * What fastify answers itself, before routing (fastify's `frameworkErrors`): a path
 * with a malformed percent-encoding (`%zz`, or bytes that are not UTF-8). In the
 * registry's shape, `400 bad_request`, like any other malformed request, rather than
 * fastify's own `{ error, code: 'FST_ERR_BAD_URL', … }`.
 */
export function frameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = (err.statusCode ?? 500) < 500 ? 400 : 500;
  if (status >= 500) reply.log.error({ err }, 'request failed before routing');
  void reply.code(status).send(status === 400 ? errorBody('bad_request', `The request is malformed: ${err.message}`) : errorBody('internal', 'Something went wrong on our side'));
}

/** The response schema every route shares for its error answers. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      // file: the attachment refused (attachment_type_refused, attachment_too_large).
      properties: { code: { type: 'string' }, message: { type: 'string' }, file: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;
