import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Funder } from '../../src/modules/funding/service.ts';
import { getTrialBalance } from '../../src/modules/ledger/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import {
  auditActions,
  createMerchantClient,
  createStaff,
  type StaffCredentials,
  signIn,
} from '../iam/support.ts';
import { useTestServer } from '../support/server.ts';
import {
  addFunder,
  type Client,
  funderClient,
  refusedOverHttp,
  rowCounts,
  signedCall,
  staffCall,
} from './support.ts';

// Custody (资金存管) over real HTTP: the custody bank, calling as its investor pool's API client,
// registers sub-accounts and sends instructions; staff with funding:custody record one by hand.
// Each instruction id takes effect once, in the transaction that records it, and the ledger's
// 1002.02 for the pool always equals what its sub-accounts hold.

const { database, server } = useTestServer({ accessControl: 'iam' });
let pool: Funder;
let bank: Client;
let finance: StaffCredentials;
const customerId = randomUUID();
const loanId = randomUUID();

beforeAll(async () => {
  pool = await addFunder(database.db, server.config, { kind: 'investor_pool' });
  bank = await funderClient(database.db, server.config, pool.id);
  finance = await signIn(
    database.db,
    server.config,
    await createStaff(database.db, server.config, ['finance']),
  );
});

const instruct = (body: unknown, key?: string) =>
  signedCall(server, bank).post('/api/v1/funder/custody/instructions', body, key);

async function entryLines(entryId: string) {
  const result = await sql<{
    code: string;
    side: string;
    amount: string;
    funder: string;
    customer: string | null;
  }>`
    SELECT a.code, l.side, l.amount_minor::text AS amount, l.funder_id AS funder, l.customer_id AS customer
    FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
    WHERE l.entry_id = ${entryId}::int8 ORDER BY l.line_no`.execute(database.db);
  return result.rows;
}

async function position() {
  const response = await staffCall(server, finance).get(`/api/v1/funders/${pool.id}/custody`);
  expect(response.status, response.text).toBe(200);
  return response.json as {
    accounts: { accountRef: string; balanceMinor: string }[];
    subAccountsMinor: string;
    ledgerMinor: string;
    agrees: boolean;
  };
}

describe('sub-accounts', () => {
  it('the custody bank registers a lender’s and a borrower’s sub-account; the same again is the same one', async () => {
    const lender = await signedCall(server, bank).post('/api/v1/funder/custody/accounts', {
      holderKind: 'lender',
      holderRef: 'INV-0001',
      accountRef: 'SUB-L-0001',
    });
    expect(lender.status, lender.text).toBe(201);
    expect(lender.json).toMatchObject({ funderId: pool.id, holderKind: 'lender', balanceMinor: '0' });
    const borrower = await signedCall(server, bank).post('/api/v1/funder/custody/accounts', {
      holderKind: 'borrower',
      holderRef: customerId,
      accountRef: 'SUB-B-0001',
    });
    expect(borrower.status, borrower.text).toBe(201);
    const again = await signedCall(server, bank).post('/api/v1/funder/custody/accounts', {
      holderKind: 'lender',
      holderRef: 'INV-0001',
      accountRef: 'SUB-L-0001',
    });
    expect(again.status).toBe(200);
    expect((again.json as { id: string }).id).toBe((lender.json as { id: string }).id);
  });

  it('refuses a reference already used for another holder: custody_account_conflict, nothing written', async () => {
    const problem = await refusedOverHttp(database.db, 409, () =>
      signedCall(server, bank).post('/api/v1/funder/custody/accounts', {
        holderKind: 'lender',
        holderRef: 'INV-0002',
        accountRef: 'SUB-L-0001',
      }),
    );
    expect(problem.code).toBe('custody_account_conflict');
  });

  it('staff register one for the pool too', async () => {
    const opened = await staffCall(server, finance).send(
      'POST',
      `/api/v1/funders/${pool.id}/custody/accounts`,
      {
        holderKind: 'lender',
        holderRef: 'INV-0002',
        accountRef: 'SUB-L-0002',
      },
    );
    expect(opened.status, opened.text).toBe(201);
  });
});

