import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDate, parseProduct, quoteProduct } from '@fenqi/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { funderStatement, ownFundsFunderId } from '../../src/modules/funding/service.ts';
import { getLoanBalance, getTrialBalance } from '../../src/modules/ledger/service.ts';
import { formatMoney } from '../../src/modules/loans/contract/index.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { eventually, rule, useSim } from '../channel-sim/support.ts';
import { addFunder, setRule } from '../funding/support.ts';
import { signedCall } from '../merchants/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerCall,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  originationCounts,
  posProduct,
  staffLoan,
  startWorld,
  until,
  type World,
} from './support.ts';

// Origination end to end over real HTTP: a merchant (signed API calls, webhooks on a receiver
// process of its own) creates an order, a borrower with a line quotes and accepts it, the payout
// goes to the channel simulator (its own process) and its callback activates the loan. Then the
// faults: concurrent accepts, duplicated and reordered callbacks, a payout that keeps failing, an
// order over the line — and the ledger agrees with the schedule to the fen throughout.

const fixture = useSim();
let database: TestDatabase;
let world: World;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await startWorld(database, fixture);
}, 120_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

const amount = 1_200_000n; // 12,000.00 CNY

async function trialBalanceDifference(): Promise<bigint[]> {
  const balance = await getTrialBalance(database.db, await getBusinessDate(database.db));
  return balance.currencies.map((currency) => currency.differenceMinor);
}

async function loanLedger(loanId: string): Promise<Record<string, bigint>> {
  const rows = await getLoanBalance(database.db, loanId);
  return Object.fromEntries(rows.map((row) => [row.code, row.balance.balanceMinor]));
}

async function webhooksFor(merchantOrderId: string) {
  const received = await world.receiver.received();
  return received.filter((delivery) => delivery.body.data.merchantOrderId === merchantOrderId);
}

