// The bureau module's public service (PBOC second-generation credit reporting, docs/bureau.md):
//   runGeneration          the T+1 generation for a date (events of the day before; month end);
//   createSubmission       a file for a date range (valid records only), its digest;
//   importFeedback         the bureau's feedback marks records accepted or rejected;
//   correctRecord          a rejected record built again and resubmitted;
//   purgeExpiredRecords    housekeeping after the 5-year retention of negative information.
export { type GenerationSummary, monthEndRecords, runGeneration } from './generation.ts';
export { noticeDeliveredConsumer, releaseDeliveredNotices } from './notices.ts';
export { listRecords, loanGrid, recordDetail } from './store.ts';
export {
  correctRecord,
  createSubmission,
  customersIdentities,
  type IdentityResolver,
  importFeedback,
  purgeExpiredRecords,
  submissionById,
  submissionXml,
} from './submissions.ts';
