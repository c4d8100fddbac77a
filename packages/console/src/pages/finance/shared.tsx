import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  AutoComplete,
  Button,
  Flex,
  Form,
  type FormInstance,
  Input,
  Select,
  Space,
  Table,
  type TableProps,
  Typography,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Money } from '../../components/Money';
import { formatMoney, parseMoney } from '../../format';

// What the finance pages share with each other and with the loans and payments areas: the open
// business date, the chart of accounts for pickers, a journal entry's lines as a debit/credit
// table, and the editor of a manual journal's lines (manual journals, exception adjustments).

export type JournalEntry = Schemas['JournalEntry'];
export type JournalLine = JournalEntry['lines'][number];
export type LedgerAccount = Schemas['LedgerAccount'];

/** The Idempotency-Key header the typed client wants on a command (the client would add one too). */
export { commandKey } from '../../api/client';

/** The open business date (the header shows the same query). */
export function useBusinessDate(): string | undefined {
  const query = useQuery({
    queryKey: ['business-date'],
    queryFn: () => unwrap(api.GET('/api/v1/business-date')),
    staleTime: 30_000,
  });
  return query.data?.businessDate;
}

/** The chart of accounts (balances now), for pickers; only for users who may read the ledger. */
export function useChart() {
  const can = useCan();
  return useQuery({
    queryKey: ['ledger', 'accounts', 'chart'],
    queryFn: () => unwrap(api.GET('/api/v1/ledger/accounts')),
    enabled: can('ledger:read'),
    staleTime: 60_000,
  });
}

export function accountName(account: { nameZh: string; nameEn: string }, language: string): string {
  return language === 'en' ? account.nameEn : account.nameZh;
}

/** An entry's lines: account, debit, credit, dimensions; a total row that shows both sides agree. */
export function JournalLinesTable({
  lines,
  accounts,
  testId,
}: {
  lines: readonly JournalLine[];
  accounts?: readonly LedgerAccount[];
  testId?: string;
}) {
  const { t, i18n } = useTranslation('finance');
  const names = new Map((accounts ?? []).map((account) => [account.code, account]));
  const debit = lines.reduce(
    (sum, line) => (line.side === 'debit' ? sum + BigInt(line.amountMinor) : sum),
    0n,
  );
  const credit = lines.reduce(
    (sum, line) => (line.side === 'credit' ? sum + BigInt(line.amountMinor) : sum),
    0n,
  );
  const columns: TableProps<JournalLine>['columns'] = [
    { title: t('line.no'), dataIndex: 'lineNo', width: 60 },
    {
      title: t('line.account'),
      dataIndex: 'account',
      render: (code: string) => {
        const account = names.get(code);
        return (
          <Space size={4}>
            <Link to={`/finance/accounts/${encodeURIComponent(code)}`}>{code}</Link>
            {account && (
              <Typography.Text type="secondary">{accountName(account, i18n.language)}</Typography.Text>
            )}
          </Space>
        );
      },
    },
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
    {
      title: t('line.loan'),
      dataIndex: 'loanId',
      render: (loanId: string | null) =>
        loanId ? <Link to={`/loans/${loanId}`}>{loanId.slice(0, 8)}…</Link> : '—',
    },
    {
      title: t('line.funder'),
      dataIndex: 'funderId',
      render: (funderId: string | null) => (funderId ? `${funderId.slice(0, 8)}…` : '—'),
    },
  ];
  return (
    <Table<JournalLine>
      size="small"
      rowKey="lineNo"
      columns={columns}
      dataSource={[...lines]}
      pagination={false}
      data-testid={testId}
      summary={() => (
        <Table.Summary.Row>
          <Table.Summary.Cell index={0} colSpan={2}>
            <Typography.Text strong>{t('line.total')}</Typography.Text>
          </Table.Summary.Cell>
          <Table.Summary.Cell index={2} align="right">
            <Money minor={debit} strong />
          </Table.Summary.Cell>
          <Table.Summary.Cell index={3} align="right">
            <Money minor={credit} strong />
          </Table.Summary.Cell>
          <Table.Summary.Cell index={4} colSpan={2} />
        </Table.Summary.Row>
      )}
    />
  );
}

/** The lines as the form holds them: amounts in yuan as typed. */
export type DraftLine = { account?: string; side?: 'debit' | 'credit'; amount?: string; loanId?: string };

