import { Button, Input, Selector } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { formatMoney, parseMoney } from '../../format';
import { CollectionPage } from '../servicing/CollectionPage';
import { useCollection } from '../servicing/collection';
import { useConfirm } from '../servicing/confirm';
import { RefusedNotice } from '../servicing/Outcome';
import { Row, Rows } from '../servicing/parts';
import {
  cardTail,
  type Installment,
  type LoanServicing,
  unpaidWithoutPenalty,
  useDebitCards,
  usePayoffQuote,
  useServicing,
} from '../servicing/queries';
import { CardPicker } from './CardPicker';

// 立即还款: this installment (the current bill: everything due and the current installment), all
// that is overdue, or an amount up to today's payoff — debited from a bound card. The figures are
// what the API will collect: the installments' unpaid principal, interest and fee as servicing
// reads them, and the penalty to today as today's payoff quote counts it (penalty runs to the day
// of payment). The outcome follows the channel (servicing/collection.ts).

type What = 'current_installment' | 'all_due' | 'amount';

function sum(rows: Installment[]): bigint {
  return rows.reduce((total, row) => total + unpaidWithoutPenalty(row), 0n);
}

/** The current bill and what is due, as the API collects them (docs/servicing.md "Allocation"). */
export function payableFigures(servicing: LoanServicing, penaltyTodayMinor: string) {
  const current = servicing.account.currentInstallment;
  const due = servicing.installments.filter((row) => row.status === 'due');
  const payable = servicing.installments.filter(
    (row) => row.status === 'due' || (row.status === 'future' && row.number === current),
  );
  const penalty = BigInt(penaltyTodayMinor);
  return {
    due,
    payable,
    allDueMinor: due.length === 0 ? 0n : sum(due) + penalty,
    currentBillMinor: sum(payable) + penalty,
    penaltyMinor: penalty,
  };
}

export function RepayPage() {
  const { t } = useTranslation('repay');
  const confirmation = useConfirm();
  const { loanId = '' } = useParams();
  const servicing = useServicing(loanId);
  const open = servicing.data !== undefined && servicing.data.account.status !== 'paid_off';
  const quote = usePayoffQuote(loanId, open);
  const cards = useDebitCards();
  const collection = useCollection(loanId);
  const { outcome, submit } = collection;
  const [choice, setChoice] = useState<What | undefined>(undefined);
  const [amountText, setAmountText] = useState('');
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [touched, setTouched] = useState(false);

  const figures =
    servicing.data && quote.data ? payableFigures(servicing.data, quote.data.penaltyMinor) : undefined;
  const what: What =
    choice ?? (figures && figures.currentBillMinor === 0n ? 'amount' : 'current_installment');
  const card = cards.list.find((entry) => entry.agreement.id === picked) ?? cards.list[0];
  const maxMinor = quote.data ? BigInt(quote.data.totalMinor) : 0n;
  const typed = parseMoney(amountText);
  const amountProblem =
    what !== 'amount'
      ? undefined
      : typed === undefined
        ? t('amount.invalid')
        : BigInt(typed) === 0n
          ? t('amount.zero')
          : BigInt(typed) > maxMinor
            ? t('amount.tooMuch', { max: formatMoney(maxMinor) })
            : undefined;
  const amountMinor =
    what === 'amount'
      ? typed === undefined
        ? undefined
        : BigInt(typed)
      : what === 'all_due'
        ? figures?.allDueMinor
        : figures?.currentBillMinor;
  const busy = outcome.phase === 'submitting' || outcome.phase === 'pending';
  const canPay =
    card !== undefined && amountMinor !== undefined && amountMinor > 0n && amountProblem === undefined;

  const pay = async () => {
    setTouched(true);
    if (!canPay || card === undefined || amountMinor === undefined) return;
    const confirmed = await confirmation.ask({
      title: t('confirm.title'),
      content: t('confirm.content', {
        amount: formatMoney(amountMinor),
        bank: card.card?.bankName ?? t('card.bank'),
        tail: cardTail(card.card),
      }),
      confirmText: t('confirm.ok'),
      cancelText: t('confirm.cancel'),
    });
    if (!confirmed) return;
    await submit((headers) =>
      unwrap(
        api.POST('/api/v1/borrower/loans/{loanId}/repayments', {
          params: { path: { loanId }, header: headers },
          body:
            what === 'amount'
              ? { what, amountMinor: amountMinor.toString(), agreementId: card.agreement.id }
              : { what, agreementId: card.agreement.id },
        }),
      ),
    );
  };

  return (
    <CollectionPage
      title={t('title')}
      loanId={loanId}
      reads={[servicing, ...(open ? [quote] : []), cards]}
      collection={collection}
      confirmDialog={confirmation.dialog}
      closed={servicing.data !== undefined && !open}
      successTitle={t('succeeded')}
    >
      {figures && quote.data && (
        <>
          <section className="card choice" data-testid="repay-choice">
            <h2>{t('choose')}</h2>
            <Selector
              columns={1}
              value={[what]}
              onChange={(values) => {
                const [next] = values;
                if (next !== undefined) setChoice(next);
              }}
              options={[
                {
                  value: 'current_installment' as const,
                  label: (
                    <span data-testid="option-current">
                      {t('what.current')}{' '}
                      <Money minor={figures.currentBillMinor} testId="current-bill-amount" />
                    </span>
                  ),
                  disabled: figures.currentBillMinor === 0n,
                },
                ...(figures.due.length > 0
                  ? [
                      {
                        value: 'all_due' as const,
                        label: (
                          <span data-testid="option-all-due">
                            {t('what.allDue')} <Money minor={figures.allDueMinor} testId="all-due-amount" />
                          </span>
                        ),
                      },
                    ]
                  : []),
                {
                  value: 'amount' as const,
                  label: <span data-testid="option-amount">{t('what.amount')}</span>,
                },
              ]}
            />
            {what === 'current_installment' && (
              <Rows testId="current-bill">
                {figures.payable.map((row) => (
                  <Row key={row.number} label={t('installment', { number: row.number, date: row.dueDate })}>
                    <Money minor={unpaidWithoutPenalty(row)} />
                  </Row>
                ))}
                {figures.penaltyMinor > 0n && <Row label={t('penaltyToday')} minor={figures.penaltyMinor} />}
              </Rows>
            )}
            {what === 'amount' && (
              <>
                <Input
                  className="amount-input"
                  inputMode="decimal"
                  placeholder={t('amount.placeholder')}
                  value={amountText}
                  onChange={setAmountText}
                  aria-label={t('amount.label')}
                  data-testid="amount-input"
                />
                <div className="hint">{t('amount.hint', { max: formatMoney(maxMinor) })}</div>
                {touched && amountProblem && <div className="field-error">{amountProblem}</div>}
              </>
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
              data-testid="repay-submit"
            >
              {amountMinor !== undefined && amountProblem === undefined
                ? t('pay', { amount: formatMoney(amountMinor) })
                : t('payPlain')}
            </Button>
          </div>
        </>
      )}
    </CollectionPage>
  );
}
