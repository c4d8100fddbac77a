import { useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Descriptions, Space, type TableProps, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { Money, moneyColumn } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { ServerTable } from '../../components/ServerTable';
import { useUrlFilters } from '../../components/useUrlFilters';
import { accountName, useBusinessDate } from './shared';

type Line = Schemas['LedgerStatement']['lines'][number];

/** One account's lines between two business dates, with the running balance (an account statement). */
export default function AccountStatementPage() {
  const { code = '' } = useParams();
  const businessDate = useBusinessDate();
  const [filters, setFilters] = useUrlFilters(['currency', 'from', 'to'] as const);
  if (businessDate === undefined && (filters.from === undefined || filters.to === undefined)) return null;
  const to = filters.to ?? (businessDate as string);
  const from = filters.from ?? dayjs(to).startOf('month').format('YYYY-MM-DD');
  const currency = filters.currency ?? 'CNY';
  return (
    <Statement
      code={code}
      currency={currency}
      from={from}
      to={to}
      onRange={(range) =>
        setFilters({
          currency: filters.currency,
          from: range?.[0]?.format('YYYY-MM-DD'),
          to: range?.[1]?.format('YYYY-MM-DD'),
        })
      }
    />
  );
}

function Statement({
  code,
  currency,
  from,
  to,
  onRange,
}: {
  code: string;
  currency: string;
  from: string;
  to: string;
  onRange: (range: [Dayjs | null, Dayjs | null] | null) => void;
}) {
  const { t, i18n } = useTranslation('finance');
  const query = { currency, from, to };
  // The statement's frame (account, opening and closing balance); the lines page below it.
  const head = useQuery({
    queryKey: ['ledger', 'statement', code, query, 'head'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/ledger/accounts/{code}/statement', {
          params: { path: { code }, query: { ...query, limit: 1 } },
        }),
      ),
  });
  const columns: TableProps<Line>['columns'] = [
    { title: t('statement.businessDate'), dataIndex: 'businessDate' },
    {
      title: t('statement.entry'),
      dataIndex: 'entryId',
      render: (id: string) => <Link to={`/finance/entries/${id}`}>#{id}</Link>,
    },
    { title: t('entry.eventType'), dataIndex: 'eventType', render: (v: string) => <Tag>{v}</Tag> },
    { title: t('entry.description'), dataIndex: 'description' },
    {
      title: t('line.debit'),
      key: 'debit',
      align: 'right',
      render: (_, line) => (line.side === 'debit' ? <Money minor={line.amountMinor} /> : ''),
    },
    {
      title: t('line.credit'),
      key: 'credit',
      align: 'right',
      render: (_, line) => (line.side === 'credit' ? <Money minor={line.amountMinor} /> : ''),
    },
    moneyColumn(t('statement.balance'), 'balanceMinor', { strong: true }),
    {
      title: t('line.loan'),
      dataIndex: 'loanId',
      render: (loanId: string | null) =>
        loanId ? <Link to={`/loans/${loanId}`}>{loanId.slice(0, 8)}…</Link> : '—',
    },
    { title: t('entry.postedAt'), dataIndex: 'postedAt', render: (v: string) => <Instant value={v} /> },
  ];
  return (
    <QueryState query={head}>
      {(data) => (
        <Page
          title={t('statement.title', { code, name: accountName(data.account, i18n.language) })}
          extra={
            <Space>
              <Typography.Text type="secondary">{t('statement.range')}</Typography.Text>
              <DatePicker.RangePicker
                value={[dayjs(from), dayjs(to)]}
                allowClear={false}
                onChange={(range) => onRange(range as [Dayjs | null, Dayjs | null] | null)}
              />
            </Space>
          }
        >
          <Card style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 4 }}
              data-testid="statement-head"
              items={[
                { key: 'type', label: t('account.type'), children: t(`accountType.${data.account.type}`) },
                {
                  key: 'side',
                  label: t('account.normalSide'),
                  children: t(`side.${data.account.normalSide}`),
                },
                {
                  key: 'opening',
                  label: t('statement.opening', { date: from }),
                  children: <Money minor={data.openingBalanceMinor} strong />,
                },
                {
                  key: 'closing',
                  label: t('statement.closing', { date: to }),
                  children: <Money minor={data.closingBalanceMinor} strong />,
                },
              ]}
            />
          </Card>
          <ServerTable<Line>
            queryKey={['ledger', 'statement', code, query, 'lines']}
            fetchPage={async (cursor, limit) => {
              const page = await unwrap(
                api.GET('/api/v1/ledger/accounts/{code}/statement', {
                  params: { path: { code }, query: { ...query, limit, cursor } },
                }),
              );
              return { rows: page.lines, next: page.nextCursor };
            }}
            columns={columns}
            rowKey={(line) => `${line.entryId}-${line.lineNo}`}
            testId="statement-table"
          />
        </Page>
      )}
    </QueryState>
  );
}
