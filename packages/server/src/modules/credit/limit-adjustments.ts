import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { text } from '../../platform/http/text.ts';
import { approvalAction, requestApproval } from '../iam/service.ts';
import { adjustLimit, checkAdjustment, lineLimitMinorMax, lockLineForChange } from './lines.ts';

// A limit adjustment is maker-checker: one staff user (credit:adjust) asks for a new limit with a
// reason, a different one (credit:approve) approves it, and only then the limit changes — in the
// approving request's transaction, checked again there under the exposure lock, because the line
// and the person's other lines may have changed in between.

export const adjustLimitAction = 'credit.adjust-limit';

export const limitAdjustmentPayload = z
  .strictObject({
    lineId: z.uuid(),
    limitMinor: text().regex(/^[1-9]\d{0,11}$/, `must be 1 to ${lineLimitMinorMax} fen`),
    reason: text().trim().min(1).max(500),
  })
  .meta({ id: 'CreditLimitAdjustment' });

export const limitAdjustmentApproval = approvalAction({
  name: adjustLimitAction,
  summary: 'Change the limit of a credit line',
  makerPermission: 'credit:adjust',
  checkerPermission: 'credit:approve',
  payload: limitAdjustmentPayload,
  execute: async (trx, payload, context) => {
    const line = await adjustLimit(trx, context.config, {
      lineId: payload.lineId,
      limitMinor: BigInt(payload.limitMinor),
      actor: { kind: 'staff', id: context.checkerId },
      reason: payload.reason,
      approvalRequestId: context.requestId,
      origin: context.origin,
    });
    return { lineId: line.id, limitMinor: String(line.limitMinor) };
  },
});

/**
 * Asks for a new limit (the maker's step). Checked now as the approval would check it — the line
 * can be adjusted, a decrease stays above used + reserved, an increase fits the headroom — so a
 * checker is never asked to approve what could not apply.
 */
export async function requestLimitAdjustment(
  trx: Tx,
  config: Config,
  input: {
    lineId: string;
    limitMinor: bigint;
    reason: string;
    maker: { userId: string; permissions: ReadonlySet<string> };
    origin: Origin;
  },
) {
  const { line, exposure } = await lockLineForChange(trx, config, input.lineId);
  checkAdjustment(line, exposure, input.limitMinor);
  return requestApproval(trx, config, {
    action: limitAdjustmentApproval,
    payload: { lineId: line.id, limitMinor: String(input.limitMinor), reason: input.reason },
    reason: input.reason,
    maker: input.maker,
    origin: input.origin,
  });
}
