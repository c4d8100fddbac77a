import { type Insertable, type Selectable, sql } from 'kysely';
import type { BorrowerScope } from '../iam/service.ts';
import type { BankCardTable, CustomersDb, CustomersTx, CustomerTable } from './tables.ts';

// The SQL of the customers module; nothing else touches its tables (tables.ts). Functions that
// serve borrower routes take a BorrowerScope and filter by its borrower in SQL (iam/scope.ts).

export type CustomerRow = Selectable<CustomerTable>;
export type CardRow = Selectable<BankCardTable>;

/** A new profile, real_name from now: registration asked the identity register first. */
export async function insertVerifiedCustomer(
  trx: CustomersTx,
  row: Omit<Insertable<CustomerTable>, 'real_name_at' | 'card_bound_at'>,
): Promise<CustomerRow> {
  return trx
    .insertInto('customers')
    .values({ ...row, real_name_at: sql<Date>`now()` })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertCard(trx: CustomersTx, row: Insertable<BankCardTable>): Promise<CardRow> {
  return trx.insertInto('bank_cards').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The borrower's own profile (optionally a given id, which must be theirs). */
export async function findCustomerOf(
  db: CustomersDb,
  scope: BorrowerScope,
  customerId?: string,
): Promise<CustomerRow | undefined> {
  let query = db.selectFrom('customers').selectAll().where('borrower_id', '=', scope.borrowerId);
  if (customerId !== undefined) query = query.where('id', '=', customerId);
  return query.executeTakeFirst();
}

export async function cardsOfOwnCustomer(
  db: CustomersDb,
  scope: BorrowerScope,
  customerId: string,
): Promise<CardRow[]> {
  return db
    .selectFrom('bank_cards as c')
    .innerJoin('customers as cu', 'cu.id', 'c.customer_id')
    .selectAll('c')
    .where('cu.borrower_id', '=', scope.borrowerId)
    .where('c.customer_id', '=', customerId)
    .orderBy('c.created_at')
    .execute();
}

export async function findOwnCard(
  db: CustomersDb,
  scope: BorrowerScope,
  customerId: string,
  cardId: string,
): Promise<CardRow | undefined> {
  return db
    .selectFrom('bank_cards as c')
    .innerJoin('customers as cu', 'cu.id', 'c.customer_id')
    .selectAll('c')
    .where('cu.borrower_id', '=', scope.borrowerId)
    .where('c.customer_id', '=', customerId)
    .where('c.id', '=', cardId)
    .executeTakeFirst();
}

/** A card of the borrower's own profile, by the card's id alone. */
export async function findOwnCardById(
  db: CustomersDb,
  scope: BorrowerScope,
  cardId: string,
): Promise<{ card: CardRow; customer: CustomerRow } | undefined> {
  const card = await db
    .selectFrom('bank_cards as c')
    .innerJoin('customers as cu', 'cu.id', 'c.customer_id')
    .selectAll('c')
    .where('cu.borrower_id', '=', scope.borrowerId)
    .where('c.id', '=', cardId)
    .executeTakeFirst();
  if (!card) return undefined;
  const customer = await db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', card.customer_id)
    .executeTakeFirstOrThrow();
  return { card, customer };
}

export async function cardOfCustomerByIndex(
  db: CustomersDb,
  customerId: string,
  cardBidx: string,
): Promise<CardRow | undefined> {
  return db
    .selectFrom('bank_cards')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where('card_number_bidx', '=', cardBidx)
    .executeTakeFirst();
}

export async function customerIdByIdNumberIndex(
  db: CustomersDb,
  idNumberBidx: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('customers')
    .select('id')
    .where('id_number_bidx', '=', idNumberBidx)
    .executeTakeFirst();
  return row?.id;
}

// Staff reads (routes guarded by customers:read / customers:unmask).

export async function findCustomer(db: CustomersDb, customerId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirst();
}

export async function cardsOfCustomer(db: CustomersDb, customerId: string): Promise<CardRow[]> {
  return db
    .selectFrom('bank_cards')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .execute();
}

export async function findCustomersByIndex(
  db: CustomersDb,
  by: { phoneBidx?: string; idNumberBidx?: string; cardNumberBidx?: string },
): Promise<CustomerRow[]> {
  let query = db.selectFrom('customers').selectAll().orderBy('created_at').limit(50);
  if (by.phoneBidx !== undefined) query = query.where('phone_bidx', '=', by.phoneBidx);
  if (by.idNumberBidx !== undefined) query = query.where('id_number_bidx', '=', by.idNumberBidx);
  if (by.cardNumberBidx !== undefined) {
    const cardNumberBidx = by.cardNumberBidx;
    query = query.where('id', 'in', (eb) =>
      eb.selectFrom('bank_cards').select('customer_id').where('card_number_bidx', '=', cardNumberBidx),
    );
  }
  return query.execute();
}

// KYC levels (docs/kyc.md). The level itself is a generated column; these set the times it derives from.

/** The customer row, locked: level changes of one customer happen one at a time. */
export async function lockCustomer(trx: CustomersTx, customerId: string): Promise<CustomerRow | undefined> {
  return trx.selectFrom('customers').selectAll().where('id', '=', customerId).forUpdate().executeTakeFirst();
}

export async function markRealName(trx: CustomersTx, customerId: string): Promise<CustomerRow> {
  return trx
    .updateTable('customers')
    .set({ real_name_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', customerId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Records an event as applied; false when it already was (a replayed delivery). */
export async function markEventConsumed(trx: CustomersTx, eventId: string, type: string): Promise<boolean> {
  const row = await trx
    .insertInto('customer_consumed_events')
    .values({ event_id: eventId, type })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * What payments said of an agreement: it was bound, or it ended (replaced by a new binding, or
 * unbound). Events come in any order, so each fact fills its own time once and never undoes the
 * other: a void first heard of is not revived by a late binding, and the first end recorded stays.
 */
export async function recordAgreement(
  trx: CustomersTx,
  agreement: { agreementId: string; customerId: string; cardId: string; channel: string; at: Date },
  fact: 'bound' | 'void',
): Promise<void> {
  const column = fact === 'bound' ? 'bound_at' : 'voided_at';
  await trx
    .insertInto('customer_card_agreements')
    .values({
      agreement_id: agreement.agreementId,
      customer_id: agreement.customerId,
      card_id: agreement.cardId,
      channel: agreement.channel,
      bound_at: fact === 'bound' ? agreement.at : null,
      voided_at: fact === 'void' ? agreement.at : null,
    })
    .onConflict((oc) =>
      oc.column('agreement_id').doUpdateSet({
        [column]: sql<Date>`coalesce(${sql.ref(`customer_card_agreements.${column}`)}, ${sql.ref(`excluded.${column}`)})`,
      }),
    )
    .execute();
}

/**
 * card_bound_at follows the agreements: set (and kept from the first) while one is active, cleared
 * when none is. The caller holds the customer's lock, so this statement sees every agreement
 * committed before it.
 */
export async function refreshCardBound(trx: CustomersTx, customerId: string, at: Date): Promise<CustomerRow> {
  const result = await sql<CustomerRow>`
    UPDATE customers c
    SET card_bound_at = CASE
          WHEN EXISTS (SELECT 1 FROM customer_card_agreements a
                       WHERE a.customer_id = c.id AND a.voided_at IS NULL)
          THEN coalesce(c.card_bound_at, ${at}::timestamptz)
          ELSE NULL END,
        updated_at = now()
    WHERE c.id = ${customerId}
    RETURNING c.*`.execute(trx);
  const row = result.rows[0];
  if (row === undefined) throw new Error(`customer ${customerId} vanished under its lock`);
  return row;
}
