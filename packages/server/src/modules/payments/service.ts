// The payments module's public service for other modules: orders are created in the caller's
// transaction (the submit job sends them once it commits) and finish through the channel; the
// caller learns the outcome from the payments.order-* events.

export { activeAgreementsOf, type CardAgreement, ownAgreements } from './agreements.ts';
export { channelFor } from './channels/registry.ts';
export {
  type Counterpart,
  createPaymentOrder,
  getPaymentOrder,
  type NewPaymentOrder,
  orderAmountMinorMax,
  type PaymentOrder,
} from './orders.ts';
