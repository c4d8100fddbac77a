import { randomUUID } from 'node:crypto';
import {
  type ConductDecision,
  type ContactChannel,
  type ContactOutcome,
  checkConduct,
  isTimeZone,
  localClock,
  type PastAttempt,
} from '@fenqi/core';
import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import { createDataKey, cryptoFor, encryptField, fieldContext } from '../../platform/crypto/envelope.ts';
import { maskPhone } from '../../platform/crypto/masking.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors.ts';
import { type Actor, assertOpen, c, caseInScope, ct, moveCase } from './cases.ts';
import { notFound } from './problems.ts';
import type { CollectionsScope } from './scope.ts';
import type { AttemptRow, TargetRow } from './tables.ts';

// Contact targets and the contact log. A target is a number of the debtor's own or of a contact
// person, kept per customer so "do not contact" outlives any one case (and the database refuses
// to clear it). Every attempt is checked by core's conduct rules against the debtor's day before
// it is recorded, and every attempt is logged — a refused one with the rule that refused it.

export async function addTarget(
  trx: Tx,
  config: Config,
  input: {
    customerId: string;
    role: 'debtor' | 'contact_person';
    relation: string;
    phone: string;
    source: 'customers' | 'agent';
    createdBy: string;
    ifExists: 'keep' | 'refuse';
  },
): Promise<TargetRow> {
  const bidx = blindIndex(config.secrets.blindIndexKey, 'phone', input.phone);
  const existing = await ct(trx)
    .selectFrom('collections_contact_targets')
    .selectAll()
    .where('customer_id', '=', input.customerId)
    .where('phone_bidx', '=', bidx)
    .executeTakeFirst();
  if (existing !== undefined) {
    if (input.ifExists === 'keep') return existing;
    throw targetExists(existing.id);
  }
  const id = randomUUID();
  const key = await createDataKey(trx, cryptoFor(config).kms, 'collections-targets');
  return orConflict(
    ct(trx)
      .insertInto('collections_contact_targets')
      .values({
        id,
        customer_id: input.customerId,
        role: input.role,
        relation: input.relation,
        phone_enc: encryptField(key, input.phone, fieldContext('collections_contact_targets', 'phone', id)),
        phone_bidx: bidx,
        phone_masked: maskPhone(input.phone),
        status: 'valid',
        dnc_at: null,
        dnc_reason: null,
        source: input.source,
        created_by: input.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
    { collections_contact_targets_customer_id_phone_bidx_key: () => targetExists(null) },
  );
}

const targetExists = (id: string | null) =>
  new AppError('contact_target_exists', 'This number is already a contact target of the debtor.', {
    errors: [{ in: 'body', path: 'phone', message: 'is already a contact target of this debtor' }],
    ...(id === null ? {} : { extensions: { targetId: id } }),
  });

/** A target of a debtor the scope has a case of (an agency: one of its assigned cases), or 404. */
export async function targetInScope(trx: Tx, scope: CollectionsScope, targetId: string): Promise<TargetRow> {
  let query = ct(trx)
    .selectFrom('collections_contact_targets as t')
    .selectAll('t')
    .where('t.id', '=', targetId)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('collections_cases as k')
          .select('k.id')
          .whereRef('k.customer_id', '=', 't.customer_id')
          .$if(scope.kind === 'agency', (q) =>
            q.where('k.agency_id', '=', scope.kind === 'agency' ? scope.agencyId : ''),
          ),
      ),
    );
  query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row === undefined) throw notFound('contact target', targetId);
  return row;
}

