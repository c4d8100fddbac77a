import { Button, Input } from 'antd-mobile';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiProblem, api, unwrap } from '../../api/client';
import { useAuth } from '../../auth';
import { DemoCode } from '../../components/DemoCode';
import { Field } from '../../components/Field';
import { PageShell } from '../../components/PageShell';
import { ProblemNotice } from '../../components/ProblemNotice';
import { nextDestination, safeNext } from '../onboarding/steps';

// Sign-in by phone and one-time code. The account is made on the first sign-in; then the
// borrower goes to the first onboarding step still missing, or where the link was taking them.

const phonePattern = /^1[3-9]\d{9}$/;

export function LoginPage() {
  const { t } = useTranslation('auth');
  const { signIn, signedIn } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string>();
  const [demoCode, setDemoCode] = useState<string>();
  const [cooldown, setCooldown] = useState(0);
  const [sending, setSending] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const [error, setError] = useState<unknown>();
  const phoneValid = phonePattern.test(phone);

  useEffect(() => {
    if (cooldown <= 0) return;
    const timer = setTimeout(() => setCooldown((left) => left - 1), 1000);
    return () => clearTimeout(timer);
  }, [cooldown]);

  // Someone already signed in who opens the sign-in page goes on.
  useEffect(() => {
    if (signedIn && !signingIn) {
      nextDestination(next).then(
        (to) => navigate(to, { replace: true }),
        () => undefined,
      );
    }
  }, [signedIn, signingIn, next, navigate]);

  const sendCode = async () => {
    setError(undefined);
    setSending(true);
    try {
      const answer = await unwrap(api.POST('/api/v1/borrower/otp', { body: { phone } }));
      setSentTo(phone);
      setCooldown(60);
      const shown = (answer as { demoCode?: unknown }).demoCode;
      setDemoCode(typeof shown === 'string' ? shown : undefined);
    } catch (problem) {
      setError(problem);
    } finally {
      setSending(false);
    }
  };

  const submit = async () => {
    setError(undefined);
    setSigningIn(true);
    try {
      const tokens = await unwrap(api.POST('/api/v1/borrower/login', { body: { phone, code } }));
      signIn({
        borrowerId: tokens.borrowerId,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
      });
      navigate(await nextDestination(next), { replace: true });
    } catch (problem) {
      setError(problem);
      setSigningIn(false);
    }
  };

  const codeError =
    error instanceof ApiProblem && (error.code === 'otp_invalid' || error.code === 'otp_attempts_exceeded');

  return (
    <PageShell title={t('title')} back={false}>
      <div className="card">
        <h2>{t('welcome')}</h2>
        <p className="hint">{t('intro')}</p>
      </div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <Field
          label={t('phone')}
          htmlFor="phone"
          error={phone.length === 11 && !phoneValid ? t('phoneInvalid') : undefined}
        >
          <Input
            id="phone"
            type="tel"
            inputMode="numeric"
            autoComplete="tel"
            maxLength={11}
            placeholder={t('phonePlaceholder')}
            value={phone}
            onChange={(value) => setPhone(value.replace(/\D/g, ''))}
            clearable
          />
        </Field>
        <Field
          label={t('code')}
          htmlFor="code"
          error={codeError ? t('codeWrong') : undefined}
          extra={
            <Button
              color="primary"
              fill="outline"
              disabled={!phoneValid || cooldown > 0}
              loading={sending}
              onClick={sendCode}
            >
              {cooldown > 0 ? t('resendIn', { seconds: cooldown }) : sentTo ? t('resend') : t('sendCode')}
            </Button>
          }
        >
          <Input
            id="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            placeholder={t('codePlaceholder')}
            value={code}
            onChange={(value) => setCode(value.replace(/\D/g, ''))}
          />
        </Field>
        <div className="form-actions">
          <Button
            block
            type="submit"
            color="primary"
            size="large"
            loading={signingIn}
            disabled={!phoneValid || sentTo !== phone || !/^\d{6}$/.test(code)}
          >
            {t('signIn')}
          </Button>
        </div>
      </form>
      {sentTo && (
        <p className="hint">{t('sent', { phone: `${sentTo.slice(0, 3)}****${sentTo.slice(7)}` })}</p>
      )}
      <DemoCode code={demoCode} />
      <ProblemNotice error={codeError ? undefined : error} />
    </PageShell>
  );
}
