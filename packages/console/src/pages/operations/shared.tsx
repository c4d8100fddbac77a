import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

// What the operations pages share: the open business date (the header's query, so one refresh
// moves both) and a command's Idempotency-Key as the typed client requires it.

export const businessDateKey = ['business-date'] as const;

export function useBusinessDate() {
  return useQuery({
    queryKey: businessDateKey,
    queryFn: () => unwrap(api.GET('/api/v1/business-date')),
    staleTime: 30_000,
  });
}

/** A fresh Idempotency-Key per submission, in `params.header` where the typed client wants it. */
export { commandKey } from '../../api/client';

/** 1234567 bytes → "1.18 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
