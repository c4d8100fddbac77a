import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.ts';

// A compute worker thread: runs pure, CPU-bound tasks (quotes, APRs) off the event loop, so the
// API keeps answering — health probes above all — however long the worst accepted calculation
// takes. A task is an exported function of a module, named by URL and export; its input and result
// are structured-cloned. An AppError crosses back as its code and fields, and is thrown again.

export type TaskMessage = { id: number; module: string; task: string; input: unknown };
export type ResultMessage =
  /** The task's module is loaded and the task begins: its time limit starts now. */
  | { id: number; started: true }
  | { id: number; ok: true; value: unknown }
  | {
      id: number;
      ok: false;
      appError?: { code: string; detail: string; errors?: unknown; extensions?: unknown };
      message?: string;
    };

const modules = new Map<string, Promise<Record<string, unknown>>>();

async function run(message: TaskMessage): Promise<ResultMessage> {
  let loaded = modules.get(message.module);
  if (loaded === undefined) {
    loaded = import(message.module) as Promise<Record<string, unknown>>;
    modules.set(message.module, loaded);
  }
  const task = (await loaded)[message.task];
  if (typeof task !== 'function') throw new Error(`${message.module} exports no task ${message.task}`);
  parentPort?.postMessage({ id: message.id, started: true } satisfies ResultMessage);
  return { id: message.id, ok: true, value: await (task as (input: unknown) => unknown)(message.input) };
}

parentPort?.on('message', (message: TaskMessage) => {
  run(message).then(
    (result) => parentPort?.postMessage(result),
    (error: unknown) =>
      parentPort?.postMessage(
        error instanceof AppError
          ? {
              id: message.id,
              ok: false,
              appError: {
                code: error.code,
                detail: error.detail,
                errors: error.errors,
                extensions: error.extensions,
              },
            }
          : {
              id: message.id,
              ok: false,
              message: error instanceof Error ? (error.stack ?? error.message) : String(error),
            },
      ),
  );
});
