import { ApiProblem, type Schemas } from '../../api/client';

// What the merchants pages share: the scenarios and statuses the API knows, and how a scenario and
// a discount rate read.

export type Merchant = Schemas['Merchant'];
export type MerchantDetail = Schemas['MerchantDetail'];
export type Scenario = Merchant['scenario'];
export type MerchantStatus = Merchant['status'];

export const scenarios: Scenario[] = [
  'education',
  'travel',
  'home_renovation',
  'ecommerce',
  'medical_beauty',
  'electronics_3c',
  'other',
];
export const statuses: MerchantStatus[] = ['onboarding', 'active', 'suspended'];

export const statusColours: Record<MerchantStatus, string> = {
  onboarding: 'gold',
  active: 'green',
  suspended: 'red',
};

/** The command's Idempotency-Key (the client adds one too; the typed route requires the header). */
export { commandKey } from '../../api/client';

/** The API's label in the user's language ("教育" / "Education"). */
export function scenarioName(merchant: Pick<Merchant, 'scenarioLabel'>, language: string): string {
  return language === 'en' ? merchant.scenarioLabel.en : merchant.scenarioLabel.zh;
}

/** "0.035" → "3.5%": the decimal fraction exactly as given, shifted two places. */
export function discountPercent(rate: string): string {
  const [units = '0', decimals = ''] = rate.split('.');
  const digits = `${units}${decimals.padEnd(2, '0')}`;
  const whole = digits.slice(0, digits.length - (decimals.length > 2 ? decimals.length - 2 : 0));
  const fraction = decimals.length > 2 ? decimals.slice(2) : '';
  const percent = `${String(Number(whole))}${fraction === '' ? '' : `.${fraction}`}`;
  return `${percent}%`;
}

/** The discount rate's form, as the API checks it: 0 to 0.3, at most 6 decimals. */
export function isDiscountRate(value: string): boolean {
  return /^0(\.\d{1,6})?$/.test(value) && Number(value) <= 0.3;
}

/** A problem to show above a form: not one whose every complaint already sits on its field. */
export function formProblem(error: unknown): unknown {
  return error instanceof ApiProblem && error.errors.length > 0 && error.errors.every((e) => e.in === 'body')
    ? undefined
    : error;
}
