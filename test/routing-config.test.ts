/** The routing configuration file: defaults, validation naming the field, and start-up refusing a bad one. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_ROUTING_CONFIG, RoutingConfigError, rolloutRules, validateRoutingConfig } from '../routing/routing-config.ts';
import { availability, defaultScheduleConfig } from '../routing/schedule.ts';
import { ConfigError, loadConfig } from '../server/config.ts';

function fieldOf(input: unknown): string {
  try {
    validateRoutingConfig(input);
  } catch (err) {
    if (err instanceof RoutingConfigError) return err.field;
    throw err;
  }
  return '(accepted)';
}

test('the committed config/routing.json is valid and equals the built-in defaults', () => {
  const config = loadConfig({ AUTH_DEV: '1' });
  assert.equal(config.routing, DEFAULT_ROUTING_CONFIG);
});

test('a partial file keeps the defaults for what it leaves out', () => {
  const c = validateRoutingConfig({ defaultCapacity: 5, overflow: { regionAfterSeconds: 120, nationalAfterSeconds: 600 } });
  assert.is(c.defaultCapacity, 5);
  assert.is(c.userGraceSeconds, 60);
  assert.equal(c.overflow, { regionAfterSeconds: 120, nationalAfterSeconds: 600, languageAfterSeconds: 300 });
});

test('each bad field is named', () => {
  assert.is(fieldOf({ defaultCapacity: 0 }), 'defaultCapacity');
  assert.is(fieldOf({ defaultCapacity: '3' }), 'defaultCapacity');
  assert.is(fieldOf({ userGraceSeconds: 1.5 }), 'userGraceSeconds');
  assert.is(fieldOf({ capacity: 3 }), 'capacity');
  assert.is(fieldOf({ overflow: { regionAfterSeconds: 600, nationalAfterSeconds: 60 } }), 'overflow.nationalAfterSeconds');
  assert.is(fieldOf({ overflow: { languageAfterSeconds: -1 } }), 'overflow.languageAfterSeconds');
  assert.is(fieldOf({ overflow: { region: 1 } }), 'overflow.region');
  assert.is(fieldOf({ rollout: { restOfItalyFrom: 'September' } }), 'rollout.restOfItalyFrom');
  assert.is(fieldOf({ rollout: { provinces: { ZZ: '2023-01-01' } } }), 'rollout.provinces.ZZ');
  assert.is(fieldOf({ rollout: { provinces: { BO: '2023-13-45' } } }), 'rollout.provinces.BO');
  assert.is(fieldOf([]), '(root)');
});

test('start-up stops with a message naming the file and the field', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'routing-'));
  const bad = path.join(dir, 'routing.json');
  writeFileSync(bad, JSON.stringify({ overflow: { regionAfterSeconds: -1 } }));
  assert.throws(() => loadConfig({ AUTH_DEV: '1', ROUTING_CONFIG: bad }), (err: Error) => err instanceof ConfigError && /routing\.json\) overflow\.regionAfterSeconds/.test(err.message));
  writeFileSync(bad, '{ not json');
  assert.throws(() => loadConfig({ AUTH_DEV: '1', ROUTING_CONFIG: bad }), (err: Error) => err instanceof ConfigError && /not JSON/.test(err.message));
  assert.throws(() => loadConfig({ AUTH_DEV: '1', ROUTING_CONFIG: path.join(dir, 'missing.json') }), /cannot read/);
});

test('the roll-out in the file drives the schedule: a province added early opens to employers then', () => {
  const c = validateRoutingConfig({ rollout: { restOfItalyFrom: '2024-01-01', provinces: { MI: '2022-12-01', BO: '2023-03-01' } } });
  const schedule = defaultScheduleConfig({ rollout: rolloutRules(c) });
  const at = new Date('2023-06-05T15:30:00+02:00'); // a Monday
  assert.is(availability(at, 'BO', 'employer', schedule).open, true);
  assert.is(availability(at, 'TO', 'employer', schedule).reason, 'not_rolled_out', 'TO is not listed in this file');
  assert.is(availability(at, 'TO', 'worker', schedule).open, true, 'workers everywhere');
});

test('other environment mistakes name their variable', () => {
  assert.throws(() => loadConfig({ AUTH_DEV: '1', PORT: 'eighty' }), /PORT/);
  assert.throws(() => loadConfig({ AUTH_DEV: '1', NODE_ENV: 'production' }), /AUTH_DEV/);
  assert.throws(() => loadConfig({}), /AUTH_JWKS_URL/);
  assert.throws(() => loadConfig({ AUTH_DEV: '1', DATABASE_URL: 'mysql://x' }), /DATABASE_URL/);
  assert.throws(() => loadConfig({ AUTH_DEV: '1', SERVICE_HOURS: 'sometimes' }), /SERVICE_HOURS/);
  assert.throws(() => loadConfig({ AUTH_DEV: '1', REDIS_PREFIX: 'bad prefix!' }), /REDIS_PREFIX/);
  assert.throws(() => loadConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks' }), /AUTH_ISSUER/);
  assert.throws(() => loadConfig({ AUTH_DEV: '1', COMMIT_BATCH_IN_FLIGHT: '0' }), /COMMIT_BATCH_IN_FLIGHT/);
  assert.throws(() => loadConfig({ AUTH_DEV: '1', DATABASE_QUERY_TIMEOUT_MS: '500' }), /DATABASE_QUERY_TIMEOUT_MS/);
});

test('the database query timeout is 12 s unless set', () => {
  assert.is(loadConfig({ AUTH_DEV: '1' }).databaseQueryTimeoutMs, 12_000);
  assert.is(loadConfig({ AUTH_DEV: '1', DATABASE_QUERY_TIMEOUT_MS: '4000' }).databaseQueryTimeoutMs, 4_000);
});

test('batches in flight are the store’s default for its driver unless set', () => {
  assert.is(loadConfig({ AUTH_DEV: '1' }).commitBatch.maxInFlight, undefined);
  assert.is(loadConfig({ AUTH_DEV: '1', COMMIT_BATCH_IN_FLIGHT: '3' }).commitBatch.maxInFlight, 3);
});

const IDP = { AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'infocig-chat' };
const OIDC = { AUTH_OIDC_AUTHORIZE_URL: 'https://idp.example/authorize', AUTH_OIDC_TOKEN_URL: 'https://idp.example/token', AUTH_OIDC_CLIENT_ID: 'infocig-chat' };

test('the full-page sign-in is configured whole or not at all, and only where its tokens can be verified', () => {
  assert.equal(loadConfig({ ...IDP, ...OIDC }).pageSignIn, {
    authorizeUrl: OIDC.AUTH_OIDC_AUTHORIZE_URL, tokenUrl: OIDC.AUTH_OIDC_TOKEN_URL, clientId: 'infocig-chat', scope: 'openid profile', token: 'id_token',
  });
  assert.is(loadConfig(IDP).pageSignIn, null);
  assert.throws(() => loadConfig({ ...IDP, AUTH_OIDC_AUTHORIZE_URL: OIDC.AUTH_OIDC_AUTHORIZE_URL }), /AUTH_OIDC_TOKEN_URL/);
  assert.throws(() => loadConfig({ ...IDP, ...OIDC, AUTH_OIDC_CLIENT_ID: ' ' }), /AUTH_OIDC_CLIENT_ID/);
  assert.throws(() => loadConfig({ ...IDP, ...OIDC, AUTH_OIDC_TOKEN_URL: 'ftp://idp.example/token' }), /AUTH_OIDC_TOKEN_URL/);
  assert.throws(() => loadConfig({ AUTH_DEV: '1', ...OIDC }), /needs AUTH_JWKS_URL/);
  assert.throws(() => loadConfig({ ...IDP, ...OIDC, AUTH_OIDC_TOKEN: 'code' }), /AUTH_OIDC_TOKEN\b/);
  assert.throws(() => loadConfig({ ...IDP, ...OIDC, AUTH_OIDC_SCOPE: 'openid "x"' }), /AUTH_OIDC_SCOPE/);
  assert.is(loadConfig({ ...IDP, ...OIDC, AUTH_OIDC_TOKEN: 'access_token', AUTH_OIDC_SCOPE: 'openid cig' }).pageSignIn?.token, 'access_token');
});

test.run();
