import type { UseQueryResult } from '@tanstack/react-query';
import { Empty, Result, Skeleton } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/client';
import { ProblemAlert } from './ProblemAlert';

/**
 * A query's three designed states: loading (a skeleton), failed (what failed, with retry; 403 and
 * 404 as their own results) and empty (`isEmpty`), then the content.
 */
export function QueryState<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isPending) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (query.isError) {
    const error = query.error;
    if (error instanceof ApiProblem && error.status === 403)
      return <Result status="403" title="403" subTitle={t('state.forbidden')} />;
    if (error instanceof ApiProblem && error.status === 404)
      return <Result status="404" title="404" subTitle={error.message} />;
    return <ProblemAlert error={error} onRetry={() => void query.refetch()} />;
  }
  if (isEmpty?.(query.data)) return <>{empty ?? <Empty description={t('state.empty')} />}</>;
  return <>{children(query.data)}</>;
}
