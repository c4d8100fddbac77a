import { randomUUID } from 'node:crypto';
import {
  type CompiledPolicy,
  compilePolicy,
  type Policy,
  policyPricingIssues,
  validatePolicy,
} from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { approvalAction } from '../iam/service.ts';
import { unknownFeatures } from './features.ts';
import type { RiskDb, RiskPolicyVersionTable, RiskTx } from './tables.ts';

// Policy versions: a draft is written and rewritten by an analyst; publishing it (as the champion,
// or as a challenger with a share of applications) is maker-checker, and refused when the document
// is invalid, names a feature Fenqi does not compute, or prices any grade above the APR cap for
// any term offered. A published version never changes; decisions pin it.

export type PolicyVersion = {
  id: string;
  policyId: string;
  version: number;
  status: 'draft' | 'published' | 'retired';
  document: unknown;
  createdBy: string;
  createdAt: Date;
  publishedAt: Date | null;
  publishedBy: string | null;
  retiredAt: Date | null;
  role: 'champion' | 'challenger' | null;
  challengerShareBp: number | null;
};

/** The terms (months) prices are checked over when a publish request names none. */
export const pricingTermsDefault = [3, 6, 9, 12, 18, 24, 36] as const;

type Row = RiskPolicyVersionTable & { created_at: Date; updated_at: Date };

async function assignmentRow(db: RiskDb) {
  return db.selectFrom('risk_assignment').selectAll().executeTakeFirst();
}

function toView(row: Row, assignment: Awaited<ReturnType<typeof assignmentRow>>): PolicyVersion {
  const role =
    assignment?.champion_id === row.id
      ? 'champion'
      : assignment?.challenger_id === row.id
        ? 'challenger'
        : null;
  return {
    id: row.id,
    policyId: row.policy_id,
    version: row.version,
    status: row.status,
    document: row.document,
    createdBy: row.created_by,
    createdAt: row.created_at,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    retiredAt: row.retired_at,
    role,
    challengerShareBp: role === 'challenger' ? (assignment?.challenger_share_bp ?? null) : null,
  };
}

/** The document checked as core checks it; its issues become field errors under `document`. */
export function checkedPolicy(document: unknown): Policy {
  const result = validatePolicy(document);
  if (!result.ok) {
    const errors: FieldError[] = result.issues.map((found) => ({
      in: 'body',
      path: `document${found.path}`,
      message: found.message,
      code: found.code,
    }));
    throw new AppError('policy_invalid', `The policy document has ${errors.length} problem(s).`, { errors });
  }
  const unknown = unknownFeatures(result.value.features);
  if (unknown.length > 0)
    throw new AppError('policy_invalid', 'The policy declares features Fenqi does not compute as declared.', {
      errors: unknown.map((message) => ({
        in: 'body' as const,
        path: `document/features/${message.slice(0, message.indexOf(':'))}`,
        message,
        code: 'feature_not_computed',
      })),
    });
  return result.value;
}

export async function createDraft(
  trx: Tx,
  input: { document: unknown; actor: string },
): Promise<PolicyVersion> {
  const policy = checkedPolicy(input.document);
  const db: RiskDb = trx;
  const inserted = await db
    .insertInto('risk_policy_versions')
    .values({
      id: randomUUID(),
      policy_id: policy.id,
      version: policy.version,
      document: JSON.stringify(input.document),
      status: 'draft',
      created_by: input.actor,
    })
    .onConflict((conflict) => conflict.columns(['policy_id', 'version']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!inserted)
    throw new AppError(
      'policy_version_exists',
      `Policy ${policy.id} already has a version ${policy.version}; a new draft needs a new version number.`,
    );
  return toView(inserted as Row, await assignmentRow(db));
}

export async function updateDraft(
  trx: Tx,
  input: { versionId: string; document: unknown },
): Promise<PolicyVersion> {
  const db: RiskDb = trx;
  const row = await lockVersion(db, input.versionId);
  if (row.status !== 'draft')
    throw new AppError(
      'policy_not_draft',
      `Policy version ${row.policy_id} v${row.version} is ${row.status}: it cannot change.`,
    );
  const policy = checkedPolicy(input.document);
  if (policy.id !== row.policy_id || policy.version !== row.version)
    throw new AppError('validation_failed', 'A draft keeps its policy id and version.', {
      errors: [
        { in: 'body', path: 'document/id', message: `must stay ${row.policy_id} version ${row.version}` },
      ],
    });
  const updated = await db
    .updateTable('risk_policy_versions')
    .set({ document: JSON.stringify(input.document), updated_at: new Date() })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toView(updated as Row, await assignmentRow(db));
}

async function lockVersion(db: RiskDb, id: string): Promise<Row> {
  const row = await db
    .selectFrom('risk_policy_versions')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no policy version ${id}.`);
  return row as Row;
}

export async function getVersion(db: DB | Tx, id: string): Promise<PolicyVersion> {
  const riskDb: RiskDb = db;
  const row = await riskDb
    .selectFrom('risk_policy_versions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no policy version ${id}.`);
  return toView(row as Row, await assignmentRow(riskDb));
}

