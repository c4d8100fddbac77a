// Close of business's public service (docs/cob.md): what the CLI (`fenqi cob`), the worker and the
// routes call.
//   runs:      startRun (or resume), runPartitions (any number of processes), finishRun (the last
//              step: sweep, advance the date), runProgress, getRun, listRuns.
//   background workOnRun (one pass of the worker's loop).

export { workOnRun } from './background.ts';
export {
  assertDateOpen,
  type CobProgress,
  type CobRun,
  type CobSummary,
  type FinishOutcome,
  finishRun,
  getRun,
  listRuns,
  openPendingAccounts,
  type PartitionsClosed,
  planRun,
  runningRun,
  runPartitions,
  runProgress,
  startRun,
} from './runs.ts';
