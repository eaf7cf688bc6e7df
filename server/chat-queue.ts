/**
 * A user asking for a chat (`chat.request`) and leaving the queue (`chat.cancel`): admission by
 * the calendar, the "ticket only" switch and the closing time, then the queue entry built from
 * the frame and the verified token. Split from chat-service.ts, which delegates to it.
 */
import { findProvince } from '../routing/provinces.ts';
import type { QueueEntry } from '../routing/routing-state.ts';
import { availability } from '../routing/schedule.ts';
import { isUserRole, type Entry, type Topic } from '../routing/types.ts';
import type { Identity } from './auth.ts';
import type { ChatDeps } from './chat-service.ts';
import type { Client } from './client.ts';
import { AppError, withExtra } from './errors.ts';

type Frame = Record<string, unknown>;
type Deps = Pick<ChatDeps, 'state' | 'fanout' | 'clock' | 'router' | 'schedule' | 'metrics' | 'departures' | 'limits' | 'ticketOnly'>;

export class ChatQueue {
  constructor(private readonly deps: Deps) {}

  async request(client: Client, frame: Frame): Promise<object> {
    const { identity } = client;
    if (!isUserRole(identity.role)) throw new AppError('forbidden', 'only workers, employers and intermediaries ask for a chat');
    const code = typeof frame.province === 'string' ? frame.province.toUpperCase() : identity.province;
    if (!code) throw new AppError('validation_failed', 'province is required when the token has none');
    const province = findProvince(code);
    if (!province) throw new AppError('unknown_province', code);
    const now = this.deps.clock.now();
    const open = availability(new Date(now), province.code, identity.role, this.deps.schedule);
    if (!open.open) throw withExtra(new AppError('service_closed', open.reason ?? 'closed'), { reason: open.reason, opensAt: open.opensAt, holidaysBefore: open.holidaysBefore, offerTicket: true });
    if (this.deps.ticketOnly?.(province.code)) throw withExtra(new AppError('ticket_only', province.code), { province: province.code, offerTicket: true });
    const entry: QueueEntry = {
      userId: identity.sub,
      role: identity.role,
      name: identity.name,
      province: province.code,
      audience: identity.role,
      topic: frame.topic as Topic,
      lang: (frame.lang as string | undefined) ?? identity.lang ?? 'it',
      entry: (frame.entry as Entry | undefined) ?? 'other',
      context: contextOf(frame, identity),
      priority: 0,
      since: now,
      ...questionOf(frame, this.deps.limits.maxTextLength),
    };
    if (open.closesAt && frame.waitAnyway !== true) await this.admitBeforeClosing(entry, Date.parse(open.closesAt) - now, open.closesAt);
    const result = await this.deps.state.enqueue(entry);
    if (!result.ok && result.reason === 'in_conversation') throw new AppError('already_in_conversation');
    if (result.ok) this.deps.metrics.chatRequests.inc({ audience: identity.role });
    this.deps.router.forgetPosition(identity.sub);
    const info = await this.deps.router.waitInfo(identity.sub);
    const joined = { type: 'queue.joined', province: province.code, audience: identity.role, topic: entry.topic, position: info?.position ?? 1, etaSeconds: info?.etaSeconds ?? 0, etaKnown: info?.etaKnown ?? true };
    this.deps.fanout.toUser(identity.sub, joined);
    void this.deps.router.dispatch();
    return { type: 'ok' };
  }

  /**
   * Admission that knows the closing time: when the expected wait runs past it, the
   * user is told so and offered a Linea INPS request instead of waiting in vain
   * (they may still choose to wait with `waitAnyway`). A user already waiting passes.
   */
  private async admitBeforeClosing(entry: QueueEntry, msLeft: number, closesAt: string): Promise<void> {
    const snapshot = await this.deps.state.snapshot();
    const already = [...snapshot.queues.values()].some((q) => q.some((e) => e.userId === entry.userId));
    if (already) return;
    const { etaSeconds, etaKnown } = this.deps.router.estimateForNewcomer(snapshot, entry);
    // Unknown (nobody available can serve the queue now): admitted. Advisors step away for minutes and come
    // back, so refusing would turn people away on a guess; the queue view says the wait cannot be
    // estimated, the user can still leave for a request, and maxWaitSeconds bounds a wait that goes nowhere.
    if (etaKnown && etaSeconds * 1000 > msLeft) {
      throw withExtra(new AppError('closing_soon', `about ${Math.ceil(etaSeconds / 60)} minutes, closing at ${closesAt}`), { etaSeconds, closesAt, offerTicket: true });
    }
  }

  async cancel(client: Client, frame: Frame = {}): Promise<object> {
    const entry = await this.deps.state.cancel(client.userId);
    if (!entry) throw new AppError('not_waiting');
    const reason = frame.reason === 'self_served' ? 'self_served' : 'cancelled';
    this.deps.metrics.abandoned.inc({ reason });
    void this.deps.departures.record(entry, reason);
    this.deps.router.forgetPosition(client.userId);
    this.deps.fanout.toUser(client.userId, { type: 'queue.left', reason: 'cancelled' });
    await this.deps.router.closeLeftBehind(entry, client.userId);
    void this.deps.router.pushPositions();
    return { type: 'ok' };
  }
}

/** The question typed while asking, trimmed and bounded; none when blank. */
function questionOf(frame: Frame, max: number): { question?: string } {
  const text = typeof frame.text === 'string' ? frame.text.trim() : '';
  if (!text) return {};
  if (text.length > max) throw new AppError('text_too_long', String(max));
  return { question: text };
}

/**
 * The page's context, with the company's matricola checked against the token: a
 * company user may only speak for a matricola it holds, because an escalated chat
 * becomes a ticket visible to that matricola. Unsaid, it is the one company they
 * hold, if one; with several the page asks (welcome.user.matricole).
 */
function contextOf(frame: Frame, identity: Identity): Record<string, string> {
  const context = { ...((frame.context as Record<string, string> | undefined) ?? {}) };
  const held = [identity.matricola, ...identity.matricole].filter((m): m is string => !!m);
  if (identity.role !== 'worker' && context.matricola && !held.includes(context.matricola)) {
    throw new AppError('matricola_not_yours', context.matricola.slice(0, 32));
  }
  const only = new Set(held);
  if (!context.matricola && identity.role !== 'worker' && only.size === 1) context.matricola = [...only][0]!;
  return context;
}
