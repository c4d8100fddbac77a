import { randomUUID } from 'node:crypto';
import { parseLocalDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import {
  createDataKey,
  cryptoFor,
  type DataKey,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import { maskCardNumber, maskIdNumber, maskName, maskPhone } from '../../platform/crypto/masking.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import { type AuditEvent, appendAudit, type BorrowerScope, borrowerPhone } from '../iam/service.ts';
import { type Kyc, kycOfRow } from './kyc.ts';
import { type RealNameMatch, recordRealNameCheck, verifyRealName } from './real-name/service.ts';
import * as store from './store.ts';
import { checkIdNumber } from './validation.ts';

export { type BureauIdentity, bureauIdentitiesOf } from './bureau-identity.ts';
export { debtorPhoneOf } from './collections-contact.ts';
export {
  type AgreementWithStatus,
  acceptAgreement,
  agreementsFor,
  type MissingConsent,
  requireConsents,
} from './consents/service.ts';
export { type KycStatus, kycOf } from './kyc.ts';
export { notificationPhoneOf } from './notification-phone.ts';

// Customers: the borrower-owned profile (name, resident ID number, phone) and bank cards. Every
// C2 field is a field ciphertext under the record's own data key; lookups use blind indexes; every
// view is masked unless the caller holds customers:unmask, and each unmasked view is audited in
// the same transaction that reads it (JR/T 0171-2020). Audit rows carry ids, never the values.
// Registration is KYC's first step past the phone: the identity register confirms the name and ID
// number before the profile exists (docs/kyc.md), so a profile made now is real_name at once.

export type CustomerMasked = {
  id: string;
  nameMasked: string;
  idNumberMasked: string;
  phoneMasked: string;
  kyc: Kyc;
  createdAt: Date;
};
export type CardMasked = {
  id: string;
  customerId: string;
  cardNumberMasked: string;
  bankName: string | null;
  reservedPhoneMasked: string | null;
  createdAt: Date;
};
export type CustomerUnmasked = {
  id: string;
  name: string;
  idNumber: string;
  phone: string;
  cards: { id: string; cardNumber: string; bankName: string | null }[];
};

const context = (table: 'customers' | 'bank_cards', column: string, id: string) =>
  fieldContext(table, column, id);

async function keyOf(db: DB | Tx, config: Config, ciphertext: string): Promise<DataKey> {
  return loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(ciphertext));
}

function index(config: Config, kind: 'phone' | 'id-number' | 'card-number', value: string): string {
  return blindIndex(config.secrets.blindIndexKey, kind, value);
}

type Plain = { id: string; name: string; idNumber: string; phone: string; kyc: Kyc; createdAt: Date };

async function decryptCustomer(db: DB | Tx, config: Config, row: store.CustomerRow): Promise<Plain> {
  const key = await keyOf(db, config, row.name_enc);
  return {
    id: row.id,
    name: decryptField(key, row.name_enc, context('customers', 'name', row.id)),
    idNumber: decryptField(key, row.id_number_enc, context('customers', 'id_number', row.id)),
    phone: decryptField(key, row.phone_enc, context('customers', 'phone', row.id)),
    kyc: kycOfRow(row),
    createdAt: row.created_at,
  };
}

function masked(plain: Plain): CustomerMasked {
  return {
    id: plain.id,
    nameMasked: maskName(plain.name),
    idNumberMasked: maskIdNumber(plain.idNumber),
    phoneMasked: maskPhone(plain.phone),
    kyc: plain.kyc,
    createdAt: plain.createdAt,
  };
}

async function decryptCard(db: DB | Tx, config: Config, row: store.CardRow): Promise<string> {
  return decryptField(
    await keyOf(db, config, row.card_number_enc),
    row.card_number_enc,
    context('bank_cards', 'card_number', row.id),
  );
}

async function decryptReservedPhone(db: DB | Tx, config: Config, row: store.CardRow): Promise<string | null> {
  if (row.reserved_phone_enc === null) return null;
  return decryptField(
    await keyOf(db, config, row.reserved_phone_enc),
    row.reserved_phone_enc,
    context('bank_cards', 'reserved_phone', row.id),
  );
}

async function maskedCard(db: DB | Tx, config: Config, row: store.CardRow): Promise<CardMasked> {
  const reservedPhone = await decryptReservedPhone(db, config, row);
  return {
    id: row.id,
    customerId: row.customer_id,
    cardNumberMasked: maskCardNumber(await decryptCard(db, config, row)),
    bankName: row.bank_name,
    reservedPhoneMasked: reservedPhone === null ? null : maskPhone(reservedPhone),
    createdAt: row.created_at,
  };
}

const alreadyRegistered = () =>
  new AppError('customer_already_registered', 'You already have a customer profile.');
const idNumberRegistered = () =>
  new AppError(
    'id_number_registered',
    'This ID number is registered to another account. Contact customer service.',
  );
const cardAlreadyBound = () =>
  new AppError('card_already_bound', 'This card is already bound to your profile.');

type RegistrationLog = Pick<Logger, 'warn' | 'error'>;

/**
 * Outside a transaction (the route's `prepare`): the ID number checked as of the business date,
 * the profile and the number not taken yet, then the identity register asked. Each refusal is a
 * problem and nothing is written; the register is not asked for a registration bound to fail.
 */
export async function prepareRegistration(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  input: { name: string; idNumber: string },
  log: RegistrationLog,
): Promise<RealNameMatch> {
  const asOf = parseLocalDate(await getBusinessDate(db));
  if (asOf === undefined) throw new Error('the business date is not a date');
  checkIdNumber(input.idNumber, asOf);
  if (await store.findCustomerOf(db, scope)) throw alreadyRegistered();
  if (await store.customerIdByIdNumberIndex(db, index(config, 'id-number', input.idNumber)))
    throw idNumberRegistered();
  return verifyRealName(db, config, log, { borrowerId: scope.borrowerId, ...input, fields: 'body' });
}

/**
 * A borrower registers their profile, its name and ID number confirmed by the register
 * (prepareRegistration); the phone is the one they signed in with (OTP-verified).
 */
export async function registerCustomer(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  input: {
    name: string;
    idNumber: string;
    verified: RealNameMatch;
    origin: NonNullable<AuditEvent['origin']>;
  },
): Promise<CustomerMasked> {
  if (await store.findCustomerOf(trx, scope)) throw alreadyRegistered();
  const idNumberBidx = index(config, 'id-number', input.idNumber);
  if (await store.customerIdByIdNumberIndex(trx, idNumberBidx)) throw idNumberRegistered();
  const phone = await borrowerPhone(trx, config, scope.borrowerId);
  const id = randomUUID();
  const key = await createDataKey(trx, cryptoFor(config).kms, 'customers');
  // Concurrent registrations pass the checks above together; the unique constraints decide.
  const row = await orConflict(
    store.insertVerifiedCustomer(trx, {
      id,
      borrower_id: scope.borrowerId,
      name_enc: encryptField(key, input.name, context('customers', 'name', id)),
      id_number_enc: encryptField(key, input.idNumber, context('customers', 'id_number', id)),
      id_number_bidx: idNumberBidx,
      phone_enc: encryptField(key, phone, context('customers', 'phone', id)),
      phone_bidx: index(config, 'phone', phone),
    }),
    {
      customers_borrower_id_key: alreadyRegistered,
      customers_id_number_bidx_key: idNumberRegistered,
    },
  );
  const checkId = randomUUID();
  await recordRealNameCheck(trx, id, { ...input.verified, id: checkId });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'borrower', id: scope.borrowerId },
    action: 'customers.registered',
    subject: { type: 'customer', id },
    origin: input.origin,
    details: { kycLevel: row.kyc_level, realNameCheckId: checkId, adapter: input.verified.adapter },
  });
  return masked({
    id,
    name: input.name,
    idNumber: input.idNumber,
    phone,
    kyc: kycOfRow(row),
    createdAt: row.created_at,
  });
}

