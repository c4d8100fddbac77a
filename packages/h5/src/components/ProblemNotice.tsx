import { Button, ErrorBlock } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/client';

/**
 * The message a borrower reads for a problem: the H5's own words for the codes it knows (in the
 * borrower's language), else the server's detail. Field errors shown on their fields are left out
 * with `hideFields`.
 */
export function useProblemMessage() {
  const { t, i18n } = useTranslation();
  return (error: unknown): string => {
    if (!(error instanceof ApiProblem)) return t('problems.unknown');
    const key = `problems.${error.code}`;
    if (i18n.exists(key, { ns: 'common' })) return t(key);
    if (error.status >= 500 || error.status === 0) return t('problems.unknown');
    return error.detail ?? error.message;
  };
}

/** An ApiProblem's message and its field errors, inline in a page or a form. */
export function ProblemNotice({
  error,
  hideFields = [],
  onRetry,
}: {
  error: unknown;
  /** Fields whose errors the form shows on the field itself. */
  hideFields?: string[];
  onRetry?: () => void;
}) {
  const { t } = useTranslation();
  const message = useProblemMessage();
  if (error === null || error === undefined) return null;
  const fields =
    error instanceof ApiProblem
      ? error.errors.filter((field) => !hideFields.includes(field.path.split(/[./]/).at(-1) ?? ''))
      : [];
  return (
    <div className="problem" role="alert" data-testid="problem">
      <div className="problem-message">{message(error)}</div>
      {fields.length > 0 && (
        <ul className="problem-fields">
          {fields.map((field) => (
            <li key={`${field.path}:${field.message}`}>
              {field.path}: {field.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <Button size="small" color="primary" fill="outline" onClick={onRetry}>
          {t('retry')}
        </Button>
      )}
    </div>
  );
}

/** A whole page that could not load. */
export function PageError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = useProblemMessage();
  return (
    <ErrorBlock status="default" title={t('loadFailed')} description={message(error)} fullPage={false}>
      {onRetry && (
        <Button color="primary" onClick={onRetry}>
          {t('retry')}
        </Button>
      )}
    </ErrorBlock>
  );
}
