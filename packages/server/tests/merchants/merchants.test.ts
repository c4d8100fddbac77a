import { socialCreditCheckCharacter } from '@fenqi/core';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditActions, createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import { http, useTestServer } from '../support/server.ts';
import { accountNumber, merchantBody, rowCounts, socialCreditCode, staffCall } from './support.ts';

const { database, server } = useTestServer({ accessControl: 'iam' });

const staff = {} as Record<'admin' | 'operator' | 'finance' | 'auditor', StaffCredentials>;
const staffIds = {} as Record<keyof typeof staff, string>;

beforeAll(async () => {
  for (const role of ['admin', 'operator', 'finance', 'auditor'] as const) {
    const user = await createStaff(database.db, server.config, [role]);
    staffIds[role] = user.id;
    staff[role] = await signIn(database.db, server.config, user);
  }
});

const call = (who: keyof typeof staff, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) =>
  staffCall(server, staff[who], method, path, body);

const masked6and4 = (accountNo: string) =>
  `${accountNo.slice(0, 6)}${'*'.repeat(accountNo.length - 10)}${accountNo.slice(-4)}`;

async function create(overrides: Record<string, unknown> = {}) {
  const body = merchantBody(overrides);
  const response = await call('operator', 'POST', '/api/v1/merchants', body);
  expect(response.status, response.text).toBe(201);
  return { body, merchant: response.json as Record<string, unknown> & { id: string } };
}

/** Sends the request, expects it refused with this status and code, and that it wrote nothing. */
async function refused(
  send: () => ReturnType<typeof call>,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const before = await rowCounts(database.db);
  const response = await send();
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.json).toMatchObject({ status, code });
  expect(await rowCounts(database.db)).toEqual(before);
  return response.json as Record<string, unknown>;
}

