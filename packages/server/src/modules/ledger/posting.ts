import type { z } from 'zod';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { type JournalEntryInput, type PostedEntry, type PreparedEntry, prepareEntry } from './journal.ts';
import {
  type BusinessEvent,
  entryForEvent,
  type ProductPosting,
  productPostingSchema,
  ruleBookFor,
} from './posting-rules.ts';
import { manualJournalSchema } from './schemas.ts';
import * as store from './store.ts';

// Posting: journal entries (one, a batch, a reversal, a manual entry after maker-checker) and
// business events through the posting rules, always inside the caller's transaction.

/** Entries per postJournals call: one statement carries them all. */
export const batchEntriesMax = 5000;

// ---- Posting ----

/** A problem with a whole entry (no line, account or date involved). */
function entryProblem(kind: store.PostingProblem['kind'], entry: number): store.PostingProblem {
  return { kind, entry, line: null, account: null, currency: '', businessDate: null, openDate: '' };
}

function problemError(problem: store.PostingProblem, entries: readonly PreparedEntry[]): AppError {
  const entry = entries[problem.entry];
  const prefix = entries.length > 1 ? `Entry ${problem.entry + 1} (${entry?.idempotencyKey}): ` : '';
  const linePath = problem.line === null ? undefined : `lines.${problem.line - 1}.account`;
  switch (problem.kind) {
    case 'account_not_found':
      return new AppError(
        'account_not_found',
        `${prefix}Line ${problem.line} names account ${problem.account} in ${problem.currency}, which does not exist.`,
        linePath === undefined
          ? {}
          : { errors: [{ path: linePath, message: 'no such account in this currency' }] },
      );
    case 'account_closed':
      return new AppError(
        'account_closed',
        `${prefix}Line ${problem.line} names account ${problem.account} (${problem.currency}), which is closed.`,
        linePath === undefined ? {} : { errors: [{ path: linePath, message: 'the account is closed' }] },
      );
    case 'account_is_group':
      return new AppError(
        'account_is_group',
        `${prefix}Line ${problem.line} names account ${problem.account} (${problem.currency}), which groups other accounts; post to one of them.`,
        linePath === undefined
          ? {}
          : { errors: [{ path: linePath, message: 'groups other accounts and takes no lines' }] },
      );
    case 'journal_business_date_not_open':
      return new AppError(
        'journal_business_date_not_open',
        `${prefix}The entry is dated ${problem.businessDate}; the open business day is ${problem.openDate}.`,
        { extensions: { businessDate: problem.businessDate, openBusinessDate: problem.openDate } },
      );
    case 'journal_idempotency_conflict':
      return new AppError(
        'journal_idempotency_conflict',
        `${prefix}Idempotency key ${entry?.idempotencyKey} was already posted with other content; a key names one entry.`,
      );
    case 'journal_already_reversed':
      return new AppError(
        'journal_already_reversed',
        `${prefix}Entry ${entry?.reversalOf} was already reversed.`,
      );
  }
}

async function post(
  trx: Tx,
  prepared: readonly PreparedEntry[],
  insert: typeof store.insertEntries = store.insertEntries,
): Promise<PostedEntry[]> {
  if (prepared.length === 0) return [];
  if (new Set(prepared.map((e) => e.idempotencyKey)).size !== prepared.length) {
    throw new Error('postJournals was given two entries with one idempotency key');
  }
  const outcome = await insert(trx, prepared);
  const [problem] = outcome.problems;
  if (problem) throw problemError(problem, prepared);
  const stored = new Map<number, { header: Omit<store.StoredHeader, 'n'>; replayed: boolean }>();
  for (const header of outcome.inserted) stored.set(header.n, { header, replayed: false });
  for (const header of outcome.replayed) stored.set(header.n, { header, replayed: true });
  const missing = prepared.flatMap((entry, n) => (stored.has(n) ? [] : [{ entry, n }]));
  if (missing.length > 0) {
    // Lost a race: another transaction committed the same key (or a reversal of the same entry)
    // after this statement's snapshot. What was inserted for other entries of a batch stays in
    // the caller's transaction, which an error rolls back.
    const existing = await store.findHeadersByKey(
      trx,
      missing.map((m) => m.entry.idempotencyKey),
    );
    for (const { entry, n } of missing) {
      const found = existing.get(entry.idempotencyKey);
      if (found === undefined) {
        throw problemError(entryProblem('journal_already_reversed', n), prepared);
      }
      if (found.fingerprint !== entry.fingerprint) {
        throw problemError(entryProblem('journal_idempotency_conflict', n), prepared);
      }
      stored.set(n, { header: found, replayed: true });
    }
  }
  return prepared.map((entry, n) => {
    const found = stored.get(n);
    if (found === undefined) throw new Error(`entry ${n} was neither posted nor found`);
    return {
      id: found.header.id,
      businessDate: found.header.businessDate,
      postedAt: found.header.postedAt,
      idempotencyKey: entry.idempotencyKey,
      eventType: entry.eventType,
      currency: entry.currency,
      reversalOf: found.header.reversalOf,
      replayed: found.replayed,
    };
  });
}

