import {
  caseStates,
  contactChannels,
  contactOutcomes,
  delinquencyBuckets,
  formatMinuteOfDay,
  reportedOutcomes,
  strategyActions,
  strategyHandlers,
} from '@fenqi/core';
import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant, isoDate, minorUnits } from '../../platform/http/wire.ts';
import type {
  AgencyRow,
  AttemptRow,
  CaseRow,
  PromiseRow,
  StrategyRow,
  TargetRow,
  WaiverRow,
} from './tables.ts';

// The disclosure boundary of the collections routes. Phones leave only masked.

const code = text().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'must be 1–40 lower-case letters, digits, _ or -');
const hhmm = text().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');
const fen = text().regex(/^\d{1,12}$/, 'must be 0 to 999999999999 fen, as a string of digits');
const note = text().trim().max(500);

export const caseParams = z.strictObject({ caseId: z.uuid() });
export const targetParams = z.strictObject({ targetId: z.uuid() });
export const agencyParams = z.strictObject({ agencyId: z.uuid() });
export const queueParams = z.strictObject({ queue: code });
export const strategyVersionParams = z.strictObject({
  code,
  version: text()
    .regex(/^[1-9]\d{0,5}$/, 'must be a version number')
    .transform(Number),
});

export const caseListQuery = z.strictObject({
  state: z.enum(caseStates).optional(),
  queue: code.optional(),
  agentId: z
    .union([z.uuid(), z.enum(['me'])])
    .optional()
    .describe('An agent’s user id, or `me`: the signed-in user’s own cases'),
  agencyId: z.uuid().optional(),
  bucket: z.enum(delinquencyBuckets).optional(),
  customerId: z.uuid().optional().describe('One customer’s cases (the customer 360 view)'),
  open: z.enum(['true', 'false']).optional().describe('Only open (true) or closed (false) cases'),
  after: z.uuid().optional().describe('The last case id of the previous page'),
  limit: text()
    .regex(/^[1-9]\d{0,2}$/, 'must be 1 to 100')
    .transform(Number)
    .optional()
    .describe('Page size: at most 100 (20 for agency staff); there is no export'),
});

export const assignBody = z
  .strictObject({
    agentId: z.uuid().optional(),
    queue: code.optional(),
    agencyId: z.uuid().optional(),
  })
  .refine((b) => (b.agentId === undefined) !== (b.agencyId === undefined), {
    message: 'name either an agent (agentId, optionally queue) or an agency (agencyId)',
    path: ['agentId'],
  });

export const attemptBody = z.strictObject({
  targetId: z.uuid(),
  channel: z.enum(contactChannels),
  outcome: z.enum(reportedOutcomes).describe('What the attempt came to (sms: sent)'),
  note: note.optional(),
  recordingRef: text().trim().min(1).max(200).optional().describe('The call recording’s reference'),
});

export const promiseBody = z.strictObject({
  promisedDate: isoDate,
  amountMinor: text()
    .regex(/^-?\d{1,40}$/, 'must be a whole number of fen')
    .transform(BigInt),
});

export const targetBody = z.strictObject({
  role: z.enum(['debtor', 'contact_person']),
  relation: text().trim().min(1).max(40).describe('self, spouse, parent, colleague, …'),
  phone: text()
    .trim()
    .regex(/^\+?\d{6,20}$/, 'must be a phone number: 6 to 20 digits, optionally with a leading +'),
});

export const doNotContactBody = z.strictObject({ reason: text().trim().min(1).max(500) });

export const contactWindowBody = z.strictObject({
  from: hhmm.optional(),
  to: hhmm.optional(),
  timeZone: text().trim().min(1).max(64).optional().describe('The debtor’s IANA time zone'),
  note: text().trim().min(1).max(500).describe('How and when the debtor agreed'),
});

export const waiverBody = z.strictObject({
  penaltyMinor: fen,
  feeMinor: fen,
  interestMinor: fen,
  reason: text().trim().min(1).max(500),
});

const stepSchema = z.strictObject({
  dpdFrom: z.number().int(),
  action: z.enum(strategyActions),
  channel: z.enum(contactChannels).optional(),
});
export const strategyDefinitionSchema = z
  .strictObject({
    rules: z
      .array(
        z.strictObject({
          buckets: z.array(z.enum(delinquencyBuckets)),
          products: z.array(text().min(1).max(64)).optional(),
          minOverdueMinor: text().optional(),
          queue: text(),
          handler: z.enum(strategyHandlers),
          steps: z.array(stepSchema).max(20),
        }),
      )
      .max(50),
  })
  .meta({ id: 'CollectionsStrategyDefinition' });