describe('instructions', () => {
  it('a deposit into a lender’s sub-account posts Dr 1002.02 / Cr 2203 for the pool', async () => {
    const response = await instruct({
      instructionId: 'CB-20261201-0001',
      kind: 'deposit',
      amountMinor: '5000000',
      to: 'SUB-L-0001',
    });
    expect(response.status, response.text).toBe(201);
    const result = response.json as { journalEntryId: string; replayed: boolean };
    expect(response.json).toMatchObject({
      instructionId: 'CB-20261201-0001',
      kind: 'deposit',
      amountMinor: '5000000',
      from: null,
      to: 'SUB-L-0001',
      recordedBy: { kind: 'funder', id: pool.id },
      replayed: false,
    });
    expect(await entryLines(result.journalEntryId)).toEqual([
      { code: '1002.02', side: 'debit', amount: '5000000', funder: pool.id, customer: null },
      { code: '2203', side: 'credit', amount: '5000000', funder: pool.id, customer: null },
    ]);
    expect(await position()).toMatchObject({
      subAccountsMinor: '5000000',
      ledgerMinor: '5000000',
      agrees: true,
    });
  });

  it('the same instruction sent again (another Idempotency-Key) changes nothing and answers the first result', async () => {
    const before = await rowCounts(database.db);
    const again = await instruct({
      instructionId: 'CB-20261201-0001',
      kind: 'deposit',
      amountMinor: '5000000',
      to: 'SUB-L-0001',
    });
    expect(again.status, again.text).toBe(200);
    expect(again.json).toMatchObject({ instructionId: 'CB-20261201-0001', replayed: true });
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('the same instruction id with another amount: custody_instruction_conflict, nothing written', async () => {
    const problem = await refusedOverHttp(database.db, 409, () =>
      instruct({
        instructionId: 'CB-20261201-0001',
        kind: 'deposit',
        amountMinor: '5000001',
        to: 'SUB-L-0001',
      }),
    );
    expect(problem).toMatchObject({
      code: 'custody_instruction_conflict',
      detail: 'Custody instruction CB-20261201-0001 was already recorded with other content.',
    });
  });

  it('a transfer to the borrower posts nothing; the loan’s payout from the borrower posts Dr 2202 / Cr 1002.02', async () => {
    const entries = (await rowCounts(database.db)).entries;
    const transfer = await instruct({
      instructionId: 'CB-20261201-0002',
      kind: 'transfer',
      amountMinor: '3000000',
      from: 'SUB-L-0001',
      to: 'SUB-B-0001',
      loanId,
    });
    expect(transfer.status, transfer.text).toBe(201);
    expect(transfer.json).toMatchObject({
      journalEntryId: null,
      from: 'SUB-L-0001',
      to: 'SUB-B-0001',
      loanId,
    });
    expect((await rowCounts(database.db)).entries).toBe(entries);
    const payout = await instruct({
      instructionId: 'CB-20261201-0003',
      kind: 'withdrawal',
      amountMinor: '3000000',
      from: 'SUB-B-0001',
      loanId,
    });
    expect(payout.status, payout.text).toBe(201);
    expect(await entryLines((payout.json as { journalEntryId: string }).journalEntryId)).toEqual([
      { code: '2202', side: 'debit', amount: '3000000', funder: pool.id, customer: customerId },
      { code: '1002.02', side: 'credit', amount: '3000000', funder: pool.id, customer: customerId },
    ]);
    const now = await position();
    expect(now.accounts.map((a) => [a.accountRef, a.balanceMinor])).toEqual([
      ['SUB-B-0001', '0'],
      ['SUB-L-0001', '2000000'],
      ['SUB-L-0002', '0'],
    ]);
    expect(now).toMatchObject({ subAccountsMinor: '2000000', ledgerMinor: '2000000', agrees: true });
  });

  it('a withdrawal above the balance: custody_insufficient_balance, nothing recorded', async () => {
    const problem = await refusedOverHttp(database.db, 422, () =>
      instruct({
        instructionId: 'CB-20261201-0004',
        kind: 'withdrawal',
        amountMinor: '2000001',
        from: 'SUB-L-0001',
      }),
    );
    expect(problem).toMatchObject({
      code: 'custody_insufficient_balance',
      detail: 'Custody sub-account SUB-L-0001 holds 20000.00 CNY; 20000.01 CNY cannot leave it.',
      balanceMinor: '2000000',
      requestedMinor: '2000001',
    });
  });

  it('an unknown sub-account is a field error, nothing recorded', async () => {
    const problem = await refusedOverHttp(database.db, 400, () =>
      instruct({ instructionId: 'CB-20261201-0005', kind: 'deposit', amountMinor: '1', to: 'SUB-NOPE' }),
    );
    expect(problem.errors).toEqual([
      { in: 'body', path: 'to', message: 'the pool has no sub-account SUB-NOPE' },
    ]);
  });

  it('one instruction resent 8 times at once takes effect once', async () => {
    const body = {
      instructionId: 'CB-20261201-0006',
      kind: 'deposit',
      amountMinor: '12345',
      to: 'SUB-L-0002',
    };
    const responses = await Promise.all(Array.from({ length: 8 }, () => instruct(body)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const ids = new Set(responses.map((r) => (r.json as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(await position()).toMatchObject({
      subAccountsMinor: '2012345',
      ledgerMinor: '2012345',
      agrees: true,
    });
  });

  it('staff record a bank instruction by hand, audited', async () => {
    const recorded = await staffCall(server, finance).send(
      'POST',
      `/api/v1/funders/${pool.id}/custody/instructions`,
      {
        instructionId: 'CB-MANUAL-0001',
        kind: 'withdrawal',
        amountMinor: '12345',
        from: 'SUB-L-0002',
      },
    );
    expect(recorded.status, recorded.text).toBe(201);
    const result = recorded.json as { id: string; recordedBy: { kind: string } };
    expect(result.recordedBy.kind).toBe('staff');
    expect(await auditActions(database.db, result.id)).toEqual(['funding.custody-instruction-recorded']);
    expect(await position()).toMatchObject({
      subAccountsMinor: '2000000',
      ledgerMinor: '2000000',
      agrees: true,
    });
    const trial = await getTrialBalance(database.db, await getBusinessDate(database.db));
    expect(trial.currencies.map((c) => c.differenceMinor)).toEqual([0n]);
  });
});

describe('who may instruct', () => {
  it('a bank co-lender’s key: funder_not_custodial; a merchant’s key: not found; nothing written', async () => {
    const coLender = await addFunder(database.db, server.config, { kind: 'bank' });
    const coLenderKey = await funderClient(database.db, server.config, coLender.id);
    const body = { instructionId: 'X-1', kind: 'deposit', amountMinor: '1', to: 'SUB-L-0001' };
    const asBank = await refusedOverHttp(database.db, 422, () =>
      signedCall(server, coLenderKey).post('/api/v1/funder/custody/instructions', body),
    );
    expect(asBank.code).toBe('funder_not_custodial');
    const merchant = await createMerchantClient(database.db, server.config);
    const asMerchant = await refusedOverHttp(database.db, 404, () =>
      signedCall(server, merchant).post('/api/v1/funder/custody/instructions', body),
    );
    expect(asMerchant.code).toBe('not_found');
  });

  it('staff without funding:custody cannot record one', async () => {
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    const response = await refusedOverHttp(database.db, 403, () =>
      staffCall(server, operator).send('POST', `/api/v1/funders/${pool.id}/custody/instructions`, {
        instructionId: 'CB-MANUAL-0002',
        kind: 'deposit',
        amountMinor: '1',
        to: 'SUB-L-0002',
      }),
    );
    expect(response.code).toBe('forbidden');
  });
});
