import type { JobDefinition } from '../../platform/jobs.ts';
import type { LoopDefinition } from '../../platform/notified-loop.ts';
import type { Services } from '../../platform/services.ts';
import { previousDateIn } from './calendar.ts';
import { configuredChannels } from './channels/registry.ts';
import { queryDue } from './queries.ts';
import { reconcile } from './reconcile.ts';
import * as store from './store.ts';
import { submitDue } from './submission.ts';

// The payments module's background work: the submit and query loops (continuous, woken when an
// order is created), the daily reconciliation of yesterday's statement for every channel, and the
// pruning of callback nonces past their signature window.

export function paymentLoops(services: Services): LoopDefinition[] {
  return [
    {
      name: 'payments-submit',
      channel: store.paymentsChannel,
      pollMs: services.config.payments.pollMs,
      pass: () => submitDue(services),
    },
    {
      name: 'payments-query',
      channel: store.paymentsChannel,
      pollMs: services.config.payments.pollMs,
      pass: () => queryDue(services),
    },
  ];
}

export function paymentJobs(services: Services): JobDefinition[] {
  return [
    {
      name: 'payments-reconcile',
      // 10:17 UTC (18:17 in Asia/Shanghai): channels publish T+1 statements in the morning, local time.
      cron: '17 10 * * *',
      run: async () => {
        const results: Record<string, unknown> = {};
        for (const [code, { channel }] of configuredChannels(services.config)) {
          const date = previousDateIn(channel.statementTimeZone, new Date());
          try {
            const report = await reconcile(services, { channel: code, date });
            results[code] = {
              date,
              rows: report.rows,
              matched: report.matched,
              differences: report.differences,
            };
          } catch (error) {
            services.logger.error(
              { err: error, channel: code, date },
              'reconciliation failed; run fenqi reconcile by hand',
            );
            results[code] = { date, failed: error instanceof Error ? error.message : String(error) };
          }
        }
        return results;
      },
    },
    {
      name: 'payments-prune-nonces',
      cron: '23 * * * *',
      run: async () => ({ deleted: await store.pruneNonces(services.db, new Date(Date.now() - 3_600_000)) }),
    },
  ];
}
