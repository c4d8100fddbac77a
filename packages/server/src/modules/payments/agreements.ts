import { randomUUID } from 'node:crypto';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { cardElementsForChannel, ownCustomerId, requireConsents } from '../customers/service.ts';
import type { BorrowerScope } from '../iam/service.ts';
import type { BindApplyAnswer, BindConfirmAnswer } from './channel.ts';
import { channelFor } from './channels/registry.ts';
import { newOrderNo } from './order-numbers.ts';
import * as store from './store.ts';
import type { BindingElement, PaymentsDb } from './tables.ts';

// Card binding (协议支付签约): the borrower's card is verified with the channel by its four
// elements and an SMS code, and the channel gives a durable agreement number that collections debit
// against. The channel calls happen outside any transaction (the routes' `prepare`); the database
// records what the channel answered. A refusal names the wrong element and records nothing.

export type CardBinding = {
  id: string;
  channel: string;
  customerId: string;
  cardId: string;
  status: 'sms_sent' | 'bound' | 'rejected';
  agreementId: string | null;
  createdAt: Date;
};

export type CardAgreement = {
  id: string;
  channel: string;
  customerId: string;
  cardId: string;
  status: 'active' | 'void';
  createdAt: Date;
  voidedAt: Date | null;
};

function toBinding(row: store.BindingRow): CardBinding {
  return {
    id: row.id,
    channel: row.channel,
    customerId: row.customer_id,
    cardId: row.card_id,
    status: row.status,
    agreementId: row.agreement_id,
    createdAt: row.created_at,
  };
}

export function toAgreement(row: store.AgreementRow): CardAgreement {
  return {
    id: row.id,
    channel: row.channel,
    customerId: row.customer_id,
    cardId: row.card_id,
    status: row.status,
    createdAt: row.created_at,
    voidedAt: row.voided_at,
  };
}

const agreementContext = (id: string) => fieldContext('payment_card_agreements', 'agreement_no', id);

/** The channel's agreement number, decrypted for a collection request. */
export async function agreementNumber(db: DB | Tx, config: Config, agreementId: string): Promise<string> {
  const row = await store.findAgreement(db as PaymentsDb, agreementId);
  if (!row) throw new Error(`there is no card agreement ${agreementId}`);
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(row.agreement_no_enc));
  return decryptField(key, row.agreement_no_enc, agreementContext(row.id));
}

function refused(answer: { code: string; message: string; element: BindingElement | null }): AppError {
  return new AppError(
    'card_binding_rejected',
    `The channel refused the card: ${answer.message} (${answer.code}).`,
    {
      errors: [
        {
          path: answer.element ?? 'card',
          message: answer.message,
          code: answer.code,
          in: 'body',
        },
      ],
      extensions: { channelCode: answer.code, element: answer.element },
    },
  );
}

async function reach<T>(channel: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AppError(
      'payment_channel_unavailable',
      `The payment channel ${channel} did not answer; retry.`,
      {
        cause: error,
      },
    );
  }
}

export type BindingApplication = {
  bindingId: string;
  orderNo: string;
  channel: string;
  customerId: string;
  cardId: string;
  answer: BindApplyAnswer;
  /** Demo only (DEMO_SHOW_CODES): the SMS code the channel sent, when its adapter can tell it. */
  demoSmsCode?: string;
};

/**
 * Outside a transaction: reads the card's elements (audited) and asks the channel to verify them;
 * the channel sends the holder an SMS code.
 */
export async function applyForBinding(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  input: { cardId: string; channel: string; origin: Origin },
): Promise<BindingApplication> {
  const { channel } = channelFor(config, input.channel);
  // Collections will debit the card under this agreement: the borrower's debit authorisation (代扣
  // 授权) must be current before anything of the card is sent (nor its disclosure audited).
  const customerId = await ownCustomerId(db, scope);
  if (customerId !== undefined)
    await requireConsents(db, customerId, ['card_debit_authorization'], await getBusinessDate(db));
  const card = await cardElementsForChannel(db, config, scope, {
    cardId: input.cardId,
    channel: input.channel,
    origin: input.origin,
  });
  const orderNo = newOrderNo(await getBusinessDate(db));
  const answer = await reach(input.channel, () => channel.verifyCard.apply({ orderNo, ...card.elements }));
  const application = {
    bindingId: randomUUID(),
    orderNo,
    channel: input.channel,
    customerId: card.customerId,
    cardId: card.cardId,
    answer,
  };
  const { demoSmsCode } = channel;
  if (!config.demoShowCodes || demoSmsCode === undefined || answer.status !== 'sms_sent') return application;
  return { ...application, demoSmsCode: await reach(input.channel, () => demoSmsCode(orderNo)) };
}

/** In the route's transaction: records the application the channel accepted, or refuses. */
export async function recordBindingApplication(
  trx: Tx,
  application: BindingApplication,
): Promise<CardBinding> {
  if (application.answer.status === 'rejected') throw refused(application.answer);
  const row = await store.insertBinding(trx, {
    id: application.bindingId,
    order_no: application.orderNo,
    channel: application.channel,
    customer_id: application.customerId,
    card_id: application.cardId,
    status: 'sms_sent',
  });
  return toBinding(row);
}

