import type { JobDefinition } from '../platform/jobs.ts';
import { platformJobs } from '../platform/jobs.ts';
import type { EventConsumer } from '../platform/outbox/event.ts';
import type { Services } from '../platform/services.ts';
import { customersModule } from './customers/module.ts';
import { eventsModule } from './events/module.ts';
import { createIam, type Iam } from './iam/module.ts';
import { ledgerModule } from './ledger/module.ts';
import type { ContextModule } from './module.ts';
import { quotesModule } from './quotes/module.ts';
import { systemModule } from './system/module.ts';

// The application: every bounded context, in registration order, composed explicitly. IAM is built
// from the others' declarations (permissions, approval actions), so it comes after them here.

export type Application = {
  /** Every module, in route registration order. */
  modules: readonly ContextModule[];
  iam: Iam;
  /** Every recurring job: the platform's and each module's. */
  jobs(services: Services): JobDefinition[];
  /** Every module's event consumers, by name. */
  consumers: ReadonlyMap<string, EventConsumer>;
};

/** The application, with extra modules (tests add one of their own). */
export function composeApplication(extra: readonly ContextModule[] = []): Application {
  const contexts = [systemModule, quotesModule, customersModule, ledgerModule, eventsModule, ...extra];
  const iam = createIam(contexts);
  const modules = [
    systemModule,
    quotesModule,
    iam.module,
    customersModule,
    ledgerModule,
    eventsModule,
    ...extra,
  ];
  const consumers = new Map<string, EventConsumer>();
  for (const consumer of modules.flatMap((module) => module.consumers ?? [])) {
    if (consumers.has(consumer.name)) throw new Error(`two event consumers are named ${consumer.name}`);
    consumers.set(consumer.name, consumer);
  }
  return {
    modules,
    iam,
    consumers,
    jobs: (services) => [
      ...platformJobs(services),
      ...modules.flatMap((module) => module.jobs?.(services) ?? []),
    ],
  };
}

export const application = composeApplication();
