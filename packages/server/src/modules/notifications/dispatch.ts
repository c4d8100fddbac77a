import { createHash } from 'node:crypto';
import { inQuietHours, quietHoursRelease } from '@fenqi/core';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import { maskPhone } from '../../platform/crypto/masking.ts';
import type { Tx } from '../../platform/db.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import type { Services } from '../../platform/services.ts';
import { notificationPhoneOf } from '../customers/notification-phone.ts';
import { type NotificationProvider, notificationProviderFor, type ProviderResult } from './providers.ts';
import * as store from './store.ts';
import type { NotificationStatus, NotificationsTx } from './tables.ts';

// Sending what is due: one message per transaction, claimed with FOR UPDATE SKIP LOCKED so any
// number of workers share the queue, sent while its row is locked, its outcome recorded and — on
// delivery — notifications.delivered published in that same transaction. A message that falls
// due inside the quiet hours (a backlog past 22:00) is deferred again, never sent at night. A
// provider that cannot be reached is tried again later, up to attemptsMax times.

export const attemptsMax = 5;
/** After the n-th failed attempt, wait this long (1 min, 5 min, 15 min, 1 h). */
const retryDelaysMs = [60_000, 300_000, 900_000, 3_600_000];
export const dispatchLimitDefault = 100;

export type DispatchCounts = { sent: number; delivered: number; deferred: number; failed: number };

