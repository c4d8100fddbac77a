import type { LoanState } from '@fenqi/core';
import type { Insertable, Selectable } from 'kysely';
import type { BorrowerScope, PartnerScope } from '../iam/service.ts';
import type {
  LoanInstallmentTable,
  LoanOrderTable,
  LoanRefundTable,
  LoanStateChangeTable,
  LoansDb,
  LoanTable,
} from './tables.ts';

// Every SQL statement on the loans module's tables.

export type OrderRow = Selectable<LoanOrderTable>;
export type LoanRow = Selectable<LoanTable>;
export type InstallmentRow = Selectable<LoanInstallmentTable>;
export type StateChangeRow = Selectable<LoanStateChangeTable>;
export type RefundRow = Selectable<LoanRefundTable>;

// The contract PDF is read only when it is downloaded.
const loanColumns = [
  'id',
  'loan_no',
  'kind',
  'customer_id',
  'borrower_id',
  'order_id',
  'merchant_id',
  'line_id',
  'product_code',
  'product_version_id',
  'product_version',
  'grade',
  'state',
  'currency',
  'principal_minor',
  'outstanding_principal_minor',
  'disbursed_minor',
  'merchant_discount_minor',
  'payout_minor',
  'method',
  'term_count',
  'price_kind',
  'price_rate',
  'apr_simple',
  'apr_irr',
  'terms',
  'schedule_version',
  'start_date',
  'maturity_date',
  'cooling_off_days',
  'payee_card_id',
  'disbursement_channel',
  'disbursement_attempts',
  'disbursement_order_no',
  'disbursed_on',
  'closed_on',
  'close_reason',
  'contract_no',
  'contract_sha256',
  'business_date',
  'created_at',
  'updated_at',
] as const;
export type LoanSummaryRow = Omit<LoanRow, 'contract_pdf'>;

// A partner's owner id comes from its API client, which IAM does not constrain to a uuid: a key
// whose owner is no merchant finds nothing, rather than failing the uuid cast.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ownsNothing = (scope: PartnerScope) => !uuidPattern.test(scope.ownerId);

// ---- orders ----

