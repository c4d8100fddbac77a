import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Instant } from '../../components/Instant';
import { Page } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { JournalLinesTable, useChart } from './shared';

/** One journal entry: its header, its lines (debits and credits, which agree) and its reversal links. */
export default function EntryDetailPage() {
  const { t } = useTranslation('finance');
  const { entryId = '' } = useParams();
  const chart = useChart();
  const entry = useQuery({
    queryKey: ['ledger', 'entries', entryId, 'detail'],
    queryFn: () => unwrap(api.GET('/api/v1/ledger/entries/{id}', { params: { path: { id: entryId } } })),
  });
  return (
    <QueryState query={entry}>
      {(data) => (
        <Page title={t('entry.title', { id: data.id })}>
          <Card style={{ marginBottom: 16 }}>
            <Descriptions
              size="small"
              column={{ xs: 1, md: 2, xl: 3 }}
              data-testid="entry-head"
              items={[
                { key: 'businessDate', label: t('entry.businessDate'), children: data.businessDate },
                { key: 'eventType', label: t('entry.eventType'), children: <Tag>{data.eventType}</Tag> },
                { key: 'currency', label: t('account.currency'), children: data.currency },
                { key: 'description', label: t('entry.description'), children: data.description },
                { key: 'sourceRef', label: t('entry.sourceRef'), children: data.sourceRef ?? '—' },
                {
                  key: 'key',
                  label: t('entry.idempotencyKey'),
                  children: <Typography.Text code>{data.idempotencyKey}</Typography.Text>,
                },
                { key: 'postedAt', label: t('entry.postedAt'), children: <Instant value={data.postedAt} /> },
                {
                  key: 'reversalOf',
                  label: t('entry.reversalOf'),
                  children: data.reversalOf ? (
                    <Link to={`/finance/entries/${data.reversalOf}`}>#{data.reversalOf}</Link>
                  ) : (
                    '—'
                  ),
                },
                {
                  key: 'reversedBy',
                  label: t('entry.reversedByLabel'),
                  children: data.reversedBy ? (
                    <Link to={`/finance/entries/${data.reversedBy}`}>#{data.reversedBy}</Link>
                  ) : (
                    '—'
                  ),
                },
              ]}
            />
          </Card>
          <Card title={t('entry.lines')}>
            <JournalLinesTable lines={data.lines} accounts={chart.data?.accounts} testId="entry-lines" />
          </Card>
        </Page>
      )}
    </QueryState>
  );
}
