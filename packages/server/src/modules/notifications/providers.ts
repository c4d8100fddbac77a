import { randomUUID } from 'node:crypto';
import type { Config } from '../../platform/config.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import { maskPhone } from '../../platform/crypto/masking.ts';
import type { DB } from '../../platform/db.ts';
import type { Logger } from '../../platform/logger.ts';
import type { NotificationChannel, NotificationsDb, NotificationTemplate } from './tables.ts';

// Where messages go out. A real SMS or push provider (阿里云短信, 腾讯云短信, 个推, …) is another
// implementation of NotificationProvider, chosen by NOTIFICATIONS_PROVIDER. Providers are given
// Fenqi's message id and should treat it as their client reference: a message sent again after a
// crash between the provider's answer and Fenqi's commit is then the same message.

export type OutgoingMessage = {
  id: string;
  channel: NotificationChannel;
  template: NotificationTemplate;
  customerId: string | null;
  /** The recipient's own phone (sms); null for a push, addressed by customer. */
  phone: string | null;
  text: string;
  /** The text with secrets (an OTP's code) hidden: what may be logged or kept. */
  logText: string;
};

export type ProviderResult = {
  providerMessageId: string;
  /** `sent`: accepted, delivery receipt to come; `delivered`: the handset has it; `failed`: refused. */
  status: 'sent' | 'delivered' | 'failed';
  error?: string;
};

export interface NotificationProvider {
  readonly name: string;
  /** Throws on a transport error (try again later); a refusal is `failed` with its reason. */
  send(message: OutgoingMessage): Promise<ProviderResult>;
}

export const developmentNotificationMessage = 'development notification adapter: message (not sent)';

/**
 * The development adapter, as modules/iam/sms.ts does for login codes: the message goes to the
 * log with the number masked, and nothing is sent. It cannot know of a delivery: `sent`.
 */
export function logProvider(logger: Pick<Logger, 'warn'>): NotificationProvider {
  return {
    name: 'log',
    async send(message) {
      logger.warn(
        {
          notification: message.template,
          channel: message.channel,
          to: message.phone === null ? `customer:${message.customerId}` : maskPhone(message.phone),
          text: message.logText,
          notificationId: message.id,
        },
        developmentNotificationMessage,
      );
      return { providerMessageId: `log-${message.id}`, status: 'sent' };
    },
  };
}

/**
 * A provider that delivers at once and records each delivery in its own table
 * (notification_simulated_deliveries); a number listed in notification_simulated_failures is
 * refused with that error. A message id it has seen gets its first answer again.
 */
export function simulatedProvider(db: DB, config: Config): NotificationProvider {
  const sim: NotificationsDb = db;
  return {
    name: 'simulated',
    async send(message) {
      const seen = await sim
        .selectFrom('notification_simulated_deliveries')
        .selectAll()
        .where('notification_id', '=', message.id)
        .executeTakeFirst();
      if (seen)
        return {
          providerMessageId: seen.provider_message_id,
          status: seen.status,
          ...(seen.error === null ? {} : { error: seen.error }),
        };
      const refusal =
        message.phone === null
          ? undefined
          : await sim
              .selectFrom('notification_simulated_failures')
              .select('error')
              .where('phone_bidx', '=', blindIndex(config.secrets.blindIndexKey, 'phone', message.phone))
              .executeTakeFirst();
      const providerMessageId = `sim-${randomUUID()}`;
      const stored = await sim
        .insertInto('notification_simulated_deliveries')
        .values({
          provider_message_id: providerMessageId,
          notification_id: message.id,
          channel: message.channel,
          phone_masked: message.phone === null ? null : maskPhone(message.phone),
          body: message.logText,
          status: refusal ? 'failed' : 'delivered',
          error: refusal?.error ?? null,
        })
        .onConflict((oc) => oc.column('notification_id').doNothing())
        .returningAll()
        .executeTakeFirst();
      const row =
        stored ??
        (await sim
          .selectFrom('notification_simulated_deliveries')
          .selectAll()
          .where('notification_id', '=', message.id)
          .executeTakeFirstOrThrow());
      return {
        providerMessageId: row.provider_message_id,
        status: row.status,
        ...(row.error === null ? {} : { error: row.error }),
      };
    },
  };
}

/** Development and tests: the simulated provider refuses messages to `phone` with `error`. */
export async function failSimulatedDeliveriesTo(
  db: DB,
  config: Config,
  phone: string,
  error: string,
): Promise<void> {
  const sim: NotificationsDb = db;
  const phoneBidx = blindIndex(config.secrets.blindIndexKey, 'phone', phone);
  await sim
    .insertInto('notification_simulated_failures')
    .values({ phone_bidx: phoneBidx, error })
    .onConflict((oc) => oc.column('phone_bidx').doUpdateSet({ error }))
    .execute();
}

/** The provider NOTIFICATIONS_PROVIDER names; undefined when disabled (messages wait, queued). */
export function notificationProviderFor(services: {
  config: Config;
  db: DB;
  logger: Pick<Logger, 'warn'>;
}): NotificationProvider | undefined {
  switch (services.config.notificationsProvider) {
    case 'simulated':
      return simulatedProvider(services.db, services.config);
    case 'log':
      return logProvider(services.logger);
    default:
      return undefined;
  }
}
