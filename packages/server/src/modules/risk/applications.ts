import { createHash, randomUUID } from 'node:crypto';
import { canonicalDecisionJson, type Decision, evaluateCompiled } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import type { DateString } from '../../platform/tables.ts';
import type { ExternalData } from './external-data.ts';
import { computeFeatures, type Snapshot } from './features.ts';
import { type Assigned, assignedPolicies } from './policies.ts';
import * as ports from './ports.ts';
import type { RiskDb, RiskTx } from './tables.ts';

// A credit application, decided in one transaction: the consents it needs are checked, the
// applicant's exposure is locked (so two applications of one person are decided one after the
// other and the cap holds), the features are computed and stored, the champion and any challenger
// are evaluated and both stored, and the assigned one decides — an approval grants the line at the
// grade's limit or the headroom under the cap, whichever is less; a review opens a queue item.

/** The consents a credit application needs (the bureau query authorisation, the privacy policy). */
export const applicationConsents = ['credit_bureau_query', 'privacy_policy'] as const;

/** Basis points 0–9999 from the customer id: the same customer always falls on the same side. */
export function challengerBucket(customerId: string): number {
  return createHash('sha256').update(`fenqi-challenger:${customerId}`).digest().readUInt32BE(0) % 10_000;
}

export type ApplicationView = {
  id: string;
  customerId: string;
  status: 'in_review' | 'approved' | 'rejected';
  reasons: string[];
  lineId: string | null;
  limitMinor: bigint | null;
  businessDate: DateString;
  createdAt: Date;
  decidedAt: Date | null;
  decision: {
    id: string;
    policyVersionId: string;
    role: 'champion' | 'challenger';
    outcome: 'approve' | 'reject' | 'review';
    score: number;
    grade: string | null;
    /** The price and products of the granted line (approved applications only). */
    price: Decision['price'];
    products: readonly string[];
  };
};

/** The reason an approved decision still grants nothing: no room left under the per-person cap. */
export const exposureCapReason = 'C001_EXPOSURE_CAP_REACHED';

function evaluate(policy: Assigned['champion'], snapshot: Snapshot): Decision {
  const result = evaluateCompiled(policy.compiled, snapshot);
  // The catalogue guarantees every declared feature is computed with its type (checked at publish).
  if (!result.ok)
    throw new Error(`policy ${policy.id} could not read the snapshot: ${result.issues[0]?.message}`);
  return result.value;
}

