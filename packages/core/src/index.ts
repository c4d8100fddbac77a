// @fenqi/core — the pure lending domain: exact money, business dates, rates, repayment schedules,
// annualized-rate disclosure, payoff, prepayment, allocation, penalty interest and day-end servicing
// (accrual, days past due). No I/O, no clock.

export type {
  Allocation,
  AllocationComponent,
  AllocationLine,
  AllocationOrder,
  AllocationSequence,
  DueInstallment,
} from './allocation/allocate-payment.ts';
export {
  allocatePayment,
  allocationComponents,
  allocationOrderDefault,
  allocationSequences,
} from './allocation/allocate-payment.ts';
export type { AnnualizedRates, DatedCashflow, PeriodicCashflows } from './apr/annualized.ts';
export {
  annualizedRates,
  annualizedRatesDated,
  cashflowsMax,
  paymentsMax,
  xirr,
} from './apr/annualized.ts';
export type { AprCapCheck } from './apr/cap.ts';
export { aprCapDefault, checkAprCap } from './apr/cap.ts';
export type { IrrWork } from './apr/irr.ts';
export { irrWork, npvEvaluationsMax } from './apr/irr.ts';
export { scheduleApr } from './apr/schedule-apr.ts';
export { AssertionError, assert } from './assert.ts';
export * from './bureau/index.ts';
export * from './collections/index.ts';
export type { DayCount } from './date/day-count.ts';
export { accrualDays, basisDays, dayCountFraction, dayCounts, isDayCount } from './date/day-count.ts';
export type { Frequency } from './date/frequency.ts';
export {
  formatFrequency,
  parseFrequency,
  periodsPerYear,
  perPeriodRate,
  stepDays,
} from './date/frequency.ts';
export type { DateParts, LocalDate } from './date/local-date.ts';
export {
  addDays,
  addMonths,
  compareDates,
  dateFromParts,
  dateParts,
  daysBetween,
  daysInMonth,
  fromEpochDay,
  isLastDayOfMonth,
  localDate,
  parseLocalDate,
  toEpochDay,
} from './date/local-date.ts';
export type { QuotaCandidate } from './funding/quota-shares.ts';
export { quotaSharesBp } from './funding/quota-shares.ts';
export {
  areSharesBp,
  basisPointsTotal,
  splitByShares,
  splitByWeights,
  splitComponents,
} from './funding/split.ts';
export type { BankCardCheck } from './identity/bank-card.ts';
export { bankCardCheck, luhnValid } from './identity/bank-card.ts';
export type {
  AgeWindow,
  AgeWindowCheck,
  ResidentIdCheck,
  ResidentIdFailure,
} from './identity/resident-id.ts';
export {
  ageOn,
  checkAgeWindow,
  residentIdCheck,
  residentIdCheckCharacter,
  residentIdFailures,
} from './identity/resident-id.ts';
export type { SocialCreditCodeCheck, SocialCreditCodeFailure } from './identity/social-credit-code.ts';
export {
  socialCreditCheckCharacter,
  socialCreditCodeCharacters,
  socialCreditCodeCheck,
  socialCreditCodeFailures,
} from './identity/social-credit-code.ts';
export type { Issue, IssueCode, Result } from './issue.ts';
export { issueCatalogue } from './issue.ts';
export type { LoanEvent, LoanState, LoanTransition } from './loan/loan-state.ts';
export {
  isClosedLoanState,
  loanEvents,
  loanStates,
  loanTransition,
  outstandingLoanStates,
} from './loan/loan-state.ts';
export type { AmountParse } from './money/amount.ts';
export { amountMinorMax, formatMinor, isDecimalString, parseAmount } from './money/amount.ts';
export type { Currency } from './money/currency.ts';
export { CNY, currencyByCode } from './money/currency.ts';
export type { RoundingMode } from './money/rounding.ts';
export {
  divideRounded,
  divideRoundedSafe,
  floorDivideSafe,
  hasEvenTies,
  isRoundingMode,
  roundingModes,
  roundingOffset,
} from './money/rounding.ts';
export * from './notifications/index.ts';
export type {
  Observation,
  ObservationSource,
  OrderEffect,
  PaymentOrderKind,
  PaymentOrderState,
  Transition,
} from './payments/order-state.ts';
export {
  isFinalState,
  observationSources,
  paymentOrderKinds,
  paymentOrderStates,
  transitionOf,
  unresolvedStates,
} from './payments/order-state.ts';
export type {
  InstallmentPaid,
  PayoffInterestRule,
  PayoffOptions,
  PayoffQuote,
} from './payoff/payoff-quote.ts';
export { payoffInterestRules, payoffQuote } from './payoff/payoff-quote.ts';
export type {
  OverdueAmounts,
  PenaltyBase,
  PenaltyCompounding,
  PenaltyTerms,
} from './penalty/penalty-interest.ts';
export {
  penaltyBases,
  penaltyCompoundings,
  penaltyInterest,
  penaltyTermsFor,
} from './penalty/penalty-interest.ts';
export type { Prepayment, PrepaymentMode, PrepaymentRequest } from './prepayment/prepay.ts';
export { prepay, prepaymentModes } from './prepayment/prepay.ts';
export type { ProductLoanRequest, ProductQuote } from './product/loan-terms.ts';
export { productLoanTerms, quoteProduct } from './product/loan-terms.ts';
export { parseProduct } from './product/parse-product.ts';
export type {
  PostingBasis,
  PrepaymentDefinition,
  Product,
  ProductDefinition,
  ProductFields,
  ProductPrepayment,
  ProductPrice,
  ProductPriceDefinition,
  UpfrontFee,
  UpfrontFeeDefinition,
} from './product/product.ts';
export { postingBases, productPricesMax, productTermsMax } from './product/product.ts';
export type { PublishCheckOptions } from './product/publish-check.ts';
export { productPublishIssues, publishCheckStartDate } from './product/publish-check.ts';
export type {
  AprRequest,
  AprResponse,
  AprResult,
  DatedAprRequest,
  PeriodicAprRequest,
} from './quote/apr-request.ts';
export { aprFromCashflows } from './quote/apr-request.ts';
export type { QuoteResult } from './quote/quote-loan.ts';
export { quoteLoan } from './quote/quote-loan.ts';
export type { QuoteContext, QuoteRequest } from './quote/quote-request.ts';
export { parseQuoteRequest } from './quote/quote-request.ts';
export type { QuoteApr, QuoteInstallment, QuoteResponse, QuoteTotals } from './quote/quote-response.ts';
export { toQuoteResponse } from './quote/quote-response.ts';
export type { AnnuityFactor } from './rate/annuity.ts';
export { annuityFactor, levelPayment, roundedPayment } from './rate/annuity.ts';
export type { PeriodicRate } from './rate/periodic-rate.ts';
export { annuityFactorFor, periodicRate } from './rate/periodic-rate.ts';
export type { Rational } from './rate/rational.ts';
export { rational, rationalFromDecimal } from './rate/rational.ts';
export type { CompiledPolicy } from './risk/compile.ts';
export { compilePolicy, evaluateCompiled, evaluatePolicy } from './risk/compile.ts';
export type {
  CharacteristicTrace,
  Decision,
  DecisionOutcome,
  DecisionTrace,
  RuleTrace,
} from './risk/decision.ts';
export { canonicalDecisionJson, decisionOutcomes } from './risk/decision.ts';
export type {
  Characteristic,
  Condition,
  ConditionOp,
  FeatureSpec,
  FeatureType,
  GradeCut,
  LeafCondition,
  Offer,
  Policy,
  PolicyDocument,
  PolicyRule,
  PolicyScalar,
  Price,
  PriceKind,
  RangeBin,
  RuleAction,
  Scorecard,
  ScorecardBin,
  ValuesBin,
} from './risk/policy.ts';
export {
  conditionDepthMax,
  conditionOps,
  creditLimitMinorMax,
  featureTypes,
  policyRulesMax,
  priceKinds,
  ruleActions,
  scorecardCharacteristicsMax,
} from './risk/policy.ts';
export { policySchema } from './risk/policy-schema.ts';
export type { PricingCheckOptions } from './risk/pricing.ts';
export { policyPricingIssues } from './risk/pricing.ts';
export { validatePolicy } from './risk/validate-policy.ts';
export type { Amounts, SafeAmounts } from './schedule/amounts.ts';
export { equalInstallment, equalInstallmentSafe } from './schedule/equal-installment.ts';
export { equalPrincipal, equalPrincipalSafe } from './schedule/equal-principal.ts';
export type { Period } from './schedule/periods.ts';
export { derivedFirstDueDate, dueDates, loanPeriods } from './schedule/periods.ts';
export type { Installment, Schedule, ScheduleTotals } from './schedule/schedule.ts';
export { buildSchedule, periodFee } from './schedule/schedule.ts';
export type {
  InterestPeriod,
  LoanTerms,
  LoanTermsInput,
  RemainderPolicy,
  RepaymentMethod,
  UpfrontFeeMode,
} from './schedule/terms.ts';
export {
  disbursedAmount,
  effectivePenaltyRate,
  financedPrincipal,
  interestPeriods,
  loanTerms,
  penaltyRateMultiplierDefault,
  remainderPolicies,
  repaymentMethods,
  upfrontFeeModes,
} from './schedule/terms.ts';
export type { LoanTermsJson } from './schedule/terms-json.ts';
export { loanTermsFromJson, loanTermsToJson } from './schedule/terms-json.ts';
export { termCountMax, validateLoanTerms } from './schedule/validate.ts';
export type { AccrualFormula } from './servicing/accrual.ts';
export { accrualFormula, accrueByFormula, accruedInterestTo, dailyAccrual } from './servicing/accrual.ts';
export type { DelinquencyBucket } from './servicing/delinquency.ts';
export {
  daysPastDue,
  delinquencyBucket,
  delinquencyBuckets,
  nonAccrualDpd,
  writeOffDpdDefault,
} from './servicing/delinquency.ts';
export type { DailyPenaltyInput } from './servicing/penalty-accrual.ts';
export { dailyPenalty } from './servicing/penalty-accrual.ts';
