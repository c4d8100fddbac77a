import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { fieldErrors } from '../../platform/http/problem.ts';
import type { Caller } from '../../platform/http/route.ts';
import { appendAudit } from './audit.ts';
import type { PermissionRegistry } from './permissions.ts';
import * as store from './store.ts';

// Maker-checker (four eyes). A maker asks for an action with a payload and a reason; a different
// staff user holding the action's checker permission approves or rejects it. On approval the
// action runs inside the approving request's transaction together with the status change and the
// audit rows, so "approved" and "done" commit together or not at all; an action that fails
// (an AppError) leaves the request pending and changes nothing.
//
// A module declares its actions in its module definition (`approvalActions`); modules/index.ts
// composes them into the registry the approval routes decide with. The module's own route asks
// for one with requestApproval(trx, config, { action, … }).

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
  makerPermission: string;
  checkerPermission: string;
  payload: S;
  /** Checks at request time that the action could run (the target exists, a cap is kept, …). */
  validate?: (trx: Tx, payload: z.output<S>, config: Config) => Promise<void>;
  /** Runs on approval; returns a JSON-able result stored with the request. */
  execute: (trx: Tx, payload: z.output<S>, context: ApprovalContext) => Promise<unknown>;
  /**
   * The staff user whose own access the action changes, if any: that user may not decide it (a
   * checker approving their own role change would be one pair of eyes, not four).
   */
  subjectUserId?: (payload: z.output<S>) => string | undefined;
};

export type ApprovalRegistry = {
  /** Every action, by name. */
  list(): readonly ApprovalAction[];
  get(name: string): ApprovalAction | undefined;
};

/** The registry of every module's actions; unknown permissions and duplicate names fail start-up. */
export function createApprovalRegistry(
  actions: readonly ApprovalAction[],
  permissions: PermissionRegistry,
): ApprovalRegistry {
  const byName = new Map<string, ApprovalAction>();
  for (const action of actions) {
    if (byName.has(action.name)) throw new Error(`approval action ${action.name} is declared twice`);
    for (const permission of [action.makerPermission, action.checkerPermission]) {
      if (!permissions.isStaffPermission(permission))
        throw new Error(`approval action ${action.name} needs ${permission}, which no module declares`);
    }
    byName.set(action.name, action);
  }
  const sorted = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { list: () => sorted, get: (name) => byName.get(name) };
}

/** An action with its payload type erased, for the registry (the payload is parsed before use). */
export function approvalAction<S extends z.ZodType>(action: ApprovalAction<S>): ApprovalAction {
  return action as unknown as ApprovalAction;
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
  /** The maker's display name, for the inbox (the id stays the reference). */
  makerName: string | null;
  status: 'pending' | 'approved' | 'rejected';
  checkerId: string | null;
  checkerName: string | null;
  decisionNote: string | null;
  decidedAt: Date | null;
  result: unknown;
  createdAt: Date;
};

type Staff = { userId: string; permissions: ReadonlySet<string> };

export async function requestApproval(
  trx: Tx,
  config: Config,
  input: { action: ApprovalAction; payload: unknown; reason: string; maker: Staff; origin: Origin },
): Promise<ApprovalView> {
  const { action } = input;
  if (!input.maker.permissions.has(action.makerPermission)) {
    throw new AppError(
      'forbidden',
      `Asking for ${action.name} needs the permission ${action.makerPermission}.`,
    );
  }
  const payload = parsePayload(action, input.payload);
  await action.validate?.(trx, payload, config);
  const id = randomUUID();
  const row = await store.insertApprovalRequest(trx, {
    id,
    action: action.name,
    payload,
    reason: input.reason,
    makerId: input.maker.userId,
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: input.maker.userId },
    action: 'approvals.requested',
    subject: { type: 'approval-request', id },
    origin: input.origin,
    after: { action: action.name, payload, reason: input.reason },
  });
  return (await viewsOf(trx, [row]))[0] as ApprovalView;
}

