import { GlobalOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Dropdown, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useLocation, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { useCan, useSession, useStaff } from '../auth/session';
import { chooseLanguage, i18next, type Language, languages } from '../i18n';
import { areas } from '../pages/registry';

/** The signed-in console: the menu (only what the user's permissions allow), the header, the pages. */
export function AppLayout() {
  const { t } = useTranslation();
  const staff = useStaff();
  const { signOut } = useSession();
  const can = useCan();
  const navigate = useNavigate();
  const location = useLocation();
  const businessDate = useQuery({
    queryKey: ['business-date'],
    queryFn: () => unwrap(api.GET('/api/v1/business-date')),
    staleTime: 30_000,
  });

  const visible = useMemo(
    () =>
      areas
        .map((area) => ({ ...area, menu: area.menu.filter((item) => can(...item.permissions)) }))
        .filter((area) => area.menu.length > 0),
    [can],
  );
  const items = visible.map((area) =>
    area.menu.length === 1 && area.menu[0]
      ? { key: area.menu[0].path, icon: area.icon, label: t(`menu.${area.key}`) }
      : {
          key: area.key,
          icon: area.icon,
          label: t(`menu.${area.key}`),
          children: area.menu.map((item) => ({
            key: item.path,
            label: i18next.t(`${area.key}:${item.label}`),
          })),
        },
  );
  const paths = visible.flatMap((area) => area.menu.map((item) => item.path));
  const selected = paths
    .filter((path) => location.pathname === path || location.pathname.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length)[0];
  const openArea = visible.find((area) => area.menu.some((item) => item.path === selected))?.key;

  return (
    <Layout className="console-layout">
      <Layout.Sider width={220} breakpoint="lg" collapsedWidth={64} theme="dark">
        <div className="console-logo">{t('app.name')}</div>
        <Menu
          theme="dark"
          mode="inline"
          items={items}
          selectedKeys={selected ? [selected] : []}
          defaultOpenKeys={openArea ? [openArea] : []}
          onClick={({ key }) => navigate(key)}
          data-testid="menu"
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header className="console-header">
          <Space size="large">
            <Typography.Text type="secondary">
              {t('businessDate')}:{' '}
              <Tag color="blue" data-testid="business-date">
                {businessDate.data?.businessDate ?? '…'}
              </Tag>
            </Typography.Text>
          </Space>
          <Space size="middle">
            <Dropdown
              menu={{
                items: languages.map((language) => ({ key: language, label: t(`language.${language}`) })),
                onClick: ({ key }) => void chooseLanguage(key as Language, staff.user.id),
              }}
            >
              <Button icon={<GlobalOutlined />} type="text" data-testid="language">
                {t(`language.${i18next.language as Language}`)}
              </Button>
            </Dropdown>
            <Dropdown
              menu={{
                items: [{ key: 'signOut', icon: <LogoutOutlined />, label: t('action.signOut') }],
                onClick: () => void signOut(),
              }}
            >
              <Button icon={<UserOutlined />} type="text" data-testid="user">
                {staff.user.displayName}
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content className="console-content">
          <Suspense fallback={<Spin size="large" className="page-spin" />}>
            <Routes>
              {areas.flatMap((area) =>
                area.routes.map((route) => (
                  <Route
                    key={route.path}
                    path={route.path}
                    element={
                      can(...route.permissions) ? (
                        route.element
                      ) : (
                        <Result status="403" title="403" subTitle={t('state.forbidden')} />
                      )
                    }
                  />
                )),
              )}
              <Route path="*" element={<Result status="404" title="404" subTitle={t('state.notFound')} />} />
            </Routes>
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
