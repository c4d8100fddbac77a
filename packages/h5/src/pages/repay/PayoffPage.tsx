import { Button } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiProblem, api, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { formatMoney } from '../../format';
import { CollectionPage } from '../servicing/CollectionPage';
import { useCollection } from '../servicing/collection';
import { useConfirm } from '../servicing/confirm';
import { RefusedNotice } from '../servicing/Outcome';
import { LoanStateTag, Row, Rows } from '../servicing/parts';
import { cardTail, useDebitCards, useLoan, usePayoffQuote, useServicing } from '../servicing/queries';
import { CardPicker } from './CardPicker';

// 提前结清: today's payoff quote with its parts (principal, interest to today, fees, penalty, the
// prepayment fee on the principal not yet due) — valid on its business date only — and a payoff of
// exactly that amount with the quote's date. A quote that went stale is fetched again.

export function PayoffPage() {
  const { t } = useTranslation('repay');
  const confirmation = useConfirm();
  const { loanId = '' } = useParams();
  const servicing = useServicing(loanId);
  const open = servicing.data !== undefined && servicing.data.account.status !== 'paid_off';
  const quote = usePayoffQuote(loanId, open);
  const loan = useLoan(loanId);
  const cards = useDebitCards();
  const collection = useCollection(loanId);
  const { outcome, submit } = collection;
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const card = cards.list.find((entry) => entry.agreement.id === picked) ?? cards.list[0];
  const busy = outcome.phase === 'submitting' || outcome.phase === 'pending';

  const pay = async () => {
    const q = quote.data;
    if (q === undefined || card === undefined) return;
    const confirmed = await confirmation.ask({
      title: t('payoff.confirmTitle'),
      content: t('payoff.confirmContent', {
        amount: formatMoney(q.totalMinor),
        date: q.quoteDate,
        bank: card.card?.bankName ?? t('card.bank'),
        tail: cardTail(card.card),
      }),
      confirmText: t('confirm.ok'),
      cancelText: t('confirm.cancel'),
    });
    if (!confirmed) return;
    await submit(async (headers) => {
      try {
        return await unwrap(
          api.POST('/api/v1/borrower/loans/{loanId}/payoff', {
            params: { path: { loanId }, header: headers },
            body: { amountMinor: q.totalMinor, quoteDate: q.quoteDate, agreementId: card.agreement.id },
          }),
        );
      } catch (error) {
        // The business date moved on (or the loan's figures did): show today's quote instead.
        if (
          error instanceof ApiProblem &&
          (error.code === 'payoff_quote_stale' || error.code === 'payoff_amount_short')
        )
          void quote.refetch();
        throw error;
      }
    });
  };

  const paidOff = loan.data?.state === 'paid_off' || servicing.data?.account.status === 'paid_off';
  return (
    <CollectionPage
      title={t('payoff.title')}
      loanId={loanId}
      reads={[servicing, ...(open ? [quote] : []), cards]}
      collection={collection}
      confirmDialog={confirmation.dialog}
      closed={servicing.data !== undefined && !open}
      successTitle={paidOff ? t('payoff.paidOff') : t('succeeded')}
      extra={
        loan.data && (
          <Rows testId="payoff-state">
            <Row label={t('payoff.loanState')}>
              <LoanStateTag state={loan.data.state} />
            </Row>
          </Rows>
        )
      }
    >
      {quote.data && (
        <>
          <section className="card" data-testid="payoff-quote">
            <div className="figure-label">{t('payoff.total')}</div>
            <div className="big-figure">
              <Money minor={quote.data.totalMinor} testId="payoff-total" />
            </div>
            <div className="hint" data-testid="payoff-quote-date">
              {t('payoff.validOn', { date: quote.data.quoteDate })}
            </div>
            <Rows testId="payoff-parts">
              <Row
                label={t('payoff.principal')}
                minor={quote.data.principalMinor}
                testId="payoff-principal"
              />
              <Row label={t('payoff.interest')} minor={quote.data.interestMinor} testId="payoff-interest" />
              <Row label={t('payoff.fee')} minor={quote.data.feeMinor} testId="payoff-fee" />
              <Row label={t('payoff.penalty')} minor={quote.data.penaltyMinor} testId="payoff-penalty" />
              <Row
                label={t('payoff.prepaymentFee', { base: formatMoney(quote.data.prepaidPrincipalMinor) })}
                minor={quote.data.prepaymentFeeMinor}
                testId="payoff-prepayment-fee"
              />
            </Rows>
            {quote.data.creditBalanceMinor !== '0' && (
              <div className="hint" style={{ marginTop: 8 }}>
                {t('payoff.creditBalance', { amount: formatMoney(quote.data.creditBalanceMinor) })}
              </div>
            )}
          </section>
          <CardPicker cards={cards.list} value={card?.agreement.id} onChange={setPicked} />
          <RefusedNotice outcome={outcome} />
          <div className="sticky-action">
            <Button
              block
              color="primary"
              size="large"
              disabled={card === undefined || busy}
              loading={busy}
              onClick={() => void pay()}
              data-testid="payoff-submit"
            >
              {t('payoff.pay', { amount: formatMoney(quote.data.totalMinor) })}
            </Button>
          </div>
        </>
      )}
    </CollectionPage>
  );
}
