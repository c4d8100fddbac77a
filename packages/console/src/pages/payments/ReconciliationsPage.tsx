import { PlayCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Input,
  Space,
  Table,
  type TableProps,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money, moneyColumn } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { ServerTable } from '../../components/ServerTable';
import { useCommand } from '../../components/useCommand';
import { useUrlFilters } from '../../components/useUrlFilters';
import { commandKey, useBusinessDate } from '../finance/shared';
import { type PaymentException, useExceptionColumns } from './exceptions';

type Reconciliation = Schemas['Reconciliation'];
type Report = Schemas['ReconciliationReport'];
const filterKeys = ['channel', 'from', 'to'] as const;
const differenceKinds = [
  'channel_only',
  'ours_only',
  'amount_mismatch',
  'status_mismatch',
  'bounced_payout',
  'ledger_mismatch',
] as const;

/** Reconciliations of the channels' statements: run one, read the results and resolve what differs. */
export default function ReconciliationsPage() {
  const { t } = useTranslation('payments');
  const can = useCan();
  const [filters, setFilters, filtered] = useUrlFilters(filterKeys);
  const [form] = Form.useForm<{ channel?: string; range?: [Dayjs | null, Dayjs | null] | null }>();
  useEffect(() => {
    form.setFieldsValue({
      channel: filters.channel,
      range:
        filters.from || filters.to
          ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]
          : null,
    });
  }, [filters, form]);
  const columns: TableProps<Reconciliation>['columns'] = [
    { title: t('reconciliation.statementDate'), dataIndex: 'statementDate' },
    { title: t('order.channel'), dataIndex: 'channel' },
    { title: t('reconciliation.rows'), dataIndex: 'rows', align: 'right' },
    moneyColumn(t('reconciliation.gross'), 'grossMinor'),
    moneyColumn(t('reconciliation.fee'), 'feeMinor'),
    moneyColumn(t('reconciliation.refund'), 'refundMinor'),
    moneyColumn(t('reconciliation.net'), 'netMinor', { strong: true }),
    { title: t('reconciliation.matched'), dataIndex: 'matched', align: 'right' },
    { title: t('reconciliation.resolved'), dataIndex: 'resolved', align: 'right' },
    {
      title: t('reconciliation.differences'),
      dataIndex: 'differences',
      align: 'right',
      render: (n: number) => <Tag color={n === 0 ? 'green' : 'red'}>{n}</Tag>,
    },
    {
      title: t('reconciliation.ledger'),
      key: 'ledger',
      render: (_, row) =>
        row.ledger.ok ? (
          <Tag color="green">{t('reconciliation.ledgerOk')}</Tag>
        ) : (
          <Tag color="red">{t('reconciliation.ledgerOff')}</Tag>
        ),
    },
    {
      title: t('reconciliation.importedAt'),
      dataIndex: 'importedAt',
      render: (v: string) => <Instant value={v} />,
    },
  ];
  return (
    <Page title={t('reconciliations')}>
      {can('payments:reconcile') && <RunReconciliation />}
      <Card style={{ marginBottom: 16 }}>
        <Form
          form={form}
          layout="inline"
          onFinish={(values) =>
            setFilters({
              channel: values.channel,
              from: values.range?.[0]?.format('YYYY-MM-DD'),
              to: values.range?.[1]?.format('YYYY-MM-DD'),
            })
          }
        >
          <Form.Item
            name="channel"
            label={t('order.channel')}
            rules={[{ pattern: /^[a-z][a-z0-9_]{0,31}$/, message: t('filter.channelInvalid') }]}
          >
            <Input allowClear style={{ width: 140 }} placeholder="simulated" />
          </Form.Item>
          <Form.Item name="range" label={t('reconciliation.statementDate')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                {t('common:action.search')}
              </Button>
              <Button
                onClick={() => {
                  form.resetFields();
                  setFilters({});
                }}
              >
                {t('common:action.reset')}
              </Button>
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <ServerTable<Reconciliation>
        queryKey={['payments', 'reconciliations', 'list', filters]}
        fetchPage={async (cursor, limit) => {
          const page = await unwrap(
            api.GET('/api/v1/payments/reconciliations', {
              params: { query: { ...filters, before: cursor, limit } },
            }),
          );
          return { rows: page.reconciliations, next: page.next };
        }}
        columns={columns}
        rowKey="id"
        filtered={filtered}
        testId="reconciliation-table"
        expandable={{ expandedRowRender: (row) => <ReconciliationDetail id={row.id} /> }}
      />
    </Page>
  );
}

