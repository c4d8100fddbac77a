import { randomUUID } from 'node:crypto';
import {
  basisDays,
  buildSchedule,
  type LoanTerms,
  loanTermsToJson,
  penaltyTermsFor,
  rationalFromDecimal,
  type Schedule,
  splitByShares,
} from '@fenqi/core';
import { sql } from 'kysely';
import { postEvent } from '../../src/modules/ledger/service.ts';
import { installmentRows } from '../../src/modules/servicing/accounts.ts';
import type { DB } from '../../src/platform/db.ts';

// Servicing accounts seeded straight into the tables, without origination: for tests of the
// day close itself, where the loan's origin does not matter and many loans are needed. The loans
// row is the minimum the loans module's constraints accept (close of business moves its state).

export type SeedOptions = {
  graceDays?: number;
  postingBasis?: 'accrual' | 'cash';
  writeOffDpd?: number;
  /** Funders and shares in basis points; default one funder, 'own'. */
  shares?: { funderId: string; shareBp: number }[];
};

export type SeededLoan = { loanId: string; customerId: string; schedule: Schedule };

let seq = 0;

export async function seedLoan(db: DB, terms: LoanTerms, options: SeedOptions = {}): Promise<SeededLoan> {
  const built = buildSchedule(terms);
  if (!built.ok) throw new Error(`bad terms: ${JSON.stringify(built.issues)}`);
  const schedule = built.value;
  const loanId = randomUUID();
  const customerId = randomUUID();
  seq += 1;
  const loanNo = `L20260101${String(seq).padStart(10, '0')}`;
  const shares = options.shares ?? [{ funderId: 'own', shareBp: 10_000 }];
  const penalty = penaltyTermsFor(terms);
  const rate = rationalFromDecimal(penalty.annualRate);
  const last = schedule.installments.at(-1);
  if (last === undefined) throw new Error('no installments');
  const principal = schedule.financedPrincipalMinor;
  await db.transaction().execute(async (trx) => {
    await sql`
      INSERT INTO loans (id, loan_no, kind, customer_id, borrower_id, line_id, product_code, product_version_id,
        product_version, grade, state, currency, principal_minor, outstanding_principal_minor, disbursed_minor,
        merchant_discount_minor, payout_minor, method, term_count, price_kind, price_rate, apr_simple, apr_irr, terms,
        start_date, maturity_date, cooling_off_days, payee_card_id, disbursement_channel, disbursed_on, contract_no,
        contract_sha256, contract_pdf, business_date)
      VALUES (${loanId}, ${loanNo}, 'cash_drawdown', ${customerId}, ${randomUUID()}, ${randomUUID()}, 'seeded',
        'seeded-v1', 1, 'A', 'active', 'CNY', ${principal}, ${principal}, ${principal}, 0, ${principal},
        ${terms.method}, ${terms.termCount}, 'annual_rate', ${terms.annualRate.toString()}, '0', '0',
        ${JSON.stringify(loanTermsToJson(terms))}::jsonb, ${terms.startDate}, ${last.dueDate}, 0, ${randomUUID()},
        'simulated', ${terms.startDate}, ${`C-${loanNo}`}, ${'0'.repeat(64)}, ${Buffer.from('%PDF')},
        ${terms.startDate})`.execute(trx);
    const rows = installmentRows(loanId, terms, schedule.installments);
    const first = rows[0];
    if (first === undefined) throw new Error('no installments');
    await sql`
      INSERT INTO servicing_accounts (loan_id, loan_no, customer_id, line_id, product_code, product_version_id, method,
        currency, posting_basis, rounding, day_count, penalty_rate_num, penalty_rate_den, basis_days, grace_days,
        write_off_dpd, revolving, funder_id, status, schedule_version, closed_through, cur_number, cur_period_start,
        cur_due_date, cur_interest, acc_num, acc_den, acc_days, principal_outstanding, opened_on)
      VALUES (${loanId}, ${loanNo}, ${customerId}, ${randomUUID()}, 'seeded', 'seeded-v1', ${terms.method}, 'CNY',
        ${options.postingBasis ?? 'accrual'}, ${terms.rounding}, ${terms.dayCount}, ${String(rate.num)},
        ${String(rate.den)}, ${basisDays(terms.dayCount)}, ${options.graceDays ?? 3}, ${options.writeOffDpd ?? 180},
        false, ${shares.length === 1 ? (shares[0]?.funderId ?? null) : null}, 'active', 1,
        (${terms.startDate}::date - 1), 1, ${first.period_start}, ${first.due_date}, ${schedule.installments[0]?.interestMinor},
        ${first.acc_num}, ${first.acc_den}, ${first.acc_days}, ${principal}, ${terms.startDate})`.execute(
      trx,
    );
    if (shares.length > 1) {
      for (const [index, share] of shares.entries()) {
        await sql`INSERT INTO servicing_funder_shares (loan_id, ordinal, funder_id, share_bp)
                  VALUES (${loanId}, ${index + 1}, ${share.funderId}, ${share.shareBp})`.execute(trx);
      }
    }
    await trx
      .insertInto('servicing_installments' as never)
      .values(rows as never)
      .execute();
    // The disbursement's entry, one per share, as origination posts it.
    const parts = splitByShares(
      principal,
      shares.map((share) => share.shareBp),
    );
    for (const [index, share] of shares.entries()) {
      await postEvent(trx, {
        type: 'disbursement',
        idempotencyKey: `seed:${loanId}:disbursement:${share.funderId}`,
        amounts: { principal: parts[index] ?? 0n },
        loanId,
        customerId,
        productId: 'seeded-v1',
        funderId: share.funderId,
      });
    }
  });
  return { loanId, customerId, schedule };
}
