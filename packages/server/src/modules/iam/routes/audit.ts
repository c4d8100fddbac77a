import { z } from 'zod';
import { queryRoute } from '../../../platform/http/route.ts';
import { verifyAuditChain } from '../audit.ts';
import { listAuditEvents } from '../audit-events.ts';
import * as s from '../schemas.ts';

// The audit log for auditors: events in chain order, and a verification of the whole chain.

export const auditRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/audit/events',
    permission: 'audit:read',
    summary:
      'Audit events in chain order (page with afterSeq), or newest first (order=desc, page with beforeSeq)',
    tags: ['audit'],
    schema: { querystring: s.auditListQuery, response: { 200: z.array(s.auditEventView) } },
    handler: async ({ db, query }) => ({ status: 200, body: await listAuditEvents(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/audit/verification',
    permission: 'audit:read',
    summary: 'Verify the whole audit chain now (as `fenqi audit verify` does)',
    tags: ['audit'],
    schema: { response: { 200: s.auditVerification } },
    handler: async ({ db, services }) => {
      const result = await verifyAuditChain(db, services.config.secrets.auditKey);
      return {
        status: 200,
        body: result.ok
          ? { ok: true, rows: result.rows, head: result.head, brokenSeq: null, reason: null }
          : { ok: false, rows: result.rows, head: null, brokenSeq: result.brokenSeq, reason: result.reason },
      };
    },
  }),
];
