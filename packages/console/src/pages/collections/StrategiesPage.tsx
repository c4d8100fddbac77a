import { useQuery } from '@tanstack/react-query';
import { Button, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { commandKey } from './shared';

// Strategy versions (a short list of configuration: the API answers it whole): each rule's
// buckets, queue, handler and steps; a draft is published here, and a new version saved as JSON.

type Strategy = Schemas['CollectionsStrategy'];
type Definition = Schemas['CollectionsStrategyDefinition'];
const key = ['collections-strategies'];

export default function StrategiesPage() {
  const { t } = useTranslation('collections');
  const can = useCan();
  const [creating, setCreating] = useState(false);
  const strategies = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/api/v1/collections/strategies')),
  });
  const publish = useCommand(
    (s: { code: string; version: number }) =>
      unwrap(
        api.POST('/api/v1/collections/strategies/{code}/versions/{version}/publish', {
          params: { header: commandKey(), path: { code: s.code, version: String(s.version) } },
        }),
      ),
    { invalidates: [key] },
  );
  return (
    <Page
      title={t('strategiesPage.title')}
      extra={
        can('collections:manage') && (
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('common:action.create')}
          </Button>
        )
      }
    >
      {publish.error !== null && <ProblemAlert error={publish.error} />}
      <QueryState
        query={strategies}
        isEmpty={(list) => list.length === 0}
        empty={<Typography.Text type="secondary">{t('strategiesPage.empty')}</Typography.Text>}
      >
        {(list) => (
          <Table<Strategy>
            size="middle"
            rowKey={(s) => `${s.code}@${s.version}`}
            dataSource={[...list].sort((a, b) => a.code.localeCompare(b.code) || b.version - a.version)}
            pagination={false}
            expandable={{ expandedRowRender: (s) => <Rules definition={s.definition} /> }}
            columns={[
              { title: t('strategiesPage.code'), dataIndex: 'code' },
              { title: t('strategiesPage.version'), dataIndex: 'version' },
              {
                title: t('strategiesPage.status'),
                dataIndex: 'status',
                render: (s: string) => <StatusTag value={s} ns="collections" />,
              },
              {
                title: t('strategiesPage.rules'),
                key: 'rules',
                render: (_, s) => s.definition.rules.map((r) => r.queue).join(', '),
              },
              {
                title: t('strategiesPage.createdAt'),
                dataIndex: 'createdAt',
                render: (v: string) => <Instant value={v} />,
              },
              {
                title: t('strategiesPage.publishedAt'),
                dataIndex: 'publishedAt',
                render: (v: string | null) => <Instant value={v} />,
              },
              {
                key: 'actions',
                render: (_, s) =>
                  s.status === 'draft' &&
                  can('collections:manage') && (
                    <Popconfirm
                      title={t('strategiesPage.publishConfirm')}
                      onConfirm={() => publish.mutate({ code: s.code, version: s.version })}
                    >
                      <Button size="small" loading={publish.isPending}>
                        {t('strategiesPage.publish')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      {creating && <NewVersion onClose={() => setCreating(false)} />}
    </Page>
  );
}

function Rules({ definition }: { definition: Definition }) {
  const { t } = useTranslation('collections');
  return (
    <Table
      size="small"
      rowKey={(_, index) => String(index)}
      pagination={false}
      dataSource={definition.rules}
      columns={[
        {
          title: t('strategiesPage.buckets'),
          dataIndex: 'buckets',
          render: (b: string[]) => b.map((x) => <Tag key={x}>{x}</Tag>),
        },
        { title: t('column.queue'), dataIndex: 'queue' },
        {
          title: t('strategiesPage.handler'),
          dataIndex: 'handler',
          render: (h: string) => t(`handler.${h}`),
        },
        {
          title: t('strategiesPage.steps'),
          dataIndex: 'steps',
          render: (steps: Definition['rules'][number]['steps']) => (
            <Space wrap>
              {steps.map((s) => (
                <Tag key={`${s.dpdFrom}-${s.action}`}>
                  {`≥ ${s.dpdFrom}: ${t(`action.${s.action}`)}${s.channel ? ` (${t(`channel.${s.channel}`)})` : ''}`}
                </Tag>
              ))}
            </Space>
          ),
        },
      ]}
    />
  );
}

const example = JSON.stringify(
  {
    rules: [
      {
        buckets: ['M1'],
        queue: 'm1-agents',
        handler: 'agent',
        steps: [{ dpdFrom: 1, action: 'agent_call', channel: 'voice' }],
      },
    ],
  },
  null,
  2,
);

function NewVersion({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm<{ code: string; definition: string }>();
  const command = useCommand(
    (body: { code: string; definition: Definition }) =>
      unwrap(api.POST('/api/v1/collections/strategies', { params: { header: commandKey() }, body })),
    { invalidates: [key], onSuccess: onClose },
  );
  return (
    <Modal
      open
      width={640}
      title={t('common:action.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={command.isPending}
      destroyOnHidden
    >
      {command.error !== null && <ProblemAlert error={command.error} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ definition: example }}
        onFinish={(values) =>
          command.mutate({ code: values.code, definition: JSON.parse(values.definition) })
        }
      >
        <Form.Item
          name="code"
          label={t('strategiesPage.code')}
          rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9_-]{0,39}$/ }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="definition"
          label={t('strategiesPage.rules')}
          rules={[
            {
              validator: (_, value: string) => {
                try {
                  JSON.parse(value);
                  return Promise.resolve();
                } catch (error) {
                  return Promise.reject(error instanceof Error ? error : new Error('JSON'));
                }
              },
            },
          ]}
        >
          <Input.TextArea rows={14} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
