import { ageOn, type LocalDate, parseLocalDate } from '@fenqi/core';
import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import {
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventConsumer, OutboxEvent } from '../../platform/outbox/event.ts';
import type { DateString } from '../../platform/tables.ts';
import * as store from './store.ts';
import type { KycLevel } from './tables.ts';
import { birthDateOf } from './validation.ts';

// KYC levels (docs/kyc.md): phone_verified (the borrower signed in with an OTP-verified phone) →
// real_name (the identity register confirmed name and ID number) → card_bound (a card agreement
// is active with a payment channel). The database derives the level from when each step was
// reached; payments tells this module about agreements through its events.

export type Kyc = {
  level: KycLevel;
  phoneVerifiedAt: Date;
  realNameAt: Date | null;
  cardBoundAt: Date | null;
};

export function kycOfRow(row: store.CustomerRow): Kyc {
  return {
    level: row.kyc_level,
    phoneVerifiedAt: row.phone_verified_at,
    realNameAt: row.real_name_at,
    cardBoundAt: row.card_bound_at,
  };
}

export type KycStatus = Kyc & {
  customerId: string;
  /** From the resident ID number, YYYY-MM-DD. */
  birthDate: LocalDate;
  /** Whole years on `asOf`, when it was given. */
  age?: number;
};

/**
 * What a credit decision needs to know of a customer's KYC (the risk module calls this). The ID
 * number is decrypted here and only its birth date leaves; nothing is disclosed, so nothing is
 * audited. `asOf` (a business date) adds the age on that date.
 */
export async function kycOf(
  db: DB | Tx,
  config: Config,
  customerId: string,
  asOf?: DateString,
): Promise<KycStatus> {
  const row = await store.findCustomer(db, customerId);
  if (!row) throw new AppError('not_found', `There is no customer ${customerId}.`);
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(row.id_number_enc));
  const idNumber = decryptField(key, row.id_number_enc, fieldContext('customers', 'id_number', row.id));
  const birthDate = parseLocalDate(birthDateOf(idNumber));
  // Every stored number passed the ID check when it was registered.
  if (birthDate === undefined)
    throw new Error(`customer ${customerId} has an ID number without a birth date`);
  const on = asOf === undefined ? undefined : parseLocalDate(asOf);
  if (asOf !== undefined && on === undefined) throw new Error(`kycOf: asOf ${asOf} is not a date`);
  return {
    customerId: row.id,
    ...kycOfRow(row),
    birthDate,
    ...(on === undefined ? {} : { age: ageOn(birthDate, on) }),
  };
}

// payments.card-bound: { agreementId, channel, customerId, cardId, replacedAgreementId } (a new
// binding of the same card voids its previous agreement); payments.card-unbound: { agreementId,
// channel, customerId, cardId } when the borrower unbinds a card.
const agreementFields = z.object({
  agreementId: z.uuid(),
  channel: z.string(),
  customerId: z.uuid(),
  cardId: z.uuid(),
});
const cardBound = agreementFields.extend({ replacedAgreementId: z.uuid().nullable() });

async function applyCardEvent(trx: Tx, event: OutboxEvent): Promise<void> {
  // The outbox delivers once; the event id makes any second delivery (a republish of the same
  // fact, an at-least-once transport) a no-op all the same.
  if (!(await store.markEventConsumed(trx, event.id, event.type))) return;
  const at = new Date(event.occurredAt);
  const payload = agreementFields.parse(event.data);
  if (!(await store.lockCustomer(trx, payload.customerId)))
    throw new Error(`${event.type} ${event.id} names customer ${payload.customerId}, who does not exist`);
  const agreement = { customerId: payload.customerId, cardId: payload.cardId, channel: payload.channel, at };
  if (event.type === 'payments.card-bound') {
    const bound = cardBound.parse(event.data);
    await store.recordAgreement(trx, { ...agreement, agreementId: bound.agreementId }, 'bound');
    if (bound.replacedAgreementId !== null)
      await store.recordAgreement(trx, { ...agreement, agreementId: bound.replacedAgreementId }, 'void');
  } else {
    await store.recordAgreement(trx, { ...agreement, agreementId: payload.agreementId }, 'void');
  }
  await store.refreshCardBound(trx, payload.customerId, at);
}

export const cardAgreementsConsumer: EventConsumer = {
  name: 'customers.kyc-card-agreements',
  events: ['payments.card-bound', 'payments.card-unbound'],
  handle: (trx, event) => applyCardEvent(trx, event),
};
