import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allocateLoan,
  changeFunder,
  funderById,
  type LoanShare,
  loanShares,
  ownFundsFunderId,
  releaseAllocation,
  splitRepayment,
} from '../../src/modules/funding/service.ts';
import type { Config } from '../../src/platform/config.ts';
import { creditConfig } from '../credit/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { addFunder, failure, inTx, newProductCode, refused, rowCounts, setRule } from './support.ts';

// allocateLoan, loanShares and releaseAllocation as the loans module calls them, in transactions
// of their own, on a real database: exact splits, quotas taken under row locks (also when many
// loans race for one funder), idempotency by loan id, the co-lending minimum, release.

let database: TestDatabase;
let config: Config;

beforeAll(async () => {
  database = await createTestDatabase();
  config = creditConfig();
});

afterAll(async () => {
  await database?.drop();
});

const allocate = (productCode: string, principalMinor: bigint, loanId: string = randomUUID()) =>
  inTx(database.db, (trx) => allocateLoan(trx, { loanId, productCode, principalMinor }));

const used = async (funderId: string) => (await funderById(database.db, funderId)).usedMinor;

const share = (
  funder: { id: string; code: string; kind: string },
  shareBp: number,
  principalMinor: bigint,
) => ({
  funderId: funder.id,
  funderCode: funder.code,
  funderKind: funder.kind,
  shareBp,
  principalMinor,
});

const own = { id: ownFundsFunderId, code: 'OWN', kind: 'own' };

describe('splitting a loan', () => {
  it('funds a product without a rule 100 % from the own funds, which are not counted', async () => {
    const loanId = randomUUID();
    const shares = await allocate(newProductCode(), 1_000_001n, loanId);
    expect(shares).toEqual([share(own, 10_000, 1_000_001n)]);
    expect(await loanShares(database.db, loanId)).toEqual(shares);
    expect(await funderById(database.db, ownFundsFunderId)).toMatchObject({
      quotaMinor: null,
      usedMinor: null,
      remainingMinor: null,
    });
  });

  it('splits 1,000.01 CNY 70/30 between own funds and a bank exactly and takes the bank’s quota', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 50_000_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'fixed',
      funders: [
        { funderId: ownFundsFunderId, shareBp: 7000 },
        { funderId: bank.id, shareBp: 3000 },
      ],
    });
    const shares = await allocate(product, 100_001n);
    // 700.007 and 300.003: the odd fen goes to the larger remainder (the own funds).
    expect(shares).toEqual([share(own, 7000, 70_001n), share(bank, 3000, 30_000n)]);
    expect(await funderById(database.db, bank.id)).toMatchObject({
      usedMinor: 30_000n,
      remainingMinor: 49_970_000n,
    });
  });

  it('splits by remaining quota, raising a bank to its 30 % minimum', async () => {
    const pool = await addFunder(database.db, config, { kind: 'investor_pool', quotaMinor: 9_000_000n });
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 1_000_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'quota',
      funders: [{ funderId: pool.id }, { funderId: bank.id }],
    });
    // Remaining 90,000.00 : 10,000.00 would give the bank 10 %; it is raised to 30 %.
    expect(await allocate(product, 1_000_000n)).toEqual([
      share(pool, 7000, 700_000n),
      share(bank, 3000, 300_000n),
    ]);
    // Now 83,000.00 : 7,000.00 left. 30 % of 50,000.00 is more than the bank has left: it takes no
    // part in this loan, and the pool funds all of it.
    expect(await allocate(product, 5_000_000n)).toEqual([share(pool, 10_000, 5_000_000n)]);
    expect(await used(pool.id)).toBe(5_700_000n);
    expect(await used(bank.id)).toBe(300_000n);
  });
});

describe('allocating again', () => {
  it('returns the same shares for the same loan and takes the quota once', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 1_000_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'fixed',
      funders: [{ funderId: bank.id, shareBp: 10_000 }],
    });
    const loanId = randomUUID();
    const first = await allocate(product, 250_000n, loanId);
    const before = await rowCounts(database.db);
    expect(await allocate(product, 250_000n, loanId)).toEqual(first);
    expect(await rowCounts(database.db)).toEqual(before);
    expect(await used(bank.id)).toBe(250_000n);
  });

  it('refuses the same loan with another principal: funding_allocation_conflict', async () => {
    const product = newProductCode();
    const loanId = randomUUID();
    await allocate(product, 10_000n, loanId);
    expect(await refused(database.db, () => allocate(product, 10_001n, loanId))).toEqual({
      code: 'funding_allocation_conflict',
      detail: `Loan ${loanId} was allocated for ${product} with 10000 fen of principal.`,
    });
  });
});