const deliveredEventId = (id: string) => {
  const hex = createHash('md5').update(`notifications.delivered:${id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

const clip = (text: string) => (text.length > 500 ? `${text.slice(0, 497)}...` : text);

async function publishDelivered(trx: Tx, row: store.NotificationRow): Promise<void> {
  await publishEvent(trx, {
    type: 'notifications.delivered',
    subject: { type: 'notification', id: row.id },
    eventId: deliveredEventId(row.id),
    payload: {
      notificationId: row.id,
      dedupeKey: row.dedupe_key,
      template: row.template,
      customerId: row.customer_id,
    },
  });
}

async function transition(
  trx: Tx,
  row: store.NotificationRow,
  to: NotificationStatus,
  at: Date,
  change: Parameters<typeof store.updateNotification>[2],
  detail?: string,
): Promise<store.NotificationRow> {
  const t: NotificationsTx = trx;
  const updated = await store.updateNotification(t, row.id, { ...change, status: to });
  if (row.status !== to)
    await store.recordTransition(t, { id: row.id, from: row.status, to, at, detail: detail ?? null });
  if (to === 'delivered' && row.status !== 'delivered') await publishDelivered(trx, updated);
  return updated;
}

type Outcome = 'sent' | 'delivered' | 'deferred' | 'failed' | 'retry';

/** One due message: claimed, sent, recorded. Undefined when nothing is due. */
async function dispatchOne(
  services: Services,
  provider: NotificationProvider,
  now: Date,
): Promise<Outcome | undefined> {
  return services.db.transaction().execute(async (trx) => {
    const t: NotificationsTx = trx;
    const row = await store.claimDue(t, now);
    if (row === undefined) return undefined;
    if (row.template !== 'otp' && inQuietHours(now, row.time_zone)) {
      await transition(
        trx,
        row,
        'deferred',
        now,
        { not_before: quietHoursRelease(now, row.time_zone) },
        `quiet hours in ${row.time_zone}`,
      );
      return 'deferred';
    }
    const kms = cryptoFor(services.config).kms;
    let phone: string | null = null;
    let current = row;
    if (row.channel === 'sms') {
      if (row.phone_enc !== null) {
        const key = await loadDataKey(trx, kms, dataKeyIdOf(row.phone_enc));
        phone = decryptField(key, row.phone_enc, fieldContext('notifications', 'phone', row.id));
      } else if (row.customer_id !== null) {
        const own = await notificationPhoneOf(trx, services.config, row.customer_id);
        if (own === undefined) {
          await transition(trx, row, 'failed', now, {
            error: `customer ${row.customer_id} has no phone on file`,
          });
          return 'failed';
        }
        phone = own.phone;
        const key = await createDataKey(trx, kms, 'notifications');
        current = await store.updateNotification(t, row.id, {
          phone_enc: encryptField(key, phone, fieldContext('notifications', 'phone', row.id)),
          phone_masked: maskPhone(phone),
          phone_bidx: own.phoneIndex,
        });
      }
    }
    let text = row.body;
    if (row.body_enc !== null) {
      const key = await loadDataKey(trx, kms, dataKeyIdOf(row.body_enc));
      text = decryptField(key, row.body_enc, fieldContext('notifications', 'body', row.id));
    }
    const attempts = row.attempts + 1;
    let result: ProviderResult;
    try {
      result = await provider.send({
        id: row.id,
        channel: row.channel,
        template: row.template,
        customerId: row.customer_id,
        phone,
        text,
        logText: row.body,
      });
    } catch (error) {
      const reason = clip(`${provider.name}: ${error instanceof Error ? error.message : String(error)}`);
      if (attempts >= attemptsMax) {
        await transition(trx, current, 'failed', now, { attempts, provider: provider.name, error: reason });
        return 'failed';
      }
      const delay = retryDelaysMs[Math.min(attempts, retryDelaysMs.length) - 1] ?? 3_600_000;
      await store.updateNotification(t, row.id, {
        attempts,
        error: reason,
        not_before: new Date(now.getTime() + delay),
      });
      services.logger.warn(
        { notificationId: row.id, attempts, err: error },
        'notification send failed; will retry',
      );
      return 'retry';
    }
    const base = {
      attempts,
      provider: provider.name,
      provider_message_id: result.providerMessageId.slice(0, 128),
    };
    if (result.status === 'failed') {
      await transition(trx, current, 'failed', now, {
        ...base,
        error: clip(result.error ?? `${provider.name} refused the message`),
      });
      return 'failed';
    }
    if (result.status === 'delivered') {
      await transition(
        trx,
        current,
        'delivered',
        now,
        { ...base, error: null, sent_at: now, delivered_at: now },
        provider.name,
      );
      return 'delivered';
    }
    await transition(trx, current, 'sent', now, { ...base, error: null, sent_at: now }, provider.name);
    return 'sent';
  });
}

/**
 * Sends up to `limit` messages due at `now` through the configured provider. Counts: `sent` —
 * accepted by the provider (delivered ones included), `delivered` — of those, delivered;
 * `deferred` — pushed to the end of the quiet hours; `failed` — refused, or out of attempts.
 * With NOTIFICATIONS_PROVIDER=disabled nothing is sent and messages wait.
 */
export async function dispatchDueNotifications(
  services: Services,
  now: Date,
  limit: number = dispatchLimitDefault,
  provider: NotificationProvider | undefined = notificationProviderFor(services),
): Promise<DispatchCounts> {
  const counts: DispatchCounts = { sent: 0, delivered: 0, deferred: 0, failed: 0 };
  if (provider === undefined) return counts;
  for (let i = 0; i < limit; i++) {
    const outcome = await dispatchOne(services, provider, now);
    if (outcome === undefined) break;
    if (outcome === 'sent' || outcome === 'delivered') counts.sent++;
    if (outcome === 'delivered') counts.delivered++;
    if (outcome === 'deferred') counts.deferred++;
    if (outcome === 'failed') counts.failed++;
  }
  return counts;
}

/**
 * A provider's delivery receipt (状态报告) for a message it accepted: delivered or failed. A
 * receipt for a message already settled, or one Fenqi never sent, changes nothing.
 */
export async function recordDeliveryReceipt(
  trx: Tx,
  receipt: {
    provider: string;
    providerMessageId: string;
    status: 'delivered' | 'failed';
    error?: string;
    at: Date;
  },
): Promise<{ id: string; status: NotificationStatus } | undefined> {
  const row = await store.lockByProviderMessage(trx, receipt.provider, receipt.providerMessageId);
  if (row === undefined) return undefined;
  if (row.status !== 'sent') return { id: row.id, status: row.status };
  const updated =
    receipt.status === 'delivered'
      ? await transition(trx, row, 'delivered', receipt.at, { delivered_at: receipt.at }, 'delivery receipt')
      : await transition(
          trx,
          row,
          'failed',
          receipt.at,
          { error: clip(receipt.error ?? 'delivery failed') },
          'delivery receipt',
        );
  return { id: updated.id, status: updated.status };
}
