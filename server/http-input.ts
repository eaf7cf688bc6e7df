/**
 * Text every HTTP request brings, checked before its route sees it (input-text.ts
 * says why): an address with `%00` (U+0000 in a path parameter or the query) is
 * refused, and JSON bodies are parsed by fastify's own parser (prototype poisoning
 * refused as before), then refused for U+0000 or mended for lone surrogates. Both
 * answer `400 validation_failed`; without this, PostgreSQL refused the text and the
 * caller got `500 internal`.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';
import { mayNeedMending, mendText } from './input-text.ts';

export function installInputTextChecks(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    // Percent-encoding is case-insensitive only in its hex digits: %00 has none.
    done(request.url.includes('%00') ? new AppError('validation_failed', 'the address contains a NUL character (%00)') : undefined);
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (err, value) => {
      if (err) return done(err, undefined);
      const refused = mayNeedMending(body as string) ? mendText(value) : null;
      if (refused !== null) return done(new AppError('validation_failed', refused), undefined);
      done(null, value);
    });
  });
}
