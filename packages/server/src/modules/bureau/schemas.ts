import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant, isoDate } from '../../platform/http/wire.ts';

// The disclosure boundary of the bureau routes. Records carry their segments as stored — never the
// borrower's name or ID number; only a submission file (bureau:submit, a second-factor session)
// holds those.

const recordStatus = z.enum([
  'pending',
  'held_for_notice',
  'submitted',
  'accepted',
  'rejected',
  'superseded',
]);
const failure = z
  .object({
    rule: z
      .string()
      .describe('The rule code: R21001xx (the bureau’s segment rules), I00… (format), FQ-… (consistency)'),
    segment: z.string(),
    field: z.string().optional(),
    message: z.object({ 'zh-CN': z.string(), en: z.string() }),
  })
  .meta({ id: 'BureauRuleFailure' });

export const recordListQuery = z.strictObject({
  status: recordStatus.optional(),
  loanId: z.uuid().optional(),
  rptDateCode: z.enum(['10', '20', '30', '32', '40']).optional(),
  infoType: z.enum(['210', '220']).optional(),
  from: isoDate.optional().describe('Report dates from this one'),
  to: isoDate.optional().describe('Report dates to this one'),
  after: z.uuid().optional().describe('`next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const recordSummary = z
  .object({
    id: z.uuid(),
    infoType: z.enum(['210', '220']),
    loanId: z.uuid().nullable(),
    lineId: z.uuid().nullable(),
    customerId: z.uuid(),
    acctCode: z.string(),
    rptDate: z.string(),
    rptDateCode: z.string(),
    rpyStatus: z.string().nullable(),
    negative: z.boolean(),
    status: recordStatus,
    valid: z.boolean().describe('No pre-submit rule fails'),
    submissionId: z.uuid().nullable(),
    createdAt: instant,
  })
  .meta({ id: 'BureauRecordSummary' });

export const recordPage = z
  .object({ records: z.array(recordSummary), next: z.uuid().nullable() })
  .meta({ id: 'BureauRecordPage' });

export const recordParams = z.strictObject({ recordId: z.uuid() });

export const recordDetail = recordSummary
  .extend({
    segments: z
      .record(z.string(), z.unknown())
      .describe('The segments by element name, as the file carries them (without the identity items)'),
    validation: z.array(failure),
    noticeKey: z.string().nullable(),
    noticeDelivery: z.record(z.string(), z.unknown()).nullable(),
    feedbackCode: z.string().nullable(),
    feedbackReason: z.string().nullable(),
    supersedes: z.uuid().nullable(),
    supersededBy: z.uuid().nullable(),
    retainUntil: z.string().nullable(),
    generatedOn: z.string(),
  })
  .meta({ id: 'BureauRecord' });

export const generationBody = z.strictObject({
  date: isoDate.describe('The generation date D (reports D−1): the open business date or an earlier one'),
});

export const generationView = z
  .object({
    businessDate: z.string(),
    reportedDate: z.string(),
    monthEnd: z.boolean(),
    records: z.number().int(),
    held: z.number().int().describe('Held until the negative-information notice is delivered'),
    invalid: z.number().int().describe('Failing a pre-submit rule (kept pending, left out of files)'),
    released: z.number().int().describe('Held records released because their notice was delivered'),
  })
  .meta({ id: 'BureauGeneration' });

export const submissionBody = z
  .strictObject({ from: isoDate, to: isoDate })
  .refine((b) => b.from <= b.to, { message: 'from must not be after to', path: ['to'] });

const excluded = z.object({
  recordId: z.uuid(),
  acctCode: z.string(),
  rptDate: z.string(),
  rptDateCode: z.string(),
  failures: z.array(failure),
});

export const submissionView = z
  .object({
    id: z.uuid(),
    rangeFrom: z.string(),
    rangeTo: z.string(),
    digest: z.string().describe('SHA-256 of the file, hex'),
    bytes: z.number().int(),
    records: z.number().int(),
    excluded: z.array(excluded).describe('Records of the range left out, each with its failing rules'),
    corrects: z.uuid().nullable(),
    createdBy: z.string(),
    createdAt: instant,
  })
  .meta({ id: 'BureauSubmission' });

export const submissionListQuery = z.strictObject({
  from: isoDate.optional().describe('Submissions whose range reaches this report date or later'),
  to: isoDate.optional().describe('Submissions whose range starts on this report date or earlier'),
  corrections: z
    .enum(['true', 'false'])
    .optional()
    .describe('Only corrections (true) or only first submissions (false)'),
  before: z.uuid().optional().describe('`next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const submissionPage = z
  .object({
    submissions: z.array(
      submissionView.omit({ excluded: true }).extend({
        excludedCount: z
          .number()
          .int()
          .describe('Records of the range left out (listed by the submission’s own GET)'),
      }),
    ),
    next: z.uuid().nullable(),
  })
  .meta({ id: 'BureauSubmissionPage' });

export const submissionParams = z.strictObject({ submissionId: z.uuid() });

export const submissionFileView = z
  .object({
    id: z.uuid(),
    contentType: z.literal('application/xml'),
    digest: z.string(),
    bytes: z.number().int(),
    xml: z.string().describe('The file, UTF-8 XML'),
  })
  .meta({ id: 'BureauSubmissionFile' });

export const feedbackBody = z.strictObject({
  content: text().max(10_000_000).describe('The bureau’s XML feedback, or a CSV of recordId,result,reason'),
  submissionId: z.uuid().optional().describe('The submission the feedback answers (required for XML)'),
});

export const feedbackView = z
  .object({
    id: z.uuid(),
    format: z.enum(['xml', 'csv']),
    submissionId: z.uuid().nullable(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    unmatched: z.array(z.unknown()).describe('Lines or items naming no submitted record'),
  })
  .meta({ id: 'BureauFeedbackImport' });

export const correctionBody = z.strictObject({});
export const correctionView = z
  .object({ recordId: z.uuid().describe('The new record'), submission: submissionView })
  .meta({ id: 'BureauCorrection' });

export const gridParams = z.strictObject({ loanId: z.uuid() });
export const gridView = z
  .object({
    loanId: z.uuid(),
    openMonth: z.string(),
    asOfMonth: z.string(),
    grid: z.string().describe('60 characters, oldest month first: / not open, N * 1–7 C G D Z B, # unknown'),
    months: z.array(z.object({ month: z.string(), status: z.string() })).describe('From the opening month'),
  })
  .meta({ id: 'BureauGrid' });