/** What the second step found: a match to record, or a profile that was real_name already. */
export type RealNameVerification = { customerId: string; match: RealNameMatch | null };

/**
 * Outside a transaction: a profile still at phone_verified (made before real-name verification
 * existed) has its stored name and ID number checked by the register. Already real_name: nothing
 * to ask.
 */
export async function prepareRealNameVerification(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  customerId: string,
  log: RegistrationLog,
): Promise<RealNameVerification> {
  const row = await store.findCustomerOf(db, scope, customerId);
  if (!row) throw new AppError('not_found', `There is no customer ${customerId}.`);
  if (row.real_name_at !== null) return { customerId: row.id, match: null };
  const plain = await decryptCustomer(db, config, row);
  const match = await verifyRealName(db, config, log, {
    borrowerId: scope.borrowerId,
    name: plain.name,
    idNumber: plain.idNumber,
    fields: 'stored',
  });
  return { customerId: row.id, match };
}

/** In the route's transaction: the profile becomes real_name (card_bound if a card is bound already). */
export async function recordRealNameVerification(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  verification: RealNameVerification,
  origin: NonNullable<AuditEvent['origin']>,
): Promise<CustomerMasked> {
  const own = await store.findCustomerOf(trx, scope, verification.customerId);
  const locked = own && (await store.lockCustomer(trx, own.id));
  if (!locked) throw new AppError('not_found', `There is no customer ${verification.customerId}.`);
  // A concurrent verification may have finished first: it recorded the check, this one adds none.
  if (verification.match === null || locked.real_name_at !== null)
    return masked(await decryptCustomer(trx, config, locked));
  const row = await store.markRealName(trx, locked.id);
  const checkId = randomUUID();
  await recordRealNameCheck(trx, row.id, { ...verification.match, id: checkId });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'borrower', id: scope.borrowerId },
    action: 'customers.real-name-verified',
    subject: { type: 'customer', id: row.id },
    origin,
    details: { kycLevel: row.kyc_level, realNameCheckId: checkId, adapter: verification.match.adapter },
  });
  return masked(await decryptCustomer(trx, config, row));
}