export async function markTargetInvalid(
  trx: Tx,
  scope: CollectionsScope,
  targetId: string,
): Promise<TargetRow> {
  await targetInScope(trx, scope, targetId);
  return ct(trx)
    .updateTable('collections_contact_targets')
    .set({ status: 'invalid' })
    .where('id', '=', targetId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Permanent: the database refuses to clear it. */
export async function markDoNotContact(
  trx: Tx,
  scope: CollectionsScope,
  targetId: string,
  input: { reason: string; now: Date },
): Promise<TargetRow> {
  const target = await targetInScope(trx, scope, targetId);
  if (target.do_not_contact) return target;
  return ct(trx)
    .updateTable('collections_contact_targets')
    .set({ do_not_contact: true, dnc_at: input.now, dnc_reason: input.reason })
    .where('id', '=', targetId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function targetsOfCustomer(db: DB | Tx, customerId: string): Promise<TargetRow[]> {
  return c(db)
    .selectFrom('collections_contact_targets')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function setContactWindow(
  trx: Tx,
  scope: CollectionsScope,
  caseId: string,
  input: {
    window: { fromMinute: number; toMinute: number } | null;
    timeZone?: string | undefined;
    note: string;
  },
) {
  const row = await caseInScope(trx, scope, caseId, { lock: true });
  assertOpen(row);
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone))
    throw new AppError('validation_failed', `${input.timeZone} is not an IANA time zone.`, {
      errors: [{ in: 'body', path: 'timeZone', message: 'must be an IANA time zone, e.g. Asia/Shanghai' }],
    });
  return ct(trx)
    .updateTable('collections_cases')
    .set({
      consent_from: input.window?.fromMinute ?? null,
      consent_to: input.window?.toMinute ?? null,
      consent_note: input.note,
      ...(input.timeZone === undefined ? {} : { time_zone: input.timeZone }),
      updated_at: new Date(),
    })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type AttemptInput = {
  caseId: string;
  targetId: string;
  channel: ContactChannel;
  outcome: Exclude<ContactOutcome, 'refused'>;
  note?: string | undefined;
  recordingRef?: string | undefined;
  agentId: string;
  now: Date;
  /** `<caller>:<Idempotency-Key>`: one request is one row, however often it is retried. */
  requestKey: string;
  /** What goes with an allowed attempt, in its transaction (an automated reminder's SMS). */
  onAllowed?: (trx: Tx, attempt: AttemptRow) => Promise<void>;
  /** Who made it, for the case's history: the agent, unless the system did (a strategy step). */
  actor?: Actor;
};

export type RecordedAttempt = { attempt: AttemptRow; decision: ConductDecision | null };

const toPast = (row: AttemptRow): PastAttempt => ({
  at: row.at,
  channel: row.channel,
  targetId: row.target_id,
  targetRole: row.target_role,
  numberKey: row.number_bidx,
  outcome: row.outcome,
});

/**
 * Checks and logs one attempt in a transaction of its own, which commits whether the rules allow
 * it or not: the refusal must stay in the log though the request fails (the route answers 422
 * after this commits). The debtor's attempts are serialized by an advisory lock on the debtor, so
 * two agents dialling at once cannot both take the last allowed call.
 */
export async function recordContactAttempt(
  db: DB,
  scope: CollectionsScope,
  input: AttemptInput,
): Promise<RecordedAttempt> {
  return db.transaction().execute(async (trx) => {
    const earlier = await ct(trx)
      .selectFrom('collections_contact_attempts')
      .selectAll()
      .where('request_key', '=', input.requestKey)
      .executeTakeFirst();
    if (earlier !== undefined) return { attempt: earlier, decision: null };
    const row = await caseInScope(trx, scope, input.caseId, { lock: true });
    assertOpen(row);
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`collections:debtor:${row.customer_id}`}))`.execute(
      trx,
    );
    const targets = await targetsOfCustomer(trx, row.customer_id);
    const target = targets.find((t) => t.id === input.targetId);
    if (target === undefined)
      throw new AppError('validation_failed', 'The target is not a contact target of this case’s debtor.', {
        errors: [{ in: 'body', path: 'targetId', message: 'must be one of the case’s contact targets' }],
      });
    const facts = (t: TargetRow) => ({
      id: t.id,
      role: t.role,
      numberKey: t.phone_bidx,
      status: t.status,
      doNotContact: t.do_not_contact,
    });
    // The day's attempts (two days back covers any zone) and the debtor's last few calls, for
    // the per-day limits and whether the debtor is reachable.
    const recent = await ct(trx)
      .selectFrom('collections_contact_attempts')
      .selectAll()
      .where('customer_id', '=', row.customer_id)
      .where('at', '>=', new Date(input.now.getTime() - 2 * 86_400_000))
      .where('at', '<=', input.now)
      .execute();
    const streak = await ct(trx)
      .selectFrom('collections_contact_attempts')
      .selectAll()
      .where('customer_id', '=', row.customer_id)
      .where('target_role', '=', 'debtor')
      .where('outcome', '<>', 'refused')
      .where('channel', '<>', 'sms')
      .where('at', '<=', input.now)
      .orderBy('at', 'desc')
      .limit(3)
      .execute();
    const seen = new Set(recent.map((a) => a.id));
    const history = [...recent, ...streak.filter((a) => !seen.has(a.id))].map(toPast);
    const decision = checkConduct({
      now: input.now,
      timeZone: row.time_zone,
      channel: input.channel,
      target: facts(target),
      debtorNumbers: targets.filter((t) => t.role === 'debtor').map(facts),
      history,
      consentWindow:
        row.consent_from === null || row.consent_to === null
          ? null
          : { fromMinute: row.consent_from, toMinute: row.consent_to },
    });
    const attempt = await ct(trx)
      .insertInto('collections_contact_attempts')
      .values({
        id: randomUUID(),
        case_id: row.id,
        customer_id: row.customer_id,
        target_id: target.id,
        target_role: target.role,
        number_bidx: target.phone_bidx,
        channel: input.channel,
        outcome: decision.allowed ? input.outcome : 'refused',
        refused_rule: decision.allowed ? null : decision.rule,
        refused_rules: decision.allowed ? null : decision.rules,
        agent_id: input.agentId,
        at: input.now,
        local_date: localClock(input.now, row.time_zone).date,
        note: input.note ?? null,
        recording_ref: input.recordingRef ?? null,
        request_key: input.requestKey,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (decision.allowed) {
      await input.onAllowed?.(trx, attempt);
      if (input.outcome === 'invalid_number')
        await ct(trx)
          .updateTable('collections_contact_targets')
          .set({ status: 'invalid' })
          .where('id', '=', target.id)
          .execute();
      if (['assigned', 'broken_promise', 'transferred_to_agency'].includes(row.state))
        await moveCase(trx, row, 'contact', {
          actor: input.actor ?? { kind: 'staff', id: input.agentId },
          reason: `${input.channel} ${input.outcome}`,
          sourceRef: `contact-attempt:${attempt.id}`,
        });
    }
    return { attempt, decision };
  });
}

export async function attemptsOfCase(db: DB | Tx, caseId: string): Promise<AttemptRow[]> {
  return c(db)
    .selectFrom('collections_contact_attempts')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}
