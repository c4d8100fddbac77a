import { ReloadOutlined } from '@ant-design/icons';
import { type UseQueryResult, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Flex,
  Result,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { type ReactNode, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Schemas, unwrap } from '../../api/client';
import { Chart } from '../../components/Chart';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { useUrlFilters } from '../../components/useUrlFilters';
import { formatCount, formatMoney } from '../../format';
import {
  bucketOption,
  disbursementOption,
  funderOption,
  funnelOption,
  rollRateOption,
  vintageOption,
} from './charts';

// The management dashboard: the loan book, disbursements, the approval funnel, delinquency by
// bucket, vintage curves, roll rates, the day's collections and the funders' shares — each from
// its report (/api/v1/reports/*, docs/reports.md), as of the database's business date.

const filterKeys = ['from', 'to', 'date'] as const;
const foot = { display: 'flex', marginTop: 8 } as const;
const isDate = (value: string | undefined) => value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value);

function useReport<T>(name: string, params: Record<string, string> | undefined, read: () => Promise<T>) {
  return useQuery({ queryKey: ['reports', name, params ?? {}], queryFn: read, staleTime: 30_000 });
}

function StatCard({
  title,
  value,
  note,
  testId,
  loading,
}: {
  title: string;
  value: ReactNode;
  note?: ReactNode;
  testId: string;
  loading: boolean;
}) {
  return (
    <Card size="small">
      <Statistic
        title={title}
        loading={loading}
        valueRender={() => (
          <span className="stat-value" data-testid={testId}>
            {value}
          </span>
        )}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {loading ? ' ' : (note ?? ' ')}
      </Typography.Text>
    </Card>
  );
}

function ChartCard<T>({
  title,
  extra,
  query,
  isEmpty,
  empty,
  children,
  testId,
}: {
  title: ReactNode;
  extra?: ReactNode;
  query: UseQueryResult<T>;
  isEmpty: (data: T) => boolean;
  empty: string;
  children: (data: T) => ReactNode;
  testId: string;
}) {
  return (
    <Card title={title} extra={extra} size="small" style={{ height: '100%' }} data-testid={testId}>
      <QueryState
        query={query}
        isEmpty={isEmpty}
        empty={
          <Empty style={{ padding: '72px 0' }} image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} />
        }
      >
        {children}
      </QueryState>
    </Card>
  );
}

