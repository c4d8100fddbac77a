import { canonicalDecisionJson, type Decision, evaluateCompiled } from '@fenqi/core';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { compiledVersion } from './policies.ts';
import type { RiskDb } from './tables.ts';

// Replays and backtests. A replay evaluates a stored snapshot against the version its decision
// pinned and compares the canonical text byte for byte; a backtest evaluates any version over the
// snapshots of a period and counts how outcomes, grades and limits would have changed.

export type Replay = {
  decisionId: string;
  applicationId: string;
  policyVersionId: string;
  matches: boolean;
  stored: Decision;
  replayed: Decision;
};

export async function replayDecision(db: DB, decisionId: string): Promise<Replay> {
  const riskDb: RiskDb = db;
  const row = await riskDb
    .selectFrom('risk_decisions as d')
    .innerJoin('risk_snapshots as s', 's.application_id', 'd.application_id')
    .innerJoin('risk_policy_versions as v', 'v.id', 'd.policy_version_id')
    .select([
      'd.id',
      'd.application_id',
      'd.result',
      's.features',
      'v.id as version_id',
      'v.status',
      'v.document',
    ])
    .where('d.id', '=', decisionId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `There is no decision ${decisionId}.`);
  const { compiled } = compiledVersion(row.version_id, row.status, row.document);
  const result = evaluateCompiled(compiled, JSON.parse(row.features));
  if (!result.ok) throw new Error(`decision ${decisionId}: its snapshot no longer evaluates`);
  const replayed = canonicalDecisionJson(result.value);
  return {
    decisionId: row.id,
    applicationId: row.application_id,
    policyVersionId: row.version_id,
    matches: replayed === row.result,
    stored: JSON.parse(row.result) as Decision,
    replayed: result.value,
  };
}

type Outcome = 'approve' | 'reject' | 'review';

export type Backtest = {
  policyVersionId: string;
  from: DateString;
  to: DateString;
  applications: number;
  /** decided outcome → the tested version's outcome → count. */
  confusion: Record<Outcome, Record<Outcome, number>>;
  outcomeChanged: number;
  gradeChanged: number;
  /** Approved by both: how many would get a higher, lower or the same limit, and the sums (fen). */
  limits: { higher: number; lower: number; same: number; decidedMinor: bigint; testedMinor: bigint };
};

const batch = 1000;

/** Evaluates `versionId` over every application decided from `from` to `to` (business dates). */
export async function backtest(
  db: DB,
  input: { versionId: string; from: DateString; to: DateString },
): Promise<Backtest> {
  const riskDb: RiskDb = db;
  const version = await riskDb
    .selectFrom('risk_policy_versions')
    .select(['id', 'status', 'document'])
    .where('id', '=', input.versionId)
    .executeTakeFirst();
  if (!version) throw new AppError('not_found', `There is no policy version ${input.versionId}.`);
  const { compiled } = compiledVersion(version.id, version.status, version.document);
  const empty = () => ({ approve: 0, reject: 0, review: 0 });
  const report: Backtest = {
    policyVersionId: version.id,
    from: input.from,
    to: input.to,
    applications: 0,
    confusion: { approve: empty(), reject: empty(), review: empty() },
    outcomeChanged: 0,
    gradeChanged: 0,
    limits: { higher: 0, lower: 0, same: 0, decidedMinor: 0n, testedMinor: 0n },
  };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    // Keyset pages over the period's applications, so a long period never loads at once.
    const rows = await riskDb
      .selectFrom('risk_applications as a')
      .innerJoin('risk_snapshots as s', 's.application_id', 'a.id')
      .innerJoin('risk_decisions as d', (join) =>
        join.onRef('d.application_id', '=', 'a.id').on('d.assigned', '=', true),
      )
      .select(['a.id', 's.features', 'd.outcome', 'd.grade', 'd.credit_limit_minor'])
      .where('a.business_date', '>=', input.from)
      .where('a.business_date', '<=', input.to)
      .where('a.id', '>', after)
      .orderBy('a.id')
      .limit(batch)
      .execute();
    for (const row of rows) {
      const result = evaluateCompiled(compiled, JSON.parse(row.features));
      // A version may declare features an older snapshot lacks: that application is not comparable.
      if (!result.ok) continue;
      const tested = result.value;
      report.applications += 1;
      report.confusion[row.outcome][tested.outcome] += 1;
      if (row.outcome !== tested.outcome) report.outcomeChanged += 1;
      if (row.grade !== tested.grade) report.gradeChanged += 1;
      if (row.outcome === 'approve' && tested.outcome === 'approve') {
        const decided = BigInt(row.credit_limit_minor ?? 0);
        const next = BigInt(tested.creditLimit ?? '0');
        report.limits.decidedMinor += decided;
        report.limits.testedMinor += next;
        if (next > decided) report.limits.higher += 1;
        else if (next < decided) report.limits.lower += 1;
        else report.limits.same += 1;
      }
    }
    if (rows.length < batch) break;
    after = rows[rows.length - 1]?.id ?? after;
  }
  return report;
}
