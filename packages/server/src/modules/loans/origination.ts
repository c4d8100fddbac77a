import { randomUUID } from 'node:crypto';
import { loanTermsToJson } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { ComputePool } from '../../platform/compute/pool.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { releaseReservation, reserve } from '../credit/service.ts';
import { contractPartyOf, payoutCardOf } from '../customers/service.ts';
import { allocateLoan, type LoanShare, releaseAllocation } from '../funding/service.ts';
import type { Merchant } from '../merchants/service.ts';
import { merchantSettlementAccount } from '../merchants/service.ts';
import { type Counterpart, createPaymentOrder } from '../payments/service.ts';
import { type ContractData, contractDigest, renderContractPdf } from './contract/index.ts';
import { contractTasks } from './contract/tasks.ts';
import { contractDataFor } from './contract-content.ts';
import { contractNoOf, newLoanNo } from './numbers.ts';
import { type Priced, priceLoan } from './pricing.ts';
import { moveLoan, recordCreated } from './states.ts';
import * as store from './store.ts';
import type { LoansTx } from './tables.ts';
import { loanEventPayload } from './views.ts';

// Origination: an accepted quote becomes a loan, in one transaction — the line's available amount
// reserved, the funders' shares allocated, the loan and its schedule written under the pinned
// product version, the contract rendered and its digest stored, and the payout order created for
// the payments module to send once this commits. Any refusal rolls all of it back.

export type Origination = {
  kind: 'merchant_order' | 'cash_drawdown';
  borrowerId: string;
  customerId: string;
  productCode: string;
  termCount: number;
  principalMinor: bigint;
  /** The merchant order being accepted (locked by the caller), with its merchant. */
  order?: { row: store.OrderRow; merchant: Merchant } | undefined;
  /** The borrower's bound card a cash drawdown is paid to. */
  payeeCardId?: string | undefined;
};

/**
 * Draws a contract. Routes pass one that runs on the compute workers (contractRenderer); without
 * one the contract is drawn on the calling thread.
 */
export type ContractRenderer = (data: ContractData) => Promise<Buffer>;

export function contractRenderer(compute: ComputePool): ContractRenderer {
  return async (data) =>
    Buffer.from(await compute.run<Uint8Array>(contractTasks, 'renderContractTask', data));
}

/** The channel disbursements go through: the first configured. */
export function disbursementChannel(config: Config): string {
  const first = config.payments.channels[0];
  if (first === undefined) throw new Error('no payment channel is configured');
  return first.code;
}

export async function originate(
  trx: Tx,
  config: Config,
  input: Origination,
  render: ContractRenderer = renderContractPdf,
): Promise<store.LoanSummaryRow> {
  const t: LoansTx = trx;
  const businessDate = await getBusinessDate(trx);
  const priced = await priceLoan(trx, {
    customerId: input.customerId,
    productCode: input.productCode,
    termCount: input.termCount,
    principalMinor: input.principalMinor,
    startDate: businessDate,
    merchantDiscountRate: input.order?.merchant.discountRate,
  });
  const loanId = randomUUID();
  const loanNo = newLoanNo(businessDate);
  const sourceRef = `loan:${loanNo}`;
  // The line first: it takes the person's exposure lock, which orders every drawing of theirs.
  await reserve(trx, {
    lineId: priced.line.id,
    amountMinor: priced.schedule.financedPrincipalMinor,
    sourceRef,
  });
  const shares = await allocateLoan(trx, {
    loanId,
    productCode: input.productCode,
    principalMinor: priced.schedule.financedPrincipalMinor,
  });
  const contract = await renderContract(trx, config, render, { input, priced, loanNo, businessDate, shares });
  const { schedule, terms, version, rates } = priced;
  const price = version.product.prices.find((p) => p.grade === priced.grade);
  if (price === undefined) throw new Error(`no price for grade ${priced.grade}`);
  const last = schedule.installments.at(-1);
  if (last === undefined) throw new Error('a schedule without installments');
  const loan = await store.insertLoan(t, {
    id: loanId,
    loan_no: loanNo,
    kind: input.kind,
    customer_id: input.customerId,
    borrower_id: input.borrowerId,
    order_id: input.order?.row.id ?? null,
    merchant_id: input.order?.merchant.id ?? null,
    line_id: priced.line.id,
    product_code: version.code,
    product_version_id: version.id,
    product_version: version.version,
    grade: priced.grade,
    state: 'pending_disbursement',
    currency: 'CNY',
    principal_minor: schedule.financedPrincipalMinor,
    outstanding_principal_minor: schedule.financedPrincipalMinor,
    disbursed_minor: schedule.disbursedMinor,
    merchant_discount_minor: terms.merchantDiscountMinor,
    payout_minor: schedule.merchantPayoutMinor,
    method: terms.method,
    term_count: terms.termCount,
    price_kind: price.kind,
    price_rate: price.rate.toString(),
    apr_simple: rates.simple.toFixed(10),
    apr_irr: rates.irr.toFixed(10),
    terms: JSON.stringify(loanTermsToJson(terms)),
    start_date: terms.startDate,
    maturity_date: last.dueDate,
    cooling_off_days: version.product.coolingOffDays,
    payee_card_id: input.payeeCardId ?? null,
    disbursement_channel: disbursementChannel(config),
    contract_no: contractNoOf(loanNo),
    contract_sha256: contractDigest(contract),
    contract_pdf: contract,
    business_date: businessDate,
  });
  await store.insertInstallments(
    t,
    schedule.installments.map((i) => ({
      loan_id: loanId,
      schedule_version: 1,
      number: i.number,
      period_start: i.periodStart,
      due_date: i.dueDate,
      principal_minor: i.principalMinor,
      interest_minor: i.interestMinor,
      fee_minor: i.feeMinor,
      total_minor: i.totalMinor,
      balance_minor: i.balanceMinor,
    })),
  );
  await recordCreated(t, loan, input.order ? `order:${input.order.row.id}` : sourceRef);
  const withOrder = await requestDisbursement(trx, config, loan);
  if (input.order) {
    const order = await store.updateOrder(t, input.order.row.id, { status: 'accepted', loan_id: loanId });
    await publishEvent(trx, {
      type: 'loans.order-approved',
      subject: { type: 'loan-order', id: order.id },
      owner: { kind: 'merchant', id: order.merchant_id },
      payload: loanEventPayload(withOrder, order),
    });
  }
  return withOrder;
}

