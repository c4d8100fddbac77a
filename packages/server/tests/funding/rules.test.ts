import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownFundsFunderId } from '../../src/modules/funding/service.ts';
import type { StaffCredentials } from '../iam/support.ts';
import { useTestServer } from '../support/server.ts';
import { addFunder, financeStaff, newProductCode, refusedOverHttp, rowCounts, staffCall } from './support.ts';

// Funders and funding rules over real HTTP with IAM: staff add and change funders (audited), ask
// for rule changes that another user approves, and every refused rule writes nothing.

const { database, server } = useTestServer({ accessControl: 'iam' });
let maker: StaffCredentials;
let checker: StaffCredentials;

beforeAll(async () => {
  ({ maker, checker } = await financeStaff(database.db, server.config));
});

const ask = (productCode: string, body: unknown) =>
  staffCall(server, maker).send('POST', `/api/v1/funding-rules/${productCode}/change-requests`, body);

describe('funders', () => {
  it('adds a bank co-lender with a quota and changes it; a quota below what is used is refused', async () => {
    const created = await staffCall(server, maker).send('POST', '/api/v1/funders', {
      code: 'BANK_ABC',
      name: '某某银行',
      kind: 'bank',
      quotaMinor: '5000000000',
    });
    expect(created.status, created.text).toBe(201);
    const funder = created.json as { id: string };
    expect(created.json).toMatchObject({
      code: 'BANK_ABC',
      kind: 'bank',
      quotaMinor: '5000000000',
      usedMinor: '0',
      remainingMinor: '5000000000',
      status: 'active',
      custodyBankName: null,
    });
    const changed = await staffCall(server, maker).send('PATCH', `/api/v1/funders/${funder.id}`, {
      quotaMinor: '6000000000',
      status: 'suspended',
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ quotaMinor: '6000000000', status: 'suspended' });
    const again = await refusedOverHttp(database.db, 409, () =>
      staffCall(server, maker).send('POST', '/api/v1/funders', {
        code: 'BANK_ABC',
        name: 'x',
        kind: 'bank',
        quotaMinor: '1',
      }),
    );
    expect(again.code).toBe('funder_code_taken');
  });

  it('refuses an investor pool without its custody bank, and a custody bank for a bank', async () => {
    const problem = await refusedOverHttp(database.db, 400, () =>
      staffCall(server, maker).send('POST', '/api/v1/funders', {
        code: 'POOL_X',
        name: '资金池',
        kind: 'investor_pool',
        quotaMinor: '100',
      }),
    );
    expect(problem.errors).toEqual([
      { path: 'custodyBankName', message: 'an investor pool names the bank that holds its money' },
    ]);
    const other = await refusedOverHttp(database.db, 400, () =>
      staffCall(server, maker).send('POST', '/api/v1/funders', {
        code: 'BANK_X',
        name: '银行',
        kind: 'bank',
        quotaMinor: '100',
        custodyBankName: '某银行',
      }),
    );
    expect(other.errors).toEqual([
      { path: 'custodyBankName', message: 'only an investor pool has a custody bank' },
    ]);
  });

  it('lists the seeded own funds, unlimited', async () => {
    const list = await staffCall(server, checker).get('/api/v1/funders');
    expect(list.status).toBe(200);
    expect((list.json as { code: string }[]).find((f) => f.code === 'OWN')).toMatchObject({
      id: ownFundsFunderId,
      kind: 'own',
      quotaMinor: null,
      usedMinor: null,
      status: 'active',
    });
  });
});

