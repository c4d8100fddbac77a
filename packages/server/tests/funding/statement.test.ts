import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allocateLoan,
  type Funder,
  funderStatement,
  type LoanShare,
  ownFundsFunderId,
  splitRepayment,
} from '../../src/modules/funding/service.ts';
import { getAccountBalance, postEvent } from '../../src/modules/ledger/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import { createMerchantClient, createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import { useTestServer } from '../support/server.ts';
import {
  addFunder,
  type Client,
  funderClient,
  inTx,
  newProductCode,
  setRule,
  signedCall,
  staffCall,
} from './support.ts';

// Funder statements read from the ledger by the funder dimension. Two loans are split 70/30
// between the own funds and a bank, and every posting of theirs is made once per share with the
// share's funderId, as the loans module posts them: disbursement and accruals on day 1, a
// repayment (split with splitRepayment) and a refund on day 2. Each day's statement, its CSV and
// their totals must equal the ledger's own sums by funder, to the fen.

const { database, server } = useTestServer({ accessControl: 'iam' });
let bank: Funder;
let bankKey: Client;
let otherKey: Client;
let other: Funder;
let finance: StaffCredentials;
let day1: string;
let day2: string;
const loan1: string = randomUUID();
const loan2: string = randomUUID();
let shares1: LoanShare[];
let shares2: LoanShare[];

type Amounts = Record<string, bigint>;

/** One posting per share, with the share's funder on every line. */
async function postPerShare(
  type: 'disbursement' | 'accrual' | 'fee_charge' | 'penalty_accrual' | 'repayment' | 'refund',
  loanId: string,
  parts: { funderId: string; amounts: Amounts }[],
) {
  await inTx(database.db, async (trx) => {
    for (const part of parts)
      await postEvent(trx, {
        type,
        idempotencyKey: `${loanId}/${type}/${part.funderId}`,
        amounts: part.amounts,
        loanId,
        funderId: part.funderId,
        ...(type === 'repayment' || type === 'refund' ? { channel: 'simulated' } : {}),
      });
  });
}

const byShares = (shares: LoanShare[], amounts: Amounts) => splitRepayment(shares, amounts);

beforeAll(async () => {
  const config = server.config;
  bank = await addFunder(database.db, config, { kind: 'bank' });
  other = await addFunder(database.db, config, { kind: 'bank' });
  bankKey = await funderClient(database.db, config, bank.id);
  otherKey = await funderClient(database.db, config, other.id);
  finance = await signIn(database.db, config, await createStaff(database.db, config, ['finance']));
  const product = newProductCode();
  await setRule(database.db, config, product, {
    kind: 'fixed',
    funders: [
      { funderId: ownFundsFunderId, shareBp: 7000 },
      { funderId: bank.id, shareBp: 3000 },
    ],
  });
  shares1 = await inTx(database.db, (trx) =>
    allocateLoan(trx, { loanId: loan1, productCode: product, principalMinor: 100_001n }),
  );
  shares2 = await inTx(database.db, (trx) =>
    allocateLoan(trx, { loanId: loan2, productCode: product, principalMinor: 200_000n }),
  );
  day1 = await getBusinessDate(database.db);
  const principal = (shares: LoanShare[]) =>
    shares.map((s) => ({ funderId: s.funderId, amounts: { principal: s.principalMinor } }));
  await postPerShare('disbursement', loan1, principal(shares1));
  await postPerShare('disbursement', loan2, principal(shares2));
  await postPerShare('accrual', loan1, byShares(shares1, { interest: 1_235n }));
  await postPerShare('fee_charge', loan1, byShares(shares1, { fee: 100n }));
  await postPerShare('penalty_accrual', loan1, byShares(shares1, { penalty: 1n }));
  day2 = await inTx(database.db, (trx) => advanceBusinessDate(trx, day1));
  await postPerShare(
    'repayment',
    loan1,
    byShares(shares1, { principal: 10_001n, interest: 1_235n, fee: 100n, penalty: 1n }),
  );
  await postPerShare('refund', loan2, byShares(shares2, { principal: 20_000n }));
});

