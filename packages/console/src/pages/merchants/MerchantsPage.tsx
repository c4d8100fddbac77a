import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { type RowPage, ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useUrlFilters } from '../../components/useUrlFilters';
import { MerchantForm } from './MerchantForm';
import {
  discountPercent,
  type Merchant,
  type MerchantStatus,
  type Scenario,
  scenarioName,
  scenarios,
  statusColours,
  statuses,
} from './shared';

// Merchants, newest first, filtered on the server by status and scenario (kept in the URL). Staff
// with merchants:manage register a merchant here; it starts in onboarding.

const keys = ['status', 'scenario'] as const;

export default function MerchantsPage() {
  const { t, i18n } = useTranslation('merchants');
  const can = useCan();
  const navigate = useNavigate();
  const [filters, setFilters, filtered] = useUrlFilters(keys);
  const [form] = Form.useForm();
  const [creating, setCreating] = useState(false);
  const query = {
    ...(statuses.includes(filters.status as MerchantStatus)
      ? { status: filters.status as MerchantStatus }
      : {}),
    ...(scenarios.includes(filters.scenario as Scenario) ? { scenario: filters.scenario as Scenario } : {}),
  };
  const fetchPage = async (cursor: string | undefined, limit: number): Promise<RowPage<Merchant>> => {
    const page = await unwrap(
      api.GET('/api/v1/merchants', {
        params: { query: { ...query, limit, ...(cursor ? { before: cursor } : {}) } },
      }),
    );
    return { rows: page.merchants, next: page.cursor };
  };

  return (
    <Page
      title={t('title')}
      extra={
        can('merchants:manage') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="create-merchant"
          >
            {t('create.button')}
          </Button>
        )
      }
    >
      <Form
        form={form}
        layout="inline"
        initialValues={filters}
        onFinish={(values) => setFilters(values)}
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="status" label={t('field.status')}>
          <Select
            allowClear
            style={{ width: 140 }}
            options={statuses.map((value) => ({ value, label: t(`status.${value}`) }))}
            data-testid="filter-status"
          />
        </Form.Item>
        <Form.Item name="scenario" label={t('field.scenario')}>
          <Select
            allowClear
            style={{ width: 160 }}
            options={scenarios.map((value) => ({ value, label: t(`scenario.${value}`) }))}
            data-testid="filter-scenario"
          />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" data-testid="filter-submit">
            {t('common:action.search')}
          </Button>
          <Button
            onClick={() => {
              form.setFieldsValue({ status: undefined, scenario: undefined });
              setFilters({});
            }}
          >
            {t('common:action.reset')}
          </Button>
        </Space>
      </Form>
      <ServerTable<Merchant>
        testId="merchants-table"
        queryKey={['merchants', query]}
        fetchPage={fetchPage}
        rowKey="id"
        filtered={filtered}
        onRow={(row) => ({ onClick: () => navigate(`/merchants/${row.id}`), style: { cursor: 'pointer' } })}
        columns={[
          {
            title: t('field.name'),
            dataIndex: 'name',
            render: (name: string, row) => (
              <Link to={`/merchants/${row.id}`} data-testid="merchant-link">
                {name}
              </Link>
            ),
          },
          { title: t('field.legalName'), dataIndex: 'legalName' },
          {
            title: t('field.scenario'),
            dataIndex: 'scenario',
            render: (_: string, row) => scenarioName(row, i18n.language),
          },
          {
            title: t('field.status'),
            dataIndex: 'status',
            render: (status: MerchantStatus) => (
              <StatusTag value={status} ns="merchants" colour={statusColours[status]} />
            ),
          },
          {
            title: t('field.discountRate'),
            dataIndex: 'discountRate',
            align: 'right',
            render: (rate: string) => discountPercent(rate),
          },
          {
            title: t('field.products'),
            dataIndex: 'productCodes',
            render: (codes: string[]) =>
              codes.length === 0 ? (
                <Typography.Text type="secondary">{t('field.noProducts')}</Typography.Text>
              ) : (
                codes.map((code) => <Tag key={code}>{code}</Tag>)
              ),
          },
          {
            title: t('field.settlementAccount'),
            dataIndex: 'settlementAccountMasked',
            render: (masked: string | null, row) =>
              masked === null ? (
                <Typography.Text type="secondary">{t('field.noAccount')}</Typography.Text>
              ) : (
                <span>
                  {masked} <Typography.Text type="secondary">{row.settlementBankName}</Typography.Text>
                </span>
              ),
          },
          {
            title: t('field.createdAt'),
            dataIndex: 'createdAt',
            render: (value: string) => <Instant value={value} />,
          },
        ]}
      />
      <MerchantForm
        open={creating}
        onClose={() => setCreating(false)}
        onSaved={(merchant) => {
          setCreating(false);
          navigate(`/merchants/${merchant.id}`);
        }}
      />
    </Page>
  );
}
