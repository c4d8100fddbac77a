import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Checkbox, Collapse, Selector, Tag } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams } from 'react-router';
import { ApiProblem, api, commandKey, deviceId, type Schemas, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { ProblemNotice } from '../../components/ProblemNotice';
import { formatMoney, formatPercent, formatRate } from '../../format';
import { downloadContractPreview } from '../bills/contract';
import { nextDestination } from '../onboarding/steps';
import { Schedule } from './Schedule';

// Checkout from a merchant's order link: the order, each term its product offers with the quote
// for it (schedule, both annualized rates as PBOC announcement 2021 No. 3 asks, total cost), the
// contract's terms to read before accepting, then acceptance, which makes the loan and its
// contract and pays the merchant (the status page follows the payout).

type Quote = Schemas['LoanQuote'];

/** Problems that a missing onboarding step explains: the borrower is sent to finish it. */
const onboardingProblems = [
  'customer_profile_required',
  'credit_line_required',
  'consent_required',
  'kyc_incomplete',
];

function RatePanel({ quote }: { quote: Quote }) {
  const { t } = useTranslation('checkout');
  return (
    <div className="rates" data-testid="rates">
      <div className="rate">
        <div className="rate-value" data-testid="apr-simple">
          {formatPercent(quote.apr.simplePercent)}
        </div>
        <div className="rate-label">{t('rates.simple')}</div>
      </div>
      <div className="rate">
        <div className="rate-value" data-testid="apr-irr">
          {formatPercent(quote.apr.irrPercent)}
        </div>
        <div className="rate-label">{t('rates.irr')}</div>
      </div>
    </div>
  );
}

function ContractTerms({
  checkout,
  quote,
  agreement,
  token,
}: {
  checkout: Schemas['Checkout'];
  quote: Quote;
  agreement: Schemas['AgreementStatus'] | undefined;
  token: string;
}) {
  const [reading, setReading] = useState(false);
  const [previewProblem, setPreviewProblem] = useState<unknown>();
  const readFull = async () => {
    setReading(true);
    setPreviewProblem(undefined);
    try {
      await downloadContractPreview(token, quote.termCount);
    } catch (error) {
      setPreviewProblem(error);
    } finally {
      setReading(false);
    }
  };
  const { t, i18n } = useTranslation('checkout');
  const title = agreement
    ? i18n.language === 'en'
      ? agreement.titleEn
      : agreement.titleZh
    : t('contract.name');
  const first = quote.installments[0];
  const last = quote.installments.at(-1);
  return (
    <div className="contract-text" data-testid="contract-text">
      <p>
        <strong>
          《{title}》{agreement ? t('contract.version', { version: agreement.version }) : ''}
        </strong>
      </p>
      <p>{t('contract.preamble')}</p>
      <ol>
        <li>{t('contract.parties', { merchant: checkout.merchant.name })}</li>
        <li>
          {t('contract.amount', {
            amount: formatMoney(quote.principalMinor),
            items: checkout.order.items.map((item) => `${item.name}×${item.quantity}`).join('、'),
          })}
        </li>
        <li>
          {t('contract.term', {
            terms: quote.termCount,
            method: t(`methods.${quote.method}`, { defaultValue: quote.method }),
            first: first?.dueDate ?? '',
            last: last?.dueDate ?? '',
          })}
        </li>
        <li>
          {t('contract.price', {
            price:
              quote.price.kind === 'annual_rate'
                ? t('contract.annualRate', { rate: formatRate(quote.price.rate) })
                : t('contract.periodFeeRate', { rate: formatRate(quote.price.rate) }),
            simple: formatPercent(quote.apr.simplePercent),
            irr: formatPercent(quote.apr.irrPercent),
          })}
        </li>
        <li>
          {t('contract.cost', {
            interest: formatMoney(quote.totals.interestMinor),
            fee: formatMoney(quote.totals.feeMinor),
            cost: formatMoney(quote.totalCostMinor),
            total: formatMoney(quote.totals.totalMinor),
          })}
        </li>
        <li>{t('contract.penalty', { rate: formatRate(quote.penaltyRate) })}</li>
        <li>{t('contract.debit')}</li>
        <li>{t('contract.prepayment')}</li>
        <li>{t('contract.coolingOff', { days: quote.coolingOffDays })}</li>
      </ol>
      <p className="muted">{t('contract.fullText')}</p>
      <Button size="small" fill="outline" loading={reading} onClick={readFull} data-testid="contract-preview">
        {t('contract.readFull')}
      </Button>
      {previewProblem !== undefined && <ProblemNotice error={previewProblem} />}
    </div>
  );
}

export function CheckoutPage() {
  const { t } = useTranslation('checkout');
  const navigate = useNavigate();
  const location = useLocation();
  const queries = useQueryClient();
  const { token = '' } = useParams();
  const [termCount, setTermCount] = useState<number>();
  const [read, setRead] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const here = location.pathname;

  const checkout = useQuery({
    queryKey: ['checkout', token],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/checkout/{token}', { params: { path: { token } } })),
  });
  const terms = checkout.data?.product.termsOffered ?? [];
  const open = checkout.data?.order.status === 'open';
  const quotes = useQueries({
    queries: terms.map((term) => ({
      queryKey: ['checkout-quote', token, term],
      queryFn: () =>
        unwrap(
          api.GET('/api/v1/borrower/checkout/{token}/quote', {
            params: { path: { token }, query: { termCount: term } },
          }),
        ),
      enabled: open,
    })),
  });
  const lines = useQuery({
    queryKey: ['credit-lines'],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/credit-lines')),
  });
  const agreements = useQuery({
    queryKey: ['agreements'],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/agreements')),
  });

  // The longest term is chosen at first (the lowest payment per installment); the borrower picks.
  useEffect(() => {
    if (termCount === undefined && terms.length > 0) setTermCount(terms.at(-1));
  }, [terms, termCount]);

  const order = checkout.data?.order;
  const selectedIndex = termCount === undefined ? -1 : terms.indexOf(termCount);
  const selected = selectedIndex >= 0 ? quotes[selectedIndex] : undefined;
  const quote = selected?.data;
  const quoteError = quotes.find((query) => query.error)?.error;
  const contract = agreements.data?.find((agreement) => agreement.code === 'loan_contract');
  const line = lines.data?.find(
    (candidate) =>
      candidate.status === 'active' &&
      order !== undefined &&
      candidate.productCodes.includes(order.productCode),
  );
  const overLine =
    line !== undefined && order !== undefined && BigInt(order.amountMinor) > BigInt(line.availableMinor);
  const needsOnboarding =
    quoteError instanceof ApiProblem && onboardingProblems.includes(quoteError.code) ? quoteError : undefined;

  const accept = async () => {
    if (termCount === undefined || contract === undefined) return;
    setError(undefined);
    setBusy(true);
    try {
      if (contract.status !== 'current') {
        await unwrap(
          api.POST('/api/v1/borrower/consents', {
            params: { header: commandKey() },
            body: { code: contract.code, version: contract.version, deviceId: deviceId() },
          }),
        );
        await queries.invalidateQueries({ queryKey: ['agreements'] });
      }
      const accepted = await unwrap(
        api.POST('/api/v1/borrower/checkout/{token}/accept', {
          params: { path: { token }, header: commandKey() },
          body: { termCount },
        }),
      );
      await queries.invalidateQueries({ queryKey: ['credit-lines'] });
      await queries.invalidateQueries({ queryKey: ['checkout', token] });
      navigate(`/checkout/${encodeURIComponent(token)}/loans/${accepted.loan.id}`, { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <PageShell
      title={t('title')}
      loading={checkout.isPending}
      error={checkout.error}
      onRetry={() => checkout.refetch()}
    >
      {checkout.data && order && (
        <>
          <div className="card" data-testid="order">
            <div className="muted">{checkout.data.merchant.name}</div>
            <div className="big-figure">
              <Money minor={order.amountMinor} testId="order-amount" />
            </div>
            <ul className="items">
              {order.items.map((item) => (
                <li key={`${item.name}-${item.unitPriceMinor}`}>
                  <span>
                    {item.name} × {item.quantity}
                  </span>
                  <Money minor={(BigInt(item.unitPriceMinor) * BigInt(item.quantity)).toString()} />
                </li>
              ))}
            </ul>
            <div className="muted">{t('orderNo', { no: order.merchantOrderId })}</div>
          </div>

          {!open && (
            <div className="card" data-testid="order-closed">
              <p>{t(`closed.${order.status}`)}</p>
              {order.status === 'accepted' && order.loanId && (
                <Button
                  block
                  color="primary"
                  size="large"
                  onClick={() => navigate(`/checkout/${encodeURIComponent(token)}/loans/${order.loanId}`)}
                >
                  {t('closed.viewLoan')}
                </Button>
              )}
            </div>
          )}

          {open && needsOnboarding && (
            <div className="card">
              <ProblemNotice error={needsOnboarding} />
              <Button
                block
                color="primary"
                size="large"
                onClick={async () => navigate(await nextDestination(here))}
              >
                {t('finishOnboarding')}
              </Button>
            </div>
          )}

          {open && !needsOnboarding && (
            <>
              {line && (
                <div className="card line-summary">
                  <span className="muted">{t('available')}</span>
                  <Money minor={line.availableMinor} strong testId="available" />
                </div>
              )}
              {overLine && line && (
                <div className="problem" role="alert" data-testid="over-line">
                  {t('overLine', {
                    amount: formatMoney(order.amountMinor),
                    available: formatMoney(line.availableMinor),
                  })}
                </div>
              )}
              <div className="card">
                <h2>{t('chooseTerm')}</h2>
                <Selector<number>
                  columns={Math.min(terms.length, 3)}
                  options={terms.map((term, index) => {
                    const first = quotes[index]?.data?.installments[0];
                    return {
                      value: term,
                      label: <span data-testid={`term-${term}`}>{t('termOption', { count: term })}</span>,
                      description: first
                        ? t('perInstallment', { amount: formatMoney(first.totalMinor) })
                        : '…',
                    };
                  })}
                  value={termCount === undefined ? [] : [termCount]}
                  onChange={(value) => {
                    if (value[0] !== undefined) setTermCount(value[0]);
                  }}
                />
              </div>
              {quoteError && !needsOnboarding ? (
                <ProblemNotice error={quoteError} onRetry={() => selected?.refetch()} />
              ) : quote === undefined ? (
                <div className="card muted">{t('quoting')}</div>
              ) : (
                <>
                  <div className="card" data-testid="quote">
                    <h2>{t('rates.title')}</h2>
                    <RatePanel quote={quote} />
                    <p className="hint">{t('rates.note')}</p>
                    <dl className="rows">
                      <dt>{t('figures.principal')}</dt>
                      <dd data-testid="principal">{formatMoney(quote.principalMinor)}</dd>
                      <dt>{t('figures.interest')}</dt>
                      <dd data-testid="interest">{formatMoney(quote.totals.interestMinor)}</dd>
                      <dt>{t('figures.fee')}</dt>
                      <dd data-testid="fee">{formatMoney(quote.totals.feeMinor)}</dd>
                      <dt>
                        <strong>{t('figures.totalCost')}</strong>
                      </dt>
                      <dd data-testid="total-cost">
                        <strong>{formatMoney(quote.totalCostMinor)}</strong>
                      </dd>
                      <dt>{t('figures.total')}</dt>
                      <dd data-testid="total">{formatMoney(quote.totals.totalMinor)}</dd>
                      <dt>{t('figures.price')}</dt>
                      <dd data-testid="price">
                        {quote.price.kind === 'annual_rate'
                          ? t('contract.annualRate', { rate: formatRate(quote.price.rate) })
                          : t('contract.periodFeeRate', { rate: formatRate(quote.price.rate) })}
                      </dd>
                      <dt>{t('figures.penalty')}</dt>
                      <dd>{formatRate(quote.penaltyRate)}</dd>
                      <dt>{t('figures.coolingOff')}</dt>
                      <dd>{t('figures.days', { count: quote.coolingOffDays })}</dd>
                    </dl>
                  </div>
                  <div className="card">
                    <h2>{t('schedule.title', { count: quote.termCount })}</h2>
                    <Schedule installments={quote.installments} testId="schedule" />
                  </div>
                  <Collapse defaultActiveKey={['contract']} className="card-collapse">
                    <Collapse.Panel
                      key="contract"
                      title={
                        <span>
                          {t('contract.title')}{' '}
                          {contract?.status === 'current' && (
                            <Tag color="success">{t('contract.accepted')}</Tag>
                          )}
                        </span>
                      }
                    >
                      <ContractTerms
                        checkout={checkout.data}
                        quote={quote}
                        agreement={contract}
                        token={token}
                      />
                    </Collapse.Panel>
                  </Collapse>
                  <div className="card actions">
                    <Checkbox checked={read} onChange={setRead} data-testid="contract-read">
                      {t('contract.confirm')}
                    </Checkbox>
                    <Button
                      block
                      color="primary"
                      size="large"
                      disabled={!read || overLine || line === undefined || contract === undefined}
                      loading={busy}
                      onClick={accept}
                      data-testid="accept"
                    >
                      {t('accept', {
                        count: quote.termCount,
                        amount: formatMoney(quote.installments[0]?.totalMinor),
                      })}
                    </Button>
                  </div>
                </>
              )}
              <ProblemNotice error={error} />
            </>
          )}
        </>
      )}
    </PageShell>
  );
}
