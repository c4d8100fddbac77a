import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PageShell } from '../../components/PageShell';
import type { useCollection } from './collection';
import { CollectionOutcome } from './Outcome';

type Read = { isPending: boolean; error: unknown; refetch: () => unknown };

/**
 * The frame of a page that collects from the bound card (repay, payoff, prepay): its reads' loading
 * and error states until a payment is under way, then that payment's outcome — the reads it
 * refreshes (a quote of a loan now closed is refused) no longer replace it; a closed loan says so.
 */
export function CollectionPage({
  title,
  loanId,
  reads,
  collection,
  confirmDialog,
  closed,
  successTitle,
  extra,
  children,
}: {
  title: string;
  loanId: string;
  /** What the page reads; a quote only while the loan is open. */
  reads: readonly Read[];
  collection: ReturnType<typeof useCollection>;
  confirmDialog: ReactNode;
  /** The loan's servicing has loaded and it is no longer open. */
  closed: boolean;
  successTitle: string;
  extra?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation('repay');
  const { outcome, lookAgain, reset } = collection;
  const shown = outcome.phase !== 'idle' && outcome.phase !== 'refused';
  const error = reads.map((read) => read.error).find((e) => e !== null && e !== undefined);
  return (
    <>
      {confirmDialog}
      <PageShell
        title={title}
        back={`/loans/${loanId}`}
        loading={!shown && reads.some((read) => read.isPending)}
        error={shown ? undefined : (error ?? undefined)}
        onRetry={() => {
          for (const read of reads) void read.refetch();
        }}
      >
        {shown ? (
          <CollectionOutcome
            outcome={outcome}
            loanId={loanId}
            onLookAgain={lookAgain}
            onAgain={reset}
            successTitle={successTitle}
            extra={extra}
          />
        ) : closed ? (
          <div className="card" data-testid="loan-closed">
            <div className="hint">{t('closed')}</div>
          </div>
        ) : (
          children
        )}
      </PageShell>
    </>
  );
}
