import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Button, Checkbox, Form, Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useStaff } from '../../auth/session';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { useUrlFilters } from '../../components/useUrlFilters';
import { buckets, type Case, type CaseFilters, caseColumns, caseStates, fetchCases } from './shared';

// Every queue's cases (a manager's view): filtered on the server by queue, assignee, state, bucket
// and open/closed. The queue choices are the queues the strategies route to.

const keys = ['state', 'bucket', 'queue', 'agentId', 'open'] as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function CasesPage() {
  const { t } = useTranslation('collections');
  const staff = useStaff();
  const navigate = useNavigate();
  const [filters, setFilters, filtered] = useUrlFilters(keys);
  const [form] = Form.useForm();
  const strategies = useQuery({
    queryKey: ['collections-strategies'],
    queryFn: () => unwrap(api.GET('/api/v1/collections/strategies')),
    staleTime: 60_000,
  });
  const queues = [
    ...new Set((strategies.data ?? []).flatMap((s) => s.definition.rules.map((r) => r.queue))),
  ].sort();
  const query: CaseFilters = {
    ...(filters.state ? { state: filters.state as Case['state'] } : {}),
    ...(filters.bucket ? { bucket: filters.bucket as CaseFilters['bucket'] } : {}),
    ...(filters.queue ? { queue: filters.queue } : {}),
    ...(filters.agentId && uuid.test(filters.agentId) ? { agentId: filters.agentId } : {}),
    ...(filters.open === 'true' || filters.open === 'false' ? { open: filters.open } : {}),
  };
  return (
    <Page title={t('casesPage.title')}>
      <Form
        form={form}
        layout="inline"
        initialValues={{ ...filters, mine: filters.agentId === staff.user.id }}
        onFinish={({ mine, ...values }) =>
          setFilters({ ...values, agentId: mine ? staff.user.id : values.agentId })
        }
        style={{ marginBottom: 16, rowGap: 8 }}
      >
        <Form.Item name="queue" label={t('filter.queue')}>
          <AutoComplete
            allowClear
            style={{ width: 160 }}
            options={queues.map((q) => ({ value: q }))}
            data-testid="filter-queue"
          />
        </Form.Item>
        <Form.Item name="state" label={t('filter.state')}>
          <Select
            allowClear
            style={{ width: 150 }}
            options={caseStates.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
        </Form.Item>
        <Form.Item name="bucket" label={t('filter.bucket')}>
          <Select allowClear style={{ width: 90 }} options={buckets.map((b) => ({ value: b, label: b }))} />
        </Form.Item>
        <Form.Item name="open" label={t('filter.open')}>
          <Select
            allowClear
            style={{ width: 110 }}
            options={[
              { value: 'true', label: t('filter.openOnly') },
              { value: 'false', label: t('filter.closedOnly') },
            ]}
          />
        </Form.Item>
        <Form.Item name="agentId" label={t('filter.agentId')} rules={[{ pattern: uuid, message: 'UUID' }]}>
          <Input allowClear style={{ width: 300 }} />
        </Form.Item>
        <Form.Item name="mine" valuePropName="checked">
          <Checkbox>{t('filter.mine')}</Checkbox>
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('common:action.search')}
          </Button>
          <Button
            onClick={() => {
              form.setFieldsValue({
                queue: undefined,
                state: undefined,
                bucket: undefined,
                open: undefined,
                agentId: undefined,
                mine: false,
              });
              setFilters({});
            }}
          >
            {t('common:action.reset')}
          </Button>
        </Space>
      </Form>
      <ServerTable<Case>
        testId="cases-table"
        queryKey={['collections-cases', query]}
        fetchPage={fetchCases(query)}
        columns={caseColumns(t, staff.user.id, true)}
        rowKey="id"
        filtered={filtered}
        onRow={(row) => ({
          onClick: () => navigate(`/collections/cases/${row.id}`),
          style: { cursor: 'pointer' },
        })}
      />
    </Page>
  );
}
