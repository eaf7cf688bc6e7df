/**
 * `npm start`: configuration from the environment, services, the app, and the
 * URLs a person needs. Development sign-in is on by default here, unless
 * NODE_ENV=production, where asking for it stops the start.
 */
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { shutdown } from './shutdown.ts';
import { createServices } from './services.ts';
import { retentionText, staffIdsText, startFailureText, startWarnings } from './start-line.ts';

async function main(): Promise<void> {
  const env = { ...process.env };
  if (env.AUTH_DEV === undefined && env.NODE_ENV !== 'production') env.AUTH_DEV = '1';
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`INFO CIG cannot start: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  const started = Date.now();
  const services = await createServices(config);
  const app = await buildApp(services);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    console.error(`INFO CIG cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
    await app.close();
    process.exit(1);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const storage = config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`;
  const routing = config.redisUrl ? 'Redis' : 'in-process';
  const lines = [
    `INFO CIG is up in ${Date.now() - started} ms (storage: ${storage}; routing state: ${routing}; hours: ${config.serviceHours}; retention: ${retentionText(config)}; staff ids: ${staffIdsText(config)}${config.authDev ? '; development sign-in ON' : ''})`,
    `  demo page (chat bubble):  ${base}/demo/`,
    `  full-page chat:           ${base}/chat/`,
    `  advisor console:          ${base}/advisor/`,
    `  office console:           ${base}/office/`,
    `  dashboard:                ${base}/dashboard/`,
    `  health:                   ${base}/health`,
    ...(config.authDev && !config.notices.smtpUrl ? [`  notices (local mailbox):  ${base}/mailbox/`] : []),
  ];
  console.log(lines.join('\n'));
  for (const warning of startWarnings(config)) services.logger.warn(warning);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void shutdown(app, signal, { lifecycle: services.lifecycle, drainMs: config.shutdownDrainMs, exit: (code) => process.exit(code) });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(startFailureText(err));
  process.exit(1);
});
