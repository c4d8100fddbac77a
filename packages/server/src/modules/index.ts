import type { Module } from '../platform/http/app.ts';
import { systemRoutes } from './system/routes.ts';

/** Every bounded context that serves HTTP, in registration order. */
export const modules: Module[] = [{ name: 'system', routes: systemRoutes }];
