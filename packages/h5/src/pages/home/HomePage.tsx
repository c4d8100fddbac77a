import { Button, ErrorBlock, Tag } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Money } from '../../components/Money';
import { PageShell } from '../../components/PageShell';
import { LoanStateTag, LoanTitle, Row, Rows } from '../servicing/parts';
import {
  type Bill,
  type CreditLine,
  type Loan,
  useBill,
  useCatalogue,
  useCreditLines,
  useLoans,
} from '../servicing/queries';

// 首页: the available line, this month's bill (what it bills and what is left), the next due date,
// anything overdue with its penalty, and the borrower's loans. Every figure is the API's.

function LineCard({ lines, cashCodes }: { lines: CreditLine[]; cashCodes: Set<string> }) {
  const { t } = useTranslation('home');
  const navigate = useNavigate();
  if (lines.length === 0)
    return (
      <section className="hero" data-testid="line-card">
        <div className="muted">{t('line.none')}</div>
        <div className="hint">{t('line.noneHint')}</div>
        <Button block color="default" onClick={() => navigate('/credit/apply')}>
          {t('line.apply')}
        </Button>
      </section>
    );
  const canDraw = lines.some(
    (line) =>
      line.status === 'active' && line.revolving && line.productCodes.some((code) => cashCodes.has(code)),
  );
  return (
    <section className="hero" data-testid="line-card">
      {lines.map((line) => (
        <div key={line.id} data-testid="line">
          <div className="muted">
            {t('line.available')}
            {line.status !== 'active' && (
              <Tag color="warning" style={{ marginLeft: 6 }}>
                {t(`line.status.${line.status}`)}
              </Tag>
            )}
          </div>
          <div className="big-figure">
            <Money minor={line.availableMinor} testId="line-available" />
          </div>
          <div className="hero-foot">
            <span>
              {t('line.limit')} <Money minor={line.limitMinor} testId="line-limit" />
            </span>
            <span>{line.revolving ? t('line.revolving') : t('line.oneOff')}</span>
          </div>
        </div>
      ))}
      {canDraw && (
        <Button block color="default" onClick={() => navigate('/drawdown')} data-testid="to-drawdown">
          {t('line.drawdown')}
        </Button>
      )}
    </section>
  );
}

function BillCard({ bill }: { bill: Bill }) {
  const { t } = useTranslation('home');
  const navigate = useNavigate();
  const { totals } = bill;
  const month = Number(bill.businessDate.slice(5, 7));
  const overdue = totals.overdueMinor !== '0' || totals.overduePenaltyMinor !== '0';
  const single = bill.loans.length === 1 ? bill.loans[0] : undefined;
  const owes = totals.thisMonthOutstandingMinor !== '0' || overdue;
  return (
    <section className="card" data-testid="bill-card">
      <div className="card-head">
        <h2>{t('bill.title', { month })}</h2>
        <span className="muted">{t('bill.asOf', { date: bill.businessDate })}</span>
      </div>
      {bill.loans.length === 0 ? (
        <div className="hint" data-testid="bill-empty">
          {t('bill.none')}
        </div>
      ) : (
        <>
          <div className="figure-label">{t('bill.outstanding')}</div>
          <div className="big-figure">
            <Money minor={totals.thisMonthOutstandingMinor} testId="bill-outstanding" />
          </div>
          <Rows>
            <Row label={t('bill.due')} minor={totals.thisMonthDueMinor} testId="bill-due" />
            <Row label={t('bill.nextDueDate')} testId="bill-next-due">
              {totals.nextDueDate ?? t('bill.noNextDue')}
            </Row>
            <Row label={t('bill.remaining')} minor={totals.totalOutstandingMinor} testId="bill-remaining" />
          </Rows>
          {overdue && (
            <div className="overdue-box" data-testid="bill-overdue" role="alert">
              <div>
                {t('bill.overdue')} <Money minor={totals.overdueMinor} testId="bill-overdue-amount" />
              </div>
              <div>
                {t('bill.penalty')} <Money minor={totals.overduePenaltyMinor} testId="bill-overdue-penalty" />
              </div>
              <div className="hint">{t('bill.overdueHint')}</div>
            </div>
          )}
          {owes && (
            <Button
              block
              color="primary"
              size="large"
              style={{ marginTop: 12 }}
              onClick={() => navigate(single ? `/loans/${single.loanId}/repay` : '/bills')}
              data-testid="bill-repay"
            >
              {t('bill.repay')}
            </Button>
          )}
        </>
      )}
    </section>
  );
}

function LoansCard({ loans, bill }: { loans: Loan[]; bill: Bill }) {
  const { t } = useTranslation('home');
  const navigate = useNavigate();
  return (
    <section className="card" data-testid="loans-card">
      <h2>{t('loans.title')}</h2>
      {loans.length === 0 ? (
        <ErrorBlock status="empty" title={t('loans.none')} description={t('loans.noneHint')} />
      ) : (
        loans.map((loan) => {
          const billed = bill.loans.find((entry) => entry.loanId === loan.id);
          return (
            <button
              type="button"
              key={loan.id}
              className="loan-row"
              data-testid="loan-row"
              data-loan-id={loan.id}
              onClick={() => navigate(`/loans/${loan.id}`)}
            >
              <div className="card-head">
                <LoanTitle loan={loan} />
                <LoanStateTag state={loan.state} />
              </div>
              <Rows>
                <Row label={t('loans.principal')} minor={loan.principalMinor} />
                {billed?.thisMonth && (
                  <Row label={t('loans.thisMonth', { number: billed.thisMonth.number })}>
                    <Money minor={billed.thisMonth.outstandingMinor} />
                  </Row>
                )}
                {billed?.nextDueDate && <Row label={t('loans.nextDueDate')}>{billed.nextDueDate}</Row>}
              </Rows>
            </button>
          );
        })
      )}
    </section>
  );
}

export function HomePage() {
  const { t } = useTranslation('home');
  const lines = useCreditLines();
  const bill = useBill();
  const loans = useLoans();
  const catalogue = useCatalogue();
  const error = lines.error ?? bill.error ?? loans.error;
  const cashCodes = new Set(
    (catalogue.data ?? []).filter((product) => product.revolving).map((product) => product.code),
  );
  return (
    <PageShell
      title={t('title')}
      back={false}
      loading={lines.isPending || bill.isPending || loans.isPending}
      error={error ?? undefined}
      onRetry={() => {
        void lines.refetch();
        void bill.refetch();
        void loans.refetch();
      }}
    >
      {lines.data && bill.data && loans.data && (
        <>
          <LineCard lines={lines.data} cashCodes={cashCodes} />
          <BillCard bill={bill.data} />
          <LoansCard loans={loans.data} bill={bill.data} />
        </>
      )}
    </PageShell>
  );
}
