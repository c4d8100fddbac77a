import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant, isoDate, minorUnits } from '../../platform/http/wire.ts';
import { reviewReasonCodes } from './reviews.ts';

// The risk routes' request and response shapes. Policy documents are JSON checked by core's
// validatePolicy (docs/risk.md has their JSON Schema); here they are only bounded JSON values.

export const versionParams = z.strictObject({ versionId: z.uuid() });
export const applicationParams = z.strictObject({ applicationId: z.uuid() });
export const decisionParams = z.strictObject({ decisionId: z.uuid() });

// Any JSON whose every string (keys too) PostgreSQL can store: the document goes into jsonb, and
// core's validator decides whether it is a policy.
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const json: z.ZodType<Json> = z.lazy(() => jsonValue);
const jsonValue: z.ZodType<Json> = z
  .union([text(), z.number(), z.boolean(), z.null(), z.array(json), z.record(text(), json)])
  .meta({ id: 'JsonValue' });

export const policyBody = z.strictObject({
  document: z.record(text(), json).describe('A policy document (docs/risk.md)'),
});

export const policyVersion = z
  .object({
    id: z.uuid(),
    policyId: z.string(),
    version: z.number().int(),
    status: z.enum(['draft', 'published', 'retired']),
    role: z.enum(['champion', 'challenger']).nullable(),
    challengerShareBp: z.number().int().nullable(),
    document: z.unknown(),
    createdBy: z.string(),
    createdAt: instant,
    publishedAt: instant.nullable(),
    publishedBy: z.string().nullable(),
    retiredAt: instant.nullable(),
  })
  .meta({ id: 'PolicyVersion' });

export const policyListQuery = z.strictObject({
  policyId: text().max(64).optional(),
  status: z.enum(['draft', 'published', 'retired']).optional(),
  after: z.uuid().optional().describe('The id of the last version of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(500),
});

export const policySchemaView = z
  .object({
    schema: z
      .record(z.string(), z.unknown())
      .describe('The JSON Schema (draft 2020-12) of a policy document'),
    features: z
      .record(
        z.string(),
        z.object({
          type: z.enum(['integer', 'number', 'string', 'boolean', 'date', 'money']),
          nullable: z.boolean().optional(),
          description: z.string().optional(),
        }),
      )
      .describe('The features Fenqi computes: a policy may declare these, with these types, and no other'),
    pricingTerms: z
      .array(z.number().int())
      .describe('The terms (months) a publish request checks by default'),
    aprCap: z.string().describe('The IRR cap (APR_CAP) prices are checked against'),
  })
  .meta({ id: 'PolicySchema' });

export const publishBody = z.strictObject({
  role: z.enum(['champion', 'challenger']),
  challengerShareBp: z.number().int().min(1).max(10_000).optional(),
  terms: z.array(z.number().int().min(1).max(360)).min(1).max(24).optional(),
  reason: text().trim().min(1).max(500),
});
export const retireBody = z.strictObject({ reason: text().trim().min(1).max(500) });

export const applyBody = z.strictObject({
  deviceId: text()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'must be 8 to 128 of A-Z a-z 0-9 _ . : -')
    .describe('The device the borrower applies from (the app’s install id)'),
});

const price = z
  .object({ kind: z.enum(['annual_rate', 'period_fee_rate']), rate: z.string() })
  .meta({ id: 'CreditPrice' })
  .nullable();

export const application = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    status: z.enum(['in_review', 'approved', 'rejected']),
    reasons: z.array(z.string()).describe('Reason codes (rejections, reviews), in rule order'),
    lineId: z.uuid().nullable(),
    limitMinor: minorUnits.nullable(),
    businessDate: isoDate,
    createdAt: instant,
    decidedAt: instant.nullable(),
    decision: z.object({
      id: z.uuid(),
      policyVersionId: z.uuid(),
      role: z.enum(['champion', 'challenger']),
      outcome: z.enum(['approve', 'reject', 'review']),
      score: z.number().int(),
      grade: z.string().nullable(),
      price,
      products: z.array(z.string()),
    }),
  })
  .meta({ id: 'CreditApplication' });

export const applicationListQuery = z.strictObject({
  customerId: z.uuid().optional(),
  status: z.enum(['in_review', 'approved', 'rejected']).optional(),
  outcome: z.enum(['approve', 'reject', 'review']).optional().describe('The deciding evaluation’s outcome'),
  from: isoDate.optional().describe('Applications of this business date or later'),
  to: isoDate.optional().describe('Applications of this business date or earlier'),
  before: z.uuid().optional().describe('`next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const applicationPage = z
  .object({ applications: z.array(application), next: z.uuid().nullable() })
  .meta({ id: 'CreditApplicationPage' });

export const review = z
  .object({
    applicationId: z.uuid(),
    customerId: z.uuid(),
    status: z.enum(['open', 'claimed', 'awaiting_approval', 'decided']),
    reasons: z.array(z.string()),
    score: z.number().int(),
    grade: z.string().nullable(),
    claimedBy: z.string().nullable(),
    claimedAt: instant.nullable(),
    openedAt: instant,
    dueAt: instant,
    overdue: z.boolean(),
    decision: z.enum(['approve', 'reject']).nullable(),
    reasonCode: z.string().nullable(),
    limitMinor: minorUnits.nullable(),
    approvalRequestId: z.uuid().nullable(),
  })
  .meta({ id: 'CreditReview' });

export const reviewListQuery = z.strictObject({
  status: z.enum(['open', 'claimed', 'awaiting_approval', 'decided']).optional(),
  after: z.uuid().optional().describe('The application id of the last review of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(500),
});

export const reviewDecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  reasonCode: z.enum(reviewReasonCodes),
  note: text().trim().max(1000).optional(),
  limitMinor: text()
    .regex(/^[1-9]\d{0,11}$/, 'must be a whole number of fen, at least 1')
    .optional()
    .describe('A lower limit than the grade’s offer, in fen'),
});

export const replay = z
  .object({
    decisionId: z.uuid(),
    applicationId: z.uuid(),
    policyVersionId: z.uuid(),
    matches: z.boolean(),
    stored: z.unknown(),
    replayed: z.unknown(),
  })
  .meta({ id: 'DecisionReplay' });

export const backtestQuery = z.strictObject({ from: isoDate, to: isoDate });

const counts = z
  .object({ approve: z.number().int(), reject: z.number().int(), review: z.number().int() })
  .meta({ id: 'OutcomeCounts' });
export const backtestReport = z
  .object({
    policyVersionId: z.uuid(),
    from: isoDate,
    to: isoDate,
    applications: z.number().int(),
    confusion: z.object({ approve: counts, reject: counts, review: counts }),
    outcomeChanged: z.number().int(),
    gradeChanged: z.number().int(),
    limits: z.object({
      higher: z.number().int(),
      lower: z.number().int(),
      same: z.number().int(),
      decidedMinor: minorUnits,
      testedMinor: minorUnits,
    }),
  })
  .meta({ id: 'PolicyBacktest' });
