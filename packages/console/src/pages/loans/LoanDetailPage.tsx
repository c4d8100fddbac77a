import { DownloadOutlined, FilePdfOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  type DescriptionsProps,
  Empty,
  Space,
  Table,
  type TableProps,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiProblem, api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money, moneyColumn } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { QueryState } from '../../components/QueryState';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { formatMoney, formatRatio } from '../../format';
import { base64Bytes, openBlob, saveBlob } from '../finance/files';
import { type JournalEntry, JournalLinesTable, useChart } from '../finance/shared';

type Loan = Schemas['LoanDetail'];
type Servicing = Schemas['LoanServicingDetail'];
type ServicingInstallment = Schemas['LoanServicingInstallment'];
type Transaction = Schemas['LoanTransaction'];
type Accrual = Schemas['LoanAccrualPage']['lines'][number];

const sum = (...values: string[]) => values.reduce((total, value) => total + BigInt(value), 0n);
const dueOf = (i: ServicingInstallment) =>
  sum(i.principal.dueMinor, i.interest.dueMinor, i.fee.dueMinor, i.penalty.dueMinor);
const paidOf = (i: ServicingInstallment) =>
  sum(i.principal.paidMinor, i.interest.paidMinor, i.fee.paidMinor, i.penalty.paidMinor);
const waivedOf = (i: ServicingInstallment) =>
  sum(i.principal.waivedMinor, i.interest.waivedMinor, i.fee.waivedMinor, i.penalty.waivedMinor);

/** One loan: its figures, servicing state, schedule with paid and outstanding, and every record of it. */
export default function LoanDetailPage() {
  const { loanId = '' } = useParams();
  const loan = useQuery({
    queryKey: ['loans', loanId, 'detail'],
    queryFn: () => unwrap(api.GET('/api/v1/loans/{loanId}', { params: { path: { loanId } } })),
  });
  return <QueryState query={loan}>{(data) => <LoanDetail loan={data} />}</QueryState>;
}

function LoanDetail({ loan }: { loan: Loan }) {
  const { t } = useTranslation('loans');
  const can = useCan();
  const queries = useQueryClient();
  const disbursed = loan.disbursedOn !== null;
  const servicing = useQuery({
    queryKey: ['loans', loan.id, 'servicing'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/loans/{loanId}/servicing', { params: { path: { loanId: loan.id } } })),
    enabled: disbursed,
  });
  const tabs = [
    {
      key: 'schedule',
      label: t('tab.schedule'),
      children: disbursed ? (
        <QueryState query={servicing}>{(data) => <ServicingSchedule servicing={data} />}</QueryState>
      ) : (
        <ContractSchedule loan={loan} />
      ),
    },
    {
      key: 'transactions',
      label: t('tab.transactions'),
      children: <Transactions loanId={loan.id} />,
    },
    ...(can('ledger:read')
      ? [{ key: 'ledger', label: t('tab.ledger'), children: <LedgerEntries loanId={loan.id} /> }]
      : []),
    { key: 'accruals', label: t('tab.accruals'), children: <Accruals loanId={loan.id} /> },
    {
      key: 'delinquency',
      label: t('tab.delinquency'),
      children: <DelinquencyHistory loanId={loan.id} disbursed={disbursed} />,
    },
    { key: 'funding', label: t('tab.funding'), children: <FundingShares loan={loan} /> },
    { key: 'history', label: t('tab.history'), children: <History loan={loan} /> },
    { key: 'payoff', label: t('tab.payoff'), children: <PayoffQuote loan={loan} /> },
  ];
  return (
    <Page
      title={
        <Space>
          {t('detail.title', { loanNo: loan.loanNo })}
          <StatusTag value={loan.state} ns="loans" />
        </Space>
      }
      extra={
        <Space>
          <ContractButtons loan={loan} />
          <Button
            icon={<ReloadOutlined />}
            onClick={() => void queries.invalidateQueries({ queryKey: ['loans', loan.id] })}
          >
            {t('common:action.refresh')}
          </Button>
        </Space>
      }
    >
      <Overview loan={loan} />
      {disbursed && servicing.data && <ServicingSummary servicing={servicing.data} />}
      {!disbursed && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={loan.state === 'cancelled' ? t('detail.cancelledNotice') : t('detail.notDisbursed')}
        />
      )}
      <Card>
        <Tabs items={tabs} destroyOnHidden data-testid="loan-tabs" />
      </Card>
    </Page>
  );
}