describe('registering a merchant', () => {
  it('is onboarding, answered with the account masked 6 + 4, and audited', async () => {
    const { body, merchant } = await create();
    const account = body.settlementAccount as { accountNo: string; bankName: string };
    expect(merchant).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: '乐学教育',
      legalName: '深圳市乐学教育科技有限公司',
      scenario: 'education',
      scenarioLabel: { zh: '教育', en: 'Education' },
      socialCreditCode: body.socialCreditCode,
      status: 'onboarding',
      discountRate: '0.035',
      productCodes: ['pos-installment'],
      settlementAccountMasked: masked6and4(account.accountNo),
      settlementBankName: '招商银行深圳分行',
      statusReason: null,
      statusChangedAt: null,
      statusHistory: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(masked6and4(account.accountNo)).toMatch(/^6222\d{2}\*{9}\d{4}$/);
    expect(await auditActions(database.db, merchant.id)).toEqual(['merchants.created']);
    const fetched = await call('auditor', 'GET', `/api/v1/merchants/${merchant.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.json).toEqual(merchant);
  });

  it('a replay with the same Idempotency-Key answers the same merchant and registers no second one', async () => {
    const body = merchantBody();
    const headers = { ...staff.operator.headers(), 'idempotency-key': crypto.randomUUID() };
    const first = await http(server.baseUrl, 'POST', '/api/v1/merchants', { body, headers });
    expect(first.status, first.text).toBe(201);
    const before = await rowCounts(database.db);
    const replay = await http(server.baseUrl, 'POST', '/api/v1/merchants', { body, headers });
    expect(replay.status).toBe(201);
    expect(replay.json).toEqual(first.json);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('takes the code as people type it (spaces, lower case) and keeps it as GB 32100 writes it', async () => {
    const { merchant } = await create({ socialCreditCode: ' 91350100m000100y43 ' });
    expect(merchant.socialCreditCode).toBe('91350100M000100Y43');
  });

  it('keeps the rate canonical, products sorted and each once, and needs no account or product yet', async () => {
    const { merchant } = await create({
      discountRate: '0.300000',
      productCodes: ['pos-b', 'pos-a', 'pos-b'],
      settlementAccount: undefined,
    });
    expect(merchant).toMatchObject({
      discountRate: '0.3',
      productCodes: ['pos-a', 'pos-b'],
      settlementAccountMasked: null,
      settlementBankName: null,
    });
    const bare = await call('operator', 'POST', '/api/v1/merchants', {
      name: '途牛旅行',
      legalName: '南京途牛科技有限公司',
      scenario: 'travel',
      socialCreditCode: socialCreditCode(),
    });
    expect(bare.status, bare.text).toBe(201);
    expect(bare.json).toMatchObject({ discountRate: '0', productCodes: [], status: 'onboarding' });
  });

  it.each([
    [
      '91350100M000100Y44',
      'check_character',
      'the check character (the 18th) does not match the first 17; look for a mistyped character',
    ],
    [
      '91350100M000100Y4',
      'format',
      'must be 18 characters of 0-9 and A-Z without I, O, S, V and Z, with digits in positions 3-8 (GB 32100-2015)',
    ],
    [
      '91350100M000100O43',
      'format',
      'must be 18 characters of 0-9 and A-Z without I, O, S, V and Z, with digits in positions 3-8 (GB 32100-2015)',
    ],
    [
      withCheck('B1350100M000100Y4'),
      'authority_unknown',
      'the registration authority code (the 1st character) is not one of GB 32100-2015',
    ],
    [
      withCheck('94350100M000100Y4'),
      'category_unknown',
      'the category code (the 2nd character) is not one its registration authority uses',
    ],
    [
      withCheck('91990000M000100Y4'),
      'region_unknown',
      'the administrative division code (characters 3-8) is not a region of China',
    ],
  ])('refuses the code %s (%s) as a field error, and writes nothing', async (code, reason, message) => {
    const problem = await refused(
      () => call('operator', 'POST', '/api/v1/merchants', merchantBody({ socialCreditCode: code })),
      400,
      'validation_failed',
    );
    expect(problem).toMatchObject({
      title: 'The request is not valid',
      detail: `The body is not valid: socialCreditCode: ${message}`,
      errors: [{ in: 'body', path: 'socialCreditCode', message, code: reason }],
    });
  });

  it('refuses a code another merchant has: 409, naming the field, and writes nothing', async () => {
    const { body } = await create();
    const problem = await refused(
      () =>
        call(
          'operator',
          'POST',
          '/api/v1/merchants',
          merchantBody({ socialCreditCode: body.socialCreditCode }),
        ),
      409,
      'social_credit_code_registered',
    );
    expect(problem).toMatchObject({
      title: 'A merchant with this unified social credit code is already registered',
      detail: 'A merchant with this unified social credit code is already registered.',
      errors: [{ in: 'body', path: 'socialCreditCode', message: 'is registered to another merchant' }],
    });
  });

  it.each([
    [
      'a NUL in the name',
      { name: 'shop\u0000' },
      'name',
      'must not contain NUL characters or unpaired surrogates',
    ],
    [
      'a lone surrogate in the legal name',
      { legalName: 'co\ud800' },
      'legalName',
      'must not contain NUL characters or unpaired surrogates',
    ],
    [
      'a rate above 0.3',
      { discountRate: '0.300001' },
      'discountRate',
      'must be at most 0.3 (30 % of the principal)',
    ],
    [
      'a huge rate',
      { discountRate: '5' },
      'discountRate',
      'must be a decimal fraction from 0 to 0.3 with at most 6 decimals, such as "0.035"',
    ],
    [
      'a rate in exponent form',
      { discountRate: '1e9' },
      'discountRate',
      'must be a decimal fraction from 0 to 0.3 with at most 6 decimals, such as "0.035"',
    ],
    [
      'a negative rate',
      { discountRate: '-0.01' },
      'discountRate',
      'must be a decimal fraction from 0 to 0.3 with at most 6 decimals, such as "0.035"',
    ],
    [
      'a rate with 7 decimals',
      { discountRate: '0.0350001' },
      'discountRate',
      'must be a decimal fraction from 0 to 0.3 with at most 6 decimals, such as "0.035"',
    ],
    [
      'a rate as a number',
      { discountRate: 0.03 },
      'discountRate',
      'Invalid input: expected string, received number',
    ],
    ['an unknown scenario', { scenario: 'casino' }, 'scenario', expect.stringContaining('Invalid option')],
    [
      'a malformed product code',
      { productCodes: ['pos a'] },
      'productCodes.0',
      'must be 1 to 40 of A-Z, a-z, 0-9, _, . and -, starting with a letter or digit',
    ],
    [
      '51 products',
      { productCodes: Array.from({ length: 51 }, (_, i) => `p${i}`) },
      'productCodes',
      expect.stringContaining('50'),
    ],
    [
      'an account number with letters',
      { settlementAccount: { accountName: 'x', accountNo: '6222abc', bankName: 'b' } },
      'settlementAccount.accountNo',
      'must be 8 to 32 digits',
    ],
    [
      'an unknown field',
      { status: 'active' },
      'status',
      'is not a field of this request (unknown fields are refused)',
    ],
    [
      'an unknown account field',
      { settlementAccount: { accountName: 'x', accountNo: '62220000111', bankName: 'b', swift: 'X' } },
      'settlementAccount.swift',
      'is not a field of this request (unknown fields are refused)',
    ],
  ])('refuses %s with a field error and writes nothing', async (_case, change, path, message) => {
    const problem = await refused(
      () => call('operator', 'POST', '/api/v1/merchants', merchantBody(change)),
      400,
      'validation_failed',
    );
    expect(problem.errors).toEqual([expect.objectContaining({ in: 'body', path, message })]);
  });
});

function withCheck(first17: string): string {
  return `${first17}${socialCreditCheckCharacter(first17)}`;
}

describe('the lifecycle: onboarding → active ↔ suspended', () => {
  it('activation needs a settlement account and a product; then each change is in the history, the events and the audit log', async () => {
    const { merchant } = await create({ settlementAccount: undefined, productCodes: [] });
    const id = merchant.id;
    const notReady = await refused(
      () => call('operator', 'POST', `/api/v1/merchants/${id}/activate`, { reason: 'contract signed' }),
      422,
      'merchant_not_ready',
    );
    expect(notReady).toMatchObject({
      title: 'The merchant needs a settlement account and a product before it can be activated',
      errors: [
        { path: 'settlementAccount', message: 'is needed: the payouts of its loans go there' },
        { path: 'productCodes', message: 'must list at least one product the merchant offers' },
      ],
    });

    const accountNo = accountNumber();
    const patched = await call('operator', 'PATCH', `/api/v1/merchants/${id}`, {
      productCodes: ['pos-installment'],
      settlementAccount: { accountName: '深圳市乐学教育科技有限公司', accountNo, bankName: '招商银行' },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({
      settlementAccountMasked: masked6and4(accountNo),
      status: 'onboarding',
    });

    const steps = [
      ['activate', 'contract signed', 'active'],
      ['suspend', 'complaints about refunds', 'suspended'],
      ['reinstate', 'refunds settled', 'active'],
    ] as const;
    for (const [verb, reason, status] of steps) {
      const changed = await call('operator', 'POST', `/api/v1/merchants/${id}/${verb}`, { reason });
      expect(changed.status, changed.text).toBe(200);
      expect(changed.json).toMatchObject({
        status,
        statusReason: reason,
        statusChangedAt: expect.any(String),
      });
    }
    const detail = await call('auditor', 'GET', `/api/v1/merchants/${id}`);
    const actor = { kind: 'staff', id: staffIds.operator };
    const businessDate = expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/);
    expect((detail.json as { statusHistory: unknown[] }).statusHistory).toEqual([
      {
        fromStatus: 'suspended',
        toStatus: 'active',
        reason: 'refunds settled',
        actor,
        businessDate,
        at: expect.any(String),
      },
      {
        fromStatus: 'active',
        toStatus: 'suspended',
        reason: 'complaints about refunds',
        actor,
        businessDate,
        at: expect.any(String),
      },
      {
        fromStatus: 'onboarding',
        toStatus: 'active',
        reason: 'contract signed',
        actor,
        businessDate,
        at: expect.any(String),
      },
    ]);

    const events = await sql<{ type: string; owner_kind: string; owner_id: string; payload: unknown }>`
      SELECT type, owner_kind, owner_id, payload FROM outbox_events
      WHERE subject_type = 'merchant' AND subject_id = ${id} ORDER BY id`.execute(database.db);
    expect(events.rows).toEqual([
      {
        type: 'merchants.activated',
        owner_kind: 'merchant',
        owner_id: id,
        payload: { merchantId: id, fromStatus: 'onboarding', status: 'active' },
      },
      {
        type: 'merchants.suspended',
        owner_kind: 'merchant',
        owner_id: id,
        payload: { merchantId: id, fromStatus: 'active', status: 'suspended' },
      },
      {
        type: 'merchants.reinstated',
        owner_kind: 'merchant',
        owner_id: id,
        payload: { merchantId: id, fromStatus: 'suspended', status: 'active' },
      },
    ]);
    expect(await auditActions(database.db, id)).toEqual([
      'merchants.created',
      'merchants.updated',
      'merchants.activated',
      'merchants.suspended',
      'merchants.reinstated',
    ]);
    const suspension = await database.tables
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'before', 'after', 'details'])
      .where('subject_id', '=', id)
      .where('action', '=', 'merchants.suspended')
      .executeTakeFirstOrThrow();
    expect(suspension).toEqual({
      actor_kind: 'staff',
      actor_id: staffIds.operator,
      before: { status: 'active' },
      after: { status: 'suspended' },
      details: { reason: 'complaints about refunds' },
    });
  });

  it.each([
    ['activate', 'active', 'Merchant {id} is active; only a merchant that is onboarding can be activated.'],
    ['reinstate', 'active', 'Merchant {id} is active; only a merchant that is suspended can be reinstated.'],
    [
      'suspend',
      'onboarding',
      'Merchant {id} is onboarding; only a merchant that is active can be suspended.',
    ],
  ])('refuses to %s a merchant that is %s: 409 and nothing written', async (verb, status, detail) => {
    const { merchant } = await create();
    if (status === 'active')
      expect(
        (await call('operator', 'POST', `/api/v1/merchants/${merchant.id}/activate`, { reason: 'go' }))
          .status,
      ).toBe(200);
    const problem = await refused(
      () => call('operator', 'POST', `/api/v1/merchants/${merchant.id}/${verb}`, { reason: 'again' }),
      409,
      'merchant_status_conflict',
    );
    expect(problem).toMatchObject({
      title: 'The merchant cannot make this change in its current status',
      detail: detail.replace('{id}', merchant.id),
      merchantStatus: status,
    });
  });

  it('a status change needs a reason, and an unknown merchant is 404', async () => {
    const { merchant } = await create();
    const missing = await refused(
      () => call('operator', 'POST', `/api/v1/merchants/${merchant.id}/activate`, {}),
      400,
      'validation_failed',
    );
    expect(missing.errors).toEqual([expect.objectContaining({ in: 'body', path: 'reason' })]);
    const unknown = crypto.randomUUID();
    const problem = await refused(
      () => call('operator', 'POST', `/api/v1/merchants/${unknown}/activate`, { reason: 'go' }),
      404,
      'not_found',
    );
    expect(problem.detail).toBe(`There is no merchant ${unknown}.`);
  });

  it('an activated merchant keeps at least one product; the code cannot be changed; PATCH needs a field', async () => {
    const { merchant } = await create();
    await call('operator', 'POST', `/api/v1/merchants/${merchant.id}/activate`, { reason: 'go' });
    const empty = await refused(
      () => call('operator', 'PATCH', `/api/v1/merchants/${merchant.id}`, { productCodes: [] }),
      400,
      'validation_failed',
    );
    expect(empty.errors).toEqual([
      { in: 'body', path: 'productCodes', message: 'must list at least one product: the merchant is active' },
    ]);
    const code = await refused(
      () =>
        call('operator', 'PATCH', `/api/v1/merchants/${merchant.id}`, {
          socialCreditCode: socialCreditCode(),
        }),
      400,
      'validation_failed',
    );
    expect(code.errors).toEqual([
      expect.objectContaining({ path: 'socialCreditCode', code: 'unknown_field' }),
    ]);
    const nothing = await refused(
      () => call('operator', 'PATCH', `/api/v1/merchants/${merchant.id}`, {}),
      400,
      'validation_failed',
    );
    expect(nothing.errors).toEqual([
      expect.objectContaining({ path: '', message: 'give at least one field to change' }),
    ]);
  });

  it('PATCH changes only the fields given, and audits before and after with the account masked', async () => {
    const { body, merchant } = await create();
    const accountNo = accountNumber();
    const changed = await call('operator', 'PATCH', `/api/v1/merchants/${merchant.id}`, {
      name: '乐学',
      discountRate: '0.05',
      settlementAccount: {
        accountName: '深圳市乐学教育科技有限公司',
        accountNo: `${accountNo.slice(0, 4)} ${accountNo.slice(4)}`,
        bankName: '工商银行',
      },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({
      name: '乐学',
      legalName: merchant.legalName,
      discountRate: '0.05',
      productCodes: ['pos-installment'],
      settlementAccountMasked: masked6and4(accountNo),
      settlementBankName: '工商银行',
    });
    const row = await database.tables
      .selectFrom('audit_log')
      .select(['before', 'after', 'details'])
      .where('subject_id', '=', merchant.id)
      .where('action', '=', 'merchants.updated')
      .executeTakeFirstOrThrow();
    const oldAccount = (body.settlementAccount as { accountNo: string }).accountNo;
    expect(row.details).toEqual({
      fields: ['discountRate', 'name', 'settlementAccount'],
      settlementAccountChanged: true,
    });
    expect(row.before).toMatchObject({
      name: '乐学教育',
      discountRate: '0.035',
      settlementAccountMasked: masked6and4(oldAccount),
    });
    expect(row.after).toMatchObject({
      name: '乐学',
      discountRate: '0.05',
      settlementAccountMasked: masked6and4(accountNo),
    });
    expect(JSON.stringify(row)).not.toContain(accountNo);
    expect(JSON.stringify(row)).not.toContain(oldAccount);
  });
});

describe('the settlement account', () => {
  it('is never in clear in a response or in any table (plain, hex or base64)', async () => {
    const created = [
      await create({
        settlementAccount: { accountName: '个体户王小明', accountNo: accountNumber(), bankName: '农业银行' },
      }),
      await create(),
    ];
    const secrets = created.map(({ body }) => (body.settlementAccount as { accountNo: string }).accountNo);
    secrets.push('个体户王小明');
    const responses: string[] = [];
    for (const { merchant } of created) {
      responses.push((await call('admin', 'GET', `/api/v1/merchants/${merchant.id}`)).text);
      responses.push(
        (await call('admin', 'POST', `/api/v1/merchants/${merchant.id}/activate`, { reason: 'go' })).text,
      );
      responses.push(
        (await call('admin', 'PATCH', `/api/v1/merchants/${merchant.id}`, { name: 'renamed' })).text,
      );
    }
    responses.push((await call('admin', 'GET', '/api/v1/merchants?limit=200')).text);
    // An unmasked view must not be kept anywhere either (idempotency store, audit).
    const unmasked = await call(
      'finance',
      'GET',
      `/api/v1/merchants/${created[0]?.merchant.id}/settlement-account?reason=scan test`,
    );
    expect(unmasked.status).toBe(200);
    for (const text of responses) for (const secret of secrets) expect(text).not.toContain(secret);

    const needles = secrets.flatMap((value) => [
      value,
      Buffer.from(value).toString('hex'),
      Buffer.from(value).toString('base64'),
    ]);
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(database.db);
    expect(tables.rows.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'merchants',
        'merchant_status_history',
        'audit_log',
        'idempotency_keys',
        'outbox_events',
      ]),
    );
    const hits: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`SELECT t::text AS row FROM ${sql.table(table_name)} AS t`.execute(database.db);
      for (const { row } of rows.rows)
        for (const needle of needles) if (row.includes(needle)) hits.push(`${table_name}: ${needle}`);
    }
    expect(hits).toEqual([]);
    const stored = await database.tables
      .selectFrom('merchants')
      .select(['settlement_account_no_enc', 'settlement_account_name_enc'])
      .where('id', '=', created[0]?.merchant.id ?? '')
      .executeTakeFirstOrThrow();
    expect(stored.settlement_account_no_enc).toMatch(/^fq1\./);
    expect(stored.settlement_account_name_enc).toMatch(/^fq1\./);
  });

  it('is shown in clear to merchants:unmask only, not cached, with one audit row naming the reason', async () => {
    const { body, merchant } = await create();
    const account = body.settlementAccount as { accountName: string; accountNo: string; bankName: string };
    const response = await call(
      'finance',
      'GET',
      `/api/v1/merchants/${merchant.id}/settlement-account?reason=payout check 7`,
    );
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json).toEqual({ merchantId: merchant.id, ...account });
    const rows = await database.tables
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'action', 'details'])
      .where('subject_id', '=', merchant.id)
      .where('action', '=', 'merchants.settlement-account-unmasked')
      .execute();
    expect(rows).toEqual([
      {
        actor_kind: 'staff',
        actor_id: staffIds.finance,
        action: 'merchants.settlement-account-unmasked',
        details: { reason: 'payout check 7', fields: ['accountName', 'accountNo'] },
      },
    ]);

    for (const who of ['operator', 'auditor'] as const) {
      const before = await rowCounts(database.db);
      const denied = await call(
        who,
        'GET',
        `/api/v1/merchants/${merchant.id}/settlement-account?reason=curious`,
      );
      expect(denied.status).toBe(403);
      expect(denied.json).toMatchObject({
        code: 'forbidden',
        detail: 'This needs the permission merchants:unmask.',
      });
      expect(await rowCounts(database.db)).toEqual(before);
    }
    const noReason = await refused(
      () => call('finance', 'GET', `/api/v1/merchants/${merchant.id}/settlement-account?reason=x`),
      400,
      'validation_failed',
    );
    expect(noReason.errors).toEqual([
      {
        in: 'query',
        path: 'reason',
        message: 'say why (at least 4 characters); it is recorded in the audit log',
      },
    ]);
    const { merchant: bare } = await create({ settlementAccount: undefined });
    const none = await refused(
      () => call('finance', 'GET', `/api/v1/merchants/${bare.id}/settlement-account?reason=payout check`),
      404,
      'not_found',
    );
    expect(none.detail).toBe(`Merchant ${bare.id} has no settlement account yet.`);
  });
});

describe('the list', () => {
  it('filters by status and scenario, newest first, a page at a time', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i += 1)
      made.push((await create({ scenario: 'medical_beauty', name: `美 ${i}` })).merchant.id);
    await call('operator', 'POST', `/api/v1/merchants/${made[1]}/activate`, { reason: 'go' });
    const first = await call('auditor', 'GET', '/api/v1/merchants?scenario=medical_beauty&limit=2');
    expect(first.status, first.text).toBe(200);
    const page1 = first.json as {
      merchants: { id: string; scenarioLabel: unknown }[];
      cursor: string | null;
    };
    expect(page1.merchants.map((m) => m.id)).toEqual([made[2], made[1]]);
    expect(page1.merchants[0]?.scenarioLabel).toEqual({ zh: '医美', en: 'Medical beauty' });
    expect(page1.cursor).toMatch(/^\d+$/);
    const second = await call(
      'auditor',
      'GET',
      `/api/v1/merchants?scenario=medical_beauty&limit=2&before=${page1.cursor}`,
    );
    expect(second.json).toEqual({ merchants: [expect.objectContaining({ id: made[0] })], cursor: null });
    const active = await call('auditor', 'GET', '/api/v1/merchants?scenario=medical_beauty&status=active');
    expect((active.json as { merchants: { id: string }[] }).merchants.map((m) => m.id)).toEqual([made[1]]);
    for (const query of ['status=closed', 'scenario=casino', 'limit=201', 'before=0', 'color=red']) {
      const bad = await call('auditor', 'GET', `/api/v1/merchants?${query}`);
      expect(bad.status, query).toBe(400);
      expect(bad.json, query).toMatchObject({ code: 'validation_failed' });
    }
  });

  it('answers 404 for an unknown merchant and 400 for an id that is no uuid', async () => {
    const unknown = crypto.randomUUID();
    const missing = await call('auditor', 'GET', `/api/v1/merchants/${unknown}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ code: 'not_found', detail: `There is no merchant ${unknown}.` });
    expect((await call('auditor', 'GET', '/api/v1/merchants/not-a-uuid')).status).toBe(400);
  });
});

describe('permissions', () => {
  it('finance reads but cannot change a merchant; the auditor reads; the operator manages', async () => {
    const { merchant } = await create();
    expect((await call('finance', 'GET', `/api/v1/merchants/${merchant.id}`)).status).toBe(200);
    const denied = await http(server.baseUrl, 'POST', `/api/v1/merchants/${merchant.id}/activate`, {
      body: { reason: 'go' },
      headers: { ...staff.finance.headers(), 'idempotency-key': crypto.randomUUID() },
    });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({
      code: 'forbidden',
      detail: 'This needs the permission merchants:manage.',
    });
  });
});
