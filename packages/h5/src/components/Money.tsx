import { formatMoney } from '../format';

/** An amount in minor units (fen), with thousands separators and two decimals: "1,234.56". */
export function Money({
  minor,
  prefix = '¥',
  strong,
  testId,
}: {
  minor: string | bigint | null | undefined;
  prefix?: string;
  strong?: boolean;
  testId?: string;
}) {
  return (
    <span className={strong ? 'money money-strong' : 'money'} data-testid={testId}>
      {minor === null || minor === undefined ? '—' : `${prefix}${formatMoney(minor)}`}
    </span>
  );
}
