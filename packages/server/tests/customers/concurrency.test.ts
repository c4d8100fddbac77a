import { describe, expect, it } from 'vitest';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { createStaff, randomPhone, signIn, signInBorrower } from '../iam/support.ts';
import { type HttpResult, http, useTestServer } from '../support/server.ts';

// Check-then-insert races: N concurrent creates of one thing, each with its own Idempotency-Key,
// give exactly one success and N−1 catalogued 409s — never a 500 — and leave one row.

const { database, server } = useTestServer({ accessControl: 'iam' });

let sequence = 500;
function idNumber(): string {
  sequence += 1;
  const first17 = `11010519880412${String(sequence).padStart(3, '0')}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

function outcomes(results: HttpResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const code = (result.json as { code?: string } | undefined)?.code;
    const label = result.status < 300 ? String(result.status) : `${result.status} ${code}`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

const key = () => ({ 'idempotency-key': crypto.randomUUID() });

describe('concurrent creates', () => {
  it('10 concurrent registrations by one borrower: 1 × 201 and 9 × 409 customer_already_registered', async () => {
    const borrower = await signInBorrower(database.db, server.config, randomPhone());
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
          body: { name: '王小明', idNumber: idNumber() },
          headers: { ...borrower.headers, ...key() },
        }),
      ),
    );
    expect(outcomes(results)).toEqual({ '201': 1, '409 customer_already_registered': 9 });
    const rows = await database.tables
      .selectFrom('customers')
      .select('id')
      .where('borrower_id', '=', borrower.borrowerId)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('two borrowers registering one ID number at once: 1 × 201 and 1 × 409 id_number_registered', async () => {
    const shared = idNumber();
    const borrowers = await Promise.all([1, 2].map(() => signInBorrower(database.db, server.config)));
    const results = await Promise.all(
      borrowers.map((borrower) =>
        http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
          body: { name: '赵六', idNumber: shared },
          headers: { ...borrower.headers, ...key() },
        }),
      ),
    );
    expect(outcomes(results)).toEqual({ '201': 1, '409 id_number_registered': 1 });
  });

  it('8 concurrent bindings of one card: 1 × 201 and 7 × 409 card_already_bound', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const created = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '钱七', idNumber: idNumber() },
      headers: { ...borrower.headers, ...key() },
    });
    const customerId = (created.json as { id: string }).id;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
          body: { cardNumber: '6222021234567890123', bankName: '中国工商银行' },
          headers: { ...borrower.headers, ...key() },
        }),
      ),
    );
    expect(outcomes(results)).toEqual({ '201': 1, '409 card_already_bound': 7 });
    const cards = await database.tables
      .selectFrom('bank_cards')
      .select('id')
      .where('customer_id', '=', customerId)
      .execute();
    expect(cards).toHaveLength(1);
  });

  it('8 concurrent staff users with one name: 1 × 201 and 7 × 409 username_taken, and no half-made user', async () => {
    const admin = await createStaff(database.db, server.config, ['admin']);
    const session = await signIn(database.db, server.config, admin);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        http(server.baseUrl, 'POST', '/api/v1/iam/users', {
          body: { username: 'same.name', displayName: 'Same Name' },
          headers: session.headers(),
        }),
      ),
    );
    expect(outcomes(results)).toEqual({ '201': 1, '409 username_taken': 7 });
    const users = await database.tables
      .selectFrom('staff_users')
      .select('id')
      .where('username', '=', 'same.name')
      .execute();
    expect(users).toHaveLength(1);
    const codes = await database.tables
      .selectFrom('staff_recovery_codes')
      .select('user_id')
      .where('user_id', '=', users[0]?.id ?? '')
      .execute();
    expect(codes).toHaveLength(10);
  });
});