/** The borrower's own profile as a list: empty before they register, else the one they have. */
export async function ownCustomers(db: DB, config: Config, scope: BorrowerScope): Promise<CustomerMasked[]> {
  const row = await store.findCustomerOf(db, scope);
  return row ? [masked(await decryptCustomer(db, config, row))] : [];
}

export async function ownCustomer(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  customerId: string,
): Promise<CustomerMasked> {
  const row = await store.findCustomerOf(db, scope, customerId);
  if (!row) throw new AppError('not_found', `There is no customer ${customerId}.`);
  return masked(await decryptCustomer(db, config, row));
}

export async function bindCard(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  customerId: string,
  input: {
    cardNumber: string;
    bankName: string | undefined;
    reservedPhone?: string | undefined;
    origin: NonNullable<AuditEvent['origin']>;
  },
): Promise<CardMasked> {
  const customer = await store.findCustomerOf(trx, scope, customerId);
  if (!customer) throw new AppError('not_found', `There is no customer ${customerId}.`);
  const cardBidx = index(config, 'card-number', input.cardNumber);
  if (await store.cardOfCustomerByIndex(trx, customer.id, cardBidx)) throw cardAlreadyBound();
  const id = randomUUID();
  const key = await createDataKey(trx, cryptoFor(config).kms, 'bank-cards');
  const row = await orConflict(
    store.insertCard(trx, {
      id,
      customer_id: customer.id,
      card_number_enc: encryptField(key, input.cardNumber, context('bank_cards', 'card_number', id)),
      card_number_bidx: cardBidx,
      bank_name: input.bankName ?? null,
      reserved_phone_enc:
        input.reservedPhone === undefined
          ? null
          : encryptField(key, input.reservedPhone, context('bank_cards', 'reserved_phone', id)),
    }),
    { bank_cards_customer_id_card_number_bidx_key: cardAlreadyBound },
  );
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'borrower', id: scope.borrowerId },
    action: 'customers.card-bound',
    subject: { type: 'bank-card', id },
    origin: input.origin,
    details: { customerId: customer.id },
  });
  return maskedCard(trx, config, row);
}

