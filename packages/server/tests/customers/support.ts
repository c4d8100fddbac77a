import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { http, type TestServer } from '../support/server.ts';

// Consents as a borrower gives them: the agreement's current version read from the catalogue, then
// accepted with a device id (docs/kyc.md, "Agreements and consents").

export async function acceptConsent(
  server: TestServer,
  borrower: { headers: Record<string, string> },
  code: string,
): Promise<void> {
  const listed = await http(server.baseUrl, 'GET', '/api/v1/borrower/agreements', {
    headers: borrower.headers,
  });
  expect(listed.status, listed.text).toBe(200);
  const agreement = (listed.json as { code: string; version: string }[]).find((a) => a.code === code);
  expect(agreement, `agreement ${code}`).toBeDefined();
  const accepted = await http(server.baseUrl, 'POST', '/api/v1/borrower/consents', {
    body: { code, version: agreement?.version, deviceId: 'device-test-0001' },
    headers: { ...borrower.headers, 'idempotency-key': randomUUID() },
  });
  expect(accepted.status, accepted.text).toBe(201);
}