function Overview({ loan }: { loan: Loan }) {
  const { t } = useTranslation('loans');
  const items: DescriptionsProps['items'] = [
    { key: 'loanNo', label: t('field.loanNo'), children: loan.loanNo },
    { key: 'kind', label: t('field.kind'), children: t(`kind.${loan.kind}`) },
    {
      key: 'product',
      label: t('field.product'),
      children: `${loan.productCode} v${loan.productVersion} · ${t('field.grade')} ${loan.grade}`,
    },
    { key: 'principal', label: t('field.principal'), children: <Money minor={loan.principalMinor} strong /> },
    { key: 'disbursed', label: t('field.disbursed'), children: <Money minor={loan.disbursedMinor} /> },
    { key: 'payout', label: t('field.payout'), children: <Money minor={loan.payoutMinor} /> },
    {
      key: 'discount',
      label: t('field.merchantDiscount'),
      children: <Money minor={loan.merchantDiscountMinor} />,
    },
    {
      key: 'outstanding',
      label: t('field.outstandingPrincipal'),
      children: <Money minor={loan.outstandingPrincipalMinor} strong />,
    },
    {
      key: 'terms',
      label: t('field.terms'),
      children: `${t(`method.${loan.method}`, { defaultValue: loan.method })} · ${t('detail.termCount', { count: loan.termCount })}`,
    },
    {
      key: 'price',
      label: t(`price.${loan.price.kind}`),
      children: formatRatio(loan.price.rate),
    },
    {
      key: 'apr',
      label: t('field.apr'),
      children: `${t('field.aprIrr')} ${formatRatio(loan.apr.irr)} · ${t('field.aprSimple')} ${formatRatio(loan.apr.simple)}`,
    },
    { key: 'dates', label: t('field.period'), children: `${loan.startDate} → ${loan.maturityDate}` },
    { key: 'disbursedOn', label: t('field.disbursedOn'), children: loan.disbursedOn ?? '—' },
    { key: 'closedOn', label: t('field.closedOn'), children: loan.closedOn ?? '—' },
    { key: 'coolingOff', label: t('field.coolingOffDays'), children: loan.coolingOffDays },
    {
      key: 'customer',
      label: t('field.customer'),
      children: <Typography.Text copyable>{loan.customerId}</Typography.Text>,
    },
    {
      key: 'merchant',
      label: t('field.merchant'),
      children: loan.merchantId ? <Typography.Text copyable>{loan.merchantId}</Typography.Text> : '—',
    },
    {
      key: 'order',
      label: t('field.disbursementOrder'),
      children: loan.disbursementOrderNo ? (
        <Link to={`/payments/orders/${loan.disbursementOrderNo}`}>{loan.disbursementOrderNo}</Link>
      ) : (
        '—'
      ),
    },
    { key: 'contractNo', label: t('field.contractNo'), children: loan.contractNo },
    {
      key: 'sha',
      label: t('field.contractSha256'),
      children: (
        <Typography.Text code copyable={{ text: loan.contractSha256 }} title={loan.contractSha256}>
          {loan.contractSha256.slice(0, 16)}…
        </Typography.Text>
      ),
    },
    { key: 'created', label: t('field.createdAt'), children: <Instant value={loan.createdAt} /> },
  ];
  return (
    <Card style={{ marginBottom: 16 }}>
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} items={items} data-testid="loan-overview" />
    </Card>
  );
}