export async function insertOrder(
  db: LoansDb,
  row: Insertable<LoanOrderTable>,
): Promise<OrderRow | undefined> {
  return db
    .insertInto('loan_orders')
    .values(row)
    .onConflict((conflict) => conflict.columns(['merchant_id', 'merchant_order_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** One of the merchant's orders by its own id; `lock` takes the row lock for the transaction. */
export async function findMerchantOrder(
  db: LoansDb,
  scope: PartnerScope,
  merchantOrderId: string,
  lock = false,
): Promise<OrderRow | undefined> {
  if (ownsNothing(scope)) return undefined;
  const query = db
    .selectFrom('loan_orders')
    .selectAll()
    .where('merchant_id', '=', scope.ownerId)
    .where('merchant_order_id', '=', merchantOrderId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export function lockMerchantOrder(db: LoansDb, scope: PartnerScope, merchantOrderId: string) {
  return findMerchantOrder(db, scope, merchantOrderId, true);
}

/** An order by its checkout token's SHA-256; `lock` takes the row lock for the transaction. */
export async function findOrderByToken(
  db: LoansDb,
  tokenSha256: string,
  lock = false,
): Promise<OrderRow | undefined> {
  const query = db.selectFrom('loan_orders').selectAll().where('token_sha256', '=', tokenSha256);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function lockOrder(db: LoansDb, id: string): Promise<OrderRow | undefined> {
  return db.selectFrom('loan_orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateOrder(
  db: LoansDb,
  id: string,
  change: Partial<Pick<OrderRow, 'status' | 'cancel_reason' | 'loan_id'>>,
): Promise<OrderRow> {
  return db
    .updateTable('loan_orders')
    .set({ ...change, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- loans ----

export async function insertLoan(db: LoansDb, row: Insertable<LoanTable>): Promise<LoanSummaryRow> {
  return db.insertInto('loans').values(row).returning(loanColumns).executeTakeFirstOrThrow();
}

export async function findLoan(db: LoansDb, id: string): Promise<LoanSummaryRow | undefined> {
  return db.selectFrom('loans').select(loanColumns).where('id', '=', id).executeTakeFirst();
}

export async function lockLoan(db: LoansDb, id: string): Promise<LoanSummaryRow | undefined> {
  return db.selectFrom('loans').select(loanColumns).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function loanOfOrder(db: LoansDb, orderId: string): Promise<LoanSummaryRow | undefined> {
  return db.selectFrom('loans').select(loanColumns).where('order_id', '=', orderId).executeTakeFirst();
}

export async function findOwnLoan(
  db: LoansDb,
  scope: BorrowerScope,
  id: string,
): Promise<LoanSummaryRow | undefined> {
  return db
    .selectFrom('loans')
    .select(loanColumns)
    .where('id', '=', id)
    .where('borrower_id', '=', scope.borrowerId)
    .executeTakeFirst();
}

export async function ownLoans(db: LoansDb, scope: BorrowerScope): Promise<LoanSummaryRow[]> {
  return db
    .selectFrom('loans')
    .select(loanColumns)
    .where('borrower_id', '=', scope.borrowerId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
}

export async function findMerchantLoan(
  db: LoansDb,
  scope: PartnerScope,
  id: string,
): Promise<LoanSummaryRow | undefined> {
  if (ownsNothing(scope)) return undefined;
  return db
    .selectFrom('loans')
    .select(loanColumns)
    .where('id', '=', id)
    .where('merchant_id', '=', scope.ownerId)
    .executeTakeFirst();
}

export type LoanFilter = {
  state?: LoanState | undefined;
  customerId?: string | undefined;
  merchantId?: string | undefined;
  productCode?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: string | undefined;
  limit: number;
};

/** Staff's list, newest first, by id cursor (uuid v7 is not used: created_at, id). */
export async function listLoans(db: LoansDb, filter: LoanFilter): Promise<LoanSummaryRow[]> {
  let query = db.selectFrom('loans').select(loanColumns);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.merchantId) query = query.where('merchant_id', '=', filter.merchantId);
  if (filter.productCode) query = query.where('product_code', '=', filter.productCode);
  // A loan number begins with the business date it was made on (numbers.ts), so a date range is a
  // range of the unique index the list already pages by; the suffix's last character is Z.
  if (filter.from) query = query.where('loan_no', '>=', `L${filter.from.replaceAll('-', '')}`);
  if (filter.to) query = query.where('loan_no', '<=', `L${filter.to.replaceAll('-', '')}ZZZZZZZZZZ`);
  if (filter.before) query = query.where('loan_no', '<', filter.before);
  return query.orderBy('loan_no', 'desc').limit(filter.limit).execute();
}

export async function updateLoan(
  db: LoansDb,
  id: string,
  change: Partial<
    Pick<
      LoanRow,
      | 'state'
      | 'outstanding_principal_minor'
      | 'schedule_version'
      | 'disbursement_attempts'
      | 'disbursement_order_no'
      | 'disbursed_on'
      | 'closed_on'
      | 'close_reason'
    >
  >,
): Promise<LoanSummaryRow> {
  return db
    .updateTable('loans')
    .set({ ...change, updated_at: new Date() })
    .where('id', '=', id)
    .returning(loanColumns)
    .executeTakeFirstOrThrow();
}

export async function contractOf(
  db: LoansDb,
  id: string,
): Promise<Pick<LoanRow, 'contract_pdf' | 'contract_sha256' | 'contract_no'> | undefined> {
  return db
    .selectFrom('loans')
    .select(['contract_pdf', 'contract_sha256', 'contract_no'])
    .where('id', '=', id)
    .executeTakeFirst();
}

// ---- schedules, history, refunds ----

export async function insertInstallments(
  db: LoansDb,
  rows: Insertable<LoanInstallmentTable>[],
): Promise<void> {
  if (rows.length > 0) await db.insertInto('loan_installments').values(rows).execute();
}

export async function installmentsOf(
  db: LoansDb,
  loanId: string,
  version: number,
): Promise<InstallmentRow[]> {
  return db
    .selectFrom('loan_installments')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('schedule_version', '=', version)
    .orderBy('number')
    .execute();
}

export async function insertStateChange(db: LoansDb, row: Insertable<LoanStateChangeTable>): Promise<void> {
  await db.insertInto('loan_state_changes').values(row).execute();
}

export async function stateChangesOf(db: LoansDb, loanId: string): Promise<StateChangeRow[]> {
  return db
    .selectFrom('loan_state_changes')
    .selectAll()
    .where('loan_id', '=', loanId)
    .orderBy('id')
    .execute();
}

export async function findRefund(
  db: LoansDb,
  loanId: string,
  merchantRefundId: string,
): Promise<RefundRow | undefined> {
  return db
    .selectFrom('loan_refunds')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where('merchant_refund_id', '=', merchantRefundId)
    .executeTakeFirst();
}

export async function insertRefund(db: LoansDb, row: Insertable<LoanRefundTable>): Promise<RefundRow> {
  return db.insertInto('loan_refunds').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function refundsOf(db: LoansDb, loanId: string): Promise<RefundRow[]> {
  return db
    .selectFrom('loan_refunds')
    .selectAll()
    .where('loan_id', '=', loanId)
    .orderBy('created_at')
    .execute();
}
