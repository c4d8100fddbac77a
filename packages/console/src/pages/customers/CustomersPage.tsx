import { SearchOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusTag } from '../../components/StatusTag';
import { kycColours } from './kyc';

// Customer search through the blind indexes: an exact phone, ID number or card number, sent in the
// body of a POST so that personal data never lands in a URL (docs/security.md, "Blind indexes").
// For the same reason the search is kept in the page's state, not in the address bar. Results are
// masked; an exact match finds at most a handful of profiles, so the answer is one short list.

type By = 'phone' | 'idNumber' | 'cardNumber';
type Search = { by: By; value: string };

// The API's own checks, so that a typo is caught before it is sent.
const patterns: Record<By, RegExp> = {
  phone: /^1[3-9]\d{9}$/,
  idNumber: /^\d{17}[\dXx]$/,
  cardNumber: /^\d{16,19}$/,
};

export default function CustomersPage() {
  const { t } = useTranslation('customers');
  const navigate = useNavigate();
  const [form] = Form.useForm<Search>();
  const [search, setSearch] = useState<Search | undefined>();
  const by = Form.useWatch('by', form) ?? 'phone';
  const results = useQuery({
    queryKey: ['customers-search', search],
    enabled: search !== undefined,
    queryFn: () =>
      unwrap(
        api.POST('/api/v1/customers/search', {
          body: search === undefined ? {} : { [search.by]: search.value },
        }),
      ),
  });

  return (
    <Page title={t('title')}>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form<Search>
          form={form}
          layout="inline"
          initialValues={{ by: 'phone' }}
          onFinish={(values) => {
            const value = values.value.replace(/[\s-]/g, '').toUpperCase();
            setSearch({ by: values.by, value });
          }}
          style={{ rowGap: 8 }}
        >
          <Form.Item name="by" label={t('search.by')}>
            <Select
              style={{ width: 140 }}
              onChange={() => form.setFields([{ name: 'value', errors: [] }])}
              options={(['phone', 'idNumber', 'cardNumber'] as const).map((value) => ({
                value,
                label: t(`search.${value}`),
              }))}
              data-testid="search-by"
            />
          </Form.Item>
          <Form.Item
            name="value"
            rules={[
              { required: true, message: t('search.required') },
              {
                validator: async (_, value: string | undefined) => {
                  const text = (value ?? '').replace(/[\s-]/g, '');
                  if (text !== '' && !patterns[by].test(text)) throw new Error(t(`search.invalid.${by}`));
                },
              },
            ]}
          >
            <Input
              allowClear
              autoComplete="off"
              style={{ width: 280 }}
              placeholder={t(`search.placeholder.${by}`)}
              data-testid="search-value"
            />
          </Form.Item>
          <Space>
            <Button
              type="primary"
              htmlType="submit"
              icon={<SearchOutlined />}
              loading={results.isFetching}
              data-testid="search-submit"
            >
              {t('common:action.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setSearch(undefined);
              }}
            >
              {t('common:action.reset')}
            </Button>
          </Space>
        </Form>
        <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0' }}>
          {t('search.note')}
        </Typography.Paragraph>
      </Card>
      {search === undefined ? (
        <Card>
          <Empty description={t('search.prompt')} />
        </Card>
      ) : results.isError ? (
        <ProblemAlert error={results.error} onRetry={() => void results.refetch()} />
      ) : (
        <Table<Schemas['Customer']>
          data-testid="search-results"
          size="middle"
          rowKey="id"
          loading={results.isFetching}
          dataSource={results.data ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: <Empty description={t('search.none')} /> }}
          onRow={(row) => ({
            onClick: () => navigate(`/customers/${row.id}`),
            style: { cursor: 'pointer' },
          })}
          columns={[
            {
              title: t('field.name'),
              dataIndex: 'nameMasked',
              render: (name: string, row) => (
                <Link to={`/customers/${row.id}`} data-testid="customer-link">
                  {name}
                </Link>
              ),
            },
            { title: t('field.idNumber'), dataIndex: 'idNumberMasked' },
            { title: t('field.phone'), dataIndex: 'phoneMasked' },
            {
              title: t('field.kycLevel'),
              key: 'kyc',
              render: (_: unknown, row) => (
                <StatusTag value={row.kyc.level} ns="customers" colour={kycColours[row.kyc.level]} />
              ),
            },
            {
              title: t('field.createdAt'),
              dataIndex: 'createdAt',
              render: (value: string) => <Instant value={value} />,
            },
          ]}
        />
      )}
    </Page>
  );
}
