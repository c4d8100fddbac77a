import { formatMinor, type LoanState } from '@fenqi/core';
import type { DateString } from '../../platform/tables.ts';
import type { Priced } from './pricing.ts';
import type { InstallmentRow, LoanSummaryRow, OrderRow, RefundRow, StateChangeRow } from './store.ts';
import type { LoanKind, OrderItem, OrderStatus, RefundKind } from './tables.ts';

// What the loans service answers: rows turned into the module's types (bigint fen, YYYY-MM-DD
// dates), and the payloads its events carry (amounts as decimal strings of fen).

const percent = (rate: string) => `${(Number(rate) * 100).toFixed(2)}%`;

export type Installment = {
  number: number;
  periodStart: DateString;
  dueDate: DateString;
  principalMinor: bigint;
  interestMinor: bigint;
  feeMinor: bigint;
  totalMinor: bigint;
  balanceMinor: bigint;
};

export type Quote = {
  productCode: string;
  productVersion: number;
  grade: string;
  termCount: number;
  method: string;
  principalMinor: bigint;
  disbursedMinor: bigint;
  price: { kind: 'annual_rate' | 'period_fee_rate'; rate: string };
  /** Both annualized figures, as PBOC announcement 2021 No. 3 asks: 单利 (simple) and IRR (compound). */
  apr: { simple: string; irr: string; simplePercent: string; irrPercent: string };
  totals: { principalMinor: bigint; interestMinor: bigint; feeMinor: bigint; totalMinor: bigint };
  /** What borrowing costs: interest and every fee, the up-front one included. */
  totalCostMinor: bigint;
  penaltyRate: string;
  coolingOffDays: number;
  installments: Installment[];
};

export function toQuote(priced: Priced): Quote {
  const { schedule, rates, version, terms } = priced;
  const price = version.product.prices.find((p) => p.grade === priced.grade);
  if (price === undefined) throw new Error(`no price for grade ${priced.grade}`);
  const simple = rates.simple.toFixed(10);
  const irr = rates.irr.toFixed(10);
  return {
    productCode: version.code,
    productVersion: version.version,
    grade: priced.grade,
    termCount: terms.termCount,
    method: terms.method,
    principalMinor: schedule.financedPrincipalMinor,
    disbursedMinor: schedule.disbursedMinor,
    price: { kind: price.kind, rate: price.rate.toString() },
    apr: { simple, irr, simplePercent: percent(simple), irrPercent: percent(irr) },
    totals: { ...schedule.totals },
    totalCostMinor: schedule.totals.interestMinor + schedule.totals.feeMinor + (terms.upfrontFeeMinor ?? 0n),
    penaltyRate: (terms.penaltyRate ?? terms.annualRate.mul('1.5')).toString(),
    coolingOffDays: version.product.coolingOffDays,
    installments: schedule.installments.map((i) => ({
      number: i.number,
      periodStart: i.periodStart,
      dueDate: i.dueDate,
      principalMinor: i.principalMinor,
      interestMinor: i.interestMinor,
      feeMinor: i.feeMinor,
      totalMinor: i.totalMinor,
      balanceMinor: i.balanceMinor,
    })),
  };
}

export type Order = {
  id: string;
  merchantId: string;
  merchantOrderId: string;
  productCode: string;
  amountMinor: bigint;
  currency: 'CNY';
  items: OrderItem[];
  customerPhoneMasked: string | null;
  returnUrl: string | null;
  status: OrderStatus;
  cancelReason: string | null;
  loanId: string | null;
  expiresAt: Date;
  businessDate: DateString;
  createdAt: Date;
};

export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    merchantOrderId: row.merchant_order_id,
    productCode: row.product_code,
    amountMinor: row.amount_minor,
    currency: row.currency,
    items: row.items,
    customerPhoneMasked: row.customer_phone_masked,
    returnUrl: row.return_url,
    status: row.status,
    cancelReason: row.cancel_reason,
    loanId: row.loan_id,
    expiresAt: row.expires_at,
    businessDate: row.business_date,
    createdAt: row.created_at,
  };
}

