import { Button, DotLoading, Result } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Money } from '../../components/Money';
import type { Outcome } from './collection';
import { ServicingProblem } from './Problem';
import { Allocation, Row, Rows, TransactionKind } from './parts';

/**
 * What became of a payment the borrower asked for: collecting (the channel has not confirmed yet),
 * paid with its receipt, failed with why (nothing was taken; pay again), or still processing after
 * a while (look again). `closedText`
 * replaces the success title when the payment closed the loan.
 */
export function CollectionOutcome({
  outcome,
  loanId,
  onLookAgain,
  onAgain,
  successTitle,
  extra,
}: {
  outcome: Outcome;
  loanId: string;
  onLookAgain: () => void;
  onAgain: () => void;
  successTitle?: string;
  extra?: ReactNode;
}) {
  const { t } = useTranslation('servicing');
  const navigate = useNavigate();
  const links = (
    <div className="actions">
      <Button block color="primary" size="large" onClick={() => navigate(`/loans/${loanId}`)}>
        {t('outcome.toLoan')}
      </Button>
      <Button block size="large" onClick={() => navigate(`/loans/${loanId}/receipts`)}>
        {t('outcome.toReceipts')}
      </Button>
    </div>
  );
  switch (outcome.phase) {
    case 'idle':
    case 'refused':
      return null;
    case 'submitting':
      return (
        <div className="card status-hero" data-testid="outcome" data-phase="submitting" role="status">
          <DotLoading color="primary" />
          <div>{t('outcome.submitting')}</div>
        </div>
      );
    case 'pending':
      return (
        <div className="card status-hero" data-testid="outcome" data-phase="pending" role="status">
          <Result
            status="waiting"
            title={t('outcome.pendingTitle')}
            description={t('outcome.pendingDescription')}
          />
          <DotLoading color="primary" />
          <Rows>
            <Row label={t('outcome.amount')} minor={outcome.collection.amountMinor} testId="outcome-amount" />
            <Row label={t('outcome.orderNo')}>{outcome.collection.paymentOrderNo}</Row>
          </Rows>
        </div>
      );
    case 'succeeded':
      return (
        <div className="card" data-testid="outcome" data-phase="succeeded" role="status">
          <Result status="success" title={successTitle ?? t('outcome.succeededTitle')} />
          <h2>{t('outcome.receipt')}</h2>
          <Rows testId="receipt">
            <Row label={t('outcome.kind')}>
              <TransactionKind kind={outcome.transaction.kind} />
            </Row>
            <Row
              label={t('outcome.amount')}
              minor={outcome.transaction.amountMinor}
              strong
              testId="receipt-amount"
            />
            <Row label={t('outcome.date')}>{outcome.transaction.businessDate}</Row>
            <Row label={t('outcome.orderNo')}>{outcome.collection.paymentOrderNo}</Row>
          </Rows>
          <div className="section-title">{t('outcome.allocation')}</div>
          <Allocation transaction={outcome.transaction} />
          {extra}
          <div style={{ marginTop: 16 }}>{links}</div>
        </div>
      );
    case 'failed':
      return (
        <div
          className="card"
          data-testid="outcome"
          data-phase="failed"
          data-reason={outcome.reason ?? undefined}
          role="alert"
        >
          <Result
            status="error"
            title={
              <span data-testid="outcome-failure">
                {outcome.reason ? t(`outcome.failedReason.${outcome.reason}`) : t('outcome.failedTitle')}
              </span>
            }
            description={
              outcome.reason ? t(`outcome.failedHint.${outcome.reason}`) : t('outcome.failedDescription')
            }
          />
          <Rows>
            <Row label={t('outcome.amount')}>
              <Money minor={outcome.collection.amountMinor} />
            </Row>
            <Row label={t('outcome.orderNo')}>{outcome.collection.paymentOrderNo}</Row>
          </Rows>
          <div className="actions" style={{ marginTop: 12 }}>
            <Button block color="primary" size="large" onClick={onAgain}>
              {t('outcome.again')}
            </Button>
          </div>
        </div>
      );
    case 'processing':
      return (
        <div className="card" data-testid="outcome" data-phase="processing" role="status">
          <Result
            status="waiting"
            title={t('outcome.processingTitle')}
            description={t('outcome.processingDescription')}
          />
          <Rows>
            <Row label={t('outcome.amount')}>
              <Money minor={outcome.collection.amountMinor} />
            </Row>
            <Row label={t('outcome.orderNo')}>{outcome.collection.paymentOrderNo}</Row>
          </Rows>
          <div className="actions" style={{ marginTop: 12 }}>
            <Button block color="primary" size="large" onClick={onLookAgain}>
              {t('outcome.lookAgain')}
            </Button>
            {links}
          </div>
        </div>
      );
  }
}

/** A refused request: the problem, and nothing was collected. */
export function RefusedNotice({ outcome, onRetry }: { outcome: Outcome; onRetry?: () => void }) {
  if (outcome.phase !== 'refused') return null;
  return <ServicingProblem error={outcome.error} {...(onRetry ? { onRetry } : {})} />;
}