/** Debits and credits of the lines typed so far, in minor units (lines not yet valid count 0). */
export function draftTotals(lines: readonly (DraftLine | undefined)[] | undefined): {
  debit: bigint;
  credit: bigint;
} {
  let debit = 0n;
  let credit = 0n;
  for (const line of lines ?? []) {
    const minor = line?.amount ? parseMoney(line.amount) : undefined;
    if (minor === undefined) continue;
    if (line?.side === 'debit') debit += BigInt(minor);
    if (line?.side === 'credit') credit += BigInt(minor);
  }
  return { debit, credit };
}

/** The API's ManualJournal lines (minor units as strings, CNY). */
export function journalLinesOf(lines: readonly DraftLine[]): Schemas['ManualJournal']['lines'] {
  return lines.map((line) => ({
    account: (line.account ?? '').trim(),
    side: line.side ?? 'debit',
    amountMinor: parseMoney(line.amount ?? '') ?? '0',
    currency: 'CNY',
    ...(line.loanId?.trim() ? { loanId: line.loanId.trim() } : {}),
  }));
}

/**
 * The lines of a manual journal inside a Form (field `lines`): account, side, amount in yuan, an
 * optional loan; below them the running totals and whether debits equal credits.
 */
export function JournalLinesEditor({ form }: { form: FormInstance }) {
  const { t, i18n } = useTranslation('finance');
  const chart = useChart();
  const lines = Form.useWatch('lines', form) as DraftLine[] | undefined;
  const { debit, credit } = draftTotals(lines);
  const options = (chart.data?.accounts ?? [])
    .filter((account) => !account.isGroup && account.status === 'open')
    .map((account) => ({
      value: account.code,
      label: `${account.code} ${accountName(account, i18n.language)}`,
    }));
  return (
    <>
      <Form.List name="lines">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field, index) => (
              <Flex key={field.key} gap="small" align="baseline" wrap data-testid={`journal-line-${index}`}>
                <Form.Item
                  name={[field.name, 'account']}
                  rules={[{ required: true, message: t('journal.accountRequired') }]}
                  style={{ width: 280 }}
                >
                  <AutoComplete
                    options={options}
                    placeholder={t('line.account')}
                    filterOption={(input, option) =>
                      String(option?.label ?? '')
                        .toLowerCase()
                        .includes(input.toLowerCase())
                    }
                    aria-label={`${t('line.account')} ${index + 1}`}
                  />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'side']}
                  rules={[{ required: true, message: t('journal.sideRequired') }]}
                  style={{ width: 120 }}
                >
                  <Select
                    aria-label={`${t('line.side')} ${index + 1}`}
                    options={[
                      { value: 'debit', label: t('side.debit') },
                      { value: 'credit', label: t('side.credit') },
                    ]}
                  />
                </Form.Item>
                <Form.Item
                  name={[field.name, 'amount']}
                  rules={[
                    {
                      validator: async (_, value: string | undefined) => {
                        const minor = value ? parseMoney(value) : undefined;
                        if (minor === undefined || minor === '0') throw new Error(t('journal.amountInvalid'));
                      },
                    },
                  ]}
                  style={{ width: 180 }}
                >
                  <Input
                    placeholder={t('journal.amountPlaceholder')}
                    aria-label={`${t('line.amount')} ${index + 1}`}
                    inputMode="decimal"
                  />
                </Form.Item>
                <Form.Item name={[field.name, 'loanId']} style={{ width: 300 }}>
                  <Input
                    placeholder={t('journal.loanPlaceholder')}
                    aria-label={`${t('line.loan')} ${index + 1}`}
                  />
                </Form.Item>
                {fields.length > 2 && (
                  <Button
                    type="text"
                    icon={<MinusCircleOutlined />}
                    onClick={() => remove(field.name)}
                    aria-label={t('journal.removeLine')}
                  />
                )}
              </Flex>
            ))}
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() => add({ side: 'credit' })}
              data-testid="add-line"
            >
              {t('journal.addLine')}
            </Button>
          </>
        )}
      </Form.List>
      <Flex gap="large" align="center" style={{ margin: '16px 0' }} data-testid="journal-totals">
        <span>
          {t('journal.debits')}: <Money minor={debit} strong />
        </span>
        <span>
          {t('journal.credits')}: <Money minor={credit} strong />
        </span>
        {debit === credit && debit > 0n ? (
          <Alert type="success" showIcon title={t('journal.balanced')} data-testid="journal-balanced" />
        ) : (
          <Alert
            type="warning"
            showIcon
            title={t('journal.unbalanced', { difference: formatMoney(debit - credit) })}
            data-testid="journal-unbalanced"
          />
        )}
      </Flex>
    </>
  );
}
