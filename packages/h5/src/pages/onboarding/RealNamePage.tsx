import { useQueryClient } from '@tanstack/react-query';
import { Button, Input } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiProblem, api, commandKey, unwrap } from '../../api/client';
import { Field } from '../../components/Field';
import { PageShell } from '../../components/PageShell';
import { ProblemNotice } from '../../components/ProblemNotice';
import { idNumberProblem, normaliseIdNumber } from './resident-id';
import { nextDestination, safeNext } from './steps';

// Real-name registration: the name and resident ID number, checked by the identity register. The
// ID number's check character is checked as the borrower types; nothing is sent until it is right.

export function RealNamePage() {
  const { t, i18n } = useTranslation('onboarding');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const typedProblem = idNumberProblem(idNumber);
  const nameValid = /^[\p{L}·.• ]{2,30}$/u.test(name.trim());
  const problem = error instanceof ApiProblem ? error : undefined;
  // The server's field errors in the borrower's language: by the problem, or the field error's code.
  const serverError = (field: 'name' | 'idNumber') => {
    const fieldError = problem?.fieldError(field);
    if (problem === undefined || fieldError === undefined) return undefined;
    if (problem.code === 'real_name_mismatch') return t('realName.mismatchField');
    if (problem.code === 'real_name_not_found') return t('realName.notFoundField');
    const known = `realName.idProblems.${fieldError.code ?? ''}`;
    if (field === 'idNumber' && fieldError.code !== undefined && i18n.exists(known, { ns: 'onboarding' }))
      return t(known);
    return fieldError.message;
  };
  const serverNameError = serverError('name');
  const serverIdError = serverError('idNumber');

  const submit = async () => {
    setError(undefined);
    setSaving(true);
    try {
      await unwrap(
        api.POST('/api/v1/borrower/customers', {
          params: { header: commandKey() },
          body: { name: name.trim(), idNumber },
        }),
      );
      await queries.invalidateQueries({ queryKey: ['customers'] });
      navigate(await nextDestination(next), { replace: true });
    } catch (failure) {
      setError(failure);
      setSaving(false);
    }
  };

  const idError = typedProblem ? t(`realName.idProblems.${typedProblem}`) : serverIdError;
  const ready = nameValid && idNumber.length === 18 && typedProblem === undefined;

  return (
    <PageShell title={t('realName.title')} back={false}>
      <div className="card">
        <h2>{t('realName.heading')}</h2>
        <p className="hint">{t('realName.intro')}</p>
      </div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) void submit();
        }}
      >
        <Field label={t('realName.name')} htmlFor="name" error={serverNameError}>
          <Input
            id="name"
            autoComplete="name"
            maxLength={30}
            placeholder={t('realName.namePlaceholder')}
            value={name}
            onChange={(value) => {
              setName(value);
              if (serverNameError) setError(undefined);
            }}
            clearable
          />
        </Field>
        <Field label={t('realName.idNumber')} htmlFor="idNumber" error={idError} hint={t('realName.idHint')}>
          <Input
            id="idNumber"
            autoComplete="off"
            maxLength={18}
            placeholder={t('realName.idPlaceholder')}
            value={idNumber}
            onChange={(value) => {
              setIdNumber(normaliseIdNumber(value));
              if (serverIdError) setError(undefined);
            }}
            clearable
          />
        </Field>
        <div className="form-actions">
          <Button block type="submit" color="primary" size="large" loading={saving} disabled={!ready}>
            {t('realName.submit')}
          </Button>
        </div>
      </form>
      <ProblemNotice error={error} hideFields={['name', 'idNumber']} />
      <p className="hint">{t('realName.privacy')}</p>
    </PageShell>
  );
}
