import { randomUUID } from 'node:crypto';
import { waiverTierOf } from '@fenqi/core';
import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { text } from '../../platform/http/text.ts';
import { type ApprovalAction, appendAudit, approvalAction, requestApproval } from '../iam/service.ts';
import { overdueFiguresOf } from '../servicing/collections-figures.ts';
import { applyWaiver, waivableOf } from '../servicing/service.ts';
import { assertOpen, c, caseInScope, closeCase, ct, refreshFigures } from './cases.ts';
import { fieldInvalid } from './problems.ts';
import type { CollectionsScope } from './scope.ts';
import type { WaiverRow } from './tables.ts';

// Waivers (减免) of penalty, fee or interest: an agent asks, a checker of the amount's tier
// approves (maker-checker, modules/iam/approvals.ts), and only then servicing applies it to the
// loan — posted to the ledger, the installments' waived amounts raised, servicing.waiver-applied
// published (the bureau reports it as special transaction 11). The tiers, by the total waived:
//   up to   500.00 CNY  the collections team lead   (collections:waive-approve, role approver)
//   up to 5,000.00 CNY  finance                      (collections:waive-approve-finance, role finance)
//   above               senior management (admin)   (collections:waive-approve-senior, admin only)
// Each tier is its own approval action, so the generic approval route checks the right permission.

export const waiverTiers = [
  {
    code: 'team_lead',
    upToMinor: 50_000n,
    action: 'collections.approve-waiver-team-lead',
    checkerPermission: 'collections:waive-approve',
  },
  {
    code: 'finance',
    upToMinor: 500_000n,
    action: 'collections.approve-waiver-finance',
    checkerPermission: 'collections:waive-approve-finance',
  },
  {
    code: 'senior',
    upToMinor: null,
    action: 'collections.approve-waiver-senior',
    checkerPermission: 'collections:waive-approve-senior',
  },
] as const;

const fen = text().regex(/^\d{1,12}$/, 'must be 0 to 999999999999 fen, as a string of digits');

export const waiverPayload = z.strictObject({
  waiverId: z.uuid(),
  caseId: z.uuid(),
  loanId: z.uuid(),
  penaltyMinor: fen,
  feeMinor: fen,
  interestMinor: fen,
});
type WaiverPayload = z.output<typeof waiverPayload>;

const amounts = (p: WaiverPayload) => ({
  penaltyMinor: BigInt(p.penaltyMinor),
  feeMinor: BigInt(p.feeMinor),
  interestMinor: BigInt(p.interestMinor),
});

