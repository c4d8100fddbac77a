import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { appendAudit } from '../iam/service.ts';
import * as ledger from '../ledger/service.ts';
import {
  custodyAccountConflict,
  funderNotFound,
  instructionConflict,
  insufficientBalance,
  invalidInput,
  notCustodial,
} from './problems.ts';
import * as store from './store.ts';
import type { CustodyHolderKind, CustodyInstructionKind, FundingDb, FundingTx } from './tables.ts';

// Custody (资金存管): an investor pool's money sits at a commercial bank, never with the platform.
// The bank keeps a sub-account for each lender and each borrower; this module mirrors them, and
// the ledger's custody account 1002.02 moves only when the bank instructs — through the signed
// instruction endpoint (the bank calls as the pool's API client), or by staff recording a bank
// instruction by hand. The bank's instruction id is recorded in the transaction of its effect,
// so a resent instruction changes nothing.
//
// What each instruction books (the pool's funder id, and the borrower's customer id, on every line):
//   deposit into a lender's sub-account       Dr 1002.02 custody   Cr 2203 funder payable
//   deposit into a borrower's sub-account     Dr 1002.02 custody   Cr 2241 borrower money received
//   withdrawal from a lender's sub-account    Dr 2203              Cr 1002.02
//   withdrawal from a borrower's sub-account  Dr 2202 merchant payable (the loan's proceeds paid out)
//                                                                  Cr 1002.02
//   transfer between two sub-accounts         no entry: nothing enters or leaves custody
// so the pool's sub-accounts always sum to the ledger's 1002.02 balance for the pool.

export const custodyAccount = '1002.02';

const counterAccounts: Record<'deposit' | 'withdrawal', Record<CustodyHolderKind, string>> = {
  deposit: { lender: '2203', borrower: '2241' },
  withdrawal: { lender: '2203', borrower: '2202' },
};

export type CustodyAccount = {
  id: string;
  funderId: string;
  holderKind: CustodyHolderKind;
  holderRef: string;
  accountRef: string;
  balanceMinor: bigint;
  createdAt: Date;
  updatedAt: Date;
};

