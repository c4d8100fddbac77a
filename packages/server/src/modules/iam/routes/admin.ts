import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../platform/errors.ts';
import { originOf } from '../../../platform/http/origin.ts';
import { type Caller, commandRoute, computeRoute, queryRoute } from '../../../platform/http/route.ts';
import { defineRoleAction, setUserRolesAction } from '../actions.ts';
import { requestApproval, staffOf } from '../approvals.ts';
import { actorOf } from '../audit.ts';
import { createApiClient, listApiClients, revokeApiClient } from '../partners.ts';
import { callerPermissions, isBuiltInRole } from '../permissions.ts';
import { listRoles } from '../roles.ts';
import * as s from '../schemas.ts';
import { createStaffUser, disableStaffUser, findStaffUserView, listStaffUsers } from '../users.ts';
import { type IamRegistries, noStore } from './context.ts';

// Administration: permissions and roles, staff users, merchant and funder API clients. Creating a
// user or an API key answers secrets shown once, so those POSTs take no Idempotency-Key
// (computeRoute): a stored replay would keep the secret in clear. Role changes go through
// maker-checker.

/** Who made a thing and from where, as creating services record it. */
const madeBy = (caller: Caller, request: FastifyRequest) => ({
  actor: actorOf(caller),
  origin: originOf(request),
});

