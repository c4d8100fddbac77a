import { randomUUID } from 'node:crypto';
import type { ProductDefinition } from '@fenqi/core';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { composeApplication } from '../../src/modules/index.ts';
import type { DB } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Services } from '../../src/platform/services.ts';
import { eventually, type SimFixture } from '../channel-sim/support.ts';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import { type OnboardedMerchant, onboardMerchant, signedCall } from '../merchants/support.ts';
import { bindCardThroughChannel, startServerBesideSim } from '../payments/support.ts';
import { publishProduct } from '../products/support.ts';
import {
  type Applicant,
  accept,
  applicant,
  apply,
  publishPolicy,
  riskStaff,
  testPolicy,
} from '../risk/support.ts';
import type { TestDatabase } from '../support/db.ts';
import { http, type TestServer } from '../support/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

// The world an origination test needs, built through the public API as a user would: a credit
// policy and two published products (an equal-installment POS product and a revolving cash one),
// staff, merchants with API keys and webhook endpoints on a receiver process of their own, and
// borrowers with a granted line. Fenqi's background work (the payments loops, the outbox) runs
// for real beside the server; the channel simulator is its own process.

export const posProduct: ProductDefinition = {
  code: 'pos-installment',
  name: { zh: '商户分期', en: 'Merchant installments' },
  method: 'equal_installment',
  termsOffered: [3, 6, 12],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0.1440' },
    { grade: 'B', kind: 'annual_rate', rate: '0.1800' },
    { grade: 'C', kind: 'annual_rate', rate: '0.2000' },
  ],
  graceDays: 3,
  prepayment: { allowed: true, feeRate: '0.01' },
  amountMinMinor: '50000',
  amountMaxMinor: '10000000',
  coolingOffDays: 7,
};

export const cashProduct: ProductDefinition = {
  code: 'cash-line',
  name: { zh: '随借随还现金贷', en: 'Revolving cash' },
  method: 'equal_principal',
  termsOffered: [3, 6],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0.1200' },
    { grade: 'B', kind: 'annual_rate', rate: '0.1600' },
    { grade: 'C', kind: 'annual_rate', rate: '0.1800' },
  ],
  upfrontFee: { kind: 'rate', rate: '0.005' },
  amountMinMinor: '10000',
  amountMaxMinor: '5000000',
  revolving: true,
  coolingOffDays: 0,
};

export type World = {
  server: TestServer;
  services: Services;
  admin: StaffCredentials;
  staff: Awaited<ReturnType<typeof riskStaff>>;
  receiver: WebhookReceiver;
  stop(): Promise<void>;
};

export async function startWorld(
  database: TestDatabase,
  fixture: SimFixture,
  env: Record<string, string> = {},
) {
  const server = await startServerBesideSim(database, fixture, env);
  const services: Services = {
    config: server.config,
    db: database.db,
    logger: createLogger({ logLevel: 'silent' }),
  };
  const application = composeApplication();
  const background = await application.startBackground(services, database.url);
  const admin = await signIn(
    database.db,
    server.config,
    await createStaff(database.db, server.config, ['admin']),
  );
  const operator = await signIn(
    database.db,
    server.config,
    await createStaff(database.db, server.config, ['operator']),
  );
  const staff = await riskStaff(database.db, server.config);
  await publishPolicy(server, staff, testPolicy());
  for (const definition of [posProduct, cashProduct])
    await publishProduct(server, operator, staff.approver, definition);
  const receiver = await startWebhookReceiver();
  return {
    server,
    services,
    admin,
    staff,
    receiver,
    async stop() {
      for (const part of background.reverse()) await part.stop();
      await receiver.stop();
      await server.close();
    },
  } satisfies World;
}

/** A merchant selling the POS product, whose webhooks go to the receiver process. */
export async function merchantWithWebhooks(
  world: World,
  overrides: Record<string, unknown> = {},
): Promise<OnboardedMerchant> {
  const merchant = await onboardMerchant(world.server, world.admin, {
    productCodes: ['pos-installment'],
    ...overrides,
  });
  const path = `/fenqi/${merchant.merchantId}`;
  const endpoint = await signedCall(world.server, merchant, 'POST', '/api/v1/partner/webhook-endpoints', {
    url: `${world.receiver.url}${path}`,
    eventTypes: [
      'loans.order-approved',
      'loans.loan-disbursed',
      'loans.order-cancelled',
      'loans.order-refunded',
    ],
  });
  expect(endpoint.status, endpoint.text).toBe(201);
  await world.receiver.setSecret(path, (endpoint.json as { secret: string }).secret);
  return merchant;
}

export type Borrower = Applicant & { lineId: string; agreementId?: string; cardId?: string };

