import { PlayCircleOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Popconfirm,
  Progress,
  Row,
  Skeleton,
  Space,
  Statistic,
  Typography,
} from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiProblem, api, type Schemas, unwrap } from '../../api/client';
import { useCan } from '../../auth/session';
import { Instant } from '../../components/Instant';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { ProblemAlert } from '../../components/ProblemAlert';
import { ServerTable } from '../../components/ServerTable';
import { StatusTag } from '../../components/StatusTag';
import { useCommand } from '../../components/useCommand';
import { formatCount } from '../../format';
import { businessDateKey, commandKey, useBusinessDate } from './shared';

// Close of business from the console: the open business date, starting its run (the API plans it;
// `fenqi worker` processes close the partitions), the run's progress polled while it runs
// (partitions and loans done, rate, ETA), its summary once done — the header's business date then
// moves on — and the history of runs, a page at a time.

type RunProgressView = Schemas['CobProgress'];
type Summary = Schemas['CobSummary'];
type Run = Schemas['CobRun'];

const runKey = (date: string) => ['cob-run', date] as const;
const runsKey = ['cob-runs'] as const;
const statusColour = { running: 'processing', done: 'green' } as const;
/** How often a running run is read again. */
const pollMs = 1000;

export default function CobPage() {
  const { t } = useTranslation('operations');
  const can = useCan();
  const queries = useQueryClient();
  const businessDate = useBusinessDate();
  const open = businessDate.data?.businessDate;
  const [params, setParams] = useSearchParams();
  // The run watched: the one started here (kept in the URL), else the open date's.
  const watched = params.get('run') ?? open;
  const run = useQuery({
    queryKey: runKey(watched ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/cob/runs/{date}', { params: { path: { date: watched ?? '' } } })),
    enabled: watched !== undefined,
    retry: false,
    refetchInterval: (query) => (query.state.data?.status === 'running' ? pollMs : false),
  });
  const start = useCommand(
    (date: string) =>
      unwrap(api.POST('/api/v1/cob/runs', { params: { header: commandKey() }, body: { date } })),
    {
      success: false,
      invalidates: [runsKey],
      onSuccess: (progress) => {
        queries.setQueryData(runKey(progress.businessDate), progress);
        setParams({ run: progress.businessDate }, { replace: true });
      },
    },
  );

  // Once the run is done the business date has moved: the header and the history follow.
  const finished = useRef<string | undefined>(undefined);
  const status = run.data?.status;
  const runDate = run.data?.businessDate;
  useEffect(() => {
    if (status !== 'done' || runDate === undefined || finished.current === runDate) return;
    finished.current = runDate;
    void queries.invalidateQueries({ queryKey: businessDateKey });
    void queries.invalidateQueries({ queryKey: runsKey });
  }, [status, runDate, queries]);

  const notStarted = run.error instanceof ApiProblem && run.error.status === 404;
  return (
    <Page title={t('cobPage.title')}>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Card size="small">
          <Row gutter={24} align="middle">
            <Col flex="none">
              <Statistic
                title={t('cobPage.businessDate')}
                value={open ?? '…'}
                valueRender={() => <span data-testid="cob-business-date">{open ?? '…'}</span>}
              />
            </Col>
            <Col flex="auto">
              {notStarted && watched === open && open !== undefined && (
                <>
                  <Typography.Text strong>{t('cobPage.noRun', { date: open })}</Typography.Text>
                  <br />
                  <Typography.Text type="secondary">{t('cobPage.noRunHint')}</Typography.Text>
                </>
              )}
            </Col>
            <Col flex="none">
              {can('cob:run') && open !== undefined && (notStarted || run.data?.status === 'done') && (
                <Popconfirm
                  title={t('cobPage.runConfirm', { date: open })}
                  onConfirm={() => start.mutate(open)}
                  okButtonProps={{ 'data-testid': 'cob-confirm' } as never}
                >
                  <Button
                    type="primary"
                    icon={<PlayCircleOutlined />}
                    loading={start.isPending}
                    data-testid="cob-start"
                  >
                    {t('cobPage.run', { date: open })}
                  </Button>
                </Popconfirm>
              )}
            </Col>
          </Row>
          {start.error !== null && (
            <div style={{ marginTop: 12 }}>
              <ProblemAlert error={start.error} />
            </div>
          )}
        </Card>
        {run.isPending && watched !== undefined && <Skeleton active />}
        {run.isError && !notStarted && <ProblemAlert error={run.error} onRetry={() => void run.refetch()} />}
        {run.data && <RunProgress progress={run.data} />}
        <Card size="small" title={t('cobPage.history')}>
          <RunHistory />
        </Card>
      </Space>
    </Page>
  );
}

function percentOf(progress: RunProgressView): number {
  if (progress.status === 'done') return 100;
  const { loans, partitions } = progress;
  if (loans.total > 0) return Math.floor((loans.done * 100) / loans.total);
  if (partitions.total > 0) return Math.floor((partitions.done * 100) / partitions.total);
  return 0;
}

function RunProgress({ progress }: { progress: RunProgressView }) {
  const { t } = useTranslation('operations');
  const done = progress.status === 'done';
  return (
    <Card
      size="small"
      title={
        <Space>
          {t('cobPage.current', { date: progress.businessDate })}
          <StatusTag value={progress.status} ns="operations" colour={statusColour[progress.status]} />
        </Space>
      }
      data-testid="cob-run"
    >
      <div data-testid="cob-progress" data-status={progress.status} data-percent={percentOf(progress)}>
        <Progress percent={percentOf(progress)} status={done ? 'success' : 'active'} />
      </div>
      <Row gutter={[24, 12]} style={{ marginTop: 12 }}>
        <Col xs={12} md={6}>
          <Statistic
            title={t('cobPage.partitions')}
            value={`${formatCount(progress.partitions.done)} / ${formatCount(progress.partitions.total)}`}
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('cobPage.loans')}
            value={`${formatCount(progress.loans.done)} / ${formatCount(progress.loans.total)}`}
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('cobPage.rate')}
            value={
              progress.loansPerSecond === null
                ? '—'
                : t('cobPage.rateValue', { rate: formatCount(progress.loansPerSecond) })
            }
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={done ? t('cobPage.elapsed') : t('cobPage.eta')}
            value={
              done
                ? t('cobPage.etaValue', { seconds: (progress.elapsedMs / 1000).toFixed(1) })
                : progress.etaSeconds === null
                  ? '—'
                  : t('cobPage.etaValue', { seconds: formatCount(progress.etaSeconds) })
            }
          />
        </Col>
      </Row>
      {!done && progress.partitions.done === 0 && (
        <Typography.Text type="secondary">{t('cobPage.waiting')}</Typography.Text>
      )}
      {done && progress.summary && (
        <>
          <Alert
            type="success"
            showIcon
            style={{ margin: '12px 0' }}
            title={t('cobPage.finished', { date: progress.summary.nextBusinessDate })}
            data-testid="cob-finished"
          />
          <SummaryView summary={progress.summary} />
        </>
      )}
    </Card>
  );
}

