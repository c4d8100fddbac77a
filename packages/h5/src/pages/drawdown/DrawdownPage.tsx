import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, ErrorBlock, Input, Result, Selector } from 'antd-mobile';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiProblem, api, type Schemas, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { formatMoney, formatPercent, parseMoney } from '../../format';
import { CardPicker } from '../repay/CardPicker';
import { useConfirm } from '../servicing/confirm';
import { ServicingProblem } from '../servicing/Problem';
import { LoanStateTag, Row, Rows, useProductName } from '../servicing/parts';
import {
  type CatalogueProduct,
  type CreditLine,
  cardTail,
  keys,
  useCatalogue,
  useCreditLines,
  useDebitCards,
} from '../servicing/queries';

// 借现金: a cash drawdown from a revolving line to one of the borrower's bound cards. The quote
// (what arrives on the card, the schedule, both annualized rates, the total cost) comes first; the
// confirmation makes the loan, and the page follows its disbursement until it is active (paid to
// the card) or cancelled.

type Ask = { productCode: string; amountMinor: string; termCount: number };

function eligible(lines: CreditLine[], catalogue: CatalogueProduct[]) {
  return catalogue
    .filter((product) => product.revolving)
    .map((product) => ({
      product,
      line: lines.find(
        (line) => line.status === 'active' && line.revolving && line.productCodes.includes(product.code),
      ),
    }))
    .filter((entry): entry is { product: CatalogueProduct; line: CreditLine } => entry.line !== undefined);
}

function minOf(a: bigint, b: bigint) {
  return a < b ? a : b;
}

function Disbursement({ loanId }: { loanId: string }) {
  const { t } = useTranslation('drawdown');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const loan = useQuery({
    queryKey: keys.loan(loanId),
    queryFn: () => unwrap(api.GET('/api/v1/borrower/loans/{loanId}', { params: { path: { loanId } } })),
    // Until the payout's outcome is known: the loan is pending_disbursement meanwhile.
    refetchInterval: (query) => (query.state.data?.state === 'pending_disbursement' ? 1500 : false),
  });
  const state = loan.data?.state;
  const settled = state !== undefined && state !== 'pending_disbursement';
  useEffect(() => {
    // The line and the bill change once the payout is settled either way.
    if (!settled) return;
    void queries.invalidateQueries({ queryKey: keys.creditLines });
    void queries.invalidateQueries({ queryKey: keys.bill });
    void queries.invalidateQueries({ queryKey: keys.loans, exact: true });
  }, [settled, queries]);
  return (
    <section className="card" data-testid="drawdown-outcome" data-state={state ?? 'loading'}>
      {state === 'pending_disbursement' || state === undefined ? (
        <Result status="waiting" title={t('outcome.pending')} description={t('outcome.pendingHint')} />
      ) : state === 'cancelled' ? (
        <Result status="error" title={t('outcome.failed')} description={t('outcome.failedHint')} />
      ) : (
        <Result status="success" title={t('outcome.done')} description={t('outcome.doneHint')} />
      )}
      {loan.data && (
        <Rows>
          <Row label={t('outcome.loanNo')}>{loan.data.loanNo}</Row>
          <Row label={t('outcome.state')}>
            <LoanStateTag state={loan.data.state} />
          </Row>
          <Row label={t('outcome.disbursed')} minor={loan.data.disbursedMinor} />
        </Rows>
      )}
      {loan.error ? <ServicingProblem error={loan.error} onRetry={() => void loan.refetch()} /> : null}
      <div className="actions" style={{ marginTop: 12 }}>
        <Button block color="primary" size="large" onClick={() => navigate(`/loans/${loanId}`)}>
          {t('outcome.toLoan')}
        </Button>
        <Button block size="large" onClick={() => navigate('/')}>
          {t('outcome.home')}
        </Button>
      </div>
    </section>
  );
}

