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
  paid_off: 'blue',
  settled: 'blue',
  closed: 'default',
  kept: 'green',
  pending: 'gold',
  draft: 'default',
  processing: 'processing',
  submitted: 'processing',
  running: 'processing',
  referred: 'gold',
  review: 'gold',
  pending_approval: 'gold',
  held_for_notice: 'gold',
  unknown: 'orange',
  overdue: 'volcano',
  rejected: 'red',
  failed: 'red',
  broken: 'red',
  written_off: 'magenta',
  cancelled: 'default',
  refused: 'red',
  expired: 'default',
  open: 'processing',
  disbursing: 'processing',
  disbursed: 'green',
};

/**
 * A state as a coloured tag, labelled from the `status` namespace (`status:<value>`) when a label
 * exists, else the raw value — so every module's states read the same everywhere.
 */
export function StatusTag({ value }: { value: string | null | undefined }) {
  const { t, i18n } = useTranslation('status');
  if (value === null || value === undefined) return <span>—</span>;
  const label = i18n.exists(`status:${value}`) ? t(value) : value;
  return <Tag color={colours[value] ?? 'default'}>{label}</Tag>;
}