/** What the contract of a loan names: the borrower as the contract shows them, the purpose. */
export async function contractInputOf(
  db: DB | Tx,
  config: Config,
  context: {
    customerId: string;
    order: Origination['order'];
    priced: Priced;
    contractNo: string;
    businessDate: string;
    shares: LoanShare[];
    acceptedAt: Date | null;
  },
): Promise<ContractData> {
  const borrower = await contractPartyOf(db, config, context.customerId);
  return contractDataFor({
    contractNo: context.contractNo,
    signedOn: context.businessDate,
    borrower,
    merchant: context.order?.merchant,
    priced: context.priced,
    shares: context.shares,
    purpose: context.order ? context.order.row.items.map((item) => item.name).join('、') : '个人日常消费',
    acceptedAt: context.acceptedAt,
  });
}

async function renderContract(
  trx: Tx,
  config: Config,
  render: ContractRenderer,
  context: { input: Origination; priced: Priced; loanNo: string; businessDate: string; shares: LoanShare[] },
): Promise<Buffer> {
  return render(
    await contractInputOf(trx, config, {
      customerId: context.input.customerId,
      order: context.input.order,
      priced: context.priced,
      contractNo: contractNoOf(context.loanNo),
      businessDate: context.businessDate,
      shares: context.shares,
      acceptedAt: new Date(),
    }),
  );
}

/**
 * A payout order for the loan's next attempt, to the merchant's settlement account or the
 * borrower's card; the order's number is recorded on the loan, so only that order's outcome
 * counts (a late callback of an earlier attempt changes nothing).
 */
export async function requestDisbursement(
  trx: Tx,
  config: Config,
  loan: store.LoanSummaryRow,
): Promise<store.LoanSummaryRow> {
  const sourceRef = `loan:${loan.loan_no}/disbursement`;
  let counterpart: Counterpart;
  if (loan.merchant_id !== null) {
    const account = await merchantSettlementAccount(trx, config, loan.merchant_id);
    counterpart = { kind: 'payout', accountName: account.accountName, accountNo: account.accountNo };
  } else {
    if (loan.payee_card_id === null) throw new Error(`loan ${loan.loan_no} has no payee`);
    const card = await payoutCardOf(trx, config, {
      customerId: loan.customer_id,
      cardId: loan.payee_card_id,
      sourceRef,
    });
    counterpart = { kind: 'payout', accountName: card.accountName, accountNo: card.accountNo };
  }
  const { order } = await createPaymentOrder(trx, config, {
    channel: loan.disbursement_channel,
    purpose: 'disbursement',
    amountMinor: loan.payout_minor,
    currency: 'CNY',
    sourceRef,
    loanId: loan.id,
    customerId: loan.customer_id,
    merchantId: loan.merchant_id ?? undefined,
    counterpart,
  });
  return store.updateLoan(trx as LoansTx, loan.id, {
    disbursement_order_no: order.orderNo,
    disbursement_attempts: loan.disbursement_attempts + 1,
  });
}

/**
 * Cancels a loan that was never disbursed: the reservation and the funders' quota are released,
 * its order is cancelled, and nothing is posted (no money moved).
 */
export async function cancelUndisbursed(
  trx: Tx,
  loan: store.LoanSummaryRow,
  event: 'disbursement_failed' | 'cancelled',
  reason: string,
): Promise<store.LoanSummaryRow> {
  const t: LoansTx = trx;
  const businessDate = await getBusinessDate(trx);
  const after = await moveLoan(t, loan, event, {
    reason,
    change: { closed_on: businessDate, close_reason: reason },
  });
  await releaseReservation(trx, { sourceRef: `loan:${loan.loan_no}` }, { kind: 'system', id: 'loans' });
  await releaseAllocation(trx, loan.id);
  let order: store.OrderRow | undefined;
  if (loan.order_id !== null) {
    order = await store.updateOrder(t, loan.order_id, { status: 'cancelled', cancel_reason: reason });
  }
  await publishEvent(trx, {
    type: 'loans.order-cancelled',
    subject: { type: 'loan', id: loan.id },
    ...(loan.merchant_id === null ? {} : { owner: { kind: 'merchant' as const, id: loan.merchant_id } }),
    payload: { ...loanEventPayload(after, order), reason },
  });
  return after;
}

export function loanNotFound(id: string): AppError {
  return new AppError('not_found', `There is no loan ${id}.`);
}
