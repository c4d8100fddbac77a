import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import * as store from './store.ts';
import type { AccountStatus, AccountType, Side } from './tables.ts';

// The chart of accounts: opening and closing accounts, and the account as the service shows it.

export type Account = {
  code: string;
  currency: string;
  nameZh: string;
  nameEn: string;
  type: AccountType;
  normalSide: Side;
  parentCode: string | null;
  /** Has child accounts: its balance is theirs, and it takes no lines of its own. */
  isGroup: boolean;
  status: AccountStatus;
  createdAt: Date;
  closedAt: Date | null;
};

export function toAccount(row: store.AccountRow): Account {
  return {
    code: row.code,
    currency: row.currency,
    nameZh: row.name_zh,
    nameEn: row.name_en,
    type: row.type,
    normalSide: row.normal_side,
    parentCode: row.parent_code,
    isGroup: row.is_group,
    status: row.status,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}

export type AccountSpec = {
  code: string;
  currency: string;
  nameZh: string;
  nameEn: string;
  type: AccountType;
  /** Defaults to the type's side (debit for assets and expenses); set it for contra accounts. */
  normalSide?: Side;
  parentCode?: string;
};

const normalSideOf: Record<AccountType, Side> = {
  asset: 'debit',
  expense: 'debit',
  liability: 'credit',
  equity: 'credit',
  income: 'credit',
};

/**
 * Opens an account (a channel's clearing account, a funder's payable, a new currency). A parent
 * becomes a group: it takes no lines of its own from then on, so a parent that already has lines
 * is refused (`account_parent_has_lines`).
 */
export async function openAccount(trx: Tx, spec: AccountSpec): Promise<Account> {
  let parentId: number | null = null;
  if (spec.parentCode !== undefined) {
    // Like closing an account: no posting may read the parent as a leaf while it becomes a group.
    await store.fencePostings(trx);
    const parent = await store.findAccount(trx, spec.parentCode, spec.currency);
    if (!parent)
      throw new AppError(
        'account_not_found',
        `There is no account ${spec.parentCode} in ${spec.currency} to be the parent.`,
      );
    if (!parent.is_group && (await store.accountHasLines(trx, parent.id))) {
      throw new AppError(
        'account_parent_has_lines',
        `Account ${spec.parentCode} (${spec.currency}) already has journal lines of its own, so it cannot group ${spec.code}.`,
      );
    }
    parentId = parent.id;
  }
  const row = await store.insertAccount(trx, {
    code: spec.code,
    currency: spec.currency,
    name_zh: spec.nameZh,
    name_en: spec.nameEn,
    type: spec.type,
    normal_side: spec.normalSide ?? normalSideOf[spec.type],
    parent_id: parentId,
  });
  if (!row)
    throw new AppError('account_already_exists', `Account ${spec.code} in ${spec.currency} already exists.`);
  return toAccount({ ...row, parent_code: spec.parentCode ?? null, is_group: false });
}

export async function requireAccount(db: DB | Tx, code: string, currency: string): Promise<store.AccountRow> {
  const row = await store.findAccount(db, code, currency);
  if (!row) throw new AppError('account_not_found', `There is no account ${code} in ${currency}.`);
  return row;
}

/** Closes an account whose balance is zero; later postings to it are refused (`account_closed`). */
export async function closeAccount(trx: Tx, code: string, currency: string): Promise<Account> {
  await store.fencePostings(trx);
  const row = await requireAccount(trx, code, currency);
  const [totals] = await store.accountTotals(trx, [row.id]);
  const balance = (totals?.debit_minor ?? 0n) - (totals?.credit_minor ?? 0n);
  if (balance !== 0n) {
    throw new AppError(
      'account_not_empty',
      `Account ${code} (${currency}) has a balance of ${balance < 0n ? -balance : balance} minor units.`,
    );
  }
  if (row.status === 'closed') return toAccount(row);
  const closed = await store.markAccountClosed(trx, row.id);
  return toAccount({ ...closed, parent_code: row.parent_code });
}
