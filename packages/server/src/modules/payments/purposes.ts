import type { PaymentOrderKind } from '@fenqi/core';
import { AppError } from '../../platform/errors.ts';

// What a payment order pays for, and so which ledger account its money settles against (the other
// side is always the channel's clearing account). Payments posts only the cash movement: what a
// disbursement or a repayment means for a loan is posted by the module that owns the loan, when it
// consumes the payment's event.
//
//   payout  succeeded: Dr <account>   Cr clearing     (the payee is paid what we owed them)
//   payout  bounced:   Dr clearing    Cr <account>    (the money came back; we owe it again)
//   collect succeeded: Dr clearing    Cr <account>    (held until servicing allocates it)
//   refund  succeeded: Dr <account>   Cr clearing     (a collection given back)

export type Purpose = { kind: PaymentOrderKind; account: string; summary: string };

export const purposes = {
  disbursement: { kind: 'payout', account: '2202', summary: 'a loan paid out to the merchant or borrower' },
  merchant_settlement: {
    kind: 'payout',
    account: '2202',
    summary: 'a settlement of what merchants are owed',
  },
  overpayment_return: { kind: 'payout', account: '2241', summary: "a borrower's overpayment paid back" },
  repayment: { kind: 'collect', account: '2242', summary: 'a repayment debited from a bound card' },
  collection_refund: { kind: 'refund', account: '2242', summary: 'a collection given back to the borrower' },
} as const satisfies Record<string, Purpose>;

export type PurposeName = keyof typeof purposes;
export const purposeNames = Object.keys(purposes) as PurposeName[];

export function purposeFor(name: string, kind: PaymentOrderKind): Purpose {
  const purpose = (purposes as Record<string, Purpose>)[name];
  if (purpose === undefined || purpose.kind !== kind) {
    const allowed = purposeNames.filter((n) => purposes[n].kind === kind);
    throw new AppError('validation_failed', `A ${kind} order cannot have the purpose ${name}.`, {
      errors: [{ path: 'purpose', message: `must be one of ${allowed.join(', ')}`, in: 'body' }],
    });
  }
  return purpose;
}