/** The ledger's own sums for a funder through a day, straight from the lines (independent of the statement). */
async function ledgerByFunder(funderId: string, from: string, to: string) {
  const result = await sql<{ principal: string; interest: string; fee: string; penalty: string }>`
    SELECT coalesce(sum(CASE WHEN a.code = '1301' THEN
             CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END END), 0)::text AS principal,
           coalesce(sum(l.amount_minor) FILTER (WHERE e.event_type = 'repayment' AND l.side = 'credit'
             AND a.code IN ('1132', '6011')), 0)::text AS interest,
           coalesce(sum(l.amount_minor) FILTER (WHERE e.event_type = 'repayment' AND l.side = 'credit'
             AND a.code IN ('1133', '6021')), 0)::text AS fee,
           coalesce(sum(l.amount_minor) FILTER (WHERE e.event_type = 'repayment' AND l.side = 'credit'
             AND a.code IN ('1134', '6031')), 0)::text AS penalty
    FROM ledger_lines l
    JOIN ledger_accounts a ON a.id = l.account_id
    JOIN ledger_entries e ON e.id = l.entry_id
    WHERE l.funder_id = ${funderId} AND l.business_date BETWEEN ${from}::date AND ${to}::date`.execute(
    database.db,
  );
  const row = result.rows[0];
  if (!row) throw new Error('no sums');
  return {
    principal: BigInt(row.principal),
    interest: BigInt(row.interest),
    fee: BigInt(row.fee),
    penalty: BigInt(row.penalty),
  };
}

const zero = {
  principalFundedMinor: 0n,
  principalRepaidMinor: 0n,
  principalOtherMinor: 0n,
  interestMinor: 0n,
  feeMinor: 0n,
  penaltyMinor: 0n,
};

describe('funderStatement', () => {
  it('day 1 shows what the bank’s shares funded; accruals are not collections', async () => {
    const statement = await funderStatement(database.db, bank.id, day1);
    const [first, second] = [loan1, loan2].sort();
    const funded = new Map([
      [loan1, 30_000n],
      [loan2, 60_000n],
    ]);
    expect(statement).toEqual({
      funder: { id: bank.id, code: bank.code, name: bank.name, kind: 'bank' },
      businessDate: day1,
      rows: [first, second].map((loanId) => ({
        loanId,
        ...zero,
        principalFundedMinor: funded.get(loanId as string),
      })),
      totals: { ...zero, principalFundedMinor: 90_000n },
    });
  });

  it('day 2 shows the repayment split 70/30 and the refund', async () => {
    const statement = await funderStatement(database.db, bank.id, day2);
    const rows = new Map(statement.rows.map((row) => [row.loanId, row]));
    expect(rows.get(loan1)).toEqual({
      loanId: loan1,
      ...zero,
      principalRepaidMinor: 3_000n,
      interestMinor: 370n,
      feeMinor: 30n,
    });
    expect(rows.get(loan2)).toEqual({ loanId: loan2, ...zero, principalOtherMinor: 6_000n });
    const own = await funderStatement(database.db, ownFundsFunderId, day2);
    expect(own.totals).toEqual({
      ...zero,
      principalRepaidMinor: 7_001n,
      principalOtherMinor: 14_000n,
      interestMinor: 865n,
      feeMinor: 70n,
      penaltyMinor: 1n,
    });
  });

  it('reconciles to the ledger by funder to the fen, and the funders together to account 1301', async () => {
    let principalTotal = 0n;
    for (const funderId of [ownFundsFunderId, bank.id]) {
      const days = [
        await funderStatement(database.db, funderId, day1),
        await funderStatement(database.db, funderId, day2),
      ];
      const outstanding = days.reduce(
        (sum, s) =>
          sum + s.totals.principalFundedMinor - s.totals.principalRepaidMinor - s.totals.principalOtherMinor,
        0n,
      );
      const ledger = await ledgerByFunder(funderId, day1, day2);
      expect(outstanding).toBe(ledger.principal);
      expect(days.reduce((sum, s) => sum + s.totals.interestMinor, 0n)).toBe(ledger.interest);
      expect(days.reduce((sum, s) => sum + s.totals.feeMinor, 0n)).toBe(ledger.fee);
      expect(days.reduce((sum, s) => sum + s.totals.penaltyMinor, 0n)).toBe(ledger.penalty);
      for (const [index, day] of [day1, day2].entries()) {
        const ofDay = await ledgerByFunder(funderId, day, day);
        const totals = days[index]?.totals ?? zero;
        expect(totals.principalFundedMinor - totals.principalRepaidMinor - totals.principalOtherMinor).toBe(
          ofDay.principal,
        );
      }
      principalTotal += outstanding;
    }
    expect(principalTotal).toBe(300_001n - 10_001n - 20_000n);
    expect((await getAccountBalance(database.db, '1301', 'CNY')).balance.balanceMinor).toBe(principalTotal);
  });
});

