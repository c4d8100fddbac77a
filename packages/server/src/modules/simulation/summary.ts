import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB } from '../../platform/db.ts';
import { getTrialBalance, verifyLedger } from '../ledger/service.ts';
import { loanBookFigures } from '../loans/service.ts';
import { portfolioSummary, servicingLedgerCheck } from '../servicing/service.ts';
import type { Activity } from './business.ts';

// What `fenqi simulate` prints (docs/simulation.md, "The summary"): the platform's own figures —
// the loan book by state, what was disbursed, what is outstanding by bucket, what was written off,
// the trial balance — the three checks (trial balance zero, ledger verify without drift, every
// loan's servicing balances equal to its ledger balances), and what the simulation did. Every
// field but `timing` is a function of the seed and the options: the same seed on a fresh
// database prints the same summary (ids and wall times differ, and are not in it).

export type SimulationSummary = {
  seed: number;
  months: number;
  borrowers: number;
  startDate: string;
  /** The open business date after the last close: the day after the last simulated day. */
  businessDate: string;
  days: number;
  loans: {
    total: number;
    byState: Record<string, { loans: number; principalMinor: string; outstandingMinor: string }>;
    byKind: Record<string, number>;
  };
  disbursed: { loans: number; principalMinor: string; payoutMinor: string };
  outstanding: { loans: number; principalMinor: string; interestReceivableMinor: string };
  byBucket: Record<string, { loans: number; principalMinor: string }>;
  writtenOff: { loans: number; principalMinor: string };
  trialBalance: {
    totalDebitMinor: string;
    totalCreditMinor: string;
    differenceMinor: string;
    balanced: boolean;
  };
  ledgerVerify: { ok: boolean; accounts: number; entries: string; lines: string; drift: string[] };
  servicingLedger: {
    loans: number;
    matches: boolean;
    differences: { loanId: string; account: string; servicingMinor: string; ledgerMinor: string }[];
  };
  activity: Omit<Activity, 'writtenOffPrincipalMinor'> & { writtenOffPrincipalMinor: string };
  /**
   * A simulated borrower to sign in to the borrower H5 as (with the code the demo shows): the first
   * who kept paying and has a loan open at the end; null when there is none.
   */
  tryBorrower: { phone: string; name: string } | null;
};

export type SimulationResult = {
  summary: SimulationSummary;
  timing: { elapsedSeconds: number; seedSeconds: number; daysSeconds: number; checksSeconds: number };
};

/** Whether the three invariants hold. */
export function invariantsHold(summary: SimulationSummary): boolean {
  return summary.trialBalance.balanced && summary.ledgerVerify.ok && summary.servicingLedger.matches;
}

export async function summarize(
  db: DB,
  input: {
    seed: number;
    months: number;
    borrowers: number;
    startDate: string;
    days: number;
    activity: Activity;
    tryBorrower: SimulationSummary['tryBorrower'];
  },
): Promise<SimulationSummary> {
  const businessDate = await getBusinessDate(db);
  const [book, portfolio, trial, verified, check] = [
    await loanBookFigures(db),
    await portfolioSummary(db),
    await getTrialBalance(db, businessDate),
    await verifyLedger(db),
    await servicingLedgerCheck(db),
  ];
  const cny = trial.currencies.find((c) => c.currency === 'CNY');
  const writtenOff = book.byState.written_off;
  const { writtenOffPrincipalMinor, ...activity } = input.activity;
  return {
    seed: input.seed,
    months: input.months,
    borrowers: input.borrowers,
    startDate: input.startDate,
    businessDate,
    days: input.days,
    loans: {
      total: book.loans,
      byState: Object.fromEntries(
        Object.entries(book.byState).map(([state, f]) => [
          state,
          {
            loans: f.loans,
            principalMinor: String(f.principalMinor),
            outstandingMinor: String(f.outstandingMinor),
          },
        ]),
      ),
      byKind: book.byKind,
    },
    disbursed: {
      loans: book.disbursed.loans,
      principalMinor: String(book.disbursed.principalMinor),
      payoutMinor: String(book.disbursed.payoutMinor),
    },
    outstanding: {
      loans: portfolio.totals.loans,
      principalMinor: String(portfolio.totals.principalOutstandingMinor),
      interestReceivableMinor: String(portfolio.totals.interestReceivableMinor),
    },
    byBucket: Object.fromEntries(
      portfolio.byBucket.map((b) => [
        b.bucket,
        { loans: b.loans, principalMinor: String(b.principalOutstandingMinor) },
      ]),
    ),
    writtenOff: { loans: writtenOff?.loans ?? 0, principalMinor: String(writtenOffPrincipalMinor) },
    trialBalance: {
      totalDebitMinor: String(cny?.totalDebitMinor ?? 0n),
      totalCreditMinor: String(cny?.totalCreditMinor ?? 0n),
      differenceMinor: String(cny?.differenceMinor ?? 0n),
      balanced: trial.currencies.every((c) => c.differenceMinor === 0n),
    },
    ledgerVerify: {
      ok: verified.ok,
      accounts: verified.accounts,
      entries: String(verified.entries),
      lines: String(verified.lines),
      drift: verified.drift.map((d) => JSON.stringify(d, (_k, v) => (typeof v === 'bigint' ? String(v) : v))),
    },
    servicingLedger: {
      loans: check.loans,
      matches: check.differences.length === 0,
      differences: check.differences.slice(0, 20).map((d) => ({
        loanId: d.loanId,
        account: d.account,
        servicingMinor: String(d.servicingMinor),
        ledgerMinor: String(d.ledgerMinor),
      })),
    },
    activity: { ...activity, writtenOffPrincipalMinor: String(writtenOffPrincipalMinor) },
    tryBorrower: input.tryBorrower,
  };
}
