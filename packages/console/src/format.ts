// How the console shows money, dates and ratios. Amounts arrive as strings of integer minor
// units (fen) and are formatted with bigint arithmetic, never through a float.

/** 123456789 → "1,234,567.89"; "-5" → "-0.05". */
export function formatMoney(minor: string | bigint | null | undefined, currency?: string): string {
  if (minor === null || minor === undefined || minor === '') return '—';
  let value = typeof minor === 'bigint' ? minor : BigInt(minor);
  const negative = value < 0n;
  if (negative) value = -value;
  const units = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (value % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${currency ? `${currency} ` : ''}${units}.${cents}`;
}

/** "12345.6" or "12,345.60" typed by a user → minor units as a string; undefined if not an amount. */
export function parseMoney(input: string): string | undefined {
  const text = input.replaceAll(',', '').trim();
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (match === null) return undefined;
  const [, units = '0', cents = ''] = match;
  return (BigInt(units) * 100n + BigInt(cents.padEnd(2, '0'))).toString();
}

/** Minor units → the decimal string the API's amount fields take ("1234.50"). */
export function minorToDecimal(minor: string): string {
  return formatMoney(minor).replaceAll(',', '');
}

/** A ratio given as a decimal string ("0.0312") → "3.12%". */
export function formatRatio(ratio: string | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || ratio === '') return '—';
  const value = Number(ratio) * 100;
  return `${value.toFixed(digits)}%`;
}

export const businessTimeZone = 'Asia/Shanghai';

/** An instant (ISO 8601, UTC) shown in the business time zone: "2026-12-01 10:32:05". */
export function formatInstant(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: businessTimeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

export function formatCount(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
