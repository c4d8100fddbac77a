import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
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
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan, useStaff } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { useUrlFilters } from '../../components/useUrlFilters';
import { commandKey, pageOf } from './shared';

type User = Schemas['StaffUser'];
type NewUser = Schemas['NewStaffUser'];

const rolesQuery = {
  queryKey: ['iam', 'roles'],
  queryFn: () => unwrap(api.GET('/api/v1/iam/roles')),
  staleTime: 60_000,
};

function CreateUserDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (user: NewUser) => void;
}) {
  const { t } = useTranslation('administration');
  const [form] = Form.useForm<{ username: string; displayName: string }>();
  const create = useCommand(
    (body: { username: string; displayName: string }) => unwrap(api.POST('/api/v1/iam/users', { body })),
    { form, invalidates: [['iam', 'users']], success: false, onSuccess: (created) => onCreated(created) },
  );
  return (
    <Modal
      open
      title={t('user.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      okButtonProps={{ 'data-testid': 'user-create-submit' } as never}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('user.createHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(values) => create.mutate(values)}>
        <Form.Item
          name="username"
          label={t('field.username')}
          rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9._-]{2,63}$/, message: t('rule.username') }]}
          normalize={(value: string) => value.toLowerCase()}
        >
          <Input autoComplete="off" data-testid="user-username" />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('field.displayName')}
          rules={[{ required: true, whitespace: true, max: 100, message: t('rule.displayName') }]}
        >
          <Input data-testid="user-display-name" />
        </Form.Item>
      </Form>
      {create.isError && <ProblemAlert error={create.error} />}
    </Modal>
  );
}

function SecretsDialog({ created, onClose }: { created: NewUser; onClose: () => void }) {
  const { t } = useTranslation('administration');
  return (
    <Modal
      open
      title={t('user.secretsTitle', { username: created.user.username })}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose} data-testid="secrets-close">
          {t('user.secretsDone')}
        </Button>
      }
      width={640}
      mask={{ closable: false }}
    >
      <Alert type="warning" showIcon title={t('user.secretsOnce')} style={{ marginBottom: 16 }} />
      <Descriptions column={1} size="small" bordered data-testid="new-user-secrets">
        <Descriptions.Item label={t('field.username')}>{created.user.username}</Descriptions.Item>
        <Descriptions.Item label={t('user.oneTimePassword')}>
          <Typography.Text code copyable>
            {created.oneTimePassword}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('user.totpSecret')}>
          <Typography.Text code copyable>
            {created.totpSecret}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('user.totpUri')}>
          <Typography.Text copyable style={{ wordBreak: 'break-all' }}>
            {created.totpUri}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('user.recoveryCodes')}>
          <Typography.Paragraph copyable={{ text: created.recoveryCodes.join('\n') }} style={{ margin: 0 }}>
            {created.recoveryCodes.map((code) => (
              <Typography.Text code key={code} style={{ display: 'inline-block', margin: 2 }}>
                {code}
              </Typography.Text>
            ))}
          </Typography.Paragraph>
        </Descriptions.Item>
      </Descriptions>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
        {t('user.secretsNext')}
      </Typography.Paragraph>
    </Modal>
  );
}

function RoleChangeDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation('administration');
  const { message } = App.useApp();
  const roles = useQuery(rolesQuery);
  const [form] = Form.useForm<{ roles: string[]; reason: string }>();
  const request = useCommand(
    (body: { roles: string[]; reason: string }) =>
      unwrap(
        api.POST('/api/v1/iam/users/{userId}/role-changes', {
          params: { path: { userId: user.id }, header: commandKey() },
          body,
        }),
      ),
    {
      form,
      invalidates: [['approvals']],
      success: false,
      onSuccess: () => {
        void message.success(t('user.roleChangeRequested'));
        onClose();
      },
    },
  );
  return (
    <Modal
      open
      title={t('user.roleChangeTitle', { username: user.username })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={request.isPending}
      okButtonProps={{ 'data-testid': 'role-change-submit' } as never}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('user.roleChangeHelp')}</Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ roles: user.roles }}
        onFinish={(values) => request.mutate(values)}
      >
        <Form.Item name="roles" label={t('field.roles')}>
          <Select
            mode="multiple"
            loading={roles.isPending}
            data-testid="role-change-roles"
            options={(roles.data ?? []).map((role) => ({
              value: role.name,
              label: `${role.name} · ${role.description}`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('field.reason')}
          rules={[{ required: true, whitespace: true, max: 500, message: t('rule.reason') }]}
        >
          <Input.TextArea rows={2} data-testid="role-change-reason" />
        </Form.Item>
      </Form>
      {request.isError && <ProblemAlert error={request.error} />}
    </Modal>
  );
}

/** Staff users and their roles: create one (secrets shown once), ask for a role change, disable. */
export default function UsersPage() {
  const { t } = useTranslation('administration');
  const can = useCan();
  const staff = useStaff();
  const roles = useQuery(rolesQuery);
  const [filters, setFilters, filtered] = useUrlFilters(['q', 'status', 'role'] as const);
  const [form] = Form.useForm<{ q?: string; status?: string; role?: string }>();
  useEffect(() => form.setFieldsValue(filters), [filters, form]);
  const [dialog, setDialog] = useState<'create' | { roles: User } | { secrets: NewUser } | undefined>();
  const disable = useCommand(
    (userId: string) =>
      unwrap(
        api.POST('/api/v1/iam/users/{userId}/disable', {
          params: { path: { userId }, header: commandKey() },
        }),
      ),
    { invalidates: [['iam', 'users']], success: t('user.disabled') },
  );
  const status = filters.status === 'active' || filters.status === 'disabled' ? filters.status : undefined;

  const columns: TableProps<User>['columns'] = [
    {
      title: t('field.username'),
      dataIndex: 'username',
      render: (username: string, user) => (
        <Space size={4}>
          <span data-testid={`user-${username}`}>{username}</span>
          {user.id === staff.user.id && <Tag color="blue">{t('you')}</Tag>}
        </Space>
      ),
    },
    { title: t('field.displayName'), dataIndex: 'displayName' },
    {
      title: t('field.status'),
      dataIndex: 'status',
      render: (value: string) => <StatusTag value={value} ns="administration" />,
    },
    {
      title: t('field.roles'),
      dataIndex: 'roles',
      render: (list: string[]) =>
        list.length === 0 ? (
          <Typography.Text type="secondary">{t('user.noRoles')}</Typography.Text>
        ) : (
          list.map((role) => <Tag key={role}>{role}</Tag>)
        ),
    },
    {
      title: t('field.passwordMustChange'),
      dataIndex: 'passwordMustChange',
      render: (value: boolean) => (value ? t('common:yes') : t('common:no')),
    },
    {
      title: t('field.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => <Instant value={value} />,
    },
    {
      title: t('field.actions'),
      key: 'actions',
      render: (_, user) => (
        <Space>
          {can('iam:roles-request') && user.status === 'active' && (
            <Button
              size="small"
              onClick={() => setDialog({ roles: user })}
              data-testid={`role-change-${user.username}`}
            >
              {t('user.requestRoleChange')}
            </Button>
          )}
          {can('iam:users-manage') && user.status === 'active' && user.id !== staff.user.id && (
            <Popconfirm
              title={t('user.disableConfirm', { username: user.username })}
              onConfirm={() => disable.mutate(user.id)}
            >
              <Button size="small" danger>
                {t('user.disable')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Page
      title={t('users')}
      extra={
        can('iam:users-manage') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDialog('create')}
            data-testid="user-create"
          >
            {t('user.create')}
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
          <Form.Item name="q" label={t('filter.name')}>
            <Input allowClear style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="status" label={t('field.status')}>
            <Select
              allowClear
              style={{ width: 140 }}
              options={['active', 'disabled'].map((value) => ({ value, label: t(`status.${value}`) }))}
            />
          </Form.Item>
          <Form.Item name="role" label={t('field.role')}>
            <Select
              allowClear
              showSearch
              style={{ width: 180 }}
              options={(roles.data ?? []).map((role) => ({ value: role.name, label: role.name }))}
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
        {disable.isError && <ProblemAlert error={disable.error} />}
        <ServerTable<User>
          testId="users"
          queryKey={['iam', 'users', filters]}
          filtered={filtered}
          fetchPage={(cursor, limit) =>
            pageOf(
              (size) =>
                unwrap(
                  api.GET('/api/v1/iam/users', {
                    params: {
                      query: {
                        ...(filters.q ? { q: filters.q } : {}),
                        ...(status ? { status } : {}),
                        ...(filters.role ? { role: filters.role } : {}),
                        after: cursor,
                        limit: size,
                      },
                    },
                  }),
                ),
              limit,
              (row) => row.username,
            )
          }
          columns={columns}
          rowKey="id"
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
          {t('user.roleChangeNote')} <Link to="/administration/approvals">{t('approvals')}</Link>
        </Typography.Paragraph>
      </Card>
      {dialog === 'create' && (
        <CreateUserDialog
          onClose={() => setDialog(undefined)}
          onCreated={(created) => setDialog({ secrets: created })}
        />
      )}
      {typeof dialog === 'object' && 'secrets' in dialog && (
        <SecretsDialog created={dialog.secrets} onClose={() => setDialog(undefined)} />
      )}
      {typeof dialog === 'object' && 'roles' in dialog && (
        <RoleChangeDialog user={dialog.roles} onClose={() => setDialog(undefined)} />
      )}
    </Page>
  );
}
