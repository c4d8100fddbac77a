import { readFileSync } from 'node:fs';
import { type Config, ConfigError, loadConfig } from '../platform/config.ts';
import { createLogger, type Logger } from '../platform/logger.ts';

// What every long-running command shares: configuration (validated before anything starts),
// the logger, and an orderly shutdown on SIGINT/SIGTERM.

export const version: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Exit status for a configuration error (sysexits EX_CONFIG). */
export const exitConfig = 78;

export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`fenqi: ${error.message}\n`);
      process.exit(exitConfig);
    }
    throw error;
  }
}

export type Stoppable = { name: string; stop: () => Promise<void> };

/**
 * Stops components in reverse start order on the first SIGINT/SIGTERM (HTTP first, so in-flight
 * requests drain while the database is still up; the embedded PostgreSQL last). A second signal
 * exits at once.
 */
export function stopOnSignals(logger: Logger, components: Stoppable[]): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let failed = false;
    for (const component of [...components].reverse()) {
      try {
        await component.stop();
        logger.info({ component: component.name }, 'stopped');
      } catch (error) {
        failed = true;
        logger.error({ err: error, component: component.name }, 'stop failed');
      }
    }
    logger.flush();
    process.exit(failed ? 1 : 0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function printBanner(lines: string[]): void {
  process.stderr.write(`\n${lines.map((line) => `  ${line}`).join('\n')}\n\n`);
}

export type { Config, Logger };
export { createLogger };
