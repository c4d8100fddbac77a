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

/** A table column of amounts, right-aligned (every money column of the console's tables). */
export function moneyColumn(title: string, dataIndex: string, options: { strong?: boolean } = {}) {
  return {
    title,
    dataIndex,
    align: 'right' as const,
    render: (v: string) => <Money minor={v} strong={options.strong} />,
  };
}
