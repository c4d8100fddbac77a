import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  Select,
  Space,
  Switch,
  type TableProps,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan, useStaff } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { JsonBlock } from '../../components/JsonBlock';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { commandKey, pageOf, shortId } from './shared';

type Approval = Schemas['ApprovalRequest'];
type Action = Schemas['ApprovalAction'];
const statuses = ['pending', 'approved', 'rejected'] as const;
type Status = (typeof statuses)[number];

const actionsQuery = {
  queryKey: ['approvals', 'actions'],
  queryFn: () => unwrap(api.GET('/api/v1/approvals/actions')),
  staleTime: Number.POSITIVE_INFINITY,
};

/** The action's name in the user's language, else the module's own summary. */
function useActionLabel() {
  const { t, i18n } = useTranslation('administration');
  const actions = useQuery(actionsQuery);
  return (name: string) =>
    i18n.exists(`administration:actionName.${name}`)
      ? t(`actionName.${name}`)
      : (actions.data?.find((action) => action.name === name)?.summary ?? name);
}

/** What the request would change, linked to where it can be seen, for the actions that name a thing. */
function Subject({ approval }: { approval: Approval }) {
  const { t } = useTranslation('administration');
  const payload = (approval.payload ?? {}) as Record<string, unknown>;
  const id = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : undefined);
  if (approval.action === 'products.publish-version' && id('versionId'))
    return <Link to={`/products/versions/${id('versionId')}`}>{t('subject.productVersion')}</Link>;
  if (
    (approval.action === 'risk.publish-policy' || approval.action === 'risk.retire-policy') &&
    id('versionId')
  )
    return <Link to={`/risk/policies/${id('versionId')}`}>{t('subject.policyVersion')}</Link>;
  if (approval.action === 'risk.approve-reviewed-application' && id('applicationId'))
    return <Link to={`/risk/applications/${id('applicationId')}`}>{t('subject.application')}</Link>;
  if (approval.action === 'iam.set-user-roles' && id('userId'))
    return (
      <Space size={4} wrap>
        <Typography.Text code title={id('userId')}>
          {shortId(id('userId'))}
        </Typography.Text>
        →
        {((payload.roles as string[] | undefined) ?? []).map((role) => (
          <Tag key={role}>{role}</Tag>
        ))}
        {((payload.roles as string[] | undefined) ?? []).length === 0 && <Tag>{t('subject.noRoles')}</Tag>}
      </Space>
    );
  return null;
}

/** Why the signed-in user may not decide this request, if they may not. */
function useRefusal(approval: Approval, actions: Action[] | undefined): string | undefined {
  const { t } = useTranslation('administration');
  const staff = useStaff();
  const can = useCan();
  if (approval.status !== 'pending') return t('decide.notPending');
  if (approval.makerId === staff.user.id) return t('decide.ownRequest');
  const payload = (approval.payload ?? {}) as { userId?: unknown };
  if (approval.action.startsWith('iam.') && payload.userId === staff.user.id) return t('decide.subject');
  const action = actions?.find((found) => found.name === approval.action);
  if (!can('approvals:decide') || (action !== undefined && !can(action.checkerPermission)))
    return t('decide.noPermission', { permission: action?.checkerPermission ?? 'approvals:decide' });
  return undefined;
}

function ApprovalDrawer({ requestId, onClose }: { requestId: string; onClose: () => void }) {
  const { t } = useTranslation('administration');
  const label = useActionLabel();
  const staff = useStaff();
  const actions = useQuery(actionsQuery);
  const request = useQuery({
    queryKey: ['approvals', 'one', requestId],
    queryFn: () => unwrap(api.GET('/api/v1/approvals/{requestId}', { params: { path: { requestId } } })),
  });
  const [form] = Form.useForm<{ note?: string }>();
  const decide = useCommand(
    ({ decision, note }: { decision: 'approve' | 'reject'; note?: string }) =>
      decision === 'approve'
        ? unwrap(
            api.POST('/api/v1/approvals/{requestId}/approve', {
              params: { path: { requestId }, header: commandKey() },
              body: note ? { note } : {},
            }),
          )
        : unwrap(
            api.POST('/api/v1/approvals/{requestId}/reject', {
              params: { path: { requestId }, header: commandKey() },
              body: { note: note ?? '' },
            }),
          ),
    {
      form,
      invalidates: [['approvals'], ['products'], ['risk'], ['iam']],
      success: false,
      onSuccess: () => {
        void request.refetch();
        form.resetFields();
      },
    },
  );
  return (
    <Drawer
      open
      size={640}
      onClose={onClose}
      title={t('drawer.title')}
      data-testid="approval-drawer"
      destroyOnHidden
    >
      <QueryState query={request}>
        {(approval) => (
          <DrawerBody
            approval={approval}
            actions={actions.data}
            label={label(approval.action)}
            me={staff.user.id}
            form={form}
            pending={decide.isPending}
            error={decide.error}
            decided={decide.isSuccess ? decide.data : undefined}
            onDecide={(decision) => {
              const note = ((form.getFieldValue('note') as string | undefined) ?? '').trim();
              decide.mutate({ decision, ...(note === '' ? {} : { note }) });
            }}
          />
        )}
      </QueryState>
    </Drawer>
  );
}

