import { Button } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ApiProblem } from '../../api/client';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { formatRate } from '../../format';
import { ServicingProblem } from '../servicing/Problem';
import { InstallmentStatusTag, LoanStateTag, LoanTitle, Row, Rows } from '../servicing/parts';
import {
  billed,
  type Installment,
  isOpenLoan,
  type LoanDetail,
  type LoanServicing,
  paid,
  useLoan,
  useServicing,
  waived,
} from '../servicing/queries';
import { ContractDigestMismatch, downloadContract } from './contract';

// 账单详情: one loan — its figures, the actions on it (repay, pay off, prepay, receipts, the
// contract PDF) and the schedule with what each installment bills, what was paid and what is
// outstanding, exactly as servicing reads it.

function InstallmentRow({ installment, current }: { installment: Installment; current: boolean }) {
  const { t } = useTranslation('bills');
  const waivedMinor = waived(installment);
  const penalty = installment.penalty.dueMinor !== '0';
  return (
    <li
      className={current ? 'installment installment-current' : 'installment'}
      data-testid="installment"
      data-number={installment.number}
      data-status={installment.status}
    >
      <div className="installment-head">
        <strong>{t('installment', { number: installment.number })}</strong>
        <span className="muted" data-testid="installment-due-date">
          {installment.dueDate}
        </span>
        <InstallmentStatusTag status={installment.status} />
      </div>
      <div className="triple">
        <div>
          <span className="figure-label">{t('billed')}</span>
          <Money minor={billed(installment)} testId="installment-billed" />
        </div>
        <div>
          <span className="figure-label">{t('paid')}</span>
          <Money minor={paid(installment)} testId="installment-paid" />
        </div>
        <div>
          <span className="figure-label">{t('outstanding')}</span>
          <Money minor={installment.outstandingMinor} strong testId="installment-outstanding" />
        </div>
      </div>
      <div className="installment-parts">
        <span>
          {t('parts.principal')}{' '}
          <Money minor={installment.principal.dueMinor} prefix="" testId="installment-principal" />
        </span>
        <span>
          {t('parts.interest')}{' '}
          <Money minor={installment.interest.dueMinor} prefix="" testId="installment-interest" />
        </span>
        {installment.fee.dueMinor !== '0' && (
          <span>
            {t('parts.fee')} <Money minor={installment.fee.dueMinor} prefix="" testId="installment-fee" />
          </span>
        )}
        {penalty && (
          <span>
            {t('parts.penalty')}{' '}
            <Money minor={installment.penalty.dueMinor} prefix="" testId="installment-penalty" />
          </span>
        )}
        {waivedMinor !== 0n && (
          <span>
            {t('parts.waived')} <Money minor={waivedMinor} prefix="" testId="installment-waived" />
          </span>
        )}
        {installment.settledOn && <span>{t('settledOn', { date: installment.settledOn })}</span>}
      </div>
    </li>
  );
}

