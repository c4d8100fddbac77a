import { randomUUID } from 'node:crypto';
import {
  type CaseEvent,
  type CaseState,
  caseTransition,
  type DelinquencyBucket,
  isOpenCaseState,
  localDate,
  pickAssignee,
  agencyReviewLapsed as reviewLapsed,
  type StrategyDefinition,
  type StrategyRule,
  selectStrategyRule,
} from '@fenqi/core';
import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { debtorPhoneOf } from '../customers/collections-contact.ts';
import type { OverdueFigures } from '../servicing/collections-figures.ts';
import { addTarget } from './contacts.ts';
import { agencyReviewLapsed, agencySuspended, caseClosed, notFound, transitionInvalid } from './problems.ts';
import type { CollectionsScope } from './scope.ts';
import type { CaseRow, CollectionsDb, CollectionsTx } from './tables.ts';

// Cases: one open case per overdue loan (a partial unique index), opened from servicing's
// loan-overdue event and closed when the loan is current, paid off or written off. Every state
// change goes through core's transitions table and leaves a history row. Routing follows the
// published strategies: the first rule fitting the bucket, product and overdue amount names the
// queue and who works it; an in-house agent or an agency is picked by load, and an agency whose
// annual review lapsed (or that is suspended) is never picked.

export const c = (db: DB | Tx) => db as unknown as CollectionsDb;
export const ct = (trx: Tx) => trx as unknown as CollectionsTx;

export type Actor = { kind: 'staff' | 'system'; id: string };
const actorText = (actor: Actor) => `${actor.kind}:${actor.id}`;
export const systemActor: Actor = { kind: 'system', id: 'collections' };

const openStates = sql<boolean>`state NOT IN ('resolved', 'written_off')`;

/** A case the scope reaches (locked for update on request), or 404. */
export async function caseInScope(
  db: DB | Tx,
  scope: CollectionsScope,
  caseId: string,
  options: { lock?: boolean } = {},
): Promise<CaseRow> {
  let query = c(db).selectFrom('collections_cases').selectAll().where('id', '=', caseId);
  if (scope.kind === 'agency') query = query.where('agency_id', '=', scope.agencyId);
  if (options.lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row === undefined) throw notFound('case', caseId);
  return row;
}

export async function openCaseOfLoan(trx: Tx, loanId: string): Promise<CaseRow | undefined> {
  return ct(trx)
    .selectFrom('collections_cases')
    .selectAll()
    .where('loan_id', '=', loanId)
    .where(openStates)
    .forUpdate()
    .executeTakeFirst();
}

export function assertOpen(row: CaseRow): void {
  if (!isOpenCaseState(row.state as CaseState)) throw caseClosed(row.id, row.state);
}

