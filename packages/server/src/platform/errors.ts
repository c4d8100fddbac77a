// The one catalogue of error codes the API can return (docs/architecture.md: "one error catalogue, tested
// against the docs"). Every problem+json response carries one of these codes; docs/api/errors.md
// documents exactly this set, and a test keeps the two in step.

export const problemTypeBase = 'https://fenqi.dev/problems/';

export type ErrorSpec = { status: number; title: string };

export const errorCatalogue = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  bad_request: { status: 400, title: 'The request could not be understood' },
  body_not_allowed: { status: 400, title: 'This endpoint takes no request body' },
  body_too_deep: { status: 400, title: 'The request body nests too deeply' },
  idempotency_key_missing: { status: 400, title: 'An Idempotency-Key header is required' },
  idempotency_key_invalid: { status: 400, title: 'The Idempotency-Key header is not valid' },
  // Access control (IAM, issue 5): who the caller is, and what it may do.
  unauthenticated: { status: 401, title: 'Authentication is required' },
  invalid_credentials: { status: 401, title: 'The credentials are not valid' },
  token_expired: { status: 401, title: 'The access token has expired' },
  otp_invalid: { status: 401, title: 'The one-time code is not valid' },
  signature_invalid: { status: 401, title: 'The request signature is not valid' },
  callback_signature_invalid: { status: 401, title: 'The callback signature is not valid' },
  forbidden: { status: 403, title: 'The caller does not have the permission this requires' },
  csrf_token_invalid: { status: 403, title: 'The CSRF token is missing or does not match the session' },
  password_change_required: { status: 403, title: 'The password must be changed before anything else' },
  maker_cannot_check: { status: 403, title: 'The maker of a request cannot decide it' },
  checker_is_subject: { status: 403, title: 'A change to your own access must be decided by someone else' },
  not_found: { status: 404, title: 'Not found' },
  account_not_found: { status: 404, title: 'The ledger account does not exist' },
  journal_entry_not_found: { status: 404, title: 'The journal entry does not exist' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  idempotency_key_reused: {
    status: 409,
    title: 'The Idempotency-Key was already used for a different request',
  },
  idempotency_key_in_progress: {
    status: 409,
    title: 'A request with this Idempotency-Key is still in progress',
  },
  account_already_exists: {
    status: 409,
    title: 'A ledger account with this code and currency already exists',
  },
  journal_idempotency_conflict: {
    status: 409,
    title: 'A journal entry with this idempotency key was already posted with different content',
  },
  username_taken: { status: 409, title: 'The username is already taken' },
  approval_not_pending: { status: 409, title: 'The approval request was already decided' },
  customer_already_registered: { status: 409, title: 'The borrower already has a customer profile' },
  id_number_registered: { status: 409, title: 'The ID number belongs to another customer' },
  card_already_bound: { status: 409, title: 'The card is already bound to this customer' },
  payment_order_exists: { status: 409, title: 'A live payment order already pays for this' },
  card_binding_not_pending: { status: 409, title: 'The card binding is not waiting for its SMS code' },
  exception_already_resolved: { status: 409, title: 'The payment exception was already resolved' },
  statement_changed: {
    status: 409,
    title: 'The channel sent a different statement for a date already reconciled',
  },
  concurrent_conflict: {
    status: 409,
    title: 'A concurrent request changed the same data; retry the request',
  },
  // Credit lines (issue 15, docs/credit.md).
  credit_line_status_conflict: {
    status: 409,
    title: 'The credit line cannot make this change in its current status',
  },
  credit_line_has_reservations: { status: 409, title: 'The credit line still holds reservations' },
  credit_reservation_not_held: { status: 409, title: 'The reservation was already used or released' },
  credit_source_conflict: {
    status: 409,
    title: 'The application or reference was already used on a credit line with other terms',
  },
  credit_cap_exceeded: {
    status: 422,
    title: 'The customer’s credit exposure would exceed the per-person cap',
  },
  credit_insufficient_available: { status: 422, title: 'The credit line does not have this much available' },
  credit_line_not_active: { status: 422, title: 'The credit line is not active' },
  credit_limit_below_committed: {
    status: 422,
    title: 'The new limit is below what the line has used and reserved',
  },
  credit_restore_exceeds_used: { status: 422, title: 'The repayment is more than the line has outstanding' },
  // Funding (issue 16, docs/funding.md).
  funder_code_taken: { status: 409, title: 'A funder with this code already exists' },
  funding_quota_below_used: { status: 409, title: 'The quota cannot go below what the funder’s loans use' },
  funding_allocation_conflict: {
    status: 409,
    title: 'The loan was already allocated with other terms, or its allocation was released',
  },
  custody_account_conflict: {
    status: 409,
    title: 'The custody sub-account or its holder is already registered with other details',
  },
  custody_instruction_conflict: {
    status: 409,
    title: 'The custody instruction id was already recorded with other content',
  },
  funding_rule_invalid: { status: 422, title: 'The funding rule is not valid' },
  funder_suspended: { status: 422, title: 'A funder of the product’s funding rule is suspended' },
  funding_quota_exhausted: { status: 422, title: 'The funders’ remaining quota cannot fund the loan' },
  funding_co_lender_share_too_low: {
    status: 422,
    title: 'A bank co-lender’s share of the loan is below the co-lending minimum',
  },
  funder_not_custodial: { status: 422, title: 'The funder’s money is not held at a custody bank' },
  custody_insufficient_balance: { status: 422, title: 'The custody sub-account does not hold this much' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  uri_too_long: { status: 414, title: 'The request path is too long' },
  unsupported_media_type: { status: 415, title: 'The request body has an unsupported media type' },
  journal_too_few_lines: { status: 422, title: 'A journal entry needs at least two lines' },
  journal_amount_not_positive: {
    status: 422,
    title: 'A journal line amount must be a positive number of minor units',
  },
  journal_amount_too_large: {
    status: 422,
    title: 'A journal line amount exceeds the largest amount a line may carry',
  },
  journal_unbalanced: { status: 422, title: 'The journal entry does not balance' },
  journal_mixed_currencies: { status: 422, title: 'A journal entry must be in one currency' },
  journal_business_date_not_open: {
    status: 422,
    title: 'The business date of the entry is not the open business day',
  },
  journal_already_reversed: { status: 422, title: 'The journal entry was already reversed' },
  journal_account_on_both_sides: {
    status: 422,
    title: 'A journal entry debits and credits the same account',
  },
  account_closed: { status: 422, title: 'The ledger account is closed' },
  account_is_group: {
    status: 422,
    title: 'The ledger account groups other accounts and takes no lines of its own',
  },
  account_parent_has_lines: {
    status: 422,
    title: 'The parent account already has journal lines of its own',
  },
  account_not_empty: { status: 422, title: 'The ledger account still has a balance' },
  posting_event_invalid: { status: 422, title: 'The business event cannot be posted' },
  password_policy_violated: { status: 422, title: 'The password does not meet the password policy' },
  role_unknown: { status: 422, title: 'The role does not exist' },
  permission_unknown: { status: 422, title: 'The permission does not exist' },
  role_built_in: { status: 422, title: 'Built-in roles cannot be redefined' },
  payment_channel_unknown: { status: 422, title: 'The payment channel is not configured' },
  card_agreement_not_active: { status: 422, title: 'The card agreement is not active' },
  payment_order_not_refundable: { status: 422, title: 'The payment order cannot be refunded' },
  card_binding_rejected: { status: 422, title: 'The channel refused the card binding' },
  statement_invalid: { status: 422, title: 'The statement file is not valid' },
  callback_amount_mismatch: { status: 422, title: 'The callback amount differs from the order' },
  account_locked: { status: 423, title: 'The account is temporarily locked' },
  otp_attempts_exceeded: { status: 429, title: 'Too many wrong one-time codes' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  payment_channel_unavailable: { status: 502, title: 'The payment channel did not answer' },
  service_unavailable: { status: 503, title: 'The service is not ready' },
  sms_unavailable: { status: 503, title: 'One-time codes cannot be sent' },
  compute_busy: { status: 503, title: 'Too many calculations are running; retry shortly' },
  // Credit policies, applications and reviews (issue 15, docs/risk.md).
  policy_invalid: { status: 422, title: 'The policy document is not valid' },
  policy_above_apr_cap: { status: 422, title: 'The policy prices a grade above the APR cap' },
  policy_version_exists: { status: 409, title: 'The policy already has this version' },
  policy_not_draft: { status: 409, title: 'Only a draft policy version can change or be published' },
  policy_not_published: { status: 409, title: 'The policy version is not published' },
  policy_is_champion: { status: 409, title: 'The champion policy cannot be retired' },
  policy_no_champion: { status: 409, title: 'There is no champion policy to challenge' },
  risk_policy_missing: { status: 409, title: 'No credit policy is published' },
  customer_not_registered: { status: 409, title: 'The borrower has no customer profile yet' },
  kyc_incomplete: { status: 409, title: 'The customer has not completed the KYC this needs' },
  age_out_of_window: { status: 422, title: 'The applicant’s age is outside the policy’s window' },
  review_not_open: { status: 409, title: 'The review is not open to claim' },
  review_not_claimed: { status: 409, title: 'The review must be claimed by you before you decide it' },
  review_no_offer: { status: 409, title: 'The reviewed application has no offer to approve' },
  // KYC and consents (issue 15)
  real_name_mismatch: {
    status: 422,
    title: 'The identity register says the name does not match the ID number',
  },
  real_name_not_found: { status: 422, title: 'The identity register has no such ID number' },
  real_name_unavailable: { status: 503, title: 'Real-name verification is unavailable; retry later' },
  consent_required: { status: 409, title: 'The current version of an agreement must be accepted first' },
  consent_version_not_current: { status: 409, title: 'The agreement version is not the current one' },
  // Risk blacklists (issue 15)
  blacklist_entry_exists: {
    status: 409,
    title: 'The value is already on the blacklist or waiting for a decision',
  },
  blacklist_entry_not_active: {
    status: 409,
    title: 'Only an active blacklist entry can be proposed for removal',
  },
  blacklist_import_invalid: { status: 422, title: 'The blacklist import has errors; nothing was imported' },
  // Loan products (issue 16, docs/products.md)
  product_invalid: { status: 422, title: 'The product definition is not valid' },
  product_not_publishable: { status: 422, title: 'The product version breaks a publication rule' },
  product_not_available: { status: 422, title: 'The product has no published version' },
  product_version_not_draft: {
    status: 409,
    title: 'Only a draft product version can change or be published',
  },
  product_version_not_pending: {
    status: 409,
    title: 'The product version is not waiting for this publish request',
  },
  product_version_not_published: { status: 409, title: 'Only the published product version can be retired' },
  product_publish_pending: { status: 409, title: 'Another version of the product is waiting for a checker' },
  // Merchants (issue 16, docs/merchants.md)
  social_credit_code_registered: {
    status: 409,
    title: 'A merchant with this unified social credit code is already registered',
  },
  merchant_status_conflict: {
    status: 409,
    title: 'The merchant cannot make this change in its current status',
  },
  merchant_not_active: { status: 409, title: 'The merchant is not active' },
  // Origination (modules/loans, docs/loans.md).
  merchant_order_conflict: {
    status: 409,
    title: 'The merchant order id was already used for an order with different content',
  },
  order_not_open: { status: 409, title: 'The order can no longer be accepted' },
  order_not_cancellable: { status: 409, title: 'The order can no longer be cancelled' },
  order_for_another_customer: { status: 403, title: 'The order was made for another customer' },
  loan_state_conflict: { status: 409, title: 'The loan is not in a state that allows this' },
  refund_not_possible: { status: 409, title: 'The loan cannot be refunded now' },
  refund_conflict: { status: 409, title: 'The refund id was already used for a different amount' },
  credit_line_required: { status: 422, title: 'There is no active credit line for this product' },
  customer_profile_required: {
    status: 409,
    title: 'A customer profile (name and ID number) is needed first',
  },
  merchant_not_ready: {
    status: 422,
    title: 'The merchant needs a settlement account and a product before it can be activated',
  },
  // Servicing: repayments, payoff, prepayment, credit balance, reversal (docs/servicing.md).
  repayment_amount_invalid: { status: 422, title: 'The repayment amount is not valid' },
  loan_not_repayable: { status: 409, title: 'The loan takes no repayment in its state' },
  repayment_source_conflict: {
    status: 409,
    title: 'The payment reference was already recorded with another loan or amount',
  },
  repayment_card_not_bound: { status: 422, title: 'There is no active card agreement to collect from' },
  payoff_quote_stale: { status: 409, title: 'The payoff quote is from another business day' },
  payoff_amount_short: { status: 422, title: "The amount is below today's payoff quote" },
  prepayment_not_allowed: { status: 422, title: 'The product does not allow this prepayment' },
  prepayment_while_overdue: {
    status: 409,
    title: 'A prepayment is not possible while an installment is overdue',
  },
  prepayment_invalid: { status: 422, title: 'The prepayment cannot be applied to the schedule' },
  credit_balance_insufficient: {
    status: 422,
    title: 'The credit balance is smaller than the refund asked for',
  },
  repayment_already_reversed: { status: 409, title: 'The repayment was already reversed' },
  repayment_not_reversible: { status: 409, title: 'The transaction cannot be reversed' },
  repayment_reversal_out_of_order: {
    status: 409,
    title: 'A later transaction on the loan must be reversed first',
  },
  // Close of business (modules/cob, docs/cob.md).
  cob_date_not_open: { status: 409, title: 'Close of business runs only for the open business date' },
  cob_accounts_pending: {
    status: 409,
    title: 'Disbursed loans are still waiting for their servicing accounts',
  },
  cob_run_not_found: { status: 404, title: 'There is no close-of-business run for this date' },
  // Waivers (servicing): docs/servicing.md, "Waivers".
  loan_not_waivable: { status: 409, title: 'The loan has nothing overdue to waive in its state' },
  waiver_exceeds_outstanding: { status: 422, title: 'The waiver asks for more than the loan owes past due' },
  // Collections: docs/collections.md.
  // (collections codes)
  contact_refused: { status: 422, title: 'The contact attempt would break a conduct rule' },
  collections_case_closed: { status: 409, title: 'The collections case is closed' },
  collections_case_transition_invalid: {
    status: 409,
    title: 'The collections case cannot do this in its state',
  },
  collections_assignee_invalid: { status: 422, title: 'The case cannot be assigned to this agent or agency' },
  agency_review_lapsed: {
    status: 409,
    title: 'The agency’s annual review has lapsed: it takes no new cases',
  },
  agency_suspended: { status: 409, title: 'The agency is suspended: it takes no new cases' },
  agency_name_taken: { status: 409, title: 'An agency with this name exists' },
  collections_queue_exists: { status: 409, title: 'A collections queue with this code exists' },
  contact_target_exists: { status: 409, title: 'This number is already a contact target of the debtor' },
  promise_open_exists: { status: 409, title: 'The case already has an open promise to pay' },
  promise_invalid: { status: 422, title: 'The promise to pay is not valid' },
  strategy_invalid: { status: 422, title: 'The collections strategy is not valid' },
  strategy_not_draft: { status: 409, title: 'Only a draft strategy version can be published' },
  collections_waiver_invalid: { status: 422, title: 'The waiver request is not valid' },
  // Notifications: docs/notifications.md.
  // (notifications codes)
  // Credit-bureau reporting: docs/bureau.md.
  // (bureau codes)
  bureau_date_not_reportable: {
    status: 409,
    title: 'Records can be generated only for the open business date or an earlier one',
  },
  bureau_record_not_rejected: { status: 409, title: 'Only a record the bureau rejected can be corrected' },
  bureau_feedback_unreadable: { status: 422, title: 'The feedback file could not be read' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

export type FieldError = {
  path: string;
  message: string;
  in?: 'body' | 'query' | 'params' | 'headers';
  /** A machine-readable reason where the domain has one (e.g. `first_due_date_before_start`). */
  code?: string;
};

/**
 * An expected failure with a catalogue code. Throw it from anywhere; the HTTP layer turns it into
 * application/problem+json once. Bugs are not AppErrors: they surface as 500 with an incident id.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; extensions?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.detail = detail;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
};

export function problemOf(error: AppError): Problem {
  const spec = errorCatalogue[error.code];
  return {
    ...error.extensions,
    type: `${problemTypeBase}${error.code}`,
    title: spec.title,
    status: spec.status,
    detail: error.detail,
    code: error.code,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
}