export async function listVersions(
  db: DB,
  filter: {
    policyId?: string | undefined;
    status?: PolicyVersion['status'] | undefined;
    /** Keyset: the versions after this one in list order (policy id, newest version first). */
    after?: string | undefined;
    limit?: number | undefined;
  },
): Promise<PolicyVersion[]> {
  const riskDb: RiskDb = db;
  let query = riskDb
    .selectFrom('risk_policy_versions')
    .selectAll()
    .orderBy('policy_id')
    .orderBy('version', 'desc');
  if (filter.policyId !== undefined) query = query.where('policy_id', '=', filter.policyId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const after = filter.after;
  if (after !== undefined) {
    const last = riskDb.selectFrom('risk_policy_versions').where('id', '=', after);
    query = query.where((eb) =>
      eb.or([
        eb('policy_id', '>', last.select('policy_id')),
        eb.and([eb('policy_id', '=', last.select('policy_id')), eb('version', '<', last.select('version'))]),
      ]),
    );
  }
  const [rows, assignment] = await Promise.all([
    query.limit(filter.limit ?? 500).execute(),
    assignmentRow(riskDb),
  ]);
  return rows.map((row) => toView(row as Row, assignment));
}

// Compiling is pure and a published version never changes: one compiled policy per version id.
const compiled = new Map<string, { policy: Policy; compiled: CompiledPolicy }>();

/** A stored version's document, validated and compiled (cached for published versions). */
export function compiledVersion(
  id: string,
  status: string,
  document: unknown,
): { policy: Policy; compiled: CompiledPolicy } {
  const cached = compiled.get(id);
  if (cached) return cached;
  const result = validatePolicy(document);
  if (!result.ok)
    throw new Error(`stored policy version ${id} no longer validates: ${result.issues[0]?.message}`);
  const entry = { policy: result.value, compiled: compilePolicy(result.value) };
  if (status !== 'draft') compiled.set(id, entry);
  return entry;
}

export type Assigned = {
  champion: { id: string; policy: Policy; compiled: CompiledPolicy };
  challenger: { id: string; policy: Policy; compiled: CompiledPolicy; shareBp: number } | null;
};

/** Which versions decide applications now; undefined before any policy was published. */
export async function assignedPolicies(db: RiskDb): Promise<Assigned | undefined> {
  const assignment = await assignmentRow(db);
  if (!assignment) return undefined;
  const ids = [assignment.champion_id, ...(assignment.challenger_id ? [assignment.challenger_id] : [])];
  const rows = await db.selectFrom('risk_policy_versions').selectAll().where('id', 'in', ids).execute();
  const load = (id: string) => {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new Error(`assigned policy version ${id} is missing`);
    return { id, ...compiledVersion(id, row.status, row.document) };
  };
  return {
    champion: load(assignment.champion_id),
    challenger: assignment.challenger_id
      ? { ...load(assignment.challenger_id), shareBp: assignment.challenger_share_bp }
      : null,
  };
}

const publishPayload = z.strictObject({
  versionId: z.uuid(),
  role: z.enum(['champion', 'challenger']),
  challengerShareBp: z.number().int().min(1).max(10_000).optional(),
  terms: z.array(z.number().int().min(1).max(360)).min(1).max(24).optional(),
});

/** Every reason the version cannot be published as asked; throws the first kind found. */
async function checkPublishable(
  trx: RiskTx,
  payload: z.output<typeof publishPayload>,
  config: Config,
): Promise<Row> {
  const row = await lockVersion(trx, payload.versionId);
  if (row.status !== 'draft')
    throw new AppError(
      'policy_not_draft',
      `Policy version ${row.policy_id} v${row.version} is already ${row.status}.`,
    );
  const policy = checkedPolicy(row.document);
  // The same cap as loan products (APR_CAP): a policy cannot offer a price a product may not carry.
  const pricing = policyPricingIssues(policy, {
    terms: payload.terms ?? pricingTermsDefault,
    cap: new Decimal(config.aprCap),
  });
  if (pricing.length > 0)
    throw new AppError(
      'policy_above_apr_cap',
      `Policy ${row.policy_id} v${row.version} prices above the APR cap.`,
      {
        errors: pricing.map((found) => ({
          in: 'body' as const,
          path: `document${found.path}`,
          message: found.message,
          code: found.code,
        })),
      },
    );
  if (payload.role === 'challenger') {
    if (payload.challengerShareBp === undefined)
      throw new AppError('validation_failed', 'A challenger needs its share of applications.', {
        errors: [
          {
            in: 'body',
            path: 'challengerShareBp',
            message: 'required for a challenger (1–10000 basis points)',
          },
        ],
      });
    if (!(await assignmentRow(trx)))
      throw new AppError(
        'policy_no_champion',
        'A challenger needs a champion to challenge: publish a champion first.',
      );
  }
  return row;
}

export const publishPolicyApproval = approvalAction({
  name: 'risk.publish-policy',
  summary: 'Publish a credit policy version as the champion or a challenger',
  makerPermission: 'risk:author',
  checkerPermission: 'risk:publish',
  payload: publishPayload,
  validate: async (trx, payload, config) => {
    await checkPublishable(trx, payload, config);
  },
  execute: async (trx, payload, context) => {
    const row = await checkPublishable(trx, payload, context.config);
    const db: RiskDb = trx;
    await db
      .updateTable('risk_policy_versions')
      .set({
        status: 'published',
        published_at: new Date(),
        published_by: context.checkerId,
        updated_at: new Date(),
      })
      .where('id', '=', row.id)
      .execute();
    const current = await assignmentRow(db);
    if (payload.role === 'champion') {
      await db
        .insertInto('risk_assignment')
        .values({ champion_id: row.id, challenger_id: null, challenger_share_bp: 0 })
        .onConflict((conflict) =>
          conflict.column('singleton').doUpdateSet({
            champion_id: row.id,
            // A challenger keeps challenging the new champion, unless it is the new champion.
            challenger_id: current?.challenger_id === row.id ? null : (current?.challenger_id ?? null),
            challenger_share_bp: current?.challenger_id === row.id ? 0 : (current?.challenger_share_bp ?? 0),
            updated_at: new Date(),
          }),
        )
        .execute();
    } else {
      await db
        .updateTable('risk_assignment')
        .set({
          challenger_id: row.id,
          challenger_share_bp: payload.challengerShareBp ?? 0,
          updated_at: new Date(),
        })
        .execute();
    }
    await publishEvent(trx, {
      type: 'risk.policy-published',
      subject: { type: 'policy-version', id: row.id },
      payload: {
        versionId: row.id,
        policyId: row.policy_id,
        version: row.version,
        role: payload.role,
        challengerShareBp: payload.role === 'challenger' ? (payload.challengerShareBp ?? 0) : null,
        makerId: context.makerId,
        checkerId: context.checkerId,
      },
    });
    return { versionId: row.id, role: payload.role };
  },
});

const retirePayload = z.strictObject({ versionId: z.uuid() });

async function checkRetirable(trx: RiskTx, versionId: string): Promise<Row> {
  const row = await lockVersion(trx, versionId);
  if (row.status !== 'published')
    throw new AppError(
      'policy_not_published',
      `Policy version ${row.policy_id} v${row.version} is ${row.status}.`,
    );
  const assignment = await assignmentRow(trx);
  if (assignment?.champion_id === row.id)
    throw new AppError(
      'policy_is_champion',
      'The champion decides every application: publish another champion before retiring this one.',
    );
  return row;
}

export const retirePolicyApproval = approvalAction({
  name: 'risk.retire-policy',
  summary: 'Retire a published credit policy version (a challenger stops challenging)',
  makerPermission: 'risk:author',
  checkerPermission: 'risk:publish',
  payload: retirePayload,
  validate: async (trx, payload) => {
    await checkRetirable(trx, payload.versionId);
  },
  execute: async (trx, payload) => {
    const row = await checkRetirable(trx, payload.versionId);
    const db: RiskDb = trx;
    await db
      .updateTable('risk_assignment')
      .set({ challenger_id: null, challenger_share_bp: 0, updated_at: new Date() })
      .where('challenger_id', '=', row.id)
      .execute();
    await db
      .updateTable('risk_policy_versions')
      .set({ status: 'retired', retired_at: new Date(), updated_at: new Date() })
      .where('id', '=', row.id)
      .execute();
    return { versionId: row.id, status: 'retired' };
  },
});