/**
 * Posts one balanced journal entry in the caller's transaction, or throws a catalogue error and
 * writes nothing (the transaction stays usable). A repeated idempotency key with the same content
 * returns the first entry (`replayed: true`) and writes nothing; with other content it is a
 * `journal_idempotency_conflict`. Never waits on another posting's locks: balances are folded
 * later (docs/adr/0004-ledger-balances-folded-not-locked.md), so concurrent posters cannot
 * deadlock here.
 */
export async function postJournal(trx: Tx, entry: JournalEntryInput): Promise<PostedEntry> {
  const [posted] = await post(trx, [prepareEntry(entry)]);
  if (posted === undefined) throw new Error('postJournal posted nothing');
  return posted;
}

/**
 * Posts many entries with one statement (set-based; for close of business and imports). All are
 * checked first; if any breaks a rule, nothing is written and the first problem is thrown.
 */
export async function postJournals(trx: Tx, entries: readonly JournalEntryInput[]): Promise<PostedEntry[]> {
  if (entries.length > batchEntriesMax)
    throw new Error(`postJournals takes at most ${batchEntriesMax} entries; postJournalsBulk takes more`);
  return post(
    trx,
    entries.map((entry) => prepareEntry(entry)),
  );
}

/**
 * Posts any number of entries set-based, for close of business (about two lines per loan per
 * day): the entries stream into temporary tables with COPY and one SQL function checks and posts
 * them all (ledger_post_staged, 0009_ledger_bulk_posting.sql). Same semantics and errors as
 * postJournals: all or nothing, replays returned with `replayed: true`, the first problem thrown
 * with nothing written.
 */
export async function postJournalsBulk(
  trx: Tx,
  entries: readonly JournalEntryInput[],
): Promise<PostedEntry[]> {
  return post(
    trx,
    entries.map((entry) => prepareEntry(entry)),
    store.insertEntriesBulk,
  );
}

/**
 * Set-based posting for close of business, where the lines come from SQL over the caller's own
 * tables: `stage` fills the ledger's staging tables (ledger_bulk_entries and ledger_bulk_lines,
 * columns as in 0009_ledger_bulk_posting.sql) with INSERT … SELECT, and one call of
 * ledger_post_staged checks and posts them all, as postJournalsBulk does. The shape rules
 * prepareEntry checks in Node (at least two lines, balanced, one side per account) are checked by
 * ledger_lines_guard on insert. Every staged entry must be new: close of business never posts a
 * key twice (each loan is closed once per day), so a replay here is a bug and is refused.
 */
export async function postJournalsStaged(
  trx: Tx,
  stage: (trx: Tx) => Promise<void>,
): Promise<{ entries: number }> {
  await store.createStaging(trx);
  await stage(trx);
  const outcome = await store.postStaged(trx);
  const [problem] = outcome.problems;
  if (problem) throw problemError(problem, []);
  if (outcome.replayed > 0)
    throw new Error(`staged posting found ${outcome.replayed} entries posted already`);
  return { entries: outcome.entries };
}

export type ReversalOptions = { idempotencyKey: string; description?: string; businessDate?: DateString };

/**
 * Posts the mirror image of an entry (every line on the other side), linked to it. An entry is
 * reversed at most once (`journal_already_reversed`); the reversal is dated the open business
 * day, so a closed day's figures never change.
 */
