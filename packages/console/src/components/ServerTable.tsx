import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Empty, Flex, Select, Space, Table, type TableProps, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemAlert } from './ProblemAlert';

// A table whose rows come page by page from the server: the API's lists are keyset-paginated
// (`limit` and a cursor; the answer names the `next` cursor), so the table keeps the cursors it has
// seen to go back, and starts again from the first page whenever the filters change.

export type RowPage<T> = { rows: T[]; next: string | null | undefined };

export function ServerTable<T extends object>({
  queryKey,
  fetchPage,
  columns,
  rowKey,
  filtered = false,
  pageSizes = [20, 50, 100],
  onRow,
  expandable,
  testId,
}: {
  /** Identifies the list and its filters; a change starts from the first page. */
  queryKey: readonly unknown[];
  fetchPage: (cursor: string | undefined, limit: number) => Promise<RowPage<T>>;
  columns: TableProps<T>['columns'];
  rowKey: TableProps<T>['rowKey'];
  /** Whether filters are applied (the empty state says so). */
  filtered?: boolean;
  pageSizes?: number[];
  onRow?: TableProps<T>['onRow'];
  expandable?: TableProps<T>['expandable'];
  testId?: string;
}) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [limit, setLimit] = useState(pageSizes[0] ?? 20);
  const keyText = JSON.stringify(queryKey);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new list or new filters start at page one
  useEffect(() => setCursors([undefined]), [keyText, limit]);
  const page = cursors.length - 1;
  const cursor = cursors[page];
  const query = useQuery({
    queryKey: [...queryKey, { cursor, limit }],
    queryFn: () => fetchPage(cursor, limit),
    placeholderData: keepPreviousData,
  });

  if (query.isError && query.data === undefined)
    return <ProblemAlert error={query.error} onRetry={() => void query.refetch()} />;
  const rows = query.data?.rows ?? [];
  const next = query.data?.next ?? undefined;
  return (
    <div className="server-table" data-testid={testId}>
      {query.isError && <ProblemAlert error={query.error} onRetry={() => void query.refetch()} />}
      <Table<T>
        size="middle"
        columns={columns}
        dataSource={rows}
        rowKey={rowKey}
        loading={query.isFetching}
        pagination={false}
        onRow={onRow}
        expandable={expandable}
        scroll={{ x: 'max-content' }}
        locale={{
          emptyText: <Empty description={filtered ? t('state.emptyFiltered') : t('state.empty')} />,
        }}
      />
      <Flex justify="flex-end" align="center" gap="small" className="server-table-pager">
        <Typography.Text type="secondary">{t('table.page', { page: page + 1 })}</Typography.Text>
        <Space>
          <Button size="small" disabled={page === 0} onClick={() => setCursors((list) => list.slice(0, -1))}>
            {t('action.previous')}
          </Button>
          <Button
            size="small"
            disabled={next === undefined || next === null}
            onClick={() => setCursors((list) => [...list, next ?? undefined])}
          >
            {t('action.next')}
          </Button>
          <Select
            size="small"
            value={limit}
            onChange={setLimit}
            options={pageSizes.map((size) => ({ value: size, label: t('table.pageSize', { count: size }) }))}
          />
        </Space>
      </Flex>
    </div>
  );
}
