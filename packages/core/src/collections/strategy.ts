import { addMonths, compareDates, type LocalDate } from '../date/local-date.ts';
import { type DelinquencyBucket, delinquencyBuckets } from '../servicing/delinquency.ts';
import { type ContactChannel, contactChannels } from './conduct.ts';

// Collection strategies as data (versioned by the server; the published version is used): rules
// by delinquency bucket, optionally narrowed by product and by overdue amount, each naming the
// queue its cases go to, who works them (nobody: automated reminders; an in-house agent; an
// outsourced agency; legal; write-off review) and the steps to take. The typical book:
//   M1     SMS reminders and AI/IVR voice (automated queue)
//   M2–M3  agent calls and promises to pay
//   M3+    an outsourced agency; later legal or write-off review.

export const strategyHandlers = ['automated', 'agent', 'agency', 'legal', 'write_off_review'] as const;
export type StrategyHandler = (typeof strategyHandlers)[number];

export const strategyActions = [
  'sms_reminder',
  'ai_voice',
  'agent_call',
  'promise_to_pay',
  'agency',
  'legal',
  'write_off',
] as const;
export type StrategyAction = (typeof strategyActions)[number];

export type StrategyStep = {
  /** From this many days past due. */
  dpdFrom: number;
  action: StrategyAction;
  channel?: ContactChannel | undefined;
};

export type StrategyRule = {
  buckets: DelinquencyBucket[];
  /** Product codes the rule is for; absent: every product. */
  products?: string[] | undefined;
  /** At least this much overdue (fen, a decimal string); absent: any amount. */
  minOverdueMinor?: string | undefined;
  queue: string;
  handler: StrategyHandler;
  steps: StrategyStep[];
};

export type StrategyDefinition = { rules: StrategyRule[] };

export const strategyRulesMax = 50;
export const strategyStepsMax = 20;

export type StrategyIssue = { path: string; message: string };

const queuePattern = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** What is wrong with a definition (empty when it may be saved). */
export function strategyIssues(definition: StrategyDefinition): StrategyIssue[] {
  const issues: StrategyIssue[] = [];
  if (definition.rules.length === 0) issues.push({ path: 'rules', message: 'must have at least one rule' });
  if (definition.rules.length > strategyRulesMax)
    issues.push({ path: 'rules', message: `must have at most ${strategyRulesMax} rules` });
  definition.rules.forEach((rule, i) => {
    const at = `rules.${i}`;
    if (rule.buckets.length === 0) issues.push({ path: `${at}.buckets`, message: 'must name a bucket' });
    for (const bucket of rule.buckets)
      if (!delinquencyBuckets.includes(bucket) || bucket === 'M0')
        issues.push({ path: `${at}.buckets`, message: `${bucket} is not an overdue bucket (M1–M7)` });
    if (!queuePattern.test(rule.queue))
      issues.push({ path: `${at}.queue`, message: 'must be 1–40 lower-case letters, digits, _ or -' });
    if (!strategyHandlers.includes(rule.handler))
      issues.push({ path: `${at}.handler`, message: `must be one of ${strategyHandlers.join(', ')}` });
    if (rule.minOverdueMinor !== undefined && !/^\d{1,15}$/.test(rule.minOverdueMinor))
      issues.push({ path: `${at}.minOverdueMinor`, message: 'must be a whole number of fen' });
    if (rule.steps.length > strategyStepsMax)
      issues.push({ path: `${at}.steps`, message: `must have at most ${strategyStepsMax} steps` });
    rule.steps.forEach((step, j) => {
      if (!Number.isInteger(step.dpdFrom) || step.dpdFrom < 1)
        issues.push({ path: `${at}.steps.${j}.dpdFrom`, message: 'must be a whole number of days ≥ 1' });
      if (!strategyActions.includes(step.action))
        issues.push({
          path: `${at}.steps.${j}.action`,
          message: `must be one of ${strategyActions.join(', ')}`,
        });
      if (step.channel !== undefined && !contactChannels.includes(step.channel))
        issues.push({
          path: `${at}.steps.${j}.channel`,
          message: `must be one of ${contactChannels.join(', ')}`,
        });
    });
  });
  return issues;
}

export type CaseFacts = { bucket: DelinquencyBucket; productCode: string; overdueMinor: bigint };

/** The first rule that fits the case (rules are tried in order), or undefined. */
export function selectStrategyRule(
  definition: StrategyDefinition,
  facts: CaseFacts,
): StrategyRule | undefined {
  return definition.rules.find(
    (rule) =>
      rule.buckets.includes(facts.bucket) &&
      (rule.products === undefined || rule.products.includes(facts.productCode)) &&
      (rule.minOverdueMinor === undefined || facts.overdueMinor >= BigInt(rule.minOverdueMinor)),
  );
}

/** The steps of a rule due at a case's days past due (the latest step reached comes last). */
export function stepsDue(rule: StrategyRule, dpd: number): StrategyStep[] {
  return rule.steps.filter((step) => step.dpdFrom <= dpd).sort((a, b) => a.dpdFrom - b.dpdFrom);
}

export type Assignee = { id: string; openCases: number; capacity: number };

/**
 * Who takes a new case: the candidate with room whose load (open cases over capacity) is the
 * lowest; ties to fewer open cases, then to the smaller id, so the pick is deterministic.
 */
export function pickAssignee(candidates: readonly Assignee[]): Assignee | undefined {
  const withRoom = candidates.filter((c) => c.capacity > 0 && c.openCases < c.capacity);
  return withRoom.sort(
    (a, b) =>
      a.openCases * b.capacity - b.openCases * a.capacity ||
      a.openCases - b.openCases ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )[0];
}

/** An agency's review lapses a year after it: from then on it takes no new cases. */
export function agencyReviewLapsed(reviewDate: LocalDate, today: LocalDate): boolean {
  return compareDates(today, addMonths(reviewDate, 12)) > 0;
}

// ---- waivers (减免): who approves which amount ----

export type WaiverTier = {
  code: string;
  /** The largest total (fen) this tier approves; null: no upper bound. */
  upToMinor: bigint | null;
};

/** The tier of a total: the first whose bound it fits (tiers in ascending order, the last open). */
export function waiverTierOf<T extends WaiverTier>(tiers: readonly T[], totalMinor: bigint): T {
  const tier = tiers.find((t) => t.upToMinor === null || totalMinor <= t.upToMinor);
  if (tier === undefined) throw new Error('waiverTierOf: the last tier must have no upper bound');
  return tier;
}
