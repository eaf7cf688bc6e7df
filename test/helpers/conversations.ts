/** A new conversation's fields for store tests: fresh ids each time, overridable. */
import { randomUUID } from 'node:crypto';
import type { NewConversation } from '../../server/chat-store.ts';

export function newConversation(overrides: Partial<NewConversation> = {}): NewConversation {
  return {
    id: randomUUID(),
    userId: `user-${randomUUID()}`,
    userRole: 'worker',
    userName: 'Mario Verdi',
    province: 'MI',
    audience: 'worker',
    topic: 'cigo',
    entry: 'worker_area',
    context: {},
    advisorId: `adv-${randomUUID()}`,
    advisorName: 'Giulia Rossi',
    openedAt: new Date('2025-03-03T09:15:00.000Z'),
    ...overrides,
  };
}
