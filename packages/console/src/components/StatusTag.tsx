import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

const colours: Record<string, string> = {
  active: 'green',
  current: 'green',
  approved: 'green',
  succeeded: 'green',
  delivered: 'green',
  published: 'green',
  accepted: 'green',
  completed: 'green',
  kept: 'green',
  disbursed: 'green',
  paid_off: 'blue',
  settled: 'blue',
  closed: 'default',
  pending: 'gold',
  draft: 'default',
  processing: 'processing',
  submitted: 'processing',
  running: 'processing',
  open: 'processing',
  disbursing: 'processing',
  referred: 'gold',
  review: 'gold',
  pending_approval: 'gold',
  held_for_notice: 'gold',
  unknown: 'orange',
  overdue: 'volcano',
  rejected: 'red',
  failed: 'red',
  broken: 'red',
  refused: 'red',
  written_off: 'magenta',
  cancelled: 'default',
  expired: 'default',
};

/**
 * A state as a coloured tag. The label is `<ns>:status.<value>` from the area's namespace, else
 * `common:status.<value>`, else the raw value — so states read the same wherever they appear.
 */
export function StatusTag({
  value,
  ns,
  colour,
}: {
  value: string | null | undefined;
  ns?: string;
  colour?: string;
}) {
  const { t, i18n } = useTranslation();
  if (value === null || value === undefined) return <span>—</span>;
  const key =
    ns !== undefined && i18n.exists(`${ns}:status.${value}`)
      ? `${ns}:status.${value}`
      : `common:status.${value}`;
  const label = i18n.exists(key) ? t(key) : value;
  return <Tag color={colour ?? colours[value] ?? 'default'}>{label}</Tag>;
}
