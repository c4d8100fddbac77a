import { z } from 'zod';
import { originOf } from '../../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../../platform/http/route.ts';
import { actorOf } from '../../iam/service.ts';
import * as service from './service.ts';
import { simRuleSchema, simRulesSchema } from './simulated.ts';

// The simulated real-name provider's rules (REAL_NAME_ADAPTER=simulated; 404 otherwise), so a test
// or a demo can make the register refuse someone on purpose.

const simRulesView = z.object({ rules: z.array(simRuleSchema) }).meta({ id: 'RealNameSimRules' });

export const realNameSimRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/customers/real-name-sim/rules',
    permission: 'customers:simulate',
    summary: 'The simulated real-name provider’s rules, first match wins',
    tags: ['customers'],
    schema: { response: { 200: simRulesView } },
    handler: async ({ db, services }) => ({ status: 200, body: await service.simRules(db, services.config) }),
  }),
  commandRoute({
    method: 'PUT',
    url: '/api/v1/customers/real-name-sim/rules',
    permission: 'customers:simulate',
    summary: 'Replace the simulated real-name provider’s rules',
    description:
      'A rule matches a query when every field it gives matches (nameContains, idNumberSuffix; neither: every query) and decides its outcome: match, mismatch, not_found or unavailable. No rule matching is a match. Audited (customers.real-name-sim-rules-replaced).',
    tags: ['customers'],
    schema: { body: z.strictObject({ rules: simRulesSchema }), response: { 200: simRulesView } },
    handler: async ({ trx, caller, body, request, services }) => ({
      status: 200,
      body: await service.replaceSimRules(trx, services.config, {
        rules: body.rules,
        actor: actorOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
];
