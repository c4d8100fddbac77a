import { CopyOutlined, DiffOutlined, EditOutlined, SendOutlined, StopOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { JsonBlock } from '../../components/JsonBlock';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { PolicyEditor, policySchemaQuery } from './PolicyEditor';
import { commandKey, outcomeColour } from './shared';

type Version = Schemas['PolicyVersion'];
const outcomes = ['approve', 'review', 'reject'] as const;

function PublishDialog({ version, onClose }: { version: Version; onClose: () => void }) {
  const { t } = useTranslation('risk');
  const { message } = App.useApp();
  const [form] = Form.useForm<{
    role: 'champion' | 'challenger';
    challengerShareBp?: number;
    terms?: number[];
    reason: string;
  }>();
  const schema = useQuery(policySchemaQuery);
  const role = Form.useWatch('role', form);
  const publish = useCommand(
    (values: {
      role: 'champion' | 'challenger';
      challengerShareBp?: number;
      terms?: number[];
      reason: string;
    }) =>
      unwrap(
        api.POST('/api/v1/risk/policies/{versionId}/publish-requests', {
          params: { path: { versionId: version.id }, header: commandKey() },
          body: {
            role: values.role,
            reason: values.reason,
            ...(values.role === 'challenger' ? { challengerShareBp: values.challengerShareBp } : {}),
            ...(values.terms && values.terms.length > 0 ? { terms: values.terms } : {}),
          },
        }),
      ),
    {
      form,
      success: false,
      invalidates: [['approvals']],
      onSuccess: () => {
        void message.success(t('publish.requested'));
        onClose();
      },
    },
  );
  return (
    <Modal
      open
      title={t('publish.title', { policy: `${version.policyId} v${version.version}` })}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('publish.submit')}
      confirmLoading={publish.isPending}
      okButtonProps={{ 'data-testid': 'publish-submit' } as never}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        {t('publish.help', {
          cap: schema.data ? `${(Number(schema.data.aprCap) * 100).toFixed(2)}%` : '24.00%',
        })}
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ role: 'champion' }}
        onFinish={(values) => publish.mutate(values)}
      >
        <Form.Item name="role" label={t('field.role')} rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'champion', label: t('status.champion') },
              { value: 'challenger', label: t('status.challenger') },
            ]}
          />
        </Form.Item>
        {role === 'challenger' && (
          <Form.Item
            name="challengerShareBp"
            label={t('publish.share')}
            rules={[{ required: true, type: 'integer', min: 1, max: 10000, message: t('publish.shareRule') }]}
          >
            <InputNumber min={1} max={10000} suffix="bp" style={{ width: 200 }} />
          </Form.Item>
        )}
        <Form.Item
          name="terms"
          label={t('publish.terms')}
          extra={t('publish.termsHelp', { terms: (schema.data?.pricingTerms ?? []).join(', ') })}
        >
          <Select
            mode="multiple"
            allowClear
            options={[1, 3, 6, 9, 12, 18, 24, 36, 48, 60].map((term) => ({
              value: term,
              label: t('months', { count: term }),
            }))}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('field.reason')}
          rules={[{ required: true, whitespace: true, max: 500, message: t('rule.reason') }]}
        >
          <Input.TextArea rows={3} data-testid="publish-reason" />
        </Form.Item>
      </Form>
      {publish.isError && <ProblemAlert error={publish.error} />}
    </Modal>
  );
}