function DrawerBody({
  approval,
  actions,
  label,
  me,
  form,
  pending,
  error,
  decided,
  onDecide,
}: {
  approval: Approval;
  actions: Action[] | undefined;
  label: string;
  me: string;
  form: ReturnType<typeof Form.useForm<{ note?: string }>>[0];
  pending: boolean;
  error: unknown;
  decided: Approval | undefined;
  onDecide: (decision: 'approve' | 'reject') => void;
}) {
  const { t } = useTranslation('administration');
  const refusal = useRefusal(approval, actions);
  const action = actions?.find((found) => found.name === approval.action);
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {decided && (
        <Alert
          type={decided.status === 'approved' ? 'success' : 'info'}
          showIcon
          data-testid="approval-decided"
          title={decided.status === 'approved' ? t('decide.approved') : t('decide.rejected')}
        />
      )}
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('field.action')}>
          <Space orientation="vertical" size={0}>
            <span>{label}</span>
            <Typography.Text type="secondary" code>
              {approval.action}
            </Typography.Text>
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('field.subject')}>
          <Subject approval={approval} />
        </Descriptions.Item>
        <Descriptions.Item label={t('field.status')}>
          <StatusTag value={approval.status} ns="administration" />
        </Descriptions.Item>
        <Descriptions.Item label={t('field.reason')}>{approval.reason}</Descriptions.Item>
        <Descriptions.Item label={t('field.maker')}>
          <Typography.Text title={approval.makerId}>
            {approval.makerName ?? shortId(approval.makerId)}
          </Typography.Text>
          {approval.makerId === me && <Tag style={{ marginLeft: 8 }}>{t('you')}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t('field.createdAt')}>
          <Instant value={approval.createdAt} />
        </Descriptions.Item>
        {action && (
          <Descriptions.Item label={t('field.permissions')}>
            {t('drawer.permissions', { maker: action.makerPermission, checker: action.checkerPermission })}
          </Descriptions.Item>
        )}
        {approval.checkerId && (
          <Descriptions.Item label={t('field.checker')}>
            <Typography.Text title={approval.checkerId}>
              {approval.checkerName ?? shortId(approval.checkerId)}
            </Typography.Text>{' '}
            <Instant value={approval.decidedAt} />
          </Descriptions.Item>
        )}
        {approval.decisionNote && (
          <Descriptions.Item label={t('field.note')}>{approval.decisionNote}</Descriptions.Item>
        )}
      </Descriptions>
      <div>
        <Typography.Title level={5}>{t('drawer.payload')}</Typography.Title>
        <div data-testid="approval-payload">
          <JsonBlock value={approval.payload} maxHeight={320} />
        </div>
      </div>
      {approval.status !== 'pending' && approval.result !== null && approval.result !== undefined && (
        <div>
          <Typography.Title level={5}>{t('drawer.result')}</Typography.Title>
          <JsonBlock value={approval.result} maxHeight={200} />
        </div>
      )}
      {approval.status === 'pending' && (
        <Card size="small" title={t('drawer.decision')}>
          {refusal ? (
            <Alert type="info" showIcon title={refusal} data-testid="approval-refusal" />
          ) : (
            <Form form={form} layout="vertical">
              <Form.Item
                name="note"
                label={t('field.note')}
                extra={t('drawer.noteHelp')}
                rules={[{ max: 500, message: t('rule.note') }]}
              >
                <Input.TextArea rows={2} data-testid="approval-note" />
              </Form.Item>
              <Space>
                <Button
                  type="primary"
                  icon={<CheckOutlined />}
                  loading={pending}
                  onClick={() => onDecide('approve')}
                  data-testid="approval-approve"
                >
                  {t('common:action.approve')}
                </Button>
                <Button
                  danger
                  icon={<CloseOutlined />}
                  loading={pending}
                  onClick={() => {
                    form.setFields([
                      {
                        name: 'note',
                        errors: (form.getFieldValue('note') ?? '').trim() === '' ? [t('rule.note')] : [],
                      },
                    ]);
                    if ((form.getFieldValue('note') ?? '').trim() !== '') onDecide('reject');
                  }}
                  data-testid="approval-reject"
                >
                  {t('common:action.reject')}
                </Button>
              </Space>
            </Form>
          )}
          {error !== null && error !== undefined && (
            <div style={{ marginTop: 12 }}>
              <ProblemAlert error={error} />
            </div>
          )}
        </Card>
      )}
    </Space>
  );
}