describe('rule changes (maker-checker)', () => {
  it('a 70/30 rule with a bank applies when another user approves it', async () => {
    const bank = await addFunder(database.db, server.config, { kind: 'bank' });
    const product = newProductCode();
    const requested = await ask(product, {
      kind: 'fixed',
      funders: [
        { funderId: ownFundsFunderId, shareBp: 7000 },
        { funderId: bank.id, shareBp: 3000 },
      ],
      reason: 'co-lending with the bank',
    });
    expect(requested.status, requested.text).toBe(201);
    const request = requested.json as { id: string; action: string; status: string };
    expect(request).toMatchObject({ action: 'funding.set-rule', status: 'pending' });
    expect((await staffCall(server, checker).get(`/api/v1/funding-rules/${product}`)).json).toEqual({
      productCode: product,
      versions: [],
    });
    const self = await staffCall(server, maker).send('POST', `/api/v1/approvals/${request.id}/approve`);
    expect((self.json as { code: string }).code).toBe('maker_cannot_check');
    const approved = await staffCall(server, checker).send('POST', `/api/v1/approvals/${request.id}/approve`);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', result: { productCode: product, version: 1 } });
    const history = await staffCall(server, checker).get(`/api/v1/funding-rules/${product}`);
    expect(history.json).toMatchObject({
      productCode: product,
      versions: [
        {
          productCode: product,
          version: 1,
          kind: 'fixed',
          minBankShareBp: 3000,
          funders: [
            { funderId: ownFundsFunderId, funderCode: 'OWN', funderKind: 'own', shareBp: 7000 },
            { funderId: bank.id, funderCode: bank.code, funderKind: 'bank', shareBp: 3000 },
          ],
          reason: 'co-lending with the bank',
          approvalRequestId: request.id,
        },
      ],
    });
    const all = await staffCall(server, checker).get('/api/v1/funding-rules');
    expect((all.json as { productCode: string }[]).some((rule) => rule.productCode === product)).toBe(true);
  });

  it('refuses a bank share under 30 % with a field error naming the funder, and writes nothing', async () => {
    const bank = await addFunder(database.db, server.config, { kind: 'bank' });
    const problem = await refusedOverHttp(database.db, 422, () =>
      ask(newProductCode(), {
        kind: 'fixed',
        funders: [
          { funderId: ownFundsFunderId, shareBp: 8000 },
          { funderId: bank.id, shareBp: 2000 },
        ],
        reason: 'too little for the bank',
      }),
    );
    expect(problem).toMatchObject({ code: 'funding_rule_invalid', status: 422 });
    expect(problem.errors).toEqual([
      {
        in: 'body',
        path: 'funders.1.shareBp',
        message: `${bank.code} is a bank co-lender: 20.00 % is below the 30.00 % it must fund of each loan it co-funds (2021 co-lending notice)`,
      },
    ]);
  });

  it('a rule may raise the bank minimum, and then checks shares against it', async () => {
    const bank = await addFunder(database.db, server.config, { kind: 'bank' });
    const problem = await refusedOverHttp(database.db, 422, () =>
      ask(newProductCode(), {
        kind: 'fixed',
        minBankShareBp: 4000,
        funders: [
          { funderId: ownFundsFunderId, shareBp: 6500 },
          { funderId: bank.id, shareBp: 3500 },
        ],
        reason: 'x',
      }),
    );
    expect((problem.errors as { path: string }[]).map((e) => e.path)).toEqual(['funders.1.shareBp']);
    const lower = await refusedOverHttp(database.db, 400, () =>
      ask(newProductCode(), {
        kind: 'fixed',
        minBankShareBp: 2000,
        funders: [{ funderId: ownFundsFunderId, shareBp: 10_000 }],
        reason: 'x',
      }),
    );
    expect((lower.errors as { path: string }[]).map((e) => e.path)).toEqual(['minBankShareBp']);
  });

  it('refuses shares that do not sum to 10,000, unknown and repeated funders, with every error at once', async () => {
    const stranger = randomUUID();
    const problem = await refusedOverHttp(database.db, 422, () =>
      ask(newProductCode(), {
        kind: 'fixed',
        funders: [
          { funderId: ownFundsFunderId, shareBp: 5000 },
          { funderId: stranger, shareBp: 3000 },
          { funderId: ownFundsFunderId, shareBp: 1000 },
        ],
        reason: 'x',
      }),
    );
    expect(problem.errors).toEqual([
      { in: 'body', path: 'funders.1.funderId', message: 'names no funder' },
      { in: 'body', path: 'funders.2.funderId', message: 'lists a funder twice' },
      { in: 'body', path: 'funders', message: 'the shares sum to 9000 bp; they must sum to 10000' },
    ]);
  });

  it('refuses a by-quota rule with shares, with the unlimited own funds, or with banks whose minimums exceed a loan', async () => {
    const banks = await Promise.all(
      [1, 2, 3, 4].map(() => addFunder(database.db, server.config, { kind: 'bank' })),
    );
    const problem = await refusedOverHttp(database.db, 422, () =>
      ask(newProductCode(), {
        kind: 'quota',
        funders: [
          { funderId: ownFundsFunderId },
          ...banks.map((bank, index) =>
            index === 0 ? { funderId: bank.id, shareBp: 5000 } : { funderId: bank.id },
          ),
        ],
        reason: 'x',
      }),
    );
    expect(problem.errors).toEqual([
      {
        in: 'body',
        path: 'funders.0.funderId',
        message: 'OWN is unlimited: a by-quota rule splits by remaining quota',
      },
      {
        in: 'body',
        path: 'funders.1.shareBp',
        message: 'a by-quota rule takes no shares: they follow the remaining quotas',
      },
      {
        in: 'body',
        path: 'minBankShareBp',
        message: '4 bank co-lenders at 30.00 % each need more than the whole loan',
      },
    ]);
  });

  it('checks the rule again on approval: a funder suspended meanwhile leaves the request pending and no rule', async () => {
    const bank = await addFunder(database.db, server.config, { kind: 'bank' });
    const product = newProductCode();
    const requested = await ask(product, {
      kind: 'fixed',
      funders: [
        { funderId: ownFundsFunderId, shareBp: 5000 },
        { funderId: bank.id, shareBp: 5000 },
      ],
      reason: 'half and half',
    });
    expect(requested.status).toBe(201);
    const suspended = await staffCall(server, maker).send('PATCH', `/api/v1/funders/${bank.id}`, {
      status: 'suspended',
    });
    expect(suspended.status).toBe(200);
    const before = await rowCounts(database.db);
    const approval = await staffCall(server, checker).send(
      'POST',
      `/api/v1/approvals/${(requested.json as { id: string }).id}/approve`,
    );
    expect(approval.status).toBe(422);
    expect(approval.json).toMatchObject({
      code: 'funding_rule_invalid',
      errors: [{ path: 'funders.1.funderId', message: `${bank.code} is suspended` }],
    });
    expect(await rowCounts(database.db)).toEqual(before);
  });
});
