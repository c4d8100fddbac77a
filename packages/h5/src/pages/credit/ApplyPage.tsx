import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, List } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api, commandKey, deviceId, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { ProblemNotice } from '../../components/ProblemNotice';
import { safeNext, withNext } from '../onboarding/steps';

// The credit application: decided at once (approved with a limit and a price, or rejected), or
// sent to manual review. A borrower who has a line sees it instead.

export function ApplyPage() {
  const { t } = useTranslation('credit');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const lines = useQuery({
    queryKey: ['credit-lines'],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/credit-lines')),
  });
  const active = (lines.data ?? []).filter((line) => line.status === 'active');

  const apply = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const application = await unwrap(
        api.POST('/api/v1/borrower/credit-applications', {
          params: { header: commandKey() },
          body: { deviceId: deviceId() },
        }),
      );
      await queries.invalidateQueries({ queryKey: ['credit-lines'] });
      queries.setQueryData(['credit-application', application.id], application);
      navigate(withNext(`/credit/applications/${application.id}`, next), { replace: true });
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <PageShell
      title={t('apply.title')}
      loading={lines.isPending}
      error={lines.error}
      onRetry={() => lines.refetch()}
    >
      {active.length > 0 && (
        <List mode="card" header={t('apply.yourLines')} data-testid="lines">
          {active.map((line) => (
            <List.Item
              key={line.id}
              description={t('apply.lineDetail', { expires: line.expiresOn })}
              extra={<Money minor={line.availableMinor} strong />}
            >
              {t('apply.available')}
            </List.Item>
          ))}
        </List>
      )}
      <div className="card">
        <h2>{t('apply.heading')}</h2>
        <p className="hint">{t('apply.intro')}</p>
        <ul className="hint">
          <li>{t('apply.point1')}</li>
          <li>{t('apply.point2')}</li>
          <li>{t('apply.point3')}</li>
        </ul>
      </div>
      <Button block color="primary" size="large" loading={busy} onClick={apply}>
        {active.length > 0 ? t('apply.applyAgain') : t('apply.submit')}
      </Button>
      {active.length > 0 && next !== undefined && (
        <Button block fill="outline" size="large" onClick={() => navigate(next)}>
          {t('apply.continue')}
        </Button>
      )}
      <ProblemNotice error={error} />
    </PageShell>
  );
}