/** The maker-checker inbox: requests waiting for a checker (or decided), each opened to decide it. */
export default function ApprovalsPage() {
  const { t } = useTranslation('administration');
  const staff = useStaff();
  const label = useActionLabel();
  const actions = useQuery(actionsQuery);
  const [params, setParams] = useSearchParams();
  const [filters, setFilters, filtered] = [
    {
      status: params.get('status') ?? undefined,
      action: params.get('action') ?? undefined,
      mine: params.get('mine') ?? undefined,
    },
    (values: { status?: string; action?: string; mine?: string }) => {
      const next = new URLSearchParams();
      for (const [key, value] of Object.entries(values)) if (value) next.set(key, value);
      setParams(next);
    },
    params.has('action') || params.has('mine') || (params.get('status') ?? 'pending') !== 'pending',
  ] as const;
  const [open, setOpen] = useState<string | undefined>(params.get('open') ?? undefined);
  const [form] = Form.useForm<{ status?: string; action?: string; mine?: boolean }>();
  useEffect(
    () =>
      form.setFieldsValue({
        status: filters.status ?? 'pending',
        action: filters.action,
        mine: filters.mine === '1',
      }),
    [filters.status, filters.action, filters.mine, form],
  );
  const status: Status | undefined =
    filters.status === 'all' ? undefined : (statuses.find((value) => value === filters.status) ?? 'pending');

  const columns: TableProps<Approval>['columns'] = [
    {
      title: t('field.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => <Instant value={value} />,
    },
    {
      title: t('field.action'),
      dataIndex: 'action',
      render: (action: string) => <span title={action}>{label(action)}</span>,
    },
    { title: t('field.subject'), key: 'subject', render: (_, approval) => <Subject approval={approval} /> },
    {
      title: t('field.reason'),
      dataIndex: 'reason',
      ellipsis: true,
      render: (reason: string) => <span title={reason}>{reason}</span>,
    },
    {
      title: t('field.maker'),
      dataIndex: 'makerId',
      render: (id: string, row) =>
        id === staff.user.id ? (
          <Tag color="blue">{t('you')}</Tag>
        ) : (
          <span title={id}>{row.makerName ?? shortId(id)}</span>
        ),
    },
    {
      title: t('field.status'),
      dataIndex: 'status',
      render: (value: string) => <StatusTag value={value} ns="administration" />,
    },
    {
      title: t('field.actions'),
      key: 'open',
      render: (_, approval) => (
        <Button
          size="small"
          onClick={() => setOpen(approval.id)}
          data-testid={`approval-open-${approval.id}`}
        >
          {approval.status === 'pending' ? t('open.decide') : t('common:action.view')}
        </Button>
      ),
    },
  ];

  return (
    <Page title={t('approvals')}>
      <Card>
        <Form
          form={form}
          layout="inline"
          style={{ marginBottom: 16, rowGap: 8 }}
          onFinish={(values) =>
            setFilters({
              status: values.status === 'pending' ? undefined : values.status,
              action: values.action,
              mine: values.mine ? '1' : undefined,
            })
          }
        >
          <Form.Item name="status" label={t('field.status')}>
            <Select
              style={{ width: 140 }}
              options={[
                ...statuses.map((value) => ({ value, label: t(`status.${value}`) })),
                { value: 'all', label: t('common:all') },
              ]}
            />
          </Form.Item>
          <Form.Item name="action" label={t('field.action')}>
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 280 }}
              options={(actions.data ?? []).map((action) => ({
                value: action.name,
                label: label(action.name),
              }))}
            />
          </Form.Item>
          <Form.Item name="mine" label={t('filter.mine')} valuePropName="checked">
            <Switch />
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
        <ServerTable<Approval>
          testId="approvals"
          queryKey={['approvals', 'list', filters]}
          filtered={filtered}
          fetchPage={(cursor, limit) =>
            pageOf(
              (size) =>
                unwrap(
                  api.GET('/api/v1/approvals', {
                    params: {
                      query: {
                        ...(status ? { status } : {}),
                        ...(filters.action ? { action: filters.action } : {}),
                        ...(filters.mine === '1' ? { makerId: staff.user.id } : {}),
                        before: cursor,
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
      {open && <ApprovalDrawer requestId={open} onClose={() => setOpen(undefined)} />}
    </Page>
  );
}
