// Compute tasks for the platform tests. `block` holds its worker until the test releases it (a
// shared flag, Atomics.wait), so a test decides exactly when a calculation ends — no timing.

export function block(input: { flag: SharedArrayBuffer }): string {
  const view = new Int32Array(input.flag);
  Atomics.store(view, 1, 1);
  Atomics.wait(view, 0, 0);
  return 'released';
}

export function double(input: number): number {
  return input * 2;
}

export function fail(): never {
  throw new Error('a bug inside a task');
}

export const computeTasks = new URL(import.meta.url);

/** [0]: released by the test; [1]: set by `block` once it holds its worker. */
export function newFlag(): SharedArrayBuffer {
  return new SharedArrayBuffer(8);
}

/** Resolves once `block` holds its worker (the test then knows the worker is busy). */
export async function started(flag: SharedArrayBuffer): Promise<void> {
  while (Atomics.load(new Int32Array(flag), 1) !== 1) await new Promise((resolve) => setImmediate(resolve));
}

export function release(flag: SharedArrayBuffer): void {
  const view = new Int32Array(flag);
  Atomics.store(view, 0, 1);
  Atomics.notify(view, 0);
}
