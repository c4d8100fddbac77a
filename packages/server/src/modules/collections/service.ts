// The collections module's public service (for other modules and the CLI).
//   cases:     openOrUpdateCase, closeCase, breakLapsedPromises (cases.ts); the consumers of
//              servicing's events are in module.ts.
//   contacts:  recordContactAttempt — the conduct rules before every attempt, every attempt logged.
//   reminders: sendDueReminders — the strategies' SMS reminders, through the same rules.
export { breakLapsedPromises, closeCase, openOrUpdateCase } from './cases.ts';
export { recordContactAttempt } from './contacts.ts';
export { type RemindersRun, sendDueReminders } from './reminders.ts';
export { waiverTiers } from './waivers.ts';
