import { Button, Selector } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { cardTail, type DebitCard } from '../servicing/queries';

/** The card a payment is debited from (one of the borrower's active card agreements). */
export function CardPicker({
  cards,
  value,
  onChange,
}: {
  cards: DebitCard[];
  value: string | undefined;
  onChange: (agreementId: string) => void;
}) {
  const { t } = useTranslation('repay');
  const navigate = useNavigate();
  if (cards.length === 0)
    return (
      <section className="card" data-testid="no-card">
        <h2>{t('card.title')}</h2>
        <div className="overdue-box">{t('card.none')}</div>
        <Button block color="primary" style={{ marginTop: 10 }} onClick={() => navigate('/onboarding/card')}>
          {t('card.bind')}
        </Button>
      </section>
    );
  return (
    <section className="card choice" data-testid="card-picker">
      <h2>{t('card.title')}</h2>
      <Selector
        columns={1}
        value={value === undefined ? [] : [value]}
        onChange={(values) => {
          const [next] = values;
          if (next !== undefined) onChange(next);
        }}
        options={cards.map(({ agreement, card }) => ({
          value: agreement.id,
          label: t('card.label', { bank: card?.bankName ?? t('card.bank'), tail: cardTail(card) }),
        }))}
      />
    </section>
  );
}
