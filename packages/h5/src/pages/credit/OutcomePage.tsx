import { useQuery } from '@tanstack/react-query';
import { Button, Result } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { formatRate } from '../../format';
import { safeNext } from '../onboarding/steps';
import { reasonKinds } from './reasons';

type Application = Schemas['CreditApplication'];

function Price({ price }: { price: NonNullable<Application['decision']['price']> }) {
  const { t } = useTranslation('credit');
  return (
    <span data-testid="price">
      {price.kind === 'annual_rate'
        ? t('outcome.annualRate', { rate: formatRate(price.rate) })
        : t('outcome.periodFeeRate', { rate: formatRate(price.rate) })}
    </span>
  );
}

export function OutcomePage() {
  const { t } = useTranslation('credit');
  const navigate = useNavigate();
  const { applicationId = '' } = useParams();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const application = useQuery({
    queryKey: ['credit-application', applicationId],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/borrower/credit-applications/{applicationId}', {
          params: { path: { applicationId } },
        }),
      ),
    // A review is decided by staff: the page looks again now and then while it waits.
    refetchInterval: (query) => (query.state.data?.status === 'in_review' ? 15_000 : false),
  });
  const data = application.data;
  const onward = next ?? '/';

  return (
    <PageShell
      title={t('outcome.title')}
      back={false}
      loading={application.isPending}
      error={application.error}
      onRetry={() => application.refetch()}
    >
      {data?.status === 'approved' && (
        <div className="card status-hero" data-testid="outcome-approved">
          <Result status="success" title={t('outcome.approved')} description={t('outcome.approvedIntro')} />
          <div className="muted">{t('outcome.limit')}</div>
          <div className="big-figure">
            <Money minor={data.limitMinor} testId="limit" />
          </div>
          {data.decision.price && <Price price={data.decision.price} />}
          <Button block color="primary" size="large" onClick={() => navigate(onward, { replace: true })}>
            {next ? t('outcome.continue') : t('outcome.home')}
          </Button>
        </div>
      )}
      {data?.status === 'in_review' && (
        <div className="card status-hero" data-testid="outcome-review">
          <Result status="waiting" title={t('outcome.review')} description={t('outcome.reviewIntro')} />
          <Button
            block
            fill="outline"
            size="large"
            loading={application.isFetching}
            onClick={() => void application.refetch()}
          >
            {t('outcome.refresh')}
          </Button>
        </div>
      )}
      {data?.status === 'rejected' && (
        <div className="card status-hero" data-testid="outcome-rejected">
          <Result status="error" title={t('outcome.rejected')} description={t('outcome.rejectedIntro')} />
          <ul className="reasons" data-testid="reasons">
            {reasonKinds(data.reasons).map((kind) => (
              <li key={kind}>{t(`reasons.${kind}`)}</li>
            ))}
          </ul>
          <p className="hint">{t('outcome.reapply')}</p>
          <Button block fill="outline" size="large" onClick={() => navigate('/', { replace: true })}>
            {t('outcome.home')}
          </Button>
        </div>
      )}
    </PageShell>
  );
}
