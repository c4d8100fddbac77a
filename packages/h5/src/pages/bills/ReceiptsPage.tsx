import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, ErrorBlock, Tag } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { formatInstant } from '../servicing/format';
import { Allocation, TransactionKind } from '../servicing/parts';
import { fetchTransactions, keys, type Transaction } from '../servicing/queries';

// 还款记录: the loan's transactions, newest first — each repayment's amount, how it was allocated
// (principal, interest, fee, penalty, prepayment fee, kept as credit) and its date; a page more on
// request.

function Receipt({ transaction }: { transaction: Transaction }) {
  const { t } = useTranslation('bills');
  const outgoing = transaction.kind === 'overpayment_refund' || transaction.kind === 'reversal';
  return (
    <li className="receipt" data-testid="receipt" data-kind={transaction.kind} data-id={transaction.id}>
      <div className="receipt-head">
        <strong>
          <TransactionKind kind={transaction.kind} />
          {transaction.reversed && (
            <Tag color="warning" fill="outline" style={{ marginLeft: 6 }}>
              {t('reversed')}
            </Tag>
          )}
        </strong>
        <Money
          minor={transaction.amountMinor}
          prefix={outgoing ? '-¥' : '¥'}
          strong
          testId="receipt-amount"
        />
      </div>
      <div className="muted" data-testid="receipt-date">
        {transaction.businessDate} · {formatInstant(transaction.createdAt)}
      </div>
      <Allocation transaction={transaction} />
    </li>
  );
}

export function ReceiptsPage() {
  const { t } = useTranslation('bills');
  const { loanId = '' } = useParams();
  const pages = useInfiniteQuery({
    queryKey: keys.transactions(loanId),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchTransactions(loanId, pageParam),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const transactions = pages.data?.pages.flatMap((page) => page.transactions) ?? [];
  return (
    <PageShell
      title={t('receiptsTitle')}
      back={`/loans/${loanId}`}
      loading={pages.isPending}
      error={pages.error ?? undefined}
      onRetry={() => void pages.refetch()}
    >
      {pages.data &&
        (transactions.length === 0 ? (
          <ErrorBlock status="empty" title={t('noReceipts')} description={t('noReceiptsHint')} />
        ) : (
          <section className="card">
            <ul className="plain-list" data-testid="receipts">
              {transactions.map((transaction) => (
                <Receipt key={transaction.id} transaction={transaction} />
              ))}
            </ul>
            {pages.hasNextPage && (
              <Button block loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
                {t('more')}
              </Button>
            )}
          </section>
        ))}
    </PageShell>
  );
}
