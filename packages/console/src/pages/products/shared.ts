import type { RowPage } from '../../components/ServerTable';
import { minorToDecimal, parseMoney } from '../../format';

// The product editor's form and the definition the API takes (docs/products.md): rates are typed
// as percentages and money in yuan, as an operator reads them, and written as the API's decimal
// fractions and fen. A value that does not convert is passed as typed, so the server names it.

export async function pageOf<T>(
  fetch: (limit: number) => Promise<T[]>,
  limit: number,
  cursorOf: (row: T) => string,
): Promise<RowPage<T>> {
  const rows = await fetch(limit + 1);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { rows: rows.slice(0, limit), next: last === undefined ? null : cursorOf(last) };
}

export { commandKey } from '../../api/client';

export const methods = [
  'equal_installment',
  'equal_principal',
  'interest_first',
  'flat_fee',
  'bullet',
  'daily',
] as const;
export type Method = (typeof methods)[number];
export const priceKinds = ['annual_rate', 'period_fee_rate'] as const;
export const versionStatuses = ['draft', 'pending', 'published', 'retired'] as const;

const percentPattern = /^(\d{1,4})(?:\.(\d{1,10}))?$/;

/** "12.5" (%) → "0.125"; anything else is returned as typed. */
export function percentToFraction(text: string | undefined): string {
  const value = (text ?? '').trim();
  const match = percentPattern.exec(value);
  if (match === null) return value;
  const [, whole = '0', fraction = ''] = match;
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
  const point = digits.length - fraction.length - 2;
  const joined =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return joined.replace(/\.$/, '').replace(/^0+(?=\d)/, '');
}

/** "0.1200" → "12.00" (%); anything else as it is. */
export function fractionToPercent(text: string | undefined): string {
  const value = (text ?? '').trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (match === null) return value;
  const [, whole = '0', fraction = ''] = match;
  const digits = `${whole}${fraction.padEnd(2, '0')}`;
  const point = whole.length + 2;
  const head = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  const tail = digits.slice(point);
  return tail === '' ? head : `${head}.${tail}`;
}

const yuanToFen = (text: string | undefined) => parseMoney(text ?? '') ?? (text ?? '').trim();
const fenToYuan = (fen: unknown) =>
  typeof fen === 'string' && /^\d+$/.test(fen) ? minorToDecimal(fen) : String(fen ?? '');

export type PriceRow = { grade?: string; kind?: (typeof priceKinds)[number]; rate?: string };
export type DiscountRow = { term?: number; rate?: string };

export type ProductForm = {
  code?: string;
  nameZh?: string;
  nameEn?: string;
  method?: Method;
  frequency?: string;
  termsOffered?: number[];
  prices?: PriceRow[];
  amountMin?: string;
  amountMax?: string;
  upfrontFeeKind?: 'none' | 'rate' | 'fixed';
  upfrontFeeRate?: string;
  upfrontFeeAmount?: string;
  upfrontFeeMode?: 'deducted' | 'financed';
  periodFee?: string;
  graceDays?: number;
  penaltyMarkup?: string;
  prepaymentAllowed?: boolean;
  prepaymentFeeRate?: string;
  prepaymentMinTermsPaid?: number | null;
  dayCount?: string;
  interestPeriod?: string;
  remainder?: string;
  rounding?: string;
  revolving?: boolean;
  coolingOffDays?: number;
  postingBasis?: string;
  merchantDiscount?: DiscountRow[];
};

export const newProductForm: ProductForm = {
  method: 'equal_installment',
  frequency: 'monthly',
  termsOffered: [3, 6, 12],
  prices: [{ grade: 'A', kind: 'annual_rate', rate: '12' }],
  amountMin: '1000.00',
  amountMax: '50000.00',
  upfrontFeeKind: 'none',
  upfrontFeeMode: 'deducted',
  graceDays: 3,
  penaltyMarkup: '50',
  prepaymentAllowed: true,
  dayCount: 'ACT_360',
  remainder: 'last_principal',
  rounding: 'half_up',
  revolving: false,
  coolingOffDays: 7,
  postingBasis: 'accrual',
  merchantDiscount: [],
};

type Definition = Record<string, unknown>;

