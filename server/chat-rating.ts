/**
 * The user's rating of a conversation after it ended (`conversation.rate`): the
 * survey a help desk sends after every close, not only the ones the user made.
 * A user who ends the chat themselves may rate in the same frame
 * (`conversation.close` with `rating`); an advisor's close, an escalation to a
 * Linea INPS request or any other end leaves the chat unrated, and the user's
 * closed view then asks (widgets/chat/rating.js).
 *
 * Separate from chat-service.ts because these are rules about one stored field
 * after the close, with their own window and refusals:
 * - only the conversation's user rates; anybody else (its advisor included) gets
 *   `not_participant`, as for a conversation that does not exist;
 * - an open conversation is refused (`conversation_open`);
 * - within RATING_WINDOW_HOURS of the close, once: the same rating again answers
 *   `ok` (a retry after a lost answer), another one `already_rated`;
 * - later, `rating_window_expired`.
 * The rating counts on the day the chat was closed, as one given at the close does
 * (docs/dashboard.md, "Satisfaction").
 */
import type { ChatStore, ConversationRecord } from './chat-store.ts';
import { AppError } from './errors.ts';

/** How long after the close a conversation may still be rated. */
export const RATING_WINDOW_HOURS = 24;
const WINDOW_MS = RATING_WINDOW_HOURS * 3600_000;

/**
 * Until when `userId` may still rate `conv` (ISO), or null: not theirs as its user,
 * still open, already rated, or past the window. What the user's `conversation.closed`
 * and the conversation's HTTP view carry, so the page knows whether to ask.
 */
export function rateUntil(conv: ConversationRecord, userId: string, now: number): string | null {
  if (conv.userId !== userId || conv.status !== 'closed' || conv.rating !== null || !conv.closedAt) return null;
  const until = conv.closedAt.getTime() + WINDOW_MS;
  return until > now ? new Date(until).toISOString() : null;
}

/** Stores the user's rating of an ended conversation; answers `ok` with the rating stored. */
export async function rateConversation(store: ChatStore, userId: string, conversationId: string, rating: number, now: number): Promise<object> {
  const conv = await store.getConversation(conversationId);
  if (!conv || conv.userId !== userId) throw new AppError('not_participant');
  if (conv.status === 'open') throw new AppError('conversation_open');
  const stored = conv.rating ?? (await rateIfWithinWindow(store, conv, rating, now));
  if (stored !== rating) throw new AppError('already_rated', String(stored));
  return { type: 'ok', conversationId: conv.id, rating };
}

/** The rating now stored: this one, or one that another tab stored an instant before. */
async function rateIfWithinWindow(store: ChatStore, conv: ConversationRecord, rating: number, now: number): Promise<number> {
  if (!conv.closedAt || now - conv.closedAt.getTime() > WINDOW_MS) throw new AppError('rating_window_expired', String(RATING_WINDOW_HOURS));
  const rated = await store.rateConversation(conv.id, rating);
  if (rated) return rating;
  const current = await store.getConversation(conv.id);
  if (current?.rating === null || current?.rating === undefined) throw new AppError('internal');
  return current.rating;
}
