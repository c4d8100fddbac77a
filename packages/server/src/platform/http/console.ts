import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

// The admin console is a static single-page app (packages/console, built by Vite into dist/) that
// calls the public API like any integrator; the API serves its files under /console. Paths that
// name no file are the app's own routes and get index.html; the hashed assets are immutable.

export const defaultConsoleDir = fileURLToPath(new URL('../../../../console/dist/', import.meta.url));

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

export function consoleBuilt(dir = defaultConsoleDir): boolean {
  return existsSync(resolve(dir, 'index.html'));
}

export function registerConsole(app: FastifyInstance, dir = defaultConsoleDir): void {
  const root = resolve(dir);
  const notBuilt = () =>
    new AppError(
      'service_unavailable',
      'The console is not built: run `npm run build:console` (npm install does it) and restart.',
    );
  const serve = async (path: string) => {
    const file = resolve(root, `.${path}`);
    // Anything resolving outside the build directory is not a console file.
    if (file !== root && !file.startsWith(`${root}${sep}`)) return undefined;
    try {
      return { body: await readFile(file), type: types[extname(file)] ?? 'application/octet-stream', file };
    } catch {
      return undefined;
    }
  };
  const handler = async (request: { url: string }, reply: import('fastify').FastifyReply) => {
    const path = decodeURIComponent((request.url.split('?')[0] ?? '').replace(/^\/console/, '')) || '/';
    if (path.includes('\0')) throw new AppError('not_found', 'There is no such console file.');
    const asset = path !== '/' && extname(path) !== '' ? await serve(path) : undefined;
    if (asset !== undefined) {
      const immutable = path.startsWith('/assets/');
      return reply
        .type(asset.type)
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(asset.body);
    }
    if (extname(path) !== '' && path.startsWith('/assets/'))
      throw new AppError('not_found', `There is no console file ${path}.`);
    const index = await serve('/index.html');
    if (index === undefined) throw notBuilt();
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
  };
  // Static files: public, and outside the API's rate limit (a page load fetches several at once).
  const config = { permission: 'public', rateLimit: false } as const;
  app.get('/console', { schema: { hide: true }, config }, handler);
  app.get('/console/*', { schema: { hide: true }, config }, handler);
}