/** The definition the form describes; `kept` carries fields the form does not edit (allocationOrder). */
export function definitionOf(form: ProductForm, kept: Definition = {}): Definition {
  const definition: Definition = { ...kept };
  definition.code = (form.code ?? '').trim();
  definition.name = { zh: (form.nameZh ?? '').trim(), en: (form.nameEn ?? '').trim() };
  definition.method = form.method;
  if (form.frequency) definition.frequency = form.frequency;
  definition.termsOffered = [...(form.termsOffered ?? [])].sort((a, b) => a - b);
  definition.prices = (form.prices ?? []).map((row) => ({
    grade: (row?.grade ?? '').trim(),
    kind: row?.kind,
    rate: percentToFraction(row?.rate),
  }));
  if (form.dayCount) definition.dayCount = form.dayCount;
  if (form.interestPeriod) definition.interestPeriod = form.interestPeriod;
  else delete definition.interestPeriod;
  if (form.remainder) definition.remainder = form.remainder;
  if (form.rounding) definition.rounding = form.rounding;
  delete definition.upfrontFee;
  delete definition.upfrontFeeMode;
  if (form.upfrontFeeKind === 'rate')
    definition.upfrontFee = { kind: 'rate', rate: percentToFraction(form.upfrontFeeRate) };
  if (form.upfrontFeeKind === 'fixed')
    definition.upfrontFee = { kind: 'fixed', amountMinor: yuanToFen(form.upfrontFeeAmount) };
  if (form.upfrontFeeKind === 'rate' || form.upfrontFeeKind === 'fixed')
    definition.upfrontFeeMode = form.upfrontFeeMode ?? 'deducted';
  if (form.periodFee && form.periodFee.trim() !== '') definition.periodFeeMinor = yuanToFen(form.periodFee);
  else delete definition.periodFeeMinor;
  if (form.graceDays !== undefined && form.graceDays !== null) definition.graceDays = form.graceDays;
  if (form.penaltyMarkup) definition.penaltyMarkup = percentToFraction(form.penaltyMarkup);
  definition.prepayment =
    form.prepaymentAllowed === false
      ? { allowed: false }
      : {
          allowed: true,
          ...(form.prepaymentFeeRate ? { feeRate: percentToFraction(form.prepaymentFeeRate) } : {}),
          ...(form.prepaymentMinTermsPaid ? { minTermsPaid: form.prepaymentMinTermsPaid } : {}),
        };
  definition.amountMinMinor = yuanToFen(form.amountMin);
  definition.amountMaxMinor = yuanToFen(form.amountMax);
  definition.revolving = form.revolving === true;
  if (form.coolingOffDays !== undefined && form.coolingOffDays !== null)
    definition.coolingOffDays = form.coolingOffDays;
  const discounts = (form.merchantDiscount ?? []).filter((row) => row?.term !== undefined);
  if (discounts.length > 0)
    definition.merchantDiscount = Object.fromEntries(
      discounts.map((row) => [String(row.term), percentToFraction(row.rate)]),
    );
  else delete definition.merchantDiscount;
  if (form.postingBasis) definition.postingBasis = form.postingBasis;
  return definition;
}

