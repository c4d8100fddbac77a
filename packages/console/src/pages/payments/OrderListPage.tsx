import type { paths } from '@fenqi/api';
import { Button, Card, Form, Input, Select, Space, type TableProps, Tag } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useUrlFilters } from '../../components/useUrlFilters';

type Order = Schemas['PaymentOrder'];
type OrderQuery = NonNullable<paths['/api/v1/payments/orders']['get']['parameters']['query']>;

export const orderStates = [
  'created',
  'submitted',
  'processing',
  'unknown',
  'succeeded',
  'failed',
  'bounced',
] as const;
export const orderKinds = ['payout', 'collect', 'refund'] as const;
export const orderPurposes = [
  'disbursement',
  'merchant_settlement',
  'overpayment_return',
  'repayment',
  'collection_refund',
] as const;

const filterKeys = ['state', 'kind', 'purpose', 'channel', 'loanId', 'sourceRef'] as const;
type Filters = Partial<Record<(typeof filterKeys)[number], string>>;

/** Payment orders, newest first, filtered on the server. */
export default function OrderListPage() {
  const { t } = useTranslation('payments');
  const [filters, setFilters, filtered] = useUrlFilters(filterKeys);
  const [form] = Form.useForm<Filters>();
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(filters);
  }, [filters, form]);

  const columns: TableProps<Order>['columns'] = [
    {
      title: t('order.orderNo'),
      dataIndex: 'orderNo',
      render: (orderNo: string) => <Link to={`/payments/orders/${orderNo}`}>{orderNo}</Link>,
    },
    { title: t('order.kind'), dataIndex: 'kind', render: (kind: string) => <Tag>{t(`kind.${kind}`)}</Tag> },
    { title: t('order.purpose'), dataIndex: 'purpose', render: (purpose: string) => t(`purpose.${purpose}`) },
    {
      title: t('order.state'),
      dataIndex: 'state',
      render: (state: string) => <StatusTag value={state} ns="payments" />,
    },
    {
      title: t('order.amount'),
      dataIndex: 'amountMinor',
      align: 'right',
      render: (value: string) => <Money minor={value} strong />,
    },
    { title: t('order.channel'), dataIndex: 'channel' },
    {
      title: t('order.loan'),
      dataIndex: 'loanId',
      render: (loanId: string | null) =>
        loanId ? <Link to={`/loans/${loanId}`}>{loanId.slice(0, 8)}…</Link> : '—',
    },
    { title: t('order.businessDate'), dataIndex: 'businessDate' },
    { title: t('order.createdAt'), dataIndex: 'createdAt', render: (v: string) => <Instant value={v} /> },
    {
      title: t('order.finishedAt'),
      dataIndex: 'finishedAt',
      render: (v: string | null) => <Instant value={v} />,
    },
  ];

  return (
    <Page title={t('orders')}>
      <Card style={{ marginBottom: 16 }}>
        <Form
          form={form}
          layout="inline"
          onFinish={(values) => setFilters(values)}
          data-testid="order-filters"
        >
          <Form.Item name="state" label={t('order.state')}>
            <Select
              allowClear
              style={{ width: 140 }}
              aria-label={t('order.state')}
              options={orderStates.map((state) => ({ value: state, label: t(`status.${state}`) }))}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('order.kind')}>
            <Select
              allowClear
              style={{ width: 120 }}
              options={orderKinds.map((kind) => ({ value: kind, label: t(`kind.${kind}`) }))}
            />
          </Form.Item>
          <Form.Item name="purpose" label={t('order.purpose')}>
            <Select
              allowClear
              style={{ width: 160 }}
              options={orderPurposes.map((purpose) => ({ value: purpose, label: t(`purpose.${purpose}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="channel"
            label={t('order.channel')}
            rules={[{ pattern: /^[a-z][a-z0-9_]{0,31}$/, message: t('filter.channelInvalid') }]}
          >
            <Input allowClear style={{ width: 120 }} placeholder="simulated" />
          </Form.Item>
          <Form.Item name="loanId" label={t('order.loan')}>
            <Input allowClear style={{ width: 300 }} placeholder={t('filter.loanPlaceholder')} />
          </Form.Item>
          <Form.Item name="sourceRef" label={t('order.sourceRef')}>
            <Input allowClear style={{ width: 260 }} placeholder="loan:L…/disbursement" />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t('common:action.search')}
              </Button>
              <Button onClick={() => setFilters({})}>{t('common:action.reset')}</Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <ServerTable<Order>
        queryKey={['payments', 'orders', filters]}
        fetchPage={async (cursor, limit) => {
          const page = await unwrap(
            api.GET('/api/v1/payments/orders', {
              params: { query: { ...(filters as OrderQuery), before: cursor, limit } },
            }),
          );
          return { rows: page.orders, next: page.cursor };
        }}
        columns={columns}
        rowKey="orderNo"
        filtered={filtered}
        testId="order-table"
      />
    </Page>
  );
}
