import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { fieldErrors } from '../../platform/http/problem.ts';
import type { Caller } from '../../platform/http/route.ts';
import { appendAudit } from './audit.ts';
import type { StaffPermission } from './permissions.ts';
import type { Origin } from './staff.ts';

// Maker-checker (four eyes). A maker asks for an action with a payload and a reason; a different
// staff user holding the action's checker permission approves or rejects it. On approval the
// action runs inside the approving request's transaction together with the status change and the
// audit rows, so "approved" and "done" commit together or not at all; an action that fails
// (an AppError) leaves the request pending and changes nothing.
//
// Actions are registered by the module that owns them, at import time:
//   registerApprovalAction({ name: 'ledger.post-manual-journal', makerPermission: 'ledger:post',
//     checkerPermission: 'ledger:approve', payload: schema, execute: (trx, payload) => … })
// and asked for from that module's own route with requestApproval(trx, …).

export type ApprovalContext = {
  config: Config;
  requestId: string;
  makerId: string;
  checkerId: string;
  origin: Origin;
};

export type ApprovalAction<S extends z.ZodType = z.ZodType> = {
  /** `<context>.<verb>`, e.g. `iam.set-user-roles`. */
  name: string;
  summary: string;
  makerPermission: StaffPermission;
  checkerPermission: StaffPermission;
  payload: S;
  /** Checks at request time that the action could run (the target exists, …). */
  validate?: (db: Tx, payload: z.output<S>) => Promise<void>;
  /** Runs on approval; returns a JSON-able result stored with the request. */
  execute: (trx: Tx, payload: z.output<S>, context: ApprovalContext) => Promise<unknown>;
};

const registry = new Map<string, ApprovalAction>();

export function registerApprovalAction<S extends z.ZodType>(action: ApprovalAction<S>): void {
  if (registry.has(action.name)) throw new Error(`approval action ${action.name} is registered twice`);
  registry.set(action.name, action as unknown as ApprovalAction);
}

export function approvalActions(): ApprovalAction[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function actionOf(name: string): ApprovalAction {
  const action = registry.get(name);
  if (!action) throw new Error(`approval action ${name} is not registered`);
  return action;
}

function parsePayload(action: ApprovalAction, payload: unknown): unknown {
  const parsed = action.payload.safeParse(payload);
  if (!parsed.success) {
    throw new AppError('validation_failed', `The payload of ${action.name} is not valid.`, {
      errors: fieldErrors(parsed.error.issues, 'body'),
    });
  }
  return parsed.data;
}

export type ApprovalView = {
  id: string;
  action: string;
  payload: unknown;
  reason: string;
  makerId: string;
  status: 'pending' | 'approved' | 'rejected';
  checkerId: string | null;
  decisionNote: string | null;
  decidedAt: Date | null;
  result: unknown;
  createdAt: Date;
};

type Staff = { userId: string; permissions: ReadonlySet<string> };

export async function requestApproval(
  trx: Tx,
  config: Config,
  input: { action: string; payload: unknown; reason: string; maker: Staff; origin: Origin },
): Promise<ApprovalView> {
  const action = actionOf(input.action);
  if (!input.maker.permissions.has(action.makerPermission)) {
    throw new AppError(
      'forbidden',
      `Asking for ${action.name} needs the permission ${action.makerPermission}.`,
    );
  }
  const payload = parsePayload(action, input.payload);
  await action.validate?.(trx, payload);
  const id = randomUUID();
  const row = await trx
    .insertInto('approval_requests')
    .values({
      id,
      action: action.name,
      payload: JSON.stringify(payload),
      reason: input.reason,
      maker_id: input.maker.userId,
      checker_id: null,
      decision_note: null,
      decided_at: null,
      result: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: input.maker.userId },
    action: 'approvals.requested',
    subject: { type: 'approval-request', id },
    origin: input.origin,
    after: { action: action.name, payload, reason: input.reason },
  });
  return toView(row);
}

export async function decideApproval(
  trx: Tx,
  config: Config,
  input: {
    id: string;
    decision: 'approve' | 'reject';
    note: string | undefined;
    checker: Staff;
    origin: Origin;
  },
): Promise<ApprovalView> {
  const row = await trx
    .selectFrom('approval_requests')
    .selectAll()
    .where('id', '=', input.id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no approval request ${input.id}.`);
  const action = actionOf(row.action);
  if (!input.checker.permissions.has(action.checkerPermission)) {
    throw new AppError(
      'forbidden',
      `Deciding ${action.name} needs the permission ${action.checkerPermission}.`,
    );
  }
  if (row.maker_id === input.checker.userId) {
    throw new AppError('maker_cannot_check', 'You asked for this; another user must approve or reject it.');
  }
  if (row.status !== 'pending')
    throw new AppError('approval_not_pending', `This request was already ${row.status}.`);
  let result: unknown = null;
  if (input.decision === 'approve') {
    const payload = parsePayload(action, row.payload);
    result =
      (await action.execute(trx, payload, {
        config,
        requestId: row.id,
        makerId: row.maker_id,
        checkerId: input.checker.userId,
        origin: input.origin,
      })) ?? null;
  }
  const decided = await trx
    .updateTable('approval_requests')
    .set({
      status: input.decision === 'approve' ? 'approved' : 'rejected',
      checker_id: input.checker.userId,
      decision_note: input.note ?? null,
      decided_at: new Date(),
      result: result === null ? null : JSON.stringify(result),
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: input.checker.userId },
    action: input.decision === 'approve' ? 'approvals.approved' : 'approvals.rejected',
    subject: { type: 'approval-request', id: row.id },
    origin: input.origin,
    before: { status: 'pending' },
    after: { status: decided.status, action: row.action, result },
    ...(input.note === undefined ? {} : { details: { note: input.note } }),
  });
  return toView(decided);
}

export async function listApprovals(
  db: DB,
  filter: { status?: 'pending' | 'approved' | 'rejected' | undefined; limit: number },
): Promise<ApprovalView[]> {
  let query = db
    .selectFrom('approval_requests')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(filter.limit);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(toView);
}

export async function findApproval(db: DB, id: string): Promise<ApprovalView> {
  const row = await db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no approval request ${id}.`);
  return toView(row);
}

function toView(row: {
  id: string;
  action: string;
  payload: unknown;
  reason: string;
  maker_id: string;
  status: 'pending' | 'approved' | 'rejected';
  checker_id: string | null;
  decision_note: string | null;
  decided_at: Date | null;
  result: unknown;
  created_at: Date;
}): ApprovalView {
  return {
    id: row.id,
    action: row.action,
    payload: row.payload,
    reason: row.reason,
    makerId: row.maker_id,
    status: row.status,
    checkerId: row.checker_id,
    decisionNote: row.decision_note,
    decidedAt: row.decided_at,
    result: row.result,
    createdAt: row.created_at,
  };
}

/** The staff member behind a staff route's caller, as a maker or checker. */
export function staffOf(caller: Caller): Staff {
  if (caller.kind !== 'staff' || !caller.permissions)
    throw new Error('a staff route ran without a staff caller');
  return { userId: caller.id, permissions: caller.permissions };
}

/** An approval request as the API shows it (the `ApprovalRequest` schema). */
export function approvalJson(view: ApprovalView) {
  return {
    ...view,
    decidedAt: view.decidedAt === null ? null : view.decidedAt.toISOString(),
    createdAt: view.createdAt.toISOString(),
  };
}
