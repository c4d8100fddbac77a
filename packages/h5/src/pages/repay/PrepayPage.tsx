import { useQuery } from '@tanstack/react-query';
import { Button, Input, Selector } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { formatMoney, parseMoney } from '../../format';
import { CollectionPage } from '../servicing/CollectionPage';
import { useCollection } from '../servicing/collection';
import { useConfirm } from '../servicing/confirm';
import { RefusedNotice } from '../servicing/Outcome';
import { ServicingProblem } from '../servicing/Problem';
import { Row, Rows } from '../servicing/parts';
import { cardTail, type LoanServicing, useDebitCards, useServicing } from '../servicing/queries';
import { CardPicker } from './CardPicker';

// 部分提前还款: an amount of principal and a choice — 缩短期限 (reduce_term: the payment stays,
// installments drop) or 减少月供 (reduce_payment: the term stays, the payment falls). The effect
// (what is collected — the current installment, the principal, the fee — and the schedule after it)
// is the prepayment-quote's and is shown before anything can be confirmed; the confirmation sends
// exactly the quoted principal and mode.

type Mode = 'reduce_term' | 'reduce_payment';
type Quote = Schemas['PrepaymentQuote'];

/** The schedule still to pay after the current installment, before and after the prepayment. */
function comparison(servicing: LoanServicing, quote: Quote) {
  const current = quote.currentInstallment.number;
  const before = servicing.installments.filter((row) => row.number > current && row.status !== 'paid');
  const after = quote.installments.filter((row) => row.number > current);
  return {
    termsBefore: before.length,
    termsAfter: after.length,
    paymentBefore: before[0]
      ? (
          BigInt(before[0].principal.dueMinor) +
          BigInt(before[0].interest.dueMinor) +
          BigInt(before[0].fee.dueMinor)
        ).toString()
      : undefined,
    paymentAfter: after[0]?.totalMinor,
    lastBefore: before.at(-1)?.dueDate,
    lastAfter: after.at(-1)?.dueDate,
    after,
  };
}