export async function submitApplication(
  trx: Tx,
  config: Config,
  input: { customerId: string; deviceId: string; external: ExternalData },
): Promise<ApplicationView> {
  const db: RiskTx = trx;
  const businessDate = await getBusinessDate(trx);
  await ports.requireConsents(trx, input.customerId, applicationConsents, businessDate);
  const kyc = await ports.kycOf(trx, config, input.customerId);
  if (kyc.level === 'phone_verified')
    throw new AppError(
      'kyc_incomplete',
      'Verify your real name (name and resident ID) before applying for credit.',
    );
  const assigned = await assignedPolicies(db);
  if (!assigned)
    throw new AppError(
      'risk_policy_missing',
      'No credit policy is published yet; applications open once one is.',
    );
  const onChallenger =
    assigned.challenger !== null && challengerBucket(input.customerId) < assigned.challenger.shareBp;
  const deciding = onChallenger && assigned.challenger ? assigned.challenger : assigned.champion;

  // Serialises this person's applications and reservations: the headroom read here stays true.
  const exposure = await ports.lockExposure(trx, config, input.customerId);
  const window = deciding.policy.eligibility;
  const age = ports.ageOnDate(kyc.birthDate, businessDate);
  if (window && (age < window.ageMin || age > window.ageMax))
    throw new AppError(
      'age_out_of_window',
      `Applicants must be ${window.ageMin} to ${window.ageMax} years old on the application date; you are ${age}.`,
    );

  const snapshot = await computeFeatures(db, {
    customerId: input.customerId,
    deviceId: input.deviceId,
    businessDate,
    birthDate: kyc.birthDate,
    kycLevel: kyc.level,
    exposureMinor: exposure.exposureMinor,
    headroomMinor: exposure.headroomMinor,
    linesHeld: exposure.linesHeld,
    blacklist: await ports.blacklistOf(trx, input.customerId, input.deviceId, businessDate),
    external: input.external,
  });
  const decisions = [
    {
      role: 'champion' as const,
      version: assigned.champion,
      decision: evaluate(assigned.champion, snapshot),
    },
    ...(assigned.challenger
      ? [
          {
            role: 'challenger' as const,
            version: assigned.challenger,
            decision: evaluate(assigned.challenger, snapshot),
          },
        ]
      : []),
  ];
  const decidingRole = deciding === assigned.champion ? 'champion' : 'challenger';
  const decided = decisions.find((d) => d.role === decidingRole);
  if (!decided) throw new Error('the deciding evaluation is missing');

  const id = randomUUID();
  await db
    .insertInto('risk_applications')
    .values({
      id,
      customer_id: input.customerId,
      device_id: input.deviceId,
      status: 'in_review',
      reasons: [],
      business_date: businessDate,
    })
    .execute();
  await db
    .insertInto('risk_snapshots')
    .values({ application_id: id, features: canonicalSnapshot(snapshot) })
    .execute();
  const decisionIds: Record<string, string> = {};
  for (const d of decisions) {
    decisionIds[d.role] = randomUUID();
    await db
      .insertInto('risk_decisions')
      .values({
        id: decisionIds[d.role] ?? '',
        application_id: id,
        policy_version_id: d.version.id,
        role: d.role,
        assigned: d.role === decidingRole,
        outcome: d.decision.outcome,
        score: d.decision.score,
        grade: d.decision.grade,
        credit_limit_minor: d.decision.creditLimit === null ? null : BigInt(d.decision.creditLimit),
        reasons: [...d.decision.reasons],
        result: canonicalDecisionJson(d.decision),
      })
      .execute();
  }

  const outcome = decided.decision;
  if (outcome.outcome === 'review') {
    await db
      .insertInto('risk_reviews')
      .values({
        application_id: id,
        status: 'open',
        due_at: new Date(Date.now() + config.risk.reviewSlaHours * 3_600_000),
      })
      .execute();
    await db
      .updateTable('risk_applications')
      .set({ reasons: [...outcome.reasons] })
      .where('id', '=', id)
      .execute();
  } else if (outcome.outcome === 'reject') {
    await finish(trx, id, { status: 'rejected', reasons: [...outcome.reasons] });
  } else {
    await approve(trx, config, {
      applicationId: id,
      customerId: input.customerId,
      limitMinor: BigInt(outcome.creditLimit ?? '0'),
      price: outcome.price,
      products: outcome.products,
      headroomMinor: exposure.headroomMinor,
      businessDate,
      actor: { kind: 'system', id: 'risk' },
    });
  }
  return applicationView(db, id);
}

/** Grants the line of an approved application: the offer's limit, at most the headroom under the cap. */
export async function approve(
  trx: Tx,
  config: Config,
  input: {
    applicationId: string;
    customerId: string;
    limitMinor: bigint;
    price: Decision['price'];
    products: readonly string[];
    headroomMinor: bigint;
    businessDate: DateString;
    actor: { kind: 'staff' | 'system'; id: string };
  },
): Promise<void> {
  // biome-ignore lint/complexity/useMathMinMax: bigints; Math.min takes numbers only.
  const limit = input.limitMinor < input.headroomMinor ? input.limitMinor : input.headroomMinor;
  if (limit <= 0n) {
    await finish(trx, input.applicationId, { status: 'rejected', reasons: [exposureCapReason] });
    return;
  }
  const line = await ports.grantLine(trx, config, {
    customerId: input.customerId,
    applicationId: input.applicationId,
    limitMinor: limit,
    productCodes: [...input.products],
    revolving: true,
    expiresOn: ports.addDaysTo(input.businessDate, config.risk.lineValidityDays),
    actor: input.actor,
  });
  await finish(trx, input.applicationId, {
    status: 'approved',
    reasons: [],
    lineId: line.id,
    limitMinor: limit,
    price: input.price,
    products: [...input.products],
  });
}