describe('an installment order from checkout to an active loan', () => {
  let borrower: Borrower;

  beforeAll(async () => {
    borrower = await borrowerWithLine(world, database.db);
  }, 60_000);

  it('quotes exactly core’s schedule with both rates, accepts, pays out, activates and tells the merchant', async () => {
    const merchant = await merchantWithWebhooks(world);
    const made = await createOrder(world, merchant, amount);
    expect(made.order.status).toBe('open');
    expect(made.checkoutUrl).toBe(`${world.server.config.loans.checkoutBaseUrl}/${made.checkoutToken}`);

    const view = await borrowerCall(
      world,
      borrower,
      'GET',
      `/api/v1/borrower/checkout/${made.checkoutToken}`,
    );
    expect(view.status, view.text).toBe(200);
    expect(view.json).toMatchObject({
      order: { amountMinor: '1200000', status: 'open' },
      merchant: { name: '乐学教育', scenario: 'education' },
      product: { code: 'pos-installment', termsOffered: [3, 6, 12], coolingOffDays: 7 },
    });

    const quoted = await borrowerCall(
      world,
      borrower,
      'GET',
      `/api/v1/borrower/checkout/${made.checkoutToken}/quote?termCount=12`,
    );
    expect(quoted.status, quoted.text).toBe(200);
    const quote = quoted.json as {
      grade: string;
      apr: { simple: string; irr: string; simplePercent: string; irrPercent: string };
      installments: { totalMinor: string; principalMinor: string; interestMinor: string }[];
      totals: { interestMinor: string; totalMinor: string };
      totalCostMinor: string;
    };
    // The oracle: core's quote of the same product for the same grade, amount and date, with the
    // merchant's 3.5 % discount (which the borrower never pays: it leaves the APR alone).
    const product = parseProduct(posProduct);
    if (!product.ok) throw new Error('the test product does not parse');
    const oracle = quoteProduct(product.value, {
      grade: 'A',
      termCount: 12,
      principalMinor: amount,
      startDate: localDate(await getBusinessDate(database.db)),
    });
    if (!oracle.ok) throw new Error('core cannot quote the test product');
    expect(quote.grade).toBe('A');
    expect(quote.installments.map((i) => BigInt(i.totalMinor))).toEqual(
      oracle.value.schedule.installments.map((i) => i.totalMinor),
    );
    // 12,000.00 at 14.40 % over 12 months: 1,079.7035… a month, rounded up to 1,079.71 (core's
    // rule), the last installment absorbing the difference.
    expect(quote.installments[0]?.totalMinor).toBe('107971');
    expect(quote.totals.interestMinor).toBe(String(oracle.value.schedule.totals.interestMinor));
    expect(quote.totalCostMinor).toBe(quote.totals.interestMinor);
    expect(quote.apr.simple).toBe(oracle.value.rates.simple.toFixed(10));
    expect(quote.apr.irr).toBe(oracle.value.rates.irr.toFixed(10));
    expect(quote.apr).toMatchObject({ simplePercent: '14.40%', irrPercent: '15.39%' });

    const accepted = await borrowerCall(
      world,
      borrower,
      'POST',
      `/api/v1/borrower/checkout/${made.checkoutToken}/accept`,
      {
        termCount: 12,
      },
    );
    expect(accepted.status, accepted.text).toBe(201);
    const loanId = (accepted.json as { loan: { id: string; state: string } }).loan.id;
    expect((accepted.json as { loan: { state: string } }).loan.state).toBe('pending_disbursement');

    const active = await loanInState(world, loanId, 'active');
    // The merchant is paid the principal less its 3.5 % discount: 12,000.00 − 420.00.
    expect(active.payoutMinor).toBe('1158000');
    expect(active.installments.map((i) => i.totalMinor)).toEqual(quote.installments.map((i) => i.totalMinor));

    // The ledger: principal receivable equals the schedule's principal, what the merchant was owed
    // is paid, the discount is income; the whole ledger balances.
    expect(await loanLedger(loanId)).toMatchObject({ '1301': amount, '2202': 0n, '6041': 42_000n });
    const schedulePrincipal = active.installments.reduce((sum, i) => sum + BigInt(i.principalMinor), 0n);
    expect(schedulePrincipal).toBe(amount);
    expect(await trialBalanceDifference()).toEqual([0n]);

    // The line: the reservation became used principal.
    const lines = await borrowerCall(world, borrower, 'GET', '/api/v1/borrower/credit-lines');
    expect((lines.json as { usedMinor: string; reservedMinor: string }[])[0]).toMatchObject({
      usedMinor: '1200000',
      reservedMinor: '0',
    });

    // The merchant's receiver got both webhooks, each signed.
    const hooks = await until(async () => {
      const got = await webhooksFor(made.order.merchantOrderId);
      return got.length >= 2 ? got : false;
    });
    expect(hooks.map((h) => h.eventType).sort()).toEqual(['loans.loan-disbursed', 'loans.order-approved']);
    expect(hooks.every((h) => h.verified)).toBe(true);

    // The merchant reads the order with its loan; the borrower reads the loan and its history.
    const read = await signedCall(
      world.server,
      merchant,
      'GET',
      `/api/v1/merchant/orders/${made.order.merchantOrderId}`,
    );
    expect(read.json).toMatchObject({ order: { status: 'accepted', loanId }, loan: { state: 'active' } });
    expect(JSON.stringify(read.json)).not.toContain(borrower.idNumber);
    const own = await borrowerCall(world, borrower, 'GET', `/api/v1/borrower/loans/${loanId}`);
    expect((own.json as { history: { event: string }[] }).history.map((h) => h.event)).toEqual([
      'created',
      'disbursed',
    ]);
  });

  it('renders the contract in Chinese, and its bytes match the digest stored at acceptance', async () => {
    const merchant = await merchantWithWebhooks(world);
    const made = await createOrder(world, merchant, 600_000n);
    const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 6);
    const contract = await borrowerCall(world, borrower, 'GET', `/api/v1/borrower/loans/${loanId}/contract`);
    expect(contract.status, contract.text).toBe(200);
    const body = contract.json as { sha256: string; pdfBase64: string; contractNo: string };
    const pdf = Buffer.from(body.pdfBase64, 'base64');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(body.sha256);
    const stored = await sql<{
      contract_sha256: string;
    }>`SELECT contract_sha256 FROM loans WHERE id = ${loanId}`.execute(database.db);
    expect(stored.rows[0]?.contract_sha256).toBe(body.sha256);

    const dir = mkdtempSync(join(tmpdir(), 'fenqi-contract-'));
    writeFileSync(join(dir, 'contract.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'contract.pdf'), '-'], { encoding: 'utf8' });
    const loan = await staffLoan(world, loanId);
    expect(text).toContain(body.contractNo);
    expect(text).toContain('王小明');
    expect(text).toContain('深圳市乐学教育科技有限公司');
    expect(text).toContain('6,000.00');
    expect(text).toContain('等额本息');
    expect(text).toContain('单利');
    for (const installment of loan.installments) expect(text).toContain(installment.dueDate);

    // The merchant may download it too; another merchant may not know it exists.
    const other = await merchantWithWebhooks(world);
    const theirs = await signedCall(
      world.server,
      merchant,
      'GET',
      `/api/v1/merchant/loans/${loanId}/contract`,
    );
    expect(theirs.status).toBe(200);
    const notTheirs = await signedCall(
      world.server,
      other,
      'GET',
      `/api/v1/merchant/loans/${loanId}/contract`,
    );
    expect(notTheirs.status).toBe(404);
  });

  it('shows a term’s contract before accepting: a preview with today’s figures, and nothing written', async () => {
    const merchant = await merchantWithWebhooks(world);
    const made = await createOrder(world, merchant, 600_000n);
    const base = `/api/v1/borrower/checkout/${made.checkoutToken}`;
    const counted = async () =>
      (
        await sql<{ loans: number; allocations: number; orders: string }>`
          SELECT (SELECT count(*)::int FROM loans) AS loans,
                 (SELECT count(*)::int FROM funding_allocations) AS allocations,
                 (SELECT string_agg(status, ',') FROM loan_orders WHERE id = ${made.order.id}::uuid) AS orders`.execute(
          database.db,
        )
      ).rows[0];
    const before = await counted();
    const preview = await borrowerCall(world, borrower, 'GET', `${base}/contract?termCount=6`);
    expect(preview.status, preview.text).toBe(200);
    const body = preview.json as { sha256: string; pdfBase64: string; contractNo: string };
    const pdf = Buffer.from(body.pdfBase64, 'base64');
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(body.sha256);
    expect(body.contractNo).toBe('预览（接受后编号）');
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-preview-'));
    writeFileSync(join(dir, 'preview.pdf'), pdf);
    const text = execFileSync('pdftotext', ['-layout', join(dir, 'preview.pdf'), '-'], { encoding: 'utf8' });
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain('【预览·未生效PREVIEW】');
    expect(flat).toContain('本文本为确认前的预览，不发生合同效力');
    expect(flat).not.toContain('确认接受。签订日期');
    expect(text).toContain('王小明');
    expect(text).toContain('深圳市乐学教育科技有限公司');
    expect(text).toContain('6,000.00');
    // The schedule is the quote's, to the fen.
    const quoted = await borrowerCall(world, borrower, 'GET', `${base}/quote?termCount=6`);
    const quote = quoted.json as { installments: { dueDate: string; totalMinor: string }[] };
    expect(quote.installments).toHaveLength(6);
    for (const installment of quote.installments) {
      expect(text).toContain(installment.dueDate);
      expect(text).toContain(formatMoney(BigInt(installment.totalMinor), 'CNY'));
    }
    // Nothing was written: no loan, no funder allocation, the order still open.
    expect(await counted()).toEqual(before);
    expect(before?.orders).toBe('open');

    // A bad term is refused; once accepted, the order's contract is the loan's own.
    const bad = await borrowerCall(world, borrower, 'GET', `${base}/contract?termCount=0`);
    expect(bad.status, bad.text).toBe(400);
    const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 6);
    const signed = await borrowerCall(world, borrower, 'GET', `/api/v1/borrower/loans/${loanId}/contract`);
    const signedPdf = Buffer.from((signed.json as { pdfBase64: string }).pdfBase64, 'base64');
    writeFileSync(join(dir, 'signed.pdf'), signedPdf);
    const signedText = execFileSync('pdftotext', ['-layout', join(dir, 'signed.pdf'), '-'], {
      encoding: 'utf8',
    });
    for (const installment of quote.installments)
      expect(signedText).toContain(formatMoney(BigInt(installment.totalMinor), 'CNY'));
    expect(signedText.replace(/\s+/g, '')).not.toContain('预览');
    const after = await borrowerCall(world, borrower, 'GET', `${base}/contract?termCount=6`);
    expect(after.status, after.text).toBe(409);
    expect(after.json).toMatchObject({ code: 'order_not_open' });
  });

  it('makes one loan of 50 concurrent accepts of one order', async () => {
    const merchant = await merchantWithWebhooks(world);
    const made = await createOrder(world, merchant, 300_000n);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        borrowerCall(world, borrower, 'POST', `/api/v1/borrower/checkout/${made.checkoutToken}/accept`, {
          termCount: 3,
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const ids = new Set(answers.map((a) => (a.json as { loan: { id: string } }).loan.id));
    expect(ids.size).toBe(1);
    const [loanId] = [...ids];
    const counted = await sql<{ loans: number; orders: number; reservations: number }>`
      SELECT (SELECT count(*)::int FROM loans WHERE order_id = ${made.order.id}) AS loans,
             (SELECT count(*)::int FROM payment_orders WHERE loan_id = ${loanId}) AS orders,
             (SELECT count(*)::int FROM credit_reservations r JOIN loans l ON r.source_ref = 'loan:' || l.loan_no
               WHERE l.id = ${loanId}) AS reservations`.execute(database.db);
    expect(counted.rows[0]).toEqual({ loans: 1, orders: 1, reservations: 1 });
    await loanInState(world, String(loanId), 'active');
  });

  it('refuses an order over the available line with a clear 422 and reserves nothing', async () => {
    const merchant = await merchantWithWebhooks(world);
    const made = await createOrder(world, merchant, 6_000_000n);
    const before = await originationCounts(database.db);
    const refused = await borrowerCall(
      world,
      borrower,
      'POST',
      `/api/v1/borrower/checkout/${made.checkoutToken}/accept`,
      {
        termCount: 12,
      },
    );
    expect(refused.status, refused.text).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.json).toMatchObject({ code: 'credit_insufficient_available', requestedMinor: '6000000' });
    expect(await originationCounts(database.db)).toEqual(before);
    const order = await signedCall(
      world.server,
      merchant,
      'GET',
      `/api/v1/merchant/orders/${made.order.merchantOrderId}`,
    );
    expect(order.json).toMatchObject({ order: { status: 'open' }, loan: null });
  });
});

describe('disbursement faults', () => {
  it('disburses once when the channel duplicates and reorders its callbacks', async () => {
    const borrower = await borrowerWithLine(world, database.db);
    const merchant = await merchantWithWebhooks(world, {
      settlementAccount: {
        accountName: '重复回调商户',
        accountNo: '6222000000000777001',
        bankName: '招商银行',
      },
    });
    await fixture.client.setRules([
      rule({ accountNoSuffix: '777001' }, { duplicateCallbacks: 5, reorderCallbacks: true }),
    ]);
    const made = await createOrder(world, merchant, 400_000n);
    const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 6);
    await loanInState(world, loanId, 'active');
    // Let every copy arrive: the final status six times, then a late PROCESSING.
    const orderNo = String((await staffLoan(world, loanId)).disbursementOrderNo);
    await eventually(
      async () => (await fixture.client.callbacks(orderNo)).filter((c) => c.acknowledged).length === 7,
    );
    const entries = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ledger_entries WHERE event_type = 'disbursement' AND source_ref = ${`loan:${(await staffLoan(world, loanId)).loanNo}`}`.execute(
      database.db,
    );
    expect(entries.rows[0]?.n).toBe(1);
    expect((await loanLedger(loanId))['1301']).toBe(400_000n);
    const hooks = await until(async () => {
      const got = (await webhooksFor(made.order.merchantOrderId)).filter(
        (h) => h.eventType === 'loans.loan-disbursed',
      );
      return got.length > 0 ? got : false;
    });
    expect(new Set(hooks.map((h) => h.eventId)).size).toBe(1);
    await fixture.client.setRules([]);
  });

  it('tries a failing payout three times, then cancels the loan and restores the line to the fen', async () => {
    const borrower = await borrowerWithLine(world, database.db);
    const merchant = await merchantWithWebhooks(world, {
      settlementAccount: { accountName: '失败商户', accountNo: '6222000000000990001', bankName: '招商银行' },
    });
    // BF00202 is a failure the channel calls retryable: a new order may be tried.
    await fixture.client.setRules([rule({ accountNoSuffix: '990001' }, { fail: 'BF00202' })]);
    const lineBefore = (await borrowerCall(world, borrower, 'GET', '/api/v1/borrower/credit-lines')).json as {
      availableMinor: string;
    }[];
    const made = await createOrder(world, merchant, 500_000n);
    const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
    const cancelled = await loanInState(world, loanId, 'cancelled');
    expect(cancelled).toMatchObject({ disbursementAttempts: 3 });
    const orders = await sql<{ state: string }>`
      SELECT state FROM payment_orders WHERE loan_id = ${loanId} ORDER BY created_at`.execute(database.db);
    expect(orders.rows.map((r) => r.state)).toEqual(['failed', 'failed', 'failed']);
    const lineAfter = (await borrowerCall(world, borrower, 'GET', '/api/v1/borrower/credit-lines')).json as {
      availableMinor: string;
      reservedMinor: string;
    }[];
    expect(lineAfter[0]?.availableMinor).toBe(lineBefore[0]?.availableMinor);
    expect(lineAfter[0]?.reservedMinor).toBe('0');
    expect(await loanLedger(loanId)).toEqual({});
    const order = await signedCall(
      world.server,
      merchant,
      'GET',
      `/api/v1/merchant/orders/${made.order.merchantOrderId}`,
    );
    expect(order.json).toMatchObject({ order: { status: 'cancelled' } });
    const hooks = await until(async () => {
      const got = (await webhooksFor(made.order.merchantOrderId)).map((h) => h.eventType);
      return got.includes('loans.order-cancelled') ? got : false;
    });
    expect(hooks).not.toContain('loans.loan-disbursed');
    expect(await trialBalanceDifference()).toEqual([0n]);
    await fixture.client.setRules([]);
  });
});

describe('a co-funded loan', () => {
  it('splits the principal 70/30 with a bank co-lender and carries each funder on every journal line', async () => {
    const bank = await addFunder(database.db, world.server.config, {
      kind: 'bank',
      name: '合作银行 Partner Bank',
    });
    await setRule(database.db, world.server.config, 'pos-installment', {
      kind: 'fixed',
      funders: [
        { funderId: ownFundsFunderId, shareBp: 7000 },
        { funderId: bank.id, shareBp: 3000 },
      ],
    });
    const borrower = await borrowerWithLine(world, database.db);
    const merchant = await merchantWithWebhooks(world);
    const made = await createOrder(world, merchant, 1_000_001n);
    const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 6);
    await loanInState(world, loanId, 'active');
    const detail = (await staffLoan(world, loanId)) as unknown as {
      shares: { funderId: string; shareBp: number; principalMinor: string }[];
    };
    expect(detail.shares.map((share) => [share.funderId, share.shareBp, share.principalMinor])).toEqual([
      [ownFundsFunderId, 7000, '700001'],
      [bank.id, 3000, '300000'],
    ]);
    // Every line of the loan's entries names its funder; 1301 by funder is each share.
    const lines = await sql<{ funder_id: string | null; principal: string }>`
      SELECT l.funder_id, sum(CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END)::text AS principal
      FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
      WHERE l.loan_id = ${loanId} AND a.code = '1301' GROUP BY l.funder_id ORDER BY principal DESC`.execute(
      database.db,
    );
    expect(lines.rows).toEqual([
      { funder_id: ownFundsFunderId, principal: '700001' },
      { funder_id: bank.id, principal: '300000' },
    ]);
    const missing = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
      WHERE l.loan_id = ${loanId} AND e.event_type = 'disbursement' AND l.funder_id IS NULL`.execute(
      database.db,
    );
    expect(missing.rows[0]?.n).toBe(0);
    // The bank's statement of the day reads the same figure from the ledger.
    const statement = await funderStatement(database.db, bank.id, await getBusinessDate(database.db));
    expect(statement.rows.find((row) => row.loanId === loanId)?.principalFundedMinor).toBe(300_000n);
    expect(await trialBalanceDifference()).toEqual([0n]);
  });
});