export async function decideApproval(
  trx: Tx,
  config: Config,
  registry: ApprovalRegistry,
  input: {
    id: string;
    decision: 'approve' | 'reject';
    note: string | undefined;
    checker: Staff;
    origin: Origin;
  },
): Promise<ApprovalView> {
  const row = await store.lockApprovalRequest(trx, input.id);
  if (!row) throw new AppError('not_found', `There is no approval request ${input.id}.`);
  const action = registry.get(row.action);
  if (!action) throw new Error(`approval action ${row.action} is not declared by any module`);
  if (!input.checker.permissions.has(action.checkerPermission)) {
    throw new AppError(
      'forbidden',
      `Deciding ${action.name} needs the permission ${action.checkerPermission}.`,
    );
  }
  if (row.maker_id === input.checker.userId) {
    throw new AppError('maker_cannot_check', 'You asked for this; another user must approve or reject it.');
  }
  const stored = action.payload.safeParse(row.payload);
  if (stored.success && action.subjectUserId?.(stored.data) === input.checker.userId) {
    throw new AppError(
      'checker_is_subject',
      'This request changes your own access; another user must approve or reject it.',
    );
  }
  if (row.status !== 'pending')
    throw new AppError('approval_not_pending', `This request was already ${row.status}.`);
  let result: unknown = null;
  if (input.decision === 'approve') {
    result =
      (await action.execute(trx, parsePayload(action, row.payload), {
        config,
        requestId: row.id,
        makerId: row.maker_id,
        checkerId: input.checker.userId,
        origin: input.origin,
      })) ?? null;
  }
  const decided = await store.recordApprovalDecision(trx, row.id, {
    status: input.decision === 'approve' ? 'approved' : 'rejected',
    checkerId: input.checker.userId,
    note: input.note ?? null,
    result,
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: input.checker.userId },
    action: input.decision === 'approve' ? 'approvals.approved' : 'approvals.rejected',
    subject: { type: 'approval-request', id: row.id },
    origin: input.origin,
    before: { status: 'pending' },
    after: { status: decided.status, action: row.action, result },
    ...(input.note === undefined ? {} : { details: { note: input.note } }),
  });
  return (await viewsOf(trx, [decided]))[0] as ApprovalView;
}

export async function listApprovals(db: DB, filter: store.ApprovalFilter): Promise<ApprovalView[]> {
  return viewsOf(db, await store.listApprovalRequests(db, filter));
}

export async function findApproval(db: DB, id: string): Promise<ApprovalView> {
  const row = await store.findApprovalRequest(db, id);
  if (!row) throw new AppError('not_found', `There is no approval request ${id}.`);
  return (await viewsOf(db, [row]))[0] as ApprovalView;
}

/** The requests as views, their makers' and checkers' names read in one query. */
async function viewsOf(db: DB | Tx, rows: readonly store.ApprovalRow[]): Promise<ApprovalView[]> {
  const ids = [...new Set(rows.flatMap((row) => [row.maker_id, row.checker_id]))].filter(
    (id): id is string => id !== null,
  );
  const names = await store.staffDisplayNames(db, ids);
  const nameOf = (id: string | null) => (id === null ? null : (names.get(id) ?? null));
  return rows.map((row) => ({
    id: row.id,
    action: row.action,
    payload: row.payload,
    reason: row.reason,
    makerId: row.maker_id,
    makerName: nameOf(row.maker_id),
    status: row.status,
    checkerId: row.checker_id,
    checkerName: nameOf(row.checker_id),
    decisionNote: row.decision_note,
    decidedAt: row.decided_at,
    result: row.result,
    createdAt: row.created_at,
  }));
}

/** The staff member behind a staff route's caller, as a maker or checker. */
export function staffOf(caller: Caller): Staff {
  if (caller.kind !== 'staff' || !caller.permissions)
    throw new Error('a staff route ran without a staff caller');
  return { userId: caller.id, permissions: caller.permissions };
}
