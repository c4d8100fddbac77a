import { Button, ErrorBlock } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { InstallmentStatusTag, LoanStateTag, LoanTitle, Row, Rows } from '../servicing/parts';
import { type BillLoan, isOpenLoan, type Loan, useBill, useLoans } from '../servicing/queries';

// 账单: each open loan with its current bill (the installment due this month, else the running
// one), what is overdue and its penalty, what is left; then the loans being disbursed and those
// closed.

function OpenLoanBill({ entry, loan }: { entry: BillLoan; loan: Loan | undefined }) {
  const { t } = useTranslation('bills');
  const navigate = useNavigate();
  const month = entry.thisMonth;
  const overdue = entry.overdueMinor !== '0' || entry.overduePenaltyMinor !== '0';
  return (
    <section className="card" data-testid="bill-loan" data-loan-id={entry.loanId}>
      <div className="card-head">
        <LoanTitle loan={entry} />
        {loan ? <LoanStateTag state={loan.state} /> : null}
      </div>
      {month ? (
        <>
          <div className="installment-head">
            <strong>{t('installment', { number: month.number })}</strong>
            <span className="muted">{t('dueOn', { date: month.dueDate })}</span>
            <InstallmentStatusTag status={month.status} />
          </div>
          <div className="triple" data-testid="bill-this-month">
            <div>
              <span className="figure-label">{t('billed')}</span>
              <Money minor={month.dueMinor} testId="this-month-due" />
            </div>
            <div>
              <span className="figure-label">{t('paid')}</span>
              <Money minor={month.paidMinor} testId="this-month-paid" />
            </div>
            <div>
              <span className="figure-label">{t('outstanding')}</span>
              <Money minor={month.outstandingMinor} strong testId="this-month-outstanding" />
            </div>
          </div>
        </>
      ) : (
        <div className="hint">{t('noInstallment')}</div>
      )}
      {overdue && (
        <div className="overdue-box" role="alert" data-testid="loan-overdue">
          {t('overdue', { days: entry.dpd })} <Money minor={entry.overdueMinor} />
          {' · '}
          {t('penalty')} <Money minor={entry.overduePenaltyMinor} />
        </div>
      )}
      <Rows>
        <Row label={t('nextDueDate')}>{entry.nextDueDate ?? '—'}</Row>
        <Row label={t('remaining')} minor={entry.totalOutstandingMinor} />
        {entry.creditBalanceMinor !== '0' && (
          <Row label={t('creditBalance')} minor={entry.creditBalanceMinor} />
        )}
      </Rows>
      <div className="action-grid" style={{ marginTop: 12 }}>
        <Button onClick={() => navigate(`/loans/${entry.loanId}`)} data-testid="to-detail">
          {t('detail')}
        </Button>
        <Button
          color="primary"
          onClick={() => navigate(`/loans/${entry.loanId}/repay`)}
          data-testid="to-repay"
        >
          {t('repay')}
        </Button>
      </div>
    </section>
  );
}

function OtherLoans({ title, loans }: { title: string; loans: Loan[] }) {
  const navigate = useNavigate();
  const { t } = useTranslation('bills');
  if (loans.length === 0) return null;
  return (
    <section className="card">
      <h2>{title}</h2>
      {loans.map((loan) => (
        <button
          type="button"
          key={loan.id}
          className="loan-row"
          data-testid="loan-row"
          onClick={() => navigate(`/loans/${loan.id}`)}
        >
          <div className="card-head">
            <LoanTitle loan={loan} />
            <LoanStateTag state={loan.state} />
          </div>
          <Rows>
            <Row label={t('principal')} minor={loan.principalMinor} />
            {loan.closedOn && <Row label={t('closedOn')}>{loan.closedOn}</Row>}
          </Rows>
        </button>
      ))}
    </section>
  );
}

export function BillsPage() {
  const { t } = useTranslation('bills');
  const bill = useBill();
  const loans = useLoans();
  const all = loans.data ?? [];
  const billed = new Set((bill.data?.loans ?? []).map((entry) => entry.loanId));
  return (
    <PageShell
      title={t('title')}
      back={false}
      loading={bill.isPending || loans.isPending}
      error={bill.error ?? loans.error ?? undefined}
      onRetry={() => {
        void bill.refetch();
        void loans.refetch();
      }}
    >
      {bill.data &&
        loans.data &&
        (all.length === 0 ? (
          <ErrorBlock status="empty" title={t('none')} description={t('noneHint')} />
        ) : (
          <>
            {bill.data.loans.length > 0 && (
              <div className="card" data-testid="bills-total">
                <Rows>
                  <Row
                    label={t('totalThisMonth')}
                    minor={bill.data.totals.thisMonthOutstandingMinor}
                    strong
                  />
                  <Row label={t('nextDueDate')}>{bill.data.totals.nextDueDate ?? '—'}</Row>
                </Rows>
              </div>
            )}
            {bill.data.loans.map((entry) => (
              <OpenLoanBill
                key={entry.loanId}
                entry={entry}
                loan={all.find((loan) => loan.id === entry.loanId)}
              />
            ))}
            <OtherLoans
              title={t('pending')}
              loans={all.filter((loan) => loan.state === 'pending_disbursement')}
            />
            <OtherLoans
              title={t('closed')}
              loans={all.filter(
                (loan) =>
                  !billed.has(loan.id) && !isOpenLoan(loan.state) && loan.state !== 'pending_disbursement',
              )}
            />
          </>
        ))}
    </PageShell>
  );
}
