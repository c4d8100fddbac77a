import { NoticeBar } from 'antd-mobile';
import { useTranslation } from 'react-i18next';

/** The demo environment shows the code it sent (DEMO_SHOW_CODES); a real deployment never answers one. */
export function DemoCode({ code }: { code: string | undefined | null }) {
  const { t } = useTranslation();
  if (code === undefined || code === null || code === '') return null;
  return (
    <NoticeBar
      className="demo-code"
      color="info"
      wrap
      content={<span data-testid="demo-code">{t('demoCode', { code })}</span>}
    />
  );
}