export type Loan = {
  id: string;
  loanNo: string;
  kind: LoanKind;
  customerId: string;
  orderId: string | null;
  merchantId: string | null;
  lineId: string;
  productCode: string;
  productVersionId: string;
  productVersion: number;
  grade: string;
  state: LoanState;
  currency: 'CNY';
  principalMinor: bigint;
  outstandingPrincipalMinor: bigint;
  disbursedMinor: bigint;
  merchantDiscountMinor: bigint;
  payoutMinor: bigint;
  method: string;
  termCount: number;
  price: { kind: 'annual_rate' | 'period_fee_rate'; rate: string };
  apr: { simple: string; irr: string };
  scheduleVersion: number;
  startDate: DateString;
  maturityDate: DateString;
  coolingOffDays: number;
  disbursementOrderNo: string | null;
  disbursementAttempts: number;
  disbursedOn: DateString | null;
  closedOn: DateString | null;
  closeReason: string | null;
  contractNo: string;
  contractSha256: string;
  businessDate: DateString;
  createdAt: Date;
  updatedAt: Date;
};

export function toLoan(row: LoanSummaryRow): Loan {
  return {
    id: row.id,
    loanNo: row.loan_no,
    kind: row.kind,
    customerId: row.customer_id,
    orderId: row.order_id,
    merchantId: row.merchant_id,
    lineId: row.line_id,
    productCode: row.product_code,
    productVersionId: row.product_version_id,
    productVersion: row.product_version,
    grade: row.grade,
    state: row.state,
    currency: row.currency,
    principalMinor: row.principal_minor,
    outstandingPrincipalMinor: row.outstanding_principal_minor,
    disbursedMinor: row.disbursed_minor,
    merchantDiscountMinor: row.merchant_discount_minor,
    payoutMinor: row.payout_minor,
    method: row.method,
    termCount: row.term_count,
    price: { kind: row.price_kind, rate: row.price_rate },
    apr: { simple: row.apr_simple, irr: row.apr_irr },
    scheduleVersion: row.schedule_version,
    startDate: row.start_date,
    maturityDate: row.maturity_date,
    coolingOffDays: row.cooling_off_days,
    disbursementOrderNo: row.disbursement_order_no,
    disbursementAttempts: row.disbursement_attempts,
    disbursedOn: row.disbursed_on,
    closedOn: row.closed_on,
    closeReason: row.close_reason,
    contractNo: row.contract_no,
    contractSha256: row.contract_sha256,
    businessDate: row.business_date,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toInstallment(row: InstallmentRow): Installment {
  return {
    number: row.number,
    periodStart: row.period_start,
    dueDate: row.due_date,
    principalMinor: row.principal_minor,
    interestMinor: row.interest_minor,
    feeMinor: row.fee_minor,
    totalMinor: row.total_minor,
    balanceMinor: row.balance_minor,
  };
}

export type StateChange = {
  fromState: LoanState | null;
  toState: LoanState;
  event: string;
  reason: string | null;
  businessDate: DateString;
  at: Date;
};

export function toStateChange(row: StateChangeRow): StateChange {
  return {
    fromState: row.from_state,
    toState: row.to_state,
    event: row.event,
    reason: row.reason,
    businessDate: row.business_date,
    at: row.at,
  };
}

export type Refund = {
  id: string;
  merchantRefundId: string;
  amountMinor: bigint;
  kind: RefundKind;
  scheduleVersion: number;
  businessDate: DateString;
  createdAt: Date;
};

export function toRefund(row: RefundRow): Refund {
  return {
    id: row.id,
    merchantRefundId: row.merchant_refund_id,
    amountMinor: row.amount_minor,
    kind: row.kind,
    scheduleVersion: row.schedule_version,
    businessDate: row.business_date,
    createdAt: row.created_at,
  };
}

/** The payload of the loans.* events: a merchant's webhook receives it as is. */
export function loanEventPayload(loan: LoanSummaryRow, order: OrderRow | undefined) {
  return {
    loanId: loan.id,
    loanNo: loan.loan_no,
    state: loan.state,
    kind: loan.kind,
    orderId: loan.order_id,
    merchantOrderId: order?.merchant_order_id ?? null,
    productCode: loan.product_code,
    productVersion: loan.product_version,
    currency: loan.currency,
    principalMinor: String(loan.principal_minor),
    outstandingPrincipalMinor: String(loan.outstanding_principal_minor),
    payoutMinor: String(loan.payout_minor),
    termCount: loan.term_count,
    disbursedOn: loan.disbursed_on,
  };
}

export const formatCny = (minor: bigint) => `${formatMinor(minor, 2)} CNY`;

/** The up-front fee of a loan's stored terms (loanTermsToJson writes it as a string of fen). */
export function upfrontFeeOf(loan: Pick<LoanSummaryRow, 'terms'>): bigint {
  return BigInt((loan.terms as { upfrontFeeMinor?: string }).upfrontFeeMinor ?? '0');
}