export function adminRoutes(iam: IamRegistries) {
  const action = (name: string) => {
    const found = iam.approvals.get(name);
    if (!found) throw new Error(`IAM's approval action ${name} is not in the registry`);
    return found;
  };
  return [
    queryRoute({
      method: 'GET',
      url: '/api/v1/iam/permissions',
      permission: 'iam:read',
      summary: 'Every permission a route can require',
      tags: ['iam'],
      schema: { response: { 200: z.array(s.permissionView) } },
      handler: async () => ({
        status: 200,
        body: [
          ...[...iam.permissions.staff].map(([name, spec]) => ({
            name,
            description: spec.description,
            readOnly: spec.readOnly,
            sensitive: spec.sensitive,
            grantedTo: 'roles' as const,
          })),
          ...Object.entries(callerPermissions).map(([name, spec]) => ({
            name,
            description: spec.description,
            readOnly: false,
            sensitive: false,
            grantedTo: 'caller-kind' as const,
          })),
        ],
      }),
    }),
    queryRoute({
      method: 'GET',
      url: '/api/v1/iam/roles',
      permission: 'iam:read',
      summary: 'Built-in and custom roles with their permissions',
      tags: ['iam'],
      schema: { response: { 200: z.array(s.roleView) } },
      handler: async ({ db }) => ({ status: 200, body: await listRoles(db, iam.permissions) }),
    }),
    commandRoute({
      method: 'POST',
      url: '/api/v1/iam/roles',
      permission: 'iam:roles-request',
      summary: 'Ask for a custom role to be created or redefined (maker-checker)',
      tags: ['iam'],
      schema: { body: s.roleDefinitionBody, response: { 201: s.approvalView } },
      handler: async ({ trx, caller, body, request, services }) => {
        if (isBuiltInRole(body.name))
          throw new AppError(
            'role_built_in',
            `${body.name} is a built-in role; its permissions come from the modules that declare them.`,
          );
        return {
          status: 201,
          body: await requestApproval(trx, services.config, {
            action: action(defineRoleAction),
            payload: { name: body.name, description: body.description, permissions: body.permissions },
            reason: body.reason,
            maker: staffOf(caller),
            origin: originOf(request),
          }),
        };
      },
    }),
    queryRoute({
      method: 'GET',
      url: '/api/v1/iam/users',
      permission: 'iam:read',
      summary: 'Staff users and their roles, by username',
      description:
        'Filter by part of the name, status or role; page with `limit` and `after` (the username of the last user of the previous page). Without `limit`, every user.',
      tags: ['iam'],
      schema: { querystring: s.staffUserListQuery, response: { 200: z.array(s.staffUserView) } },
      handler: async ({ db, query }) => ({
        status: 200,
        body: await listStaffUsers(db, undefined, {
          q: query.q,
          status: query.status,
          role: query.role,
          afterUsername: query.after,
          limit: query.limit,
        }),
      }),
    }),
    computeRoute({
      method: 'POST',
      url: '/api/v1/iam/users',
      permission: 'iam:users-manage',
      summary: 'Create a staff user (one-time password, TOTP secret and recovery codes shown once)',
      description:
        'The new user has no roles: ask for them with POST /api/v1/iam/users/{userId}/role-changes. No Idempotency-Key: the response carries secrets that are never stored in clear; a retry creates another user (disable the unused one).',
      tags: ['iam'],
      schema: { body: s.createStaffUserBody, response: { 201: s.newStaffUser } },
      handler: async ({ caller, body, request, services }) => ({
        status: 201,
        headers: noStore,
        body: await services.db
          .transaction()
          .execute((trx) => createStaffUser(trx, services.config, { ...body, ...madeBy(caller, request) })),
      }),
    }),
    commandRoute({
      method: 'POST',
      url: '/api/v1/iam/users/:userId/disable',
      permission: 'iam:users-manage',
      summary: 'Disable a staff user and end their sessions',
      tags: ['iam'],
      schema: { params: z.strictObject({ userId: s.uuidParam }), response: { 200: s.staffUserView } },
      handler: async ({ trx, caller, params, request, services }) => {
        await disableStaffUser(trx, services.config, params.userId, actorOf(caller), originOf(request));
        return { status: 200, body: await findStaffUserView(trx, params.userId) };
      },
    }),
    commandRoute({
      method: 'POST',
      url: '/api/v1/iam/users/:userId/role-changes',
      permission: 'iam:roles-request',
      summary: "Ask for a staff user's roles to be replaced (maker-checker)",
      description: 'The checker must be another user than the maker, and not the user whose roles change.',
      tags: ['iam'],
      schema: {
        params: z.strictObject({ userId: s.uuidParam }),
        body: s.roleChangeBody,
        response: { 201: s.approvalView },
      },
      handler: async ({ trx, caller, params, body, request, services }) => ({
        status: 201,
        body: await requestApproval(trx, services.config, {
          action: action(setUserRolesAction),
          payload: { userId: params.userId, roles: body.roles },
          reason: body.reason,
          maker: staffOf(caller),
          origin: originOf(request),
        }),
      }),
    }),
    queryRoute({
      method: 'GET',
      url: '/api/v1/iam/api-clients',
      permission: 'iam:read',
      summary: 'Merchant and funder API clients (never their secrets), oldest first',
      description:
        'Filter by owner and status; page with `limit` and `after` (the id of the last client of the previous page). Without `limit`, every client.',
      tags: ['iam'],
      schema: { querystring: s.apiClientListQuery, response: { 200: z.array(s.apiClientView) } },
      handler: async ({ db, query }) => ({ status: 200, body: await listApiClients(db, query) }),
    }),
    computeRoute({
      method: 'POST',
      url: '/api/v1/iam/api-clients',
      permission: 'api-clients:manage',
      summary: 'Issue an API key and signing secret for a merchant or funder (secret shown once)',
      description:
        'No Idempotency-Key: the secret is never stored in clear. A retry issues another key; revoke the unused one.',
      tags: ['iam'],
      schema: { body: s.createApiClientBody, response: { 201: s.newApiClient } },
      handler: async ({ caller, body, request, services }) => ({
        status: 201,
        headers: noStore,
        body: await services.db
          .transaction()
          .execute((trx) => createApiClient(trx, services.config, { ...body, ...madeBy(caller, request) })),
      }),
    }),
    commandRoute({
      method: 'POST',
      url: '/api/v1/iam/api-clients/:clientId/revoke',
      permission: 'api-clients:manage',
      summary: 'Revoke an API key at once',
      tags: ['iam'],
      schema: { params: z.strictObject({ clientId: s.uuidParam }), response: { 200: s.apiClientView } },
      handler: async ({ trx, caller, params, request, services }) => ({
        status: 200,
        body: await revokeApiClient(
          trx,
          services.config,
          params.clientId,
          actorOf(caller),
          originOf(request),
        ),
      }),
    }),
  ];
}
