import { DiffOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Select, Space, type TableProps } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useUrlFilters } from '../../components/useUrlFilters';
import { pageOf } from './shared';

type Version = Schemas['PolicyVersion'];
const statuses = ['draft', 'published', 'retired'] as const;
const filterKeys = ['policyId', 'status'] as const;

export function listPolicyVersions(
  filter: { policyId?: string; status?: (typeof statuses)[number] },
  cursor: string | undefined,
  limit: number,
) {
  return pageOf(
    (size) =>
      unwrap(
        api.GET('/api/v1/risk/policies', { params: { query: { ...filter, after: cursor, limit: size } } }),
      ),
    limit,
    (row) => row.id,
  );
}

/** Policy versions by policy, newest first, with which one decides (champion, challenger). */
export default function PoliciesPage() {
  const { t } = useTranslation('risk');
  const can = useCan();
  const navigate = useNavigate();
  const [filters, setFilters, filtered] = useUrlFilters(filterKeys);
  const [form] = Form.useForm<{ policyId?: string; status?: string }>();
  useEffect(
    () => form.setFieldsValue({ policyId: filters.policyId, status: filters.status }),
    [filters, form],
  );
  const status = statuses.find((value) => value === filters.status);

  const columns: TableProps<Version>['columns'] = [
    {
      title: t('field.policy'),
      dataIndex: 'policyId',
      render: (policyId: string, row) => (
        <Link to={`/risk/policies/${row.id}`} data-testid={`policy-${policyId}-${row.version}`}>
          {policyId} v{row.version}
        </Link>
      ),
    },
    {
      title: t('field.status'),
      dataIndex: 'status',
      render: (value: string) => <StatusTag value={value} ns="risk" />,
    },
    {
      title: t('field.role'),
      dataIndex: 'role',
      render: (role: string | null) =>
        role === null ? (
          '—'
        ) : (
          <StatusTag value={role} ns="risk" colour={role === 'champion' ? 'blue' : 'purple'} />
        ),
    },
    {
      title: t('field.challengerShare'),
      dataIndex: 'challengerShareBp',
      align: 'right',
      render: (bp: number | null) => (bp === null ? '—' : `${(bp / 100).toFixed(2)}%`),
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
    <Page
      title={t('policies')}
      extra={
        <Space>
          <Button icon={<DiffOutlined />} onClick={() => navigate('/risk/policies/diff')}>
            {t('action.compare')}
          </Button>
          {can('risk:author') && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/risk/policies/new')}>
              {t('action.newDraft')}
            </Button>
          )}
        </Space>
      }
    >
      <Card>
        <Form
          form={form}
          layout="inline"
          onFinish={(values) => setFilters(values)}
          style={{ marginBottom: 16, rowGap: 8 }}
        >
          <Form.Item name="policyId" label={t('field.policyId')}>
            <Input allowClear placeholder="retail-credit" style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="status" label={t('field.status')}>
            <Select
              allowClear
              style={{ width: 160 }}
              options={statuses.map((value) => ({ value, label: t(`status.${value}`) }))}
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
        <ServerTable<Version>
          testId="policy-versions"
          queryKey={['risk', 'policies', filters]}
          filtered={filtered}
          fetchPage={(cursor, limit) =>
            listPolicyVersions(
              { ...(filters.policyId ? { policyId: filters.policyId } : {}), ...(status ? { status } : {}) },
              cursor,
              limit,
            )
          }
          columns={columns}
          rowKey="id"
        />
      </Card>
    </Page>
  );
}
