import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider, ErrorBlock } from 'antd-mobile';
import enUS from 'antd-mobile/es/locales/en-US';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiProblem } from './api/client';
import { AuthProvider, RequireAuth } from './auth';
import { PageShell } from './components/PageShell';
import { TabLayout } from './layout/TabLayout';
import { routes } from './pages/registry';
import type { H5Route } from './pages/types';

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // A problem the server meant (4xx) is not retried; a network failure is, once.
      retry: (count, error) => !(error instanceof ApiProblem && error.status < 500) && count < 1,
    },
  },
});

function screen(route: H5Route) {
  const page = route.tab ? <TabLayout tab={route.tab}>{route.element}</TabLayout> : route.element;
  return route.auth ? <RequireAuth>{page}</RequireAuth> : page;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <PageShell title={t('notFound.title')} back="/">
      <ErrorBlock status="empty" title={t('notFound.title')} description={t('notFound.description')} />
    </PageShell>
  );
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN}>
      <QueryClientProvider client={queries}>
        <BrowserRouter basename="/h5">
          <AuthProvider>
            <Routes>
              {routes.map((route) => (
                <Route key={route.path} path={route.path} element={screen(route)} />
              ))}
              <Route path="*" element={<NotFound />} />
            </Routes>
          </AuthProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </ConfigProvider>
  );
}
