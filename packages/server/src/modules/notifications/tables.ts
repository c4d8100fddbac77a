import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

// Tables owned by the notifications module (migration 0025_notifications.sql). Encrypted columns
// end in `_enc` (field ciphertexts, platform/crypto/envelope.ts); blind indexes end in `_bidx`.

export const notificationTemplates = [
  'otp',
  'due_soon',
  'due_today',
  'overdue',
  'repayment_received',
  'paid_off',
  'negative_report_notice',
  'contract_signed',
] as const;
export type NotificationTemplate = (typeof notificationTemplates)[number];

export const notificationStatuses = ['queued', 'deferred', 'sent', 'delivered', 'failed'] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

export const notificationChannels = ['sms', 'push'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

export const notificationLocales = ['zh-CN', 'en'] as const;
export type NotificationLocale = (typeof notificationLocales)[number];

export interface NotificationTable {
  id: string;
  dedupe_key: string;
  template: NotificationTemplate;
  channel: NotificationChannel;
  customer_id: string | null;
  /** Filled when the number is known: at enqueue for an explicit number, at dispatch otherwise. */
  phone_enc: string | null;
  phone_masked: string | null;
  phone_bidx: string | null;
  locale: NotificationLocale;
  time_zone: string;
  /** The text as sent; an OTP's code is shown as ****** here (the sent text is in body_enc). */
  body: string;
  body_enc: string | null;
  status: NotificationStatus;
  not_before: Date;
  attempts: Generated<number>;
  provider: string | null;
  provider_message_id: string | null;
  error: string | null;
  created_at: ColumnType<Date, Date, never>;
  sent_at: Date | null;
  delivered_at: Date | null;
}

export interface NotificationStatusHistoryTable {
  id: Generated<bigint>;
  notification_id: string;
  status_from: NotificationStatus | null;
  status_to: NotificationStatus;
  at: Date;
  detail: string | null;
}

export interface NotificationSimulatedDeliveryTable {
  provider_message_id: string;
  notification_id: string;
  channel: NotificationChannel;
  phone_masked: string | null;
  body: string;
  status: 'delivered' | 'failed';
  error: string | null;
  recorded_at: ColumnType<Date, never, never>;
}

/** Numbers the simulated provider refuses (by blind index), with the error it reports. */
export interface NotificationSimulatedFailureTable {
  phone_bidx: string;
  error: string;
}

export interface NotificationsTables {
  notifications: NotificationTable;
  notification_status_history: NotificationStatusHistoryTable;
  notification_simulated_deliveries: NotificationSimulatedDeliveryTable;
  notification_simulated_failures: NotificationSimulatedFailureTable;
}

export type NotificationsDb = Kysely<NotificationsTables> | Transaction<NotificationsTables>;
export type NotificationsTx = Transaction<NotificationsTables>;
