import { randomUUID } from 'node:crypto';
import { inQuietHours, isKnownTimeZone, quietHoursRelease } from '@fenqi/core';
import type { Config } from '../../platform/config.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import { createDataKey, cryptoFor, encryptField, fieldContext } from '../../platform/crypto/envelope.ts';
import { maskPhone } from '../../platform/crypto/masking.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { phonePattern } from '../iam/borrowers.ts';
import * as store from './store.ts';
import {
  type NotificationChannel,
  type NotificationLocale,
  type NotificationStatus,
  type NotificationsTx,
  type NotificationTemplate,
  notificationChannels,
  notificationLocales,
  notificationTemplates,
} from './tables.ts';
import { renderTemplate, TemplateVariablesError } from './templates.ts';

// Enqueueing a message: rendered now (a missing variable fails the caller's transaction, not a
// send at night), stored with its status and the instant it may go out. Quiet hours (22:00–08:00
// in the recipient's zone) defer every template but `otp` to the next 08:00.

export type { NotificationStatus, NotificationTemplate } from './tables.ts';

/** Where the recipient is, unless the message says otherwise (variables.timeZone). */
export const recipientTimeZoneDefault = 'Asia/Shanghai';

export type EnqueueInput = {
  /** Unique; a repeat returns the first message, created: false. */
  dedupeKey: string;
  template: NotificationTemplate;
  /** The recipient; their own phone is looked up when the message is sent. */
  customerId: string | null;
  /** An explicit number: only for `otp` (a borrower who has no customer profile yet). */
  phone?: string;
  channel?: NotificationChannel;
  locale?: NotificationLocale;
  /** The template's variables (all strings; amounts in fen), plus `timeZone` for quiet hours. */
  variables: Record<string, string>;
  /** Wall clock: quiet hours are decided by it. */
  now: Date;
  /**
   * Needed only to encrypt what is stored at enqueue: an explicit phone, an OTP's text. Every
   * other message is encrypted at dispatch, with the dispatcher's configuration.
   */
  config?: Config;
};

export type Enqueued = { id: string; status: NotificationStatus; created: boolean };

const programmingError = (message: string) => new TemplateVariablesError('enqueueNotification', [message]);

export async function enqueueNotification(trx: Tx, input: EnqueueInput): Promise<Enqueued> {
  const t: NotificationsTx = trx;
  const channel = input.channel ?? 'sms';
  const locale = input.locale ?? 'zh-CN';
  if (!(notificationTemplates as readonly string[]).includes(input.template))
    throw programmingError(`there is no template ${String(input.template)}`);
  if (!(notificationChannels as readonly string[]).includes(channel))
    throw programmingError(`there is no channel ${String(channel)}`);
  if (!(notificationLocales as readonly string[]).includes(locale))
    throw programmingError(`there is no locale ${String(locale)}`);
  if (input.dedupeKey.length < 1 || input.dedupeKey.length > 200)
    throw programmingError('dedupeKey must be 1 to 200 characters');
  // Debts are told to the borrower alone: anything but a one-time code goes to the customer's own
  // phone as the customers module holds it, never to a number a caller passes.
  if (input.phone !== undefined && input.template !== 'otp')
    throw programmingError(
      `only otp may be sent to an explicit phone; ${input.template} goes to the customer's own`,
    );
  if (input.phone === undefined && input.customerId === null)
    throw programmingError('a message needs a customerId or (otp) a phone');
  if (input.phone !== undefined && !phonePattern.test(input.phone))
    throw programmingError('phone must be a mainland China mobile number of 11 digits');
  if (channel === 'push' && input.customerId === null) throw programmingError('a push needs a customerId');
  const timeZone = input.variables.timeZone ?? recipientTimeZoneDefault;
  if (!isKnownTimeZone(timeZone)) throw programmingError(`timeZone ${timeZone} is not an IANA time zone`);
  const rendered = renderTemplate(input.template, locale, input.variables);

  const existing = await store.notificationByKey(t, input.dedupeKey);
  if (existing) return { id: existing.id, status: existing.status, created: false };

  const id = randomUUID();
  const secretText = rendered.text !== rendered.logText;
  let encrypted: { phone_enc: string; phone_masked: string; phone_bidx: string } | undefined;
  let bodyEnc: string | null = null;
  if (input.phone !== undefined || secretText) {
    const config = input.config;
    if (config === undefined)
      throw programmingError('an explicit phone or an otp needs config to be encrypted');
    const key = await createDataKey(trx, cryptoFor(config).kms, 'notifications');
    if (input.phone !== undefined)
      encrypted = {
        phone_enc: encryptField(key, input.phone, fieldContext('notifications', 'phone', id)),
        phone_masked: maskPhone(input.phone),
        phone_bidx: blindIndex(config.secrets.blindIndexKey, 'phone', input.phone),
      };
    if (secretText) bodyEnc = encryptField(key, rendered.text, fieldContext('notifications', 'body', id));
  }
  const quiet = input.template !== 'otp' && inQuietHours(input.now, timeZone);
  const status: NotificationStatus = quiet ? 'deferred' : 'queued';
  const row = await store.insertNotification(t, {
    id,
    dedupe_key: input.dedupeKey,
    template: input.template,
    channel,
    customer_id: input.customerId,
    phone_enc: encrypted?.phone_enc ?? null,
    phone_masked: encrypted?.phone_masked ?? null,
    phone_bidx: encrypted?.phone_bidx ?? null,
    locale,
    time_zone: timeZone,
    body: rendered.logText,
    body_enc: bodyEnc,
    status,
    not_before: quiet ? quietHoursRelease(input.now, timeZone) : input.now,
    provider: null,
    provider_message_id: null,
    error: null,
    created_at: input.now,
    sent_at: null,
    delivered_at: null,
  });
  // A concurrent enqueue of the same key committed first: theirs is the message.
  if (row === undefined) {
    const first = await store.notificationByKey(t, input.dedupeKey);
    if (!first) throw new Error(`notification ${input.dedupeKey} vanished`);
    return { id: first.id, status: first.status, created: false };
  }
  await store.recordTransition(t, {
    id,
    from: null,
    to: status,
    at: input.now,
    detail: quiet ? `quiet hours in ${timeZone}` : null,
  });
  if (!quiet) await store.wake(t);
  return { id, status, created: true };
}

export async function notificationByKey(
  db: DB | Tx,
  dedupeKey: string,
): Promise<{ id: string; status: NotificationStatus; deliveredAt: Date | null } | undefined> {
  const row = await store.notificationByKey(db, dedupeKey);
  return row && { id: row.id, status: row.status, deliveredAt: row.delivered_at };
}
