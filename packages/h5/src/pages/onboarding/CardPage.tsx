import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, List, Tag } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiProblem, api, commandKey, unwrap } from '../../api/client';
import { DemoCode } from '../../components/DemoCode';
import { Field } from '../../components/Field';
import { PageShell } from '../../components/PageShell';
import { ProblemNotice } from '../../components/ProblemNotice';
import { nextDestination, ownCustomer, safeNext } from './steps';

// Card binding for repayments and cash: the card is registered on the profile, the channel checks
// its four elements (name, ID number, card number, reserved phone) and texts a code to the phone,
// and the code confirms the binding (the card agreement). A refusal names the element that was
// wrong; nothing is bound until the code is confirmed.

type Element = 'name' | 'idNumber' | 'cardNumber' | 'phone' | 'smsCode' | 'card';

function refusedElement(error: unknown): Element | undefined {
  if (!(error instanceof ApiProblem) || error.code !== 'card_binding_rejected') return undefined;
  const element = error.body.element ?? error.errors[0]?.path;
  return typeof element === 'string' ? ((element.split(/[./]/).at(-1) ?? 'card') as Element) : 'card';
}

type Binding = { id: string; cardId: string; cardMasked: string; demoSmsCode: string | undefined };

export function CardPage() {
  const { t } = useTranslation('onboarding');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [cardNumber, setCardNumber] = useState('');
  const [bankName, setBankName] = useState('');
  const [reservedPhone, setReservedPhone] = useState('');
  const [smsCode, setSmsCode] = useState('');
  const [binding, setBinding] = useState<Binding>();
  const [another, setAnother] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const state = useQuery({
    queryKey: ['cards'],
    queryFn: async () => {
      const customer = await ownCustomer();
      if (customer === undefined) return { customer, cards: [], agreements: [] };
      const [cards, agreements] = await Promise.all([
        unwrap(
          api.GET('/api/v1/borrower/customers/{customerId}/cards', {
            params: { path: { customerId: customer.id } },
          }),
        ),
        unwrap(api.GET('/api/v1/borrower/card-agreements')),
      ]);
      return { customer, cards, agreements };
    },
  });
  const customer = state.data?.customer;
  const active = (state.data?.agreements ?? []).filter((agreement) => agreement.status === 'active');
  const boundCards = (state.data?.cards ?? []).filter((card) =>
    active.some((agreement) => agreement.cardId === card.id),
  );
  const showForm = boundCards.length === 0 || another;

  const cardValid = /^\d{16,19}$/.test(cardNumber);
  const phoneValid = reservedPhone === '' || /^1[3-9]\d{9}$/.test(reservedPhone);
  const element = refusedElement(error);
  const elementError = (which: Element) => (element === which ? t(`card.refused.${which}`) : undefined);

  /** Registers the card (or finds it registered already) and starts the binding: the SMS is sent. */
  const start = async () => {
    if (customer === undefined) return;
    setError(undefined);
    setBusy(true);
    try {
      let cardId: string;
      try {
        const card = await unwrap(
          api.POST('/api/v1/borrower/customers/{customerId}/cards', {
            params: { path: { customerId: customer.id }, header: commandKey() },
            body: {
              cardNumber,
              ...(bankName.trim() === '' ? {} : { bankName: bankName.trim() }),
              ...(reservedPhone === '' ? {} : { reservedPhone }),
            },
          }),
        );
        cardId = card.id;
      } catch (failure) {
        // Registered before (a binding that was not finished): bind that card.
        if (!(failure instanceof ApiProblem) || failure.code !== 'card_already_bound') throw failure;
        const cards = await unwrap(
          api.GET('/api/v1/borrower/customers/{customerId}/cards', {
            params: { path: { customerId: customer.id } },
          }),
        );
        const same = cards.find((card) => card.cardNumberMasked.endsWith(cardNumber.slice(-4)));
        if (same === undefined) throw failure;
        cardId = same.id;
      }
      const started = await unwrap(
        api.POST('/api/v1/borrower/card-bindings', { params: { header: commandKey() }, body: { cardId } }),
      );
      setBinding({
        id: started.id,
        cardId,
        cardMasked: `**** ${cardNumber.slice(-4)}`,
        demoSmsCode: started.demoSmsCode,
      });
      setSmsCode('');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (binding === undefined) return;
    setError(undefined);
    setBusy(true);
    try {
      await unwrap(
        api.POST('/api/v1/borrower/card-bindings/{bindingId}/confirm', {
          params: { path: { bindingId: binding.id }, header: commandKey() },
          body: { smsCode },
        }),
      );
      await queries.invalidateQueries({ queryKey: ['cards'] });
      navigate(await nextDestination(next), { replace: true });
    } catch (failure) {
      setError(failure);
      // A binding the channel ended (not a wrong code) starts again from the card.
      if (failure instanceof ApiProblem && failure.code === 'card_binding_not_pending') setBinding(undefined);
      setBusy(false);
    }
  };

  const refusedHere = element === 'cardNumber' || element === 'phone' || element === 'smsCode';
  const hide = refusedHere ? ['cardNumber', 'phone', 'smsCode', 'reservedPhone'] : [];

  return (
    <PageShell
      title={t('card.title')}
      loading={state.isPending}
      error={state.error}
      onRetry={() => state.refetch()}
    >
      {customer === undefined && state.data !== undefined ? (
        <div className="card">
          <p>{t('card.needsRealName')}</p>
          <Button block color="primary" size="large" onClick={() => navigate('/onboarding/real-name')}>
            {t('card.toRealName')}
          </Button>
        </div>
      ) : (
        <>
          {boundCards.length > 0 && (
            <List mode="card" header={t('card.bound')} data-testid="bound-cards">
              {boundCards.map((card) => (
                <List.Item key={card.id} extra={<Tag color="success">{t('card.boundTag')}</Tag>}>
                  {card.bankName ?? t('card.card')} {card.cardNumberMasked}
                </List.Item>
              ))}
            </List>
          )}
          {!showForm && (
            <div className="actions">
              <Button
                block
                color="primary"
                size="large"
                onClick={async () => navigate(await nextDestination(next), { replace: true })}
              >
                {t('card.continue')}
              </Button>
              <Button block fill="outline" size="large" onClick={() => setAnother(true)}>
                {t('card.another')}
              </Button>
            </div>
          )}
          {showForm && binding === undefined && (
            <>
              <div className="card">
                <h2>{t('card.heading')}</h2>
                <p className="hint">{t('card.intro', { name: customer?.nameMasked ?? '' })}</p>
              </div>
              <form
                className="form"
                onSubmit={(event) => {
                  event.preventDefault();
                  if (cardValid && phoneValid) void start();
                }}
              >
                <Field
                  label={t('card.cardNumber')}
                  htmlFor="cardNumber"
                  error={
                    elementError('cardNumber') ??
                    (cardNumber.length >= 16 && !cardValid ? t('card.cardNumberInvalid') : undefined)
                  }
                >
                  <Input
                    id="cardNumber"
                    inputMode="numeric"
                    autoComplete="cc-number"
                    maxLength={19}
                    placeholder={t('card.cardNumberPlaceholder')}
                    value={cardNumber}
                    onChange={(value) => {
                      setCardNumber(value.replace(/\D/g, ''));
                      if (element) setError(undefined);
                    }}
                    clearable
                  />
                </Field>
                <Field label={t('card.bankName')} htmlFor="bankName">
                  <Input
                    id="bankName"
                    maxLength={40}
                    placeholder={t('card.bankNamePlaceholder')}
                    value={bankName}
                    onChange={setBankName}
                  />
                </Field>
                <Field
                  label={t('card.reservedPhone')}
                  htmlFor="reservedPhone"
                  error={elementError('phone') ?? (phoneValid ? undefined : t('card.phoneInvalid'))}
                  hint={t('card.reservedPhoneHint')}
                >
                  <Input
                    id="reservedPhone"
                    type="tel"
                    inputMode="numeric"
                    maxLength={11}
                    placeholder={t('card.reservedPhonePlaceholder')}
                    value={reservedPhone}
                    onChange={(value) => {
                      setReservedPhone(value.replace(/\D/g, ''));
                      if (element) setError(undefined);
                    }}
                  />
                </Field>
                <div className="form-actions">
                  <Button
                    block
                    type="submit"
                    color="primary"
                    size="large"
                    loading={busy}
                    disabled={!cardValid || !phoneValid}
                  >
                    {t('card.sendSms')}
                  </Button>
                </div>
              </form>
            </>
          )}
          {binding !== undefined && (
            <>
              <div className="card">
                <h2>{t('card.smsHeading')}</h2>
                <p className="hint">{t('card.smsSent', { card: binding.cardMasked })}</p>
              </div>
              <DemoCode code={binding.demoSmsCode} />
              <form
                className="form"
                onSubmit={(event) => {
                  event.preventDefault();
                  if (/^\d{6}$/.test(smsCode)) void confirm();
                }}
              >
                <Field label={t('card.smsCode')} htmlFor="smsCode" error={elementError('smsCode')}>
                  <Input
                    id="smsCode"
                    inputMode="numeric"
                    autoComplete="one-time-code"
                    maxLength={6}
                    placeholder={t('card.smsCodePlaceholder')}
                    value={smsCode}
                    onChange={(value) => {
                      setSmsCode(value.replace(/\D/g, ''));
                      if (element) setError(undefined);
                    }}
                  />
                </Field>
                <div className="form-actions">
                  <Button
                    block
                    type="submit"
                    color="primary"
                    size="large"
                    loading={busy}
                    disabled={!/^\d{6}$/.test(smsCode)}
                  >
                    {t('card.confirm')}
                  </Button>
                  <Button
                    block
                    fill="none"
                    onClick={() => {
                      setBinding(undefined);
                      setError(undefined);
                    }}
                  >
                    {t('card.changeCard')}
                  </Button>
                </div>
              </form>
            </>
          )}
          {element !== undefined && !refusedHere ? (
            <div className="problem" role="alert" data-testid="problem">
              {t(`card.refused.${element}`)}
            </div>
          ) : (
            <ProblemNotice error={error} hideFields={hide} />
          )}
        </>
      )}
    </PageShell>
  );
}
