/** docs/protocol.md is generated from the frame schemas; it must match them. */
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { render } from '../scripts/gen-protocol.ts';
import { CLIENT_FRAMES } from '../server/ws-frames.ts';

test('docs/protocol.md is in step with the frame schemas (regenerate with scripts/gen-protocol.ts)', () => {
  const current = readFileSync(new URL('../docs/protocol.md', import.meta.url), 'utf8');
  assert.ok(current === render(), 'docs/protocol.md is out of date: run npx tsx scripts/gen-protocol.ts');
});

test('every contract frame type is in the closed map of client frames', () => {
  for (const type of ['hello', 'chat.request', 'chat.cancel', 'message.send', 'typing', 'read', 'conversation.close', 'advisor.status', 'conversation.escalate', 'conversation.transfer']) {
    assert.ok(Object.hasOwn(CLIENT_FRAMES, type), type);
  }
});

test.run();