export async function ownCards(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  customerId: string,
): Promise<CardMasked[]> {
  const customer = await store.findCustomerOf(db, scope, customerId);
  if (!customer) throw new AppError('not_found', `There is no customer ${customerId}.`);
  const rows = await store.cardsOfOwnCustomer(db, scope, customer.id);
  return Promise.all(rows.map((row) => maskedCard(db, config, row)));
}

export async function ownCard(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  customerId: string,
  cardId: string,
): Promise<CardMasked> {
  const row = await store.findOwnCard(db, scope, customerId, cardId);
  if (!row) throw new AppError('not_found', `There is no card ${cardId}.`);
  return maskedCard(db, config, row);
}

/** The id of the borrower's own customer profile, if they registered one (other modules scope by it). */
export async function ownCustomerId(db: DB | Tx, scope: BorrowerScope): Promise<string | undefined> {
  return (await store.findCustomerOf(db, scope))?.id;
}

/** What a payment channel needs to verify a card: the holder's name, ID number and phone, and the number. */
export type CardElements = { name: string; idNumber: string; phone: string; cardNumber: string };

/**
 * The four elements of one of the borrower's own cards, decrypted to be sent to a payment channel
 * for verification (the card's holder asked for it). The disclosure is audited in its own
 * transaction with the read: no elements leave without an audit row naming the channel.
 */
export async function cardElementsForChannel(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  input: { cardId: string; channel: string; origin: NonNullable<AuditEvent['origin']> },
): Promise<{ customerId: string; cardId: string; elements: CardElements }> {
  return db.transaction().execute(async (trx) => {
    const found = await store.findOwnCardById(trx, scope, input.cardId);
    if (!found) throw new AppError('not_found', `There is no card ${input.cardId}.`);
    const holder = await decryptCustomer(trx, config, found.customer);
    const cardNumber = await decryptCard(trx, config, found.card);
    // The bank checks the phone it holds for the card, which need not be the one signed in with.
    const phone = (await decryptReservedPhone(trx, config, found.card)) ?? holder.phone;
    await appendAudit(trx, config.secrets.auditKey, {
      actor: { kind: 'borrower', id: scope.borrowerId },
      action: 'customers.card-elements-sent',
      subject: { type: 'bank-card', id: found.card.id },
      origin: input.origin,
      details: {
        customerId: found.customer.id,
        channel: input.channel,
        fields: ['name', 'idNumber', 'phone', 'cardNumber'],
      },
    });
    return {
      customerId: found.customer.id,
      cardId: found.card.id,
      elements: { name: holder.name, idNumber: holder.idNumber, phone, cardNumber },
    };
  });
}

// Staff views: masked; the unmasked view is a separate permission and always audited.

export async function customerForStaff(
  db: DB,
  config: Config,
  customerId: string,
): Promise<CustomerMasked & { cards: CardMasked[] }> {
  const row = await store.findCustomer(db, customerId);
  if (!row) throw new AppError('not_found', `There is no customer ${customerId}.`);
  const cards = await store.cardsOfCustomer(db, row.id);
  return {
    ...masked(await decryptCustomer(db, config, row)),
    cards: await Promise.all(cards.map((card) => maskedCard(db, config, card))),
  };
}

export async function searchCustomers(
  db: DB,
  config: Config,
  by: { phone?: string | undefined; idNumber?: string | undefined; cardNumber?: string | undefined },
): Promise<CustomerMasked[]> {
  const rows = await store.findCustomersByIndex(db, {
    ...(by.phone === undefined ? {} : { phoneBidx: index(config, 'phone', by.phone) }),
    ...(by.idNumber === undefined ? {} : { idNumberBidx: index(config, 'id-number', by.idNumber) }),
    ...(by.cardNumber === undefined ? {} : { cardNumberBidx: index(config, 'card-number', by.cardNumber) }),
  });
  return Promise.all(rows.map(async (row) => masked(await decryptCustomer(db, config, row))));
}

