// What a service call that should be refused threw: an AppError's public fields, so a test can
// compare the whole refusal at once. Anything else (a bug) is rethrown.

export type Failure = { code: string; detail: string; errors?: unknown; extensions?: unknown };

export async function failure(work: () => Promise<unknown>): Promise<Failure> {
  try {
    await work();
  } catch (error) {
    const e = error as {
      name?: string;
      code?: string;
      detail?: string;
      errors?: unknown;
      extensions?: unknown;
    };
    if (e.name !== 'AppError') throw error;
    return {
      code: e.code ?? '',
      detail: e.detail ?? '',
      ...(e.errors === undefined ? {} : { errors: e.errors }),
      ...(e.extensions === undefined ? {} : { extensions: e.extensions }),
    };
  }
  throw new Error('expected a failure');
}
