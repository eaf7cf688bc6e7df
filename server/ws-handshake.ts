/**
 * The /ws handshake: the first frame must be a `hello` whose token verifies;
 * the client then gets its `welcome` (its open conversations, its cursors),
 * joins this node's hub, and is replayed what it missed (ws-resume.ts). Apart
 * from ws-connection.ts, which owns the socket and dispatches the frames that
 * follow, because it runs once per socket and is the only part that speaks to
 * auth and to the resume: plain functions, so a connection stays one object.
 */
import { isUserRole } from '../routing/types.ts';
import type { Authenticator, Identity } from './auth.ts';
import type { ChatService } from './chat-service.ts';
import type { Client } from './client.ts';
import { AppError } from './errors.ts';
import type { Hub } from './hub.ts';
import { companyMatricole } from './ticket-rules.ts';
import type { ClientFrame, ParseResult } from './ws-frames.ts';
import { planResume, replay, type ResumeRequest } from './ws-resume.ts';

/** What the handshake needs from the server (a part of the gateway's deps). */
export interface HandshakeDeps {
  auth: Authenticator;
  chat: ChatService;
  hub: Hub;
  /** A token was verified at `hello` (before the welcome); must not throw or wait. */
  signedIn?(identity: Identity, token: string): void;
  /** The client joined this node's hub; `first` when the person had no other socket here. */
  connected(client: Client, first: boolean): Promise<void>;
}

/** A verified hello, or the reason the socket is closed with (CLOSE.unauthorized). */
export type Hello = { ok: true; identity: Identity; token: string; frame: ClientFrame } | { ok: false; reason: string };

/** Checks the first frame: a `hello` with a token that verifies. */
export async function verifyHello(auth: Authenticator, parsed: ParseResult): Promise<Hello> {
  if (!parsed.ok || parsed.frame.type !== 'hello') return { ok: false, reason: 'hello_required' };
  const token = parsed.frame.token as string;
  try {
    return { ok: true, identity: await auth.verify(token), token, frame: parsed.frame };
  } catch (err) {
    return { ok: false, reason: err instanceof AppError ? err.code : 'token_invalid' };
  }
}

/**
 * Welcomes a signed-in client: advisor state, `welcome` (answering the hello's
 * `id`), the hub, then the replay of what the hello's `resume` asked for.
 */
export async function welcomeClient(deps: HandshakeDeps, client: Client, identity: Identity, frame: ClientFrame): Promise<void> {
  const { chat, hub } = deps;
  const advisor = identity.role === 'advisor' ? await chat.statuses.connected(client) : undefined;
  const { frame: welcome, open } = await chat.welcomeFor(client, advisor);
  // Cursors are set before the client joins the hub, so live messages queue behind the replay.
  for (const c of welcome.conversations) client.follow(c.conversationId, c.lastSeq);
  const plan = await planResume(client, (frame.resume as ResumeRequest[] | undefined) ?? [], chat, open);
  const first = !hub.isOnline(client.userId);
  hub.add(client);
  client.send({
    type: 'welcome',
    role: identity.role,
    sessionId: client.sessionId,
    // A company user's matricole, so the page can ask which company a chat is about (an intermediary acts for many).
    user: { id: identity.sub, name: identity.name, province: identity.province, ...(isUserRole(identity.role) && identity.role !== 'worker' ? { matricole: companyMatricole(identity) } : {}) },
    ...welcome,
    ...(frame.id !== undefined ? { re: frame.id } : {}),
  });
  client.welcomed = true;
  await deps.connected(client, first);
  // An advisor sees at once how many wait for them; then on change (advisor-queue-push.ts).
  if (advisor) await chat.statuses.welcomed(client);
  await replay(client, plan, chat);
}
