import { randomUUID } from 'node:crypto';
import { inQuietHours, isKnownTimeZone, quietHoursRelease } from '@fenqi/core';
import { sql } from 'kysely';
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

/** The checks every message passes, single or batched: its template, channel, locale, key and zone. */
function checkedBasics(
  input: Pick<EnqueueInput, 'template' | 'channel' | 'locale' | 'dedupeKey' | 'variables'>,
) {
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
  const timeZone = input.variables.timeZone ?? recipientTimeZoneDefault;
  if (!isKnownTimeZone(timeZone)) throw programmingError(`timeZone ${timeZone} is not an IANA time zone`);
  return { channel, locale, timeZone };
}

export async function enqueueNotification(trx: Tx, input: EnqueueInput): Promise<Enqueued> {
  const t: NotificationsTx = trx;
  const { channel, locale, timeZone } = checkedBasics(input);
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

/** A message to a customer's own phone (no explicit number, not an OTP): what a batch may hold. */
export type CustomerMessageInput = Omit<EnqueueInput, 'phone' | 'config' | 'customerId'> & {
  customerId: string;
};

export const enqueueBatchMax = 10_000;

/**
 * Many customer messages in a few statements (the bureau's month end notices tens of thousands of
 * newly overdue borrowers): each rendered and checked as enqueueNotification does, the rows and
 * their first status inserted set-based, a repeated key answering the first message. Answers one
 * result per input, in order.
 */
export async function enqueueNotifications(
  trx: Tx,
  inputs: readonly CustomerMessageInput[],
): Promise<Enqueued[]> {
  if (inputs.length === 0) return [];
  if (inputs.length > enqueueBatchMax) throw programmingError(`at most ${enqueueBatchMax} messages a batch`);
  const rows = inputs.map((input) => {
    if (input.template === 'otp') throw programmingError('an otp is enqueued on its own (it is encrypted)');
    const { channel, locale, timeZone } = checkedBasics(input);
    const rendered = renderTemplate(input.template, locale, input.variables);
    const quiet = inQuietHours(input.now, timeZone);
    return {
      id: randomUUID(),
      dedupe_key: input.dedupeKey,
      template: input.template,
      channel,
      customer_id: input.customerId,
      locale,
      time_zone: timeZone,
      body: rendered.logText,
      status: (quiet ? 'deferred' : 'queued') as NotificationStatus,
      not_before: (quiet ? quietHoursRelease(input.now, timeZone) : input.now).toISOString(),
      created_at: input.now.toISOString(),
      detail: quiet ? `quiet hours in ${timeZone}` : null,
    };
  });
  const inserted = await sql<{ id: string }>`
    WITH x AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
        id uuid, dedupe_key text, template text, channel text, customer_id uuid, locale text, time_zone text,
        body text, status text, not_before timestamptz, created_at timestamptz, detail text)
    ),
    n AS (
      INSERT INTO notifications (id, dedupe_key, template, channel, customer_id, locale, time_zone, body, status,
                                 not_before, created_at)
      SELECT id, dedupe_key, template, channel, customer_id, locale, time_zone, body, status, not_before, created_at
      FROM x
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id
    ),
    h AS (
      INSERT INTO notification_status_history (notification_id, status_from, status_to, at, detail)
      SELECT x.id, NULL, x.status, x.created_at, x.detail FROM x JOIN n ON n.id = x.id
    )
    SELECT id::text FROM n`.execute(trx);
  const created = new Set(inserted.rows.map((row) => row.id));
  const firsts = new Map<string, { id: string; status: NotificationStatus }>();
  const repeated = rows.filter((row) => !created.has(row.id)).map((row) => row.dedupe_key);
  if (repeated.length > 0) {
    const found = await (trx as NotificationsTx)
      .selectFrom('notifications')
      .select(['id', 'dedupe_key', 'status'])
      .where('dedupe_key', 'in', repeated)
      .execute();
    for (const row of found) firsts.set(row.dedupe_key, { id: row.id, status: row.status });
  }
  if (rows.some((row) => created.has(row.id) && row.status === 'queued')) await store.wake(trx);
  return rows.map((row) => {
    if (created.has(row.id)) return { id: row.id, status: row.status, created: true };
    const first = firsts.get(row.dedupe_key);
    if (first === undefined) throw new Error(`notification ${row.dedupe_key} vanished`);
    return { ...first, created: false };
  });
}

export async function notificationByKey(
  db: DB | Tx,
  dedupeKey: string,
): Promise<{ id: string; status: NotificationStatus; deliveredAt: Date | null } | undefined> {
  const row = await store.notificationByKey(db, dedupeKey);
  return row && { id: row.id, status: row.status, deliveredAt: row.delivered_at };
}
