import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Services } from '../../platform/services.ts';
import type { DateString } from '../../platform/tables.ts';
import { movementOfEntries, postJournal } from '../ledger/service.ts';
import type { Statement } from './channel.ts';
import { channelFor } from './channels/registry.ts';
import { applyObservation, raiseNoticeConflict } from './orders.ts';
import * as recon from './reconcile-store.ts';
import * as store from './store.ts';

// Daily reconciliation (对账) against a channel's statement file, in one transaction: the file is
// checked (digest, summary), its rows stored, every row matched with our order of the same number
// and every order of ours the statement should list looked for; unclear orders are settled as the
// statement says (it is authoritative for them); the channel's fees are posted; the money the
// matched rows moved is compared with what the ledger's clearing account booked for them; and every
// difference becomes an exception item. Importing the same file again changes nothing; a different
// file for a date already reconciled is refused.

const gzipAsync = promisify(gzip);

export const differenceKinds = [
  'channel_only',
  'ours_only',
  'amount_mismatch',
  'status_mismatch',
  'bounced_payout',
  'ledger_mismatch',
] as const;
export type DifferenceKind = (typeof differenceKinds)[number];

export type ReconciliationReport = {
  channel: string;
  date: DateString;
  digest: string;
  rows: number;
  /** True when this file had been imported before: the report is the first run's, nothing changed. */
  alreadyImported: boolean;
  matched: number;
  /** Orders Fenqi held as unclear that the statement settled (succeeded or failed). */
  resolved: number;
  differences: Record<DifferenceKind, number>;
  feeMinor: bigint;
  feeEntryId: bigint | null;
  /** Clearing-account movement the matched rows imply, and what the ledger booked for them. */
  ledger: { expectedMinor: bigint; postedMinor: bigint; ok: boolean };
};

function emptyDifferences(): Record<DifferenceKind, number> {
  return {
    channel_only: 0,
    ours_only: 0,
    amount_mismatch: 0,
    status_mismatch: 0,
    bounced_payout: 0,
    ledger_mismatch: 0,
  };
}

async function previousReport(
  trx: Tx,
  channel: string,
  date: DateString,
  record: recon.StatementRecord,
): Promise<ReconciliationReport> {
  const differences = emptyDifferences();
  for (const [kind, n] of Object.entries(await recon.differencesOf(trx, record.id))) {
    if (kind in differences) differences[kind as DifferenceKind] = n;
  }
  const expectedMinor = BigInt(record.ledger_expected_minor ?? '0');
  const postedMinor = BigInt(record.ledger_posted_minor ?? '0');
  return {
    channel,
    date,
    digest: record.digest,
    rows: record.row_count,
    alreadyImported: true,
    matched: record.matched,
    resolved: record.resolved,
    differences,
    feeMinor: BigInt(record.fee_minor),
    feeEntryId: record.fee_entry_id,
    ledger: { expectedMinor, postedMinor, ok: expectedMinor === postedMinor },
  };
}

