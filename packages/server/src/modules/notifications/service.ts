// The notifications module's public service: what collections, bureau, IAM and the consumers call.
//   enqueueNotification — a templated SMS or push, rendered and logged now, deduplicated by key,
//                         deferred past the quiet hours (22:00–08:00 local) unless it is an OTP;
//   notificationByKey   — where a message stands (bureau waits for `delivered`);
//   dispatchDueNotifications — the worker's pass: send what is due through the provider;
//   recordDeliveryReceipt — a provider's later receipt for a message it accepted (`sent`).
// On delivery notifications.delivered { notificationId, dedupeKey, template, customerId } is
// published in the transaction that marks the message delivered.

export { type DispatchCounts, dispatchDueNotifications, recordDeliveryReceipt } from './dispatch.ts';
export {
  type CustomerMessageInput,
  type Enqueued,
  type EnqueueInput,
  enqueueBatchMax,
  enqueueNotification,
  enqueueNotifications,
  type NotificationStatus,
  type NotificationTemplate,
  notificationByKey,
} from './messages.ts';
export {
  failSimulatedDeliveriesTo,
  type NotificationProvider,
  notificationProviderFor,
  type OutgoingMessage,
  type ProviderResult,
} from './providers.ts';
export { renderTemplate, TemplateVariablesError } from './templates.ts';