export default function DashboardPage() {
  const { t } = useTranslation('dashboard');
  const queries = useQueryClient();
  const [filters, setFilters] = useUrlFilters(filterKeys);
  const [series, setSeries] = useState<'daily' | 'monthly'>('daily');
  const [rollMonth, setRollMonth] = useState<string | undefined>();

  const funnelRange =
    isDate(filters.from) && isDate(filters.to) && (filters.from ?? '') <= (filters.to ?? '')
      ? { from: filters.from ?? '', to: filters.to ?? '' }
      : undefined;
  const collectionsDate = isDate(filters.date) ? { date: filters.date ?? '' } : undefined;

  const portfolio = useReport('portfolio', undefined, () => unwrap(api.GET('/api/v1/reports/portfolio')));
  const disbursements = useReport('disbursements', { days: '30' }, () =>
    unwrap(api.GET('/api/v1/reports/disbursements', { params: { query: { days: 30 } } })),
  );
  const funnel = useReport('funnel', funnelRange, () =>
    unwrap(api.GET('/api/v1/reports/funnel', { params: { query: funnelRange ?? {} } })),
  );
  const vintages = useReport('vintages', { months: '12' }, () =>
    unwrap(api.GET('/api/v1/reports/vintages', { params: { query: { months: 12 } } })),
  );
  const rollRates = useReport('roll-rates', { months: '6' }, () =>
    unwrap(api.GET('/api/v1/reports/roll-rates', { params: { query: { months: 6 } } })),
  );
  const collections = useReport('collections', collectionsDate, () =>
    unwrap(api.GET('/api/v1/reports/collections', { params: { query: collectionsDate ?? {} } })),
  );
  const funders = useReport('funders', undefined, () => unwrap(api.GET('/api/v1/reports/funders')));

  const bookIsEmpty =
    portfolio.data !== undefined &&
    funnel.data !== undefined &&
    portfolio.data.byStatus.every((row) => row.loans === 0) &&
    funnel.data.stages.every((stage) => stage.count === 0) &&
    (disbursements.data?.monthly.every((row) => row.loans === 0) ?? true);

  const funnelChart = useMemo(
    () => (funnel.data ? funnelOption(t, funnel.data) : undefined),
    [funnel.data, t],
  );
  const bucketChart = useMemo(
    () => (portfolio.data ? bucketOption(t, portfolio.data) : undefined),
    [portfolio.data, t],
  );
  const vintageChart = useMemo(
    () => (vintages.data ? vintageOption(t, vintages.data) : undefined),
    [vintages.data, t],
  );
  const funderChart = useMemo(
    () => (funders.data ? funderOption(t, funders.data) : undefined),
    [funders.data, t],
  );
  const disbursementChart = useMemo(() => {
    if (disbursements.data === undefined) return undefined;
    const rows =
      series === 'daily'
        ? disbursements.data.daily.map((row) => ({ ...row, label: row.date.slice(5) }))
        : disbursements.data.monthly.map((row) => ({ ...row, label: row.month }));
    return disbursementOption(t, rows);
  }, [disbursements.data, series, t]);
  const rollMonths = rollRates.data?.months ?? [];
  const shownRollMonth =
    rollMonths.find((month) => month.month === rollMonth) ??
    [...rollMonths].reverse().find((month) => month.fromTotals.some((total) => total.loans > 0));
  const rollChart = useMemo(
    () => (shownRollMonth ? rollRateOption(t, shownRollMonth) : undefined),
    [shownRollMonth, t],
  );

  const p = portfolio.data;
  const d = disbursements.data;
  const c = collections.data;
  const funnelCount = (stage: Schemas['FunnelReport']['stages'][number]['stage']) =>
    funnel.data?.stages.find((row) => row.stage === stage)?.count ?? 0;

  return (
    <Page
      title={t('title')}
      extra={
        <Space>
          {p && (
            <Typography.Text type="secondary" data-testid="dashboard-as-of">
              {t('asOf', { date: p.businessDate })}
            </Typography.Text>
          )}
          <Button
            icon={<ReloadOutlined />}
            onClick={() => void queries.invalidateQueries({ queryKey: ['reports'] })}
            data-testid="dashboard-refresh"
          >
            {t('common:action.refresh')}
          </Button>
        </Space>
      }
    >
      <Row gutter={[16, 16]} className="stat-grid">
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            title={t('stat.outstandingPrincipal')}
            testId="stat-outstanding-principal"
            loading={portfolio.isPending}
            value={<Money minor={p?.outstandingPrincipalMinor} />}
            note={p && t('stat.openLoans', { count: p.loans, formatted: formatCount(p.loans) })}
          />
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            title={t('stat.outstandingTotal')}
            testId="stat-outstanding-total"
            loading={portfolio.isPending}
            value={<Money minor={p?.outstandingTotalMinor} />}
            note={
              p &&
              t('stat.outstandingParts', {
                interest: formatMoney(p.outstandingInterestMinor),
                penalty: formatMoney(p.outstandingPenaltyMinor),
              })
            }
          />
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            title={t('stat.overdueShare')}
            testId="stat-overdue-principal"
            loading={portfolio.isPending}
            value={<Money minor={overduePrincipal(p)} />}
            note={p && t('stat.overdueLoans', { count: overdueLoans(p) })}
          />
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            title={t('stat.disbursedToday')}
            testId="stat-disbursed-today"
            loading={disbursements.isPending}
            value={<Money minor={d?.today.amountMinor} />}
            note={d && t('stat.loans', { count: d.today.loans })}
          />
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            title={t('stat.disbursedMonth')}
            testId="stat-disbursed-month"
            loading={disbursements.isPending}
            value={<Money minor={d?.month.amountMinor} />}
            note={d && t('stat.loans', { count: d.month.loans })}
          />
        </Col>
        <Col xs={24} sm={12} lg={8} xl={4}>
          <StatCard
            title={t('stat.collectedToday')}
            testId="stat-collected-today"
            loading={collections.isPending}
            value={<Money minor={c?.repayments.amountMinor} />}
            note={c && t('stat.repayments', { count: c.repayments.count, date: c.date })}
          />
        </Col>
      </Row>

      {bookIsEmpty ? (
        <Card style={{ marginTop: 16 }} data-testid="dashboard-empty">
          <Result
            status="info"
            icon={<Empty image={Empty.PRESENTED_IMAGE_DEFAULT} description={false} />}
            title={t('empty.title')}
            subTitle={t('empty.text', { date: p?.businessDate ?? '' })}
          />
        </Card>
      ) : (
        <>
          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            <Col xs={24} xl={8}>
              <ChartCard
                testId="card-funnel"
                title={t('funnel.title')}
                extra={
                  <DatePicker.RangePicker
                    size="small"
                    allowClear
                    style={{ width: 230 }}
                    value={funnelRange ? [dayjs(funnelRange.from), dayjs(funnelRange.to)] : null}
                    onChange={(range) =>
                      setFilters({
                        ...filters,
                        from: range?.[0]?.format('YYYY-MM-DD'),
                        to: range?.[1]?.format('YYYY-MM-DD'),
                      })
                    }
                    data-testid="funnel-range"
                  />
                }
                query={funnel}
                isEmpty={(data) => data.stages.every((stage) => stage.count === 0)}
                empty={t('funnel.empty')}
              >
                {(data) => (
                  <>
                    {funnelChart && <Chart option={funnelChart} height={260} testId="chart-funnel" />}
                    <Flex justify="space-between" wrap gap="small" style={foot}>
                      <Typography.Text type="secondary">
                        {data.from} ~ {data.to}
                      </Typography.Text>
                      <Space size={4} wrap>
                        <Tag color="gold">
                          {t('funnel.referred')} {formatCount(funnelCount('referred'))}
                        </Tag>
                        <Tag color="red">
                          {t('funnel.rejected')} {formatCount(funnelCount('rejected'))}
                        </Tag>
                        <Tag>
                          {t('funnel.inReview')} {formatCount(data.inReview)}
                        </Tag>
                      </Space>
                    </Flex>
                  </>
                )}
              </ChartCard>
            </Col>
            <Col xs={24} xl={8}>
              <ChartCard
                testId="card-buckets"
                title={t('buckets.title')}
                query={portfolio}
                isEmpty={(data) => data.loans === 0}
                empty={t('buckets.empty')}
              >
                {() => (
                  <>
                    {bucketChart && <Chart option={bucketChart} height={260} testId="chart-buckets" />}
                    <Typography.Text type="secondary" style={foot}>
                      {t('buckets.note')}
                    </Typography.Text>
                  </>
                )}
              </ChartCard>
            </Col>
            <Col xs={24} xl={8}>
              <ChartCard
                testId="card-funders"
                title={t('funders.title')}
                query={funders}
                isEmpty={(data) => data.totalOutstandingPrincipalMinor === '0'}
                empty={t('funders.empty')}
              >
                {(data) => (
                  <>
                    {funderChart && <Chart option={funderChart} height={260} testId="chart-funders" />}
                    <Typography.Text type="secondary" style={foot}>
                      {t('funders.total')}: <Money minor={data.totalOutstandingPrincipalMinor} />
                    </Typography.Text>
                  </>
                )}
              </ChartCard>
            </Col>
          </Row>

          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            <Col xs={24} xl={12}>
              <ChartCard
                testId="card-disbursements"
                title={t('disbursements.title')}
                extra={
                  <Segmented
                    size="small"
                    value={series}
                    onChange={(value) => setSeries(value as 'daily' | 'monthly')}
                    options={[
                      { value: 'daily', label: t('disbursements.daily') },
                      { value: 'monthly', label: t('disbursements.monthly') },
                    ]}
                  />
                }
                query={disbursements}
                isEmpty={(data) => data.monthly.every((row) => row.loans === 0)}
                empty={t('disbursements.empty')}
              >
                {() =>
                  disbursementChart && (
                    <Chart option={disbursementChart} height={280} testId="chart-disbursements" />
                  )
                }
              </ChartCard>
            </Col>
            <Col xs={24} xl={12}>
              <ChartCard
                testId="card-vintages"
                title={t('vintage.title')}
                query={vintages}
                isEmpty={(data) => data.cohorts.every((cohort) => cohort.points.length === 0)}
                empty={t('vintage.empty')}
              >
                {() => vintageChart && <Chart option={vintageChart} height={280} testId="chart-vintages" />}
              </ChartCard>
            </Col>
          </Row>

          <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
            <Col xs={24} xl={14}>
              <ChartCard
                testId="card-roll-rates"
                title={t('roll.title')}
                extra={
                  rollMonths.length > 0 && (
                    <Select
                      size="small"
                      style={{ width: 120 }}
                      value={shownRollMonth?.month}
                      onChange={setRollMonth}
                      options={rollMonths.map((month) => ({ value: month.month, label: month.month }))}
                      data-testid="roll-month"
                    />
                  )
                }
                query={rollRates}
                isEmpty={() => shownRollMonth === undefined}
                empty={t('roll.empty')}
              >
                {() => (
                  <>
                    {rollChart && <Chart option={rollChart} height={280} testId="chart-roll-rates" />}
                    <Typography.Text type="secondary" style={foot}>
                      {t('roll.note', { month: shownRollMonth?.month ?? '' })}
                    </Typography.Text>
                  </>
                )}
              </ChartCard>
            </Col>
            <Col xs={24} xl={10}>
              <Card
                size="small"
                style={{ height: '100%' }}
                title={t('collections.title')}
                data-testid="card-collections"
                extra={
                  <DatePicker
                    size="small"
                    allowClear
                    value={collectionsDate ? dayjs(collectionsDate.date) : null}
                    maxDate={p ? dayjs(p.businessDate) : undefined}
                    onChange={(day) => setFilters({ ...filters, date: day?.format('YYYY-MM-DD') })}
                    data-testid="collections-date"
                  />
                }
              >
                <QueryState query={collections}>{(data) => <CollectionsDay report={data} />}</QueryState>
              </Card>
            </Col>
          </Row>
        </>
      )}
    </Page>
  );
}

