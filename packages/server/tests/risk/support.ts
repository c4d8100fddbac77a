import { randomUUID } from 'node:crypto';
import { luhnValid, residentIdCheckCharacter } from '@fenqi/core';
import { expect } from 'vitest';
import type { Config } from '../../src/platform/config.ts';
import type { DB } from '../../src/platform/db.ts';
import { acceptConsent } from '../customers/support.ts';
import { createStaff, randomPhone, type StaffCredentials, signIn, signInBorrower } from '../iam/support.ts';
import { http, type TestServer } from '../support/server.ts';

// Shared by the risk tests: a policy over the features Fenqi computes, whose outcome depends only
// on what a test controls (the applicant's age, the KYC level, how often they applied), staff to
// write and publish it, and borrowers taken through registration, real-name and consents.

export type Staff = { analyst: StaffCredentials; approver: StaffCredentials };

export async function riskStaff(db: DB, config: Config): Promise<Staff> {
  const analyst = await createStaff(db, config, ['risk_analyst']);
  const approver = await createStaff(db, config, ['approver']);
  return { analyst: await signIn(db, config, analyst), approver: await signIn(db, config, approver) };
}

/**
 * Scores 580 + age points (under 30: 50; 30–44: 80; 45 and over: 30) + 40 with a bound card.
 * Age 35 with real name only: 660, grade A (50,000.00 at 14.40 %); age 25: 630, B; age 50: 610, B.
 * Applicants of 55 and over go to review; a 31st application on one day is rejected.
 */
export function testPolicy(version = 1, changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'consumer-test',
    version,
    currency: 'CNY',
    eligibility: { ageMin: 18, ageMax: 60 },
    features: {
      age: { type: 'integer' },
      kycLevel: { type: 'string' },
      applications1d: { type: 'integer' },
      blacklisted: { type: 'boolean' },
    },
    rules: [
      {
        id: 'R001',
        when: { feature: 'age', op: '>=', value: 55 },
        action: 'review',
        reason: 'R001_OLDER_APPLICANT_REVIEW',
      },
      {
        id: 'R002',
        when: { feature: 'applications1d', op: '>=', value: 30 },
        action: 'reject',
        reason: 'R002_TOO_MANY_APPLICATIONS',
      },
      {
        id: 'R003',
        when: { feature: 'blacklisted', op: '==', value: true },
        action: 'reject',
        reason: 'R003_BLACKLISTED',
      },
    ],
    scorecard: {
      basePoints: 580,
      characteristics: [
        {
          feature: 'age',
          bins: [
            { range: [null, 30], points: 50 },
            { range: [30, 45], points: 80 },
            { range: [45, null], points: 30 },
          ],
          missingPoints: 0,
        },
        {
          feature: 'kycLevel',
          bins: [{ values: ['card_bound'], points: 40 }],
          missingPoints: 0,
          otherPoints: 0,
        },
      ],
    },
    grades: [
      { grade: 'A', minScore: 650 },
      { grade: 'B', minScore: 600 },
      { grade: 'C', minScore: null },
    ],
    offers: [
      {
        grade: 'A',
        creditLimit: '5000000',
        price: { kind: 'annual_rate', rate: '0.1440' },
        products: ['cash-line', 'pos-installment'],
      },
      {
        grade: 'B',
        creditLimit: '2000000',
        price: { kind: 'annual_rate', rate: '0.1800' },
        products: ['pos-installment'],
      },
      {
        grade: 'C',
        creditLimit: '500000',
        price: { kind: 'period_fee_rate', rate: '0.0075' },
        products: ['pos-installment'],
      },
    ],
    ...changes,
  };
}

/** A maker (risk_analyst) and a checker (approver), signed in: the blacklist tests' names for riskStaff. */
export async function makerAndChecker(db: DB, config: Config) {
  const { analyst, approver } = await riskStaff(db, config);
  return { maker: analyst, checker: approver };
}

/** POST with an Idempotency-Key and GET, as a signed-in staff user. */
export function staffCalls(server: TestServer) {
  return {
    post: (who: StaffCredentials, path: string, body: unknown = {}) =>
      http(server.baseUrl, 'POST', path, { body, headers: write(who) }),
    get: (who: StaffCredentials, path: string) =>
      http(server.baseUrl, 'GET', path, { headers: who.headers(false) }),
  };
}

/** The payload completed with the digit that makes it pass Luhn. */
export function withLuhn(payload: string): string {
  for (let digit = 0; digit <= 9; digit += 1)
    if (luhnValid(`${payload}${digit}`)) return `${payload}${digit}`;
  throw new Error('no Luhn digit');
}

export const write = (credentials: StaffCredentials) => ({
  ...credentials.headers(),
  'idempotency-key': randomUUID(),
});

/** Writes the draft and has it published (analyst asks, approver approves); returns the version id. */
export async function publishPolicy(
  server: TestServer,
  staff: Staff,
  document: Record<string, unknown>,
  role: { role: 'champion' } | { role: 'challenger'; challengerShareBp: number } = { role: 'champion' },
): Promise<string> {
  const draft = await http(server.baseUrl, 'POST', '/api/v1/risk/policies', {
    body: { document },
    headers: write(staff.analyst),
  });
  expect(draft.status, draft.text).toBe(201);
  const versionId = (draft.json as { id: string }).id;
  const request = await http(server.baseUrl, 'POST', `/api/v1/risk/policies/${versionId}/publish-requests`, {
    body: { ...role, reason: 'test policy' },
    headers: write(staff.analyst),
  });
  expect(request.status, request.text).toBe(201);
  const approved = await http(
    server.baseUrl,
    'POST',
    `/api/v1/approvals/${(request.json as { id: string }).id}/approve`,
    { body: {}, headers: write(staff.approver) },
  );
  expect(approved.status, approved.text).toBe(200);
  return versionId;
}

let sequence = 0;
/** A valid resident ID number of someone born on `birthDate` (YYYY-MM-DD). */
export function idNumberBornOn(birthDate: string): string {
  sequence = (sequence + 1) % 1000;
  const first17 = `110105${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

export type Applicant = {
  borrower: Awaited<ReturnType<typeof signInBorrower>>;
  customerId: string;
  idNumber: string;
};

/** A borrower who registered (real name verified) and accepted the consents an application needs. */
export async function applicant(
  server: TestServer,
  db: DB,
  birthDate: string,
  options: { consents?: readonly string[] } = {},
): Promise<Applicant> {
  const borrower = await signInBorrower(db, server.config, randomPhone());
  const idNumber = idNumberBornOn(birthDate);
  const created = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
    body: { name: '王小明', idNumber },
    headers: { ...borrower.headers, 'idempotency-key': randomUUID() },
  });
  expect(created.status, created.text).toBe(201);
  const customerId = (created.json as { id: string }).id;
  for (const code of options.consents ?? ['credit_bureau_query', 'privacy_policy'])
    await accept(server, borrower, code);
  return { borrower, customerId, idNumber };
}

export async function accept(
  server: TestServer,
  borrower: Applicant['borrower'],
  code: string,
): Promise<void> {
  await acceptConsent(server, borrower, code);
}

export async function apply(server: TestServer, who: Applicant, deviceId = `device-${who.customerId}`) {
  return http(server.baseUrl, 'POST', '/api/v1/borrower/credit-applications', {
    body: { deviceId },
    headers: { ...who.borrower.headers, 'idempotency-key': randomUUID() },
  });
}