describe('refusals write nothing', () => {
  it('a share above the funder’s remaining quota: funding_quota_exhausted', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 100_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'fixed',
      funders: [{ funderId: bank.id, shareBp: 10_000 }],
    });
    expect(await refused(database.db, () => allocate(product, 100_001n))).toEqual({
      code: 'funding_quota_exhausted',
      detail: `Funder ${bank.code} has 1000.00 CNY of quota left; the loan needs 1000.01 CNY of it.`,
      extensions: {
        funderId: bank.id,
        funderCode: bank.code,
        remainingMinor: '100000',
        requestedMinor: '100001',
      },
    });
  });

  it('a suspended funder in a fixed rule: funder_suspended', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank' });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'fixed',
      funders: [
        { funderId: ownFundsFunderId, shareBp: 6000 },
        { funderId: bank.id, shareBp: 4000 },
      ],
    });
    await inTx(database.db, (trx) =>
      changeFunder(trx, config, bank.id, {
        status: 'suspended',
        actor: { kind: 'staff', id: randomUUID() },
        origin: { ip: null, requestId: null },
      }),
    );
    expect(await refused(database.db, () => allocate(product, 50_000n))).toEqual({
      code: 'funder_suspended',
      detail: `Funder ${bank.code} of the funding rule for ${product} is suspended: the loan cannot be funded by the rule.`,
      extensions: { funderId: bank.id, funderCode: bank.code },
    });
  });

  it('a bank co-lender under 30 % of a co-funded loan, from a rule stored without the check, names the funder and share', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank' });
    const product = newProductCode();
    // A rule row written past the service (the service refuses it when it is saved: rules.test.ts).
    await sql`
      INSERT INTO funding_rule_versions
        (product_code, version, kind, min_bank_share_bp, funders, reason, approval_request_id, maker_id, checker_id)
      VALUES (${product}, 1, 'fixed', 3000,
              ${JSON.stringify([
                { funderId: ownFundsFunderId, shareBp: 8000 },
                { funderId: bank.id, shareBp: 2000 },
              ])}::jsonb, 'legacy', ${randomUUID()}::uuid, 'm', 'c')`.execute(database.db);
    expect(await refused(database.db, () => allocate(product, 1_000_000n))).toEqual({
      code: 'funding_co_lender_share_too_low',
      detail: `Bank co-lender ${bank.code} would fund 20.00 % of this co-funded loan; a bank co-lender funds at least 30.00 % of each loan it co-funds (2021 co-lending notice).`,
      extensions: { funderId: bank.id, funderCode: bank.code, shareBp: 2000, minimumShareBp: 3000 },
    });
  });

  it('input outside the contract: validation_failed naming the fields', async () => {
    const problem = await refused(database.db, () =>
      inTx(database.db, (trx) =>
        allocateLoan(trx, { loanId: 'loan-1', productCode: ' x', principalMinor: 0n }),
      ),
    );
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([
      { path: 'loanId', message: 'must be a uuid' },
      { path: 'productCode', message: 'must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$' },
      { path: 'principalMinor', message: 'must be 1 to 999999999999 fen' },
    ]);
  });
});

describe('releasing', () => {
  it('gives the quota back once; the loan cannot be allocated again', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 1_000_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'fixed',
      funders: [
        { funderId: ownFundsFunderId, shareBp: 5000 },
        { funderId: bank.id, shareBp: 5000 },
      ],
    });
    const loanId = randomUUID();
    await allocate(product, 400_001n, loanId);
    expect(await used(bank.id)).toBe(200_000n);
    await inTx(database.db, (trx) => releaseAllocation(trx, loanId));
    expect(await used(bank.id)).toBe(0n);
    const before = await rowCounts(database.db);
    await inTx(database.db, (trx) => releaseAllocation(trx, loanId));
    await inTx(database.db, (trx) => releaseAllocation(trx, randomUUID()));
    expect(await rowCounts(database.db)).toEqual(before);
    expect(await used(bank.id)).toBe(0n);
    expect((await failure(() => allocate(product, 400_001n, loanId))).code).toBe(
      'funding_allocation_conflict',
    );
    // The shares stay as the record of what was planned.
    expect((await loanShares(database.db, loanId)).map((s) => s.principalMinor)).toEqual([
      200_001n,
      200_000n,
    ]);
  });
});

