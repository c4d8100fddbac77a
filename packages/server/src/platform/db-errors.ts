import { AppError } from './errors.ts';

// What PostgreSQL's errors mean for a request. A check-then-insert can lose a race to a concurrent
// request (both read "absent", both insert): the loser's insert fails on the unique constraint,
// and that is the same answer the check would have given — a 409, never a 500. Stores name the
// constraints they expect (`orConflict`); a violation nobody named is still a conflict, not a bug
// to hide, and is answered 409 concurrent_conflict by the error handler.

type PgError = { code?: unknown; constraint?: unknown };

function pgError(error: unknown): PgError | undefined {
  return typeof error === 'object' && error !== null ? (error as PgError) : undefined;
}

/** SQLSTATE classes the platform treats as a conflict with concurrent work. */
export const conflictStates = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

/** The name of the unique constraint a statement violated, if that is what failed. */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  const e = pgError(error);
  return e?.code === conflictStates.uniqueViolation && typeof e.constraint === 'string'
    ? e.constraint
    : undefined;
}

/** Whether the transaction failed only because a concurrent one won: running it again may succeed. */
export function isRetryableConflict(error: unknown): boolean {
  const code = pgError(error)?.code;
  return code === conflictStates.serializationFailure || code === conflictStates.deadlockDetected;
}

/** Whether an error is a constraint or concurrency conflict (answered 409, not 500). */
export function isConflict(error: unknown): boolean {
  const code = pgError(error)?.code;
  return typeof code === 'string' && (Object.values(conflictStates) as string[]).includes(code);
}

/**
 * Runs a write and turns a violation of one of the named unique constraints into its catalogue
 * error. The transaction is aborted by the violation; the AppError rolls it back whole.
 */
export async function orConflict<T>(
  write: Promise<T>,
  conflicts: Readonly<Record<string, () => AppError>>,
): Promise<T> {
  try {
    return await write;
  } catch (error) {
    const constraint = violatedUniqueConstraint(error);
    const conflict = constraint === undefined ? undefined : conflicts[constraint];
    if (conflict) throw conflict();
    throw error;
  }
}

export function concurrentConflict(): AppError {
  return new AppError(
    'concurrent_conflict',
    'Another request changed the same data at the same time. Retry the request (with the same Idempotency-Key).',
  );
}