export const strategyBody = z.strictObject({ code, definition: strategyDefinitionSchema });
export const queueBody = z.strictObject({ code, name: text().trim().min(1).max(100) });
export const queueMemberBody = z.strictObject({
  agentId: z.uuid(),
  capacity: z.number().int().min(0).max(100_000),
  active: z.boolean().default(true),
});
export const agencyBody = z.strictObject({
  name: text().trim().min(1).max(100),
  queue: code,
  reviewDate: isoDate.describe('The last due-diligence review; a year later the agency takes no new cases'),
  capacity: z.number().int().min(0).max(1_000_000),
});
export const agencyPatch = z.strictObject({
  name: text().trim().min(1).max(100).optional(),
  status: z.enum(['active', 'suspended']).optional(),
  capacity: z.number().int().min(0).max(1_000_000).optional(),
});
export const agencyReviewBody = z.strictObject({ reviewDate: isoDate });
export const agencyMemberBody = z.strictObject({ staffUserId: z.uuid() });

// ---- views ----

export const caseView = z
  .object({
    id: z.uuid(),
    loanId: z.uuid(),
    loanNo: z.string(),
    customerId: z.uuid(),
    productCode: z.string(),
    bucket: z.string(),
    dpd: z.number().int(),
    overdueMinor: minorUnits,
    state: z.enum(caseStates),
    queue: z.string().nullable(),
    agentId: z.uuid().nullable(),
    agencyId: z.uuid().nullable(),
    strategy: z.object({ code: z.string(), version: z.number().int() }).nullable(),
    timeZone: z.string(),
    contactWindow: z.object({ from: z.string(), to: z.string(), note: z.string().nullable() }).nullable(),
    openedOn: z.string(),
    closedOn: z.string().nullable(),
    closeReason: z.string().nullable(),
  })
  .meta({ id: 'CollectionsCase' });

export const targetView = z
  .object({
    id: z.uuid(),
    role: z.enum(['debtor', 'contact_person']),
    relation: z.string(),
    phoneMasked: z.string(),
    status: z.enum(['valid', 'invalid']),
    doNotContact: z.boolean(),
    doNotContactSince: instant.nullable(),
    source: z.string(),
  })
  .meta({ id: 'CollectionsContactTarget' });

export const attemptView = z
  .object({
    id: z.uuid(),
    caseId: z.uuid(),
    targetId: z.uuid(),
    targetRole: z.enum(['debtor', 'contact_person']),
    channel: z.enum(contactChannels),
    outcome: z.enum(contactOutcomes),
    refusedRule: z.string().nullable(),
    refusedRules: z.array(z.string()).nullable(),
    agentId: z.string(),
    at: instant,
    localDate: z.string(),
    note: z.string().nullable(),
    recordingRef: z.string().nullable(),
  })
  .meta({ id: 'CollectionsContactAttempt' });

export const promiseView = z
  .object({
    id: z.uuid(),
    caseId: z.uuid(),
    promisedDate: z.string(),
    amountMinor: minorUnits,
    paidMinor: minorUnits,
    status: z.enum(['open', 'kept', 'broken', 'cancelled']),
    agentId: z.string(),
    createdOn: z.string(),
    settledOn: z.string().nullable(),
  })
  .meta({ id: 'CollectionsPromise' });

export const waiverView = z
  .object({
    id: z.uuid(),
    caseId: z.uuid(),
    loanId: z.uuid(),
    penaltyMinor: minorUnits,
    feeMinor: minorUnits,
    interestMinor: minorUnits,
    totalMinor: minorUnits,
    tier: z.string(),
    status: z.enum(['requested', 'applied']),
    approvalRequestId: z.uuid(),
    requestedBy: z.string(),
    reason: z.string(),
    transactionId: z.uuid().nullable(),
    approvedBy: z.string().nullable(),
    createdAt: instant,
  })
  .meta({ id: 'CollectionsWaiver' });

export const historyView = z.object({
  fromState: z.string().nullable(),
  toState: z.string(),
  event: z.string(),
  actor: z.string(),
  reason: z.string().nullable(),
  at: instant,
});

export const caseDetailView = z
  .object({
    case: caseView,
    history: z.array(historyView),
    targets: z.array(targetView),
    contacts: z.array(attemptView),
    promises: z.array(promiseView),
    waivers: z.array(waiverView),
  })
  .meta({ id: 'CollectionsCaseDetail' });

export const casePageView = z
  .object({ items: z.array(caseView), next: z.uuid().nullable() })
  .meta({ id: 'CollectionsCasePage' });

