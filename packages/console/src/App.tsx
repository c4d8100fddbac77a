import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiProblem } from './api/client';
import { LoginPage } from './auth/LoginPage';
import { SessionProvider, useSession } from './auth/session';
import { AppLayout } from './layout/AppLayout';

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

function Screens() {
  const { state } = useSession();
  if (state.status === 'loading') return <Spin size="large" className="page-spin" />;
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        path="*"
        element={state.status === 'signedIn' ? <AppLayout /> : <Spin size="large" className="page-spin" />}
      />
    </Routes>
  );
}

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider
      locale={i18n.language === 'en' ? enUS : zhCN}
      theme={{ algorithm: theme.defaultAlgorithm, token: { colorPrimary: '#1f5fbf', borderRadius: 6 } }}
    >
      <AntApp>
        <QueryClientProvider client={queries}>
          <BrowserRouter basename="/console">
            <SessionProvider>
              <Screens />
            </SessionProvider>
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
