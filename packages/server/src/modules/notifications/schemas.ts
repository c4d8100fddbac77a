import { z } from 'zod';
import { instant } from '../../platform/http/wire.ts';
import { notificationsPageMax } from './reads.ts';
import {
  notificationChannels,
  notificationLocales,
  notificationStatuses,
  notificationTemplates,
} from './tables.ts';

// The disclosure boundary of the notification routes: a message as logged, its number masked.

export const notificationParams = z.strictObject({ notificationId: z.uuid() });

export const notificationListQuery = z.strictObject({
  customerId: z.uuid().optional().describe('Only messages to this customer'),
  template: z.enum(notificationTemplates).optional(),
  status: z.enum(notificationStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(notificationsPageMax).default(20),
  before: z.uuid().optional().describe('The last id of the previous page: only older messages'),
});

export const notificationView = z
  .object({
    id: z.uuid(),
    dedupeKey: z.string(),
    template: z.enum(notificationTemplates),
    channel: z.enum(notificationChannels),
    customerId: z.uuid().nullable(),
    phoneMasked: z
      .string()
      .nullable()
      .describe('The number it went to, masked (138****5678); null until sent'),
    locale: z.enum(notificationLocales),
    timeZone: z.string(),
    body: z.string().describe('The text as sent (a one-time code shows as ******)'),
    status: z.enum(notificationStatuses),
    notBefore: instant.describe('Not sent before this instant (the end of the quiet hours, or a retry)'),
    attempts: z.number().int(),
    provider: z.string().nullable(),
    providerMessageId: z.string().nullable(),
    error: z.string().nullable(),
    createdAt: instant,
    sentAt: instant.nullable(),
    deliveredAt: instant.nullable(),
  })
  .meta({ id: 'Notification' });

export const notificationDetail = notificationView
  .extend({
    history: z.array(
      z.object({
        from: z.enum(notificationStatuses).nullable(),
        to: z.enum(notificationStatuses),
        at: instant,
        detail: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'NotificationDetail' });

export const notificationPage = z
  .object({
    notifications: z.array(notificationView),
    next: z.uuid().nullable().describe('Pass as `before` for the next page; null on the last'),
  })
  .meta({ id: 'NotificationPage' });
