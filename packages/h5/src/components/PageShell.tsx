import { NavBar } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { Loading } from './Loading';
import { PageError } from './ProblemNotice';

/**
 * One screen: the navigation bar (title, back) and the content, or the loading or error state in
 * its place. `back` is true (history back), a path, or false for no back arrow.
 */
export function PageShell({
  title,
  back = true,
  right,
  loading,
  error,
  onRetry,
  children,
}: {
  title: ReactNode;
  back?: boolean | string;
  right?: ReactNode;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  children?: ReactNode;
}) {
  const navigate = useNavigate();
  const onBack =
    back === false
      ? undefined
      : () => {
          if (typeof back === 'string') navigate(back);
          else if (window.history.length > 1) navigate(-1);
          else navigate('/');
        };
  return (
    <div className="page">
      <NavBar className="page-nav" back={back === false ? null : ''} onBack={onBack} right={right}>
        <h1 className="page-title">{title}</h1>
      </NavBar>
      <main className="page-body">
        {error !== undefined && error !== null ? (
          <PageError error={error} {...(onRetry ? { onRetry } : {})} />
        ) : loading ? (
          <Loading />
        ) : (
          children
        )}
      </main>
    </div>
  );
}