function ServicingSummary({ servicing }: { servicing: Servicing }) {
  const { t } = useTranslation('loans');
  const { account, totals } = servicing;
  const items: DescriptionsProps['items'] = [
    {
      key: 'status',
      label: t('servicing.status'),
      children: (
        <Space size={4}>
          <StatusTag value={account.status} ns="loans" />
          <Tag color={account.bucket === 'M0' ? 'green' : 'volcano'}>{account.bucket}</Tag>
          {account.dpd > 0 && <Tag color="red">{t('servicing.dpd', { count: account.dpd })}</Tag>}
        </Space>
      ),
    },
    { key: 'closedThrough', label: t('servicing.closedThrough'), children: account.closedThrough },
    { key: 'nextDue', label: t('servicing.nextDueDate'), children: account.nextDueDate ?? '—' },
    {
      key: 'principal',
      label: t('servicing.principalOutstanding'),
      children: <Money minor={totals.principalOutstandingMinor} strong />,
    },
    {
      key: 'interest',
      label: t('servicing.interestReceivable'),
      children: <Money minor={totals.interestReceivableMinor} />,
    },
    {
      key: 'fee',
      label: t('servicing.feeReceivable'),
      children: <Money minor={totals.feeReceivableMinor} />,
    },
    {
      key: 'penalty',
      label: t('servicing.penaltyOutstanding'),
      children: <Money minor={totals.penaltyOutstandingMinor} />,
    },
    { key: 'overdue', label: t('servicing.overdue'), children: <Money minor={totals.overdueMinor} /> },
    {
      key: 'remaining',
      label: t('servicing.remaining'),
      children: <Money minor={totals.remainingMinor} strong />,
    },
    {
      key: 'credit',
      label: t('servicing.creditBalance'),
      children: <Money minor={account.creditBalanceMinor} />,
    },
    { key: 'basis', label: t('servicing.postingBasis'), children: t(`basis.${account.postingBasis}`) },
    { key: 'nonAccrual', label: t('servicing.nonAccrualSince'), children: account.nonAccrualSince ?? '—' },
  ];
  return (
    <Card title={t('servicing.title')} size="small" style={{ marginBottom: 16 }}>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2, xl: 4 }}
        items={items}
        data-testid="servicing-summary"
      />
    </Card>
  );
}

function ServicingSchedule({ servicing }: { servicing: Servicing }) {
  const { t } = useTranslation('loans');
  const rows = servicing.installments;
  const money = (value: string | bigint) => <Money minor={value} />;
  const columns: TableProps<ServicingInstallment>['columns'] = [
    { title: t('schedule.number'), dataIndex: 'number', width: 56 },
    { title: t('schedule.dueDate'), dataIndex: 'dueDate' },
    {
      title: t('schedule.status'),
      dataIndex: 'status',
      render: (status: string) => <StatusTag value={status} ns="loans" />,
    },
    { title: t('schedule.principal'), align: 'right', render: (_, i) => money(i.principal.dueMinor) },
    { title: t('schedule.interest'), align: 'right', render: (_, i) => money(i.interest.dueMinor) },
    { title: t('schedule.fee'), align: 'right', render: (_, i) => money(i.fee.dueMinor) },
    { title: t('schedule.penalty'), align: 'right', render: (_, i) => money(i.penalty.dueMinor) },
    {
      title: t('schedule.totalDue'),
      key: 'due',
      align: 'right',
      render: (_, i) => <Money minor={dueOf(i)} strong />,
    },
    { title: t('schedule.paid'), key: 'paid', align: 'right', render: (_, i) => money(paidOf(i)) },
    { title: t('schedule.waived'), key: 'waived', align: 'right', render: (_, i) => money(waivedOf(i)) },
    {
      title: t('schedule.outstanding'),
      key: 'outstanding',
      align: 'right',
      render: (_, i) => <Money minor={i.outstandingMinor} strong />,
    },
    {
      title: t('schedule.interestAccrued'),
      align: 'right',
      render: (_, i) => money(i.interestAccruedMinor),
    },
    {
      title: t('schedule.settledOn'),
      dataIndex: 'settledOn',
      render: (value: string | null) => value ?? '—',
    },
  ];
  const total = (pick: (i: ServicingInstallment) => bigint) => rows.reduce((acc, row) => acc + pick(row), 0n);
  return (
    <Table<ServicingInstallment>
      size="small"
      rowKey="number"
      columns={columns}
      dataSource={rows}
      pagination={false}
      scroll={{ x: 'max-content' }}
      data-testid="schedule-table"
      summary={() => (
        <Table.Summary.Row>
          <Table.Summary.Cell index={0} colSpan={3}>
            <Typography.Text strong>{t('schedule.total')}</Typography.Text>
          </Table.Summary.Cell>
          <Table.Summary.Cell index={3} align="right">
            {money(total((i) => BigInt(i.principal.dueMinor)))}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={4} align="right">
            {money(total((i) => BigInt(i.interest.dueMinor)))}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={5} align="right">
            {money(total((i) => BigInt(i.fee.dueMinor)))}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={6} align="right">
            {money(total((i) => BigInt(i.penalty.dueMinor)))}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={7} align="right">
            <Money minor={total(dueOf)} strong />
          </Table.Summary.Cell>
          <Table.Summary.Cell index={8} align="right">
            {money(total(paidOf))}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={9} align="right">
            {money(total(waivedOf))}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={10} align="right">
            <Money minor={total((i) => BigInt(i.outstandingMinor))} strong />
          </Table.Summary.Cell>
          <Table.Summary.Cell index={11} colSpan={2} />
        </Table.Summary.Row>
      )}
    />
  );
}

