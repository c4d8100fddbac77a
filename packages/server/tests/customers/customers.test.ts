import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { auditActions, createStaff, randomPhone, signIn, signInBorrower } from '../iam/support.ts';
import { http, useTestServer } from '../support/server.ts';

const { database, server } = useTestServer({
  accessControl: 'iam',
});

let sequence = 100;
function idNumber(): string {
  sequence += 1;
  const first17 = `11010519900307${String(sequence).padStart(3, '0')}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

function cardNumber(): string {
  return `622202${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`;
}

type Registered = {
  borrower: Awaited<ReturnType<typeof signInBorrower>>;
  customerId: string;
  idNumber: string;
  cardId: string;
  card: string;
};

async function registerBorrower(name = '张三丰'): Promise<Registered> {
  const borrower = await signInBorrower(database.db, server.config, randomPhone());
  const id = idNumber();
  const created = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
    body: { name, idNumber: id },
    headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
  });
  expect(created.status).toBe(201);
  const customerId = (created.json as { id: string }).id;
  const card = cardNumber();
  const bound = await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
    body: { cardNumber: card, bankName: '中国工商银行' },
    headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
  });
  expect(bound.status).toBe(201);
  return { borrower, customerId, idNumber: id, cardId: (bound.json as { id: string }).id, card };
}

describe('borrower customer profile', () => {
  it('is registered with the OTP-verified phone and answered masked (ID 3+4, phone 3+4, card 6+4)', async () => {
    const a = await registerBorrower();
    const profile = await http(server.baseUrl, 'GET', `/api/v1/borrower/customers/${a.customerId}`, {
      headers: a.borrower.headers,
    });
    expect(profile.status).toBe(200);
    expect(profile.json).toEqual({
      id: a.customerId,
      nameMasked: '张**',
      idNumberMasked: `${a.idNumber.slice(0, 3)}***********${a.idNumber.slice(14)}`,
      phoneMasked: `${a.borrower.phone.slice(0, 3)}****${a.borrower.phone.slice(7)}`,
      // Registration asks the identity register first (docs/kyc.md): the profile starts real_name.
      kyc: {
        level: 'real_name',
        phoneVerifiedAt: expect.any(String),
        realNameAt: expect.any(String),
        cardBoundAt: null,
      },
      createdAt: expect.any(String),
    });
    const card = await http(
      server.baseUrl,
      'GET',
      `/api/v1/borrower/customers/${a.customerId}/cards/${a.cardId}`,
      { headers: a.borrower.headers },
    );
    expect(card.json).toMatchObject({
      cardNumberMasked: `${a.card.slice(0, 6)}${'*'.repeat(a.card.length - 10)}${a.card.slice(-4)}`,
    });
  });

  it('refuses an invalid ID number, a second profile and an ID number another borrower registered', async () => {
    const a = await registerBorrower();
    const again = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '李四', idNumber: idNumber() },
      headers: { ...a.borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(again.json).toMatchObject({ status: 409, code: 'customer_already_registered' });
    const other = await signInBorrower(database.db, server.config);
    const taken = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '李四', idNumber: a.idNumber },
      headers: { ...other.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(taken.json).toMatchObject({ status: 409, code: 'id_number_registered' });
    const invalid = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '李四', idNumber: '110105199003071234' },
      headers: { ...other.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(invalid.status).toBe(400);
    expect(
      await database.tables
        .selectFrom('customers')
        .select('id')
        .where('borrower_id', '=', other.borrowerId)
        .execute(),
    ).toEqual([]);
  });
});

describe('object-level authorization (OWASP API1)', () => {
  it("a borrower reading another borrower's customer or card gets 404, the same as for an id that does not exist", async () => {
    const a = await registerBorrower();
    const b = await registerBorrower();
    const attempts = [
      ['GET', `/api/v1/borrower/customers/${a.customerId}`],
      ['GET', `/api/v1/borrower/customers/${a.customerId}/cards`],
      ['GET', `/api/v1/borrower/customers/${a.customerId}/cards/${a.cardId}`],
      ['GET', `/api/v1/borrower/customers/${b.customerId}/cards/${a.cardId}`],
    ] as const;
    for (const [method, path] of attempts) {
      const response = await http(server.baseUrl, method, path, { headers: b.borrower.headers });
      expect(response.status, path).toBe(404);
      expect(response.json).toMatchObject({ code: 'not_found' });
    }
    const bind = await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${a.customerId}/cards`, {
      body: { cardNumber: cardNumber() },
      headers: { ...b.borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(bind.status).toBe(404);
    const cards = await database.tables
      .selectFrom('bank_cards')
      .select('id')
      .where('customer_id', '=', a.customerId)
      .execute();
    expect(cards).toHaveLength(1);
  });

  it('a borrower cannot reach staff routes at all (403)', async () => {
    const a = await registerBorrower();
    const response = await http(server.baseUrl, 'GET', `/api/v1/customers/${a.customerId}`, {
      headers: a.borrower.headers,
    });
    expect(response.status).toBe(403);
  });
});

