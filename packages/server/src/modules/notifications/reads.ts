import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import * as store from './store.ts';
import type { NotificationStatus, NotificationsDb, NotificationTemplate } from './tables.ts';

// Staff reads of the notification log: masked numbers only (the full number is the customer's,
// in the customers module, behind customers:unmask).

export const notificationsPageMax = 100;

export type NotificationView = {
  id: string;
  dedupeKey: string;
  template: NotificationTemplate;
  channel: 'sms' | 'push';
  customerId: string | null;
  phoneMasked: string | null;
  locale: 'zh-CN' | 'en';
  timeZone: string;
  body: string;
  status: NotificationStatus;
  notBefore: Date;
  attempts: number;
  provider: string | null;
  providerMessageId: string | null;
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
};

function view(row: store.NotificationRow): NotificationView {
  return {
    id: row.id,
    dedupeKey: row.dedupe_key,
    template: row.template,
    channel: row.channel,
    customerId: row.customer_id,
    phoneMasked: row.phone_masked,
    locale: row.locale,
    timeZone: row.time_zone,
    body: row.body,
    status: row.status,
    notBefore: row.not_before,
    attempts: row.attempts,
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    error: row.error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveredAt: row.delivered_at,
  };
}

const notFound = (id: string) => new AppError('not_found', `There is no notification ${id}.`);

export async function listNotifications(
  db: DB,
  query: {
    customerId?: string | undefined;
    template?: NotificationTemplate | undefined;
    status?: NotificationStatus | undefined;
    limit: number;
    before?: string | undefined;
  },
): Promise<{ notifications: NotificationView[]; next: string | null }> {
  const t: NotificationsDb = db;
  let before: { createdAt: Date; id: string } | undefined;
  if (query.before !== undefined) {
    const anchor = await store.notificationById(t, query.before);
    if (!anchor) throw notFound(query.before);
    before = { createdAt: anchor.created_at, id: anchor.id };
  }
  const rows = await store.listNotifications(t, { ...query, before });
  const last = rows.length === query.limit ? rows.at(-1) : undefined;
  return { notifications: rows.map(view), next: last?.id ?? null };
}

export async function notificationForStaff(db: DB, id: string) {
  const t: NotificationsDb = db;
  const row = await store.notificationById(t, id);
  if (!row) throw notFound(id);
  const history = await store.historyOf(t, id);
  return {
    ...view(row),
    history: history.map((h) => ({ from: h.status_from, to: h.status_to, at: h.at, detail: h.detail })),
  };
}
