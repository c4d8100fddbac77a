import type { Decimal } from 'decimal.js';
import type {
  AllocationComponent,
  AllocationOrder,
  AllocationSequence,
} from '../allocation/allocate-payment.ts';
import type { DayCount } from '../date/day-count.ts';
import type { Frequency } from '../date/frequency.ts';
import type { RoundingMode } from '../money/rounding.ts';
import type { PriceKind } from '../risk/policy.ts';
import type { InterestPeriod, RemainderPolicy, RepaymentMethod, UpfrontFeeMode } from '../schedule/terms.ts';

// A loan product version (贷款产品) as a JSON document, and the same product parsed. The document
// is what staff write and what is stored (money as integer fen in strings of digits, rates as
// decimal strings, never JSON floats); parseProduct turns it into a Product (bigint, Decimal) or
// names every mistake at a JSON Pointer. docs/products.md describes each field for operators.

export const postingBases = ['accrual', 'cash'] as const;
export type PostingBasis = (typeof postingBases)[number];

export const upfrontFeeKinds = ['rate', 'fixed'] as const;

/** One grade's price: a nominal annual rate, or a fee per period on the original principal (等本等息). */
export interface ProductPriceDefinition {
  readonly grade: string;
  readonly kind: PriceKind;
  /** A decimal string such as "0.1800" (annual) or "0.0075" (per period). */
  readonly rate: string;
}

export type UpfrontFeeDefinition =
  | { readonly kind: 'rate' /** of the principal, e.g. "0.01" */; readonly rate: string }
  | { readonly kind: 'fixed' /** integer fen */; readonly amountMinor: string };

export interface PrepaymentDefinition {
  readonly allowed: boolean;
  /** Fee as a fraction of the principal prepaid; default "0". */
  readonly feeRate?: string;
  /** Installments that must be paid before a prepayment; default 0. */
  readonly minTermsPaid?: number;
}

/** The document. Fields marked optional take the defaults docs/products.md lists. */
export interface ProductDefinition {
  readonly code: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly method: RepaymentMethod;
  /** Installment counts a borrower may choose, e.g. [3, 6, 12]. */
  readonly termsOffered: readonly number[];
  /** monthly (default) | biweekly | weekly | days:N */
  readonly frequency?: string;
  /** One price per risk grade, best grade first: a line without a grade takes the last (dearest). */
  readonly prices: readonly ProductPriceDefinition[];
  readonly dayCount?: DayCount;
  readonly interestPeriod?: InterestPeriod;
  readonly remainder?: RemainderPolicy;
  readonly rounding?: RoundingMode;
  readonly upfrontFee?: UpfrontFeeDefinition;
  readonly upfrontFeeMode?: UpfrontFeeMode;
  /** A fixed fee in fen with every installment. */
  readonly periodFeeMinor?: string;
  /** Days after a due date before an unpaid installment is overdue (宽限期). */
  readonly graceDays?: number;
  /** Penalty rate = contract annual rate × (1 + markup); "0.30" to "0.50", default "0.50". */
  readonly penaltyMarkup?: string;
  readonly prepayment?: PrepaymentDefinition;
  readonly allocationOrder?: {
    readonly components: readonly AllocationComponent[];
    readonly sequence: AllocationSequence;
  };
  readonly amountMinMinor: string;
  readonly amountMaxMinor: string;
  /** Repaid principal restores the credit line (循环额度). */
  readonly revolving?: boolean;
  readonly coolingOffDays?: number;
  /** 贴息: by term count ("12"), the share of the principal the merchant gives up, e.g. "0.035". */
  readonly merchantDiscount?: Readonly<Record<string, string>>;
  readonly postingBasis?: PostingBasis;
}

export interface ProductPrice {
  readonly grade: string;
  readonly kind: PriceKind;
  readonly rate: Decimal;
}

export type UpfrontFee =
  | { readonly kind: 'none' }
  | { readonly kind: 'rate'; readonly rate: Decimal }
  | { readonly kind: 'fixed'; readonly amountMinor: bigint };

export interface ProductPrepayment {
  readonly allowed: boolean;
  readonly feeRate: Decimal;
  readonly minTermsPaid: number;
}

/** A product with every default filled in. Only parseProduct makes one (the brand). */
export interface ProductFields {
  readonly code: string;
  readonly name: { readonly zh: string; readonly en: string };
  readonly method: RepaymentMethod;
  /** Ascending, each once. */
  readonly termsOffered: readonly number[];
  readonly frequency: Frequency;
  readonly prices: readonly ProductPrice[];
  readonly dayCount: DayCount;
  readonly interestPeriod: InterestPeriod;
  readonly remainder: RemainderPolicy;
  readonly rounding: RoundingMode;
  readonly upfrontFee: UpfrontFee;
  readonly upfrontFeeMode: UpfrontFeeMode;
  readonly periodFeeMinor: bigint;
  readonly graceDays: number;
  readonly penaltyMarkup: Decimal;
  readonly prepayment: ProductPrepayment;
  readonly allocationOrder: AllocationOrder;
  readonly amountMinMinor: bigint;
  readonly amountMaxMinor: bigint;
  readonly revolving: boolean;
  readonly coolingOffDays: number;
  /** 贴息 rate by term count; a term without an entry has none. */
  readonly merchantDiscount: ReadonlyMap<number, Decimal>;
  readonly postingBasis: PostingBasis;
}

export type Product = ProductFields & { readonly __brand: 'Product' };

// Limits, unit last. They bound the work of checking a product (every term at every grade).
export const productCodeLengthMax = 64;
export const productNameLengthMax = 100;
export const productTermsMax = 24;
export const productPricesMax = 26;
export const graceDaysMax = 30;
export const coolingOffDaysMax = 30;
export const penaltyMarkupMin = '0.30';
export const penaltyMarkupMax = '0.50';
export const penaltyMarkupDefault = '0.50';
/** A prepayment fee above 10 % of the prepaid principal is not a fee but a penalty for repaying. */
export const prepaymentFeeRateMax = '0.10';