/** The borrower's customer id: bindings and agreements are theirs through it. */
async function customerOf(db: DB | Tx, scope: BorrowerScope): Promise<string> {
  const customerId = await ownCustomerId(db, scope);
  if (customerId === undefined) throw new AppError('not_found', 'Register your customer profile first.');
  return customerId;
}

/** The borrower's own binding, or 404 (another borrower's id looks like no binding at all). */
async function ownBinding(
  db: DB | Tx,
  scope: BorrowerScope,
  bindingId: string,
  lock: boolean,
): Promise<store.BindingRow> {
  const row = await store.bindingOfCustomer(db as PaymentsDb, await customerOf(db, scope), bindingId, lock);
  if (!row) throw new AppError('not_found', `There is no card binding ${bindingId}.`);
  return row;
}

export type BindingConfirmation = { bindingId: string; answer: BindConfirmAnswer };

/** Outside a transaction: sends the SMS code to the channel. */
export async function confirmWithChannel(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  input: { bindingId: string; smsCode: string },
): Promise<BindingConfirmation> {
  const binding = await ownBinding(db, scope, input.bindingId, false);
  if (binding.status !== 'sms_sent')
    throw new AppError('card_binding_not_pending', `The binding is ${binding.status}; start a new one.`);
  const { channel } = channelFor(config, binding.channel);
  const answer = await reach(binding.channel, () =>
    channel.verifyCard.confirm({ orderNo: binding.order_no, smsCode: input.smsCode }),
  );
  return { bindingId: binding.id, answer };
}

/**
 * In the route's transaction: stores the agreement (encrypted), voids the card's previous one on
 * the channel (the channel voided it when it bound again), and publishes payments.card-bound.
 */
export async function recordBindingConfirmation(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  confirmation: BindingConfirmation,
): Promise<{ binding: CardBinding; agreement: CardAgreement }> {
  if (confirmation.answer.status === 'rejected') throw refused(confirmation.answer);
  const binding = await ownBinding(trx, scope, confirmation.bindingId, true);
  if (binding.status !== 'sms_sent')
    throw new AppError('card_binding_not_pending', `The binding is ${binding.status}; start a new one.`);
  const previous = await store.voidActiveAgreement(trx, binding.channel, binding.card_id);
  const id = randomUUID();
  const key = await createDataKey(trx, cryptoFor(config).kms, 'payment-agreement');
  const agreement = await store.insertAgreement(trx, {
    id,
    channel: binding.channel,
    customer_id: binding.customer_id,
    card_id: binding.card_id,
    agreement_no_enc: encryptField(key, confirmation.answer.agreementNo, agreementContext(id)),
    status: 'active',
  });
  const bound = await store.updateBinding(trx, binding.id, {
    status: 'bound',
    agreement_id: id,
    finished_at: new Date(),
  });
  await publishEvent(trx, {
    type: 'payments.card-bound',
    subject: { type: 'card-agreement', id },
    payload: {
      agreementId: id,
      channel: binding.channel,
      customerId: binding.customer_id,
      cardId: binding.card_id,
      replacedAgreementId: previous?.id ?? null,
    },
  });
  return { binding: toBinding(bound), agreement: toAgreement(agreement) };
}

/** Outside a transaction: tells the channel the agreement ends. */
export async function unbindWithChannel(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  agreementId: string,
): Promise<{ agreementId: string }> {
  const row = await store.agreementOfCustomer(db as PaymentsDb, await customerOf(db, scope), agreementId);
  if (!row) throw new AppError('not_found', `There is no card agreement ${agreementId}.`);
  if (row.status === 'active') {
    const { channel } = channelFor(config, row.channel);
    const agreementNo = await agreementNumber(db, config, row.id);
    await reach(row.channel, () => channel.unbind(agreementNo));
  }
  return { agreementId };
}

export async function recordUnbinding(
  trx: Tx,
  scope: BorrowerScope,
  agreementId: string,
): Promise<CardAgreement> {
  const own = await store.agreementOfCustomer(trx as PaymentsDb, await customerOf(trx, scope), agreementId);
  const row = own && (await store.lockAgreement(trx, own.id));
  if (!row) throw new AppError('not_found', `There is no card agreement ${agreementId}.`);
  if (row.status === 'void') return toAgreement(row);
  const voided = await store.voidActiveAgreement(trx, row.channel, row.card_id);
  if (voided)
    await publishEvent(trx, {
      type: 'payments.card-unbound',
      subject: { type: 'card-agreement', id: voided.id },
      payload: {
        agreementId: voided.id,
        channel: voided.channel,
        customerId: voided.customer_id,
        cardId: voided.card_id,
      },
    });
  return toAgreement(voided ?? row);
}

export async function ownAgreements(db: DB, scope: BorrowerScope): Promise<CardAgreement[]> {
  const customerId = await ownCustomerId(db, scope);
  if (customerId === undefined) return [];
  return (await store.agreementsOfCustomer(db as PaymentsDb, customerId)).map(toAgreement);
}

/** A customer's active card agreements, newest first: what servicing collects an installment with. */
export async function activeAgreementsOf(db: DB | Tx, customerId: string): Promise<CardAgreement[]> {
  const rows = await store.agreementsOfCustomer(db as PaymentsDb, customerId);
  return rows.filter((row) => row.status === 'active').map(toAgreement);
}
