import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalDecisionJson, evaluatePolicy, validatePolicy } from '@fenqi/core';
import { afterAll, describe, expect, it } from 'vitest';

// `fenqi policy` run as a user runs it: the real command in its own process, on the example policy
// of fixtures/risk, with no database configured.

const fenqi = fileURLToPath(new URL('../../bin/fenqi.js', import.meta.url));
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../../fixtures/risk/${name}`, import.meta.url));
const examplePolicy = fixture('policy-example.json');
const scratch = mkdtempSync(join(tmpdir(), 'fenqi-policy-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(...args: string[]): Promise<Run> {
  const { DATABASE_URL: _, ...env } = process.env;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fenqi, 'policy', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function writeJson(name: string, value: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const example = JSON.parse(readFileSync(examplePolicy, 'utf8')) as Record<string, unknown> & {
  rules: Record<string, unknown>[];
  offers: { price: { rate: string } }[];
};

describe('fenqi policy validate', () => {
  it('prints OK with the counts of a valid policy and exits 0', async () => {
    expect(await run('validate', examplePolicy)).toEqual({
      code: 0,
      stdout: 'OK retail-credit version 3: 24 features, 50 rules, 10 characteristics, 4 grades, 4 offers\n',
      stderr: '',
    });
  });

  it('prints every issue with its path and exits 1', async () => {
    const broken = structuredClone(example);
    broken.version = 0;
    broken.rules[3] = {
      ...broken.rules[3],
      when: { all: [{ feature: 'kycStatus', op: '<', value: 'passed' }] },
    };
    const result = await run('validate', writeJson('broken.json', broken));
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      `${join(scratch, 'broken.json')}: 2 issues`,
      '  /version  integer_invalid: version must be an integer from 1 to 9007199254740991',
      '  /rules/3/when/all/0/op  operator_not_allowed: op < needs an ordered feature; kycStatus is a string',
      '',
    ]);
  });

  it('with --terms, names every grade and term priced above the cap', async () => {
    const expensive = structuredClone(example);
    const grade = expensive.offers[0];
    if (grade === undefined) throw new Error('no offer');
    grade.price.rate = '0.2200';
    const result = await run('validate', writeJson('expensive.json', expensive), '--terms', '6,12');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2 pricing issues');
    expect(result.stdout).toContain(
      '/offers/0/price/rate  apr_above_cap: grade A at 6 months (annual_rate 0.2200) has an IRR of 24.36 %, above the cap of 24.00 %',
    );
    expect((await run('validate', examplePolicy, '--terms', '3,6,12,24,36')).code).toBe(0);
  });

  it('reports a file that is not JSON as an issue, and an unreadable file as bad usage', async () => {
    const notJson = join(scratch, 'not.json');
    writeFileSync(notJson, '{"id": ');
    const result = await run('validate', notJson);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${notJson} is not valid JSON`);
    expect(await run('validate', join(scratch, 'missing.json'))).toMatchObject({ code: 2 });
  });
});

describe('fenqi policy evaluate', () => {
  it('prints the canonical decision of the engine, trace included', async () => {
    const snapshot = JSON.parse(readFileSync(fixture('snapshot-approve.json'), 'utf8'));
    const policy = validatePolicy(example);
    if (!policy.ok) throw new Error('the example policy is invalid');
    const decision = evaluatePolicy(policy.value, snapshot);
    if (!decision.ok) throw new Error('the example snapshot is refused');
    const result = await run(
      'evaluate',
      '--policy',
      examplePolicy,
      '--input',
      fixture('snapshot-approve.json'),
    );
    expect(result).toEqual({ code: 0, stdout: `${canonicalDecisionJson(decision.value)}\n`, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({
      outcome: 'approve',
      grade: 'A',
      creditLimit: '5000000',
    });
  });

  it('decides the review and reject snapshots as the fixtures say', async () => {
    for (const [file, outcome] of [
      ['snapshot-review.json', 'review'],
      ['snapshot-reject.json', 'reject'],
      ['snapshot-below-lowest-grade.json', 'reject'],
    ]) {
      const result = await run('evaluate', '--policy', examplePolicy, '--input', fixture(file ?? ''));
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ outcome });
    }
  });

  it('refuses a snapshot that does not fit the features, naming each value, and exits 1', async () => {
    const result = await run(
      'evaluate',
      '--policy',
      examplePolicy,
      '--input',
      fixture('snapshot-invalid.json'),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').slice(1)).toEqual([
      '  /age  type_invalid: age must be an integer (a JSON number without fraction)',
      '  /kycStatus  field_required: kycStatus is required (not nullable)',
      '  /monthlyIncome  minor_units_invalid: monthlyIncome must be integer fen as a string of digits, such as "123456"',
      '  /applicationDate  date_invalid: applicationDate must be a date string YYYY-MM-DD of a real date in 1900–9999',
      '',
    ]);
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [
      ['evaluate', '--policy', examplePolicy],
      ['evaluate', examplePolicy],
      ['validate'],
      ['judge', examplePolicy],
    ]) {
      const result = await run(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('usage: fenqi policy validate');
    }
  });
});