export async function unmaskCustomer(
  db: DB,
  config: Config,
  input: {
    customerId: string;
    reason: string;
    actor: { kind: string; id: string };
    origin: NonNullable<AuditEvent['origin']>;
  },
): Promise<CustomerUnmasked> {
  return db.transaction().execute(async (trx) => {
    const row = await store.findCustomer(trx, input.customerId);
    if (!row) throw new AppError('not_found', `There is no customer ${input.customerId}.`);
    const plain = await decryptCustomer(trx, config, row);
    const cards = await store.cardsOfCustomer(trx, row.id);
    const unmasked: CustomerUnmasked = {
      id: plain.id,
      name: plain.name,
      idNumber: plain.idNumber,
      phone: plain.phone,
      cards: await Promise.all(
        cards.map(async (card) => ({
          id: card.id,
          cardNumber: await decryptCard(trx, config, card),
          bankName: card.bank_name,
        })),
      ),
    };
    // The audit row commits with the read, or the read is not returned.
    await appendAudit(trx, config.secrets.auditKey, {
      actor: input.actor,
      action: 'customers.unmasked',
      subject: { type: 'customer', id: row.id },
      origin: input.origin,
      details: {
        reason: input.reason,
        fields: ['name', 'idNumber', 'phone', 'cardNumber'],
        cards: cards.length,
      },
    });
    return unmasked;
  });
}

/**
 * The keyed blind indexes of a customer's ID number, phone and cards: what another module matches
 * them by (the risk blacklist uses the same index key and kinds) without decrypting anything.
 */
export async function blindIndexesOf(
  db: DB | Tx,
  customerId: string,
): Promise<{ idNumberIndex: string; phoneIndex: string; cardNumberIndexes: string[] }> {
  const [customer, cards] = await Promise.all([
    store.findCustomer(db, customerId),
    store.cardsOfCustomer(db, customerId),
  ]);
  if (!customer) throw new AppError('not_found', `There is no customer ${customerId}.`);
  return {
    idNumberIndex: customer.id_number_bidx,
    phoneIndex: customer.phone_bidx,
    cardNumberIndexes: cards.map((card) => card.card_number_bidx),
  };
}

/**
 * The borrower as a party to their loan contract: the full name (a contract names its parties),
 * the ID number and phone masked as on every other page.
 */
export async function contractPartyOf(
  db: DB | Tx,
  config: Config,
  customerId: string,
): Promise<{ name: string; idNumberMasked: string; phoneMasked: string }> {
  const row = await store.findCustomer(db, customerId);
  if (!row) throw new AppError('not_found', `There is no customer ${customerId}.`);
  const plain = await decryptCustomer(db, config, row);
  return {
    name: plain.name,
    idNumberMasked: maskIdNumber(plain.idNumber),
    phoneMasked: maskPhone(plain.phone),
  };
}

/**
 * One of the customer's cards as the payee of a cash drawdown: the holder's name and the number,
 * decrypted for the payout order (which stores them encrypted again). Audited in the caller's
 * transaction, so no number leaves without a row naming the loan it pays.
 */
export async function payoutCardOf(
  trx: Tx,
  config: Config,
  input: { customerId: string; cardId: string; sourceRef: string },
): Promise<{ accountName: string; accountNo: string; cardNumberMasked: string }> {
  const customer = await store.findCustomer(trx, input.customerId);
  const card = (await store.cardsOfCustomer(trx, input.customerId)).find((c) => c.id === input.cardId);
  if (!customer || !card) throw new AppError('not_found', `There is no card ${input.cardId}.`);
  const holder = await decryptCustomer(trx, config, customer);
  const cardNumber = await decryptCard(trx, config, card);
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'system', id: 'loans' },
    action: 'customers.card-number-sent',
    subject: { type: 'bank-card', id: card.id },
    details: { customerId: customer.id, sourceRef: input.sourceRef, fields: ['name', 'cardNumber'] },
  });
  return { accountName: holder.name, accountNo: cardNumber, cardNumberMasked: maskCardNumber(cardNumber) };
}
