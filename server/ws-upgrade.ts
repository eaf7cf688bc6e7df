/**
 * What the HTTP upgrade leaves on a /ws socket, let go of at once. Apart from
 * ws-gateway.ts and ws-connection.ts because it reaches into node's private socket fields (and
 * @fastify/websocket's listeners): the one place to check again when node or
 * the plugin is upgraded.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';

let timeoutKey: symbol | null | undefined;

/**
 * Lets go of what the HTTP upgrade left attached to a socket that lives for hours:
 * node's ServerResponse stays on the TCP socket (and with it the IncomingMessage and
 * its headers), @fastify/websocket's error listener holds fastify's Request and Reply
 * (and the request's pino child), and the connection timeout that ws cleared stays
 * referenced by the socket. ~3 KiB per idle connection, none of it used after the
 * upgrade. The connection installs its own error listener at once.
 */
export function releaseUpgrade(socket: WebSocket, request: FastifyRequest): void {
  socket.removeAllListeners('error');
  const raw = request.raw.socket as (Socket & { _httpMessage?: ServerResponse | null; [key: symbol]: unknown }) | null;
  if (!raw) return;
  raw._httpMessage?.detachSocket(raw);
  // node keeps the cleared Timeout under a private symbol; null is the value it starts from.
  if (timeoutKey === undefined) timeoutKey = Object.getOwnPropertySymbols(raw).find((k) => k.description === 'timeout') ?? null;
  if (timeoutKey && raw[timeoutKey] && !raw.timeout) raw[timeoutKey] = null;
}
