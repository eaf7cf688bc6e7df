/**
 * A browser suite against a real server on the real calendar (no
 * SERVICE_HOURS) whose clock the suite sets: registers test.before (start the
 * server, launch chromium) and test.after (close both). Call it inside the
 * suite's chromiumOrSkip() block.
 */
import { test } from 'uvu';
import type { ManualClock } from '../../routing/clock.ts';
import type { browserHarness } from './browser.ts';
import { startServer, type TestServer } from './server.ts';

export function clockedServer(chromium: ReturnType<typeof browserHarness>, clock: ManualClock, ready: () => Promise<void> = async () => {}): { url(): string } {
  let server: TestServer | null = null;
  test.before(async () => {
    server = await startServer({ clock, env: { SERVICE_HOURS: '' } });
    await chromium.launch();
    await ready();
  });
  test.after(async () => {
    await chromium.close();
    await server?.close();
  });
  return { url: () => server!.url };
}
