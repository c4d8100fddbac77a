import type { LoopDefinition } from '../../platform/notified-loop.ts';
import { type Services, wallClock } from '../../platform/services.ts';
import { dispatchDueNotifications } from './dispatch.ts';
import { notificationProviderFor } from './providers.ts';
import { notificationsChannel } from './store.ts';

// What `fenqi worker` does for notifications: a loop woken by every enqueue of a message due now
// (NOTIFY) and at least every 5 seconds (deferred messages at 08:00, retries), sending what is due.

const dispatchPollMs = 5000;

export function notificationLoops(services: Services): LoopDefinition[] {
  const provider = notificationProviderFor(services);
  if (provider === undefined) return [];
  return [
    {
      name: 'notifications-dispatch',
      channel: notificationsChannel,
      pollMs: dispatchPollMs,
      pass: async () => {
        const counts = await dispatchDueNotifications(services, wallClock(services), undefined, provider);
        return counts.sent + counts.deferred + counts.failed;
      },
    },
  ];
}