function SummaryView({ summary }: { summary: Summary }) {
  const { t } = useTranslation('operations');
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 4 }} data-testid="cob-summary">
      <Descriptions.Item label={t('summary.date')}>{summary.date}</Descriptions.Item>
      <Descriptions.Item label={t('summary.nextBusinessDate')}>{summary.nextBusinessDate}</Descriptions.Item>
      <Descriptions.Item label={t('summary.partitions')}>{formatCount(summary.partitions)}</Descriptions.Item>
      <Descriptions.Item label={t('summary.loans')}>
        <span data-testid="summary-loans">{formatCount(summary.loans)}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.accruedInterest')}>
        <span data-testid="summary-interest">
          <Money minor={summary.accruedInterestMinor} />
        </span>
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.accruedPenalty')}>
        <Money minor={summary.accruedPenaltyMinor} />
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.feesCharged')}>
        <Money minor={summary.feesChargedMinor} />
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.installmentsDue')}>
        {formatCount(summary.installmentsDue)}
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.collectOrders')}>
        {formatCount(summary.collectOrders)}
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.delinquent')}>{formatCount(summary.delinquent)}</Descriptions.Item>
      <Descriptions.Item label={t('summary.newlyOverdue')}>
        {formatCount(summary.newlyOverdue)}
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.nonAccrual')}>{formatCount(summary.nonAccrual)}</Descriptions.Item>
      <Descriptions.Item label={t('summary.writtenOff')}>{formatCount(summary.writtenOff)}</Descriptions.Item>
      <Descriptions.Item label={t('summary.writtenOffPrincipal')}>
        <Money minor={summary.writtenOffPrincipalMinor} />
      </Descriptions.Item>
      <Descriptions.Item label={t('summary.creditLinesExpired')}>
        {formatCount(summary.creditLinesExpired)}
      </Descriptions.Item>
      <Descriptions.Item label={t('cobPage.duration')}>
        {t('cobPage.durationValue', { seconds: (summary.durationMs / 1000).toFixed(1) })}
      </Descriptions.Item>
    </Descriptions>
  );
}

function RunHistory() {
  const { t } = useTranslation('operations');
  return (
    <ServerTable<Run>
      testId="cob-history"
      queryKey={runsKey}
      rowKey="businessDate"
      fetchPage={async (cursor, limit) => {
        const page = await unwrap(
          api.GET('/api/v1/cob/runs', {
            params: { query: { limit, ...(cursor ? { before: cursor } : {}) } },
          }),
        );
        return { rows: page.runs, next: page.next };
      }}
      expandable={{
        expandedRowRender: (r) =>
          r.summary ? <SummaryView summary={r.summary} /> : <Empty description={t('cobPage.waiting')} />,
      }}
      columns={[
        { title: t('summary.date'), dataIndex: 'businessDate' },
        {
          title: t('bureauPage.column.status'),
          dataIndex: 'status',
          render: (s: 'running' | 'done') => <StatusTag value={s} ns="operations" colour={statusColour[s]} />,
        },
        { title: t('cobPage.partitions'), dataIndex: 'partitions', align: 'right', render: formatCount },
        { title: t('cobPage.loans'), dataIndex: 'loans', align: 'right', render: formatCount },
        {
          title: t('summary.accruedInterest'),
          key: 'interest',
          align: 'right',
          render: (_, r) => <Money minor={r.summary?.accruedInterestMinor} />,
        },
        {
          title: t('summary.newlyOverdue'),
          key: 'overdue',
          align: 'right',
          render: (_, r) => formatCount(r.summary?.newlyOverdue),
        },
        { title: t('cobPage.startedBy'), dataIndex: 'startedBy' },
        {
          title: t('cobPage.startedAt'),
          dataIndex: 'startedAt',
          render: (v: string) => <Instant value={v} />,
        },
        {
          title: t('cobPage.finishedAt'),
          dataIndex: 'finishedAt',
          render: (v: string | null) => <Instant value={v} />,
        },
        {
          title: t('cobPage.duration'),
          key: 'duration',
          align: 'right',
          render: (_, r) =>
            r.summary
              ? t('cobPage.durationValue', { seconds: (r.summary.durationMs / 1000).toFixed(1) })
              : '—',
        },
      ]}
    />
  );
}
