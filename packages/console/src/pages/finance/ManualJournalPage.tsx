import { Alert, Button, Card, Form, Input, Result, Space, type TableProps, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiProblem, api, type Schemas, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ServerTable } from '../../components/ServerTable';
import { useCommand } from '../../components/useCommand';
import { entryDebits } from './EntriesPage';
import {
  commandKey,
  type DraftLine,
  draftTotals,
  type JournalEntry,
  JournalLinesEditor,
  JournalLinesTable,
  journalLinesOf,
  useChart,
} from './shared';

type JournalForm = { description: string; reason: string; lines: DraftLine[] };
const initialLines: DraftLine[] = [{ side: 'debit' }, { side: 'credit' }];

/**
 * A manual journal entry asked for by a maker (ledger:post) and posted only when a different user
 * with ledger:approve approves it. The form refuses an entry whose debits and credits differ before
 * anything is sent; the server checks the rest exactly as posting would (accounts, dates).
 */
export default function ManualJournalPage() {
  const { t } = useTranslation('finance');
  const chart = useChart();
  const [form] = Form.useForm<JournalForm>();
  const [unbalanced, setUnbalanced] = useState(false);
  const [requested, setRequested] = useState<Schemas['ApprovalRequest'] | undefined>();
  const submit = useCommand(
    (values: JournalForm) =>
      unwrap(
        api.POST('/api/v1/ledger/manual-journals', {
          params: { header: commandKey() },
          body: {
            description: values.description.trim(),
            reason: values.reason.trim(),
            lines: journalLinesOf(values.lines),
          },
        }),
      ),
    { success: t('journal.requested'), onSuccess: (request) => setRequested(request) },
  );
  const onFinish = (values: JournalForm) => {
    const { debit, credit } = draftTotals(values.lines);
    const balanced = debit === credit && debit > 0n;
    setUnbalanced(!balanced);
    if (!balanced) return;
    submit.mutate(values, {
      // A refusal names the line's field (lines.0.account): shown on that field of the form.
      onError: (error) => {
        if (!(error instanceof ApiProblem)) return;
        form.setFields(
          error.errors
            .filter((field) => field.path.startsWith('lines.'))
            .map((field) => ({
              name: field.path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)) as never,
              errors: [field.message],
            })),
        );
      },
    });
  };
  const columns: TableProps<JournalEntry>['columns'] = [
    {
      title: t('entry.id'),
      dataIndex: 'id',
      render: (id: string) => <Link to={`/finance/entries/${id}`}>#{id}</Link>,
    },
    { title: t('entry.businessDate'), dataIndex: 'businessDate' },
    { title: t('entry.description'), dataIndex: 'description' },
    {
      title: t('entry.amount'),
      key: 'amount',
      align: 'right',
      render: (_, entry) => <Money minor={entryDebits(entry)} strong />,
    },
    { title: t('entry.sourceRef'), dataIndex: 'sourceRef', render: (v: string | null) => v ?? '—' },
    { title: t('entry.postedAt'), dataIndex: 'postedAt', render: (v: string) => <Instant value={v} /> },
  ];
  return (
    <Page title={t('manualJournals')}>
      <Card title={t('journal.newTitle')} style={{ marginBottom: 16 }}>
        {requested ? (
          <Result
            status="success"
            title={t('journal.pendingTitle')}
            subTitle={t('journal.pendingHint', { id: requested.id })}
            data-testid="journal-requested"
            extra={
              <Button
                type="primary"
                onClick={() => {
                  setRequested(undefined);
                  submit.reset();
                  form.resetFields();
                }}
              >
                {t('journal.another')}
              </Button>
            }
          >
            <Space orientation="vertical">
              <Typography.Text>
                {t('journal.requestId')}: <Typography.Text copyable>{requested.id}</Typography.Text>{' '}
                <Tag color="gold">{t(`approvalStatus.${requested.status}`)}</Tag>
              </Typography.Text>
            </Space>
          </Result>
        ) : (
          <Form<JournalForm>
            form={form}
            layout="vertical"
            initialValues={{ lines: initialLines }}
            onFinish={onFinish}
            onValuesChange={() => unbalanced && setUnbalanced(false)}
            data-testid="journal-form"
          >
            <Typography.Paragraph type="secondary">{t('journal.intro')}</Typography.Paragraph>
            <Form.Item
              name="description"
              label={t('journal.description')}
              rules={[
                { required: true, whitespace: true, message: t('journal.descriptionRequired') },
                { max: 500 },
              ]}
            >
              <Input />
            </Form.Item>
            <JournalLinesEditor form={form} />
            <Form.Item
              name="reason"
              label={t('journal.reason')}
              rules={[
                { required: true, whitespace: true, message: t('journal.reasonRequired') },
                { max: 500 },
              ]}
            >
              <Input.TextArea rows={2} />
            </Form.Item>
            {unbalanced && (
              <Alert
                type="error"
                showIcon
                style={{ marginBottom: 16 }}
                title={t('journal.refusedUnbalanced')}
                data-testid="journal-refused"
              />
            )}
            {submit.isError && (
              <div style={{ marginBottom: 16 }} data-testid="journal-problem">
                <ProblemAlert error={submit.error} />
              </div>
            )}
            <Button type="primary" htmlType="submit" loading={submit.isPending} data-testid="journal-submit">
              {t('journal.submit')}
            </Button>
          </Form>
        )}
      </Card>
      <Card title={t('journal.postedTitle')}>
        <ServerTable<JournalEntry>
          queryKey={['ledger', 'entries', { eventType: 'manual' }]}
          fetchPage={async (cursor, limit) => {
            const page = await unwrap(
              api.GET('/api/v1/ledger/entries', {
                params: { query: { eventType: 'manual', after: cursor, limit } },
              }),
            );
            return { rows: page.entries, next: page.nextAfter };
          }}
          columns={columns}
          rowKey="id"
          testId="manual-entries"
          expandable={{
            expandedRowRender: (entry) => (
              <JournalLinesTable lines={entry.lines} accounts={chart.data?.accounts} />
            ),
          }}
        />
      </Card>
    </Page>
  );
}
