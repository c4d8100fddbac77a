import { residentIdCheckCharacter } from '@fenqi/core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { blacklistHits, blacklistHitsByIndex } from '../../src/modules/risk/blacklist/index.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { blindIndex } from '../../src/platform/crypto/blind-index.ts';
import { auditActions, createStaff, signIn } from '../iam/support.ts';
import { type HttpResult, useTestServer } from '../support/server.ts';
import { staffCalls, withLuhn } from './support.ts';

// The blacklist over HTTP with IAM: maker-checker for adding and removing, what blacklistHits
// matches, refusals that write nothing, and races for one value.

const { database, server } = useTestServer({ accessControl: 'iam' });

type Credentials = Awaited<ReturnType<typeof signIn>>;

// The server object is filled in by useTestServer's hook; the calls read its address when made.
const { post, get } = staffCalls(server);

async function staff(roles: string[]) {
  const user = await createStaff(database.db, server.config, roles);
  return { user, session: await signIn(database.db, server.config, user) };
}

let sequence = 0;
function idNumber(): string {
  sequence += 1;
  const first17 = `11010519900307${String(sequence).padStart(3, '0')}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}
function phone(): string {
  sequence += 1;
  return `139${String(sequence).padStart(8, '0')}`;
}
function card(): string {
  sequence += 1;
  return withLuhn(`622202${String(sequence).padStart(12, '0')}`);
}

type Entry = { id: string; status: string; addApprovalId: string; removalApprovalId: string | null };

async function propose(maker: Credentials, body: Record<string, unknown>): Promise<Entry> {
  const response = await post(maker, '/api/v1/risk/blacklist', { reasonCode: 'fraud_confirmed', ...body });
  expect(response.status, response.text).toBe(201);
  return response.json as Entry;
}

async function approve(checker: Credentials, requestId: string): Promise<HttpResult> {
  const response = await post(checker, `/api/v1/approvals/${requestId}/approve`);
  expect(response.status, response.text).toBe(200);
  return response;
}

/** What a refusal must leave as it was. */
async function rowCounts() {
  const result = await sql<Record<string, bigint>>`
    SELECT (SELECT count(*) FROM risk_blacklist_entries) AS entries,
           (SELECT count(*) FROM risk_blacklist_imports) AS imports,
           (SELECT count(*) FROM approval_requests) AS approvals,
           (SELECT count(*) FROM data_keys) AS data_keys,
           (SELECT count(*) FROM audit_log) AS audit_rows,
           (SELECT count(*) FROM idempotency_keys) AS idempotency_keys`.execute(database.db);
  return result.rows[0];
}

function outcomes(results: HttpResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const code = (result.json as { code?: string } | undefined)?.code;
    const label = result.status < 300 ? String(result.status) : `${result.status} ${code}`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

const today = () => getBusinessDate(database.db);

describe('maker-checker', () => {
  it('a proposed ID number waits for a different user, then applies from the business date of the approval', async () => {
    // The maker could check, but not their own request.
    const maker = await staff(['risk_analyst', 'approver']);
    const checker = await staff(['approver']);
    const value = idNumber();
    const response = await post(maker.session, '/api/v1/risk/blacklist', {
      kind: 'id_number',
      value,
      reasonCode: 'identity_theft',
      note: 'Reported by the police',
    });
    expect(response.status).toBe(201);
    const entry = response.json as Entry;
    expect(entry).toEqual({
      id: expect.stringMatching(/^\d+$/),
      kind: 'id_number',
      valueMasked: `${value.slice(0, 3)}***********${value.slice(14)}`,
      reasonCode: 'identity_theft',
      note: 'Reported by the police',
      source: 'manual',
      importId: null,
      expiresOn: null,
      status: 'pending_add',
      applies: false,
      activeFrom: null,
      removedOn: null,
      proposedBy: maker.user.id,
      addApprovalId: expect.any(String),
      approvedBy: null,
      approvedAt: null,
      removalNote: null,
      removalRequestedBy: null,
      removalRequestedAt: null,
      removalApprovalId: null,
      removedBy: null,
      removedAt: null,
      createdAt: expect.any(String),
    });
    const date = await today();
    expect((await blacklistHits(database.db, server.config, { idNumber: value }, date)).idNumber).toBe(false);

    const own = await post(maker.session, `/api/v1/approvals/${entry.addApprovalId}/approve`);
    expect(own.json).toMatchObject({ status: 403, code: 'maker_cannot_check' });
    expect((await get(maker.session, `/api/v1/risk/blacklist/${entry.id}`)).json).toMatchObject({
      status: 'pending_add',
    });

    const approved = await approve(checker.session, entry.addApprovalId);
    expect(approved.json).toMatchObject({
      action: 'risk.blacklist-add',
      payload: { entryId: entry.id, kind: 'id_number' },
      status: 'approved',
      checkerId: checker.user.id,
      result: { entryId: entry.id, status: 'active', activeFrom: date },
    });
    expect((await get(maker.session, `/api/v1/risk/blacklist/${entry.id}`)).json).toMatchObject({
      status: 'active',
      applies: true,
      activeFrom: date,
      approvedBy: checker.user.id,
      approvedAt: expect.any(String),
    });
    expect(await blacklistHits(database.db, server.config, { idNumber: value.toLowerCase() }, date)).toEqual({
      idNumber: true,
      phone: false,
      card: false,
      device: false,
      entries: [{ id: entry.id, kind: 'id_number', reason: 'identity_theft' }],
    });
    expect(await auditActions(database.db, entry.addApprovalId)).toEqual([
      'approvals.requested',
      'approvals.approved',
    ]);
    expect(await auditActions(database.db, entry.id)).toEqual(['risk.blacklist-entry-activated']);
  });

  it('stores no ID number, phone or card number: not in the entry, the approval request or the audit log', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const values = { id_number: idNumber(), phone: phone(), card: card() };
    for (const [kind, value] of Object.entries(values)) {
      const entry = await propose(maker.session, { kind, value });
      await approve(checker.session, entry.addApprovalId);
    }
    const dump = await sql<{ text: string }>`
      SELECT concat_ws('|',
        (SELECT string_agg(e::text, '|') FROM risk_blacklist_entries e),
        (SELECT string_agg(a::text, '|') FROM approval_requests a),
        (SELECT string_agg(l::text, '|') FROM audit_log l)) AS text`.execute(database.db);
    const text = dump.rows[0]?.text ?? '';
    expect(text).toContain('risk.blacklist-add');
    for (const value of Object.values(values)) expect(text).not.toContain(value);
  });

  it('a removal keeps the entry applying until a different user approves; from that day it no longer applies', async () => {
    // The maker could check, but not their own request.
    const maker = await staff(['risk_analyst', 'approver']);
    const checker = await staff(['approver']);
    const value = phone();
    const entry = await propose(maker.session, { kind: 'phone', value });
    await approve(checker.session, entry.addApprovalId);
    const date = await today();

    const removal = await post(maker.session, `/api/v1/risk/blacklist/${entry.id}/removals`, {
      note: 'Identity theft cleared by the police',
    });
    expect(removal.status).toBe(201);
    const pending = removal.json as Entry;
    expect(pending).toMatchObject({
      status: 'pending_remove',
      applies: true,
      removalNote: 'Identity theft cleared by the police',
      removalRequestedBy: maker.user.id,
      removalApprovalId: expect.any(String),
    });
    expect((await blacklistHits(database.db, server.config, { phone: value }, date)).phone).toBe(true);

    const removalId = pending.removalApprovalId ?? '';
    const own = await post(maker.session, `/api/v1/approvals/${removalId}/approve`);
    expect(own.json).toMatchObject({ status: 403, code: 'maker_cannot_check' });
    const approved = await approve(checker.session, removalId);
    expect(approved.json).toMatchObject({
      action: 'risk.blacklist-remove',
      payload: { entryId: entry.id },
      result: { entryId: entry.id, status: 'removed', removedOn: date },
    });
    expect((await get(maker.session, `/api/v1/risk/blacklist/${entry.id}`)).json).toMatchObject({
      status: 'removed',
      applies: false,
      removedBy: checker.user.id,
      removedOn: date,
      removedAt: expect.any(String),
    });
    expect(await blacklistHits(database.db, server.config, { phone: value }, date)).toEqual({
      idNumber: false,
      phone: false,
      card: false,
      device: false,
      entries: [],
    });
    expect(await auditActions(database.db, entry.id)).toEqual([
      'risk.blacklist-entry-activated',
      'risk.blacklist-entry-removed',
    ]);
    // Removed, the value may be proposed again.
    await propose(maker.session, { kind: 'phone', value });
  });

  it('a rejected proposal never applied, and the next proposal of the value takes its place', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const value = 'android-7f3e21';
    const first = await propose(maker.session, { kind: 'device', value });
    const rejected = await post(checker.session, `/api/v1/approvals/${first.addApprovalId}/reject`, {
      note: 'Not enough evidence',
    });
    expect(rejected.json).toMatchObject({ status: 'rejected', result: null });
    expect((await blacklistHits(database.db, server.config, { deviceId: value }, await today())).device).toBe(
      false,
    );

    const second = await propose(maker.session, { kind: 'device', value, reasonCode: 'cash_out' });
    expect((await get(maker.session, `/api/v1/risk/blacklist/${first.id}`)).json).toMatchObject({
      status: 'rejected',
      applies: false,
    });
    await approve(checker.session, second.addApprovalId);
    expect(await blacklistHits(database.db, server.config, { deviceId: value }, await today())).toMatchObject(
      {
        device: true,
        entries: [{ id: second.id, kind: 'device', reason: 'cash_out' }],
      },
    );
  });

  it('a rejected removal leaves the entry active, and its removal can be proposed again', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const entry = await propose(maker.session, { kind: 'card', value: card() });
    await approve(checker.session, entry.addApprovalId);
    const removal = (
      await post(maker.session, `/api/v1/risk/blacklist/${entry.id}/removals`, { note: 'Paid up' })
    ).json as Entry;
    await post(checker.session, `/api/v1/approvals/${removal.removalApprovalId}/reject`, {
      note: 'Still fraud',
    });

    const again = await post(maker.session, `/api/v1/risk/blacklist/${entry.id}/removals`, {
      note: 'Court order',
    });
    expect(again.status).toBe(201);
    expect(again.json).toMatchObject({ status: 'pending_remove', removalNote: 'Court order' });
    expect((again.json as Entry).removalApprovalId).not.toBe(removal.removalApprovalId);
  });

  it('a user who may decide approvals but not blacklist changes is refused, and nothing changes', async () => {
    const maker = await staff(['risk_analyst']);
    const finance = await staff(['finance']);
    const entry = await propose(maker.session, { kind: 'phone', value: phone() });
    const refused = await post(finance.session, `/api/v1/approvals/${entry.addApprovalId}/approve`);
    expect(refused.json).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: 'Deciding risk.blacklist-add needs the permission risk:blacklist-approve.',
    });
    expect((await get(maker.session, `/api/v1/risk/blacklist/${entry.id}`)).json).toMatchObject({
      status: 'pending_add',
    });
  });
});

describe('blacklistHits', () => {
  it('matches each kind on its own, any of several cards, and formatted values; pending entries never', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const listed = { idNumber: idNumber(), phone: phone(), card: card(), device: 'ios-A1B2C3' };
    const entries: Record<string, Entry> = {};
    for (const [kind, value] of [
      ['id_number', listed.idNumber],
      ['phone', listed.phone],
      ['card', listed.card],
      ['device', listed.device],
    ] as const) {
      entries[kind] = await propose(maker.session, { kind, value, reasonCode: 'forged_documents' });
      await approve(checker.session, entries[kind]?.addApprovalId ?? '');
    }
    const pendingPhone = phone();
    await propose(maker.session, { kind: 'phone', value: pendingPhone });
    const date = await today();
    const hits = (probe: Parameters<typeof blacklistHits>[2]) =>
      blacklistHits(database.db, server.config, probe, date);
    const none = { idNumber: false, phone: false, card: false, device: false, entries: [] };

    expect(
      await hits({ idNumber: idNumber(), phone: phone(), cardNumbers: [card()], deviceId: 'other' }),
    ).toEqual(none);
    expect(await hits({ phone: pendingPhone })).toEqual(none);
    expect(await hits({})).toEqual(none);
    expect(await hits({ idNumber: listed.idNumber })).toMatchObject({ idNumber: true, phone: false });
    expect(await hits({ phone: `${listed.phone.slice(0, 3)}-${listed.phone.slice(3)}` })).toMatchObject({
      phone: true,
      idNumber: false,
    });
    expect(
      await hits({ cardNumbers: [card(), `${listed.card.slice(0, 4)} ${listed.card.slice(4)}`] }),
    ).toMatchObject({ card: true, phone: false });
    expect(await hits({ deviceId: listed.device })).toMatchObject({ device: true, card: false });
    expect(await hits({ deviceId: listed.device.toLowerCase() })).toEqual(none);
    expect(
      await hits({
        idNumber: listed.idNumber,
        phone: listed.phone,
        cardNumbers: [listed.card],
        deviceId: listed.device,
      }),
    ).toEqual({
      idNumber: true,
      phone: true,
      card: true,
      device: true,
      entries: ['id_number', 'phone', 'card', 'device'].map((kind) => ({
        id: entries[kind]?.id,
        kind,
        reason: 'forged_documents',
      })),
    });
    // By the blind indexes the customers module stores: the same key and kinds.
    const key = server.config.secrets.blindIndexKey;
    expect(
      await blacklistHitsByIndex(
        database.db,
        {
          idNumberIndex: blindIndex(key, 'id-number', listed.idNumber),
          cardNumberIndexes: [blindIndex(key, 'card-number', listed.card)],
        },
        date,
      ),
    ).toMatchObject({ idNumber: true, phone: false, card: true, device: false });
  });
});

describe('refusals write nothing', () => {
  it('a value already listed or pending: 409 blacklist_entry_exists naming the entry', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const value = phone();
    const pending = await propose(maker.session, { kind: 'phone', value });
    const before = await rowCounts();
    const again = await post(maker.session, '/api/v1/risk/blacklist', {
      kind: 'phone',
      value,
      reasonCode: 'cash_out',
    });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({
      type: 'https://fenqi.dev/problems/blacklist_entry_exists',
      title: 'The value is already on the blacklist or waiting for a decision',
      status: 409,
      code: 'blacklist_entry_exists',
      detail: `This phone number is already on the blacklist or waiting for a decision (entry ${pending.id}, pending_add).`,
      entryId: pending.id,
      instance: '/api/v1/risk/blacklist',
      requestId: expect.any(String),
    });
    expect(await rowCounts()).toEqual(before);
    await approve(checker.session, pending.addApprovalId);
    const approved = await rowCounts();
    const active = await post(maker.session, '/api/v1/risk/blacklist', {
      kind: 'phone',
      value,
      reasonCode: 'other',
      note: 'seen again',
    });
    expect(active.json).toMatchObject({
      code: 'blacklist_entry_exists',
      detail: `This phone number is already on the blacklist or waiting for a decision (entry ${pending.id}, active).`,
    });
    expect(await rowCounts()).toEqual(approved);
  });

  it.each([
    [
      'an ID number with a wrong check character',
      { kind: 'id_number', value: '110105199003070011', reasonCode: 'fraud_confirmed' },
      400,
      {
        code: 'validation_failed',
        detail:
          'The body is not valid: value: is not a valid resident ID number: it has a wrong check character (the 18th)',
        errors: [
          {
            in: 'body',
            path: 'value',
            code: 'id_number_check_character',
            message: 'is not a valid resident ID number: it has a wrong check character (the 18th)',
          },
        ],
      },
    ],
    [
      'a card number failing Luhn',
      { kind: 'card', value: '6222021234567890121', reasonCode: 'cash_out' },
      400,
      {
        code: 'validation_failed',
        errors: [
          {
            in: 'body',
            path: 'value',
            code: 'card_luhn',
            message: 'is not a bank card number: its check digit (Luhn) is wrong',
          },
        ],
      },
    ],
    [
      'a phone that is not a mainland mobile',
      { kind: 'phone', value: '12012345678', reasonCode: 'cash_out' },
      400,
      { code: 'validation_failed', errors: [{ in: 'body', path: 'value', code: 'phone_invalid' }] },
    ],
    [
      'an expiry date that is not after the business date',
      { kind: 'phone', value: '13700000001', reasonCode: 'cash_out', expiresOn: '2020-01-01' },
      400,
      { code: 'validation_failed', errors: [{ in: 'body', path: 'expiresOn', code: 'expiry_not_future' }] },
    ],
    [
      'reason other without a note',
      { kind: 'phone', value: '13700000002', reasonCode: 'other' },
      400,
      {
        code: 'validation_failed',
        errors: [
          {
            in: 'body',
            path: 'note',
            code: 'note_required',
            message: 'must say what the reason is (reason other)',
          },
        ],
      },
    ],
    [
      'a reason outside the closed list',
      { kind: 'phone', value: '13700000003', reasonCode: 'dislike' },
      400,
      { code: 'validation_failed', errors: [{ in: 'body', path: 'reasonCode' }] },
    ],
    [
      'an unknown field',
      { kind: 'phone', value: '13700000004', reasonCode: 'cash_out', customerId: 'x' },
      400,
      { code: 'validation_failed', errors: [{ in: 'body', path: 'customerId', code: 'unknown_field' }] },
    ],
  ])('%s: refused, and nothing written', async (_name, body, status, problem) => {
    const maker = await staff(['risk_analyst']);
    const before = await rowCounts();
    const response = await post(maker.session, '/api/v1/risk/blacklist', body);
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject(problem);
    expect(await rowCounts()).toEqual(before);
  });

  it('a user without risk:blacklist may read but not propose (403), and nothing is written', async () => {
    const auditor = await staff(['auditor']);
    const before = await rowCounts();
    const response = await post(auditor.session, '/api/v1/risk/blacklist', {
      kind: 'phone',
      value: phone(),
      reasonCode: 'cash_out',
    });
    expect(response.json).toMatchObject({ status: 403, code: 'forbidden' });
    expect(await rowCounts()).toEqual(before);
    expect((await get(auditor.session, '/api/v1/risk/blacklist?limit=1')).status).toBe(200);
  });

  it('removing an entry that is not active: 409 blacklist_entry_not_active, and an unknown entry 404', async () => {
    const maker = await staff(['risk_analyst']);
    const pending = await propose(maker.session, { kind: 'phone', value: phone() });
    const before = await rowCounts();
    const response = await post(maker.session, `/api/v1/risk/blacklist/${pending.id}/removals`, {
      note: 'oops',
    });
    expect(response.json).toMatchObject({
      status: 409,
      code: 'blacklist_entry_not_active',
      detail: `Blacklist entry ${pending.id} is pending_add; only an active entry can be proposed for removal.`,
    });
    expect(await rowCounts()).toEqual(before);
    const unknown = await post(maker.session, '/api/v1/risk/blacklist/999999999/removals', { note: 'oops' });
    expect(unknown.json).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'There is no blacklist entry 999999999.',
    });
    expect(await rowCounts()).toEqual(before);
  });
});

describe('concurrent proposals', () => {
  it('10 concurrent proposals of one value: 1 × 201 and 9 × 409 blacklist_entry_exists, one entry and one approval request', async () => {
    const maker = await staff(['risk_analyst']);
    const value = idNumber();
    const before = await rowCounts();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(maker.session, '/api/v1/risk/blacklist', {
          kind: 'id_number',
          value,
          reasonCode: 'fraud_confirmed',
        }),
      ),
    );
    expect(outcomes(results)).toEqual({ '201': 1, '409 blacklist_entry_exists': 9 });
    const after = await rowCounts();
    expect(after?.entries).toBe((before?.entries ?? 0n) + 1n);
    expect(after?.approvals).toBe((before?.approvals ?? 0n) + 1n);
    expect(after?.data_keys).toBe((before?.data_keys ?? 0n) + 1n);
    const search = await post(maker.session, '/api/v1/risk/blacklist/search', { kind: 'id_number', value });
    expect((search.json as Entry[]).map((entry) => entry.status)).toEqual(['pending_add']);
  });

  it('6 concurrent removals of one active entry: 1 × 201 and 5 × 409 blacklist_entry_not_active', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const entry = await propose(maker.session, { kind: 'device', value: `dev-${crypto.randomUUID()}` });
    await approve(checker.session, entry.addApprovalId);
    const before = await rowCounts();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        post(maker.session, `/api/v1/risk/blacklist/${entry.id}/removals`, { note: 'Device sold' }),
      ),
    );
    expect(outcomes(results)).toEqual({ '201': 1, '409 blacklist_entry_not_active': 5 });
    expect((await rowCounts())?.approvals).toBe((before?.approvals ?? 0n) + 1n);
  });
});

describe('list and search', () => {
  it('lists newest first with a cursor, filters by kind and status, and shows values masked only', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const cards = [card(), card(), card()];
    const made: Entry[] = [];
    for (const value of cards)
      made.push(await propose(maker.session, { kind: 'card', value, reasonCode: 'cash_out' }));
    await approve(checker.session, made[1]?.addApprovalId ?? '');

    const page = await get(maker.session, '/api/v1/risk/blacklist?kind=card&limit=2');
    const first = page.json as { entries: (Entry & { valueMasked: string })[]; cursor: string };
    expect(first.entries.map((entry) => entry.id)).toEqual([made[2]?.id, made[1]?.id]);
    expect(first.entries[0]?.valueMasked).toBe(`${cards[2]?.slice(0, 6)}*********${cards[2]?.slice(-4)}`);
    expect(first.cursor).toBe(made[1]?.id);
    const next = (await get(maker.session, `/api/v1/risk/blacklist?kind=card&limit=2&before=${first.cursor}`))
      .json as { entries: Entry[] };
    expect(next.entries[0]?.id).toBe(made[0]?.id);
    const active = (await get(maker.session, '/api/v1/risk/blacklist?kind=card&status=active&limit=500'))
      .json as {
      entries: Entry[];
      cursor: string | null;
    };
    expect(active.entries.map((entry) => entry.id)).toContain(made[1]?.id);
    expect(active.entries.every((entry) => entry.status === 'active')).toBe(true);
    for (const value of cards) expect(page.text + JSON.stringify(active)).not.toContain(value);
  });

  it('finds every entry of one value by the body, and nothing for a value that cannot be listed', async () => {
    const maker = await staff(['risk_analyst']);
    const checker = await staff(['approver']);
    const value = phone();
    const first = await propose(maker.session, { kind: 'phone', value });
    await post(checker.session, `/api/v1/approvals/${first.addApprovalId}/reject`, { note: 'no' });
    const second = await propose(maker.session, { kind: 'phone', value });
    const found = await post(maker.session, '/api/v1/risk/blacklist/search', { kind: 'phone', value });
    expect(found.status).toBe(200);
    expect((found.json as Entry[]).map((entry) => [entry.id, entry.status])).toEqual([
      [second.id, 'pending_add'],
      [first.id, 'rejected'],
    ]);
    expect(found.text).not.toContain(value);
    const malformed = await post(maker.session, '/api/v1/risk/blacklist/search', {
      kind: 'phone',
      value: '42',
    });
    expect(malformed.json).toEqual([]);
  });

  it('names the reason codes in Chinese and English', async () => {
    const maker = await staff(['risk_analyst']);
    const reasons = (await get(maker.session, '/api/v1/risk/blacklist/reasons')).json as { code: string }[];
    expect(reasons.map((reason) => reason.code)).toEqual([
      'fraud_confirmed',
      'identity_theft',
      'forged_documents',
      'dishonest_debtor',
      'money_laundering',
      'cash_out',
      'self_exclusion',
      'regulatory_request',
      'other',
    ]);
    expect(reasons[4]).toEqual({
      code: 'money_laundering',
      zh: '涉嫌洗钱',
      en: 'Suspected money laundering',
    });
  });
});
