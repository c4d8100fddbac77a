import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiProblem, api, setCsrfToken, unwrap } from '../api/client';
import { ProblemAlert } from '../components/ProblemAlert';
import { chooseLanguage, i18next, type Language, languages } from '../i18n';
import { useSession } from './session';

type Credentials = { username: string; password: string; secondFactor: string };
type NewPassword = { newPassword: string; repeat: string };

/** Sign-in with password and TOTP; a first sign-in (one-time password) goes on to the password change. */
export function LoginPage() {
  const { t } = useTranslation('auth');
  const { refresh } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [mustChange, setMustChange] = useState<{ currentPassword: string } | undefined>();
  const next = params.get('next');
  const target = next?.startsWith('/') && !next.startsWith('//') ? next : '/';

  const done = async () => {
    await refresh();
    navigate(target, { replace: true });
  };

  const signIn = async (values: Credentials) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const login = await unwrap(api.POST('/api/v1/staff/login', { body: values }));
      setCsrfToken(login.csrfToken);
      if (login.passwordMustChange) setMustChange({ currentPassword: values.password });
      else await done();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };

  const changePassword = async (values: NewPassword) => {
    if (mustChange === undefined) return;
    setBusy(true);
    setProblem(undefined);
    try {
      await unwrap(
        api.POST('/api/v1/staff/password', {
          body: { currentPassword: mustChange.currentPassword, newPassword: values.newPassword },
        }),
      );
      await done();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-screen">
      <Card className="login-card" title={<Typography.Title level={3}>{t('title')}</Typography.Title>}>
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          {params.get('expired') === '1' && mustChange === undefined && (
            <Alert type="warning" showIcon title={t('expired')} />
          )}
          {problem !== undefined && (
            <ProblemAlert
              error={problem}
              fallback={problem instanceof ApiProblem ? undefined : t('failed')}
            />
          )}
          {mustChange === undefined ? (
            <Form<Credentials> layout="vertical" onFinish={signIn} requiredMark={false} name="login">
              <Form.Item
                name="username"
                label={t('username')}
                rules={[{ required: true, message: t('required') }]}
              >
                <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
              </Form.Item>
              <Form.Item
                name="password"
                label={t('password')}
                rules={[{ required: true, message: t('required') }]}
              >
                <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
              </Form.Item>
              <Form.Item
                name="secondFactor"
                label={t('secondFactor')}
                extra={t('secondFactorHelp')}
                rules={[{ required: true, min: 6, message: t('secondFactorRequired') }]}
              >
                <Input
                  prefix={<SafetyOutlined />}
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  maxLength={32}
                />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy}>
                {t('signIn')}
              </Button>
            </Form>
          ) : (
            <Form<NewPassword>
              layout="vertical"
              onFinish={changePassword}
              requiredMark={false}
              name="password"
            >
              <Alert type="info" showIcon title={t('mustChange')} />
              <Form.Item
                name="newPassword"
                label={t('newPassword')}
                extra={t('passwordRules')}
                rules={[{ required: true, min: 12, message: t('passwordRules') }]}
              >
                <Input.Password autoComplete="new-password" autoFocus />
              </Form.Item>
              <Form.Item
                name="repeat"
                label={t('repeatPassword')}
                dependencies={['newPassword']}
                rules={[
                  { required: true, message: t('required') },
                  ({ getFieldValue }) => ({
                    validator: (_rule, value) =>
                      value === getFieldValue('newPassword')
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('mismatch'))),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block loading={busy}>
                {t('changePassword')}
              </Button>
            </Form>
          )}
          <Segmented<Language>
            value={i18next.language as Language}
            options={languages.map((language) => ({
              value: language,
              label: i18next.t(`common:language.${language}`),
            }))}
            onChange={(language) => void chooseLanguage(language)}
          />
        </Space>
      </Card>
    </div>
  );
}
