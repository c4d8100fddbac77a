import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

// The admin console (packages/console) and the borrower H5 (packages/h5) are static single-page
// apps, built by Vite into their dist/, that call the public API like any integrator; the API
// serves each under its prefix (/console, /h5). Paths that name no file are the app's own routes
// and get index.html; the hashed assets are immutable.

export type Spa = {
  /** The URL prefix, e.g. `/console`. */
  prefix: string;
  /** Its build directory (index.html and assets/). */
  dir: string;
  /** What the operator runs when it is not built. */
  build: string;
  /** How errors name it: 'console', 'borrower H5'. */
  name: string;
};

const built = (path: string) => fileURLToPath(new URL(`../../../../${path}/dist/`, import.meta.url));

export const consoleSpa: Spa = {
  prefix: '/console',
  dir: built('console'),
  build: 'npm run build:console',
  name: 'console',
};
export const h5Spa: Spa = { prefix: '/h5', dir: built('h5'), build: 'npm run build:h5', name: 'borrower H5' };

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export function spaBuilt(spa: Pick<Spa, 'dir'>): boolean {
  return existsSync(resolve(spa.dir, 'index.html'));
}

export function registerSpa(app: FastifyInstance, spa: Spa): void {
  const root = resolve(spa.dir);
  const notBuilt = () =>
    new AppError(
      'service_unavailable',
      `The ${spa.name} is not built: run \`${spa.build}\` (npm install does it) and restart.`,
    );
  const serve = async (path: string) => {
    const file = resolve(root, `.${path}`);
    // Anything resolving outside the build directory is not one of the app's files.
    if (file !== root && !file.startsWith(`${root}${sep}`)) return undefined;
    try {
      return { body: await readFile(file), type: types[extname(file)] ?? 'application/octet-stream', file };
    } catch {
      return undefined;
    }
  };
  const handler = async (request: { url: string }, reply: import('fastify').FastifyReply) => {
    const path = decodeURIComponent((request.url.split('?')[0] ?? '').slice(spa.prefix.length)) || '/';
    if (path.includes('\0')) throw new AppError('not_found', `There is no such ${spa.name} file.`);
    const asset = path !== '/' && extname(path) !== '' ? await serve(path) : undefined;
    if (asset !== undefined) {
      const immutable = path.startsWith('/assets/');
      return reply
        .type(asset.type)
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(asset.body);
    }
    if (extname(path) !== '' && path.startsWith('/assets/'))
      throw new AppError('not_found', `There is no ${spa.name} file ${path}.`);
    const index = await serve('/index.html');
    if (index === undefined) throw notBuilt();
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
  };
  // Static files: public, and outside the API's rate limit (a page load fetches several at once).
  const config = { permission: 'public', rateLimit: false } as const;
  app.get(spa.prefix, { schema: { hide: true }, config }, handler);
  app.get(`${spa.prefix}/*`, { schema: { hide: true }, config }, handler);
}
