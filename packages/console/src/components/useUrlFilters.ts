import { useMemo } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A page's filters kept in the URL, so a reload, a shared link or a return from sign-in shows the
 * same list. Empty values are dropped.
 */
export function useUrlFilters<K extends string>(
  keys: readonly K[],
): [Partial<Record<K, string>>, (values: Partial<Record<K, string | undefined | null>>) => void, boolean] {
  const [params, setParams] = useSearchParams();
  const keyText = keys.join(',');
  // biome-ignore lint/correctness/useExhaustiveDependencies: keys are a constant list per page
  const filters = useMemo(() => {
    const found: Partial<Record<K, string>> = {};
    for (const key of keys) {
      const value = params.get(key);
      if (value !== null && value !== '') found[key] = value;
    }
    return found;
  }, [params, keyText]);
  const set = (values: Partial<Record<K, string | undefined | null>>) => {
    const next = new URLSearchParams();
    for (const key of keys) {
      const value = values[key];
      if (value !== undefined && value !== null && String(value).trim() !== '')
        next.set(key, String(value).trim());
    }
    setParams(next);
  };
  return [filters, set, Object.keys(filters).length > 0];
}
