import {
  accrualFormula,
  addDays,
  basisDays,
  type Installment,
  type LoanTerms,
  type LocalDate,
  penaltyTermsFor,
  rationalFromDecimal,
} from '@fenqi/core';
import type { Insertable } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import type { EventConsumer } from '../../platform/outbox/event.ts';
import { loanShares } from '../funding/service.ts';
import { loanById, loanTermsById } from '../loans/service.ts';
import { productVersionById } from '../products/service.ts';
import type { ServicingInstallmentTable, ServicingTx } from './tables.ts';

// A loan's servicing account opens when the loan is disbursed (the loans.loan-disbursed event):
// the terms it was priced with, its current schedule with nothing paid, its funder shares, and
// closed_through the day before disbursement, so the first close of business is the disbursement
// day's. Everything close of business needs per day is copied onto the row here once.

type LoanDetail = Awaited<ReturnType<typeof loanById>>;

/** The installment rows of a schedule, nothing paid yet. */
export function installmentRows(
  loanId: string,
  terms: LoanTerms,
  installments: readonly Installment[],
): Insertable<ServicingInstallmentTable>[] {
  return installments.map((installment) => {
    const formula = accrualFormula(terms, installment);
    return {
      loan_id: loanId,
      number: installment.number,
      period_start: installment.periodStart,
      due_date: installment.dueDate,
      principal_due: installment.principalMinor,
      interest_due: installment.interestMinor,
      fee_due: installment.feeMinor,
      opening_balance: installment.balanceMinor + installment.principalMinor,
      acc_num: String(formula.numeratorMinor),
      acc_den: String(formula.denominator),
      acc_days: formula.periodDays,
      status: 'future' as const,
      settled_on: null,
      penalty_from: null,
    };
  });
}

/** The stored schedule rows of the loans module as core installments. */
export function coreInstallments(loan: LoanDetail): Installment[] {
  return loan.installments.map((installment) => ({ ...installment }) as Installment);
}

export async function openAccount(trx: Tx, config: Config, loanId: string): Promise<boolean> {
  const t = trx as unknown as ServicingTx;
  const existing = await t
    .selectFrom('servicing_accounts')
    .select('loan_id')
    .where('loan_id', '=', loanId)
    .executeTakeFirst();
  if (existing) return false;
  const loan = await loanById(trx, loanId);
  if (loan.state !== 'active' || loan.disbursedOn === null) return false;
  const [terms, version, shares] = await Promise.all([
    loanTermsById(trx, loanId),
    productVersionById(trx, loan.productVersionId),
    loanShares(trx, loanId),
  ]);
  const product = version.product;
  const penalty = penaltyTermsFor(terms);
  const rate = rationalFromDecimal(penalty.annualRate);
  const installments = coreInstallments(loan);
  const first = installments[0];
  if (first === undefined) throw new Error(`loan ${loan.loanNo} has no installments`);
  const rows = installmentRows(loanId, terms, installments);
  const firstRow = rows[0];
  if (firstRow === undefined) throw new Error(`loan ${loan.loanNo} has no installments`);
  const single = shares.length === 1 ? shares[0] : undefined;
  await t
    .insertInto('servicing_accounts')
    .values({
      loan_id: loanId,
      loan_no: loan.loanNo,
      customer_id: loan.customerId,
      line_id: loan.lineId,
      product_code: loan.productCode,
      product_version_id: loan.productVersionId,
      method: terms.method,
      currency: 'CNY',
      posting_basis: product.postingBasis,
      rounding: terms.rounding,
      day_count: terms.dayCount,
      penalty_rate_num: String(rate.num),
      penalty_rate_den: String(rate.den),
      basis_days: basisDays(terms.dayCount),
      grace_days: product.graceDays,
      write_off_dpd: config.servicing.writeOffDpd,
      revolving: product.revolving,
      funder_id: single?.funderId ?? null,
      status: 'active',
      schedule_version: loan.scheduleVersion,
      closed_through: addDays(loan.disbursedOn as LocalDate, -1),
      cur_number: first.number,
      cur_period_start: first.periodStart,
      cur_due_date: first.dueDate,
      cur_interest: first.interestMinor,
      acc_num: firstRow.acc_num,
      acc_den: firstRow.acc_den,
      acc_days: firstRow.acc_days,
      oldest_unpaid_due: null,
      non_accrual_since: null,
      principal_outstanding: installments.reduce((sum, i) => sum + i.principalMinor, 0n),
      opened_on: loan.disbursedOn,
      closed_on: null,
    })
    .execute();
  if (single === undefined) {
    await t
      .insertInto('servicing_funder_shares')
      .values(
        shares.map((share, index) => ({
          loan_id: loanId,
          ordinal: index + 1,
          funder_id: share.funderId,
          share_bp: share.shareBp,
        })),
      )
      .execute();
  }
  await t.insertInto('servicing_installments').values(rows).execute();
  return true;
}

/** Opens the servicing account of every loan the moment its disbursement is known. */
export const openAccountConsumer: EventConsumer = {
  name: 'servicing.open-account',
  events: ['loans.loan-disbursed'],
  async handle(trx, event, services) {
    const loanId = (event.data as { loanId?: string }).loanId;
    if (typeof loanId === 'string') await openAccount(trx, services.config, loanId);
  },
};