function RetireDialog({ version, onClose }: { version: Version; onClose: () => void }) {
  const { t } = useTranslation('risk');
  const [form] = Form.useForm<{ reason: string }>();
  const retire = useCommand(
    (values: { reason: string }) =>
      unwrap(
        api.POST('/api/v1/risk/policies/{versionId}/retire-requests', {
          params: { path: { versionId: version.id }, header: commandKey() },
          body: values,
        }),
      ),
    { form, success: t('retire.requested'), invalidates: [['approvals']], onSuccess: onClose },
  );
  return (
    <Modal
      open
      title={t('retire.title', { policy: `${version.policyId} v${version.version}` })}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={retire.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(values) => retire.mutate(values)}>
        <Form.Item
          name="reason"
          label={t('field.reason')}
          rules={[{ required: true, whitespace: true, max: 500, message: t('rule.reason') }]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
      {retire.isError && <ProblemAlert error={retire.error} />}
    </Modal>
  );
}

function Backtest({ versionId }: { versionId: string }) {
  const { t } = useTranslation('risk');
  const businessDate = useQuery({
    queryKey: ['business-date'],
    queryFn: () => unwrap(api.GET('/api/v1/business-date')),
    staleTime: 30_000,
  });
  const [period, setPeriod] = useState<{ from: string; to: string } | undefined>();
  const result = useQuery({
    queryKey: ['risk', 'backtest', versionId, period],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/risk/policies/{versionId}/backtest', {
          params: { path: { versionId }, query: period ?? { from: '', to: '' } },
        }),
      ),
    enabled: period !== undefined,
  });
  const today = businessDate.data?.businessDate;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Paragraph type="secondary">{t('backtest.help')}</Typography.Paragraph>
      {today && (
        <Form<{ period: [Dayjs, Dayjs] }>
          layout="inline"
          initialValues={{ period: [dayjs(today).subtract(30, 'day'), dayjs(today)] }}
          onFinish={({ period: [from, to] }) =>
            setPeriod({ from: from.format('YYYY-MM-DD'), to: to.format('YYYY-MM-DD') })
          }
        >
          <Form.Item name="period" label={t('backtest.period')} rules={[{ required: true }]}>
            <DatePicker.RangePicker allowClear={false} />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={result.isFetching} data-testid="backtest-run">
              {t('backtest.run')}
            </Button>
          </Form.Item>
        </Form>
      )}
      {period !== undefined && (
        <QueryState query={result}>
          {(report) => (
            <div data-testid="backtest-result">
              <Space size="large" wrap>
                <Statistic title={t('backtest.applications')} value={report.applications} />
                <Statistic title={t('backtest.outcomeChanged')} value={report.outcomeChanged} />
                <Statistic title={t('backtest.gradeChanged')} value={report.gradeChanged} />
                <Statistic title={t('backtest.limitsHigher')} value={report.limits.higher} />
                <Statistic title={t('backtest.limitsLower')} value={report.limits.lower} />
                <Statistic title={t('backtest.limitsSame')} value={report.limits.same} />
              </Space>
              <Descriptions size="small" column={2} style={{ marginTop: 16 }}>
                <Descriptions.Item label={t('backtest.decidedLimits')}>
                  <Money minor={report.limits.decidedMinor} />
                </Descriptions.Item>
                <Descriptions.Item label={t('backtest.testedLimits')}>
                  <Money minor={report.limits.testedMinor} />
                </Descriptions.Item>
              </Descriptions>
              <Typography.Title level={5}>{t('backtest.confusion')}</Typography.Title>
              <Table
                size="small"
                pagination={false}
                rowKey="decided"
                style={{ maxWidth: 640 }}
                dataSource={outcomes.map((decided) => ({ decided, ...report.confusion[decided] }))}
                columns={[
                  {
                    title: t('backtest.decidedTested'),
                    dataIndex: 'decided',
                    render: (value: string) => (
                      <StatusTag value={value} ns="risk" colour={outcomeColour[value]} />
                    ),
                  },
                  ...outcomes.map((tested) => ({
                    title: t(`status.${tested}`),
                    dataIndex: tested,
                    align: 'right' as const,
                  })),
                ]}
              />
            </div>
          )}
        </QueryState>
      )}
    </Space>
  );
}