/** The contractual schedule of a loan without a servicing account yet (being disbursed, cancelled). */
function PlannedSchedule({ loan }: { loan: LoanDetail }) {
  const { t } = useTranslation('bills');
  return (
    <section className="card" data-testid="schedule">
      <h2>{t('plannedSchedule')}</h2>
      <ul className="plain-list">
        {loan.installments.map((installment) => (
          <li key={installment.number} className="installment" data-testid="installment">
            <div className="installment-head">
              <strong>{t('installment', { number: installment.number })}</strong>
              <span className="muted">{installment.dueDate}</span>
              <Money minor={installment.totalMinor} strong />
            </div>
            <div className="installment-parts">
              <span>
                {t('parts.principal')} <Money minor={installment.principalMinor} prefix="" />
              </span>
              <span>
                {t('parts.interest')} <Money minor={installment.interestMinor} prefix="" />
              </span>
              {installment.feeMinor !== '0' && (
                <span>
                  {t('parts.fee')} <Money minor={installment.feeMinor} prefix="" />
                </span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Summary({ loan, servicing }: { loan: LoanDetail; servicing: LoanServicing | undefined }) {
  const { t } = useTranslation('bills');
  const account = servicing?.account;
  const totals = servicing?.totals;
  const overdue =
    totals !== undefined && (totals.overdueMinor !== '0' || totals.penaltyOutstandingMinor !== '0');
  return (
    <section className="card" data-testid="loan-summary">
      <div className="card-head">
        <LoanTitle loan={loan} />
        <LoanStateTag state={loan.state} />
      </div>
      {totals && (
        <>
          <div className="figure-label">{t('remaining')}</div>
          <div className="big-figure">
            <Money minor={totals.remainingMinor} testId="loan-remaining" />
          </div>
        </>
      )}
      {overdue && totals && (
        <div className="overdue-box" role="alert" data-testid="loan-overdue">
          {t('overdue', { days: account?.dpd ?? 0 })}{' '}
          <Money minor={totals.overdueMinor} testId="loan-overdue-amount" />
          {' · '}
          {t('penalty')} <Money minor={totals.penaltyOutstandingMinor} testId="loan-overdue-penalty" />
        </div>
      )}
      <Rows>
        {account && (
          <Row
            label={t('principalOutstanding')}
            minor={account.principalOutstandingMinor}
            testId="loan-principal-outstanding"
          />
        )}
        {account && (
          <Row label={t('nextDueDate')} testId="loan-next-due">
            {account.nextDueDate ?? '—'}
          </Row>
        )}
        {account && account.creditBalanceMinor !== '0' && (
          <Row label={t('creditBalance')} minor={account.creditBalanceMinor} testId="loan-credit-balance" />
        )}
        {loan.closedOn && <Row label={t('closedOn')}>{loan.closedOn}</Row>}
      </Rows>
    </section>
  );
}

/** The loan as contracted: amount, term, method, both annualized rates, dates. */
function Terms({ loan }: { loan: LoanDetail }) {
  const { t } = useTranslation('bills');
  return (
    <section className="card" data-testid="loan-terms">
      <h2>{t('terms')}</h2>
      <Rows>
        <Row label={t('principal')} minor={loan.principalMinor} testId="loan-principal" />
        <Row label={t('term')}>{loan.termCount}</Row>
        <Row label={t('method')}>{t(`methods.${loan.method}`, { defaultValue: loan.method })}</Row>
        <Row label={t('aprIrr')}>{formatRate(loan.apr.irr)}</Row>
        <Row label={t('aprSimple')}>{formatRate(loan.apr.simple)}</Row>
        <Row label={t('startDate')}>{loan.disbursedOn ?? loan.startDate}</Row>
        <Row label={t('maturityDate')}>{loan.maturityDate}</Row>
        <Row label={t('contractNo')}>{loan.contractNo}</Row>
      </Rows>
    </section>
  );
}

function Actions({ loan, servicing }: { loan: LoanDetail; servicing: LoanServicing | undefined }) {
  const { t } = useTranslation('bills');
  const navigate = useNavigate();
  const [downloading, setDownloading] = useState(false);
  const [problem, setProblem] = useState<unknown>(undefined);
  const [saved, setSaved] = useState(false);
  const open = isOpenLoan(loan.state) && servicing !== undefined && servicing.account.status !== 'paid_off';
  const contract = async () => {
    setDownloading(true);
    setProblem(undefined);
    setSaved(false);
    try {
      await downloadContract(loan.id);
      setSaved(true);
    } catch (error) {
      setProblem(
        error instanceof ContractDigestMismatch ? new ApiProblem(0, { code: 'contract_digest' }) : error,
      );
    } finally {
      setDownloading(false);
    }
  };
  return (
    <section className="card" data-testid="loan-actions">
      {open && (
        <div className="actions" style={{ marginBottom: 10 }}>
          <Button
            block
            color="primary"
            size="large"
            onClick={() => navigate(`/loans/${loan.id}/repay`)}
            data-testid="to-repay"
          >
            {t('repay')}
          </Button>
        </div>
      )}
      <div className="action-grid">
        {open && (
          <>
            <Button onClick={() => navigate(`/loans/${loan.id}/payoff`)} data-testid="to-payoff">
              {t('payoff')}
            </Button>
            <Button onClick={() => navigate(`/loans/${loan.id}/prepay`)} data-testid="to-prepay">
              {t('prepay')}
            </Button>
          </>
        )}
        {servicing && (
          <Button onClick={() => navigate(`/loans/${loan.id}/receipts`)} data-testid="to-receipts">
            {t('receipts')}
          </Button>
        )}
        <Button loading={downloading} onClick={() => void contract()} data-testid="download-contract">
          {t('contract')}
        </Button>
      </div>
      {saved && (
        <div className="hint" role="status" style={{ marginTop: 10 }} data-testid="contract-saved">
          {t('contractSaved')}
        </div>
      )}
      {problem !== undefined && (
        <div style={{ marginTop: 10 }}>
          <ServicingProblem error={problem} />
        </div>
      )}
    </section>
  );
}

export function LoanPage() {
  const { t } = useTranslation('bills');
  const { loanId = '' } = useParams();
  const loan = useLoan(loanId);
  const hasAccount = loan.data !== undefined && loan.data.disbursedOn !== null;
  const servicing = useServicing(loanId, hasAccount);
  // A loan never disbursed has no servicing account (404): its contractual schedule is shown.
  const servicingMissing = servicing.error instanceof ApiProblem && servicing.error.status === 404;
  const servicingError = servicingMissing ? undefined : servicing.error;
  return (
    <PageShell
      title={t('detailTitle')}
      back="/bills"
      loading={loan.isPending || (hasAccount && servicing.isPending)}
      error={loan.error ?? servicingError ?? undefined}
      onRetry={() => {
        void loan.refetch();
        void servicing.refetch();
      }}
    >
      {loan.data && (
        <>
          <Summary loan={loan.data} servicing={servicing.data} />
          <Actions loan={loan.data} servicing={servicing.data} />
          {servicing.data ? (
            <section className="card" data-testid="schedule">
              <div className="card-head">
                <h2>{t('schedule')}</h2>
                <span className="muted">{t('asOf', { date: servicing.data.businessDate })}</span>
              </div>
              <ul className="plain-list">
                {servicing.data.installments.map((installment) => (
                  <InstallmentRow
                    key={installment.number}
                    installment={installment}
                    current={installment.number === servicing.data.account.currentInstallment}
                  />
                ))}
              </ul>
            </section>
          ) : (
            <PlannedSchedule loan={loan.data} />
          )}
          <Terms loan={loan.data} />
        </>
      )}
    </PageShell>
  );
}
