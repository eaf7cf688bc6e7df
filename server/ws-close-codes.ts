/**
 * WebSocket close codes. The range tells the client what to do:
 * 40xx: do not reconnect on your own (sign in again first, or, 4429, close another tab);
 * 45xx: reconnect after a backoff; 1xxx: the standard codes.
 */
export const CLOSE = {
  /** Bad, expired or missing token, or no `hello` in time. Sign in again. */
  unauthorized: 4401,
  /** The token expired while the socket was open. Sign in again. */
  tokenExpired: 4403,
  /**
   * The person already holds as many sockets on this node as their role may (SOCKETS_PER_USER,
   * SOCKETS_PER_STAFF): refused at the hello, reason `too_many_sockets`. Not a token problem:
   * a fresh token would be refused the same; reconnect only when the person asks (another tab closed).
   */
  tooManySockets: 4429,
  /** The server is shutting down or restarting. Reconnect with backoff and resume. */
  goingAway: 1001,
  /** A frame larger than the limit. Do not resend it. */
  tooBig: 1009,
  /** A text frame that is not valid UTF-8, refused by the WebSocket layer (browsers never send one): the frame is dropped. */
  invalidText: 1007,
  /** The client does not read fast enough; its send buffer overflowed. Reconnect and resume. */
  slowConsumer: 4508,
  /** The server could not serve the socket (internal error). Reconnect with backoff and resume. */
  internal: 4500,
} as const;

export function shouldReconnect(code: number): boolean {
  return !(code >= 4000 && code < 4500) && code !== CLOSE.tooBig;
}
