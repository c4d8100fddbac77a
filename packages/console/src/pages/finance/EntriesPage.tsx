import { Button, Card, DatePicker, Form, Input, Space, type TableProps, Tag } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ServerTable } from '../../components/ServerTable';
import { useUrlFilters } from '../../components/useUrlFilters';
import { type JournalEntry, JournalLinesTable, useChart } from './shared';

const filterKeys = ['from', 'to', 'account', 'loanId', 'eventType'] as const;
type FilterForm = {
  range?: [Dayjs | null, Dayjs | null] | null;
  account?: string;
  loanId?: string;
  eventType?: string;
};

export const entryDebits = (entry: JournalEntry) =>
  entry.lines.reduce((sum, line) => (line.side === 'debit' ? sum + BigInt(line.amountMinor) : sum), 0n);

/** Journal entries in posting order, filtered on the server by date, account, loan and event. */
export default function EntriesPage() {
  const { t } = useTranslation('finance');
  const chart = useChart();
  const [filters, setFilters, filtered] = useUrlFilters(filterKeys);
  const [form] = Form.useForm<FilterForm>();
  useEffect(() => {
    form.setFieldsValue({
      range:
        filters.from || filters.to
          ? [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null]
          : null,
      account: filters.account,
      loanId: filters.loanId,
      eventType: filters.eventType,
    });
  }, [filters, form]);
  const columns: TableProps<JournalEntry>['columns'] = [
    {
      title: t('entry.id'),
      dataIndex: 'id',
      render: (id: string) => <Link to={`/finance/entries/${id}`}>#{id}</Link>,
    },
    { title: t('entry.businessDate'), dataIndex: 'businessDate' },
    { title: t('entry.eventType'), dataIndex: 'eventType', render: (v: string) => <Tag>{v}</Tag> },
    { title: t('entry.description'), dataIndex: 'description' },
    { title: t('entry.sourceRef'), dataIndex: 'sourceRef', render: (v: string | null) => v ?? '—' },
    {
      title: t('entry.amount'),
      key: 'amount',
      align: 'right',
      render: (_, entry) => <Money minor={entryDebits(entry)} strong />,
    },
    {
      title: t('entry.accounts'),
      key: 'accounts',
      render: (_, entry) =>
        entry.lines.map((line) => `${t(`side.short.${line.side}`)} ${line.account}`).join(' / '),
    },
    {
      title: t('entry.reversal'),
      key: 'reversal',
      render: (_, entry) =>
        entry.reversedBy ? (
          <Tag color="red">{t('entry.reversedBy', { id: entry.reversedBy })}</Tag>
        ) : entry.reversalOf ? (
          <Tag color="orange">{t('entry.reverses', { id: entry.reversalOf })}</Tag>
        ) : (
          ''
        ),
    },
    { title: t('entry.postedAt'), dataIndex: 'postedAt', render: (v: string) => <Instant value={v} /> },
  ];
  return (
    <Page title={t('entries')}>
      <Card style={{ marginBottom: 16 }}>
        <Form
          form={form}
          layout="inline"
          data-testid="entry-filters"
          onFinish={(values) =>
            setFilters({
              from: values.range?.[0]?.format('YYYY-MM-DD'),
              to: values.range?.[1]?.format('YYYY-MM-DD'),
              account: values.account,
              loanId: values.loanId,
              eventType: values.eventType,
            })
          }
        >
          <Form.Item name="range" label={t('entry.businessDate')}>
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
          <Form.Item
            name="account"
            label={t('line.account')}
            rules={[{ pattern: /^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$/, message: t('filter.accountInvalid') }]}
          >
            <Input allowClear style={{ width: 110 }} placeholder="1301" />
          </Form.Item>
          <Form.Item name="loanId" label={t('line.loan')}>
            <Input allowClear style={{ width: 300 }} placeholder={t('journal.loanPlaceholder')} />
          </Form.Item>
          <Form.Item
            name="eventType"
            label={t('entry.eventType')}
            rules={[{ pattern: /^[a-z][a-z0-9_]{0,39}$/, message: t('filter.eventInvalid') }]}
          >
            <Input allowClear style={{ width: 150 }} placeholder="disbursement" />
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
      <ServerTable<JournalEntry>
        queryKey={['ledger', 'entries', filters]}
        fetchPage={async (cursor, limit) => {
          const page = await unwrap(
            api.GET('/api/v1/ledger/entries', { params: { query: { ...filters, after: cursor, limit } } }),
          );
          return { rows: page.entries, next: page.nextAfter };
        }}
        columns={columns}
        rowKey="id"
        filtered={filtered}
        testId="entry-table"
        expandable={{
          expandedRowRender: (entry) => (
            <JournalLinesTable lines={entry.lines} accounts={chart.data?.accounts} />
          ),
        }}
      />
    </Page>
  );
}