describe('staff access to customers', () => {
  it('finds a customer by exact phone, ID number or card number through blind indexes, masked', async () => {
    const a = await registerBorrower('王小明');
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    for (const by of [{ phone: a.borrower.phone }, { idNumber: a.idNumber }, { cardNumber: a.card }]) {
      const found = await http(server.baseUrl, 'POST', '/api/v1/customers/search', {
        body: by,
        headers: operator.headers(),
      });
      expect(found.status).toBe(200);
      expect(found.json).toEqual([expect.objectContaining({ id: a.customerId, nameMasked: '王**' })]);
    }
    const none = await http(server.baseUrl, 'POST', '/api/v1/customers/search', {
      body: { phone: randomPhone() },
      headers: operator.headers(),
    });
    expect(none.json).toEqual([]);
  });

  it('unmasking needs customers:unmask and writes an audit row with the reason', async () => {
    const a = await registerBorrower('赵六');
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    const approver = await createStaff(database.db, server.config, ['approver']);
    const approverSession = await signIn(database.db, server.config, approver);
    const path = `/api/v1/customers/${a.customerId}/unmasked?reason=${encodeURIComponent('KYC review #42')}`;
    const refused = await http(server.baseUrl, 'GET', path, { headers: operator.headers(false) });
    expect(refused.status).toBe(403);
    expect(await auditActions(database.db, a.customerId)).toEqual(['customers.registered']);

    const full = await http(server.baseUrl, 'GET', path, { headers: approverSession.headers(false) });
    expect(full.status).toBe(200);
    expect(full.headers.get('cache-control')).toBe('no-store');
    expect(full.json).toEqual({
      id: a.customerId,
      name: '赵六',
      idNumber: a.idNumber,
      phone: a.borrower.phone,
      cards: [{ id: a.cardId, cardNumber: a.card, bankName: '中国工商银行' }],
    });
    const audit = await database.tables
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'action', 'details'])
      .where('subject_id', '=', a.customerId)
      .where('action', '=', 'customers.unmasked')
      .execute();
    expect(audit).toEqual([
      {
        actor_kind: 'staff',
        actor_id: approver.id,
        action: 'customers.unmasked',
        details: { reason: 'KYC review #42', fields: ['name', 'idNumber', 'phone', 'cardNumber'], cards: 1 },
      },
    ]);
  });
});

describe('personal data at rest', () => {
  it('no table holds a plaintext (or hex-encoded) ID number, phone or card number after customers are created', async () => {
    const created = [await registerBorrower(), await registerBorrower(), await registerBorrower()];
    // Unmask one too: the unmasked response must not be kept anywhere (idempotency store, audit).
    const approver = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['approver']),
    );
    await http(server.baseUrl, 'GET', `/api/v1/customers/${created[0]?.customerId}/unmasked?reason=scan`, {
      headers: approver.headers(false),
    });
    const secrets = created.flatMap((c) => [c.idNumber, c.borrower.phone, c.card]);
    const needles = secrets.flatMap((value) => [
      value,
      Buffer.from(value).toString('hex'),
      Buffer.from(value).toString('base64'),
    ]);

    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(database.db);
    expect(tables.rows.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['customers', 'bank_cards', 'borrowers', 'audit_log', 'idempotency_keys']),
    );
    const hits: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`SELECT t::text AS row FROM ${sql.table(table_name)} AS t`.execute(database.db);
      for (const { row } of rows.rows) {
        for (const needle of needles) if (row.includes(needle)) hits.push(`${table_name}: ${needle}`);
      }
    }
    expect(hits).toEqual([]);
  });
});