function overduePrincipal(p: Schemas['PortfolioReport'] | undefined): string | undefined {
  if (p === undefined) return undefined;
  return p.byBucket
    .filter((row) => row.bucket !== 'M0')
    .reduce((sum, row) => sum + BigInt(row.principalMinor), 0n)
    .toString();
}

function overdueLoans(p: Schemas['PortfolioReport']): number {
  return p.byBucket.filter((row) => row.bucket !== 'M0').reduce((sum, row) => sum + row.loans, 0);
}

function CollectionsDay({ report }: { report: Schemas['CollectionsReport'] }) {
  const { t } = useTranslation('dashboard');
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Descriptions
        size="small"
        column={2}
        bordered
        items={[
          {
            key: 'repaid',
            label: t('collections.repaid'),
            children: (
              <span data-testid="collections-repaid">
                <Money minor={report.repayments.amountMinor} strong /> ·{' '}
                {t('stat.repaymentCount', { count: report.repayments.count })}
              </span>
            ),
            span: 2,
          },
          ...report.byKind
            .filter((row) => row.count > 0)
            .map((row) => ({
              key: row.kind,
              label: t(`collections.kind.${row.kind}`),
              children: (
                <>
                  <Money minor={row.amountMinor} /> · {formatCount(row.count)}
                </>
              ),
            })),
          {
            key: 'reversals',
            label: t('collections.reversals'),
            children: (
              <>
                <Money minor={report.reversals.amountMinor} /> · {formatCount(report.reversals.count)}
              </>
            ),
            span: 2,
          },
          {
            key: 'contacts',
            label: t('collections.contacts'),
            children: t('collections.contactsValue', {
              attempts: report.contacts.attempts,
              connected: report.contacts.connected,
              refused: report.contacts.refused,
            }),
            span: 2,
          },
          {
            key: 'promises',
            label: t('collections.promises'),
            children: t('collections.promisesValue', {
              made: report.promises.made,
              kept: report.promises.kept,
              broken: report.promises.broken,
            }),
            span: 2,
          },
          {
            key: 'cases',
            label: t('collections.cases'),
            children: t('collections.casesValue', {
              open: report.casesOpen,
              opened: report.casesOpened,
              closed: report.casesClosed,
            }),
            span: 2,
          },
        ]}
      />
      <Typography.Text type="secondary">{t('collections.note', { date: report.date })}</Typography.Text>
    </Space>
  );
}
