import { useQuery } from '@tanstack/react-query';
import { Card, DatePicker, Empty, Space, Table, type TableProps, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { useUrlFilters } from '../../components/useUrlFilters';
import { accountName, type LedgerAccount } from './shared';

type Node = LedgerAccount & { children?: Node[] };

/** Groups hold their sub-accounts (1002 → 1002.01, 1002.02); the chart is small, so it comes whole. */
function tree(accounts: readonly LedgerAccount[]): Node[] {
  const nodes = new Map<string, Node>(
    accounts.map((account) => [`${account.currency}:${account.code}`, { ...account }]),
  );
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentCode ? nodes.get(`${node.currency}:${node.parentCode}`) : undefined;
    if (parent === undefined) roots.push(node);
    else parent.children = [...(parent.children ?? []), node];
  }
  for (const root of roots) rollUp(root);
  return roots;
}

/** A group takes no lines: what it shows is its children's totals (docs/ledger.md). */
function rollUp(node: Node): void {
  if (node.children === undefined || node.children.length === 0) return;
  let debit = 0n;
  let credit = 0n;
  let balance = 0n;
  for (const child of node.children) {
    rollUp(child);
    debit += BigInt(child.balance.debitMinor);
    credit += BigInt(child.balance.creditMinor);
    balance += BigInt(child.balance.balanceMinor) * (child.normalSide === node.normalSide ? 1n : -1n);
  }
  node.balance = { debitMinor: String(debit), creditMinor: String(credit), balanceMinor: String(balance) };
}

/** The chart of accounts with each account's totals and balance, now or at the end of a date. */
export default function AccountsPage() {
  const { t, i18n } = useTranslation('finance');
  const [filters, setFilters] = useUrlFilters(['asOf'] as const);
  const accounts = useQuery({
    queryKey: ['ledger', 'accounts', filters.asOf ?? 'now'],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/ledger/accounts', { params: { query: filters.asOf ? { asOf: filters.asOf } : {} } }),
      ),
  });
  const columns: TableProps<Node>['columns'] = [
    {
      title: t('account.code'),
      dataIndex: 'code',
      render: (code: string, account) =>
        account.isGroup ? (
          <Typography.Text strong>{code}</Typography.Text>
        ) : (
          <Link to={`/finance/accounts/${encodeURIComponent(code)}?currency=${account.currency}`}>
            {code}
          </Link>
        ),
    },
    { title: t('account.name'), key: 'name', render: (_, account) => accountName(account, i18n.language) },
    { title: t('account.type'), dataIndex: 'type', render: (type: string) => t(`accountType.${type}`) },
    { title: t('account.normalSide'), dataIndex: 'normalSide', render: (side: string) => t(`side.${side}`) },
    { title: t('account.currency'), dataIndex: 'currency' },
    {
      title: t('account.status'),
      dataIndex: 'status',
      render: (status: string, account) => (
        <Space size={4}>
          <Tag color={status === 'open' ? 'green' : 'default'}>{t(`accountStatus.${status}`)}</Tag>
          {account.isGroup && <Tag>{t('account.group')}</Tag>}
        </Space>
      ),
    },
    {
      title: t('account.debitTotal'),
      key: 'debit',
      align: 'right',
      render: (_, account) => <Money minor={account.balance.debitMinor} />,
    },
    {
      title: t('account.creditTotal'),
      key: 'credit',
      align: 'right',
      render: (_, account) => <Money minor={account.balance.creditMinor} />,
    },
    {
      title: t('account.balance'),
      key: 'balance',
      align: 'right',
      render: (_, account) => <Money minor={account.balance.balanceMinor} strong />,
    },
  ];
  return (
    <Page
      title={t('accounts')}
      extra={
        <Space>
          <Typography.Text type="secondary">{t('account.asOf')}</Typography.Text>
          <DatePicker
            allowClear
            placeholder={t('account.now')}
            value={filters.asOf ? dayjs(filters.asOf) : null}
            onChange={(value) => setFilters({ asOf: value?.format('YYYY-MM-DD') })}
          />
        </Space>
      }
    >
      <QueryState
        query={accounts}
        isEmpty={(data) => data.accounts.length === 0}
        empty={<Empty description={t('account.none')} />}
      >
        {(data) => (
          <Card>
            <Table<Node>
              size="small"
              rowKey={(account) => `${account.currency}:${account.code}`}
              columns={columns}
              dataSource={tree(data.accounts)}
              pagination={false}
              expandable={{ defaultExpandAllRows: true }}
              data-testid="accounts-table"
            />
          </Card>
        )}
      </QueryState>
    </Page>
  );
}