function Effect({ servicing, quote }: { servicing: LoanServicing; quote: Quote }) {
  const { t } = useTranslation('repay');
  const c = comparison(servicing, quote);
  const cur = quote.currentInstallment;
  const currentMinor = (
    BigInt(cur.principalMinor) +
    BigInt(cur.interestMinor) +
    BigInt(cur.feeMinor) +
    BigInt(cur.penaltyMinor)
  ).toString();
  return (
    <section className="card effect" data-testid="prepay-effect" data-mode={quote.mode}>
      <h2>{t('prepay.effect')}</h2>
      <div className="figure-label">{t('prepay.total')}</div>
      <div className="big-figure">
        <Money minor={quote.totalMinor} testId="prepay-total" />
      </div>
      <Rows testId="prepay-parts">
        <Row
          label={t('prepay.current', { number: cur.number })}
          minor={currentMinor}
          testId="prepay-current"
        />
        <Row label={t('prepay.principal')} minor={quote.principalMinor} testId="prepay-principal" />
        <Row label={t('prepay.fee')} minor={quote.prepaymentFeeMinor} testId="prepay-fee" />
      </Rows>
      <div className="compare">
        <div>
          <div className="figure-label">{t('prepay.termsLeft')}</div>
          <div className="value" data-testid="prepay-terms">
            {c.termsBefore} → {c.termsAfter}
          </div>
        </div>
        <div>
          <div className="figure-label">{t('prepay.payment')}</div>
          <div className="value" data-testid="prepay-payment">
            <Money minor={c.paymentBefore} prefix="" /> → <Money minor={c.paymentAfter} prefix="" />
          </div>
        </div>
      </div>
      {c.lastAfter && (
        <div className="hint">{t('prepay.lastDue', { before: c.lastBefore ?? '—', after: c.lastAfter })}</div>
      )}
      <div className="section-title">{t('prepay.newSchedule')}</div>
      <ul className="plain-list" data-testid="prepay-schedule">
        {c.after.map((row) => (
          <li
            key={row.number}
            className="installment"
            data-testid="prepay-installment"
            data-number={row.number}
          >
            <div className="installment-head">
              <strong>{t('installmentShort', { number: row.number })}</strong>
              <span className="muted">{row.dueDate}</span>
              <Money minor={row.totalMinor} strong testId="prepay-installment-total" />
            </div>
            <div className="installment-parts">
              <span>
                {t('parts.principal')}{' '}
                <Money minor={row.principalMinor} prefix="" testId="prepay-installment-principal" />
              </span>
              <span>
                {t('parts.interest')}{' '}
                <Money minor={row.interestMinor} prefix="" testId="prepay-installment-interest" />
              </span>
              {row.feeMinor !== '0' && (
                <span>
                  {t('parts.fee')} <Money minor={row.feeMinor} prefix="" />
                </span>
              )}
              <span>
                {t('parts.balance')} <Money minor={row.balanceMinor} prefix="" />
              </span>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PrepayPage() {
  const { t } = useTranslation('repay');
  const confirmation = useConfirm();
  const { loanId = '' } = useParams();
  const servicing = useServicing(loanId);
  const open = servicing.data !== undefined && servicing.data.account.status !== 'paid_off';
  const cards = useDebitCards();
  const collection = useCollection(loanId);
  const { outcome, submit } = collection;
  const [amountText, setAmountText] = useState('');
  const [mode, setMode] = useState<Mode>('reduce_term');
  const [asked, setAsked] = useState<{ principalMinor: string; mode: Mode } | undefined>(undefined);
  const [touched, setTouched] = useState(false);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const card = cards.list.find((entry) => entry.agreement.id === picked) ?? cards.list[0];

  const typed = parseMoney(amountText);
  const amountProblem =
    typed === undefined ? t('amount.invalid') : BigInt(typed) === 0n ? t('amount.zero') : undefined;
  // The quote of what was asked; changing the amount or the mode drops it (it must be quoted again).
  const current =
    asked !== undefined && asked.principalMinor === typed && asked.mode === mode ? asked : undefined;
  const quote = useQuery({
    // Not under the loan's key: a payment's refresh must not quote again what was just paid.
    queryKey: ['borrower', 'prepayment-quote', loanId, current?.principalMinor, current?.mode],
    enabled: current !== undefined && outcome.phase === 'idle',
    staleTime: 0,
    retry: false,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/borrower/loans/{loanId}/prepayment-quote', {
          params: {
            path: { loanId },
            query: { principalMinor: current?.principalMinor ?? '0', mode: current?.mode ?? 'reduce_term' },
          },
        }),
      ),
  });
  const busy = outcome.phase === 'submitting' || outcome.phase === 'pending';

  const preview = () => {
    setTouched(true);
    if (typed === undefined || amountProblem !== undefined) return;
    setAsked({ principalMinor: typed, mode });
  };

  const pay = async () => {
    const q = quote.data;
    if (q === undefined || card === undefined || current === undefined) return;
    const confirmed = await confirmation.ask({
      title: t('prepay.confirmTitle'),
      content: t('prepay.confirmContent', {
        amount: formatMoney(q.totalMinor),
        bank: card.card?.bankName ?? t('card.bank'),
        tail: cardTail(card.card),
      }),
      confirmText: t('confirm.ok'),
      cancelText: t('confirm.cancel'),
    });
    if (!confirmed) return;
    await submit(async (headers) => {
      const made = await unwrap(
        api.POST('/api/v1/borrower/loans/{loanId}/prepayments', {
          params: { path: { loanId }, header: headers },
          body: { principalMinor: q.principalMinor, mode: q.mode, agreementId: card.agreement.id },
        }),
      );
      return made;
    });
  };

  return (
    <CollectionPage
      title={t('prepay.title')}
      loanId={loanId}
      reads={[servicing, cards]}
      collection={collection}
      confirmDialog={confirmation.dialog}
      closed={servicing.data !== undefined && !open}
      successTitle={t('prepay.succeeded')}
    >
      {servicing.data && (
        <>
          <section className="card choice" data-testid="prepay-form">
            <h2>{t('prepay.amount')}</h2>
            <Input
              className="amount-input"
              inputMode="decimal"
              placeholder={t('amount.placeholder')}
              value={amountText}
              onChange={setAmountText}
              aria-label={t('prepay.amount')}
              data-testid="prepay-amount"
            />
            <div className="hint">
              {t('prepay.hint', {
                outstanding: formatMoney(servicing.data.account.principalOutstandingMinor),
              })}
            </div>
            {touched && amountProblem && <div className="field-error">{amountProblem}</div>}
            <h2 style={{ marginTop: 14 }}>{t('prepay.mode')}</h2>
            <Selector
              columns={1}
              value={[mode]}
              onChange={(values) => {
                const [next] = values;
                if (next !== undefined) setMode(next);
              }}
              options={[
                {
                  value: 'reduce_term' as const,
                  label: <span data-testid="mode-reduce-term">{t('prepay.reduceTerm')}</span>,
                  description: t('prepay.reduceTermHint'),
                },
                {
                  value: 'reduce_payment' as const,
                  label: <span data-testid="mode-reduce-payment">{t('prepay.reducePayment')}</span>,
                  description: t('prepay.reducePaymentHint'),
                },
              ]}
            />
            <Button
              block
              size="large"
              color="primary"
              fill="outline"
              style={{ marginTop: 12 }}
              loading={quote.isFetching}
              onClick={preview}
              data-testid="prepay-preview"
            >
              {t('prepay.preview')}
            </Button>
          </section>
          {current !== undefined && quote.error ? <ServicingProblem error={quote.error} /> : null}
          {current !== undefined && quote.data && (
            <>
              <Effect servicing={servicing.data} quote={quote.data} />
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
                  data-testid="prepay-submit"
                >
                  {t('prepay.pay', { amount: formatMoney(quote.data.totalMinor) })}
                </Button>
              </div>
            </>
          )}
        </>
      )}
    </CollectionPage>
  );
}
