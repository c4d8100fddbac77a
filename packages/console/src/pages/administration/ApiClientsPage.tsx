import { PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  type TableProps,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ServerTable } from '../../components/ServerTable';
import { useCommand } from '../../components/useCommand';
import { useUrlFilters } from '../../components/useUrlFilters';
import { commandKey, pageOf } from './shared';

type Client = Schemas['ApiClient'];
type NewClient = Schemas['NewApiClient'];
type CreateValues = { ownerKind: 'merchant' | 'funder'; ownerId: string; name: string };

function CreateDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('administration');
  const [form] = Form.useForm<CreateValues>();
  const [created, setCreated] = useState<NewClient | undefined>();
  const create = useCommand((body: CreateValues) => unwrap(api.POST('/api/v1/iam/api-clients', { body })), {
    form,
    invalidates: [['iam', 'api-clients']],
    success: false,
    onSuccess: setCreated,
  });
  if (created)
    return (
      <Modal
        open
        title={t('clients.secretTitle', { name: created.name })}
        onCancel={onClose}
        mask={{ closable: false }}
        width={640}
        footer={
          <Button type="primary" onClick={onClose}>
            {t('user.secretsDone')}
          </Button>
        }
      >
        <Alert type="warning" showIcon title={t('clients.secretOnce')} style={{ marginBottom: 16 }} />
        <Descriptions column={1} size="small" bordered data-testid="new-client-secret">
          <Descriptions.Item label={t('field.owner')}>
            {t(`ownerKind.${created.ownerKind}`)} {created.ownerId}
          </Descriptions.Item>
          <Descriptions.Item label={t('field.keyId')}>
            <Typography.Text code copyable>
              {created.keyId}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('clients.secret')}>
            <Typography.Text code copyable style={{ wordBreak: 'break-all' }}>
              {created.secret}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      </Modal>
    );
  return (
    <Modal
      open
      title={t('clients.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('clients.createHelp')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ ownerKind: 'merchant' }}
        onFinish={(values) => create.mutate(values)}
      >
        <Form.Item name="ownerKind" label={t('field.ownerKind')} rules={[{ required: true }]}>
          <Select
            options={['merchant', 'funder'].map((value) => ({ value, label: t(`ownerKind.${value}`) }))}
          />
        </Form.Item>
        <Form.Item
          name="ownerId"
          label={t('field.ownerId')}
          rules={[
            { required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, message: t('rule.ownerId') },
          ]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('field.name')}
          rules={[{ required: true, whitespace: true, max: 100, message: t('rule.displayName') }]}
        >
          <Input />
        </Form.Item>
      </Form>
      {create.isError && <ProblemAlert error={create.error} />}
    </Modal>
  );
}

/** Merchant and funder API keys (never their secrets): issue one (secret shown once), revoke one. */
export default function ApiClientsPage() {
  const { t } = useTranslation('administration');
  const can = useCan();
  const [filters, setFilters, filtered] = useUrlFilters(['ownerKind', 'ownerId', 'status'] as const);
  const [form] = Form.useForm<{ ownerKind?: string; ownerId?: string; status?: string }>();
  useEffect(() => form.setFieldsValue(filters), [filters, form]);
  const [creating, setCreating] = useState(false);
  const revoke = useCommand(
    (clientId: string) =>
      unwrap(
        api.POST('/api/v1/iam/api-clients/{clientId}/revoke', {
          params: { path: { clientId }, header: commandKey() },
        }),
      ),
    { invalidates: [['iam', 'api-clients']], success: t('clients.revoked') },
  );
  const ownerKind =
    filters.ownerKind === 'merchant' || filters.ownerKind === 'funder' ? filters.ownerKind : undefined;
  const status = filters.status === 'active' || filters.status === 'revoked' ? filters.status : undefined;

  const columns: TableProps<Client>['columns'] = [
    {
      title: t('field.keyId'),
      dataIndex: 'keyId',
      render: (keyId: string) => <Typography.Text code>{keyId}</Typography.Text>,
    },
    { title: t('field.name'), dataIndex: 'name' },
    {
      title: t('field.owner'),
      key: 'owner',
      render: (_, client) => `${t(`ownerKind.${client.ownerKind}`)} ${client.ownerId}`,
    },
    {
      title: t('field.status'),
      dataIndex: 'revokedAt',
      render: (revokedAt: string | null) =>
        revokedAt === null ? <Tag color="green">{t('status.active')}</Tag> : <Tag>{t('status.revoked')}</Tag>,
    },
    {
      title: t('field.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => <Instant value={value} />,
    },
    {
      title: t('field.lastUsedAt'),
      dataIndex: 'lastUsedAt',
      render: (value: string | null) => <Instant value={value} />,
    },
    {
      title: t('field.revokedAt'),
      dataIndex: 'revokedAt',
      render: (value: string | null) => <Instant value={value} />,
    },
    {
      title: t('field.actions'),
      key: 'actions',
      render: (_, client) =>
        can('api-clients:manage') && client.revokedAt === null ? (
          <Popconfirm
            title={t('clients.revokeConfirm', { keyId: client.keyId })}
            onConfirm={() => revoke.mutate(client.id)}
          >
            <Button size="small" danger>
              {t('clients.revoke')}
            </Button>
          </Popconfirm>
        ) : null,
    },
  ];

  return (
    <Page
      title={t('apiClients')}
      extra={
        can('api-clients:manage') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('clients.create')}
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
          <Form.Item name="ownerKind" label={t('field.ownerKind')}>
            <Select
              allowClear
              style={{ width: 140 }}
              options={['merchant', 'funder'].map((value) => ({ value, label: t(`ownerKind.${value}`) }))}
            />
          </Form.Item>
          <Form.Item name="ownerId" label={t('field.ownerId')}>
            <Input allowClear style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="status" label={t('field.status')}>
            <Select
              allowClear
              style={{ width: 140 }}
              options={['active', 'revoked'].map((value) => ({ value, label: t(`status.${value}`) }))}
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
        {revoke.isError && <ProblemAlert error={revoke.error} />}
        <ServerTable<Client>
          testId="api-clients"
          queryKey={['iam', 'api-clients', filters]}
          filtered={filtered}
          fetchPage={(cursor, limit) =>
            pageOf(
              (size) =>
                unwrap(
                  api.GET('/api/v1/iam/api-clients', {
                    params: {
                      query: {
                        ...(ownerKind ? { ownerKind } : {}),
                        ...(filters.ownerId ? { ownerId: filters.ownerId } : {}),
                        ...(status ? { status } : {}),
                        after: cursor,
                        limit: size,
                      },
                    },
                  }),
                ),
              limit,
              (row) => row.id,
            )
          }
          columns={columns}
          rowKey="id"
        />
      </Card>
      {creating && <CreateDialog onClose={() => setCreating(false)} />}
    </Page>
  );
}
