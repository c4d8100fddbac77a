import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Empty, Flex, Space, Table, type TableProps, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Money, moneyColumn } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { useUrlFilters } from '../../components/useUrlFilters';
import { accountName, useBusinessDate } from './shared';

type TrialBalance = Schemas['TrialBalance'];
type Currency = TrialBalance['currencies'][number];
type Row = Currency['accounts'][number];

/** The trial balance at the end of a business date: every account with activity, and that it balances. */
export default function TrialBalancePage() {
  const { t } = useTranslation('finance');
  const businessDate = useBusinessDate();
  const [filters, setFilters] = useUrlFilters(['date'] as const);
  const date = filters.date;
  const balance = useQuery({
    queryKey: ['ledger', 'trial-balance', date ?? 'open'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/ledger/trial-balance', { params: { query: date ? { date } : {} } })),
  });
  return (
    <Page
      title={t('trialBalance')}
      extra={
        <Space>
          <Typography.Text type="secondary">{t('trial.asOf')}</Typography.Text>
          <DatePicker
            allowClear
            value={date ? dayjs(date) : businessDate ? dayjs(businessDate) : null}
            onChange={(value) => setFilters({ date: value?.format('YYYY-MM-DD') })}
            aria-label={t('trial.asOf')}
          />
        </Space>
      }
    >
      <QueryState
        query={balance}
        isEmpty={(data) => data.currencies.every((currency) => currency.accounts.length === 0)}
        empty={<Empty description={t('trial.empty')} />}
      >
        {(data) => (
          <>
            {data.currencies.map((currency) => (
              <CurrencyBalance key={currency.currency} currency={currency} businessDate={data.businessDate} />
            ))}
          </>
        )}
      </QueryState>
    </Page>
  );
}

function CurrencyBalance({ currency, businessDate }: { currency: Currency; businessDate: string }) {
  const { t, i18n } = useTranslation('finance');
  const debit = BigInt(currency.totalDebitMinor);
  const credit = BigInt(currency.totalCreditMinor);
  const balanced = debit === credit && currency.differenceMinor === '0';
  const columns: TableProps<Row>['columns'] = [
    {
      title: t('account.code'),
      dataIndex: 'code',
      render: (code: string) => <Link to={`/finance/accounts/${encodeURIComponent(code)}`}>{code}</Link>,
    },
    { title: t('account.name'), key: 'name', render: (_, row) => accountName(row, i18n.language) },
    { title: t('account.type'), dataIndex: 'type', render: (type: string) => t(`accountType.${type}`) },
    moneyColumn(t('trial.debitTurnover'), 'debitMinor'),
    moneyColumn(t('trial.creditTurnover'), 'creditMinor'),
    {
      title: t('trial.debitBalance'),
      dataIndex: 'debitBalanceMinor',
      align: 'right',
      render: (v: string) => (v === '0' ? '' : <Money minor={v} strong />),
    },
    {
      title: t('trial.creditBalance'),
      dataIndex: 'creditBalanceMinor',
      align: 'right',
      render: (v: string) => (v === '0' ? '' : <Money minor={v} strong />),
    },
  ];
  return (
    <Card
      style={{ marginBottom: 16 }}
      title={t('trial.currencyTitle', { currency: currency.currency, date: businessDate })}
    >
      <Flex
        align="center"
        gap="large"
        wrap
        data-testid={`trial-balance-status-${currency.currency}`}
        data-balanced={balanced ? 'true' : 'false'}
        style={{
          padding: '16px 20px',
          marginBottom: 16,
          borderRadius: 8,
          background: balanced ? '#f6ffed' : '#fff2f0',
          border: `1px solid ${balanced ? '#b7eb8f' : '#ffccc7'}`,
        }}
      >
        {balanced ? (
          <CheckCircleFilled style={{ color: '#52c41a', fontSize: 28 }} />
        ) : (
          <CloseCircleFilled style={{ color: '#ff4d4f', fontSize: 28 }} />
        )}
        <Typography.Title level={4} style={{ margin: 0 }}>
          {balanced ? t('trial.balanced') : t('trial.unbalanced')}
        </Typography.Title>
        <span>
          {t('trial.totalDebit')}{' '}
          <span data-testid="trial-total-debit" style={{ fontSize: 18 }}>
            <Money minor={currency.totalDebitMinor} strong />
          </span>
        </span>
        <Typography.Text strong style={{ fontSize: 18 }}>
          {balanced ? '=' : '≠'}
        </Typography.Text>
        <span>
          {t('trial.totalCredit')}{' '}
          <span data-testid="trial-total-credit" style={{ fontSize: 18 }}>
            <Money minor={currency.totalCreditMinor} strong />
          </span>
        </span>
        <Tag color={balanced ? 'green' : 'red'}>
          {t('trial.difference')} <Money minor={currency.differenceMinor} />
        </Tag>
      </Flex>
      <Table<Row>
        size="small"
        rowKey="code"
        columns={columns}
        dataSource={currency.accounts}
        pagination={false}
        data-testid={`trial-balance-${currency.currency}`}
        summary={() => (
          <Table.Summary.Row>
            <Table.Summary.Cell index={0} colSpan={5}>
              <Typography.Text strong>{t('trial.total')}</Typography.Text>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={5} align="right">
              <Money minor={currency.totalDebitMinor} strong />
            </Table.Summary.Cell>
            <Table.Summary.Cell index={6} align="right">
              <Money minor={currency.totalCreditMinor} strong />
            </Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
    </Card>
  );
}
