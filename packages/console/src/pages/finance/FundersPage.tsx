import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  DatePicker,
  Empty,
  Select,
  Space,
  Table,
  type TableProps,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type Schemas, unwrap } from '../../api/client';
import { Money } from '../../components/Money';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { useUrlFilters } from '../../components/useUrlFilters';
import { saveBlob } from './files';
import { useBusinessDate } from './shared';

type Funder = Schemas['Funder'];
type StatementRow = Schemas['FunderStatement']['rows'][number];

/** Funders with their quotas, and a funder's daily statement (清分) read from the ledger, as CSV too. */
export default function FundersPage() {
  const { t } = useTranslation('finance');
  const businessDate = useBusinessDate();
  const [filters, setFilters] = useUrlFilters(['funderId', 'date'] as const);
  const funders = useQuery({
    queryKey: ['funding', 'funders'],
    queryFn: () => unwrap(api.GET('/api/v1/funders')),
  });
  const funderId = filters.funderId ?? funders.data?.[0]?.id;
  const date = filters.date ?? businessDate;
  const columns: TableProps<Funder>['columns'] = [
    { title: t('funder.code'), dataIndex: 'code' },
    { title: t('funder.name'), dataIndex: 'name' },
    { title: t('funder.kind'), dataIndex: 'kind', render: (kind: string) => t(`funderKind.${kind}`) },
    {
      title: t('funder.quota'),
      dataIndex: 'quotaMinor',
      align: 'right',
      render: (v: string | null) => (v === null ? t('funder.unlimited') : <Money minor={v} />),
    },
    {
      title: t('funder.used'),
      dataIndex: 'usedMinor',
      align: 'right',
      render: (v: string | null) => <Money minor={v} />,
    },
    {
      title: t('funder.remaining'),
      dataIndex: 'remainingMinor',
      align: 'right',
      render: (v: string | null) => <Money minor={v} />,
    },
    {
      title: t('funder.status'),
      dataIndex: 'status',
      render: (status: string) => (
        <Tag color={status === 'active' ? 'green' : 'default'}>{t(`funderStatus.${status}`)}</Tag>
      ),
    },
    { title: t('funder.custodyBank'), dataIndex: 'custodyBankName', render: (v: string | null) => v ?? '—' },
  ];
  return (
    <Page title={t('funders')}>
      <QueryState
        query={funders}
        isEmpty={(data) => data.length === 0}
        empty={<Empty description={t('funder.none')} />}
      >
        {(data) => (
          <>
            <Card style={{ marginBottom: 16 }}>
              <Table<Funder>
                size="small"
                rowKey="id"
                columns={columns}
                dataSource={data}
                pagination={false}
                data-testid="funders-table"
              />
            </Card>
            <Card
              title={t('funder.statementTitle')}
              extra={
                <Space wrap>
                  <Select
                    style={{ width: 220 }}
                    value={funderId}
                    aria-label={t('funder.code')}
                    onChange={(value: string) => setFilters({ funderId: value, date: filters.date })}
                    options={data.map((funder) => ({
                      value: funder.id,
                      label: `${funder.code} ${funder.name}`,
                    }))}
                  />
                  <DatePicker
                    allowClear={false}
                    value={date ? dayjs(date) : null}
                    onChange={(value) =>
                      setFilters({ funderId: filters.funderId, date: value?.format('YYYY-MM-DD') })
                    }
                  />
                  {funderId && date && <CsvButton funderId={funderId} date={date} />}
                </Space>
              }
            >
              {funderId && date ? <FunderStatement funderId={funderId} date={date} /> : <Empty />}
            </Card>
          </>
        )}
      </QueryState>
    </Page>
  );
}

function FunderStatement({ funderId, date }: { funderId: string; date: string }) {
  const { t } = useTranslation('finance');
  const statement = useQuery({
    queryKey: ['funding', 'statement', funderId, date],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/funders/{funderId}/statements/{date}', { params: { path: { funderId, date } } }),
      ),
  });
  const money = (v: string) => <Money minor={v} />;
  const columns: TableProps<StatementRow>['columns'] = [
    {
      title: t('funder.loan'),
      dataIndex: 'loanId',
      render: (loanId: string | null) => (loanId ? <Link to={`/loans/${loanId}`}>{loanId}</Link> : '—'),
    },
    { title: t('funder.principalFunded'), dataIndex: 'principalFundedMinor', align: 'right', render: money },
    { title: t('funder.principalRepaid'), dataIndex: 'principalRepaidMinor', align: 'right', render: money },
    { title: t('funder.principalOther'), dataIndex: 'principalOtherMinor', align: 'right', render: money },
    { title: t('funder.interest'), dataIndex: 'interestMinor', align: 'right', render: money },
    { title: t('funder.fee'), dataIndex: 'feeMinor', align: 'right', render: money },
    { title: t('funder.penalty'), dataIndex: 'penaltyMinor', align: 'right', render: money },
  ];
  return (
    <QueryState query={statement}>
      {(data) => (
        <Table<StatementRow>
          size="small"
          rowKey={(row) => row.loanId ?? 'none'}
          columns={columns}
          dataSource={data.rows}
          pagination={false}
          data-testid="funder-statement"
          locale={{ emptyText: <Empty description={t('funder.noMovements', { date })} /> }}
          summary={() =>
            data.rows.length === 0 ? undefined : (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>
                  <Typography.Text strong>{t('funder.total')}</Typography.Text>
                </Table.Summary.Cell>
                {(
                  [
                    'principalFundedMinor',
                    'principalRepaidMinor',
                    'principalOtherMinor',
                    'interestMinor',
                    'feeMinor',
                    'penaltyMinor',
                  ] as const
                ).map((key, index) => (
                  <Table.Summary.Cell key={key} index={index + 1} align="right">
                    <Money minor={data.totals[key]} strong />
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            )
          }
        />
      )}
    </QueryState>
  );
}

function CsvButton({ funderId, date }: { funderId: string; date: string }) {
  const { t } = useTranslation('finance');
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      icon={<DownloadOutlined />}
      loading={busy}
      data-testid="funder-csv"
      onClick={async () => {
        setBusy(true);
        try {
          const file = await unwrap(
            api.GET('/api/v1/funders/{funderId}/statements/{date}.csv', {
              params: { path: { funderId, date } },
            }),
          );
          saveBlob(file.fileName, new Blob([file.csv], { type: file.contentType }));
        } catch (error) {
          void message.error(error instanceof Error ? error.message : t('funder.csvFailed'));
        } finally {
          setBusy(false);
        }
      }}
    >
      {t('funder.csv')}
    </Button>
  );
}