export function DrawdownPage() {
  const { t } = useTranslation('drawdown');
  const confirmation = useConfirm();
  const productName = useProductName();
  const lines = useCreditLines();
  const catalogue = useCatalogue();
  const cards = useDebitCards();
  const [code, setCode] = useState<string | undefined>(undefined);
  const [amountText, setAmountText] = useState('');
  const [term, setTerm] = useState<number | undefined>(undefined);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [asked, setAsked] = useState<Ask | undefined>(undefined);
  const [touched, setTouched] = useState(false);
  const [sending, setSending] = useState(false);
  const [refused, setRefused] = useState<unknown>(undefined);
  const [loanId, setLoanId] = useState<string | undefined>(undefined);
  const key = useRef<string | undefined>(undefined);

  const options = eligible(lines.data ?? [], catalogue.data ?? []);
  const chosen = options.find((entry) => entry.product.code === code) ?? options[0];
  const termCount = term ?? chosen?.product.termsOffered[0];
  const card = cards.list.find((entry) => entry.agreement.id === picked) ?? cards.list[0];
  const typed = parseMoney(amountText);
  const maxMinor = chosen
    ? minOf(BigInt(chosen.line.availableMinor), BigInt(chosen.product.amountMaxMinor))
    : 0n;
  const minMinor = chosen ? BigInt(chosen.product.amountMinMinor) : 0n;
  const amountProblem =
    typed === undefined
      ? t('amount.invalid')
      : BigInt(typed) < minMinor
        ? t('amount.tooLittle', { min: formatMoney(minMinor) })
        : BigInt(typed) > maxMinor
          ? t('amount.tooMuch', { max: formatMoney(maxMinor) })
          : undefined;
  const current =
    asked !== undefined &&
    chosen !== undefined &&
    asked.productCode === chosen.product.code &&
    asked.amountMinor === typed &&
    asked.termCount === termCount
      ? asked
      : undefined;
  const quote = useQuery({
    queryKey: [
      'borrower',
      'drawdowns',
      'quote',
      current?.productCode,
      current?.amountMinor,
      current?.termCount,
    ],
    enabled: current !== undefined,
    staleTime: 0,
    retry: false,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/borrower/drawdowns/quote', {
          params: {
            query: {
              productCode: current?.productCode ?? '',
              amountMinor: current?.amountMinor ?? '0',
              termCount: current?.termCount ?? 0,
            },
          },
        }),
      ),
  });

  const preview = () => {
    setTouched(true);
    setRefused(undefined);
    if (chosen === undefined || typed === undefined || amountProblem !== undefined || termCount === undefined)
      return;
    setAsked({ productCode: chosen.product.code, amountMinor: typed, termCount });
  };

  const confirm = async (q: Schemas['LoanQuote']) => {
    if (current === undefined || card === undefined) return;
    const confirmed = await confirmation.ask({
      title: t('confirm.title'),
      content: t('confirm.content', {
        amount: formatMoney(q.disbursedMinor),
        bank: card.card?.bankName ?? t('card'),
        tail: cardTail(card.card),
        terms: q.termCount,
      }),
      confirmText: t('confirm.ok'),
      cancelText: t('confirm.cancel'),
    });
    if (!confirmed) return;
    setSending(true);
    setRefused(undefined);
    try {
      key.current ??= crypto.randomUUID();
      const made = await unwrap(
        api.POST('/api/v1/borrower/drawdowns', {
          params: { header: { 'idempotency-key': key.current } },
          body: { ...current, cardId: card.agreement.cardId },
        }),
      );
      key.current = undefined;
      setLoanId(made.loan.id);
    } catch (error) {
      if (error instanceof ApiProblem && error.status >= 400 && error.status < 500) key.current = undefined;
      setRefused(error);
    } finally {
      setSending(false);
    }
  };

  const loading = lines.isPending || catalogue.isPending || cards.isPending;
  return (
    <>
      {confirmation.dialog}
      <PageShell
        title={t('title')}
        back="/"
        loading={loading}
        error={lines.error ?? catalogue.error ?? cards.error ?? undefined}
        onRetry={() => {
          void lines.refetch();
          void catalogue.refetch();
          cards.refetch();
        }}
      >
        {loanId !== undefined ? (
          <Disbursement loanId={loanId} />
        ) : !loading && chosen === undefined ? (
          <ErrorBlock status="empty" title={t('none')} description={t('noneHint')} />
        ) : (
          chosen && (
            <>
              <section className="card choice" data-testid="drawdown-form">
                {options.length > 1 && (
                  <>
                    <h2>{t('product')}</h2>
                    <Selector
                      columns={1}
                      value={[chosen.product.code]}
                      onChange={(values) => {
                        const [next] = values;
                        if (next !== undefined) {
                          setCode(next);
                          setTerm(undefined);
                        }
                      }}
                      options={options.map((entry) => ({
                        value: entry.product.code,
                        label: productName(entry.product.code),
                      }))}
                    />
                  </>
                )}
                <h2>{t('amount.label')}</h2>
                <div className="hint">
                  {t('available')} <Money minor={chosen.line.availableMinor} testId="drawdown-available" />
                </div>
                <Input
                  className="amount-input"
                  inputMode="decimal"
                  placeholder={t('amount.placeholder', {
                    min: formatMoney(minMinor),
                    max: formatMoney(maxMinor),
                  })}
                  value={amountText}
                  onChange={setAmountText}
                  aria-label={t('amount.label')}
                  data-testid="drawdown-amount"
                />
                {touched && amountProblem && <div className="field-error">{amountProblem}</div>}
                <h2 style={{ marginTop: 14 }}>{t('term')}</h2>
                <Selector
                  columns={3}
                  value={termCount === undefined ? [] : [termCount]}
                  onChange={(values) => {
                    const [next] = values;
                    if (next !== undefined) setTerm(next);
                  }}
                  options={chosen.product.termsOffered.map((count) => ({
                    value: count,
                    label: <span data-testid={`term-${count}`}>{t('termValue', { count })}</span>,
                  }))}
                />
                <Button
                  block
                  size="large"
                  color="primary"
                  fill="outline"
                  style={{ marginTop: 12 }}
                  loading={quote.isFetching}
                  onClick={preview}
                  data-testid="drawdown-preview"
                >
                  {t('preview')}
                </Button>
              </section>
              {current !== undefined && quote.error ? <ServicingProblem error={quote.error} /> : null}
              {current !== undefined && quote.data && (
                <>
                  <section className="card effect" data-testid="drawdown-quote">
                    <div className="figure-label">{t('quote.disbursed')}</div>
                    <div className="big-figure">
                      <Money minor={quote.data.disbursedMinor} testId="drawdown-disbursed" />
                    </div>
                    <div className="rates">
                      <div className="rate">
                        <div className="rate-value" data-testid="drawdown-apr-irr">
                          {formatPercent(quote.data.apr.irrPercent)}
                        </div>
                        <div className="rate-label">{t('quote.irr')}</div>
                      </div>
                      <div className="rate">
                        <div className="rate-value" data-testid="drawdown-apr-simple">
                          {formatPercent(quote.data.apr.simplePercent)}
                        </div>
                        <div className="rate-label">{t('quote.simple')}</div>
                      </div>
                    </div>
                    <Rows>
                      <Row label={t('quote.principal')} minor={quote.data.principalMinor} />
                      <Row label={t('quote.interest')} minor={quote.data.totals.interestMinor} />
                      <Row label={t('quote.fee')} minor={quote.data.totals.feeMinor} />
                      <Row label={t('quote.totalCost')} minor={quote.data.totalCostMinor} />
                      <Row label={t('quote.total')} minor={quote.data.totals.totalMinor} strong />
                    </Rows>
                    <div className="section-title">{t('quote.schedule')}</div>
                    <ul className="plain-list">
                      {quote.data.installments.map((row) => (
                        <li key={row.number} className="installment">
                          <div className="installment-head">
                            <strong>{t('installment', { number: row.number })}</strong>
                            <span className="muted">{row.dueDate}</span>
                            <Money minor={row.totalMinor} strong />
                          </div>
                        </li>
                      ))}
                    </ul>
                  </section>
                  <CardPicker cards={cards.list} value={card?.agreement.id} onChange={setPicked} />
                  {refused !== undefined && <ServicingProblem error={refused} />}
                  <div className="sticky-action">
                    <Button
                      block
                      color="primary"
                      size="large"
                      disabled={card === undefined || sending}
                      loading={sending}
                      onClick={() => void confirm(quote.data)}
                      data-testid="drawdown-submit"
                    >
                      {t('submit', { amount: formatMoney(quote.data.principalMinor) })}
                    </Button>
                  </div>
                </>
              )}
            </>
          )
        )}
      </PageShell>
    </>
  );
}
