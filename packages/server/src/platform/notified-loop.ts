import pg from 'pg';
import type { Logger } from './logger.ts';

// A worker loop that runs a pass whenever a transaction NOTIFYs its channel (so new work starts at
// once) and at least every `pollMs` (retries and back-offs come due without a notification). A
// pass that did something runs again at once; passes never overlap within a process. Any number
// of processes may run the same loop: passes claim their work with SKIP LOCKED.

export type NotifiedLoop = { stop(): Promise<void> };

/** What a module declares: the loop's name, the channel that wakes it, its timer, one pass. */
export type LoopDefinition = {
  name: string;
  channel: string;
  pollMs: number;
  /** One pass; returns how much it did (0: nothing was due). */
  pass: () => Promise<number>;
};

export async function startNotifiedLoop(
  options: LoopDefinition & { connectionString: string; logger: Logger },
): Promise<NotifiedLoop> {
  const listener = new pg.Client({
    connectionString: options.connectionString,
    application_name: options.name,
  });
  let stopping = false;
  let running: Promise<void> | undefined;
  let again = false;
  const run = () => {
    if (stopping) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          if ((await options.pass()) > 0) again = true;
        } catch (error) {
          options.logger.error({ err: error, loop: options.name }, `${options.name} pass failed`);
        }
      } while (again && !stopping);
    })().finally(() => {
      running = undefined;
    });
  };
  listener.on('notification', run);
  listener.on('error', (error) =>
    options.logger.warn({ err: error, loop: options.name }, `${options.name} listener error`),
  );
  await listener.connect();
  await listener.query(`LISTEN ${options.channel}`);
  const timer = setInterval(run, options.pollMs);
  timer.unref();
  run();
  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      await running;
      await listener.end().catch(() => {});
    },
  };
}