describe('the statement routes', () => {
  it('staff read it as JSON and as CSV; the CSV’s TOTAL line is the ledger’s figures in yuan', async () => {
    const json = await staffCall(server, finance).get(`/api/v1/funders/${bank.id}/statements/${day2}`);
    expect(json.status, json.text).toBe(200);
    expect((json.json as { totals: unknown }).totals).toEqual({
      principalFundedMinor: '0',
      principalRepaidMinor: '3000',
      principalOtherMinor: '6000',
      interestMinor: '370',
      feeMinor: '30',
      penaltyMinor: '0',
    });
    const csv = await staffCall(server, finance).get(`/api/v1/funders/${bank.id}/statements/${day2}.csv`);
    expect(csv.status, csv.text).toBe(200);
    const body = csv.json as { fileName: string; contentType: string; csv: string };
    expect(body.fileName).toBe(`funder-statement-${bank.code}-${day2}.csv`);
    expect(body.contentType).toBe('text/csv; charset=utf-8');
    const lines = new Map<string, string>();
    for (const [loanId, line] of [
      [loan1, `${day2},${bank.code},${loan1},0.00,30.00,0.00,3.70,0.30,0.00`],
      [loan2, `${day2},${bank.code},${loan2},0.00,0.00,60.00,0.00,0.00,0.00`],
    ])
      lines.set(loanId as string, line as string);
    expect(body.csv).toBe(
      [
        'business_date,funder_code,loan_id,principal_funded,principal_repaid,principal_other,interest,fee,penalty',
        ...[loan1, loan2].sort().map((id) => lines.get(id)),
        `${day2},${bank.code},TOTAL,0.00,30.00,60.00,3.70,0.30,0.00`,
        '',
      ].join('\r\n'),
    );
    const total =
      body.csv
        .split('\r\n')
        .find((line) => line.includes(',TOTAL,'))
        ?.split(',') ?? [];
    const fen = (yuan: string | undefined) => BigInt((yuan ?? '').replace('.', ''));
    const ledger = await ledgerByFunder(bank.id, day2, day2);
    expect(fen(total[3]) - fen(total[4]) - fen(total[5])).toBe(ledger.principal);
    expect([fen(total[6]), fen(total[7]), fen(total[8])]).toEqual([
      ledger.interest,
      ledger.fee,
      ledger.penalty,
    ]);
  });

  it('the funder reads its own statement with its signed key', async () => {
    const own = await signedCall(server, bankKey).get(`/api/v1/funder/statements/${day2}`);
    expect(own.status, own.text).toBe(200);
    const staffView = await staffCall(server, finance).get(`/api/v1/funders/${bank.id}/statements/${day2}`);
    expect(own.json).toEqual(staffView.json);
    const csv = await signedCall(server, bankKey).get(`/api/v1/funder/statements/${day2}.csv`);
    expect(csv.status).toBe(200);
    expect((csv.json as { csv: string }).csv).toContain(
      `,${bank.code},TOTAL,0.00,30.00,60.00,3.70,0.30,0.00`,
    );
  });

  it('another funder sees only its own (empty) statement and cannot read the bank’s', async () => {
    const own = await signedCall(server, otherKey).get(`/api/v1/funder/statements/${day2}`);
    expect(own.status).toBe(200);
    expect(own.json).toMatchObject({
      funder: { id: other.id },
      rows: [],
      totals: { principalRepaidMinor: '0' },
    });
    const theirs = await signedCall(server, otherKey).get(`/api/v1/funders/${bank.id}/statements/${day2}`);
    expect(theirs.status).toBe(403);
    expect((theirs.json as { code: string }).code).toBe('forbidden');
    const merchant = await createMerchantClient(database.db, server.config);
    const asMerchant = await signedCall(server, merchant).get(`/api/v1/funder/statements/${day2}`);
    expect(asMerchant.status).toBe(404);
  });

  it('refuses a date that is not a date', async () => {
    const response = await signedCall(server, bankKey).get('/api/v1/funder/statements/2026-02-30');
    expect(response.status).toBe(400);
    expect((response.json as { errors: unknown }).errors).toEqual([
      { in: 'params', path: 'date', message: 'must be a date YYYY-MM-DD' },
    ]);
  });
});
