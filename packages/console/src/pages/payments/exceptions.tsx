import { Alert, Button, Form, Input, Modal, Space, type TableProps, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { ProblemAlert } from '../../components/ProblemAlert';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import {
  commandKey,
  type DraftLine,
  draftTotals,
  JournalLinesEditor,
  journalLinesOf,
} from '../finance/shared';

// The exception queue's rows and their two ways out: resolved with an explanation (no money
// moves), or a ledger adjustment asked for through maker-checker (posted when another user with
// payments:approve approves it). Shared by the exceptions page and a reconciliation's detail.

export type PaymentException = Schemas['PaymentException'];

export const exceptionKinds = [
  'channel_only',
  'ours_only',
  'amount_mismatch',
  'status_mismatch',
  'bounced_payout',
  'notice_amount_mismatch',
  'notice_conflict',
  'unknown_order',
  'unresolved_order',
  'ledger_mismatch',
] as const;

export function useExceptionColumns(): TableProps<PaymentException>['columns'] {
  const { t } = useTranslation('payments');
  return [
    { title: t('exception.id'), dataIndex: 'id', width: 64 },
    {
      title: t('exception.kind'),
      dataIndex: 'kind',
      render: (kind: string) => <Tag color="volcano">{t(`exceptionKind.${kind}`)}</Tag>,
    },
    { title: t('order.channel'), dataIndex: 'channel' },
    {
      title: t('order.orderNo'),
      dataIndex: 'orderNo',
      render: (orderNo: string | null) =>
        orderNo ? <Link to={`/payments/orders/${orderNo}`}>{orderNo}</Link> : '—',
    },
    {
      title: t('exception.ourAmount'),
      dataIndex: 'ourAmountMinor',
      align: 'right',
      render: (v: string | null) => <Money minor={v} />,
    },
    {
      title: t('exception.channelAmount'),
      dataIndex: 'channelAmountMinor',
      align: 'right',
      render: (v: string | null) => <Money minor={v} />,
    },
    {
      title: t('exception.states'),
      key: 'states',
      render: (_, row) => `${row.ourState ?? '—'} / ${row.channelStatus ?? '—'}`,
    },
    {
      title: t('exception.detail'),
      dataIndex: 'detail',
      width: 320,
      render: (detail: string) => (
        <Typography.Paragraph ellipsis={{ rows: 2, tooltip: detail }} style={{ margin: 0 }}>
          {detail}
        </Typography.Paragraph>
      ),
    },
    {
      title: t('exception.status'),
      dataIndex: 'status',
      render: (status: string, row) => (
        <Space orientation="vertical" size={0}>
          <StatusTag value={status} ns="payments" colour={status === 'open' ? 'orange' : 'green'} />
          {row.resolution && (
            <Typography.Text type="secondary">{t(`resolution.${row.resolution}`)}</Typography.Text>
          )}
          {row.adjustmentEntryId && (
            <Link to={`/finance/entries/${row.adjustmentEntryId}`}>#{row.adjustmentEntryId}</Link>
          )}
        </Space>
      ),
    },
    { title: t('exception.raisedAt'), dataIndex: 'raisedAt', render: (v: string) => <Instant value={v} /> },
    {
      title: t('exception.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_, row) => <ExceptionActions exception={row} />,
    },
  ];
}

type ResolveForm = { note: string };
type AdjustForm = { note: string; reason: string; description: string; lines: DraftLine[] };

export function ExceptionActions({ exception }: { exception: PaymentException }) {
  const { t } = useTranslation('payments');
  const can = useCan();
  const [open, setOpen] = useState<'resolve' | 'adjust' | undefined>();
  const [requested, setRequested] = useState<Schemas['ApprovalRequest'] | undefined>();
  const [resolveForm] = Form.useForm<ResolveForm>();
  const [adjustForm] = Form.useForm<AdjustForm>();
  const invalidates = [
    ['payments', 'exceptions'],
    ['payments', 'reconciliations'],
  ] as const;
  const resolve = useCommand(
    (values: ResolveForm) =>
      unwrap(
        api.POST('/api/v1/payments/exceptions/{exceptionId}/resolve', {
          params: { path: { exceptionId: exception.id }, header: commandKey() },
          body: { note: values.note },
        }),
      ),
    { invalidates, form: resolveForm, success: t('exception.resolved'), onSuccess: () => setOpen(undefined) },
  );
  const adjust = useCommand(
    (values: AdjustForm) =>
      unwrap(
        api.POST('/api/v1/payments/exceptions/{exceptionId}/adjustments', {
          params: { path: { exceptionId: exception.id }, header: commandKey() },
          body: {
            note: values.note,
            reason: values.reason,
            journal: { description: values.description, lines: journalLinesOf(values.lines) },
          },
        }),
      ),
    {
      invalidates,
      success: t('exception.adjustmentRequested'),
      onSuccess: (request) => setRequested(request),
    },
  );
  const [unbalanced, setUnbalanced] = useState(false);
  if (exception.status !== 'open' || !can('payments:resolve')) return null;
  return (
    <>
      <Space size="small">
        <Button size="small" onClick={() => setOpen('resolve')} data-testid={`resolve-${exception.id}`}>
          {t('exception.resolve')}
        </Button>
        <Button size="small" onClick={() => setOpen('adjust')} data-testid={`adjust-${exception.id}`}>
          {t('exception.adjust')}
        </Button>
      </Space>
      <Modal
        open={open === 'resolve'}
        title={t('exception.resolveTitle', { id: exception.id })}
        okText={t('exception.resolve')}
        confirmLoading={resolve.isPending}
        onOk={() => resolveForm.submit()}
        onCancel={() => setOpen(undefined)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{exception.detail}</Typography.Paragraph>
        {resolve.isError && <ProblemAlert error={resolve.error} />}
        <Form
          form={resolveForm}
          layout="vertical"
          onFinish={(values) => resolve.mutate(values)}
          preserve={false}
        >
          <Form.Item
            name="note"
            label={t('exception.note')}
            rules={[{ required: true, whitespace: true, max: 500, message: t('exception.noteRequired') }]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={open === 'adjust'}
        width={1100}
        title={t('exception.adjustTitle', { id: exception.id })}
        okText={requested ? t('common:action.close') : t('exception.requestAdjustment')}
        confirmLoading={adjust.isPending}
        onOk={() => (requested ? setOpen(undefined) : adjustForm.submit())}
        onCancel={() => setOpen(undefined)}
        afterClose={() => setRequested(undefined)}
        destroyOnHidden
      >
        {requested ? (
          <Alert
            type="success"
            showIcon
            title={t('exception.pendingApproval', { id: requested.id })}
            description={t('exception.pendingApprovalHint')}
          />
        ) : (
          <>
            <Typography.Paragraph type="secondary">{exception.detail}</Typography.Paragraph>
            {adjust.isError && <ProblemAlert error={adjust.error} />}
            {unbalanced && (
              <Alert type="error" showIcon title={t('exception.unbalanced')} style={{ marginBottom: 12 }} />
            )}
            <Form
              form={adjustForm}
              layout="vertical"
              preserve={false}
              initialValues={{ lines: [{ side: 'debit' }, { side: 'credit' }] }}
              onFinish={(values) => {
                const { debit, credit } = draftTotals(values.lines);
                setUnbalanced(debit !== credit);
                if (debit === credit) adjust.mutate(values);
              }}
            >
              <Form.Item
                name="description"
                label={t('exception.journalDescription')}
                rules={[{ required: true, whitespace: true, max: 500 }]}
              >
                <Input />
              </Form.Item>
              <JournalLinesEditor form={adjustForm} />
              <Form.Item
                name="note"
                label={t('exception.note')}
                rules={[{ required: true, whitespace: true, max: 500 }]}
              >
                <Input />
              </Form.Item>
              <Form.Item
                name="reason"
                label={t('exception.reason')}
                rules={[{ required: true, whitespace: true, max: 500 }]}
              >
                <Input />
              </Form.Item>
            </Form>
          </>
        )}
      </Modal>
    </>
  );
}
