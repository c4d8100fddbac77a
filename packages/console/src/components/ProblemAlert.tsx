import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/client';

/** An API problem (or any error) as the user should read it: what failed, each field, the request id. */
export function ProblemAlert({
  error,
  fallback,
  onRetry,
}: {
  error: unknown;
  fallback?: string;
  onRetry?: () => void;
}) {
  const { t } = useTranslation();
  const problem = error instanceof ApiProblem ? error : undefined;
  const message = problem?.message ?? fallback ?? (error instanceof Error ? error.message : t('state.error'));
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={message}
      description={
        problem && (problem.errors.length > 0 || problem.requestId) ? (
          <>
            {problem.errors.length > 0 && (
              <ul className="problem-fields">
                {problem.errors.map((field) => (
                  <li key={`${field.in}:${field.path}`}>
                    <Typography.Text code>{field.path || field.in}</Typography.Text> {field.message}
                  </li>
                ))}
              </ul>
            )}
            {problem.requestId && (
              <Typography.Text type="secondary">
                {t('state.requestId')}: {problem.requestId}
              </Typography.Text>
            )}
          </>
        ) : undefined
      }
      action={
        onRetry ? (
          <Typography.Link onClick={onRetry} data-testid="retry">
            {t('action.retry')}
          </Typography.Link>
        ) : undefined
      }
    />
  );
}
