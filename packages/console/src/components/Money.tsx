import { formatMoney } from '../format';

/** An amount in minor units, with thousands separators and two decimals. */
export function Money({
  minor,
  currency,
  strong,
}: {
  minor: string | bigint | null | undefined;
  currency?: string;
  strong?: boolean;
}) {
  const text = formatMoney(minor, currency);
  return <span className={strong ? 'money money-strong' : 'money'}>{text}</span>;
}