describe('concurrency', () => {
  it('25 loans of 100.00 racing for a bank with 1,000.00 of quota: exactly 10 are funded, none beyond the quota', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 100_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'fixed',
      funders: [{ funderId: bank.id, shareBp: 10_000 }],
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 25 }, () => allocate(product, 10_000n)));
    const funded = outcomes.filter((o) => o.status === 'fulfilled');
    const refusedCodes = outcomes
      .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
      .map((o) => (o.reason as { code?: string }).code);
    expect(funded).toHaveLength(10);
    expect(refusedCodes).toEqual(Array(15).fill('funding_quota_exhausted'));
    expect(await funderById(database.db, bank.id)).toMatchObject({ usedMinor: 100_000n, remainingMinor: 0n });
    const held = await sql<{ total: string }>`
      SELECT sum(principal_minor)::text AS total FROM funding_allocation_shares WHERE funder_id = ${bank.id}`.execute(
      database.db,
    );
    expect(held.rows[0]?.total).toBe('100000');
  });

  it('loans racing under a by-quota rule never take more than two funders’ quotas', async () => {
    const pool = await addFunder(database.db, config, { kind: 'investor_pool', quotaMinor: 70_000n });
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 30_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'quota',
      funders: [{ funderId: pool.id }, { funderId: bank.id }],
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => allocate(product, 9_000n)));
    const funded = outcomes
      .filter((o): o is PromiseFulfilledResult<LoanShare[]> => o.status === 'fulfilled')
      .map((o) => o.value);
    const pools = funded.flatMap((shares) => shares.filter((s) => s.funderId === pool.id));
    const banks = funded.flatMap((shares) => shares.filter((s) => s.funderId === bank.id));
    const sum = (shares: LoanShare[]) => shares.reduce((total, s) => total + s.principalMinor, 0n);
    expect(await used(pool.id)).toBe(sum(pools));
    expect(await used(bank.id)).toBe(sum(banks));
    // The remaining quotas stay 7 : 3, so every loan is split 6,300 / 2,700 and 11 fit; the 12th
    // would need 9,000 of the 1,000 left.
    expect(funded).toHaveLength(11);
    expect(sum(pools)).toBe(69_300n);
    expect(sum(banks)).toBe(29_700n);
    for (const shares of funded) expect(shares.map((s) => s.principalMinor)).toEqual([6_300n, 2_700n]);
  });

  it('the same loan allocated 10 times at once: one allocation, the quota taken once', async () => {
    const bank = await addFunder(database.db, config, { kind: 'bank', quotaMinor: 1_000_000n });
    const product = newProductCode();
    await setRule(database.db, config, product, {
      kind: 'fixed',
      funders: [{ funderId: bank.id, shareBp: 10_000 }],
    });
    const loanId = randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => allocate(product, 123_456n, loanId)));
    for (const result of results) expect(result).toEqual([share(bank, 10_000, 123_456n)]);
    expect(await used(bank.id)).toBe(123_456n);
  });
});

describe('splitRepayment', () => {
  const shares: LoanShare[] = [
    { funderId: 'a', funderCode: 'OWN', funderKind: 'own', shareBp: 7000, principalMinor: 70_001n },
    { funderId: 'b', funderCode: 'BANK_A', funderKind: 'bank', shareBp: 3000, principalMinor: 30_000n },
  ];

  it('splits every component by the funded principal, each exactly', () => {
    expect(splitRepayment(shares, { principal: 10_001n, interest: 1_235n, fee: 0n, penalty: 1n })).toEqual([
      {
        funderId: 'a',
        funderCode: 'OWN',
        amounts: { principal: 7_001n, interest: 865n, fee: 0n, penalty: 1n },
      },
      {
        funderId: 'b',
        funderCode: 'BANK_A',
        amounts: { principal: 3_000n, interest: 370n, fee: 0n, penalty: 0n },
      },
    ]);
  });

  it('by what each funder still holds, a payoff gives each exactly its outstanding principal', () => {
    const held = new Map([
      ['a', 70_001n - 7_001n],
      ['b', 30_000n - 3_000n],
    ]);
    const payoff = splitRepayment(shares, { principal: 90_000n, interest: 3_333n }, { heldMinor: held });
    expect(payoff.map((part) => part.amounts)).toEqual([
      { principal: 63_000n, interest: 2_333n },
      { principal: 27_000n, interest: 1_000n },
    ]);
  });
});