/** One policy version: its document (edited while a draft), publishing, retiring, a backtest. */
export default function PolicyVersionPage() {
  const { versionId = '' } = useParams();
  const { t } = useTranslation('risk');
  const can = useCan();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [dialog, setDialog] = useState<'publish' | 'retire' | undefined>();
  const version = useQuery({
    queryKey: ['risk', 'policies', 'version', versionId],
    queryFn: () => unwrap(api.GET('/api/v1/risk/policies/{versionId}', { params: { path: { versionId } } })),
  });
  const data = version.data;
  return (
    <Page
      title={data ? `${data.policyId} v${data.version}` : t('policies')}
      extra={
        data && (
          <Space wrap>
            <Button icon={<DiffOutlined />} onClick={() => navigate(`/risk/policies/diff?right=${data.id}`)}>
              {t('action.compare')}
            </Button>
            {can('risk:author') && (
              <Button icon={<CopyOutlined />} onClick={() => navigate(`/risk/policies/new?from=${data.id}`)}>
                {t('action.copyAsDraft')}
              </Button>
            )}
            {can('risk:author') && data.status === 'draft' && !editing && (
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('common:action.edit')}
              </Button>
            )}
            {can('risk:author') && data.status === 'draft' && (
              <Button
                type="primary"
                icon={<SendOutlined />}
                onClick={() => setDialog('publish')}
                data-testid="publish-request"
              >
                {t('action.requestPublish')}
              </Button>
            )}
            {can('risk:author') && data.status === 'published' && data.role !== 'champion' && (
              <Button danger icon={<StopOutlined />} onClick={() => setDialog('retire')}>
                {t('action.requestRetire')}
              </Button>
            )}
          </Space>
        )
      }
    >
      <QueryState query={version}>
        {(found) => (
          <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
            <Card>
              <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                <Descriptions.Item label={t('field.status')}>
                  <StatusTag value={found.status} ns="risk" />
                  {found.role && (
                    <StatusTag
                      value={found.role}
                      ns="risk"
                      colour={found.role === 'champion' ? 'blue' : 'purple'}
                    />
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.challengerShare')}>
                  {found.challengerShareBp === null ? '—' : `${(found.challengerShareBp / 100).toFixed(2)}%`}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.versionId')}>
                  <Typography.Text copyable>{found.id}</Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('field.createdBy')}>{found.createdBy}</Descriptions.Item>
                <Descriptions.Item label={t('field.createdAt')}>
                  <Instant value={found.createdAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('field.publishedAt')}>
                  <Instant value={found.publishedAt} />
                </Descriptions.Item>
                <Descriptions.Item label={t('field.publishedBy')}>
                  {found.publishedBy ?? '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('field.retiredAt')}>
                  <Instant value={found.retiredAt} />
                </Descriptions.Item>
              </Descriptions>
            </Card>
            <Card>
              <Tabs
                items={[
                  {
                    key: 'document',
                    label: t('tab.document'),
                    children: editing ? (
                      <PolicyEditor
                        initialText={JSON.stringify(found.document, null, 2)}
                        versionId={found.id}
                        onSaved={() => {
                          setEditing(false);
                          void version.refetch();
                        }}
                        onCancel={() => setEditing(false)}
                      />
                    ) : (
                      <JsonBlock value={found.document} maxHeight={640} />
                    ),
                  },
                  { key: 'backtest', label: t('tab.backtest'), children: <Backtest versionId={found.id} /> },
                ]}
              />
            </Card>
            <Typography.Text type="secondary">
              <Link to={`/risk/policies?policyId=${encodeURIComponent(found.policyId)}`}>
                {t('allVersions')}
              </Link>
            </Typography.Text>
            {dialog === 'publish' && <PublishDialog version={found} onClose={() => setDialog(undefined)} />}
            {dialog === 'retire' && <RetireDialog version={found} onClose={() => setDialog(undefined)} />}
          </Space>
        )}
      </QueryState>
    </Page>
  );
}