/** The form of a stored definition, and the fields it keeps without editing them. */
export function formOf(definition: Definition): { form: ProductForm; kept: Definition } {
  const d = definition as {
    code?: string;
    name?: { zh?: string; en?: string };
    method?: Method;
    frequency?: string;
    termsOffered?: number[];
    prices?: { grade: string; kind: PriceRow['kind']; rate: string }[];
    dayCount?: string;
    interestPeriod?: string;
    remainder?: string;
    rounding?: string;
    upfrontFee?: { kind: 'rate'; rate: string } | { kind: 'fixed'; amountMinor: string };
    upfrontFeeMode?: 'deducted' | 'financed';
    periodFeeMinor?: string;
    graceDays?: number;
    penaltyMarkup?: string;
    prepayment?: { allowed: boolean; feeRate?: string; minTermsPaid?: number };
    amountMinMinor?: string;
    amountMaxMinor?: string;
    revolving?: boolean;
    coolingOffDays?: number;
    merchantDiscount?: Record<string, string>;
    postingBasis?: string;
  };
  const form: ProductForm = {
    code: d.code,
    nameZh: d.name?.zh,
    nameEn: d.name?.en,
    method: d.method,
    frequency: d.frequency ?? 'monthly',
    termsOffered: d.termsOffered ?? [],
    prices: (d.prices ?? []).map((price) => ({
      grade: price.grade,
      kind: price.kind,
      rate: fractionToPercent(price.rate),
    })),
    amountMin: fenToYuan(d.amountMinMinor),
    amountMax: fenToYuan(d.amountMaxMinor),
    upfrontFeeKind: d.upfrontFee?.kind ?? 'none',
    upfrontFeeRate: d.upfrontFee?.kind === 'rate' ? fractionToPercent(d.upfrontFee.rate) : undefined,
    upfrontFeeAmount: d.upfrontFee?.kind === 'fixed' ? fenToYuan(d.upfrontFee.amountMinor) : undefined,
    upfrontFeeMode: d.upfrontFeeMode ?? 'deducted',
    periodFee: d.periodFeeMinor === undefined ? undefined : fenToYuan(d.periodFeeMinor),
    graceDays: d.graceDays ?? 0,
    penaltyMarkup: fractionToPercent(d.penaltyMarkup ?? '0.50'),
    prepaymentAllowed: d.prepayment?.allowed ?? true,
    prepaymentFeeRate:
      d.prepayment?.feeRate === undefined ? undefined : fractionToPercent(d.prepayment.feeRate),
    prepaymentMinTermsPaid: d.prepayment?.minTermsPaid ?? null,
    dayCount: d.dayCount ?? 'ACT_360',
    interestPeriod: d.interestPeriod,
    remainder: d.remainder ?? 'last_principal',
    rounding: d.rounding ?? 'half_up',
    revolving: d.revolving ?? false,
    coolingOffDays: d.coolingOffDays ?? 0,
    postingBasis: d.postingBasis ?? 'accrual',
    merchantDiscount: Object.entries(d.merchantDiscount ?? {}).map(([term, rate]) => ({
      term: Number(term),
      rate: fractionToPercent(rate),
    })),
  };
  const edited = new Set([
    'code',
    'name',
    'method',
    'frequency',
    'termsOffered',
    'prices',
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
    'amountMinMinor',
    'amountMaxMinor',
    'revolving',
    'coolingOffDays',
    'merchantDiscount',
    'postingBasis',
  ]);
  const kept = Object.fromEntries(Object.entries(definition).filter(([key]) => !edited.has(key)));
  return { form, kept };
}

const simpleFields: Record<string, keyof ProductForm> = {
  code: 'code',
  method: 'method',
  frequency: 'frequency',
  termsOffered: 'termsOffered',
  amountMinMinor: 'amountMin',
  amountMaxMinor: 'amountMax',
  upfrontFee: 'upfrontFeeKind',
  upfrontFeeMode: 'upfrontFeeMode',
  periodFeeMinor: 'periodFee',
  graceDays: 'graceDays',
  penaltyMarkup: 'penaltyMarkup',
  prepayment: 'prepaymentAllowed',
  dayCount: 'dayCount',
  interestPeriod: 'interestPeriod',
  remainder: 'remainder',
  rounding: 'rounding',
  revolving: 'revolving',
  coolingOffDays: 'coolingOffDays',
  postingBasis: 'postingBasis',
};

/** The form field a server error at `definition/…` belongs to (undefined: shown in the alert only). */
export function fieldOf(path: string, form: ProductForm): (string | number)[] | undefined {
  const parts = path.replace(/^definition\/?/, '').split('/');
  const [head = '', second, third] = parts;
  if (head === 'name') return second === 'en' ? ['nameEn'] : ['nameZh'];
  if (head === 'prices' && second !== undefined && /^\d+$/.test(second))
    return ['prices', Number(second), third === 'kind' || third === 'grade' ? third : 'rate'];
  if (head === 'upfrontFee' && second === 'rate') return ['upfrontFeeRate'];
  if (head === 'upfrontFee' && second === 'amountMinor') return ['upfrontFeeAmount'];
  if (head === 'prepayment' && second === 'feeRate') return ['prepaymentFeeRate'];
  if (head === 'prepayment' && second === 'minTermsPaid') return ['prepaymentMinTermsPaid'];
  if (head === 'merchantDiscount' && second !== undefined) {
    const index = (form.merchantDiscount ?? []).findIndex((row) => String(row?.term) === second);
    return index < 0 ? undefined : ['merchantDiscount', index, 'rate'];
  }
  const simple = simpleFields[head];
  return simple === undefined ? undefined : [simple];
}
