import { randomUUID } from 'node:crypto';
import { type StrategyDefinition, strategyIssues } from '@fenqi/core';
import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors.ts';
import { type Actor, assertOpen, assignableAgency, c, caseInScope, ct, moveCase } from './cases.ts';
import { assigneeInvalid, fieldInvalid, notFound } from './problems.ts';
import type { CollectionsScope } from './scope.ts';
import type { AgencyRow, CaseRow, StrategyRow } from './tables.ts';

// Management, in-house only: strategy versions (draft → published; publishing retires the version
// in force), queues and their agents, agencies and their members, and manual assignment.

export async function createStrategyVersion(
  trx: Tx,
  input: { code: string; definition: StrategyDefinition; createdBy: string },
): Promise<StrategyRow> {
  const issues = strategyIssues(input.definition);
  if (issues.length > 0)
    throw fieldInvalid(
      'strategy_invalid',
      'The strategy is not valid.',
      issues.map((i) => ({ path: `definition.${i.path}`, message: i.message })),
    );
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`collections:strategy:${input.code}`}))`.execute(trx);
  const last = await ct(trx)
    .selectFrom('collections_strategies')
    .select(sql<number>`coalesce(max(version), 0)::int`.as('v'))
    .where('code', '=', input.code)
    .executeTakeFirstOrThrow();
  return ct(trx)
    .insertInto('collections_strategies')
    .values({
      code: input.code,
      version: last.v + 1,
      status: 'draft',
      definition: JSON.stringify(input.definition),
      created_by: input.createdBy,
      published_at: null,
      published_by: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function publishStrategy(
  trx: Tx,
  input: { code: string; version: number; publishedBy: string },
): Promise<StrategyRow> {
  const row = await ct(trx)
    .selectFrom('collections_strategies')
    .selectAll()
    .where('code', '=', input.code)
    .where('version', '=', input.version)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw notFound('strategy version', `${input.code} v${input.version}`);
  if (row.status !== 'draft')
    throw new AppError('strategy_not_draft', `${input.code} v${input.version} is ${row.status}.`, {
      extensions: { status: row.status },
    });
  await ct(trx)
    .updateTable('collections_strategies')
    .set({ status: 'retired' })
    .where('code', '=', input.code)
    .where('status', '=', 'published')
    .execute();
  return ct(trx)
    .updateTable('collections_strategies')
    .set({ status: 'published', published_at: new Date(), published_by: input.publishedBy })
    .where('code', '=', input.code)
    .where('version', '=', input.version)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listStrategies(db: DB): Promise<StrategyRow[]> {
  return c(db).selectFrom('collections_strategies').selectAll().orderBy('code').orderBy('version').execute();
}

export async function createQueue(trx: Tx, input: { code: string; name: string }) {
  return orConflict(
    ct(trx).insertInto('collections_queues').values(input).returningAll().executeTakeFirstOrThrow(),
    {
      collections_queues_pkey: () =>
        new AppError('collections_queue_exists', `There is a queue ${input.code} already.`),
    },
  );
}

async function queueExists(trx: Tx, code: string, path: string) {
  const queue = await ct(trx)
    .selectFrom('collections_queues')
    .select('code')
    .where('code', '=', code)
    .executeTakeFirst();
  if (queue === undefined)
    throw new AppError('validation_failed', `There is no queue ${code}.`, {
      errors: [{ in: 'body', path, message: 'must be an existing queue' }],
    });
}

export async function setQueueMember(
  trx: Tx,
  input: { queue: string; agentId: string; capacity: number; active: boolean },
) {
  const queue = await ct(trx)
    .selectFrom('collections_queues')
    .select('code')
    .where('code', '=', input.queue)
    .executeTakeFirst();
  if (queue === undefined) throw notFound('queue', input.queue);
  return ct(trx)
    .insertInto('collections_queue_members')
    .values({
      queue_code: input.queue,
      agent_id: input.agentId,
      capacity: input.capacity,
      active: input.active,
    })
    .onConflict((oc) =>
      oc.columns(['queue_code', 'agent_id']).doUpdateSet({ capacity: input.capacity, active: input.active }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

const nameTaken = (name: string) => () =>
  new AppError('agency_name_taken', `There is an agency named ${name} already.`);

export async function createAgency(
  trx: Tx,
  input: { name: string; queue: string; reviewDate: string; capacity: number },
): Promise<AgencyRow> {
  await queueExists(trx, input.queue, 'queue');
  return orConflict(
    ct(trx)
      .insertInto('collections_agencies')
      .values({
        id: randomUUID(),
        name: input.name,
        queue_code: input.queue,
        status: 'active',
        review_date: input.reviewDate,
        capacity: input.capacity,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
    { collections_agencies_name_key: nameTaken(input.name) },
  );
}

export async function updateAgency(
  trx: Tx,
  agencyId: string,
  change: {
    name?: string | undefined;
    status?: 'active' | 'suspended' | undefined;
    capacity?: number | undefined;
    reviewDate?: string | undefined;
  },
): Promise<AgencyRow> {
  const set = {
    ...(change.name === undefined ? {} : { name: change.name }),
    ...(change.status === undefined ? {} : { status: change.status }),
    ...(change.capacity === undefined ? {} : { capacity: change.capacity }),
    ...(change.reviewDate === undefined ? {} : { review_date: change.reviewDate }),
    updated_at: new Date(),
  };
  const row = await orConflict(
    ct(trx)
      .updateTable('collections_agencies')
      .set(set)
      .where('id', '=', agencyId)
      .returningAll()
      .executeTakeFirst(),
    { collections_agencies_name_key: nameTaken(change.name ?? '') },
  );
  if (row === undefined) throw notFound('agency', agencyId);
  return row;
}

export async function addAgencyMember(trx: Tx, agencyId: string, staffUserId: string) {
  const agency = await ct(trx)
    .selectFrom('collections_agencies')
    .select('id')
    .where('id', '=', agencyId)
    .executeTakeFirst();
  if (agency === undefined) throw notFound('agency', agencyId);
  return ct(trx)
    .insertInto('collections_agency_members')
    .values({ staff_user_id: staffUserId, agency_id: agencyId })
    .onConflict((oc) => oc.column('staff_user_id').doUpdateSet({ agency_id: agencyId }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listAgencies(db: DB): Promise<AgencyRow[]> {
  return c(db).selectFrom('collections_agencies').selectAll().orderBy('name').execute();
}

/** Manual assignment: to an active agent of a queue, or to an agency that may take new cases. */
export async function assignCase(
  trx: Tx,
  scope: CollectionsScope,
  caseId: string,
  input: {
    agentId?: string | undefined;
    queue?: string | undefined;
    agencyId?: string | undefined;
    actor: Actor;
  },
): Promise<CaseRow> {
  const row = await caseInScope(trx, scope, caseId, { lock: true });
  assertOpen(row);
  if (input.agencyId !== undefined) {
    const agency = await assignableAgency(trx, input.agencyId, await getBusinessDate(trx));
    let current = row;
    if (current.state === 'transferred_to_agency')
      current = await moveCase(trx, current, 'recall', { actor: input.actor, change: { agency_id: null } });
    return moveCase(trx, current, 'transfer_to_agency', {
      actor: input.actor,
      reason: `assigned to agency ${agency.name}`,
      change: { agency_id: agency.id, agent_id: null, queue_code: agency.queue_code },
    });
  }
  const queue = input.queue ?? row.queue_code;
  if (queue === null || input.agentId === undefined)
    throw assigneeInvalid('name a queue (the case has none) and an agent of it', 'queue');
  const member = await ct(trx)
    .selectFrom('collections_queue_members')
    .selectAll()
    .where('queue_code', '=', queue)
    .where('agent_id', '=', input.agentId)
    .where('active', '=', true)
    .executeTakeFirst();
  if (member === undefined)
    throw assigneeInvalid(`the agent is not an active member of queue ${queue}`, 'agentId');
  let current = row;
  if (current.state === 'transferred_to_agency')
    current = await moveCase(trx, current, 'recall', { actor: input.actor, change: { agency_id: null } });
  return moveCase(trx, current, 'assign', {
    actor: input.actor,
    reason: `assigned to agent ${input.agentId} in ${queue}`,
    change: { agent_id: input.agentId, agency_id: null, queue_code: queue },
  });
}
