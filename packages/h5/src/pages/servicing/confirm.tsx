import { Dialog } from 'antd-mobile';
import { type ReactNode, useCallback, useRef, useState } from 'react';

// A confirmation before money moves (a debit, a payoff, a drawdown), as a dialog the page renders
// itself (antd-mobile's imperative Dialog.confirm needs a React 19 render hook set up; this does not):
// `ask` opens it and answers whether the borrower confirmed.

type Ask = { title: ReactNode; content: ReactNode; confirmText: string; cancelText: string };

export function useConfirm() {
  const [asked, setAsked] = useState<Ask | undefined>(undefined);
  const answer = useRef<((confirmed: boolean) => void) | undefined>(undefined);
  const close = useCallback((confirmed: boolean) => {
    answer.current?.(confirmed);
    answer.current = undefined;
    setAsked(undefined);
  }, []);
  const ask = useCallback(
    (question: Ask) =>
      new Promise<boolean>((resolve) => {
        answer.current?.(false);
        answer.current = resolve;
        setAsked(question);
      }),
    [],
  );
  const dialog = (
    <Dialog
      visible={asked !== undefined}
      title={asked?.title}
      content={<div data-testid="confirm-content">{asked?.content}</div>}
      onClose={() => close(false)}
      actions={[
        [
          { key: 'cancel', text: asked?.cancelText ?? '', onClick: () => close(false) },
          { key: 'confirm', text: asked?.confirmText ?? '', bold: true, onClick: () => close(true) },
        ],
      ]}
    />
  );
  return { ask, dialog };
}
