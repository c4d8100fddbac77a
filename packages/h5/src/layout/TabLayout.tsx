import { TabBar } from 'antd-mobile';
import { AppOutline, BillOutline, UserOutline } from 'antd-mobile-icons';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { Tab } from '../pages/types';

const tabs: { key: Tab; path: string; icon: ReactNode }[] = [
  { key: 'home', path: '/', icon: <AppOutline /> },
  { key: 'bills', path: '/bills', icon: <BillOutline /> },
  { key: 'me', path: '/me', icon: <UserOutline /> },
];

/** A tab page: its content above the bottom tab bar (首页 / 账单 / 我的). */
export function TabLayout({ tab, children }: { tab: Tab; children: ReactNode }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className="tab-layout">
      <div className="tab-content">{children}</div>
      <nav className="tab-bar" data-testid="tab-bar">
        <TabBar
          activeKey={tab}
          safeArea
          onChange={(key) => navigate(tabs.find((item) => item.key === key)?.path ?? '/')}
        >
          {tabs.map((item) => (
            <TabBar.Item key={item.key} icon={item.icon} title={t(`tabs.${item.key}`)} />
          ))}
        </TabBar>
      </nav>
    </div>
  );
}