export async function finishRejected(trx: Tx, applicationId: string, reasons: string[]): Promise<void> {
  await finish(trx, applicationId, { status: 'rejected', reasons });
}

async function finish(
  trx: Tx,
  applicationId: string,
  result: {
    status: 'approved' | 'rejected';
    reasons: string[];
    lineId?: string;
    limitMinor?: bigint;
    price?: Decision['price'];
    products?: string[];
  },
): Promise<void> {
  const db: RiskTx = trx;
  const row = await db
    .updateTable('risk_applications')
    .set({
      status: result.status,
      reasons: result.reasons,
      line_id: result.lineId ?? null,
      limit_minor: result.limitMinor ?? null,
      price: result.price ? JSON.stringify(result.price) : null,
      products: result.products ?? [],
      decided_at: new Date(),
    })
    .where('id', '=', applicationId)
    .returning(['customer_id', 'business_date'])
    .executeTakeFirstOrThrow();
  await publishEvent(trx, {
    type: 'risk.application-decided',
    subject: { type: 'credit-application', id: applicationId },
    payload: {
      applicationId,
      customerId: row.customer_id,
      status: result.status,
      reasons: result.reasons,
      lineId: result.lineId ?? null,
      limitMinor: result.limitMinor === undefined ? null : String(result.limitMinor),
      businessDate: row.business_date,
    },
  });
}

/** Snapshot text as stored and replayed: keys in catalogue order, JSON as JSON.stringify writes it. */
export function canonicalSnapshot(snapshot: Snapshot): string {
  return JSON.stringify(snapshot);
}

/** Applications joined to their deciding (assigned) evaluation: what an ApplicationView is read from. */
export function applicationsWithDecision(db: RiskDb | DB) {
  return (db as RiskDb)
    .selectFrom('risk_applications as a')
    .innerJoin('risk_decisions as d', (join) =>
      join.onRef('d.application_id', '=', 'a.id').on('d.assigned', '=', true),
    )
    .select([
      'a.id',
      'a.customer_id',
      'a.status',
      'a.reasons',
      'a.line_id',
      'a.limit_minor',
      'a.business_date',
      'a.price',
      'a.products',
      'a.created_at',
      'a.decided_at',
      'd.id as decision_id',
      'd.policy_version_id',
      'd.role',
      'd.outcome',
      'd.score',
      'd.grade',
    ]);
}

type ApplicationRow = Awaited<
  ReturnType<ReturnType<typeof applicationsWithDecision>['executeTakeFirstOrThrow']>
>;

export function applicationViewOf(row: ApplicationRow): ApplicationView {
  return {
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    reasons: row.reasons,
    lineId: row.line_id,
    limitMinor: row.limit_minor === null ? null : BigInt(row.limit_minor),
    businessDate: row.business_date,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decision: {
      id: row.decision_id,
      policyVersionId: row.policy_version_id,
      role: row.role,
      outcome: row.outcome,
      score: row.score,
      grade: row.grade,
      price: (row.price as Decision['price']) ?? null,
      products: row.products,
    },
  };
}

export async function applicationView(
  db: RiskDb | DB,
  id: string,
  customerId?: string,
): Promise<ApplicationView> {
  let query = applicationsWithDecision(db).where('a.id', '=', id);
  if (customerId !== undefined) query = query.where('a.customer_id', '=', customerId);
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no credit application ${id}.`);
  return applicationViewOf(row);
}
