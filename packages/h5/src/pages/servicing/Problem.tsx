import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/client';
import { useProblemMessage } from '../../components/ProblemNotice';

/**
 * The message for a repayment's problem: the servicing codes in the borrower's words (namespace
 * `servicing`, problems.<code>), any other code as the shell words it (common), with the figures the
 * problem carries (today's payoff, the date a stale quote was for).
 */
export function useServicingProblem() {
  const { t, i18n } = useTranslation('servicing');
  const common = useProblemMessage();
  return (error: unknown): string => {
    if (error instanceof ApiProblem && i18n.exists(`problems.${error.code}`, { ns: 'servicing' }))
      return t(`problems.${error.code}`);
    return common(error);
  };
}

export function ServicingProblem({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = useServicingProblem();
  if (error === null || error === undefined) return null;
  return (
    <div className="problem" role="alert" data-testid="problem">
      <div className="problem-message">{message(error)}</div>
      {onRetry && (
        <Button size="small" color="primary" fill="outline" onClick={onRetry}>
          {t('retry')}
        </Button>
      )}
    </div>
  );
}