export const strategyView = z
  .object({
    code: z.string(),
    version: z.number().int(),
    status: z.enum(['draft', 'published', 'retired']),
    definition: strategyDefinitionSchema,
    createdBy: z.string(),
    createdAt: instant,
    publishedAt: instant.nullable(),
  })
  .meta({ id: 'CollectionsStrategy' });

export const agencyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    queue: z.string(),
    status: z.enum(['active', 'suspended']),
    reviewDate: z.string(),
    reviewLapsed: z.boolean(),
    capacity: z.number().int(),
  })
  .meta({ id: 'CollectionsAgency' });

export const queueView = z.object({ code: z.string(), name: z.string() }).meta({ id: 'CollectionsQueue' });
export const queueMemberView = z
  .object({ queue: z.string(), agentId: z.uuid(), capacity: z.number().int(), active: z.boolean() })
  .meta({ id: 'CollectionsQueueMember' });
export const agencyMemberView = z
  .object({ staffUserId: z.uuid(), agencyId: z.uuid() })
  .meta({ id: 'CollectionsAgencyMember' });

export const waiverRequestView = z
  .object({ waiver: waiverView, approvalRequestId: z.uuid(), approvalAction: z.string() })
  .meta({ id: 'CollectionsWaiverRequest' });

// ---- row → view ----

export const toCase = (r: CaseRow): z.output<typeof caseView> => ({
  id: r.id,
  loanId: r.loan_id,
  loanNo: r.loan_no,
  customerId: r.customer_id,
  productCode: r.product_code,
  bucket: r.bucket,
  dpd: r.dpd,
  overdueMinor: r.overdue_minor,
  state: r.state as z.output<typeof caseView>['state'],
  queue: r.queue_code,
  agentId: r.agent_id,
  agencyId: r.agency_id,
  strategy:
    r.strategy_code === null || r.strategy_version === null
      ? null
      : { code: r.strategy_code, version: r.strategy_version },
  timeZone: r.time_zone,
  contactWindow:
    r.consent_from === null || r.consent_to === null
      ? null
      : {
          from: formatMinuteOfDay(r.consent_from),
          to: formatMinuteOfDay(r.consent_to),
          note: r.consent_note,
        },
  openedOn: r.opened_on,
  closedOn: r.closed_on,
  closeReason: r.close_reason,
});

export const toTarget = (r: TargetRow): z.output<typeof targetView> => ({
  id: r.id,
  role: r.role,
  relation: r.relation,
  phoneMasked: r.phone_masked,
  status: r.status,
  doNotContact: r.do_not_contact,
  doNotContactSince: r.dnc_at,
  source: r.source,
});

export const toAttempt = (r: AttemptRow): z.output<typeof attemptView> => ({
  id: r.id,
  caseId: r.case_id,
  targetId: r.target_id,
  targetRole: r.target_role,
  channel: r.channel,
  outcome: r.outcome,
  refusedRule: r.refused_rule,
  refusedRules: r.refused_rules,
  agentId: r.agent_id,
  at: r.at,
  localDate: r.local_date,
  note: r.note,
  recordingRef: r.recording_ref,
});

export const toPromise = (r: PromiseRow): z.output<typeof promiseView> => ({
  id: r.id,
  caseId: r.case_id,
  promisedDate: r.promised_date,
  amountMinor: r.amount_minor,
  paidMinor: r.paid_minor,
  status: r.status,
  agentId: r.agent_id,
  createdOn: r.created_on,
  settledOn: r.settled_on,
});

export const toWaiver = (r: WaiverRow): z.output<typeof waiverView> => ({
  id: r.id,
  caseId: r.case_id,
  loanId: r.loan_id,
  penaltyMinor: r.penalty_minor,
  feeMinor: r.fee_minor,
  interestMinor: r.interest_minor,
  totalMinor: r.total_minor,
  tier: r.tier,
  status: r.status,
  approvalRequestId: r.approval_request_id,
  requestedBy: r.requested_by,
  reason: r.reason,
  transactionId: r.transaction_id,
  approvedBy: r.approved_by,
  createdAt: r.created_at,
});

export const toStrategy = (r: StrategyRow): z.output<typeof strategyView> => ({
  code: r.code,
  version: r.version,
  status: r.status,
  definition: r.definition as z.output<typeof strategyDefinitionSchema>,
  createdBy: r.created_by,
  createdAt: r.created_at,
  publishedAt: r.published_at,
});

export const toAgency = (r: AgencyRow, lapsed: boolean): z.output<typeof agencyView> => ({
  id: r.id,
  name: r.name,
  queue: r.queue_code,
  status: r.status,
  reviewDate: r.review_date,
  reviewLapsed: lapsed,
  capacity: r.capacity,
});