/** Applies a case event: core's table decides; the change and its history row commit together. */
export async function moveCase(
  trx: Tx,
  row: CaseRow,
  event: CaseEvent,
  input: {
    actor: Actor;
    reason?: string | undefined;
    sourceRef?: string | undefined;
    change?: Partial<Omit<CaseRow, 'id' | 'state' | 'created_at' | 'updated_at'>>;
    businessDate?: string;
  },
): Promise<CaseRow> {
  const moved = caseTransition(row.state as CaseState, event);
  if (!moved.ok) {
    if (!isOpenCaseState(row.state as CaseState)) throw caseClosed(row.id, row.state);
    throw transitionInvalid(row.id, row.state, event);
  }
  const closing = !isOpenCaseState(moved.to);
  const updated = await ct(trx)
    .updateTable('collections_cases')
    .set({
      ...input.change,
      state: moved.to,
      updated_at: new Date(),
      ...(closing ? { closed_on: input.businessDate ?? (await getBusinessDate(trx)) } : {}),
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await ct(trx)
    .insertInto('collections_case_history')
    .values({
      case_id: row.id,
      from_state: row.state,
      to_state: moved.to,
      event,
      actor: actorText(input.actor),
      reason: input.reason ?? null,
      source_ref: input.sourceRef ?? null,
    })
    .execute();
  return updated;
}

/** The published version of every strategy, in code order. */
export async function publishedStrategies(
  db: DB | Tx,
): Promise<{ code: string; version: number; definition: StrategyDefinition }[]> {
  const rows = await c(db)
    .selectFrom('collections_strategies')
    .select(['code', 'version', 'definition'])
    .where('status', '=', 'published')
    .orderBy('code')
    .execute();
  return rows.map((row) => ({ ...row, definition: row.definition as StrategyDefinition }));
}

export async function ruleFor(
  db: DB | Tx,
  facts: { bucket: string; productCode: string; overdueMinor: bigint },
): Promise<{ code: string; version: number; rule: StrategyRule } | undefined> {
  for (const strategy of await publishedStrategies(db)) {
    const rule = selectStrategyRule(strategy.definition, {
      bucket: facts.bucket as DelinquencyBucket,
      productCode: facts.productCode,
      overdueMinor: facts.overdueMinor,
    });
    if (rule !== undefined) return { code: strategy.code, version: strategy.version, rule };
  }
  return undefined;
}

/** Agents of a queue with their open cases now. */
async function agentLoads(trx: Tx, queue: string) {
  const members = await ct(trx)
    .selectFrom('collections_queue_members')
    .select(['agent_id', 'capacity'])
    .where('queue_code', '=', queue)
    .where('active', '=', true)
    .execute();
  if (members.length === 0) return [];
  const loads = await ct(trx)
    .selectFrom('collections_cases')
    .select(['agent_id', sql<number>`count(*)::int`.as('n')])
    .where(
      'agent_id',
      'in',
      members.map((m) => m.agent_id),
    )
    .where(openStates)
    .groupBy('agent_id')
    .execute();
  const byAgent = new Map(loads.map((l) => [l.agent_id, l.n]));
  return members.map((m) => ({
    id: m.agent_id,
    capacity: m.capacity,
    openCases: byAgent.get(m.agent_id) ?? 0,
  }));
}

/** Agencies of a queue that may take a new case today, with their open cases. */
async function agencyLoads(trx: Tx, queue: string, today: string) {
  const agencies = (
    await ct(trx)
      .selectFrom('collections_agencies')
      .select(['id', 'capacity', 'review_date'])
      .where('queue_code', '=', queue)
      .where('status', '=', 'active')
      .execute()
  ).filter((a) => !reviewLapsed(localDate(a.review_date), localDate(today)));
  if (agencies.length === 0) return [];
  const loads = await ct(trx)
    .selectFrom('collections_cases')
    .select(['agency_id', sql<number>`count(*)::int`.as('n')])
    .where(
      'agency_id',
      'in',
      agencies.map((a) => a.id),
    )
    .where(openStates)
    .groupBy('agency_id')
    .execute();
  const byAgency = new Map(loads.map((l) => [l.agency_id, l.n]));
  return agencies.map((a) => ({ id: a.id, capacity: a.capacity, openCases: byAgency.get(a.id) ?? 0 }));
}

/** An agency that may take a new case (manual assignment): active, reviewed within a year. */
export async function assignableAgency(trx: Tx, agencyId: string, today: string) {
  const agency = await ct(trx)
    .selectFrom('collections_agencies')
    .selectAll()
    .where('id', '=', agencyId)
    .executeTakeFirst();
  if (agency === undefined) throw notFound('agency', agencyId);
  if (agency.status !== 'active') throw agencySuspended(agency.id);
  if (reviewLapsed(localDate(agency.review_date), localDate(today)))
    throw agencyReviewLapsed(agency.id, agency.review_date);
  return agency;
}

/**
 * Routes a case by its rule: queue and strategy recorded; an agent or an agency picked by load
 * when the rule's handler is one (nobody free: the case waits in the queue, unassigned).
 */
async function routeCase(
  trx: Tx,
  row: CaseRow,
  chosen: { code: string; version: number; rule: StrategyRule } | undefined,
  today: string,
): Promise<CaseRow> {
  if (chosen === undefined) return row;
  const { rule } = chosen;
  const sameQueue = row.queue_code === rule.queue;
  let current = row;
  if (!sameQueue || row.strategy_code !== chosen.code || row.strategy_version !== chosen.version) {
    current = await ct(trx)
      .updateTable('collections_cases')
      .set({
        queue_code: rule.queue,
        strategy_code: chosen.code,
        strategy_version: chosen.version,
        updated_at: new Date(),
      })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const assignedHere = sameQueue && (current.agent_id !== null || current.agency_id !== null);
  if (assignedHere) return current;
  const reason = `strategy ${chosen.code} v${chosen.version}: ${rule.buckets.join('/')} → ${rule.queue}`;
  if (rule.handler === 'agent') {
    const agent = pickAssignee(await agentLoads(trx, rule.queue));
    if (agent === undefined) return current;
    if (current.state === 'transferred_to_agency')
      current = await moveCase(trx, current, 'recall', {
        actor: systemActor,
        reason,
        change: { agency_id: null },
      });
    return moveCase(trx, current, 'assign', {
      actor: systemActor,
      reason,
      change: { agent_id: agent.id, agency_id: null },
    });
  }
  if (rule.handler === 'agency') {
    const agency = pickAssignee(await agencyLoads(trx, rule.queue, today));
    if (agency === undefined) return current;
    if (current.state === 'transferred_to_agency')
      current = await moveCase(trx, current, 'recall', {
        actor: systemActor,
        reason,
        change: { agency_id: null },
      });
    return moveCase(trx, current, 'transfer_to_agency', {
      actor: systemActor,
      reason,
      change: { agency_id: agency.id, agent_id: null },
    });
  }
  return current;
}

/**
 * servicing.loan-overdue: the loan's open case gets today's figures (and is routed again when its
 * bucket moved), or a case opens — with the debtor's own number from the customers module.
 */
export async function openOrUpdateCase(
  trx: Tx,
  config: Config,
  figures: OverdueFigures,
  businessDate: string,
): Promise<CaseRow> {
  const existing = await openCaseOfLoan(trx, figures.loanId);
  if (existing !== undefined) {
    const updated = await ct(trx)
      .updateTable('collections_cases')
      .set({
        bucket: figures.bucket,
        dpd: figures.dpd,
        overdue_minor: figures.overdueMinor,
        updated_at: new Date(),
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (existing.bucket === figures.bucket) return updated;
    return routeCase(trx, updated, await ruleFor(trx, figures), businessDate);
  }
  const id = randomUUID();
  const created = await ct(trx)
    .insertInto('collections_cases')
    .values({
      id,
      loan_id: figures.loanId,
      loan_no: figures.loanNo,
      customer_id: figures.customerId,
      product_code: figures.productCode,
      bucket: figures.bucket,
      dpd: figures.dpd,
      overdue_minor: figures.overdueMinor,
      state: 'unassigned',
      queue_code: null,
      agent_id: null,
      agency_id: null,
      strategy_code: null,
      strategy_version: null,
      consent_from: null,
      consent_to: null,
      consent_note: null,
      opened_on: businessDate,
      closed_on: null,
      close_reason: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await ct(trx)
    .insertInto('collections_case_history')
    .values({
      case_id: id,
      from_state: null,
      to_state: 'unassigned',
      event: 'open',
      actor: actorText(systemActor),
      reason: `${figures.dpd} days past due (${figures.bucket})`,
      source_ref: `loan:${figures.loanId}`,
    })
    .execute();
  const phone = await debtorPhoneOf(trx, config, figures.customerId);
  if (phone !== undefined)
    await addTarget(trx, config, {
      customerId: figures.customerId,
      role: 'debtor',
      relation: 'self',
      phone,
      source: 'customers',
      createdBy: actorText(systemActor),
      ifExists: 'keep',
    });
  return routeCase(trx, created, await ruleFor(trx, figures), businessDate);
}

/** Refreshes an open case's figures from servicing's (after a repayment or a waiver). */
export async function refreshFigures(trx: Tx, row: CaseRow, figures: OverdueFigures): Promise<CaseRow> {
  return ct(trx)
    .updateTable('collections_cases')
    .set({
      bucket: /^M[1-7]$/.test(figures.bucket) ? figures.bucket : row.bucket,
      dpd: figures.dpd,
      overdue_minor: figures.overdueMinor,
      updated_at: new Date(),
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Closes a case: the loan is current or paid off (resolved), or written off. */
export async function closeCase(
  trx: Tx,
  row: CaseRow,
  reason: 'current' | 'paid_off' | 'written_off',
  input: { sourceRef: string; businessDate: string },
): Promise<CaseRow> {
  const open = await ct(trx)
    .selectFrom('collections_promises')
    .selectAll()
    .where('case_id', '=', row.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (open !== undefined) {
    // Paid in full or cured while a promise was open: the promise was kept. Written off: moot.
    const kept = reason !== 'written_off' && input.businessDate <= open.promised_date;
    await ct(trx)
      .updateTable('collections_promises')
      .set({
        status: kept ? 'kept' : reason === 'written_off' ? 'cancelled' : 'broken',
        settled_on: input.businessDate,
      })
      .where('id', '=', open.id)
      .execute();
  }
  return moveCase(trx, row, reason === 'written_off' ? 'write_off' : 'resolve', {
    actor: systemActor,
    reason: {
      current: 'the loan is current',
      paid_off: 'the loan is paid off',
      written_off: 'the loan was written off',
    }[reason],
    sourceRef: input.sourceRef,
    businessDate: input.businessDate,
    change: { close_reason: reason },
  });
}

/** Open promises whose date passed unpaid are broken (a promise dated D is kept by paying on D). */
export async function breakLapsedPromises(trx: Tx, businessDate: string, loanId?: string): Promise<number> {
  let query = ct(trx)
    .selectFrom('collections_promises as p')
    .innerJoin('collections_cases as k', 'k.id', 'p.case_id')
    .select(['p.id', 'p.case_id'])
    .where('p.status', '=', 'open')
    .where('p.promised_date', '<', businessDate);
  if (loanId !== undefined) query = query.where('k.loan_id', '=', loanId);
  const lapsed = await query.orderBy('p.id').forUpdate().execute();
  for (const promise of lapsed) {
    await ct(trx)
      .updateTable('collections_promises')
      .set({ status: 'broken', settled_on: businessDate })
      .where('id', '=', promise.id)
      .execute();
    const row = await ct(trx)
      .selectFrom('collections_cases')
      .selectAll()
      .where('id', '=', promise.case_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.state === 'promised_to_pay')
      await moveCase(trx, row, 'promise_broken', {
        actor: systemActor,
        reason: 'the promised date passed unpaid',
        sourceRef: `promise:${promise.id}`,
        businessDate,
      });
  }
  return lapsed.length;
}