/** Age 35 with a verified real name: grade A, a 50,000.00 line for both products (testPolicy). */
export async function borrowerWithLine(world: World, db: DB): Promise<Borrower> {
  const who = await applicant(world.server, db, '1991-06-15');
  await accept(world.server, who.borrower, 'loan_contract');
  const applied = await apply(world.server, who);
  expect(applied.status, applied.text).toBe(201);
  const body = applied.json as { status: string; lineId: string };
  expect(body.status).toBe('approved');
  return { ...who, lineId: body.lineId };
}

/** Registers a card and binds it through the channel (for cash drawdowns). */
export async function withBoundCard(
  world: World,
  database: TestDatabase,
  fixture: SimFixture,
  who: Borrower,
) {
  const cardNumber = `62220200${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
  const card = await http(
    world.server.baseUrl,
    'POST',
    `/api/v1/borrower/customers/${who.customerId}/cards`,
    {
      body: { cardNumber, bankName: '工商银行' },
      headers: { ...who.borrower.headers, 'idempotency-key': randomUUID() },
    },
  );
  expect(card.status, card.text).toBe(201);
  const cardId = (card.json as { id: string }).id;
  await accept(world.server, who.borrower, 'card_debit_authorization');
  const agreementId = await bindCardThroughChannel(world.server, database, fixture, {
    borrower: who.borrower,
    cardId,
  });
  return { ...who, cardId, agreementId };
}

export type CreatedOrder = {
  order: { id: string; status: string; merchantOrderId: string; amountMinor: string };
  checkoutToken: string;
  checkoutUrl: string;
};

export async function createOrder(
  world: World,
  merchant: OnboardedMerchant,
  amountMinor: bigint,
  extra: Record<string, unknown> = {},
): Promise<CreatedOrder> {
  const made = await signedCall(world.server, merchant, 'POST', '/api/v1/merchant/orders', {
    merchantOrderId: `SO-${randomUUID()}`,
    amountMinor: String(amountMinor),
    items: [{ name: '英语培训课程', quantity: 1, unitPriceMinor: String(amountMinor) }],
    ...extra,
  });
  expect(made.status, made.text).toBe(201);
  return made.json as CreatedOrder;
}

export function borrowerCall(
  world: World,
  who: Borrower,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) {
  return http(world.server.baseUrl, method, path, {
    ...(body === undefined ? {} : { body }),
    headers:
      method === 'GET' ? who.borrower.headers : { ...who.borrower.headers, 'idempotency-key': randomUUID() },
  });
}

export type LoanBody = {
  id: string;
  loanNo: string;
  state: string;
  principalMinor: string;
  payoutMinor: string;
  outstandingPrincipalMinor: string;
  disbursementOrderNo: string | null;
  installments: {
    number: number;
    dueDate: string;
    principalMinor: string;
    interestMinor: string;
    totalMinor: string;
  }[];
};

export async function staffLoan(world: World, loanId: string): Promise<LoanBody> {
  const got = await http(world.server.baseUrl, 'GET', `/api/v1/loans/${loanId}`, {
    headers: world.admin.headers(false),
  });
  expect(got.status, got.text).toBe(200);
  return got.json as LoanBody;
}

/** The value once `check` stops answering false (eventually, typed without the false). */
export async function until<T>(check: () => Promise<T | false>): Promise<T> {
  return (await eventually(check)) as T;
}

export async function loanInState(world: World, loanId: string, state: string): Promise<LoanBody> {
  return until(async () => {
    const loan = await staffLoan(world, loanId);
    return loan.state === state ? loan : false;
  });
}

/** Row counts of the tables origination writes: a refused request must leave them as they were. */
export async function originationCounts(db: DB): Promise<Record<string, number>> {
  const tables = [
    'loans',
    'loan_installments',
    'loan_state_changes',
    'credit_reservations',
    'payment_orders',
    'funding_allocations',
    'funding_allocation_shares',
    'outbox_events',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    // The worker's own reports meanwhile (a message delivered) are not the request's doing.
    const where = table === 'outbox_events' ? sql`WHERE type NOT LIKE 'notifications.%'` : sql``;
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} ${where}`.execute(
      db,
    );
    counts[table] = row.rows[0]?.n ?? 0;
  }
  return counts;
}

/** The borrower accepts the order with the term: the new loan's id (201 expected). */
export async function acceptedLoanId(world: World, who: Borrower, checkoutToken: string, termCount: number) {
  const accepted = await borrowerCall(
    world,
    who,
    'POST',
    `/api/v1/borrower/checkout/${checkoutToken}/accept`,
    {
      termCount,
    },
  );
  expect(accepted.status, accepted.text).toBe(201);
  return (accepted.json as { loan: { id: string } }).loan.id;
}
