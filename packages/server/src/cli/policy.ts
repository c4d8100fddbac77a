import { readFile } from 'node:fs/promises';
import type { Issue, Policy } from '@fenqi/core';
import { canonicalDecisionJson, evaluatePolicy, policyPricingIssues, validatePolicy } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { backtest as runBacktest } from '../modules/risk/decisions.ts';
import { isIsoDate } from '../platform/business-date.ts';
import { openDatabase } from '../platform/database.ts';
import { AppError } from '../platform/errors.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

// `fenqi policy`: the credit decision engine offline, for analysts and scripts (docs/risk.md). No
// database and no clock: a policy file, a snapshot file, the answer on stdout.
//   validate FILE   OK with the policy's counts, or every issue at its JSON Pointer; exit 1 on issues
//   evaluate        the decision as canonical JSON (RFC 8785); exit 1 if the policy or snapshot is refused
//   backtest        (the one that reads DATABASE_URL) a stored version over the snapshots of a period
// Exit 2 is bad usage or a file that cannot be read.

const exitIssues = 1;
const exitUsage = 2;

const usage =
  'fenqi policy validate <policy.json> [--terms 3,6,12] [--cap 0.24]\n' +
  '       fenqi policy evaluate --policy <policy.json> --input <snapshot.json>\n' +
  '       fenqi policy backtest --version <policy-version-id> --from <YYYY-MM-DD> --to <YYYY-MM-DD>';

class UsageError extends Error {}

async function readJson(
  path: string,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `${path} is not valid JSON: ${(error as Error).message}` };
  }
}

function issueLines(issues: readonly Issue[]): string {
  return issues
    .map((found) => `  ${found.path === '' ? '(root)' : found.path}  ${found.code}: ${found.message}\n`)
    .join('');
}

function parseTerms(text: string | boolean | undefined): number[] {
  if (text === undefined) return [];
  if (typeof text !== 'string' || !/^\d+(,\d+)*$/.test(text))
    throw new UsageError('--terms takes term counts in months, e.g. --terms 3,6,12');
  return text.split(',').map(Number);
}

function parseCap(text: string | boolean | undefined): Decimal | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text))
    throw new UsageError('--cap takes a decimal IRR, e.g. --cap 0.24');
  return new Decimal(text);
}

function counts(policy: Policy): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return [
    count(Object.keys(policy.features).length, 'feature'),
    count(policy.rules.length, 'rule'),
    count(policy.scorecard.characteristics.length, 'characteristic'),
    count(policy.grades.length, 'grade'),
    count(policy.offers.length, 'offer'),
  ].join(', ');
}

async function validate(file: string, terms: number[], cap: Decimal | undefined): Promise<number> {
  const json = await readJson(file);
  if (!json.ok) {
    process.stdout.write(`${json.message}\n`);
    return exitIssues;
  }
  const result = validatePolicy(json.value);
  if (!result.ok) {
    process.stdout.write(`${file}: ${result.issues.length} issue${result.issues.length === 1 ? '' : 's'}\n`);
    process.stdout.write(issueLines(result.issues));
    return exitIssues;
  }
  const policy = result.value;
  const pricing =
    terms.length === 0 ? [] : policyPricingIssues(policy, cap === undefined ? { terms } : { terms, cap });
  if (pricing.length > 0) {
    process.stdout.write(`${file}: ${pricing.length} pricing issue${pricing.length === 1 ? '' : 's'}\n`);
    process.stdout.write(issueLines(pricing));
    return exitIssues;
  }
  const priced = terms.length === 0 ? '' : `; prices within the cap at ${terms.join(', ')} months`;
  process.stdout.write(`OK ${policy.id} version ${policy.version}: ${counts(policy)}${priced}\n`);
  return 0;
}

async function evaluate(policyFile: string, inputFile: string): Promise<number> {
  const document = await readJson(policyFile);
  const snapshot = await readJson(inputFile);
  for (const json of [document, snapshot])
    if (!json.ok) {
      process.stderr.write(`${json.message}\n`);
      return exitIssues;
    }
  if (!document.ok || !snapshot.ok) return exitIssues;
  const policy = validatePolicy(document.value);
  if (!policy.ok) {
    process.stderr.write(`${policyFile}: the policy is not valid (fenqi policy validate lists why)\n`);
    process.stderr.write(issueLines(policy.issues));
    return exitIssues;
  }
  const decision = evaluatePolicy(policy.value, snapshot.value);
  if (!decision.ok) {
    process.stderr.write(`${inputFile}: the snapshot does not fit the policy's features\n`);
    process.stderr.write(issueLines(decision.issues));
    return exitIssues;
  }
  process.stdout.write(`${canonicalDecisionJson(decision.value)}\n`);
  return 0;
}

