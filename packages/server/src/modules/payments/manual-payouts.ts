import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { appendAudit, approvalAction } from '../iam/service.ts';
import { createPaymentOrder, orderAmountMinorMax } from './orders.ts';
import { purposeFor } from './purposes.ts';

// A payout made by hand (a refund of an overpayment, a settlement outside the daily run): one user
// asks, another approves, and only then the order exists — no single user can send money.

export const manualPayoutPayload = z
  .strictObject({
    channel: text().regex(/^[a-z][a-z0-9_]{0,31}$/),
    purpose: text().regex(/^[a-z][a-z0-9_]{0,39}$/),
    amountMinor: text().regex(/^[1-9]\d{0,11}$/, `must be 1 to ${orderAmountMinorMax} fen`),
    sourceRef: text().min(1).max(200),
    accountName: text().trim().min(1).max(64),
    accountNo: text().regex(/^\d{8,32}$/),
    merchantId: text().min(1).max(64).optional(),
    loanId: text().min(1).max(64).optional(),
  })
  .meta({ id: 'ManualPayout' });

export const manualPayoutApproval = approvalAction({
  name: 'payments.manual-payout',
  summary: 'Pay out by hand',
  makerPermission: 'payments:initiate',
  checkerPermission: 'payments:approve',
  payload: manualPayoutPayload,
  validate: async (_trx, payout) => {
    purposeFor(payout.purpose, 'payout');
  },
  execute: async (trx, payout, context) => {
    const { order } = await createPaymentOrder(trx, context.config, {
      channel: payout.channel,
      purpose: payout.purpose,
      amountMinor: BigInt(payout.amountMinor),
      currency: 'CNY',
      sourceRef: payout.sourceRef,
      loanId: payout.loanId,
      merchantId: payout.merchantId,
      counterpart: { kind: 'payout', accountName: payout.accountName, accountNo: payout.accountNo },
    });
    await appendAudit(trx, context.config.secrets.auditKey, {
      actor: { kind: 'staff', id: context.checkerId },
      action: 'payments.manual-payout-created',
      subject: { type: 'payment-order', id: order.orderNo },
      origin: context.origin,
      after: {
        orderNo: order.orderNo,
        amountMinor: payout.amountMinor,
        purpose: payout.purpose,
        channel: payout.channel,
      },
      details: { approvalRequestId: context.requestId, makerId: context.makerId },
    });
    return { orderNo: order.orderNo };
  },
});