export async function reverseJournal(
  trx: Tx,
  entryId: bigint,
  options: ReversalOptions,
): Promise<PostedEntry> {
  const original = await store.findEntry(trx, entryId);
  if (!original) throw new AppError('journal_entry_not_found', `There is no journal entry ${entryId}.`);
  const lines = await store.linesOf(trx, [entryId]);
  const description =
    options.description ??
    `Reversal of entry ${entryId}${original.description ? `: ${original.description}` : ''}`;
  const entry: JournalEntryInput = {
    idempotencyKey: options.idempotencyKey,
    eventType: 'reversal',
    businessDate: options.businessDate,
    sourceRef: `ledger-entry:${entryId}`,
    description: description.slice(0, 500),
    lines: lines.map((line) => ({
      account: line.account_code,
      side: line.side === 'debit' ? 'credit' : 'debit',
      amountMinor: line.amount_minor,
      currency: line.currency,
      loanId: line.loan_id ?? undefined,
      customerId: line.customer_id ?? undefined,
      productId: line.product_id ?? undefined,
      merchantId: line.merchant_id ?? undefined,
      funderId: line.funder_id ?? undefined,
    })),
  };
  const [posted] = await post(trx, [prepareEntry(entry, entryId)]);
  if (posted === undefined) throw new Error('reverseJournal posted nothing');
  return posted;
}

export type ReversalEvent = {
  type: 'reversal';
  idempotencyKey: string;
  entryId: bigint;
  description?: string;
  businessDate?: DateString;
};

/**
 * Posts a business event through the product's posting rules (or the default accrual map). Returns
 * null when the rules book nothing for the event (a cash-basis accrual). A `reversal` event
 * reverses the entry it names.
 */
export async function postEvent(trx: Tx, event: BusinessEvent | ReversalEvent): Promise<PostedEntry | null> {
  if (event.type === 'reversal') {
    return reverseJournal(trx, event.entryId, {
      idempotencyKey: event.idempotencyKey,
      ...(event.description === undefined ? {} : { description: event.description }),
      ...(event.businessDate === undefined ? {} : { businessDate: event.businessDate }),
    });
  }
  const configured =
    event.productId === undefined ? undefined : await store.findProductPosting(trx, event.productId);
  const posting =
    configured === undefined
      ? undefined
      : productPostingSchema.parse({ basis: configured.basis, ...(configured.overrides as object) });
  const entry = entryForEvent(event, ruleBookFor(posting));
  return entry === undefined ? null : postJournal(trx, entry);
}

/** Stores a product's posting basis and overrides; later events of the product post by them. */
export async function configureProductPosting(
  trx: Tx,
  productId: string,
  posting: ProductPosting,
): Promise<void> {
  const parsed = productPostingSchema.safeParse(posting);
  if (!parsed.success) {
    throw new AppError(
      'validation_failed',
      `The posting configuration of product ${productId} is not valid.`,
      {
        errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      },
    );
  }
  const { basis, ...overrides } = parsed.data;
  await store.upsertProductPosting(trx, productId, basis, overrides);
}

export type ManualJournal = z.output<typeof manualJournalSchema>;

/**
 * Posts a manual journal entry (an adjustment by finance) that a checker other than its maker
 * approved. Only the approval framework's action calls this: there is deliberately no HTTP route
 * that posts one directly. The approval id names the entry, so a re-run of an approval posts once.
 */
export async function postManualJournal(
  trx: Tx,
  journal: ManualJournal,
  approval: { approvalId: string; makerId: string; checkerId: string },
): Promise<PostedEntry> {
  if (approval.makerId === approval.checkerId)
    throw new Error('a manual journal needs a checker other than its maker');
  const parsed = manualJournalSchema.parse(journal);
  return postJournal(trx, {
    idempotencyKey: `manual:${approval.approvalId}`,
    eventType: 'manual',
    businessDate: parsed.businessDate,
    sourceRef: `approval:${approval.approvalId}`,
    description: parsed.description,
    lines: parsed.lines.map((line) => ({ ...line, amountMinor: BigInt(line.amountMinor) })),
  });
}

/**
 * Close of business calls this in the transaction that advances the business date: it waits for
 * postings in flight and holds new ones until the day switch commits, so no entry can be booked
 * onto a day after it closed.
 */
export async function fenceLedgerForDayClose(trx: Tx): Promise<void> {
  await store.fencePostings(trx);
}
