import type { Decision } from '@fenqi/core';
import { z } from 'zod';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { approvalAction, requestApproval } from '../iam/service.ts';
import { approve, finishRejected } from './applications.ts';
import { compiledVersion } from './policies.ts';
import * as ports from './ports.ts';
import type { RiskDb, RiskTx } from './tables.ts';

// The manual review queue: applications a rule sent to review. An analyst claims one (so two do not
// work on it), then decides with a reason code. Approving grants the line at the decided grade's
// offer, or a lower limit the analyst sets; above RISK_REVIEW_APPROVAL_LIMIT the approval waits for
// a second person (maker-checker). The queue shows each item's age against its SLA.

export const reviewReasonCodes = [
  'V001_DOCUMENTS_VERIFIED',
  'V002_INCOME_VERIFIED',
  'V003_CONTACT_CONFIRMED',
  'V101_IDENTITY_DOUBT',
  'V102_FRAUD_SUSPECTED',
  'V103_AFFORDABILITY',
  'V104_APPLICANT_UNREACHABLE',
] as const;

export type ReviewView = {
  applicationId: string;
  customerId: string;
  status: 'open' | 'claimed' | 'awaiting_approval' | 'decided';
  reasons: string[];
  score: number;
  grade: string | null;
  claimedBy: string | null;
  claimedAt: Date | null;
  openedAt: Date;
  dueAt: Date;
  /** Whether the SLA has passed now (the clock is the server's; SLAs are wall-clock hours). */
  overdue: boolean;
  decision: 'approve' | 'reject' | null;
  reasonCode: string | null;
  limitMinor: bigint | null;
  approvalRequestId: string | null;
};

function reviewQuery(db: RiskDb) {
  return db
    .selectFrom('risk_reviews as r')
    .innerJoin('risk_applications as a', 'a.id', 'r.application_id')
    .innerJoin('risk_decisions as d', (join) =>
      join.onRef('d.application_id', '=', 'a.id').on('d.assigned', '=', true),
    )
    .select([
      'r.application_id',
      'a.customer_id',
      'r.status',
      'a.reasons',
      'd.score',
      'd.grade',
      'r.claimed_by',
      'r.claimed_at',
      'r.opened_at',
      'r.due_at',
      'r.decision',
      'r.reason_code',
      'r.limit_minor',
      'r.approval_request_id',
    ]);
}

type ReviewRow = Awaited<ReturnType<ReturnType<typeof reviewQuery>['executeTakeFirstOrThrow']>>;

function toView(row: ReviewRow, now: Date): ReviewView {
  return {
    applicationId: row.application_id,
    customerId: row.customer_id,
    status: row.status,
    reasons: row.reasons,
    score: row.score,
    grade: row.grade,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at,
    openedAt: row.opened_at,
    dueAt: row.due_at,
    overdue: row.status !== 'decided' && row.due_at.getTime() < now.getTime(),
    decision: row.decision,
    reasonCode: row.reason_code,
    limitMinor: row.limit_minor === null ? null : BigInt(row.limit_minor),
    approvalRequestId: row.approval_request_id,
  };
}

export async function listReviews(
  db: DB,
  filter: {
    status?: ReviewView['status'] | undefined;
    /** Keyset: the reviews after this application's in queue order (oldest first). */
    after?: string | undefined;
    limit?: number | undefined;
  },
  now: Date = new Date(),
): Promise<ReviewView[]> {
  let query = reviewQuery(db)
    .orderBy('r.opened_at')
    .orderBy('r.application_id')
    .limit(filter.limit ?? 500);
  query = filter.status
    ? query.where('r.status', '=', filter.status)
    : query.where('r.status', '<>', 'decided');
  const after = filter.after;
  if (after !== undefined) {
    const last = (db as RiskDb).selectFrom('risk_reviews').where('application_id', '=', after);
    query = query.where((eb) =>
      eb.or([
        eb('r.opened_at', '>', last.select('opened_at')),
        eb.and([eb('r.opened_at', '=', last.select('opened_at')), eb('r.application_id', '>', after)]),
      ]),
    );
  }
  return (await query.execute()).map((row) => toView(row, now));
}

export async function getReview(
  db: RiskDb | DB,
  applicationId: string,
  now: Date = new Date(),
): Promise<ReviewView> {
  const row = await reviewQuery(db as RiskDb)
    .where('r.application_id', '=', applicationId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no review of application ${applicationId}.`);
  return toView(row, now);
}

async function lockReview(db: RiskTx, applicationId: string) {
  const row = await db
    .selectFrom('risk_reviews')
    .selectAll()
    .where('application_id', '=', applicationId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no review of application ${applicationId}.`);
  return row;
}

export async function claimReview(
  trx: Tx,
  input: { applicationId: string; analyst: string },
): Promise<ReviewView> {
  const db: RiskTx = trx;
  const row = await lockReview(db, input.applicationId);
  if (row.status === 'claimed' && row.claimed_by === input.analyst) return getReview(db, input.applicationId);
  if (row.status !== 'open')
    throw new AppError(
      'review_not_open',
      row.status === 'claimed'
        ? `Application ${input.applicationId} is being reviewed by ${row.claimed_by}.`
        : `The review of application ${input.applicationId} is ${row.status.replace('_', ' ')}.`,
    );
  await db
    .updateTable('risk_reviews')
    .set({ status: 'claimed', claimed_by: input.analyst, claimed_at: new Date() })
    .where('application_id', '=', input.applicationId)
    .execute();
  return getReview(db, input.applicationId);
}