async function backtest(versionId: string, from: string, to: string): Promise<number> {
  const config = loadConfigOrExit();
  const database = await openDatabase(config, createLogger({ logLevel: 'warn' }), 'fenqi-cli');
  try {
    const report = await runBacktest(database.db, { versionId, from, to });
    const row = (outcome: 'approve' | 'reject' | 'review') =>
      `  decided ${outcome.padEnd(7)}  ${(['approve', 'reject', 'review'] as const)
        .map((tested) => String(report.confusion[outcome][tested]).padStart(7))
        .join('  ')}\n`;
    process.stdout.write(
      `policy version ${versionId} over ${report.applications} applications, ${from} to ${to}\n` +
        `  ${''.padEnd(16)}  ${['approve', 'reject', 'review'].map((o) => o.padStart(7)).join('  ')}   (this version)\n` +
        row('approve') +
        row('reject') +
        row('review') +
        `  outcome changed ${report.outcomeChanged}, grade changed ${report.gradeChanged}\n` +
        `  limits of applications both approve: ${report.limits.higher} higher, ${report.limits.lower} lower, ${report.limits.same} the same; ` +
        `${report.limits.decidedMinor} fen decided, ${report.limits.testedMinor} fen with this version\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      process.stderr.write(`${error.code}: ${error.detail}\n`);
      return exitUsage;
    }
    throw error;
  } finally {
    await database.close();
  }
}

export const policyCommand: Command = {
  name: 'policy',
  summary: 'Validate a credit policy, evaluate it on a snapshot, or backtest a stored version',
  usage,
  description:
    'validate: checks a policy document (docs/risk.md) and prints OK with its counts, or every issue with its JSON\n' +
    'Pointer path; with --terms also checks that every grade’s price stays within the IRR cap (default 0.24).\n' +
    'evaluate: prints the decision for one snapshot as canonical JSON (RFC 8785), trace included.\n' +
    'backtest: evaluates a stored version over the stored snapshots of a period (DATABASE_URL) and prints the\n' +
    'confusion table against what was decided. validate and evaluate need no database. Exit 0 when valid (or decided), 1 on issues, 2 on bad usage or an unreadable file.',
  options: {
    policy: { type: 'string' },
    input: { type: 'string' },
    terms: { type: 'string' },
    cap: { type: 'string' },
    version: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  },
  optionHelp: [
    '--policy <file>     evaluate: the policy document',
    '--input <file>      evaluate: the snapshot, a JSON object of feature values',
    '--terms <list>      validate: also check prices at these term counts, e.g. 3,6,12',
    '--cap <rate>        validate: the IRR cap for --terms (default 0.24)',
    '--version <id>      backtest: the stored policy version (GET /api/v1/risk/policies)',
    '--from/--to <date>  backtest: the business dates of the applications to replay it on',
  ],
  allowPositionals: true,
  run: async ({ values, positionals }) => {
    const [action, ...rest] = positionals;
    try {
      if (action === 'validate' && rest.length === 1 && rest[0] !== undefined && values.policy === undefined)
        return await validate(rest[0], parseTerms(values.terms), parseCap(values.cap));
      if (
        action === 'evaluate' &&
        rest.length === 0 &&
        typeof values.policy === 'string' &&
        typeof values.input === 'string' &&
        values.terms === undefined &&
        values.cap === undefined
      )
        return await evaluate(values.policy, values.input);
      if (
        action === 'backtest' &&
        rest.length === 0 &&
        typeof values.version === 'string' &&
        /^[0-9a-f-]{36}$/i.test(values.version) &&
        typeof values.from === 'string' &&
        isIsoDate(values.from) &&
        typeof values.to === 'string' &&
        isIsoDate(values.to) &&
        values.from <= values.to
      )
        return await backtest(values.version, values.from, values.to);
      throw new UsageError(`usage: ${usage}`);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`fenqi policy: ${error.message}\n`);
      return exitUsage;
    }
  },
};