async function execute(
  trx: Tx,
  payload: WaiverPayload,
  context: { config: Config; checkerId: string; makerId: string; requestId: string; origin: Origin },
) {
  const waiver = await ct(trx)
    .selectFrom('collections_waivers')
    .selectAll()
    .where('id', '=', payload.waiverId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const applied = await applyWaiver(trx, {
    loanId: payload.loanId,
    sourceRef: `collections-waiver:${payload.waiverId}`,
    ...amounts(payload),
    reason: `${waiver.reason} (approval ${context.requestId})`,
    actorId: context.checkerId,
  });
  await ct(trx)
    .updateTable('collections_waivers')
    .set({
      status: 'applied',
      transaction_id: applied.id,
      approved_by: context.checkerId,
      applied_at: new Date(),
    })
    .where('id', '=', waiver.id)
    .execute();
  // The waiver may leave the loan current or paid off: the case follows at once.
  const row = await ct(trx)
    .selectFrom('collections_cases')
    .selectAll()
    .where('id', '=', payload.caseId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const figures = await overdueFiguresOf(trx, payload.loanId);
  if (figures !== undefined && !['resolved', 'written_off'].includes(row.state)) {
    const refreshed = await refreshFigures(trx, row, figures);
    if (figures.status === 'active' || figures.status === 'paid_off')
      await closeCase(trx, refreshed, figures.status === 'active' ? 'current' : 'paid_off', {
        sourceRef: `collections-waiver:${payload.waiverId}`,
        businessDate: applied.businessDate,
      });
  }
  await appendAudit(trx, context.config.secrets.auditKey, {
    actor: { kind: 'staff', id: context.checkerId },
    action: 'collections.waiver-applied',
    subject: { type: 'collections-case', id: payload.caseId },
    origin: context.origin,
    after: { ...payload, transactionId: applied.id },
    details: { approvalRequestId: context.requestId, makerId: context.makerId },
  });
  return { waiverId: payload.waiverId, transactionId: applied.id };
}

async function validate(trx: Tx, payload: WaiverPayload) {
  const asked = amounts(payload);
  if (asked.penaltyMinor + asked.feeMinor + asked.interestMinor <= 0n)
    throw fieldInvalid(
      'collections_waiver_invalid',
      'A waiver forgives something: the amounts add up to zero.',
      [{ path: 'penaltyMinor', message: 'penalty, fee and interest must add up to more than zero' }],
    );
  const waivable = await waivableOf(trx, payload.loanId);
  const over = (['penaltyMinor', 'feeMinor', 'interestMinor'] as const).filter((k) => asked[k] > waivable[k]);
  if (over.length > 0)
    throw fieldInvalid(
      'collections_waiver_invalid',
      `The waiver asks for more than the loan owes past due: ${over.map((k) => `${k} at most ${waivable[k]}`).join(', ')}.`,
      over.map((k) => ({ path: k, message: `must be at most ${waivable[k]} fen` })),
    );
}

export const waiverApprovals: ApprovalAction[] = waiverTiers.map((tier) =>
  approvalAction({
    name: tier.action,
    summary:
      tier.upToMinor === null
        ? 'Waive penalty, fee or interest above 5,000 CNY on an overdue loan'
        : `Waive penalty, fee or interest up to ${Number(tier.upToMinor) / 100} CNY on an overdue loan`,
    makerPermission: 'collections:waive-request',
    checkerPermission: tier.checkerPermission,
    payload: waiverPayload,
    validate: async (trx, payload) => validate(trx, payload),
    execute: async (trx, payload, context) => execute(trx, payload, context),
  }),
);

export async function requestWaiver(
  trx: Tx,
  config: Config,
  scope: CollectionsScope,
  input: {
    caseId: string;
    penaltyMinor: bigint;
    feeMinor: bigint;
    interestMinor: bigint;
    reason: string;
    maker: { userId: string; permissions: ReadonlySet<string> };
    origin: Origin;
  },
) {
  const row = await caseInScope(trx, scope, input.caseId, { lock: true });
  assertOpen(row);
  const total = input.penaltyMinor + input.feeMinor + input.interestMinor;
  const tier = waiverTierOf(waiverTiers, total);
  const action = waiverApprovals.find((a) => a.name === tier.action);
  if (action === undefined) throw new Error(`no approval action ${tier.action}`);
  const waiverId = randomUUID();
  const approval = await requestApproval(trx, config, {
    action,
    payload: {
      waiverId,
      caseId: row.id,
      loanId: row.loan_id,
      penaltyMinor: String(input.penaltyMinor),
      feeMinor: String(input.feeMinor),
      interestMinor: String(input.interestMinor),
    },
    reason: input.reason,
    maker: input.maker,
    origin: input.origin,
  });
  const waiver = await ct(trx)
    .insertInto('collections_waivers')
    .values({
      id: waiverId,
      case_id: row.id,
      loan_id: row.loan_id,
      penalty_minor: input.penaltyMinor,
      fee_minor: input.feeMinor,
      interest_minor: input.interestMinor,
      total_minor: total,
      tier: tier.code,
      status: 'requested',
      approval_request_id: approval.id,
      requested_by: input.maker.userId,
      reason: input.reason,
      transaction_id: null,
      approved_by: null,
      applied_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { waiver, approval };
}

export async function waiversOfCase(db: DB | Tx, caseId: string): Promise<WaiverRow[]> {
  return c(db)
    .selectFrom('collections_waivers')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
