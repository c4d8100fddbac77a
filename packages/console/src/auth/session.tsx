import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { api, type Schemas, setCsrfToken, setUnauthenticatedHandler, unwrap } from '../api/client';
import { chooseLanguage, languageFor } from '../i18n';

// The signed-in staff session: who, with which permissions (the menu and the pages follow them),
// and the CSRF token for writes. A 401 from any call means the session ended: the user returns to
// sign-in with the page they were on kept in `next`, and comes back to it after signing in.

export type StaffSession = Schemas['StaffSession'];

type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; session: StaffSession };

type SessionContext = {
  state: SessionState;
  /** Reads the session from the API (after sign-in or a password change). */
  refresh(): Promise<StaffSession | undefined>;
  signOut(): Promise<void>;
};

const Context = createContext<SessionContext | undefined>(undefined);

async function readSession(): Promise<StaffSession | undefined> {
  const { data, response } = await api.GET('/api/v1/staff/session');
  if (response.status === 401 || data === undefined) return undefined;
  return data;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const navigate = useNavigate();
  const location = useLocation();
  const queries = useQueryClient();

  const apply = useCallback(async (session: StaffSession | undefined) => {
    setCsrfToken(session?.csrfToken);
    if (session === undefined) {
      setState({ status: 'signedOut' });
      return;
    }
    await chooseLanguage(languageFor(session.user.id), session.user.id);
    setState({ status: 'signedIn', session });
  }, []);

  const refresh = useCallback(async () => {
    const session = await readSession();
    await apply(session);
    return session;
  }, [apply]);

  const signOut = useCallback(async () => {
    await unwrap(api.POST('/api/v1/staff/logout', {})).catch(() => undefined);
    queries.clear();
    await apply(undefined);
    navigate('/login', { replace: true });
  }, [apply, navigate, queries]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setCsrfToken(undefined);
      setState((current) => (current.status === 'signedOut' ? current : { status: 'signedOut' }));
      const here = `${window.location.pathname.replace(/^\/console/, '')}${window.location.search}`;
      if (!here.startsWith('/login')) navigate(`/login?expired=1&next=${encodeURIComponent(here)}`);
    });
    return () => setUnauthenticatedHandler(undefined);
  }, [navigate]);

  // Signed out on a page other than sign-in (first load without a session): go to sign-in, keep the page.
  useEffect(() => {
    if (state.status === 'signedOut' && !location.pathname.startsWith('/login')) {
      navigate(`/login?next=${encodeURIComponent(`${location.pathname}${location.search}`)}`, {
        replace: true,
      });
    }
  }, [state.status, location.pathname, location.search, navigate]);

  const value = useMemo(() => ({ state, refresh, signOut }), [state, refresh, signOut]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (context === undefined) throw new Error('useSession outside SessionProvider');
  return context;
}

/** The signed-in session (only inside the signed-in layout). */
export function useStaff(): StaffSession {
  const { state } = useSession();
  if (state.status !== 'signedIn') throw new Error('useStaff without a session');
  return state.session;
}

/** Whether the signed-in user holds any of these permissions (none given: any signed-in user). */
export function useCan(): (...permissions: string[]) => boolean {
  const { state } = useSession();
  const held = state.status === 'signedIn' ? new Set(state.session.permissions) : new Set<string>();
  return (...permissions) => permissions.length === 0 || permissions.some((p) => held.has(p));
}
