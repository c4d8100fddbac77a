import { useQuery } from '@tanstack/react-query';
import { Button, List, Selector } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAuth } from '../../auth';
import { PageShell } from '../../components/PageShell';
import { chooseLanguage, type Language, languages } from '../../i18n';

export function MePage() {
  const { t, i18n } = useTranslation('me');
  const { signOut } = useAuth();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: ['me'], queryFn: () => unwrap(api.GET('/api/v1/borrower/me')) });
  const customer = useQuery({
    queryKey: ['customers'],
    queryFn: () => unwrap(api.GET('/api/v1/borrower/customers')),
  });
  const profile = customer.data?.[0];
  return (
    <PageShell
      title={t('title')}
      back={false}
      loading={me.isPending}
      error={me.error}
      onRetry={() => me.refetch()}
    >
      <div className="card">
        <h2 data-testid="me-phone">{me.data?.phoneMasked}</h2>
        <p className="muted">
          {profile
            ? t('verified', { name: profile.nameMasked, id: profile.idNumberMasked })
            : t('notVerified')}
        </p>
      </div>
      <List mode="card" header={t('account')}>
        {!profile && (
          <List.Item onClick={() => navigate('/onboarding/real-name')} clickable>
            {t('verifyNow')}
          </List.Item>
        )}
        <List.Item onClick={() => navigate('/onboarding/agreements')} clickable>
          {t('agreements')}
        </List.Item>
        <List.Item onClick={() => navigate('/onboarding/card')} clickable>
          {t('cards')}
        </List.Item>
      </List>
      <div className="card">
        <h2 id="language-label">{t('language')}</h2>
        <Selector<Language>
          aria-labelledby="language-label"
          columns={2}
          options={languages.map((language) => ({ label: t(`languages.${language}`), value: language }))}
          value={[i18n.language === 'en' ? 'en' : 'zh-CN']}
          onChange={(value) => {
            const [language] = value;
            if (language !== undefined) void chooseLanguage(language);
          }}
        />
      </div>
      <Button
        block
        size="large"
        color="danger"
        fill="outline"
        onClick={async () => {
          await signOut();
          navigate('/login', { replace: true });
        }}
      >
        {t('signOut')}
      </Button>
    </PageShell>
  );
}
