/**
 * What node's HTTP parser refuses before any route or the availability fast path sees a
 * request (a malformed request line or header, headers over node's 16 KiB, a request not
 * in within the header or request time), answered in the registry's shape like every
 * other error, then the connection closed: after such an error the byte stream cannot be
 * trusted to hold the next request. Given to fastify as its `clientErrorHandler`, which
 * it installs on the node:http server (ours, from serverFactory) as `clientError`.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, errorBody, type ErrorCode } from './errors.ts';

/** Node's codes for what it refuses (ERR_HTTP_REQUEST_TIMEOUT: headersTimeout or requestTimeout passed); any other parser error is a malformed request. */
const REFUSALS: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'headers_too_large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'payload_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
};

/** The answer for a parser error, whole: status line, headers and the JSON body. */
export function clientErrorResponse(err: NodeJS.ErrnoException): string {
  const code = REFUSALS[err.code ?? ''] ?? 'bad_request';
  // The parser's codes (HPE_INVALID_METHOD, …) are fixed names, safe to echo; never the bytes sent.
  const error = new AppError(code, `node's HTTP parser refused it (${err.code ?? 'unknown'}); the connection is closed`);
  const body = JSON.stringify(errorBody(error.code, error.message));
  return [
    `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    'X-Content-Type-Options: nosniff',
    'Referrer-Policy: no-referrer',
    '',
    body,
  ].join('\r\n');
}

type InFlight = Socket & { _httpMessage?: ServerResponse | null };

/**
 * ECONNRESET or a socket that cannot be written: destroyed, nothing to say. An answer
 * already under way on this connection (its headers sent): destroyed too, since an error
 * written after them would corrupt it, as node itself avoids (`_httpMessage` is the
 * response node is writing on the socket, the one it checks).
 */
export function clientErrorHandler(log: FastifyBaseLogger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    const answering = (socket as InFlight)._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
      socket.destroy();
      return;
    }
    log.debug({ code: err.code }, 'request refused by the HTTP parser');
    // As node does: the answer is small enough to leave in one write, before the close.
    socket.write(clientErrorResponse(err));
    socket.destroy();
  };
}
