import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { api, setTokenStore, type Tokens } from './api/client';

// The signed-in borrower: their tokens, kept in localStorage (fenqi.h5.tokens) so a reload stays
// signed in. The API client reads them from here and replaces them when it refreshes.

const storageKey = 'fenqi.h5.tokens';

function readTokens(): Tokens | undefined {
  try {
    const raw = localStorage.getItem(storageKey);
    if (raw === null) return undefined;
    const value = JSON.parse(raw) as Partial<Tokens>;
    if (typeof value.accessToken !== 'string' || typeof value.refreshToken !== 'string') return undefined;
    return {
      borrowerId: value.borrowerId ?? '',
      accessToken: value.accessToken,
      refreshToken: value.refreshToken,
    };
  } catch {
    return undefined;
  }
}

const listeners = new Set<(tokens: Tokens | undefined) => void>();

function writeTokens(next: Tokens | undefined): void {
  if (next === undefined) localStorage.removeItem(storageKey);
  else localStorage.setItem(storageKey, JSON.stringify(next));
  for (const listener of listeners) listener(next);
}

// Set when the module loads, before any page asks the API for anything (a component's effects run
// before its parent's, so an effect in the provider would come too late for the first calls).
setTokenStore({ get: readTokens, set: writeTokens, expired: () => writeTokens(undefined) });

type Auth = {
  signedIn: boolean;
  borrowerId: string | undefined;
  signIn(tokens: Tokens): void;
  signOut(): Promise<void>;
};

const AuthContext = createContext<Auth | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [tokens, setTokens] = useState<Tokens | undefined>(readTokens);
  const queries = useQueryClient();

  useEffect(() => {
    const listener = (next: Tokens | undefined) => {
      setTokens(next);
      // Signed out (or the refresh failed): nothing of the last borrower stays cached.
      if (next === undefined) queries.clear();
    };
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [queries]);

  const signIn = useCallback(
    (next: Tokens) => {
      queries.clear();
      writeTokens(next);
    },
    [queries],
  );

  const signOut = useCallback(async () => {
    // Ending the session on the server is best effort: the tokens go from this browser regardless.
    await api.POST('/api/v1/borrower/logout', {}).catch(() => undefined);
    writeTokens(undefined);
  }, []);

  const value = useMemo<Auth>(
    () => ({ signedIn: tokens !== undefined, borrowerId: tokens?.borrowerId, signIn, signOut }),
    [tokens, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === undefined) throw new Error('useAuth outside AuthProvider');
  return auth;
}

/** Its children for a signed-in borrower; otherwise the sign-in page, which comes back here after. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn } = useAuth();
  const location = useLocation();
  if (!signedIn) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}