function RunReconciliation() {
  const { t } = useTranslation('payments');
  const businessDate = useBusinessDate();
  const [form] = Form.useForm<{ channel: string; date: Dayjs }>();
  const [report, setReport] = useState<Report | undefined>();
  const run = useCommand(
    (values: { channel: string; date: string }) =>
      unwrap(
        api.POST('/api/v1/payments/reconciliations', { params: { header: commandKey() }, body: values }),
      ),
    { invalidates: [['payments']], form, success: false, onSuccess: (output) => setReport(output) },
  );
  useEffect(() => {
    if (businessDate && form.getFieldValue('date') === undefined)
      form.setFieldValue('date', dayjs(businessDate));
  }, [businessDate, form]);
  return (
    <Card title={t('reconciliation.run')} size="small" style={{ marginBottom: 16 }}>
      <Form
        form={form}
        layout="inline"
        initialValues={{ channel: 'simulated' }}
        onFinish={(values) => run.mutate({ channel: values.channel, date: values.date.format('YYYY-MM-DD') })}
        data-testid="reconcile-form"
      >
        <Form.Item
          name="channel"
          label={t('order.channel')}
          rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,31}$/, message: t('filter.channelInvalid') }]}
        >
          <Input style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="date" label={t('reconciliation.settlementDate')} rules={[{ required: true }]}>
          <DatePicker allowClear={false} />
        </Form.Item>
        <Form.Item>
          <Button
            type="primary"
            htmlType="submit"
            icon={<PlayCircleOutlined />}
            loading={run.isPending}
            data-testid="reconcile-run"
          >
            {t('reconciliation.runButton')}
          </Button>
        </Form.Item>
      </Form>
      {run.isPending && (
        <Alert type="info" showIcon style={{ marginTop: 12 }} title={t('reconciliation.running')} />
      )}
      {run.isError && (
        <div style={{ marginTop: 12 }}>
          <ProblemAlert error={run.error} />
        </div>
      )}
      {report && !run.isPending && <ReportView report={report} />}
    </Card>
  );
}

function ReportView({ report }: { report: Report }) {
  const { t } = useTranslation('payments');
  const differences = differenceKinds.reduce((sum, kind) => sum + report.differences[kind], 0);
  return (
    <div style={{ marginTop: 12 }} data-testid="reconcile-report">
      <Alert
        type={differences === 0 && report.ledger.ok ? 'success' : 'warning'}
        showIcon
        title={
          report.alreadyImported
            ? t('reconciliation.alreadyImported', { date: report.date })
            : differences === 0
              ? t('reconciliation.allMatched', { date: report.date, matched: report.matched })
              : t('reconciliation.someDiffer', { date: report.date, count: differences })
        }
        style={{ marginBottom: 12 }}
      />
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, md: 3 }}
        items={[
          { key: 'rows', label: t('reconciliation.rows'), children: report.rows },
          { key: 'matched', label: t('reconciliation.matched'), children: report.matched },
          { key: 'resolved', label: t('reconciliation.resolved'), children: report.resolved },
          ...differenceKinds.map((kind) => ({
            key: kind,
            label: t(`exceptionKind.${kind}`),
            children: report.differences[kind],
          })),
          { key: 'fee', label: t('reconciliation.fee'), children: <Money minor={report.feeMinor} /> },
          {
            key: 'ledger',
            label: t('reconciliation.ledger'),
            children: (
              <Space>
                <Money minor={report.ledger.postedMinor} /> / <Money minor={report.ledger.expectedMinor} />
                {report.ledger.ok ? (
                  <Tag color="green">{t('reconciliation.ledgerOk')}</Tag>
                ) : (
                  <Tag color="red">{t('reconciliation.ledgerOff')}</Tag>
                )}
              </Space>
            ),
          },
          {
            key: 'feeEntry',
            label: t('reconciliation.feeEntry'),
            children: report.feeEntryId ? (
              <Link to={`/finance/entries/${report.feeEntryId}`}>#{report.feeEntryId}</Link>
            ) : (
              '—'
            ),
          },
        ]}
      />
    </div>
  );
}

function ReconciliationDetail({ id }: { id: string }) {
  const { t } = useTranslation('payments');
  const columns = useExceptionColumns();
  const detail = useQuery({
    queryKey: ['payments', 'reconciliations', id],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/payments/reconciliations/{statementId}', { params: { path: { statementId: id } } }),
      ),
  });
  return (
    <QueryState query={detail}>
      {(data) => (
        <div data-testid={`reconciliation-${id}`}>
          <Space wrap style={{ marginBottom: 8 }}>
            {differenceKinds.map((kind) => (
              <Tag key={kind} color={data.differencesByKind[kind] ? 'red' : 'default'}>
                {t(`exceptionKind.${kind}`)}: {data.differencesByKind[kind] ?? 0}
              </Tag>
            ))}
            <Typography.Text type="secondary" copyable={{ text: data.digest }}>
              SHA-256 {data.digest.slice(0, 12)}…
            </Typography.Text>
            <Link to={`/payments/exceptions?statementId=${data.id}`}>
              {t('reconciliation.allExceptions')}
            </Link>
          </Space>
          <Table<PaymentException>
            size="small"
            rowKey="id"
            columns={columns}
            dataSource={data.exceptions}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: <Empty description={t('reconciliation.noDifferences')} /> }}
          />
        </div>
      )}
    </QueryState>
  );
}
