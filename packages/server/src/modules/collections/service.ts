// The collections module's public service (for other modules and the CLI).
//   cases:     openOrUpdateCase, closeCase, breakLapsedPromises (cases.ts); the consumers of
//              servicing's events are in module.ts.
//   contacts:  recordContactAttempt — the conduct rules before every attempt, every attempt logged.
//   reminders: sendDueReminders — the strategies' SMS reminders, through the same rules.

// Management and the agent's work as the routes use them (for the simulation, docs/simulation.md).
export { createQueue, createStrategyVersion, publishStrategy, setQueueMember } from './admin.ts';
export { breakLapsedPromises, closeCase, openOrUpdateCase } from './cases.ts';
export { recordContactAttempt, targetsOfCustomer } from './contacts.ts';
export { createPromise } from './promises.ts';
export { listCases } from './reads.ts';
export { type RemindersRun, sendDueReminders } from './reminders.ts';
export { type CollectionsDay, collectionsDay } from './reports.ts';
export { type CollectionsScope, collectionsScope } from './scope.ts';
export { waiverTiers } from './waivers.ts';
