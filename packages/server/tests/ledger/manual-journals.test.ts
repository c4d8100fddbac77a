import { describe, expect, it } from 'vitest';
import { getAccountBalance } from '../../src/modules/ledger/service.ts';
import { auditActions, createStaff, signIn } from '../iam/support.ts';
import { http, useTestServer } from '../support/server.ts';

// Manual journal entries through maker-checker: finance asks, another finance user approves, and
// only then is the entry posted, with an audit row.

const { database, server } = useTestServer({
  accessControl: 'iam',
});

type Credentials = Awaited<ReturnType<typeof signIn>>;
const post = (credentials: Credentials, path: string, body: unknown = {}) =>
  http(server.baseUrl, 'POST', path, {
    body,
    headers: { ...credentials.headers(), 'idempotency-key': crypto.randomUUID() },
  });

const capitalInjection = {
  description: 'Capital injection 2026-11',
  reason: 'Shareholder paid in capital',
  lines: [
    { account: '1002.01', side: 'debit', amountMinor: '50000000', currency: 'CNY' },
    { account: '4001', side: 'credit', amountMinor: '50000000', currency: 'CNY' },
  ],
};

const balanceOf = async (code: string) =>
  (await getAccountBalance(database.db, code, 'CNY')).balance.balanceMinor;
const approvals = async () =>
  (await database.tables.selectFrom('approval_requests').select('id').execute()).length;

describe('manual journal entries', () => {
  it('post only after a different user with ledger:approve approves them', async () => {
    const makerUser = await createStaff(database.db, server.config, ['finance']);
    const maker = await signIn(database.db, server.config, makerUser);
    const checkerUser = await createStaff(database.db, server.config, ['finance']);
    const checker = await signIn(database.db, server.config, checkerUser);

    const requested = await post(maker, '/api/v1/ledger/manual-journals', capitalInjection);
    expect(requested.status).toBe(201);
    const request = requested.json as { id: string };
    expect(requested.json).toMatchObject({ status: 'pending', action: 'ledger.post-manual-journal' });
    expect(await balanceOf('1002.01')).toBe(0n);

    const self = await post(maker, `/api/v1/approvals/${request.id}/approve`);
    expect(self.json).toMatchObject({ status: 403, code: 'maker_cannot_check' });
    expect(await balanceOf('1002.01')).toBe(0n);

    const approved = await post(checker, `/api/v1/approvals/${request.id}/approve`, {
      note: 'matches bank statement',
    });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', result: { entryId: expect.any(String) } });
    expect(await balanceOf('1002.01')).toBe(50_000_000n);
    expect(await balanceOf('4001')).toBe(50_000_000n);
    const entryId = (approved.json as { result: { entryId: string } }).result.entryId;
    expect(await auditActions(database.db, entryId)).toContain('ledger.manual-journal-posted');
  });

  it('an entry that could not post is refused when asked for, with the posting error, and nothing is written', async () => {
    const maker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['finance']),
    );
    const before = await approvals();
    const unbalanced = await post(maker, '/api/v1/ledger/manual-journals', {
      ...capitalInjection,
      lines: [capitalInjection.lines[0], { ...capitalInjection.lines[1], amountMinor: '49999999' }],
    });
    expect(unbalanced.status).toBe(422);
    expect(unbalanced.json).toMatchObject({ code: 'journal_unbalanced' });
    const unknownAccount = await post(maker, '/api/v1/ledger/manual-journals', {
      ...capitalInjection,
      lines: [{ ...capitalInjection.lines[0], account: '9999' }, capitalInjection.lines[1]],
    });
    expect(unknownAccount.status).toBe(404);
    expect(unknownAccount.json).toMatchObject({ code: 'account_not_found' });
    const group = await post(maker, '/api/v1/ledger/manual-journals', {
      ...capitalInjection,
      lines: [{ ...capitalInjection.lines[0], account: '1002' }, capitalInjection.lines[1]],
    });
    expect(group.status).toBe(422);
    expect(group.json).toMatchObject({ code: 'account_is_group' });
    const bothSides = await post(maker, '/api/v1/ledger/manual-journals', {
      ...capitalInjection,
      lines: [capitalInjection.lines[0], { ...capitalInjection.lines[1], account: '1002.01' }],
    });
    expect(bothSides.status).toBe(422);
    expect(bothSides.json).toMatchObject({ code: 'journal_account_on_both_sides' });
    const tooLarge = await post(maker, '/api/v1/ledger/manual-journals', {
      ...capitalInjection,
      lines: capitalInjection.lines.map((line) => ({ ...line, amountMinor: '999999999999999999' })),
    });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.json).toMatchObject({ code: 'validation_failed' });
    expect(await approvals()).toBe(before);
  });

  it('is refused to a role without ledger:post', async () => {
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    const result = await post(operator, '/api/v1/ledger/manual-journals', capitalInjection);
    expect(result.status).toBe(403);
    expect(result.json).toMatchObject({ code: 'forbidden' });
  });
});
