import type { ReactNode } from 'react';

/**
 * A labelled form field: the label (tied to the input by `htmlFor`, so it is the input's name),
 * the control with anything beside it, and below it either the field's error or a hint.
 */
export function Field({
  label,
  htmlFor,
  error,
  hint,
  extra,
  children,
}: {
  label: ReactNode;
  htmlFor: string;
  error?: ReactNode;
  hint?: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
}) {
  const invalid = error !== undefined && error !== null && error !== false && error !== '';
  return (
    <div className={invalid ? 'field field-invalid' : 'field'}>
      <label className="field-label" htmlFor={htmlFor}>
        {label}
      </label>
      <div className="field-control">
        <div className="field-input">{children}</div>
        {extra}
      </div>
      {invalid ? (
        <div className="field-error" role="alert" data-testid={`${htmlFor}-error`}>
          {error}
        </div>
      ) : hint ? (
        <div className="hint">{hint}</div>
      ) : null}
    </div>
  );
}
