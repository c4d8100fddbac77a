import type { DB } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import * as store from './store.ts';

// Verification: every balance recomputed from the journal lines, and every entry's shape checked.
// The database's guards stop accidents and casual tampering; the owner of the tables can still
// disable triggers, and this is how such tampering is found (`fenqi ledger verify`, and the
// worker's daily ledger-verify job).

export type DriftKind =
  | 'account_total'
  | 'account_day'
  | 'entry_lines'
  | 'entry_unbalanced'
  | 'entry_currency'
  | 'entry_date';

export type Drift = {
  kind: DriftKind;
  /** The entry, for entry_* kinds. */
  entryId: bigint | null;
  /** The account (code and currency) whose balance drifted, or the first offending line's. */
  code: string | null;
  currency: string | null;
  /** The day, for account_day (and the entry's date for entry_* kinds). */
  businessDate: DateString | null;
  /** What the lines say (account kinds). */
  expected: { debitMinor: bigint; creditMinor: bigint } | null;
  /** What the balance tables say (account kinds). */
  found: { debitMinor: bigint; creditMinor: bigint } | null;
};

export type LedgerVerification = {
  ok: boolean;
  accounts: number;
  entries: bigint;
  lines: bigint;
  drift: Drift[];
};

const kinds: readonly DriftKind[] = [
  'account_total',
  'account_day',
  'entry_lines',
  'entry_unbalanced',
  'entry_currency',
  'entry_date',
];

function pair(debit: bigint | null, credit: bigint | null) {
  return debit === null || credit === null ? null : { debitMinor: debit, creditMinor: credit };
}

/**
 * Recomputes every balance from the lines — totals per account, per account and day — and checks
 * every entry's shape (at least two lines, balanced, one currency, one date, not after the open
 * day). One snapshot (REPEATABLE READ, read only), so concurrent postings never show as drift.
 */
export async function verifyLedger(db: DB): Promise<LedgerVerification> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const rows = await store.verifyBalances(trx);
      const size = await store.journalSize(trx);
      const drift = rows.map((r): Drift => {
        const kind = kinds.find((k) => k === r.kind);
        if (kind === undefined) throw new Error(`ledger_verify returned an unknown kind ${r.kind}`);
        return {
          kind,
          entryId: r.entry_id,
          code: r.account_code,
          currency: r.currency,
          businessDate: r.business_date,
          expected: pair(r.expected_debit_minor, r.expected_credit_minor),
          found: pair(r.found_debit_minor, r.found_credit_minor),
        };
      });
      return { ok: drift.length === 0, ...size, drift };
    });
}

/** One line per problem, for logs and the CLI. */
export function describeDrift(drift: Drift): string {
  const account = drift.code === null ? '' : ` ${drift.code} ${drift.currency}`;
  const day = drift.businessDate === null ? '' : ` on ${drift.businessDate}`;
  if (drift.kind === 'account_total' || drift.kind === 'account_day') {
    return (
      `${drift.kind}${account}${day}: expected debit ${drift.expected?.debitMinor} credit ${drift.expected?.creditMinor}` +
      ` (the lines), found debit ${drift.found?.debitMinor} credit ${drift.found?.creditMinor}`
    );
  }
  const what: Record<DriftKind, string> = {
    account_total: '',
    account_day: '',
    entry_lines: 'has fewer than two lines',
    entry_unbalanced: 'does not balance',
    entry_currency: 'has a line in another currency than the entry or its account',
    entry_date: 'has a line on another day than the entry, or is dated after the open business day',
  };
  return `${drift.kind}: entry ${drift.entryId}${day} ${what[drift.kind]}${drift.code === null ? '' : ` (account${account})`}`;
}
