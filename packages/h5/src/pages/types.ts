import type { ReactNode } from 'react';

/** The tabs of the bottom bar: 首页 / 账单 / 我的. */
export type Tab = 'home' | 'bills' | 'me';

/**
 * A route of the H5 (under /h5). `auth` routes need a signed-in borrower (else the sign-in page,
 * which comes back after); `tab` pages show the bottom tab bar with that tab selected.
 */
export type H5Route = { path: string; element: ReactNode; auth: boolean; tab?: Tab };
