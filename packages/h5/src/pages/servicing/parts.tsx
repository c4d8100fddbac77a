import { Tag } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Money } from '../../components/Money';
import { type Installment, type Loan, type Transaction, useCatalogue } from './queries';
import './servicing.css';

// Small pieces the servicing pages share: the names of states and kinds, a product's name from
// the public catalogue, label/value rows, and a transaction's allocation.

const loanColors: Record<Loan['state'], string> = {
  pending_disbursement: 'primary',
  active: 'success',
  overdue: 'danger',
  paid_off: 'default',
  written_off: 'default',
  cancelled: 'default',
};

export function LoanStateTag({ state }: { state: Loan['state'] }) {
  const { t } = useTranslation('servicing');
  return (
    <Tag color={loanColors[state]} fill="outline" data-testid="loan-state">
      {t(`loanState.${state}`)}
    </Tag>
  );
}

const installmentColors: Record<Installment['status'], string> = {
  future: 'primary',
  due: 'danger',
  paid: 'success',
};

export function InstallmentStatusTag({ status }: { status: Installment['status'] }) {
  const { t } = useTranslation('servicing');
  return (
    <Tag color={installmentColors[status]} fill="outline" data-testid="installment-status">
      {t(`installmentStatus.${status}`)}
    </Tag>
  );
}

/** The product's name in the borrower's language (the catalogue), else its code. */
export function useProductName() {
  const { i18n } = useTranslation();
  const catalogue = useCatalogue();
  return (code: string) => {
    const product = catalogue.data?.find((entry) => entry.code === code);
    if (product === undefined) return code;
    return i18n.language === 'en' ? product.name.en : product.name.zh;
  };
}

/** A loan's title: the product's name, with the kind when the catalogue does not know the code. */
export function LoanTitle({ loan }: { loan: Pick<Loan, 'productCode' | 'loanNo'> }) {
  const name = useProductName();
  return (
    <div className="loan-title">
      <span className="loan-title-name">{name(loan.productCode)}</span>
      <span className="muted loan-title-no">{loan.loanNo}</span>
    </div>
  );
}

/** Label and value rows (a definition list that never gets wider than the screen). */
export function Rows({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <dl className="rows" data-testid={testId}>
      {children}
    </dl>
  );
}

export function Row({
  label,
  minor,
  children,
  testId,
  strong,
}: {
  label: ReactNode;
  minor?: string | bigint | null;
  children?: ReactNode;
  testId?: string;
  strong?: boolean;
}) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>
        {minor !== undefined ? <Money minor={minor} {...(strong ? { strong } : {})} /> : children}
      </dd>
    </>
  );
}

const parts = [
  'principalMinor',
  'interestMinor',
  'feeMinor',
  'penaltyMinor',
  'prepaymentFeeMinor',
  'overpaymentMinor',
] as const;

/** What a transaction paid, component by component (the nonzero ones). */
export function Allocation({ transaction }: { transaction: Transaction }) {
  const { t } = useTranslation('servicing');
  return (
    <Rows testId="allocation">
      {parts
        .filter((part) => transaction[part] !== '0')
        .map((part) => (
          <Row
            key={part}
            label={t(`parts.${part}`)}
            minor={transaction[part]}
            testId={`allocation-${part}`}
          />
        ))}
    </Rows>
  );
}

export function TransactionKind({ kind }: { kind: Transaction['kind'] }) {
  const { t } = useTranslation('servicing');
  return <>{t(`transactionKind.${kind}`)}</>;
}
