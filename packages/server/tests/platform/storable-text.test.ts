import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { createStaff, signIn, signInBorrower } from '../iam/support.ts';
import { type HttpResult, http, useTestServer } from '../support/server.ts';

// PostgreSQL text cannot hold NUL, and a lone surrogate has no UTF-8 form: both reached the
// database from these inputs and answered 500. Each is now a 400 field error at the edge, and the
// refused request wrote nothing (no audit row, no approval request, no card).

const { database, server } = useTestServer({ accessControl: 'iam' });

const nul = 'bad\u0000text';
const surrogate = 'bad \ud800 text';
const key = () => ({ 'idempotency-key': crypto.randomUUID() });

async function writes(): Promise<number> {
  const result = await sql<{ n: number }>`
    SELECT ((SELECT count(*) FROM audit_log) + (SELECT count(*) FROM approval_requests)
      + (SELECT count(*) FROM bank_cards) + (SELECT count(*) FROM api_clients))::int AS n`.execute(
    database.db,
  );
  return result.rows[0]?.n ?? -1;
}

function expectFieldError(result: HttpResult, where: 'body' | 'query', path: string): void {
  expect(result.status).toBe(400);
  expect(result.json).toMatchObject({
    code: 'validation_failed',
    errors: expect.arrayContaining([
      { in: where, path, message: 'must not contain NUL characters or unpaired surrogates' },
    ]),
  });
}

describe('NUL characters and lone surrogates', () => {
  it('are refused with a field error wherever they arrive, and nothing is written', async () => {
    const admin = await createStaff(database.db, server.config, ['admin']);
    const checker = await createStaff(database.db, server.config, ['admin']);
    const session = await signIn(database.db, server.config, admin);
    const checkerSession = await signIn(database.db, server.config, checker);
    const pending = await http(server.baseUrl, 'POST', '/api/v1/iam/roles', {
      body: { name: 'reader', description: 'Reads', permissions: ['ledger:read'], reason: 'needed' },
      headers: { ...session.headers(), ...key() },
    });
    expect(pending.status).toBe(201);
    const borrower = await signInBorrower(database.db, server.config);
    const first17 = '11010519900307123';
    const customer = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '张三', idNumber: `${first17}${residentIdCheckCharacter(first17)}` },
      headers: { ...borrower.headers, ...key() },
    });
    const customerId = (customer.json as { id: string }).id;
    const before = await writes();

    for (const bad of [nul, surrogate]) {
      expectFieldError(
        await http(server.baseUrl, 'POST', '/api/v1/staff/login', {
          body: { username: bad, password: 'x', secondFactor: '123456' },
        }),
        'body',
        'username',
      );
      const role = await http(server.baseUrl, 'POST', '/api/v1/iam/roles', {
        body: { name: 'other', description: bad, permissions: [], reason: bad },
        headers: { ...session.headers(), ...key() },
      });
      expectFieldError(role, 'body', 'description');
      expectFieldError(role, 'body', 'reason');
      expectFieldError(
        await http(server.baseUrl, 'POST', '/api/v1/iam/api-clients', {
          body: { ownerKind: 'merchant', ownerId: 'm1', name: bad },
          headers: session.headers(),
        }),
        'body',
        'name',
      );
      expectFieldError(
        await http(
          server.baseUrl,
          'POST',
          `/api/v1/approvals/${(pending.json as { id: string }).id}/approve`,
          {
            body: { note: bad },
            headers: { ...checkerSession.headers(), ...key() },
          },
        ),
        'body',
        'note',
      );
      const journal = await http(server.baseUrl, 'POST', '/api/v1/ledger/manual-journals', {
        body: {
          description: bad,
          reason: bad,
          lines: [
            { account: '1002.01', side: 'debit', amountMinor: '100', currency: 'CNY' },
            { account: '4001', side: 'credit', amountMinor: '100', currency: 'CNY' },
          ],
        },
        headers: { ...session.headers(), ...key() },
      });
      expectFieldError(journal, 'body', 'description');
      expectFieldError(journal, 'body', 'reason');
      expectFieldError(
        await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
          body: { cardNumber: '6222021234567890', bankName: bad },
          headers: { ...borrower.headers, ...key() },
        }),
        'body',
        'bankName',
      );
    }
    // A lone surrogate cannot be percent-encoded as UTF-8, so only NUL can arrive in a query.
    expectFieldError(
      await http(server.baseUrl, 'GET', '/api/v1/ledger/entries?loanId=%00', {
        headers: session.headers(false),
      }),
      'query',
      'loanId',
    );
    expect(await writes()).toBe(before);
  });
});