function toAccount(row: store.CustodyAccountRow): CustodyAccount {
  return {
    id: row.id,
    funderId: row.funder_id,
    holderKind: row.holder_kind,
    holderRef: row.holder_ref,
    accountRef: row.account_ref,
    balanceMinor: row.balance_minor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type Recorder = { kind: 'funder' | 'staff'; id: string };

async function custodialFunder(db: FundingDb, funderId: string): Promise<store.FunderRow> {
  const funder = await store.findFunder(db, funderId);
  if (!funder) throw funderNotFound(funderId);
  if (funder.kind !== 'investor_pool') throw notCustodial(funder);
  return funder;
}

const uuid = z.uuid();

/**
 * Registers a sub-account the custody bank opened. Registering the same one again returns it; a
 * reference or holder already registered with other details is custody_account_conflict.
 */
export async function openCustodyAccount(
  trx: Tx,
  input: { funderId: string; holderKind: CustodyHolderKind; holderRef: string; accountRef: string },
): Promise<{ account: CustodyAccount; created: boolean }> {
  const t: FundingTx = trx;
  const funder = await custodialFunder(t, input.funderId);
  if (input.holderKind === 'borrower' && !uuid.safeParse(input.holderRef).success)
    throw invalidInput('custody sub-account', [
      { in: 'body', path: 'holderRef', message: "a borrower's sub-account names the customer id (a uuid)" },
    ]);
  const inserted = await store.insertCustodyAccount(t, {
    id: randomUUID(),
    funder_id: funder.id,
    holder_kind: input.holderKind,
    holder_ref: input.holderRef,
    account_ref: input.accountRef,
  });
  if (inserted) return { account: toAccount(inserted), created: true };
  const existing = await store.findCustodyAccountClash(t, funder.id, input);
  if (
    existing &&
    existing.account_ref === input.accountRef &&
    existing.holder_kind === input.holderKind &&
    existing.holder_ref === input.holderRef
  )
    return { account: toAccount(existing), created: false };
  throw custodyAccountConflict(input.accountRef);
}

export type CustodyInstruction =
  | { instructionId: string; kind: 'deposit'; amountMinor: bigint; to: string; loanId?: string | undefined }
  | {
      instructionId: string;
      kind: 'withdrawal';
      amountMinor: bigint;
      from: string;
      loanId?: string | undefined;
    }
  | {
      instructionId: string;
      kind: 'transfer';
      amountMinor: bigint;
      from: string;
      to: string;
      loanId?: string | undefined;
    };

export type InstructionResult = {
  id: string;
  funderId: string;
  instructionId: string;
  kind: CustodyInstructionKind;
  amountMinor: bigint;
  from: string | null;
  to: string | null;
  loanId: string | null;
  journalEntryId: bigint | null;
  businessDate: string;
  recordedBy: Recorder;
  createdAt: Date;
  /** True when the bank had sent this instruction before: nothing changed now. */
  replayed: boolean;
};

function fingerprint(instruction: CustodyInstruction): string {
  const from = 'from' in instruction ? instruction.from : null;
  const to = 'to' in instruction ? instruction.to : null;
  const canonical = JSON.stringify([
    instruction.kind,
    String(instruction.amountMinor),
    from,
    to,
    instruction.loanId ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

async function toResult(
  db: FundingDb,
  row: store.InstructionRow,
  replayed: boolean,
): Promise<InstructionResult> {
  const ids = [row.from_account_id, row.to_account_id].filter((id): id is string => id !== null);
  const refs = new Map((await store.findCustodyAccountsById(db, ids)).map((a) => [a.id, a.account_ref]));
  return {
    id: row.id,
    funderId: row.funder_id,
    instructionId: row.instruction_id,
    kind: row.kind,
    amountMinor: row.amount_minor,
    from: row.from_account_id === null ? null : (refs.get(row.from_account_id) ?? null),
    to: row.to_account_id === null ? null : (refs.get(row.to_account_id) ?? null),
    loanId: row.loan_id,
    journalEntryId: row.journal_entry_id,
    businessDate: row.business_date,
    recordedBy: { kind: row.recorded_by_kind, id: row.recorded_by_id },
    createdAt: row.created_at,
    replayed,
  };
}

/**
 * Applies one custody bank instruction: the sub-accounts move, and a deposit or withdrawal posts
 * its entry on 1002.02, all in the caller's transaction together with the instruction's record.
 * The same instruction id again returns the first result (`replayed`); with other content it is
 * custody_instruction_conflict. A withdrawal or transfer above the sub-account's balance is
 * refused (custody_insufficient_balance) and nothing is recorded.
 */
export async function applyCustodyInstruction(
  trx: Tx,
  config: Config,
  input: { funderId: string; instruction: CustodyInstruction; recordedBy: Recorder; origin: Origin },
): Promise<InstructionResult> {
  const { instruction } = input;
  const t: FundingTx = trx;
  const funder = await custodialFunder(t, input.funderId);
  await store.lockInstructionId(t, funder.id, instruction.instructionId);
  const sha = fingerprint(instruction);
  const earlier = await store.findInstruction(t, funder.id, instruction.instructionId);
  if (earlier) {
    if (earlier.request_sha256 !== sha) throw instructionConflict(instruction.instructionId);
    return toResult(t, earlier, true);
  }

  const from = 'from' in instruction ? instruction.from : undefined;
  const to = 'to' in instruction ? instruction.to : undefined;
  const refs = [from, to].filter((ref): ref is string => ref !== undefined);
  const found = new Map(
    (await store.findCustodyAccountsByRef(t, funder.id, refs)).map((a) => [a.account_ref, a]),
  );
  const errors: FieldError[] = [];
  if (from !== undefined && !found.has(from))
    errors.push({ in: 'body', path: 'from', message: `the pool has no sub-account ${from}` });
  if (to !== undefined && !found.has(to))
    errors.push({ in: 'body', path: 'to', message: `the pool has no sub-account ${to}` });
  if (from !== undefined && from === to)
    errors.push({ in: 'body', path: 'to', message: 'a transfer moves money between two sub-accounts' });
  if (errors.length > 0) throw invalidInput('custody instruction', errors);
  const locked = new Map(
    (
      await store.lockCustodyAccounts(
        t,
        [...found.values()].map((a) => a.id),
      )
    ).map((a) => [a.account_ref, a]),
  );
  const source = from === undefined ? undefined : locked.get(from);
  const target = to === undefined ? undefined : locked.get(to);
  if (source && source.balance_minor < instruction.amountMinor)
    throw insufficientBalance(source.account_ref, source.balance_minor, instruction.amountMinor);

  const businessDate = await getBusinessDate(trx);
  let journalEntryId: bigint | null = null;
  if (instruction.kind !== 'transfer') {
    const holder = instruction.kind === 'deposit' ? target : source;
    if (!holder) throw new Error('a custody deposit or withdrawal without its sub-account');
    const counter = counterAccounts[instruction.kind][holder.holder_kind];
    const dimensions = {
      funderId: funder.id,
      ...(holder.holder_kind === 'borrower' ? { customerId: holder.holder_ref } : {}),
      ...(instruction.loanId === undefined ? {} : { loanId: instruction.loanId }),
    };
    const line = (account: string, side: 'debit' | 'credit') => ({
      account,
      side,
      amountMinor: instruction.amountMinor,
      currency: 'CNY',
      ...dimensions,
    });
    const entry = await ledger.postJournal(trx, {
      idempotencyKey: `funding:custody:${funder.id}:${instruction.instructionId}`,
      eventType: `custody_${instruction.kind}`,
      businessDate,
      sourceRef: `custody:${funder.code}/${instruction.instructionId}`,
      description:
        `Custody bank instruction ${instruction.instructionId} (${funder.custody_bank_name ?? ''})`.slice(
          0,
          500,
        ),
      lines:
        instruction.kind === 'deposit'
          ? [line(custodyAccount, 'debit'), line(counter, 'credit')]
          : [line(counter, 'debit'), line(custodyAccount, 'credit')],
    });
    journalEntryId = entry.id;
  }
  const row = await store.insertInstruction(t, {
    id: randomUUID(),
    funder_id: funder.id,
    instruction_id: instruction.instructionId,
    kind: instruction.kind,
    amount_minor: instruction.amountMinor,
    from_account_id: source?.id ?? null,
    to_account_id: target?.id ?? null,
    loan_id: instruction.loanId ?? null,
    request_sha256: sha,
    journal_entry_id: journalEntryId,
    recorded_by_kind: input.recordedBy.kind,
    recorded_by_id: input.recordedBy.id,
    business_date: businessDate,
  });
  if (source) await store.addCustodyBalance(t, source.id, -instruction.amountMinor);
  if (target) await store.addCustodyBalance(t, target.id, instruction.amountMinor);
  if (input.recordedBy.kind === 'staff') {
    await appendAudit(trx, config.secrets.auditKey, {
      actor: { kind: 'staff', id: input.recordedBy.id },
      action: 'funding.custody-instruction-recorded',
      subject: { type: 'custody-instruction', id: row.id },
      origin: input.origin,
      after: {
        funderId: funder.id,
        instructionId: instruction.instructionId,
        kind: instruction.kind,
        amountMinor: String(instruction.amountMinor),
        from: from ?? null,
        to: to ?? null,
        journalEntryId: journalEntryId === null ? null : String(journalEntryId),
      },
    });
  }
  return toResult(t, row, false);
}

export type CustodyPosition = {
  funderId: string;
  accounts: CustodyAccount[];
  /** What the sub-accounts hold together. */
  subAccountsMinor: bigint;
  /** The ledger's 1002.02 balance for the pool (lines with its funder id). */
  ledgerMinor: bigint;
  /** Whether the two agree, as they must. */
  agrees: boolean;
};

/** A pool's sub-accounts and their sum beside the ledger's custody balance for the pool. */
export async function custodyPosition(db: DB | Tx, funderId: string): Promise<CustodyPosition> {
  const t = db as FundingDb;
  const funder = await custodialFunder(t, funderId);
  const accounts = (await store.custodyAccountsOf(t, funder.id)).map(toAccount);
  const movements = await ledger.funderMovements(db, {
    funderId: funder.id,
    accounts: [custodyAccount],
    to: await getBusinessDate(db),
  });
  const ledgerMinor = movements.reduce((sum, m) => sum + m.debitMinor - m.creditMinor, 0n);
  const subAccountsMinor = accounts.reduce((sum, a) => sum + a.balanceMinor, 0n);
  return {
    funderId: funder.id,
    accounts,
    subAccountsMinor,
    ledgerMinor,
    agrees: ledgerMinor === subAccountsMinor,
  };
}