type PlannedInstallment = Loan['installments'][number];

/** Before disbursement there is no servicing account: the schedule of the contract. */
function ContractSchedule({ loan }: { loan: Loan }) {
  const { t } = useTranslation('loans');
  const columns: TableProps<PlannedInstallment>['columns'] = [
    { title: t('schedule.number'), dataIndex: 'number', width: 56 },
    { title: t('schedule.dueDate'), dataIndex: 'dueDate' },
    moneyColumn(t('schedule.principal'), 'principalMinor'),
    moneyColumn(t('schedule.interest'), 'interestMinor'),
    moneyColumn(t('schedule.fee'), 'feeMinor'),
    moneyColumn(t('schedule.totalDue'), 'totalMinor', { strong: true }),
    moneyColumn(t('schedule.balance'), 'balanceMinor'),
  ];
  return (
    <Table<PlannedInstallment>
      size="small"
      rowKey="number"
      columns={columns}
      dataSource={loan.installments}
      pagination={false}
      data-testid="schedule-table"
    />
  );
}

function Transactions({ loanId }: { loanId: string }) {
  const { t } = useTranslation('loans');
  const columns: TableProps<Transaction>['columns'] = [
    { title: t('transaction.businessDate'), dataIndex: 'businessDate' },
    {
      title: t('transaction.kind'),
      dataIndex: 'kind',
      render: (kind: string, row) => (
        <Space size={4}>
          <Tag>{t(`transactionKind.${kind}`, { defaultValue: kind })}</Tag>
          {row.reversed && <Tag color="red">{t('transaction.reversed')}</Tag>}
        </Space>
      ),
    },
    moneyColumn(t('transaction.amount'), 'amountMinor', { strong: true }),
    moneyColumn(t('schedule.principal'), 'principalMinor'),
    moneyColumn(t('schedule.interest'), 'interestMinor'),
    moneyColumn(t('schedule.fee'), 'feeMinor'),
    moneyColumn(t('schedule.penalty'), 'penaltyMinor'),
    moneyColumn(t('transaction.overpayment'), 'overpaymentMinor'),
    { title: t('transaction.channel'), dataIndex: 'channel', render: (v: string | null) => v ?? '—' },
    { title: t('transaction.source'), dataIndex: 'sourceRef' },
    {
      title: t('transaction.entry'),
      dataIndex: 'entryId',
      render: (id: string | null) => (id ? <Link to={`/finance/entries/${id}`}>#{id}</Link> : '—'),
    },
    { title: t('transaction.at'), dataIndex: 'createdAt', render: (v: string) => <Instant value={v} /> },
  ];
  return (
    <ServerTable<Transaction>
      queryKey={['loans', loanId, 'transactions']}
      fetchPage={async (cursor, limit) => {
        const page = await unwrap(
          api.GET('/api/v1/loans/{loanId}/transactions', {
            params: { path: { loanId }, query: { before: cursor, limit } },
          }),
        );
        return { rows: page.transactions, next: page.next };
      }}
      columns={columns}
      rowKey="id"
      testId="transactions-table"
      expandable={{
        rowExpandable: (row) => row.allocation.length > 0,
        expandedRowRender: (row) => (
          <Space wrap>
            {row.allocation.map((part) => (
              <Tag key={`${part.number}-${part.component}`}>
                #{part.number} {t(`component.${part.component}`, { defaultValue: part.component })}{' '}
                {formatMoney(part.amountMinor)}
              </Tag>
            ))}
          </Space>
        ),
      }}
    />
  );
}

function LedgerEntries({ loanId }: { loanId: string }) {
  const { t } = useTranslation('loans');
  const chart = useChart();
  const columns: TableProps<JournalEntry>['columns'] = [
    {
      title: t('ledger.entry'),
      dataIndex: 'id',
      render: (id: string) => <Link to={`/finance/entries/${id}`}>#{id}</Link>,
    },
    { title: t('ledger.businessDate'), dataIndex: 'businessDate' },
    { title: t('ledger.eventType'), dataIndex: 'eventType', render: (v: string) => <Tag>{v}</Tag> },
    { title: t('ledger.description'), dataIndex: 'description' },
    {
      title: t('ledger.amount'),
      key: 'amount',
      align: 'right',
      render: (_, entry) => (
        <Money
          minor={entry.lines.reduce(
            (acc, line) => (line.side === 'debit' ? acc + BigInt(line.amountMinor) : acc),
            0n,
          )}
        />
      ),
    },
    {
      title: t('ledger.accounts'),
      key: 'accounts',
      render: (_, entry) =>
        entry.lines
          .map((line) => `${line.side === 'debit' ? t('ledger.dr') : t('ledger.cr')} ${line.account}`)
          .join(' / '),
    },
    { title: t('ledger.postedAt'), dataIndex: 'postedAt', render: (v: string) => <Instant value={v} /> },
  ];
  return (
    <ServerTable<JournalEntry>
      queryKey={['loans', loanId, 'ledger']}
      fetchPage={async (cursor, limit) => {
        const page = await unwrap(
          api.GET('/api/v1/ledger/entries', { params: { query: { loanId, after: cursor, limit } } }),
        );
        return { rows: page.entries, next: page.nextAfter };
      }}
      columns={columns}
      rowKey="id"
      testId="ledger-table"
      expandable={{
        expandedRowRender: (entry) => (
          <JournalLinesTable lines={entry.lines} accounts={chart.data?.accounts} />
        ),
      }}
    />
  );
}

function Accruals({ loanId }: { loanId: string }) {
  const { t } = useTranslation('loans');
  const columns: TableProps<Accrual>['columns'] = [
    { title: t('ledger.businessDate'), dataIndex: 'businessDate' },
    { title: t('ledger.eventType'), dataIndex: 'eventType', render: (v: string) => <Tag>{v}</Tag> },
    {
      title: t('ledger.entry'),
      dataIndex: 'entryId',
      render: (id: string) => <Link to={`/finance/entries/${id}`}>#{id}</Link>,
    },
    { title: t('ledger.account'), dataIndex: 'code' },
    {
      title: t('ledger.side'),
      dataIndex: 'side',
      render: (side: string) => (side === 'debit' ? t('ledger.dr') : t('ledger.cr')),
    },
    moneyColumn(t('ledger.amount'), 'amountMinor'),
    { title: t('ledger.description'), dataIndex: 'description' },
  ];
  return (
    <ServerTable<Accrual>
      queryKey={['loans', loanId, 'accruals']}
      fetchPage={async (cursor, limit) => {
        const page = await unwrap(
          api.GET('/api/v1/loans/{loanId}/accruals', {
            params: { path: { loanId }, query: { cursor, limit } },
          }),
        );
        return { rows: page.lines, next: page.next };
      }}
      columns={columns}
      rowKey={(line) => `${line.entryId}-${line.lineNo}`}
      testId="accruals-table"
    />
  );
}

function DelinquencyHistory({ loanId, disbursed }: { loanId: string; disbursed: boolean }) {
  const { t } = useTranslation('loans');
  const history = useQuery({
    queryKey: ['loans', loanId, 'delinquency'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/loans/{loanId}/delinquency-history', { params: { path: { loanId } } })),
    enabled: disbursed,
  });
  if (!disbursed) return <Empty description={t('detail.notDisbursed')} />;
  type Change = Schemas['LoanDelinquencyHistory']['changes'][number];
  const columns: TableProps<Change>['columns'] = [
    { title: t('delinquency.businessDate'), dataIndex: 'businessDate' },
    {
      title: t('delinquency.bucket'),
      key: 'bucket',
      render: (_, change) => (
        <Space size={4}>
          <Tag>{change.bucketFrom}</Tag>→
          <Tag color={change.bucketTo === 'M0' ? 'green' : 'volcano'}>{change.bucketTo}</Tag>
        </Space>
      ),
    },
    { title: t('delinquency.dpd'), dataIndex: 'dpd', align: 'right' },
    {
      title: t('delinquency.cause'),
      dataIndex: 'cause',
      render: (cause: string) => t(`delinquencyCause.${cause}`, { defaultValue: cause }),
    },
    { title: t('delinquency.at'), dataIndex: 'at', render: (v: string) => <Instant value={v} /> },
  ];
  return (
    <QueryState query={history}>
      {(data) => (
        <Table<Change>
          size="small"
          rowKey="id"
          columns={columns}
          dataSource={data.changes}
          pagination={false}
          locale={{ emptyText: <Empty description={t('delinquency.none')} /> }}
          data-testid="delinquency-table"
        />
      )}
    </QueryState>
  );
}

function FundingShares({ loan }: { loan: Loan }) {
  const { t } = useTranslation('loans');
  type Share = Loan['shares'][number];
  const columns: TableProps<Share>['columns'] = [
    { title: t('funding.funder'), dataIndex: 'funderCode' },
    {
      title: t('funding.kind'),
      dataIndex: 'funderKind',
      render: (kind: string) => t(`funderKind.${kind}`, { defaultValue: kind }),
    },
    {
      title: t('funding.share'),
      dataIndex: 'shareBp',
      align: 'right',
      render: (bp: number) => `${(bp / 100).toFixed(2)}%`,
    },
    moneyColumn(t('funding.principal'), 'principalMinor'),
  ];
  return (
    <Table<Share>
      size="small"
      rowKey="funderId"
      columns={columns}
      dataSource={loan.shares}
      pagination={false}
      locale={{ emptyText: <Empty description={t('funding.none')} /> }}
      data-testid="funding-table"
    />
  );
}

function History({ loan }: { loan: Loan }) {
  const { t } = useTranslation('loans');
  type Change = Loan['history'][number];
  type Refund = Loan['refunds'][number];
  const columns: TableProps<Change>['columns'] = [
    { title: t('history.at'), dataIndex: 'at', render: (v: string) => <Instant value={v} /> },
    { title: t('history.businessDate'), dataIndex: 'businessDate' },
    {
      title: t('history.change'),
      key: 'change',
      render: (_, change) => (
        <Space size={4}>
          {change.fromState ? <StatusTag value={change.fromState} ns="loans" /> : '—'}→
          <StatusTag value={change.toState} ns="loans" />
        </Space>
      ),
    },
    { title: t('history.event'), dataIndex: 'event' },
    { title: t('history.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
  ];
  const refundColumns: TableProps<Refund>['columns'] = [
    { title: t('refund.id'), dataIndex: 'merchantRefundId' },
    { title: t('refund.kind'), dataIndex: 'kind', render: (kind: string) => t(`refundKind.${kind}`) },
    moneyColumn(t('refund.amount'), 'amountMinor'),
    { title: t('refund.businessDate'), dataIndex: 'businessDate' },
    { title: t('refund.scheduleVersion'), dataIndex: 'scheduleVersion' },
  ];
  return (
    <>
      <Table<Change>
        size="small"
        rowKey={(change) => `${change.at}-${change.toState}`}
        columns={columns}
        dataSource={loan.history}
        pagination={false}
        data-testid="history-table"
      />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('refund.title')}
      </Typography.Title>
      <Table<Refund>
        size="small"
        rowKey="id"
        columns={refundColumns}
        dataSource={loan.refunds}
        pagination={false}
        locale={{ emptyText: <Empty description={t('refund.none')} /> }}
      />
    </>
  );
}

function PayoffQuote({ loan }: { loan: Loan }) {
  const { t } = useTranslation('loans');
  const open = loan.state === 'active' || loan.state === 'overdue';
  const quote = useQuery({
    queryKey: ['loans', loan.id, 'payoff'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/servicing/loans/{loanId}/payoff-quote', { params: { path: { loanId: loan.id } } }),
      ),
    enabled: open,
  });
  if (!open) return <Empty description={t('payoff.closed')} />;
  if (quote.isError && quote.error instanceof ApiProblem && quote.error.status < 500)
    return <ProblemAlert error={quote.error} />;
  return (
    <QueryState query={quote}>
      {(data) => (
        <Descriptions
          size="small"
          bordered
          column={1}
          style={{ maxWidth: 560 }}
          data-testid="payoff-quote"
          items={[
            { key: 'date', label: t('payoff.quoteDate'), children: data.quoteDate },
            {
              key: 'principal',
              label: t('schedule.principal'),
              children: <Money minor={data.principalMinor} />,
            },
            {
              key: 'interest',
              label: t('schedule.interest'),
              children: <Money minor={data.interestMinor} />,
            },
            { key: 'fee', label: t('schedule.fee'), children: <Money minor={data.feeMinor} /> },
            { key: 'penalty', label: t('schedule.penalty'), children: <Money minor={data.penaltyMinor} /> },
            {
              key: 'prepaymentFee',
              label: t('payoff.prepaymentFee'),
              children: <Money minor={data.prepaymentFeeMinor} />,
            },
            { key: 'total', label: t('payoff.total'), children: <Money minor={data.totalMinor} strong /> },
            {
              key: 'credit',
              label: t('servicing.creditBalance'),
              children: <Money minor={data.creditBalanceMinor} />,
            },
          ]}
        />
      )}
    </QueryState>
  );
}

/** The contract as the API keeps it (JSON with the PDF in base64), checked against its SHA-256. */
function ContractButtons({ loan }: { loan: Loan }) {
  const { t } = useTranslation('loans');
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const fetchPdf = async (): Promise<Blob | undefined> => {
    setBusy(true);
    try {
      const contract = await unwrap(
        api.GET('/api/v1/loans/{loanId}/contract', { params: { path: { loanId: loan.id } } }),
      );
      const bytes = base64Bytes(contract.pdfBase64);
      if (globalThis.crypto?.subtle) {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        const hex = [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
        if (hex !== contract.sha256) {
          void message.error(t('contract.digestMismatch'));
          return undefined;
        }
      }
      return new Blob([bytes], { type: contract.contentType });
    } catch (error) {
      void message.error(error instanceof Error ? error.message : t('contract.failed'));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space.Compact>
      <Button
        icon={<DownloadOutlined />}
        loading={busy}
        data-testid="contract-download"
        onClick={async () => {
          const blob = await fetchPdf();
          if (blob) saveBlob(`${loan.contractNo}.pdf`, blob);
        }}
      >
        {t('contract.download')}
      </Button>
      <Button
        icon={<FilePdfOutlined />}
        disabled={busy}
        data-testid="contract-open"
        onClick={async () => {
          const blob = await fetchPdf();
          if (blob) openBlob(blob);
        }}
      >
        {t('contract.open')}
      </Button>
    </Space.Compact>
  );
}
