import type { MerchantStatus } from './tables.ts';

// The merchant's status machine, in one place:
//
//   onboarding ──activate──▶ active ──suspend──▶ suspended
//                              ▲                     │
//                              └──────reinstate──────┘
//
// Only an active merchant creates orders (merchantForOrders). Activation also needs a settlement
// account and a product (checked by the service, and by the table's constraint); a merchant is
// never taken back to onboarding, and there is no end state: a merchant that stops trading stays
// suspended, so its loans keep their merchant.

export const merchantStatusActions = ['activate', 'suspend', 'reinstate'] as const;
export type MerchantStatusAction = (typeof merchantStatusActions)[number];

const transitions: Record<
  MerchantStatusAction,
  { from: MerchantStatus; to: Exclude<MerchantStatus, 'onboarding'> }
> = {
  activate: { from: 'onboarding', to: 'active' },
  suspend: { from: 'active', to: 'suspended' },
  reinstate: { from: 'suspended', to: 'active' },
};

/** The status an action leads to from `status`, or undefined when the action does not apply there. */
export function merchantTransition(
  status: MerchantStatus,
  action: MerchantStatusAction,
): Exclude<MerchantStatus, 'onboarding'> | undefined {
  const transition = transitions[action];
  return transition.from === status ? transition.to : undefined;
}

/** The status an action starts from (for the conflict's message). */
export function statusBefore(action: MerchantStatusAction): MerchantStatus {
  return transitions[action].from;
}
