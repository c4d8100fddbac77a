import { type TableProps, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { moneyColumn } from '../../components/Money';
import { ServerTable } from '../../components/ServerTable';

type Callback = Schemas['PaymentCallbackPage']['callbacks'][number];

const outcomeColours: Record<string, string> = {
  applied: 'green',
  stale: 'default',
  conflict: 'red',
  amount_mismatch: 'red',
  unknown_order: 'orange',
};

/** The channel's notices about one order as Fenqi received them (each once, with its repeats). */
export function OrderCallbacks({ orderNo }: { orderNo: string }) {
  const { t } = useTranslation('payments');
  const columns: TableProps<Callback>['columns'] = [
    {
      title: t('callback.receivedAt'),
      dataIndex: 'receivedAt',
      render: (v: string) => <Instant value={v} />,
    },
    { title: t('callback.status'), dataIndex: 'status', render: (v: string) => <Tag>{v}</Tag> },
    {
      title: t('callback.outcome'),
      dataIndex: 'outcome',
      render: (outcome: string) => <Tag color={outcomeColours[outcome]}>{t(`outcome.${outcome}`)}</Tag>,
    },
    moneyColumn(t('callback.amount'), 'amountMinor'),
    { title: t('callback.txnId'), dataIndex: 'txnId' },
    { title: t('callback.repeats'), dataIndex: 'repeats', align: 'right' },
  ];
  return (
    <ServerTable<Callback>
      queryKey={['payments', 'orders', orderNo, 'callbacks']}
      fetchPage={async (cursor, limit) => {
        const page = await unwrap(
          api.GET('/api/v1/payments/callbacks', { params: { query: { orderNo, before: cursor, limit } } }),
        );
        return { rows: page.callbacks, next: page.next };
      }}
      columns={columns}
      rowKey={(row) => `${row.channel}:${row.txnId}:${row.status}`}
      pageSizes={[20, 50]}
      testId="callbacks-table"
    />
  );
}
