// Asserts guard invariants that only a bug can break (TigerBeetle style): they crash loudly and
// are never used for bad input, which is reported as an issue code instead (see issue.ts).

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}