/** Reconciles one channel's statement of one settlement date; `text` imports a file instead of fetching it. */
export async function reconcile(
  services: Services,
  input: { channel: string; date: DateString; text?: string | undefined },
): Promise<ReconciliationReport> {
  const { config, db } = services;
  const { channel, clearingAccount } = channelFor(config, input.channel);
  const statement: Statement =
    input.text === undefined
      ? await channel.fetchStatement(input.date)
      : channel.parseStatement(input.text, input.date);
  return db.transaction().execute(async (trx: Tx) => {
    const existing = await recon.lockStatement(trx, input.channel, input.date);
    if (existing) {
      if (existing.digest !== statement.digest) {
        throw new AppError(
          'statement_changed',
          `The ${input.channel} statement of ${input.date} was reconciled from a file with digest ${existing.digest}; this one is ${statement.digest}.`,
        );
      }
      return previousReport(trx, input.channel, input.date, existing);
    }
    // A million-row statement joins a million orders: hash tables that size stay in memory only
    // with more than the default 4 MB per operation. For this transaction only.
    await sql`SET LOCAL work_mem = '256MB'`.execute(trx);
    // The archive is compressed on libuv's thread pool while the rows are copied and matched.
    const fileGzip = gzipAsync(Buffer.from(statement.text, 'utf8'), { level: constants.Z_BEST_SPEED });
    fileGzip.catch(() => {});
    await recon.copyStatementRows(trx, statement);
    await recon.classify(trx, {
      channel: input.channel,
      date: input.date,
      timeZone: channel.statementTimeZone,
    });
    const businessDate = await getBusinessDate(trx);
    const statementId = await recon.insertStatement(
      trx,
      input.channel,
      statement,
      await fileGzip,
      businessDate,
    );
    await recon.keepUnmatchedRows(trx, statementId);
    const counts = await recon.outcomeCounts(trx);
    await recon.raiseDifferences(trx, {
      statementId,
      channel: input.channel,
      date: input.date,
      businessDate,
    });

    // The statement settles what Fenqi held as unclear, and books bounces it had not seen.
    let resolved = 0;
    for (const row of await recon.rowsToResolve(trx)) {
      const order = await store.lockOrder(trx, row.order_no);
      if (!order) continue;
      const applied = await applyObservation(
        trx,
        config,
        order,
        { source: 'statement', outcome: row.row_status },
        {
          txnId: row.txn_id,
          finishedAt: row.row_finished_at,
          code: row.row_status === 'failed' ? 'STATEMENT_FAILED' : null,
          message:
            row.row_status === 'failed' ? `the ${input.date} statement lists the order as failed` : null,
          channelStatus: row.row_status.toUpperCase(),
        },
      );
      if (applied.kind === 'moved' && row.row_status !== 'bounced') resolved += 1;
      if (applied.kind === 'conflict')
        await raiseNoticeConflict(trx, order, applied.reason, {
          source: 'statement',
          status: row.row_status,
          txnId: row.txn_id,
        });
    }

    const feeMinor = statement.summary.feeMinor;
    const feeEntryId =
      feeMinor > 0n
        ? (
            await postJournal(trx, {
              idempotencyKey: `channel-fee:${input.channel}:${input.date}`,
              eventType: 'channel_fee',
              sourceRef: `payment-statement:${input.channel}:${input.date}`,
              description: `${input.channel} fees on the ${input.date} statement (${statement.summary.count} rows)`,
              lines: [
                { account: '6602', side: 'debit', amountMinor: feeMinor, currency: 'CNY' },
                { account: clearingAccount, side: 'credit', amountMinor: feeMinor, currency: 'CNY' },
              ],
            })
          ).id
        : null;

    const expectation = await recon.clearingExpectation(trx);
    const movement = await movementOfEntries(trx, {
      account: clearingAccount,
      currency: 'CNY',
      entryIds: { table: expectation.entryTable },
    });
    const postedMinor = movement.debitMinor - movement.creditMinor;
    const differences = emptyDifferences();
    for (const kind of differenceKinds) if (kind !== 'ledger_mismatch') differences[kind] = counts[kind];
    if (postedMinor !== expectation.expectedMinor) {
      differences.ledger_mismatch = 1;
      await store.raiseException(trx, {
        kind: 'ledger_mismatch',
        dedupe_key: `ledger_mismatch:${input.channel}:${input.date}`,
        channel: input.channel,
        statement_id: statementId,
        our_amount_minor: postedMinor,
        channel_amount_minor: expectation.expectedMinor,
        detail: `the statement's matched rows move ${expectation.expectedMinor} fen through ${clearingAccount}; the ledger booked ${postedMinor} fen for them`,
      });
    }
    const differenceTotal = Object.values(differences).reduce((sum, n) => sum + n, 0);
    await recon.recordOutcome(trx, statementId, {
      matched: counts.matched,
      resolved,
      differences: differenceTotal,
      feeEntryId,
      ledgerExpectedMinor: expectation.expectedMinor,
      ledgerPostedMinor: postedMinor,
    });
    return {
      channel: input.channel,
      date: input.date,
      digest: statement.digest,
      rows: statement.summary.count,
      alreadyImported: false,
      matched: counts.matched,
      resolved,
      differences,
      feeMinor,
      feeEntryId,
      ledger: {
        expectedMinor: expectation.expectedMinor,
        postedMinor,
        ok: postedMinor === expectation.expectedMinor,
      },
    };
  });
}
