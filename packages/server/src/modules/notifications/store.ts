import { type Insertable, type Selectable, sql } from 'kysely';
import type {
  NotificationStatus,
  NotificationsDb,
  NotificationsTx,
  NotificationTable,
  NotificationTemplate,
} from './tables.ts';

// The SQL of the notifications module; nothing else touches its tables (tables.ts).

export type NotificationRow = Selectable<NotificationTable>;

/** The channel a new due message NOTIFYs, so the dispatcher loop sends it at once. */
export const notificationsChannel = 'fenqi_notifications';

/** Inserts a message unless its dedupe key exists; undefined when it did. */
export async function insertNotification(
  trx: NotificationsTx,
  row: Insertable<NotificationTable>,
): Promise<NotificationRow | undefined> {
  return trx
    .insertInto('notifications')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function notificationByKey(db: NotificationsDb, dedupeKey: string) {
  return db.selectFrom('notifications').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

export async function notificationById(db: NotificationsDb, id: string) {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function recordTransition(
  trx: NotificationsTx,
  row: {
    id: string;
    from: NotificationStatus | null;
    to: NotificationStatus;
    at: Date;
    detail?: string | null;
  },
): Promise<void> {
  await trx
    .insertInto('notification_status_history')
    .values({
      notification_id: row.id,
      status_from: row.from,
      status_to: row.to,
      at: row.at,
      detail: row.detail === undefined || row.detail === null ? null : row.detail.slice(0, 500),
    })
    .execute();
}

export async function wake(trx: NotificationsTx): Promise<void> {
  await sql`SELECT pg_notify(${notificationsChannel}, '')`.execute(trx);
}

/**
 * The next message due at `now`, locked; messages other workers hold are skipped. One-time codes
 * first: the borrower is waiting for them.
 */
export async function claimDue(trx: NotificationsTx, now: Date): Promise<NotificationRow | undefined> {
  return trx
    .selectFrom('notifications')
    .selectAll()
    .where('status', 'in', ['queued', 'deferred'])
    .where('not_before', '<=', now)
    .orderBy(sql`template = 'otp'`, 'desc')
    .orderBy('not_before')
    .orderBy('id')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function updateNotification(
  trx: NotificationsTx,
  id: string,
  change: Partial<Omit<NotificationTable, 'id' | 'created_at' | 'attempts'>> & { attempts?: number },
): Promise<NotificationRow> {
  return trx
    .updateTable('notifications')
    .set(change)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function lockByProviderMessage(
  trx: NotificationsTx,
  provider: string,
  providerMessageId: string,
) {
  return trx
    .selectFrom('notifications')
    .selectAll()
    .where('provider', '=', provider)
    .where('provider_message_id', '=', providerMessageId)
    .forUpdate()
    .executeTakeFirst();
}

export type ListFilter = {
  customerId?: string | undefined;
  template?: NotificationTemplate | undefined;
  status?: NotificationStatus | undefined;
  /** Keyset: rows strictly older than this (created_at, id). */
  before?: { createdAt: Date; id: string } | undefined;
  limit: number;
};

/** Newest first, keyset-paginated on (created_at, id). */
export async function listNotifications(db: NotificationsDb, filter: ListFilter): Promise<NotificationRow[]> {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.template !== undefined) query = query.where('template', '=', filter.template);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.before !== undefined) {
    const { createdAt, id } = filter.before;
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
      ]),
    );
  }
  return query.execute();
}

export async function historyOf(db: NotificationsDb, id: string) {
  return db
    .selectFrom('notification_status_history')
    .select(['status_from', 'status_to', 'at', 'detail'])
    .where('notification_id', '=', id)
    .orderBy('id')
    .execute();
}
