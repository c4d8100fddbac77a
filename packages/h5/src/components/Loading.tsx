import { DotLoading } from 'antd-mobile';
import { useTranslation } from 'react-i18next';

/** A page (or a part of one) waiting for the API. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status" aria-live="polite">
      <DotLoading color="primary" />
      <span>{label ?? t('loading')}</span>
    </div>
  );
}
