import type { paths } from '@fenqi/api';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Select, Space } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { useUrlFilters } from '../../components/useUrlFilters';
import { exceptionKinds, type PaymentException, useExceptionColumns } from './exceptions';

type ExceptionQuery = NonNullable<paths['/api/v1/payments/exceptions']['get']['parameters']['query']>;
const filterKeys = ['status', 'kind', 'channel', 'statementId'] as const;
type Filters = Partial<Record<(typeof filterKeys)[number], string>>;

/** Operations' queue of payment exceptions, newest first, with their resolve actions. */
export default function ExceptionsPage() {
  const { t } = useTranslation('payments');
  const [filters, setFilters, filtered] = useUrlFilters(filterKeys);
  const [form] = Form.useForm<Filters>();
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(filters);
  }, [filters, form]);
  // Whether anything waits at all, whatever the filters: the queue's state at a glance.
  const open = useQuery({
    queryKey: ['payments', 'exceptions', 'open-probe'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/payments/exceptions', { params: { query: { status: 'open', limit: 1 } } })),
  });
  const columns = useExceptionColumns();
  return (
    <Page title={t('exceptions')}>
      {open.data &&
        (open.data.length === 0 ? (
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('exception.queueClear')}
            description={t('exception.queueClearHint')}
            data-testid="exceptions-clear"
          />
        ) : (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('exception.queueOpen')}
            data-testid="exceptions-open"
          />
        ))}
      <Card style={{ marginBottom: 16 }}>
        <Form form={form} layout="inline" onFinish={(values) => setFilters(values)}>
          <Form.Item name="status" label={t('exception.status')}>
            <Select
              allowClear
              style={{ width: 120 }}
              options={['open', 'resolved'].map((status) => ({
                value: status,
                label: t(`status.${status}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="kind" label={t('exception.kind')}>
            <Select
              allowClear
              style={{ width: 200 }}
              options={exceptionKinds.map((kind) => ({ value: kind, label: t(`exceptionKind.${kind}`) }))}
            />
          </Form.Item>
          <Form.Item
            name="channel"
            label={t('order.channel')}
            rules={[{ pattern: /^[a-z][a-z0-9_]{0,31}$/, message: t('filter.channelInvalid') }]}
          >
            <Input allowClear style={{ width: 120 }} placeholder="simulated" />
          </Form.Item>
          <Form.Item
            name="statementId"
            label={t('exception.statement')}
            rules={[{ pattern: /^[1-9]\d{0,18}$/, message: t('filter.idInvalid') }]}
          >
            <Input allowClear style={{ width: 100 }} />
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
      <ServerTable<PaymentException>
        queryKey={['payments', 'exceptions', 'list', filters]}
        fetchPage={async (cursor, limit) => {
          const rows = await unwrap(
            api.GET('/api/v1/payments/exceptions', {
              params: { query: { ...(filters as ExceptionQuery), before: cursor, limit } },
            }),
          );
          return { rows, next: rows.length === limit ? rows.at(-1)?.id : null };
        }}
        columns={columns}
        rowKey="id"
        filtered={filtered}
        testId="exception-table"
      />
    </Page>
  );
}
