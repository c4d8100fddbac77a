import type { RouteDefinition } from '../platform/http/route.ts';
import type { JobDefinition } from '../platform/jobs.ts';
import type { LoopDefinition } from '../platform/notified-loop.ts';
import type { EventConsumer } from '../platform/outbox/event.ts';
import type { Services } from '../platform/services.ts';
import type { ApprovalAction } from './iam/approvals.ts';
import type { PermissionSpec } from './iam/permissions.ts';

/**
 * What a bounded context contributes to the application, declared in one place (its module.ts):
 * modules/index.ts composes these, and nothing registers itself at import time.
 */
export type ContextModule = {
  name: string;
  routes: readonly RouteDefinition[];
  /** The staff permissions its routes and approval actions need, with the built-in roles that hold them. */
  permissions?: Readonly<Record<string, PermissionSpec>>;
  /** Its maker-checker actions; its routes ask for them with requestApproval. */
  approvalActions?: readonly ApprovalAction[];
  /** Its recurring background jobs, given the services they need. */
  jobs?: (services: Services) => JobDefinition[];
  /** Its consumers of other modules' events (delivered from the outbox, exactly once each). */
  consumers?: readonly EventConsumer[];
  /** Its continuous background work (the payments submitter), woken by NOTIFY and by a timer. */
  loops?: (services: Services) => LoopDefinition[];
};
