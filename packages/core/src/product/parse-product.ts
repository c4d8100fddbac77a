import { Decimal } from 'decimal.js';
import type { AllocationComponent, AllocationOrder } from '../allocation/allocate-payment.ts';
import {
  allocationComponents,
  allocationOrderDefault,
  allocationSequences,
} from '../allocation/allocate-payment.ts';
import type { DayCount } from '../date/day-count.ts';
import { dayCounts } from '../date/day-count.ts';
import type { Frequency } from '../date/frequency.ts';
import { parseFrequency } from '../date/frequency.ts';
import { localDate } from '../date/local-date.ts';
import type { Issue, IssueCode, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { amountMinorMax } from '../money/amount.ts';
import type { RoundingMode } from '../money/rounding.ts';
import { roundingModes } from '../money/rounding.ts';
import { exceedsCharacters, isMinorUnits } from '../risk/feature-values.ts';
import type { PriceKind } from '../risk/policy.ts';
import { creditLimitMinorMax, gradeLengthMax, priceKinds } from '../risk/policy.ts';
import { pointer } from '../risk/validate-policy.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import type { InterestPeriod, RemainderPolicy, RepaymentMethod, UpfrontFeeMode } from '../schedule/terms.ts';
import {
  defaultInterestPeriod,
  interestPeriods,
  remainderPolicies,
  repaymentMethods,
  upfrontFeeModes,
} from '../schedule/terms.ts';
import { annualRateMax, periodFeeRateMax, rateDecimalPlacesMax, termCountMax } from '../schedule/validate.ts';
import { productLoanTerms } from './loan-terms.ts';
import type {
  PostingBasis,
  Product,
  ProductFields,
  ProductPrepayment,
  ProductPrice,
  UpfrontFee,
} from './product.ts';
import {
  coolingOffDaysMax,
  graceDaysMax,
  penaltyMarkupDefault,
  penaltyMarkupMax,
  penaltyMarkupMin,
  postingBases,
  prepaymentFeeRateMax,
  productCodeLengthMax,
  productNameLengthMax,
  productPricesMax,
  productTermsMax,
  upfrontFeeKinds,
} from './product.ts';

// The validator of a product document. Like the policy validator it reports every mistake it can
// see, each at a JSON Pointer (RFC 6901) to the value — `/prices/1/rate` — and only a document
// without any becomes a Product. Once each field is right on its own, every offered term is built
// at every grade's price with the smallest and the largest amount as a schedule, so a combination
// the schedule engine refuses (a deducted fee not below the smallest amount, a remainder policy
// the method cannot use, 贴息 above what the merchant is paid) is
// refused here, at the field it comes from, rather than when a borrower asks for a quote.

/** Product codes share the pattern of the product codes a credit policy's offers list. */
const codePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const gradePattern = /^[A-Z][A-Za-z0-9_+-]*$/;
const decimalPattern = /^-?\d+(\.\d+)?$/;

type Json = Readonly<Record<string, unknown>>;

const required = [
  'code',
  'name',
  'method',
  'termsOffered',
  'prices',
  'amountMinMinor',
  'amountMaxMinor',
] as const;
const optional = [
  'frequency',
  'dayCount',
  'interestPeriod',
  'remainder',
  'rounding',
  'upfrontFee',
  'upfrontFeeMode',
  'periodFeeMinor',
  'graceDays',
  'penaltyMarkup',
  'prepayment',
  'allocationOrder',
  'revolving',
  'coolingOffDays',
  'merchantDiscount',
  'postingBasis',
] as const;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Check {
  readonly issues: Issue[] = [];

  add(code: IssueCode, path: string, message: string): void {
    this.issues.push(issue(code, path, message));
  }

  object(
    value: unknown,
    path: string,
    needed: readonly string[],
    allowed: readonly string[],
  ): Json | undefined {
    if (!isObject(value)) {
      this.add('type_invalid', path, `${path === '' ? 'the product' : path} must be an object`);
      return undefined;
    }
    for (const key of needed)
      if (!Object.hasOwn(value, key)) this.add('field_required', pointer(path, key), `${key} is required`);
    for (const key of Object.keys(value))
      if (!needed.includes(key) && !allowed.includes(key))
        this.add(
          'field_unknown',
          pointer(path, key),
          `${key} is not a field of ${path === '' ? 'a product' : path}`,
        );
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, names: readonly T[], what: string): T | undefined {
    const found = names.find((name) => name === value);
    if (found === undefined)
      this.add('value_not_allowed', path, `${what} must be one of ${names.join(', ')}`);
    return found;
  }

  integer(value: unknown, path: string, min: number, max: number, what: string): number | undefined {
    if (typeof value !== 'number') {
      this.add('type_invalid', path, `${what} must be an integer`);
      return undefined;
    }
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.add('integer_invalid', path, `${what} must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  boolean(value: unknown, path: string, what: string): boolean | undefined {
    if (typeof value === 'boolean') return value;
    this.add('type_invalid', path, `${what} must be true or false`);
    return undefined;
  }

  text(value: unknown, path: string, what: string): string | undefined {
    if (typeof value !== 'string') {
      this.add('type_invalid', path, `${what} must be a string`);
      return undefined;
    }
    if (value.trim() === '' || exceedsCharacters(value, productNameLengthMax)) {
      this.add('limit_exceeded', path, `${what} must be 1 to ${productNameLengthMax} characters`);
      return undefined;
    }
    return value;
  }

  /** Integer fen from 0 to `max`. */
  minor(value: unknown, path: string, max: bigint, what: string): bigint | undefined {
    if (typeof value !== 'string' || !isMinorUnits(value) || value.startsWith('-')) {
      this.add(
        'minor_units_invalid',
        path,
        `${what} must be integer fen as a string of digits, such as "123456"`,
      );
      return undefined;
    }
    const minor = BigInt(value);
    if (minor > max) {
      this.add('amount_too_large', path, `${what} must be at most ${max} fen`);
      return undefined;
    }
    return minor;
  }

  /** A non-negative decimal string of at most 12 places, at most `max`. */
  rate(value: unknown, path: string, max: Decimal.Value, what: string): Decimal | undefined {
    if (typeof value !== 'string' || !decimalPattern.test(value)) {
      this.add('decimal_invalid', path, `${what} must be a decimal string such as "0.1800"`);
      return undefined;
    }
    if (value.startsWith('-')) {
      this.add('rate_negative', path, `${what} must not be negative`);
      return undefined;
    }
    const rate = new Decimal(value);
    if (rate.greaterThan(max)) {
      this.add('rate_too_large', path, `${what} must be at most ${max}`);
      return undefined;
    }
    // Places as written: "0.1800" has four, so the text an author wrote is what the limit reads.
    if ((value.split('.')[1] ?? '').length > rateDecimalPlacesMax) {
      this.add(
        'rate_precision_exceeded',
        path,
        `${what} must have at most ${rateDecimalPlacesMax} decimal places`,
      );
      return undefined;
    }
    return rate;
  }
}

/** The product a document describes, or every issue it has. */
export function parseProduct(doc: unknown): Result<Product> {
  const check = new Check();
  const root = check.object(doc, '', required, optional);
  if (root === undefined) return failed(check.issues);
  const fields = fieldsOf(check, root);
  if (fields === undefined || check.issues.length > 0) return failed(check.issues);
  // The brand marks a product built from checked parts: the one cast of the module.
  const product = fields as Product;
  const combinations = combinationIssues(product);
  return combinations.length > 0 ? failed(combinations) : ok(product);
}

const present = (root: Json, key: string) => Object.hasOwn(root, key);

function fieldsOf(check: Check, root: Json): ProductFields | undefined {
  const code = present(root, 'code') ? codeOf(check, root.code) : undefined;
  const name = present(root, 'name') ? nameOf(check, root.name) : undefined;
  const method = present(root, 'method')
    ? check.oneOf(root.method, '/method', repaymentMethods, 'method')
    : undefined;
  const termsOffered = present(root, 'termsOffered') ? termsOf(check, root.termsOffered) : undefined;
  const frequency = present(root, 'frequency')
    ? frequencyOf(check, root.frequency)
    : { kind: 'monthly' as const };
  const prices = present(root, 'prices') ? pricesOf(check, root.prices, method) : undefined;
  // ACT/360 is core's default: Chinese lenders quote daily rates as annual / 360.
  const dayCount = present(root, 'dayCount')
    ? optionalName<DayCount>(check, root, 'dayCount', dayCounts)
    : 'ACT_360';
  const interestPeriod = optionalName<InterestPeriod>(check, root, 'interestPeriod', interestPeriods);
  const remainder =
    optionalName<RemainderPolicy>(check, root, 'remainder', remainderPolicies) ?? 'last_principal';
  const rounding = present(root, 'rounding')
    ? optionalName<RoundingMode>(check, root, 'rounding', roundingModes)
    : 'half_up';
  const upfrontFee = present(root, 'upfrontFee')
    ? upfrontFeeOf(check, root.upfrontFee)
    : { kind: 'none' as const };
  const upfrontFeeMode =
    optionalName<UpfrontFeeMode>(check, root, 'upfrontFeeMode', upfrontFeeModes) ?? 'deducted';
  const periodFeeMinor = present(root, 'periodFeeMinor')
    ? check.minor(root.periodFeeMinor, '/periodFeeMinor', amountMinorMax, 'periodFeeMinor')
    : 0n;
  const graceDays = present(root, 'graceDays')
    ? check.integer(root.graceDays, '/graceDays', 0, graceDaysMax, 'graceDays')
    : 0;
  const penaltyMarkup = penaltyMarkupOf(check, root);
  const prepayment = present(root, 'prepayment')
    ? prepaymentOf(check, root.prepayment)
    : { allowed: true, feeRate: new Decimal(0), minTermsPaid: 0 };
  const allocationOrder = present(root, 'allocationOrder')
    ? allocationOrderOf(check, root.allocationOrder)
    : allocationOrderDefault;
  const amounts = amountsOf(check, root);
  const revolving = present(root, 'revolving')
    ? check.boolean(root.revolving, '/revolving', 'revolving')
    : false;
  const coolingOffDays = present(root, 'coolingOffDays')
    ? check.integer(root.coolingOffDays, '/coolingOffDays', 0, coolingOffDaysMax, 'coolingOffDays')
    : 0;
  const merchantDiscount = present(root, 'merchantDiscount')
    ? merchantDiscountOf(check, root.merchantDiscount, termsOffered)
    : new Map<number, Decimal>();
  const postingBasis = optionalName<PostingBasis>(check, root, 'postingBasis', postingBases) ?? 'accrual';
  if (
    code === undefined ||
    name === undefined ||
    method === undefined ||
    termsOffered === undefined ||
    frequency === undefined ||
    prices === undefined ||
    dayCount === undefined ||
    rounding === undefined ||
    upfrontFee === undefined ||
    periodFeeMinor === undefined ||
    graceDays === undefined ||
    penaltyMarkup === undefined ||
    prepayment === undefined ||
    allocationOrder === undefined ||
    amounts === undefined ||
    revolving === undefined ||
    coolingOffDays === undefined ||
    merchantDiscount === undefined ||
    (present(root, 'interestPeriod') && interestPeriod === undefined)
  )
    return undefined;
  return {
    code,
    name,
    method,
    termsOffered,
    frequency,
    prices,
    dayCount,
    interestPeriod: interestPeriod ?? defaultInterestPeriod(method),
    remainder,
    rounding,
    upfrontFee,
    upfrontFeeMode,
    periodFeeMinor,
    graceDays,
    penaltyMarkup,
    prepayment,
    allocationOrder,
    amountMinMinor: amounts.min,
    amountMaxMinor: amounts.max,
    revolving,
    coolingOffDays,
    merchantDiscount,
    postingBasis,
  };
}

function optionalName<T extends string>(
  check: Check,
  root: Json,
  key: string,
  names: readonly T[],
): T | undefined {
  return present(root, key) ? check.oneOf(root[key], `/${key}`, names, key) : undefined;
}

function codeOf(check: Check, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    check.add('type_invalid', '/code', 'code must be a string');
    return undefined;
  }
  if (value.length > productCodeLengthMax || !codePattern.test(value)) {
    check.add(
      'name_invalid',
      '/code',
      `code must be 1–${productCodeLengthMax} characters matching ${codePattern.source}`,
    );
    return undefined;
  }
  return value;
}

function nameOf(check: Check, value: unknown): { zh: string; en: string } | undefined {
  const name = check.object(value, '/name', ['zh', 'en'], []);
  if (name === undefined) return undefined;
  const zh = present(name, 'zh') ? check.text(name.zh, '/name/zh', 'name.zh') : undefined;
  const en = present(name, 'en') ? check.text(name.en, '/name/en', 'name.en') : undefined;
  return zh === undefined || en === undefined ? undefined : { zh, en };
}

function termsOf(check: Check, value: unknown): number[] | undefined {
  if (!Array.isArray(value)) {
    check.add('type_invalid', '/termsOffered', 'termsOffered must be an array of installment counts');
    return undefined;
  }
  if (value.length < 1 || value.length > productTermsMax) {
    check.add('limit_exceeded', '/termsOffered', `termsOffered must have 1 to ${productTermsMax} items`);
    return undefined;
  }
  const terms: number[] = [];
  let good = true;
  value.forEach((item: unknown, index) => {
    const path = pointer('/termsOffered', index);
    const term = check.integer(item, path, 1, termCountMax, 'a term');
    if (term === undefined) good = false;
    else if (terms.includes(term)) {
      check.add('duplicate_value', path, `term ${term} is offered twice`);
      good = false;
    } else terms.push(term);
  });
  return good ? terms.sort((a, b) => a - b) : undefined;
}

function frequencyOf(check: Check, value: unknown): Frequency | undefined {
  const frequency = typeof value === 'string' ? parseFrequency(value) : undefined;
  if (frequency === undefined)
    check.add(
      'value_not_allowed',
      '/frequency',
      'frequency must be monthly, biweekly, weekly or days:N (N 1–366)',
    );
  return frequency;
}

/**
 * Which price a method can charge: 等本等息 (flat_fee) is a fee per period on the original
 * principal; bullet and daily loans have no regular periods, so only an annual rate; the others
 * take either (a fee per period being a service fee on top of zero interest).
 */
function kindsFor(method: RepaymentMethod): readonly PriceKind[] {
  if (method === 'flat_fee') return ['period_fee_rate'];
  if (method === 'bullet' || method === 'daily') return ['annual_rate'];
  return priceKinds;
}

function pricesOf(
  check: Check,
  value: unknown,
  method: RepaymentMethod | undefined,
): ProductPrice[] | undefined {
  if (!Array.isArray(value)) {
    check.add('type_invalid', '/prices', 'prices must be an array of {grade, kind, rate}');
    return undefined;
  }
  if (value.length < 1 || value.length > productPricesMax) {
    check.add('limit_exceeded', '/prices', `prices must have 1 to ${productPricesMax} items`);
    return undefined;
  }
  const prices: ProductPrice[] = [];
  value.forEach((item: unknown, index) => {
    const path = pointer('/prices', index);
    const price = priceOf(check, item, path, method);
    if (price === undefined) return;
    if (prices.some((earlier) => earlier.grade === price.grade))
      check.add('duplicate_value', pointer(path, 'grade'), `grade ${price.grade} has an earlier price`);
    prices.push(price);
  });
  return prices.length === value.length ? prices : undefined;
}

function priceOf(
  check: Check,
  value: unknown,
  path: string,
  method: RepaymentMethod | undefined,
): ProductPrice | undefined {
  const price = check.object(value, path, ['grade', 'kind', 'rate'], []);
  if (price === undefined) return undefined;
  let grade: string | undefined;
  if (present(price, 'grade')) {
    if (
      typeof price.grade === 'string' &&
      price.grade.length <= gradeLengthMax &&
      gradePattern.test(price.grade)
    )
      grade = price.grade;
    else
      check.add(
        'name_invalid',
        pointer(path, 'grade'),
        `grade must be 1–${gradeLengthMax} characters matching ${gradePattern.source}`,
      );
  }
  const kind = present(price, 'kind')
    ? check.oneOf(price.kind, pointer(path, 'kind'), priceKinds, 'kind')
    : undefined;
  if (kind !== undefined && method !== undefined && !kindsFor(method).includes(kind)) {
    check.add(
      'unsupported_combination',
      pointer(path, 'kind'),
      `a ${method} product is priced by ${kindsFor(method).join(' or ')}, not ${kind}`,
    );
    return undefined;
  }
  const max = kind === 'period_fee_rate' ? periodFeeRateMax : annualRateMax;
  const rate = present(price, 'rate')
    ? check.rate(price.rate, pointer(path, 'rate'), max, 'rate')
    : undefined;
  return grade === undefined || kind === undefined || rate === undefined ? undefined : { grade, kind, rate };
}

function upfrontFeeOf(check: Check, value: unknown): UpfrontFee | undefined {
  if (!isObject(value)) {
    check.add(
      'type_invalid',
      '/upfrontFee',
      'upfrontFee must be {kind: "rate", rate} or {kind: "fixed", amountMinor}',
    );
    return undefined;
  }
  const kind = check.oneOf(value.kind, '/upfrontFee/kind', upfrontFeeKinds, 'upfrontFee.kind');
  if (kind === undefined) return undefined;
  if (kind === 'rate') {
    const fee = check.object(value, '/upfrontFee', ['kind', 'rate'], []);
    if (fee === undefined || !present(fee, 'rate')) return undefined;
    const rate = check.rate(fee.rate, '/upfrontFee/rate', 1, 'upfrontFee.rate');
    return rate === undefined ? undefined : { kind, rate };
  }
  const fee = check.object(value, '/upfrontFee', ['kind', 'amountMinor'], []);
  if (fee === undefined || !present(fee, 'amountMinor')) return undefined;
  const amountMinor = check.minor(
    fee.amountMinor,
    '/upfrontFee/amountMinor',
    amountMinorMax,
    'upfrontFee.amountMinor',
  );
  return amountMinor === undefined ? undefined : { kind, amountMinor };
}

function penaltyMarkupOf(check: Check, root: Json): Decimal | undefined {
  if (!present(root, 'penaltyMarkup')) return new Decimal(penaltyMarkupDefault);
  const markup = check.rate(root.penaltyMarkup, '/penaltyMarkup', penaltyMarkupMax, 'penaltyMarkup');
  if (markup === undefined) return undefined;
  if (markup.lessThan(penaltyMarkupMin) || (String(root.penaltyMarkup).split('.')[1] ?? '').length > 2) {
    // PBOC practice for overdue loans: the contract rate plus 30 % to 50 %.
    check.add(
      'value_not_allowed',
      '/penaltyMarkup',
      `penaltyMarkup must be from ${penaltyMarkupMin} to ${penaltyMarkupMax} with at most 2 decimal places`,
    );
    return undefined;
  }
  return markup;
}

function prepaymentOf(check: Check, value: unknown): ProductPrepayment | undefined {
  const rule = check.object(value, '/prepayment', ['allowed'], ['feeRate', 'minTermsPaid']);
  if (rule === undefined || !present(rule, 'allowed')) return undefined;
  const allowed = check.boolean(rule.allowed, '/prepayment/allowed', 'prepayment.allowed');
  const feeRate = present(rule, 'feeRate')
    ? check.rate(rule.feeRate, '/prepayment/feeRate', prepaymentFeeRateMax, 'prepayment.feeRate')
    : new Decimal(0);
  const minTermsPaid = present(rule, 'minTermsPaid')
    ? check.integer(rule.minTermsPaid, '/prepayment/minTermsPaid', 0, termCountMax, 'prepayment.minTermsPaid')
    : 0;
  if (allowed === false && (present(rule, 'feeRate') || present(rule, 'minTermsPaid'))) {
    check.add(
      'unsupported_combination',
      '/prepayment',
      'feeRate and minTermsPaid apply only when prepayment is allowed',
    );
    return undefined;
  }
  return allowed === undefined || feeRate === undefined || minTermsPaid === undefined
    ? undefined
    : { allowed, feeRate, minTermsPaid };
}

function allocationOrderOf(check: Check, value: unknown): AllocationOrder | undefined {
  const order = check.object(value, '/allocationOrder', ['components', 'sequence'], []);
  if (order === undefined) return undefined;
  const sequence = present(order, 'sequence')
    ? check.oneOf(order.sequence, '/allocationOrder/sequence', allocationSequences, 'sequence')
    : undefined;
  if (!present(order, 'components')) return undefined;
  const components = order.components;
  const names: AllocationComponent[] = [];
  if (Array.isArray(components))
    for (const item of components as unknown[]) {
      const found = allocationComponents.find((name) => name === item);
      if (found !== undefined && !names.includes(found)) names.push(found);
    }
  if (
    !Array.isArray(components) ||
    components.length !== allocationComponents.length ||
    names.length !== components.length
  ) {
    check.add(
      'allocation_order_invalid',
      '/allocationOrder/components',
      `components must list ${allocationComponents.join(', ')} once each, in the order payments clear them`,
    );
    return undefined;
  }
  return sequence === undefined ? undefined : { components: names, sequence };
}

function amountsOf(check: Check, root: Json): { min: bigint; max: bigint } | undefined {
  // 商业银行互联网贷款管理暂行办法 (2020): at most 200,000 CNY of consumer credit to one person.
  const min = present(root, 'amountMinMinor')
    ? check.minor(root.amountMinMinor, '/amountMinMinor', creditLimitMinorMax, 'amountMinMinor')
    : undefined;
  const max = present(root, 'amountMaxMinor')
    ? check.minor(root.amountMaxMinor, '/amountMaxMinor', creditLimitMinorMax, 'amountMaxMinor')
    : undefined;
  if (min === undefined || max === undefined) return undefined;
  if (min <= 0n) {
    check.add('principal_not_positive', '/amountMinMinor', 'amountMinMinor must be above zero');
    return undefined;
  }
  if (min > max) {
    check.add('range_invalid', '/amountMinMinor', `amountMinMinor ${min} is above amountMaxMinor ${max}`);
    return undefined;
  }
  return { min, max };
}

function merchantDiscountOf(
  check: Check,
  value: unknown,
  terms: readonly number[] | undefined,
): Map<number, Decimal> | undefined {
  if (!isObject(value)) {
    check.add('type_invalid', '/merchantDiscount', 'merchantDiscount must be an object of term count → rate');
    return undefined;
  }
  const discounts = new Map<number, Decimal>();
  let good = true;
  for (const [key, rateText] of Object.entries(value)) {
    const path = pointer('/merchantDiscount', key);
    const term = /^[1-9]\d{0,2}$/.test(key) ? Number(key) : undefined;
    if (term === undefined) {
      check.add('integer_invalid', path, `${key} is not a term count`);
      good = false;
      continue;
    }
    if (terms !== undefined && !terms.includes(term)) {
      check.add('value_not_allowed', path, `term ${term} is not in termsOffered`);
      good = false;
      continue;
    }
    const rate = check.rate(rateText, path, 1, `the discount for ${term} installments`);
    if (rate === undefined) good = false;
    else discounts.set(term, rate);
  }
  return good ? discounts : undefined;
}

/** A sample loan's start: the combination checks do not depend on the date. */
const sampleStart = localDate('2026-01-01');

/**
 * Every offered term at every grade's price, with the smallest and the largest amount, built as a
 * schedule; an issue is moved to the product field it comes from.
 */
function combinationIssues(product: Product): Issue[] {
  const found = new Map<string, Issue>();
  const amounts =
    product.amountMinMinor === product.amountMaxMinor
      ? [['/amountMinMinor', product.amountMinMinor] as const]
      : ([
          ['/amountMinMinor', product.amountMinMinor],
          ['/amountMaxMinor', product.amountMaxMinor],
        ] as const);
  product.termsOffered.forEach((termCount, termIndex) => {
    product.prices.forEach((price, priceIndex) => {
      for (const [amountPath, principalMinor] of amounts) {
        const terms = productLoanTerms(product, {
          grade: price.grade,
          termCount,
          principalMinor,
          startDate: sampleStart,
        });
        const built = terms.ok ? buildSchedule(terms.value) : terms;
        const issues = built.ok ? [] : built.issues;
        for (const problem of issues) {
          const path = productPath(problem.path, { amountPath, priceIndex, termIndex, termCount });
          const key = `${problem.code}@${path}`;
          if (!found.has(key))
            found.set(
              key,
              issue(
                problem.code,
                path,
                `${problem.message} (grade ${price.grade}, ${termCount} installments, ${principalMinor} fen)`,
              ),
            );
        }
      }
    });
  });
  return [...found.values()];
}

function productPath(
  path: string,
  at: { amountPath: string; priceIndex: number; termIndex: number; termCount: number },
): string {
  switch (path) {
    case 'principal':
      return at.amountPath;
    case 'annualRate':
    case 'periodFeeRate':
      return pointer(pointer('/prices', at.priceIndex), 'rate');
    case 'penaltyRate':
      return '/penaltyMarkup';
    case 'termCount':
      return pointer('/termsOffered', at.termIndex);
    case 'periodFee':
      return '/periodFeeMinor';
    case 'merchantDiscount':
      return pointer('/merchantDiscount', at.termCount);
    default:
      return `/${path}`;
  }
}
