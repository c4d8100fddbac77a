import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem } from '../../api/client';
import {
  afterRepayment,
  type Collection,
  type FailureReason,
  fetchCollectionOutcome,
  fetchTransactions,
  keys,
  type Transaction,
} from './queries';

// A payment the borrower asks for (a repayment, a payoff, a prepayment) is a collect order on
// their card: the API answers the order at once (201, its number `paymentOrderNo`), the channel
// finishes it later, and only then is the money applied — a new transaction of the loan. The page
// follows the order's outcome (GET …/repayment-requests/{orderNo}): a failed debit is final, with
// the reason the borrower is shown (nothing was taken, the loan is unchanged); a succeeded one is
// shown paid once its transaction is applied, with that transaction as the receipt. One still
// unconfirmed after a while is shown as still processing, with a way to look again.
//
// One Idempotency-Key per intent: a retry after a network failure or a 5xx sends the same key (the
// API answers the first response, so nothing is collected twice); a definite answer ends it.

export type Outcome =
  | { phase: 'idle' }
  | { phase: 'submitting' }
  | { phase: 'refused'; error: unknown }
  | { phase: 'pending'; collection: Collection }
  | { phase: 'succeeded'; collection: Collection; transaction: Transaction }
  | { phase: 'failed'; collection: Collection; reason: FailureReason | null }
  | { phase: 'processing'; collection: Collection };

/** Polling: quickly at first (the channel usually answers within seconds), then more slowly. */
const delays = [500, 500, 1000, 1000, 1000, 1500, 1500, 2000, 2000, 2000, 3000];
const patienceMs = 120_000;

function delayOf(attempt: number): number {
  return delays[Math.min(attempt, delays.length - 1)] ?? 3000;
}

type Learned =
  | { settled: false }
  | { settled: true; phase: 'failed'; reason: FailureReason | null }
  | { settled: true; phase: 'succeeded'; transaction: Transaction };

/** One look at the order: its outcome, and for a success the transaction it was applied as. */
async function lookAt(loanId: string, collection: Collection): Promise<Learned> {
  const outcome = await fetchCollectionOutcome(loanId, collection.paymentOrderNo);
  if (outcome.state === 'failed') return { settled: true, phase: 'failed', reason: outcome.failureReason };
  if (outcome.state !== 'succeeded' || outcome.transactionId === null) return { settled: false };
  const page = await fetchTransactions(loanId, undefined, 20);
  const transaction = page.transactions.find((row) => row.id === outcome.transactionId);
  return transaction === undefined ? { settled: false } : { settled: true, phase: 'succeeded', transaction };
}

export function useCollection(loanId: string) {
  const queries = useQueryClient();
  const [outcome, setOutcome] = useState<Outcome>({ phase: 'idle' });
  const key = useRef<string | undefined>(undefined);
  const alive = useRef(true);
  const polling = useRef(0);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    // Today's payoff quote is only marked stale: a loan the payment closed has none to fetch.
    const quote = keys.payoffQuote(loanId);
    const isQuote = (queryKey: readonly unknown[]) => quote.every((part, i) => queryKey[i] === part);
    await queries.invalidateQueries({ queryKey: quote, refetchType: 'none' });
    await Promise.all(
      afterRepayment(loanId).map((queryKey) =>
        queries.invalidateQueries({ queryKey, predicate: (query) => !isQuote(query.queryKey) }),
      ),
    );
  }, [loanId, queries]);

  const watch = useCallback(
    async (collection: Collection) => {
      const run = ++polling.current;
      const started = Date.now();
      setOutcome({ phase: 'pending', collection });
      for (let attempt = 0; alive.current && run === polling.current; attempt++) {
        const learned = await lookAt(loanId, collection).catch((): Learned => ({ settled: false }));
        if (!alive.current || run !== polling.current) return;
        if (learned.settled && learned.phase === 'succeeded') {
          await refresh();
          setOutcome({ phase: 'succeeded', collection, transaction: learned.transaction });
          return;
        }
        if (learned.settled) {
          // Nothing was taken and nothing on the loan changed: no read needs refreshing.
          setOutcome({ phase: 'failed', collection, reason: learned.reason });
          return;
        }
        if (Date.now() - started > patienceMs) {
          setOutcome({ phase: 'processing', collection });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delayOf(attempt)));
      }
    },
    [loanId, refresh],
  );

  /** Sends the request (with this intent's Idempotency-Key), then follows the collection. */
  const submit = useCallback(
    async (send: (headers: { 'idempotency-key': string }) => Promise<Collection>) => {
      setOutcome({ phase: 'submitting' });
      try {
        key.current ??= crypto.randomUUID();
        const collection = await send({ 'idempotency-key': key.current });
        key.current = undefined;
        await watch(collection);
      } catch (error) {
        // A refusal is definite (a new intent gets a new key); a network failure or a server error
        // may have been applied, so a retry sends the same key.
        if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) key.current = undefined;
        setOutcome({ phase: 'refused', error });
      }
    },
    [watch],
  );

  /** Looks again for an outcome still unknown. */
  const lookAgain = useCallback(() => {
    if (outcome.phase === 'processing') void watch(outcome.collection);
  }, [outcome, watch]);

  const reset = useCallback(() => {
    polling.current++;
    key.current = undefined;
    setOutcome({ phase: 'idle' });
  }, []);

  return { outcome, submit, lookAgain, reset };
}
