/**
 * The contract between RedisRoutingState and server/lua/: the key layout under
 * `${prefix}:{rs}:`, which script receives which keys (in KEYS order), and the
 * scripts' sources and SHA-1s, read once per process. Apart from the state's
 * operations (routing-state-redis.ts) so that a change to a script's files or keys
 * is read side by side with the headers of the .lua files, and nowhere else.
 * See docs/routing-state.md.
 *
 * Every key is `${prefix}:{rs}:<name>`: two deployments share one Redis with two
 * prefixes, and all keys of one prefix carry the same cluster hash tag (the first
 * `{…}` in the key), so the multi-key scripts would also run on a Redis Cluster.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The keys under `${prefix}:{rs}:`. Few keys with prefixed fields (`e:`, `u:`, `c:`, `k:`
 * in users; `<id>:s` … in advisors): a script sends and touches fewer keys, and one
 * HMGET reads what used to take a call per hash.
 */
const KEY_NAMES = {
  seq: 'seq',
  waiting: 'waiting',
  users: 'users',
  advisors: 'advisors',
  /** The state's epoch: missing or changed = the state was lost (init-epoch.lua). */
  epoch: 'epoch',
  /** Which node reconciles the state with the database now (SET NX PX). */
  reconcile: 'reconcile',
} as const;
export type KeyName = keyof typeof KEY_NAMES;

/** Each script: its file and the keys it receives, in KEYS order (see the header of each file). */
export const SCRIPTS = {
  enqueue: { file: 'enqueue.lua', keys: ['seq', 'waiting', 'users'] },
  cancel: { file: 'cancel.lua', keys: ['waiting', 'users'] },
  upsertAdvisor: { file: 'upsert-advisor.lua', keys: ['advisors'] },
  setAdvisorStatus: { file: 'set-advisor-status.lua', keys: ['advisors'] },
  claim: { file: 'claim.lua', keys: ['waiting', 'users', 'advisors'] },
  release: { file: 'release.lua', keys: ['users', 'advisors'] },
  unclaim: { file: 'unclaim.lua', keys: ['seq', 'waiting', 'users', 'advisors'] },
  snapshot: { file: 'snapshot.lua', keys: ['waiting', 'users', 'advisors', 'epoch'] },
  initEpoch: { file: 'init-epoch.lua', keys: ['epoch'] },
  restoreHeld: { file: 'restore-held.lua', keys: ['waiting', 'users', 'advisors'] },
  held: { file: 'held.lua', keys: ['users', 'advisors'] },
} as const satisfies Record<string, { file: string; keys: readonly KeyName[] }>;
export type ScriptName = keyof typeof SCRIPTS;

export interface LoadedScript {
  source: string;
  sha: string;
}

let loaded: Record<ScriptName, LoadedScript> | undefined;

/** Every script's source and SHA-1 (for EVALSHA), read from disk on first use. */
export function lua(): Record<ScriptName, LoadedScript> {
  loaded ??= Object.fromEntries(
    Object.entries(SCRIPTS).map(([name, s]) => {
      const source = readFileSync(new URL(`./lua/${s.file}`, import.meta.url), 'utf8');
      return [name, { source, sha: createHash('sha1').update(source).digest('hex') }];
    }),
  ) as Record<ScriptName, LoadedScript>;
  return loaded;
}

/** The keys of a prefix, e.g. for SCAN/DEL in tests and tooling. */
export function routingStateKeys(prefix: string): Record<KeyName, string> {
  const base = `${prefix}:{rs}`;
  return Object.fromEntries(Object.entries(KEY_NAMES).map(([k, name]) => [k, `${base}:${name}`])) as Record<KeyName, string>;
}
