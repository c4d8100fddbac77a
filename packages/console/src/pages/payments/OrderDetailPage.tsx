import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Card,
  Descriptions,
  type DescriptionsProps,
  Space,
  Table,
  type TableProps,
  Tag,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { commandKey } from '../finance/shared';
import { OrderCallbacks } from './OrderCallbacks';

type OrderDetail = Schemas['PaymentOrderDetail'];
type Transition = OrderDetail['transitions'][number];

/** One payment order: its figures, every state it went through and the channel's callbacks. */
export default function OrderDetailPage() {
  const { orderNo = '' } = useParams();
  const order = useQuery({
    queryKey: ['payments', 'orders', orderNo, 'detail'],
    queryFn: () => unwrap(api.GET('/api/v1/payments/orders/{orderNo}', { params: { path: { orderNo } } })),
  });
  return <QueryState query={order}>{(data) => <OrderDetailView order={data} />}</QueryState>;
}

function OrderDetailView({ order }: { order: OrderDetail }) {
  const { t } = useTranslation('payments');
  const can = useCan();
  const queries = useQueryClient();
  const unresolved = ['submitted', 'processing', 'unknown'].includes(order.state);
  const query = useCommand(
    () =>
      unwrap(
        api.POST('/api/v1/payments/orders/{orderNo}/query', {
          params: { path: { orderNo: order.orderNo }, header: commandKey() },
        }),
      ),
    { invalidates: [['payments', 'orders', order.orderNo]], success: t('detail.queried') },
  );
  const items: DescriptionsProps['items'] = [
    {
      key: 'orderNo',
      label: t('order.orderNo'),
      children: <Typography.Text copyable>{order.orderNo}</Typography.Text>,
    },
    { key: 'state', label: t('order.state'), children: <StatusTag value={order.state} ns="payments" /> },
    { key: 'kind', label: t('order.kind'), children: t(`kind.${order.kind}`) },
    { key: 'purpose', label: t('order.purpose'), children: t(`purpose.${order.purpose}`) },
    {
      key: 'amount',
      label: t('order.amount'),
      children: <Money minor={order.amountMinor} currency={order.currency} strong />,
    },
    { key: 'channel', label: t('order.channel'), children: order.channel },
    { key: 'channelTxnId', label: t('order.channelTxnId'), children: order.channelTxnId ?? '—' },
    { key: 'sourceRef', label: t('order.sourceRef'), children: order.sourceRef },
    {
      key: 'loan',
      label: t('order.loan'),
      children: order.loanId ? <Link to={`/loans/${order.loanId}`}>{order.loanId}</Link> : '—',
    },
    { key: 'account', label: t('order.account'), children: order.accountNoMasked ?? '—' },
    {
      key: 'failure',
      label: t('order.failure'),
      children: order.failureCode ? `${order.failureCode} ${order.failureMessage ?? ''}` : '—',
    },
    {
      key: 'settled',
      label: t('order.settledEntry'),
      children: order.settledEntryId ? (
        <Link to={`/finance/entries/${order.settledEntryId}`}>#{order.settledEntryId}</Link>
      ) : (
        '—'
      ),
    },
    {
      key: 'bounced',
      label: t('order.bouncedEntry'),
      children: order.bouncedEntryId ? (
        <Link to={`/finance/entries/${order.bouncedEntryId}`}>#{order.bouncedEntryId}</Link>
      ) : (
        '—'
      ),
    },
    { key: 'businessDate', label: t('order.businessDate'), children: order.businessDate },
    { key: 'created', label: t('order.createdAt'), children: <Instant value={order.createdAt} /> },
    { key: 'finished', label: t('order.finishedAt'), children: <Instant value={order.finishedAt} /> },
  ];
  const columns: TableProps<Transition>['columns'] = [
    { title: '#', dataIndex: 'seq', width: 48 },
    {
      title: t('transition.change'),
      key: 'change',
      render: (_, row) => (
        <Space size={4}>
          <StatusTag value={row.from} ns="payments" />→<StatusTag value={row.to} ns="payments" />
        </Space>
      ),
    },
    {
      title: t('transition.source'),
      dataIndex: 'source',
      render: (source: string) => <Tag>{t(`source.${source}`)}</Tag>,
    },
    {
      title: t('transition.channelStatus'),
      dataIndex: 'channelStatus',
      render: (v: string | null) => v ?? '—',
    },
    { title: t('transition.code'), dataIndex: 'code', render: (v: string | null) => v ?? '—' },
    { title: t('transition.at'), dataIndex: 'at', render: (v: string) => <Instant value={v} /> },
  ];
  return (
    <Page
      title={t('detail.title', { orderNo: order.orderNo })}
      extra={
        <Space>
          {unresolved && can('payments:manage') && (
            <Button
              icon={<SearchOutlined />}
              loading={query.isPending}
              onClick={() => query.mutate(undefined)}
            >
              {t('detail.queryNow')}
            </Button>
          )}
          <Button
            icon={<ReloadOutlined />}
            onClick={() =>
              void queries.invalidateQueries({ queryKey: ['payments', 'orders', order.orderNo] })
            }
          >
            {t('common:action.refresh')}
          </Button>
        </Space>
      }
    >
      {query.isError && <ProblemAlert error={query.error} />}
      <Card style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 3 }}
          items={items}
          data-testid="order-overview"
        />
      </Card>
      <Card title={t('detail.transitions')} size="small" style={{ marginBottom: 16 }}>
        <Table<Transition>
          size="small"
          rowKey="seq"
          columns={columns}
          dataSource={order.transitions}
          pagination={false}
          data-testid="transitions-table"
        />
      </Card>
      <Card title={t('detail.callbacks')} size="small">
        <OrderCallbacks orderNo={order.orderNo} />
      </Card>
    </Page>
  );
}
