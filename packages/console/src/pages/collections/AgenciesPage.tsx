import { WarningOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, DatePicker, Form, Input, InputNumber, Modal, Space, Table, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { commandKey } from './shared';

// Outsourced agencies (a short configuration list, answered whole): whether their annual review
// lapsed (then they take no new cases), registering one, recording a review, suspending.

type Agency = Schemas['CollectionsAgency'];
const key = ['collections-agencies'];

export default function AgenciesPage() {
  const { t } = useTranslation('collections');
  const can = useCan();
  const manage = can('collections:manage');
  const [dialog, setDialog] = useState<{ kind: 'create' } | { kind: 'review'; agency: Agency } | undefined>();
  const agencies = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET('/api/v1/collections/agencies')),
  });
  const patch = useCommand(
    (input: { agencyId: string; status: 'active' | 'suspended' }) =>
      unwrap(
        api.PATCH('/api/v1/collections/agencies/{agencyId}', {
          params: { header: commandKey(), path: { agencyId: input.agencyId } },
          body: { status: input.status },
        }),
      ),
    { invalidates: [key] },
  );
  return (
    <Page
      title={t('agenciesPage.title')}
      extra={
        manage && (
          <Button type="primary" onClick={() => setDialog({ kind: 'create' })}>
            {t('agenciesPage.create')}
          </Button>
        )
      }
    >
      {patch.error !== null && <ProblemAlert error={patch.error} />}
      <QueryState
        query={agencies}
        isEmpty={(list) => list.length === 0}
        empty={<Typography.Text type="secondary">{t('agenciesPage.empty')}</Typography.Text>}
      >
        {(list) => (
          <Table<Agency>
            rowKey="id"
            dataSource={list}
            pagination={false}
            columns={[
              { title: t('agenciesPage.name'), dataIndex: 'name' },
              { title: t('agenciesPage.queue'), dataIndex: 'queue' },
              {
                title: t('agenciesPage.status'),
                dataIndex: 'status',
                render: (s: string) => <StatusTag value={s} ns="collections" />,
              },
              {
                title: t('agenciesPage.reviewDate'),
                dataIndex: 'reviewDate',
                render: (d: string, a) =>
                  a.reviewLapsed ? (
                    <Tooltip title={t('agenciesPage.reviewLapsed')}>
                      <Typography.Text type="danger">
                        <WarningOutlined /> {d}
                      </Typography.Text>
                    </Tooltip>
                  ) : (
                    d
                  ),
              },
              { title: t('agenciesPage.capacity'), dataIndex: 'capacity', align: 'right' },
              {
                key: 'actions',
                render: (_, a) =>
                  manage && (
                    <Space>
                      <Button size="small" onClick={() => setDialog({ kind: 'review', agency: a })}>
                        {t('agenciesPage.review')}
                      </Button>
                      <Button
                        size="small"
                        danger={a.status === 'active'}
                        onClick={() =>
                          patch.mutate({
                            agencyId: a.id,
                            status: a.status === 'active' ? 'suspended' : 'active',
                          })
                        }
                      >
                        {a.status === 'active' ? t('agenciesPage.suspend') : t('agenciesPage.reactivate')}
                      </Button>
                    </Space>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      {dialog?.kind === 'create' && <CreateAgency onClose={() => setDialog(undefined)} />}
      {dialog?.kind === 'review' && (
        <RecordReview agency={dialog.agency} onClose={() => setDialog(undefined)} />
      )}
    </Page>
  );
}

function CreateAgency({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm<{ name: string; queue: string; reviewDate: Dayjs; capacity: number }>();
  const command = useCommand(
    (body: { name: string; queue: string; reviewDate: string; capacity: number }) =>
      unwrap(api.POST('/api/v1/collections/agencies', { params: { header: commandKey() }, body })),
    { form, invalidates: [key], onSuccess: onClose },
  );
  return (
    <Modal
      open
      title={t('agenciesPage.create')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={command.isPending}
      destroyOnHidden
    >
      {command.error !== null && <ProblemAlert error={command.error} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ capacity: 100 }}
        onFinish={(v) => command.mutate({ ...v, reviewDate: v.reviewDate.format('YYYY-MM-DD') })}
      >
        <Form.Item name="name" label={t('agenciesPage.name')} rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="queue"
          label={t('agenciesPage.queue')}
          rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9_-]{0,39}$/ }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="reviewDate" label={t('agenciesPage.reviewDate')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="capacity" label={t('agenciesPage.capacity')} rules={[{ required: true }]}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RecordReview({ agency, onClose }: { agency: Agency; onClose: () => void }) {
  const { t } = useTranslation('collections');
  const [form] = Form.useForm<{ reviewDate: Dayjs }>();
  const command = useCommand(
    (reviewDate: string) =>
      unwrap(
        api.POST('/api/v1/collections/agencies/{agencyId}/review', {
          params: { header: commandKey(), path: { agencyId: agency.id } },
          body: { reviewDate },
        }),
      ),
    { form, invalidates: [key], onSuccess: onClose },
  );
  return (
    <Modal
      open
      title={`${t('agenciesPage.review')} · ${agency.name}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={command.isPending}
      destroyOnHidden
    >
      {command.error !== null && <ProblemAlert error={command.error} />}
      <Form form={form} layout="vertical" onFinish={(v) => command.mutate(v.reviewDate.format('YYYY-MM-DD'))}>
        <Form.Item name="reviewDate" label={t('agenciesPage.reviewDate')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
