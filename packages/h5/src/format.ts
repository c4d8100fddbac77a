// How the H5 shows money, rates and dates. Amounts arrive as strings of integer minor units (fen)
// and are formatted with bigint arithmetic, never through a float.

/** "123456789" → "1,234,567.89"; "-5" → "-0.05". */
export function formatMoney(minor: string | bigint | null | undefined): string {
  if (minor === null || minor === undefined || minor === '') return '—';
  let value = typeof minor === 'bigint' ? minor : BigInt(minor);
  const negative = value < 0n;
  if (negative) value = -value;
  const units = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (value % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${units}.${cents}`;
}

/** "12345.6" or "12,345.60" typed by a user → minor units as a string; undefined if not an amount. */
export function parseMoney(input: string): string | undefined {
  const text = input.replaceAll(',', '').trim();
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (match === null) return undefined;
  const [, units = '0', cents = ''] = match;
  return (BigInt(units) * 100n + BigInt(cents.padEnd(2, '0'))).toString();
}

/** A rate given as a decimal fraction ("0.1440") → "14.40%", by string arithmetic (no float). */
export function formatRate(rate: string | null | undefined, digits = 2): string {
  if (rate === null || rate === undefined || rate === '') return '—';
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(rate.trim());
  if (match === null) return rate;
  const [, sign = '', whole = '0', fraction = ''] = match;
  const shifted = `${whole}${fraction.padEnd(2, '0').slice(0, 2)}`.replace(/^0+(?=\d)/, '');
  const rest = fraction.slice(2);
  // Round half up at `digits` decimals of the percentage.
  const kept = rest.padEnd(digits + 1, '0');
  let scaled = BigInt(`${shifted}${kept.slice(0, digits)}`);
  if (Number(kept[digits] ?? '0') >= 5) scaled += 1n;
  const text = scaled.toString().padStart(digits + 1, '0');
  const percent = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return `${sign}${percent}%`;
}

/** A percentage the API already wrote ("14.40" or "14.40%") → "14.40%". */
export function formatPercent(percent: string | null | undefined): string {
  if (percent === null || percent === undefined || percent === '') return '—';
  return percent.endsWith('%') ? percent : `${percent}%`;
}
