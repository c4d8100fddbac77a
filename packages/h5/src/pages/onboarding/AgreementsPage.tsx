import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Checkbox, List, Tag } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { api, commandKey, deviceId, type Schemas, unwrap } from '../../api/client';
import { PageShell } from '../../components/PageShell';
import { ProblemNotice } from '../../components/ProblemNotice';
import { nextDestination, safeNext } from './steps';

// The agreements with their current versions: each one the borrower has accepted (and when), and
// those still to accept, accepted together after they tick that they read them.

type Agreement = Schemas['AgreementStatus'];

const statusColor: Record<Agreement['status'], string> = {
  current: 'success',
  missing: 'default',
  expired: 'warning',
  superseded: 'warning',
};

export function AgreementsPage() {
  const { t, i18n } = useTranslation('onboarding');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [read, setRead] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const agreements = useQuery({
    queryKey: ['agreements'],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/agreements')),
  });
  const open = (agreements.data ?? []).filter((agreement) => agreement.status !== 'current');
  const title = (agreement: Agreement) => (i18n.language === 'en' ? agreement.titleEn : agreement.titleZh);

  const accept = async () => {
    setError(undefined);
    setSaving(true);
    try {
      for (const agreement of open) {
        await unwrap(
          api.POST('/api/v1/borrower/consents', {
            params: { header: commandKey() },
            body: { code: agreement.code, version: agreement.version, deviceId: deviceId() },
          }),
        );
      }
      await queries.invalidateQueries({ queryKey: ['agreements'] });
      navigate(await nextDestination(next), { replace: true });
    } catch (failure) {
      setError(failure);
      setSaving(false);
      await agreements.refetch();
    }
  };

  return (
    <PageShell
      title={t('agreements.title')}
      loading={agreements.isPending}
      error={agreements.error}
      onRetry={() => agreements.refetch()}
    >
      <div className="card">
        <h2>{t('agreements.heading')}</h2>
        <p className="hint">{t('agreements.intro')}</p>
      </div>
      <List mode="card" data-testid="agreements">
        {(agreements.data ?? []).map((agreement) => (
          <List.Item
            key={agreement.code}
            data-testid={`agreement-${agreement.code}`}
            description={
              agreement.status === 'current' && agreement.acceptance
                ? t('agreements.acceptedOn', {
                    date: agreement.acceptance.acceptedOn,
                    version: agreement.acceptance.version,
                  })
                : agreement.validityDays
                  ? t('agreements.validity', { days: agreement.validityDays })
                  : undefined
            }
            extra={
              <Tag color={statusColor[agreement.status]}>{t(`agreements.status.${agreement.status}`)}</Tag>
            }
          >
            《{title(agreement)}》
            <span className="muted"> {t('agreements.version', { version: agreement.version })}</span>
          </List.Item>
        ))}
      </List>
      {open.length > 0 ? (
        <div className="card actions">
          <Checkbox checked={read} onChange={setRead} data-testid="agreements-read">
            {t('agreements.readAll', { titles: open.map((agreement) => `《${title(agreement)}》`).join('') })}
          </Checkbox>
          <Button block color="primary" size="large" disabled={!read} loading={saving} onClick={accept}>
            {t('agreements.accept')}
          </Button>
        </div>
      ) : (
        <Button
          block
          color="primary"
          size="large"
          onClick={async () => navigate(await nextDestination(next), { replace: true })}
        >
          {t('agreements.continue')}
        </Button>
      )}
      <ProblemNotice error={error} />
    </PageShell>
  );
}
