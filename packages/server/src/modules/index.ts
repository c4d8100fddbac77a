import type { JobDefinition } from '../platform/jobs.ts';
import { platformJobs, startJobs } from '../platform/jobs.ts';
import { startNotifiedLoop } from '../platform/notified-loop.ts';
import type { EventConsumer } from '../platform/outbox/event.ts';
import { runOutbox } from '../platform/outbox/run.ts';
import type { Services } from '../platform/services.ts';
import { bureauModule } from './bureau/module.ts';
import { cobModule } from './cob/module.ts';
import { collectionsModule } from './collections/module.ts';
import { creditModule } from './credit/module.ts';
import { customersModule } from './customers/module.ts';
import { eventsModule } from './events/module.ts';
import { fundingModule } from './funding/module.ts';
import { createIam, type Iam } from './iam/module.ts';
import { ledgerModule } from './ledger/module.ts';
import { loansModule } from './loans/module.ts';
import { merchantsModule } from './merchants/module.ts';
import type { ContextModule } from './module.ts';
import { notificationsModule } from './notifications/module.ts';
import { paymentsModule } from './payments/module.ts';
import { productsModule } from './products/module.ts';
import { quotesModule } from './quotes/module.ts';
import { reportsModule } from './reports/module.ts';
import { riskModule } from './risk/module.ts';
import { servicingModule } from './servicing/module.ts';
import { simulationModule } from './simulation/module.ts';
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
  /**
   * Starts everything a worker runs — the jobs, the outbox dispatcher, the modules' loops — and
   * returns them in start order, to be stopped in reverse.
   */
  startBackground(
    services: Services,
    connectionString: string,
  ): Promise<{ name: string; stop: () => Promise<void> }[]>;
};

/** The application, with extra modules (tests add one of their own). */
export function composeApplication(extra: readonly ContextModule[] = []): Application {
  const contexts = [
    systemModule,
    quotesModule,
    customersModule,
    ledgerModule,
    eventsModule,
    paymentsModule,
    creditModule,
    riskModule,
    fundingModule,
    productsModule,
    merchantsModule,
    loansModule,
    servicingModule,
    cobModule,
    notificationsModule,
    collectionsModule,
    bureauModule,
    reportsModule,
    simulationModule,
    ...extra,
  ];
  const iam = createIam(contexts);
  const modules = [
    systemModule,
    quotesModule,
    iam.module,
    customersModule,
    ledgerModule,
    eventsModule,
    paymentsModule,
    creditModule,
    riskModule,
    fundingModule,
    productsModule,
    merchantsModule,
    loansModule,
    servicingModule,
    cobModule,
    notificationsModule,
    collectionsModule,
    bureauModule,
    reportsModule,
    simulationModule,
    ...extra,
  ];
  const consumers = new Map<string, EventConsumer>();
  for (const consumer of modules.flatMap((module) => module.consumers ?? [])) {
    if (consumers.has(consumer.name)) throw new Error(`two event consumers are named ${consumer.name}`);
    consumers.set(consumer.name, consumer);
  }
  const jobs = (services: Services) => [
    ...platformJobs(services),
    ...modules.flatMap((module) => module.jobs?.(services) ?? []),
  ];
  return {
    modules,
    iam,
    consumers,
    jobs,
    async startBackground(services, connectionString) {
      const started: { name: string; stop: () => Promise<void> }[] = [];
      const runner = await startJobs(connectionString, services.logger, jobs(services));
      started.push({ name: 'jobs', stop: () => runner.stop() });
      const outbox = await runOutbox(services, connectionString, consumers);
      started.push({ name: 'outbox', stop: () => outbox.stop() });
      for (const loop of modules.flatMap((module) => module.loops?.(services) ?? [])) {
        const running = await startNotifiedLoop({ ...loop, connectionString, logger: services.logger });
        started.push({ name: loop.name, stop: () => running.stop() });
      }
      return started;
    },
  };
}

export const application = composeApplication();
