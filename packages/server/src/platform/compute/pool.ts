import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode, type FieldError } from '../errors.ts';
import type { ResultMessage, TaskMessage } from './worker.ts';

// A small fixed pool of compute worker threads with a bounded queue. Work beyond the queue is
// refused at once (503 compute_busy, Retry-After) rather than queued without bound, and a task
// that outlives its time limit has its worker replaced: the pool never waits on a runaway.

export type ComputePool = {
  /** Runs `task`, an exported function of the module at `module`, on a worker thread. */
  run<T>(module: URL, task: string, input: unknown): Promise<T>;
  close(): Promise<void>;
};

export type ComputePoolOptions = {
  workers: number;
  queueMax: number;
  taskTimeoutMs: number;
};

type Pending = {
  message: TaskMessage;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

type Slot = { worker: Worker; busy: Pending | undefined; timer: NodeJS.Timeout | undefined };

const workerUrl = new URL('./worker.ts', import.meta.url);
const workerStartLimitMs = 30_000;

function busy(detail: string): AppError {
  return new AppError('compute_busy', detail, { extensions: { retryAfterSeconds: 1 } });
}

export function createComputePool(options: ComputePoolOptions): ComputePool {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  /** Stops the slot's task after `ms`, replacing its worker. */
  function arm(slot: Slot, ms: number, detail: string): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => replace(slot, busy(detail)), ms);
  }

  function settle(slot: Slot, result: ResultMessage): void {
    const pending = slot.busy;
    if (pending === undefined || pending.message.id !== result.id) return;
    if ('started' in result) {
      // The limit bounds the task's own work; a fresh thread's start-up and module loading, which
      // a loaded machine can stretch, are not the request's doing.
      arm(
        slot,
        options.taskTimeoutMs,
        `The calculation took longer than ${options.taskTimeoutMs} ms and was stopped; retry later.`,
      );
      return;
    }
    clearTimeout(slot.timer);
    slot.busy = undefined;
    if (result.ok) pending.resolve(result.value);
    else if (result.appError) {
      const { code, detail, errors, extensions } = result.appError;
      pending.reject(
        new AppError(code as ErrorCode, detail, {
          ...(errors === undefined ? {} : { errors: errors as FieldError[] }),
          ...(extensions === undefined ? {} : { extensions: extensions as Record<string, unknown> }),
        }),
      );
    } else pending.reject(new Error(`compute task ${pending.message.task} failed: ${result.message}`));
    dispatch();
  }

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerUrl), busy: undefined, timer: undefined };
    slot.worker.on('message', (result: ResultMessage) => settle(slot, result));
    slot.worker.on('error', (error) => replace(slot, error));
    slot.worker.unref();
    return slot;
  }

  /** A worker that died or ran past its time: fail its task, start another in its place. */
  function replace(slot: Slot, reason: unknown): void {
    const pending = slot.busy;
    clearTimeout(slot.timer);
    slot.busy = undefined;
    void slot.worker.terminate();
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    pending?.reject(reason);
    if (!closed) dispatch();
  }

  function dispatch(): void {
    while (queue.length > 0) {
      let slot = slots.find((candidate) => candidate.busy === undefined);
      if (slot === undefined && slots.length < options.workers) {
        slot = spawn();
        slots.push(slot);
      }
      if (slot === undefined) return;
      const pending = queue.shift();
      if (pending === undefined) return;
      slot.busy = pending;
      // Until the task starts, only a worker that cannot start at all is given up on.
      arm(slot, workerStartLimitMs, 'A calculation worker did not start; retry later.');
      slot.worker.postMessage(pending.message);
    }
  }

  return {
    run<T>(module: URL, task: string, input: unknown): Promise<T> {
      if (closed) return Promise.reject(new Error('the compute pool is closed'));
      const waiting = queue.length;
      const idle = slots.some((slot) => slot.busy === undefined) || slots.length < options.workers;
      if (!idle && waiting >= options.queueMax) {
        return Promise.reject(
          busy(
            `All ${options.workers} calculation workers are busy and ${waiting} calculations wait; retry shortly.`,
          ),
        );
      }
      return new Promise<T>((resolve, reject) => {
        queue.push({
          message: { id: nextId++, module: module.href, task, input },
          resolve: resolve as (value: unknown) => void,
          reject,
        });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(new Error('the compute pool is closed'));
      await Promise.all(slots.splice(0).map((slot) => slot.worker.terminate()));
    },
  };
}
