import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltInRole,
  builtInRoleNames,
  callerPermissions,
  isCallerPermission,
} from '../../src/modules/iam/permissions.ts';
import { application } from '../../src/modules/index.ts';
import type { RouteDefinition } from '../../src/platform/http/route.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, type TestServer } from '../support/server.ts';
import {
  createMerchantClient,
  createStaff,
  signedHeaders,
  signIn,
  signInBorrower,
  startIamServer,
} from './support.ts';

// The route × role matrix (issue 5 acceptance): generated from the routes that
// src/modules/index.ts registers — including routes other modules add later — and the permission
// registry. Every pair is sent over HTTP and must be allowed or refused exactly as the registry
// says. A route whose permission the registry does not know fails here (and at start-up).

type CallerName = 'anonymous' | BuiltInRole | 'borrower' | 'merchant';
type Expectation = 'allow' | { status: 401 | 403; code: string };

const registry = application.iam.permissions;
const routes: RouteDefinition[] = application.modules.flatMap((module) => module.routes);
const roleNames = [...builtInRoleNames];
const callerNames: CallerName[] = ['anonymous', ...roleNames, 'borrower', 'merchant'];

function expectation(route: RouteDefinition, caller: CallerName): Expectation {
  const permission = route.permission;
  if (!registry.isKnown(permission))
    throw new Error(`${route.method} ${route.url}: permission ${permission} is not in the registry`);
  if (permission === 'public') return 'allow';
  if (caller === 'anonymous') return { status: 401, code: 'unauthenticated' };
  if (isCallerPermission(permission)) {
    const kind = caller === 'borrower' || caller === 'merchant' ? caller : 'staff';
    return (callerPermissions[permission].kinds as readonly string[]).includes(kind)
      ? 'allow'
      : { status: 403, code: 'forbidden' };
  }
  if (!registry.isStaffPermission(permission)) throw new Error('unreachable');
  if (caller === 'borrower' || caller === 'merchant') return { status: 403, code: 'forbidden' };
  return registry.builtInRoles[caller].includes(permission) ? 'allow' : { status: 403, code: 'forbidden' };
}

/** A compute route with no body ends a session or login (logout): give it fresh credentials. */
const endsSession = (route: RouteDefinition) => route.kind === 'compute' && route.schema.body === undefined;

let database: TestDatabase;
let server: TestServer;
const credentials = new Map<
  CallerName,
  (method: string, path: string, body: string) => Promise<Record<string, string>>
>();
/** Signs a caller in again (after a logout route ended its session or all of its sessions). */
const renewals = new Map<CallerName, () => Promise<void>>();

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startIamServer(database, {
    OTP_SENDS_PER_PHONE_MAX: '100',
    OTP_SENDS_PER_IP_MAX: '1000',
    // Every route × every caller from one address: far more requests than a real client makes.
    RATE_LIMIT_MAX: '100000',
  });
  const { db, config } = { db: database.db, config: server.config };
  credentials.set('anonymous', async () => ({}));
  for (const role of roleNames) {
    const user = await createStaff(db, config, [role]);
    let session = await signIn(db, config, user);
    credentials.set(role, async (method) => session.headers(method !== 'GET'));
    renewals.set(role, async () => {
      session = await signIn(db, config, user);
    });
  }
  const phone = `139${String(Date.now()).slice(-8)}`;
  let borrower = await signInBorrower(db, config, phone);
  credentials.set('borrower', async () => borrower.headers);
  renewals.set('borrower', async () => {
    borrower = await signInBorrower(db, config, phone);
  });
  const client = await createMerchantClient(db, config);
  credentials.set('merchant', async (method, path, body) => signedHeaders(client, method, path, body));
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

function concretePath(route: RouteDefinition): string {
  return route.url.replace(/:[A-Za-z]+/g, () => randomUUID());
}

describe('route × role matrix', () => {
  it('every registered route declares a permission the registry knows', () => {
    const unknown = routes.filter((route) => !route.permission || !registry.isKnown(route.permission));
    expect(unknown.map((route) => `${route.method} ${route.url} (${route.permission})`)).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  for (const route of routes) {
    it(`${route.method} ${route.url} [${route.permission}]`, async () => {
      const outcomes: string[] = [];
      const expected: string[] = [];
      for (const caller of callerNames) {
        const path = concretePath(route);
        // An empty JSON object: valid JSON that fails most body schemas, and commands get no
        // Idempotency-Key, so an allowed request stops at validation and changes nothing.
        const body = route.method === 'GET' ? undefined : '{}';
        const headers = await (credentials.get(caller) ?? (async () => ({})))(route.method, path, body ?? '');
        const response = await http(server.baseUrl, route.method, path, {
          ...(body === undefined ? {} : { rawBody: body }),
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        });
        if (endsSession(route)) await renewals.get(caller)?.();
        const want = expectation(route, caller);
        const code = (response.json as { code?: string } | undefined)?.code;
        expected.push(`${caller}: ${want === 'allow' ? 'allowed' : `${want.status} ${want.code}`}`);
        if (want === 'allow') {
          outcomes.push(
            `${caller}: ${response.status === 401 || response.status === 403 || response.status >= 500 ? `${response.status} ${code}` : 'allowed'}`,
          );
        } else {
          outcomes.push(`${caller}: ${response.status} ${code}`);
        }
      }
      expect(outcomes).toEqual(expected);
    });
  }
});
