import type { ReactNode } from 'react';

/** A route of the console (under /console), and the permissions of which the user needs one. */
export type ConsoleRoute = { path: string; element: ReactNode; permissions: string[] };

/** A menu entry; `label` is a key in the area's i18n namespace. */
export type ConsoleMenuItem = { path: string; label: string; permissions: string[] };

/**
 * One area of the console (a top-level menu entry): its i18n namespace (locales/<lang>/<key>.json),
 * its menu entries and its routes. The layout shows an area only if the user may open one of its
 * entries, and a route the user may not open answers with the 403 page.
 */
export type ConsoleArea = {
  key: string;
  icon: ReactNode;
  menu: ConsoleMenuItem[];
  routes: ConsoleRoute[];
};
