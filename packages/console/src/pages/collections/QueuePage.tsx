import { Button, Form, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useStaff } from '../../auth/session';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { useUrlFilters } from '../../components/useUrlFilters';
import {
  buckets,
  type Case,
  type CaseFilters,
  caseColumns,
  caseStates,
  closedStates,
  fetchCases,
} from './shared';

// A collector's queue: the open cases assigned to them, filtered on the server by state and bucket.

const keys = ['state', 'bucket'] as const;

export default function QueuePage() {
  const { t } = useTranslation('collections');
  const staff = useStaff();
  const navigate = useNavigate();
  const [filters, setFilters, filtered] = useUrlFilters(keys);
  const query: CaseFilters = {
    agentId: 'me',
    open: 'true',
    ...(filters.state ? { state: filters.state as Case['state'] } : {}),
    ...(filters.bucket ? { bucket: filters.bucket as CaseFilters['bucket'] } : {}),
  };
  const [form] = Form.useForm();
  return (
    <Page title={t('queuePage.title')}>
      <Typography.Paragraph type="secondary">{t('queuePage.subtitle')}</Typography.Paragraph>
      <Form
        form={form}
        layout="inline"
        initialValues={filters}
        onFinish={(values) => setFilters(values)}
        style={{ marginBottom: 16 }}
      >
        <Form.Item name="state" label={t('filter.state')}>
          <Select
            allowClear
            style={{ width: 160 }}
            options={caseStates
              .filter((s) => !closedStates.includes(s))
              .map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
        </Form.Item>
        <Form.Item name="bucket" label={t('filter.bucket')}>
          <Select allowClear style={{ width: 100 }} options={buckets.map((b) => ({ value: b, label: b }))} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('common:action.search')}
          </Button>
          <Button
            onClick={() => {
              form.setFieldsValue({ state: undefined, bucket: undefined });
              setFilters({});
            }}
          >
            {t('common:action.reset')}
          </Button>
        </Space>
      </Form>
      <ServerTable<Case>
        testId="queue-table"
        queryKey={['collections-cases', query]}
        fetchPage={fetchCases(query)}
        columns={caseColumns(t, staff.user.id, false)}
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
