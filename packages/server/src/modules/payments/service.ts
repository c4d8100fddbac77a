// The payments module's public service for other modules: orders are created in the caller's
// transaction (the submit job sends them once it commits) and finish through the channel; the
// caller learns the outcome from the payments.order-* events.

// The borrower's card binding (the routes' prepare and handler steps), the submit and query passes
// of the payment loops, and the orders still without an outcome: for whoever drives them by hand
// (the simulation, docs/simulation.md). A borrower's own collection, as they may see it (servicing's
// read of a repayment request's outcome).
export {
  activeAgreementsOf,
  applyForBinding,
  type BindingApplication,
  type BindingConfirmation,
  type CardAgreement,
  confirmWithChannel,
  ownAgreements,
  recordBindingApplication,
  recordBindingConfirmation,
} from './agreements.ts';
export { type FailureReason, failureReasons } from './channel.ts';
export { channelFor } from './channels/registry.ts';
export { type OrdersInFlight, ordersInFlight } from './in-flight.ts';
export {
  type Counterpart,
  createPaymentOrder,
  getPaymentOrder,
  type NewPaymentOrder,
  orderAmountMinorMax,
  type PaymentOrder,
} from './orders.ts';
export { type CollectionState, type OwnCollection, ownCollection } from './own-collections.ts';
export { queryDue } from './queries.ts';
export { submitDue } from './submission.ts';
