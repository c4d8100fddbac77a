import { useQuery } from '@tanstack/react-query';
import { Button, Result, Steps } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { formatRate } from '../../format';

// After acceptance: the loan waits for its payout to the merchant (the payments loops and the
// channel run in the background), so the page looks again every two seconds until the loan is
// disbursed (active) or the payout failed for good (cancelled).

export function DisbursementPage() {
  const { t } = useTranslation('checkout');
  const navigate = useNavigate();
  const { token = '', loanId = '' } = useParams();
  const loan = useQuery({
    queryKey: ['loan', loanId],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/loans/{loanId}', { params: { path: { loanId } } })),
    refetchInterval: (query) => (query.state.data?.state === 'pending_disbursement' ? 2_000 : false),
  });
  const checkout = useQuery({
    queryKey: ['checkout', token],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/checkout/{token}', { params: { path: { token } } })),
  });
  const data = loan.data;
  const pending = data?.state === 'pending_disbursement';
  const failed = data?.state === 'cancelled';
  const done = data !== undefined && !pending && !failed;
  const returnUrl = checkout.data?.order.returnUrl;

  return (
    <PageShell
      title={t('status.title')}
      back={false}
      loading={loan.isPending}
      error={loan.error}
      onRetry={() => loan.refetch()}
    >
      {data && (
        <>
          <div
            className="card status-hero"
            data-testid={`disbursement-${pending ? 'pending' : failed ? 'failed' : 'done'}`}
          >
            <Result
              status={pending ? 'waiting' : failed ? 'error' : 'success'}
              title={pending ? t('status.pending') : failed ? t('status.failed') : t('status.done')}
              description={
                pending
                  ? t('status.pendingIntro')
                  : failed
                    ? t('status.failedIntro')
                    : t('status.doneIntro', { merchant: checkout.data?.merchant.name ?? '' })
              }
            />
            <Steps current={pending ? 1 : 2} direction="vertical">
              <Steps.Step
                title={t('status.signed')}
                description={t('status.contractNo', { no: data.contractNo })}
                status="finish"
              />
              <Steps.Step
                title={t('status.paying')}
                status={pending ? 'process' : failed ? 'error' : 'finish'}
              />
              <Steps.Step
                title={failed ? t('status.failed') : t('status.disbursed')}
                {...(data.disbursedOn ? { description: data.disbursedOn } : {})}
                status={done ? 'finish' : failed ? 'error' : 'wait'}
              />
            </Steps>
          </div>
          <div className="card">
            <dl className="rows">
              <dt>{t('status.loanNo')}</dt>
              <dd>{data.loanNo}</dd>
              <dt>{t('figures.principal')}</dt>
              <dd>
                <Money minor={data.principalMinor} testId="loan-principal" />
              </dd>
              <dt>{t('status.terms')}</dt>
              <dd>{t('termOption', { count: data.termCount })}</dd>
              <dt>{t('rates.simple')}</dt>
              <dd>{formatRate(data.apr.simple)}</dd>
              <dt>{t('rates.irr')}</dt>
              <dd>{formatRate(data.apr.irr)}</dd>
              {data.installments[0] && (
                <>
                  <dt>{t('status.firstDue')}</dt>
                  <dd>
                    {data.installments[0].dueDate} · <Money minor={data.installments[0].totalMinor} />
                  </dd>
                </>
              )}
            </dl>
          </div>
          <div className="actions">
            {done && (
              <Button block color="primary" size="large" onClick={() => navigate(`/loans/${data.id}`)}>
                {t('status.viewLoan')}
              </Button>
            )}
            {returnUrl && !pending && (
              <Button block fill="outline" size="large" onClick={() => window.location.assign(returnUrl)}>
                {t('status.backToMerchant')}
              </Button>
            )}
            <Button block fill="none" onClick={() => navigate('/')}>
              {t('status.home')}
            </Button>
          </div>
        </>
      )}
    </PageShell>
  );
}
