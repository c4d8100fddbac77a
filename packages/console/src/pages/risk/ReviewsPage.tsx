import {
  Button,
  Card,
  Form,
  Input,
  Modal,
  Radio,
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
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { useUrlFilters } from '../../components/useUrlFilters';
import { parseMoney } from '../../format';
import { commandKey, pageOf, reviewReasonCodes, shortId } from './shared';

type Review = Schemas['CreditReview'];
const statuses = ['open', 'claimed', 'awaiting_approval', 'decided'] as const;
type Status = (typeof statuses)[number];

type DecideValues = {
  decision: 'approve' | 'reject';
  reasonCode: (typeof reviewReasonCodes)[number];
  /** Yuan as typed; sent in fen. */
  limitMinor?: string;
  note?: string;
};

function DecideDialog({ review, onClose }: { review: Review; onClose: () => void }) {
  const { t } = useTranslation('risk');
  const [form] = Form.useForm<DecideValues>();
  const decision = Form.useWatch('decision', form);
  const decide = useCommand(
    (values: DecideValues) =>
      unwrap(
        api.POST('/api/v1/risk/reviews/{applicationId}/decision', {
          params: { path: { applicationId: review.applicationId }, header: commandKey() },
          body: {
            decision: values.decision,
            reasonCode: values.reasonCode,
            ...(values.note ? { note: values.note } : {}),
            ...(values.decision === 'approve' && values.limitMinor
              ? { limitMinor: parseMoney(values.limitMinor) }
              : {}),
          },
        }),
      ),
    {
      form,
      invalidates: [['risk', 'reviews']],
      success: t('review.decided'),
      onSuccess: onClose,
    },
  );
  const approving = decision === 'approve';
  return (
    <Modal
      open
      title={t('review.decideTitle', { id: shortId(review.applicationId) })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={decide.isPending}
      okButtonProps={{ 'data-testid': 'review-decide-submit' } as never}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ decision: 'approve' }}
        onFinish={(values) => decide.mutate(values)}
      >
        <Form.Item name="decision" label={t('field.decision')} rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'approve', label: t('status.approve') },
              { value: 'reject', label: t('status.reject') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="reasonCode"
          label={t('field.reasonCode')}
          rules={[{ required: true, message: t('rule.reasonCode') }]}
        >
          <Select
            data-testid="review-reason"
            options={reviewReasonCodes.map((code) => ({
              value: code,
              label: `${code} · ${t(`reviewReason.${code}`)}`,
            }))}
          />
        </Form.Item>
        {approving && (
          <Form.Item
            name="limitMinor"
            label={t('review.limit')}
            extra={t('review.limitHelp')}
            rules={[
              {
                validator: async (_, value?: string) => {
                  if (value && parseMoney(value) === undefined) throw new Error(t('rule.amount'));
                },
              },
            ]}
          >
            <Input prefix="¥" placeholder="20,000.00" />
          </Form.Item>
        )}
        <Form.Item name="note" label={t('field.note')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
      {decide.isError && <ProblemAlert error={decide.error} />}
    </Modal>
  );
}

/** The manual review queue: oldest first with each item's SLA; claim, then decide with a reason code. */
export default function ReviewsPage() {
  const { t } = useTranslation('risk');
  const staff = useStaff();
  const can = useCan();
  const [filters, setFilters, filtered] = useUrlFilters(['status'] as const);
  const [deciding, setDeciding] = useState<Review | undefined>();
  const [form] = Form.useForm<{ status?: string }>();
  useEffect(() => form.setFieldsValue({ status: filters.status }), [filters, form]);
  const status = statuses.find((value) => value === filters.status) as Status | undefined;
  const claim = useCommand(
    (applicationId: string) =>
      unwrap(
        api.POST('/api/v1/risk/reviews/{applicationId}/claim', {
          params: { path: { applicationId }, header: commandKey() },
        }),
      ),
    { invalidates: [['risk', 'reviews']], success: t('review.claimed') },
  );

  const columns: TableProps<Review>['columns'] = [
    {
      title: t('field.application'),
      dataIndex: 'applicationId',
      render: (id: string) => (
        <Link to={`/risk/applications/${id}`} title={id}>
          {shortId(id)}
        </Link>
      ),
    },
    {
      title: t('field.status'),
      dataIndex: 'status',
      render: (value: string) => <StatusTag value={value} ns="risk" />,
    },
    {
      title: t('field.reasons'),
      dataIndex: 'reasons',
      render: (reasons: string[]) => reasons.map((reason) => <Tag key={reason}>{reason}</Tag>),
    },
    { title: t('field.score'), dataIndex: 'score', align: 'right' },
    { title: t('field.grade'), dataIndex: 'grade', render: (grade: string | null) => grade ?? '—' },
    {
      title: t('field.claimedBy'),
      dataIndex: 'claimedBy',
      render: (who: string | null) =>
        who === null ? '—' : who === staff.user.id ? <Tag color="blue">{t('review.you')}</Tag> : shortId(who),
    },
    {
      title: t('field.openedAt'),
      dataIndex: 'openedAt',
      render: (value: string) => <Instant value={value} />,
    },
    {
      title: t('field.dueAt'),
      dataIndex: 'dueAt',
      render: (value: string, review) => (
        <Space size={4}>
          <Instant value={value} />
          {review.overdue && <Tag color="red">{t('review.overdue')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('field.limit'),
      dataIndex: 'limitMinor',
      align: 'right',
      render: (value: string | null) => (value === null ? '—' : <Money minor={value} />),
    },
    {
      title: t('field.actions'),
      key: 'actions',
      render: (_, review) => (
        <Space>
          {review.status === 'open' && can('risk:review') && (
            <Button
              size="small"
              loading={claim.isPending && claim.variables === review.applicationId}
              onClick={() => claim.mutate(review.applicationId)}
              data-testid={`claim-${review.applicationId}`}
            >
              {t('review.claim')}
            </Button>
          )}
          {review.status === 'claimed' && review.claimedBy === staff.user.id && (
            <Button
              size="small"
              type="primary"
              onClick={() => setDeciding(review)}
              data-testid={`decide-${review.applicationId}`}
            >
              {t('review.decide')}
            </Button>
          )}
          {review.approvalRequestId && (
            <Link to={`/administration/approvals?status=pending`}>{t('review.awaitingChecker')}</Link>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Page title={t('reviews')}>
      <Card>
        <Form
          form={form}
          layout="inline"
          onFinish={(values) => setFilters(values)}
          style={{ marginBottom: 16, rowGap: 8 }}
        >
          <Form.Item name="status" label={t('field.status')}>
            <Select
              allowClear
              placeholder={t('review.undecided')}
              style={{ width: 200 }}
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
        {claim.isError && <ProblemAlert error={claim.error} />}
        <Typography.Paragraph type="secondary">{t('review.help')}</Typography.Paragraph>
        <ServerTable<Review>
          testId="review-queue"
          queryKey={['risk', 'reviews', filters]}
          filtered={filtered}
          fetchPage={(cursor, limit) =>
            pageOf(
              (size) =>
                unwrap(
                  api.GET('/api/v1/risk/reviews', {
                    params: { query: { ...(status ? { status } : {}), after: cursor, limit: size } },
                  }),
                ),
              limit,
              (row) => row.applicationId,
            )
          }
          columns={columns}
          rowKey="applicationId"
        />
      </Card>
      {deciding && <DecideDialog review={deciding} onClose={() => setDeciding(undefined)} />}
    </Page>
  );
}
