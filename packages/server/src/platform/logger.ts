import pino from 'pino';
import type { Config } from './config.ts';

export type Logger = pino.Logger;

/**
 * One JSON logger per process. Secrets and C2 personal data never reach the log: credentials and
 * cookies are redacted here, and modules log ids, never names, ID numbers, phones or card numbers.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'fenqi', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'res.headers["set-cookie"]',
          '*.password',
          '*.otp',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
