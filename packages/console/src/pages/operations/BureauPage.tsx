import { FileAddOutlined, SyncOutlined } from '@ant-design/icons';
import {
  Button,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { useUrlFilters } from '../../components/useUrlFilters';
import { formatCount } from '../../format';
import { commandKey, formatBytes, useBusinessDate } from './shared';

// Credit-bureau reporting: the submission files made (newest first, a page at a time), the
// generated records with their validation (filtered on the server), and — for finance
// (bureau:submit) — running a generation and making a submission file of a date range.

type SubmissionRow = Schemas['BureauSubmissionPage']['submissions'][number];
type RecordRow = Schemas['BureauRecordSummary'];

export const submissionsKey = ['bureau-submissions'] as const;
export const recordsKey = ['bureau-records'] as const;

const keys = ['tab', 'status', 'rptDateCode', 'loanId', 'from', 'to'] as const;
const recordStatuses = [
  'pending',
  'held_for_notice',
  'submitted',
  'accepted',
  'rejected',
  'superseded',
] as const;
const codes = ['10', '20', '30', '32', '40'] as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function BureauPage() {
  const { t } = useTranslation('operations');
  const can = useCan();
  const [filters, setFilters] = useUrlFilters(keys);
  const [dialog, setDialog] = useState<'generate' | 'submission' | undefined>();
  const tab = filters.tab === 'records' ? 'records' : 'submissions';
  return (
    <Page
      title={t('bureauPage.title')}
      extra={
        can('bureau:submit') && (
          <Space>
            <Button
              icon={<SyncOutlined />}
              onClick={() => setDialog('generate')}
              data-testid="bureau-generate"
            >
              {t('bureauPage.generate')}
            </Button>
            <Button
              type="primary"
              icon={<FileAddOutlined />}
              onClick={() => setDialog('submission')}
              data-testid="bureau-new-submission"
            >
              {t('bureauPage.newSubmission')}
            </Button>
          </Space>
        )
      }
    >
      <Tabs
        activeKey={tab}
        onChange={(key) => setFilters({ tab: key })}
        items={[
          { key: 'submissions', label: t('bureauPage.submissions'), children: <Submissions /> },
          {
            key: 'records',
            label: t('bureauPage.records'),
            children: <Records filters={filters} setFilters={setFilters} />,
          },
        ]}
      />
      {dialog === 'generate' && <GenerateDialog onClose={() => setDialog(undefined)} />}
      {dialog === 'submission' && <SubmissionDialog onClose={() => setDialog(undefined)} />}
    </Page>
  );
}

function Submissions() {
  const { t } = useTranslation('operations');
  const navigate = useNavigate();
  return (
    <ServerTable<SubmissionRow>
      testId="bureau-submissions"
      queryKey={submissionsKey}
      rowKey="id"
      fetchPage={async (cursor, limit) => {
        const page = await unwrap(
          api.GET('/api/v1/bureau/submissions', {
            params: { query: { limit, ...(cursor ? { before: cursor } : {}) } },
          }),
        );
        return { rows: page.submissions, next: page.next };
      }}
      onRow={(row) => ({
        onClick: () => navigate(`/operations/bureau/submissions/${row.id}`),
        style: { cursor: 'pointer' },
      })}
      columns={[
        {
          title: t('bureauPage.createdAt'),
          dataIndex: 'createdAt',
          render: (v: string) => <Instant value={v} />,
        },
        {
          title: t('bureauPage.range'),
          key: 'range',
          render: (_, s) => (
            <Link to={`/operations/bureau/submissions/${s.id}`} data-testid="submission-link">
              {s.rangeFrom === s.rangeTo ? s.rangeFrom : `${s.rangeFrom} – ${s.rangeTo}`}
            </Link>
          ),
        },
        { title: t('bureauPage.recordsCount'), dataIndex: 'records', align: 'right', render: formatCount },
        {
          title: t('bureauPage.excludedCount'),
          dataIndex: 'excludedCount',
          align: 'right',
          render: formatCount,
        },
        { title: t('bureauPage.bytes'), dataIndex: 'bytes', align: 'right', render: formatBytes },
        {
          title: t('bureauPage.digest'),
          dataIndex: 'digest',
          render: (d: string) => (
            <Typography.Text code copyable={{ text: d }}>
              {`${d.slice(0, 16)}…`}
            </Typography.Text>
          ),
        },
        {
          title: t('bureauPage.corrects'),
          dataIndex: 'corrects',
          render: (c: string | null) => (c === null ? '—' : c.slice(0, 8)),
        },
        { title: t('bureauPage.createdBy'), dataIndex: 'createdBy' },
      ]}
    />
  );
}

type Filters = Partial<Record<(typeof keys)[number], string>>;

function Records({ filters, setFilters }: { filters: Filters; setFilters: (values: Filters) => void }) {
  const { t } = useTranslation('operations');
  const [form] = Form.useForm();
  const query = {
    ...(filters.status ? { status: filters.status as (typeof recordStatuses)[number] } : {}),
    ...(filters.rptDateCode ? { rptDateCode: filters.rptDateCode as (typeof codes)[number] } : {}),
    ...(filters.loanId && uuid.test(filters.loanId) ? { loanId: filters.loanId } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
  };
  const date = (value: string | undefined) => (value ? dayjs(value) : undefined);
  return (
    <>
      <Form
        form={form}
        layout="inline"
        style={{ marginBottom: 16, rowGap: 8 }}
        initialValues={{ ...query, from: date(query.from), to: date(query.to) }}
        onFinish={(v: { status?: string; rptDateCode?: string; loanId?: string; from?: Dayjs; to?: Dayjs }) =>
          setFilters({
            tab: 'records',
            status: v.status,
            rptDateCode: v.rptDateCode,
            loanId: v.loanId,
            from: v.from?.format('YYYY-MM-DD'),
            to: v.to?.format('YYYY-MM-DD'),
          })
        }
      >
        <Form.Item name="status" label={t('bureauPage.filter.status')}>
          <Select
            allowClear
            style={{ width: 150 }}
            options={recordStatuses.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          />
        </Form.Item>
        <Form.Item name="rptDateCode" label={t('bureauPage.filter.code')}>
          <Select
            allowClear
            style={{ width: 170 }}
            options={codes.map((c) => ({ value: c, label: t(`bureauPage.code.${c}`) }))}
          />
        </Form.Item>
        <Form.Item name="from" label={t('bureauPage.from')}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="to" label={t('bureauPage.to')}>
          <DatePicker />
        </Form.Item>
        <Form.Item
          name="loanId"
          label={t('bureauPage.filter.loanId')}
          rules={[{ pattern: uuid, message: 'UUID' }]}
        >
          <Input allowClear style={{ width: 300 }} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('common:action.search')}
          </Button>
          <Button
            onClick={() => {
              form.setFieldsValue({
                status: undefined,
                rptDateCode: undefined,
                loanId: undefined,
                from: undefined,
                to: undefined,
              });
              setFilters({ tab: 'records' });
            }}
          >
            {t('common:action.reset')}
          </Button>
        </Space>
      </Form>
      <ServerTable<RecordRow>
        testId="bureau-records"
        queryKey={[...recordsKey, query]}
        rowKey="id"
        filtered={Object.keys(query).length > 0}
        fetchPage={async (cursor, limit) => {
          const page = await unwrap(
            api.GET('/api/v1/bureau/records', {
              params: { query: { ...query, limit, ...(cursor ? { after: cursor } : {}) } },
            }),
          );
          return { rows: page.records, next: page.next };
        }}
        columns={[
          { title: t('bureauPage.column.rptDate'), dataIndex: 'rptDate' },
          {
            title: t('bureauPage.column.rptDateCode'),
            dataIndex: 'rptDateCode',
            render: (c: string) => t(`bureauPage.code.${c}`, { defaultValue: c }),
          },
          { title: t('bureauPage.column.infoType'), dataIndex: 'infoType' },
          {
            title: t('bureauPage.column.acctCode'),
            dataIndex: 'acctCode',
            render: (code: string, r) => (r.loanId ? <Link to={`/loans/${r.loanId}`}>{code}</Link> : code),
          },
          {
            title: t('bureauPage.column.rpyStatus'),
            dataIndex: 'rpyStatus',
            render: (s: string | null) => s ?? '—',
          },
          {
            title: t('bureauPage.column.negative'),
            dataIndex: 'negative',
            render: (n: boolean) => (n ? t('common:yes') : t('common:no')),
          },
          {
            title: t('bureauPage.column.valid'),
            dataIndex: 'valid',
            render: (v: boolean) => (
              <Tag color={v ? 'green' : 'red'}>{v ? t('bureauPage.valid') : t('bureauPage.invalid')}</Tag>
            ),
          },
          {
            title: t('bureauPage.column.status'),
            dataIndex: 'status',
            render: (s: string) => <StatusTag value={s} ns="operations" />,
          },
          {
            title: t('bureauPage.createdAt'),
            dataIndex: 'createdAt',
            render: (v: string) => <Instant value={v} />,
          },
        ]}
      />
    </>
  );
}

function GenerateDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('operations');
  const businessDate = useBusinessDate().data?.businessDate;
  const [form] = Form.useForm<{ date: Dayjs }>();
  const command = useCommand(
    (date: string) =>
      unwrap(api.POST('/api/v1/bureau/generations', { params: { header: commandKey() }, body: { date } })),
    { form, success: false, invalidates: [recordsKey] },
  );
  const result = command.data;
  return (
    <Modal
      open
      title={t('bureauPage.generate')}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose} data-testid="generate-close">
            {t('common:action.close')}
          </Button>
          <Button
            type="primary"
            loading={command.isPending}
            onClick={() => form.submit()}
            data-testid="generate-submit"
          >
            {t('bureauPage.generate')}
          </Button>
        </Space>
      }
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('bureauPage.generateHint')}</Typography.Paragraph>
      {command.error !== null && <ProblemAlert error={command.error} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ date: businessDate ? dayjs(businessDate) : undefined }}
        onFinish={(v) => command.mutate(v.date.format('YYYY-MM-DD'))}
      >
        <Form.Item name="date" label={t('bureauPage.generationDate')} rules={[{ required: true }]}>
          <DatePicker
            style={{ width: '100%' }}
            disabledDate={(d) => businessDate !== undefined && d.isAfter(dayjs(businessDate), 'day')}
          />
        </Form.Item>
      </Form>
      {result && (
        <Descriptions
          size="small"
          bordered
          column={2}
          title={t('bureauPage.generated', { reportedDate: result.reportedDate })}
          data-testid="generation-result"
        >
          <Descriptions.Item label={t('bureauPage.generation.reportedDate')}>
            {result.reportedDate}
          </Descriptions.Item>
          <Descriptions.Item label={t('bureauPage.generation.monthEnd')}>
            {result.monthEnd ? t('common:yes') : t('common:no')}
          </Descriptions.Item>
          <Descriptions.Item label={t('bureauPage.generation.records')}>
            <span data-testid="generation-records">{formatCount(result.records)}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('bureauPage.generation.held')}>
            {formatCount(result.held)}
          </Descriptions.Item>
          <Descriptions.Item label={t('bureauPage.generation.invalid')}>
            {formatCount(result.invalid)}
          </Descriptions.Item>
          <Descriptions.Item label={t('bureauPage.generation.released')}>
            {formatCount(result.released)}
          </Descriptions.Item>
        </Descriptions>
      )}
    </Modal>
  );
}

function SubmissionDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('operations');
  const navigate = useNavigate();
  const businessDate = useBusinessDate().data?.businessDate;
  const yesterday = businessDate ? dayjs(businessDate).subtract(1, 'day') : undefined;
  const [form] = Form.useForm<{ from: Dayjs; to: Dayjs }>();
  const command = useCommand(
    (body: { from: string; to: string }) =>
      unwrap(api.POST('/api/v1/bureau/submissions', { params: { header: commandKey() }, body })),
    {
      form,
      invalidates: [submissionsKey, recordsKey],
      onSuccess: (made) => navigate(`/operations/bureau/submissions/${made.id}`),
    },
  );
  return (
    <Modal
      open
      title={t('bureauPage.newSubmission')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ 'data-testid': 'submission-submit' } as never}
      confirmLoading={command.isPending}
      destroyOnHidden
    >
      {command.error !== null && <ProblemAlert error={command.error} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ from: yesterday, to: yesterday }}
        onFinish={(v) => command.mutate({ from: v.from.format('YYYY-MM-DD'), to: v.to.format('YYYY-MM-DD') })}
      >
        <Form.Item name="from" label={t('bureauPage.from')} rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} data-testid="submission-from" />
        </Form.Item>
        <Form.Item
          name="to"
          label={t('bureauPage.to')}
          dependencies={['from']}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: (_, value: Dayjs | undefined) => {
                const from: Dayjs | undefined = getFieldValue('from');
                return value === undefined || from === undefined || !value.isBefore(from, 'day')
                  ? Promise.resolve()
                  : Promise.reject(new Error(`${t('bureauPage.to')} ≥ ${t('bureauPage.from')}`));
              },
            }),
          ]}
        >
          <DatePicker style={{ width: '100%' }} data-testid="submission-to" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
