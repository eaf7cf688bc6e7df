/**
 * The client → server frames of /ws, as JSON Schema: the one definition used to
 * validate frames and to write docs/protocol.md. A frame whose `type` is not a key
 * of CLIENT_FRAMES is refused: the map is closed, so `__proto__` or `constructor`
 * can never reach a handler.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { ENTRIES, TOPICS } from '../routing/types.ts';
import { mayNeedMending, mendText } from './input-text.ts';

const id = { type: ['string', 'number'], maxLength: 64 } as const;
const conversationId = { type: 'string', minLength: 1, maxLength: 64 } as const;
const shortText = (max: number) => ({ type: 'string', maxLength: max }) as const;

function frame(properties: Record<string, unknown>, required: string[] = []) {
  return {
    type: 'object',
    properties: { type: { type: 'string' }, id, ...properties },
    required: ['type', ...required],
    additionalProperties: false,
  };
}

/**
 * What an advisor may say of a chat they close (the console's choices). A closed set: the
 * outcome is counted on the dashboard and labels a metric, and the server's own outcomes
 * (`escalated` with its ticket, `closed_by_user`, `left_queue`) are never the client's to claim.
 */
export const ADVISOR_CLOSE_OUTCOMES = ['resolved', 'info_given', 'escalate_later', 'no_answer'] as const;

export const CLIENT_FRAMES = {
  hello: frame(
    {
      token: { type: 'string', minLength: 1, maxLength: 8192 },
      resume: {
        type: 'array',
        maxItems: 50,
        items: {
          type: 'object',
          properties: { conversationId, lastSeq: { type: 'integer', minimum: 0 } },
          required: ['conversationId', 'lastSeq'],
          additionalProperties: false,
        },
      },
    },
    ['token'],
  ),
  'chat.request': frame(
    {
      topic: { enum: [...TOPICS] },
      province: { type: 'string', pattern: '^[A-Za-z]{2}$' },
      entry: { enum: [...ENTRIES] },
      lang: { type: 'string', pattern: '^[a-z]{2}$' },
      context: {
        type: 'object',
        maxProperties: 10,
        propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,31}$' },
        additionalProperties: { type: 'string', maxLength: 200 },
      },
      text: shortText(100_000),
      waitAnyway: { type: 'boolean' },
    },
    ['topic'],
  ),
  // `self_served`: the user found the answer among the tips while waiting (GET /api/v1/tips).
  'chat.cancel': frame({ reason: { enum: ['self_served'] } }),
  'message.send': frame(
    {
      conversationId,
      clientMsgId: { type: 'string', minLength: 1, maxLength: 64 },
      text: { type: 'string', minLength: 1, maxLength: 100_000 },
    },
    ['conversationId', 'clientMsgId', 'text'],
  ),
  typing: frame({ conversationId, active: { type: 'boolean' } }, ['conversationId']),
  read: frame({ conversationId, seq: { type: 'integer', minimum: 0 } }, ['conversationId', 'seq']),
  'conversation.close': frame(
    {
      conversationId,
      outcome: { enum: [...ADVISOR_CLOSE_OUTCOMES] },
      rating: { type: 'integer', minimum: 1, maximum: 5 },
    },
    ['conversationId'],
  ),
  // The user's rating of a chat that has ended (server/chat-rating.ts): once, within RATING_WINDOW_HOURS of the close.
  'conversation.rate': frame({ conversationId, rating: { type: 'integer', minimum: 1, maximum: 5 } }, ['conversationId', 'rating']),
  'advisor.status': frame({ status: { enum: ['available', 'away'] } }, ['status']),
  'conversation.escalate': frame({ conversationId, summary: { type: 'string', minLength: 1, maxLength: 4000 }, note: { type: 'string', minLength: 1, maxLength: 4000 } }, [
    'conversationId',
    'summary',
  ]),
  'conversation.transfer': frame({ conversationId, to: { type: 'string', maxLength: 128 } }, ['conversationId']),
  ping: frame({}),
  'dashboard.subscribe': frame({}),
  'dashboard.unsubscribe': frame({}),
} as const;

/**
 * Server → client: to each signed-in advisor, how many users wait whom they could serve
 * (the router's eligibility, whatever their status or free seats) and how long the
 * longest has waited, in seconds (null when nobody does). Counts only: no user's data.
 */
export interface AdvisorQueueFrame {
  type: 'advisor.queue';
  waiting: number;
  longestWaitSeconds: number | null;
}

export type ClientFrameType = keyof typeof CLIENT_FRAMES;

export interface ClientFrame {
  type: ClientFrameType;
  id?: string | number;
  [key: string]: unknown;
}

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validators = new Map<string, ValidateFunction>(
  Object.entries(CLIENT_FRAMES).map(([type, schema]) => [type, ajv.compile(schema)]),
);

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: 'not_json' | 'unknown_type' | 'validation_failed'; detail: string; re?: string | number };

/** Parses one text frame. Never throws; the caller answers a failure with an `error` frame. */
export function parseClientFrame(raw: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'not_json', detail: 'not JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, code: 'not_json', detail: 'not an object' };
  }
  const obj = data as Record<string, unknown>;
  const re = typeof obj.id === 'string' || typeof obj.id === 'number' ? obj.id : undefined;
  const type = obj.type;
  const validate = typeof type === 'string' ? validators.get(type) : undefined;
  // Never String(type): a nested array's toString recurses once per level, and a 64 KiB frame
  // nests deeper than the stack (RangeError in the socket's listener: the process would crash).
  if (!validate) return { ok: false, code: 'unknown_type', detail: typeof type === 'string' ? type.slice(0, 64) : `a ${type === null ? 'null' : Array.isArray(type) ? 'array' : typeof type}, not a type name`, re };
  if (!validate(obj)) {
    const err = validate.errors?.[0];
    const where = err ? `${err.instancePath || 'frame'} ${err.message ?? ''}`.trim() : 'invalid';
    const extra = err?.keyword === 'additionalProperties' ? ` (${String(err.params.additionalProperty)})` : '';
    return { ok: false, code: 'validation_failed', detail: where + extra, re };
  }
  // U+0000 refused, lone surrogates made U+FFFD: text PostgreSQL can store (input-text.ts).
  const unstorable = mayNeedMending(raw) ? mendText(obj) : null;
  if (unstorable !== null) return { ok: false, code: 'validation_failed', detail: unstorable, re };
  return { ok: true, frame: obj as ClientFrame };
}
