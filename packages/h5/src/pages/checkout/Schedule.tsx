import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { formatMoney } from '../../format';

type Installment = Schemas['LoanQuote']['installments'][number];

/** A repayment schedule: each installment's due date, principal, interest (with fees) and total. */
export function Schedule({ installments, testId }: { installments: Installment[]; testId?: string }) {
  const { t } = useTranslation('checkout');
  const withFees = installments.some((installment) => installment.feeMinor !== '0');
  return (
    <table className="schedule" data-testid={testId}>
      <thead>
        <tr>
          <th>{t('schedule.number')}</th>
          <th>{t('schedule.dueDate')}</th>
          <th>{t('schedule.principal')}</th>
          <th>{withFees ? t('schedule.interestAndFee') : t('schedule.interest')}</th>
          <th>{t('schedule.total')}</th>
        </tr>
      </thead>
      <tbody>
        {installments.map((installment) => (
          <tr key={installment.number}>
            <td>{installment.number}</td>
            <td>{installment.dueDate}</td>
            <td>{formatMoney(installment.principalMinor)}</td>
            <td>{formatMoney(BigInt(installment.interestMinor) + BigInt(installment.feeMinor))}</td>
            <td>{formatMoney(installment.totalMinor)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
