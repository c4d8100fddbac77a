import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Select, Space, type TableProps, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useUrlFilters } from '../../components/useUrlFilters';

type Loan = Schemas['Loan'];
export const loanStates = [
  'pending_disbursement',
  'active',
  'overdue',
  'paid_off',
  'written_off',
  'cancelled',
] as const;
type LoanState = (typeof loanStates)[number];

const filterKeys = ['state', 'customerId', 'merchantId', 'productCode', 'from', 'to'] as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function listLoans(
  query: {
    state?: LoanState;
    customerId?: string;
    merchantId?: string;
    productCode?: string;
    from?: string;
    to?: string;
  },
  cursor: string | undefined,
  limit: number,
) {
  return unwrap(api.GET('/api/v1/loans', { params: { query: { ...query, before: cursor, limit } } }));
}

type FilterForm = {
  state?: string;
  customerId?: string;
  merchantId?: string;
  productCode?: string;
  made?: [Dayjs | null, Dayjs | null] | null;
};

/** Loans, newest first, filtered on the server by state, customer, merchant, product and date made. */
export default function LoanListPage() {
  const { t } = useTranslation('loans');
  const can = useCan();
  const [filters, setFilters, filtered] = useUrlFilters(filterKeys);
  const [form] = Form.useForm<FilterForm>();
  const merchants = useQuery({
    queryKey: ['merchants', 'options'],
    queryFn: () => unwrap(api.GET('/api/v1/merchants', { params: { query: { limit: 200 } } })),
    enabled: can('merchants:read'),
    staleTime: 60_000,
  });
  const products = useQuery({
    queryKey: ['products', 'options'],
    queryFn: () => unwrap(api.GET('/api/v1/products')),
    enabled: can('products:read'),
    staleTime: 60_000,
  });
  const productCodes = [...new Set((products.data ?? []).map((version) => version.code))].sort();

  useEffect(() => {
    form.setFieldsValue({
      state: filters.state,
      customerId: filters.customerId,
      merchantId: filters.merchantId,
      productCode: filters.productCode,
      made:
        filters.from || filters.to
          ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]
          : null,
    });
  }, [filters, form]);

  const apply = (values: FilterForm) =>
    setFilters({
      state: values.state,
      customerId: values.customerId,
      merchantId: values.merchantId,
      productCode: values.productCode,
      from: values.made?.[0]?.format('YYYY-MM-DD'),
      to: values.made?.[1]?.format('YYYY-MM-DD'),
    });

  const columns: TableProps<Loan>['columns'] = [
    {
      title: t('field.loanNo'),
      dataIndex: 'loanNo',
      render: (loanNo: string, loan) => <Link to={`/loans/${loan.id}`}>{loanNo}</Link>,
    },
    {
      title: t('field.state'),
      dataIndex: 'state',
      render: (state: string) => <StatusTag value={state} ns="loans" />,
    },
    {
      title: t('field.product'),
      dataIndex: 'productCode',
      render: (code: string, loan) => `${code} v${loan.productVersion}`,
    },
    {
      title: t('field.principal'),
      dataIndex: 'principalMinor',
      align: 'right',
      render: (value: string) => <Money minor={value} />,
    },
    {
      title: t('field.outstandingPrincipal'),
      dataIndex: 'outstandingPrincipalMinor',
      align: 'right',
      render: (value: string) => <Money minor={value} />,
    },
    { title: t('field.termCount'), dataIndex: 'termCount', align: 'right' },
    { title: t('field.madeOn'), dataIndex: 'businessDate' },
    {
      title: t('field.disbursedOn'),
      dataIndex: 'disbursedOn',
      render: (value: string | null) => value ?? '—',
    },
    { title: t('field.maturityDate'), dataIndex: 'maturityDate' },
    {
      title: t('field.customer'),
      dataIndex: 'customerId',
      render: (id: string) => (
        <Typography.Text copyable={{ text: id }} title={id}>
          {id.slice(0, 8)}…
        </Typography.Text>
      ),
    },
  ];

  return (
    <Page title={t('title')}>
      <Card style={{ marginBottom: 16 }}>
        <Form form={form} layout="inline" onFinish={apply} data-testid="loan-filters">
          <Form.Item name="state" label={t('field.state')}>
            <Select
              allowClear
              style={{ width: 160 }}
              aria-label={t('field.state')}
              options={loanStates.map((state) => ({ value: state, label: t(`status.${state}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="customerId"
            label={t('field.customerId')}
            rules={[{ pattern: uuid, message: t('filter.customerIdInvalid') }]}
          >
            <Input allowClear style={{ width: 300 }} placeholder={t('filter.customerIdPlaceholder')} />
          </Form.Item>
          {can('merchants:read') && (
            <Form.Item name="merchantId" label={t('field.merchant')}>
              <Select
                allowClear
                showSearch
                optionFilterProp="label"
                style={{ width: 200 }}
                loading={merchants.isPending}
                options={(merchants.data?.merchants ?? []).map((merchant) => ({
                  value: merchant.id,
                  label: merchant.name,
                }))}
              />
            </Form.Item>
          )}
          {can('products:read') && (
            <Form.Item name="productCode" label={t('field.product')}>
              <Select
                allowClear
                style={{ width: 180 }}
                loading={products.isPending}
                options={productCodes.map((code) => ({ value: code, label: code }))}
              />
            </Form.Item>
          )}
          <Form.Item name="made" label={t('field.madeOn')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" data-testid="apply-filters">
                {t('common:action.search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilters({});
                }}
              >
                {t('common:action.reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <ServerTable<Loan>
        queryKey={['loans', 'list', filters]}
        fetchPage={async (cursor, limit) => {
          const page = await listLoans(
            { ...filters, state: filters.state as LoanState | undefined },
            cursor,
            limit,
          );
          return { rows: page.loans, next: page.next };
        }}
        columns={columns}
        rowKey="id"
        filtered={filtered}
        testId="loan-table"
      />
    </Page>
  );
}
