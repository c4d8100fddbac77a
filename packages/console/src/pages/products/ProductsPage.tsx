import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Select, Space, type TableProps } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useUrlFilters } from '../../components/useUrlFilters';
import { pageOf, versionStatuses } from './shared';

type Version = Schemas['ProductVersion'];
type Status = (typeof versionStatuses)[number];
type Definition = {
  name?: { zh?: string; en?: string };
  method?: string;
  termsOffered?: number[];
  amountMinMinor?: string;
  amountMaxMinor?: string;
};

/** Product versions by code, newest first, paged and filtered on the server. */
export function VersionsTable({
  filter,
  filtered = false,
}: {
  filter: { code?: string; status?: Status };
  filtered?: boolean;
}) {
  const { t, i18n } = useTranslation('products');
  const columns: TableProps<Version>['columns'] = [
    {
      title: t('field.code'),
      dataIndex: 'code',
      render: (code: string, row) => (
        <Link to={`/products/versions/${row.id}`} data-testid={`product-${code}-${row.version}`}>
          {code} v{row.version}
        </Link>
      ),
    },
    {
      title: t('field.name'),
      key: 'name',
      render: (_, row) => {
        const name = (row.definition as Definition).name;
        return (i18n.language === 'en' ? name?.en : name?.zh) ?? '—';
      },
    },
    {
      title: t('field.status'),
      dataIndex: 'status',
      render: (value: string) => <StatusTag value={value} ns="products" />,
    },
    {
      title: t('field.method'),
      key: 'method',
      render: (_, row) => {
        const method = (row.definition as Definition).method;
        return method ? t(`method.${method}`) : '—';
      },
    },
    {
      title: t('field.termsOffered'),
      key: 'terms',
      render: (_, row) => ((row.definition as Definition).termsOffered ?? []).join(' / '),
    },
    {
      title: t('field.amounts'),
      key: 'amounts',
      align: 'right',
      render: (_, row) => {
        const d = row.definition as Definition;
        return (
          <span>
            <Money minor={d.amountMinMinor} /> – <Money minor={d.amountMaxMinor} />
          </span>
        );
      },
    },
    {
      title: t('field.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => <Instant value={value} />,
    },
    {
      title: t('field.publishedAt'),
      dataIndex: 'publishedAt',
      render: (value: string | null) => <Instant value={value} />,
    },
  ];
  return (
    <ServerTable<Version>
      testId="product-versions"
      queryKey={['products', 'versions', filter]}
      filtered={filtered}
      fetchPage={(cursor, limit) =>
        pageOf(
          (size) =>
            unwrap(
              api.GET('/api/v1/products', { params: { query: { ...filter, after: cursor, limit: size } } }),
            ),
          limit,
          (row) => row.id,
        )
      }
      columns={columns}
      rowKey="id"
    />
  );
}

export default function ProductsPage() {
  const { t } = useTranslation('products');
  const can = useCan();
  const navigate = useNavigate();
  const [filters, setFilters, filtered] = useUrlFilters(['code', 'status'] as const);
  const [form] = Form.useForm<{ code?: string; status?: string }>();
  useEffect(() => form.setFieldsValue({ code: filters.code, status: filters.status }), [filters, form]);
  const status = versionStatuses.find((value) => value === filters.status);
  return (
    <Page
      title={t('title')}
      extra={
        can('products:author') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => navigate('/products/new')}
            data-testid="product-new"
          >
            {t('action.newProduct')}
          </Button>
        )
      }
    >
      <Card>
        <Form
          form={form}
          layout="inline"
          onFinish={(values) => setFilters(values)}
          style={{ marginBottom: 16, rowGap: 8 }}
        >
          <Form.Item name="code" label={t('field.code')}>
            <Input allowClear style={{ width: 200 }} placeholder="pos-installment" />
          </Form.Item>
          <Form.Item name="status" label={t('field.status')}>
            <Select
              allowClear
              style={{ width: 160 }}
              options={versionStatuses.map((value) => ({ value, label: t(`status.${value}`) }))}
            />
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
        <VersionsTable
          filter={{ ...(filters.code ? { code: filters.code } : {}), ...(status ? { status } : {}) }}
          filtered={filtered}
        />
      </Card>
    </Page>
  );
}