/** The deciding policy's offer for the reviewed application's grade (what an approval grants at most). */
async function offerOf(db: RiskTx, applicationId: string) {
  const row = await db
    .selectFrom('risk_decisions as d')
    .innerJoin('risk_policy_versions as v', 'v.id', 'd.policy_version_id')
    .select(['d.grade', 'd.result', 'v.id', 'v.status', 'v.document'])
    .where('d.application_id', '=', applicationId)
    .where('d.assigned', '=', true)
    .executeTakeFirstOrThrow();
  const { policy } = compiledVersion(row.id, row.status, row.document);
  const offer = policy.offers.find((candidate) => candidate.grade === row.grade);
  return offer ?? null;
}

const decisionInput = z.strictObject({
  applicationId: z.uuid(),
  decision: z.enum(['approve', 'reject']),
  reasonCode: z.enum(reviewReasonCodes),
  note: z.string().max(1000).optional(),
  limitMinor: z
    .string()
    .regex(/^[1-9]\d{0,11}$/)
    .optional(),
});
export type ReviewDecisionInput = z.output<typeof decisionInput>;

async function applyDecision(
  trx: Tx,
  config: Config,
  input: ReviewDecisionInput,
  decidedBy: string,
): Promise<void> {
  const db: RiskTx = trx;
  const application = await db
    .selectFrom('risk_applications')
    .select('customer_id')
    .where('id', '=', input.applicationId)
    .executeTakeFirstOrThrow();
  if (input.decision === 'reject') {
    await finishRejected(trx, input.applicationId, [input.reasonCode]);
  } else {
    const offer = await offerOf(db, input.applicationId);
    if (!offer)
      throw new AppError('review_no_offer', 'The score is below every grade: there is no offer to approve.');
    const exposure = await ports.lockExposure(trx, config, application.customer_id);
    await approve(trx, config, {
      applicationId: input.applicationId,
      customerId: application.customer_id,
      limitMinor: input.limitMinor === undefined ? BigInt(offer.creditLimit) : BigInt(input.limitMinor),
      price: offer.price as Decision['price'],
      products: offer.products,
      headroomMinor: exposure.headroomMinor,
      businessDate: await getBusinessDate(trx),
      actor: { kind: 'staff', id: decidedBy },
    });
  }
  await db
    .updateTable('risk_reviews')
    .set({
      status: 'decided',
      decision: input.decision,
      reason_code: input.reasonCode,
      note: input.note ?? null,
      decided_by: decidedBy,
      decided_at: new Date(),
    })
    .where('application_id', '=', input.applicationId)
    .execute();
}

export const reviewApprovalAction = approvalAction({
  name: 'risk.approve-reviewed-application',
  summary: 'Approve a reviewed credit application above the review approval limit',
  makerPermission: 'risk:review',
  checkerPermission: 'risk:review-approve',
  payload: decisionInput,
  validate: async (trx, payload) => {
    const row = await lockReview(trx, payload.applicationId);
    if (row.status !== 'claimed' && row.status !== 'awaiting_approval')
      throw new AppError(
        'review_not_open',
        `The review of application ${payload.applicationId} is ${row.status}.`,
      );
  },
  execute: async (trx, payload, context) => {
    const row = await lockReview(trx, payload.applicationId);
    if (row.status !== 'awaiting_approval')
      throw new AppError(
        'review_not_open',
        `The review of application ${payload.applicationId} is ${row.status}.`,
      );
    await applyDecision(trx, context.config, payload, context.checkerId);
    return { applicationId: payload.applicationId, decision: payload.decision };
  },
});

export async function decideReview(
  trx: Tx,
  config: Config,
  input: ReviewDecisionInput & {
    analyst: { userId: string; permissions: ReadonlySet<string> };
    origin: Origin;
  },
): Promise<ReviewView> {
  const db: RiskTx = trx;
  const row = await lockReview(db, input.applicationId);
  if (row.status !== 'claimed' || row.claimed_by !== input.analyst.userId)
    throw new AppError(
      'review_not_claimed',
      row.status === 'claimed'
        ? `Application ${input.applicationId} is being reviewed by ${row.claimed_by}.`
        : 'Claim the review before deciding it.',
    );
  const { analyst, origin, ...decision } = input;
  if (decision.decision === 'approve') {
    const offer = await offerOf(db, input.applicationId);
    if (!offer)
      throw new AppError('review_no_offer', 'The score is below every grade: there is no offer to approve.');
    const limit = decision.limitMinor === undefined ? BigInt(offer.creditLimit) : BigInt(decision.limitMinor);
    if (limit > BigInt(offer.creditLimit))
      throw new AppError('validation_failed', 'The limit is above the grade’s offer.', {
        errors: [
          {
            in: 'body',
            path: 'limitMinor',
            message: `must be at most ${offer.creditLimit} fen (grade ${offer.grade})`,
          },
        ],
      });
    if (limit > config.risk.reviewApprovalLimitMinor) {
      const request = await requestApproval(trx, config, {
        action: reviewApprovalAction,
        payload: decision,
        reason: `${decision.reasonCode}${decision.note ? `: ${decision.note}` : ''}`,
        maker: analyst,
        origin,
      });
      await db
        .updateTable('risk_reviews')
        .set({
          status: 'awaiting_approval',
          decision: 'approve',
          reason_code: decision.reasonCode,
          note: decision.note ?? null,
          limit_minor: limit,
          approval_request_id: request.id,
        })
        .where('application_id', '=', input.applicationId)
        .execute();
      return getReview(db, input.applicationId);
    }
  }
  await applyDecision(trx, config, decision, analyst.userId);
  return getReview(db, input.applicationId);
}
