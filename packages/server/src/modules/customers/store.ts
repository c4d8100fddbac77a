import type { Insertable, Selectable } from 'kysely';
import type { BorrowerScope } from '../iam/service.ts';
import type { BankCardTable, CustomersDb, CustomersTx, CustomerTable } from './tables.ts';

// The SQL of the customers module; nothing else touches customers or bank_cards. Functions that
// serve borrower routes take a BorrowerScope and filter by its borrower in SQL (iam/scope.ts).

export type CustomerRow = Selectable<CustomerTable>;
export type CardRow = Selectable<BankCardTable>;

export async function insertCustomer(trx: CustomersTx, row: Insertable<CustomerTable>): Promise<CustomerRow> {
  return trx.insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow();
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
