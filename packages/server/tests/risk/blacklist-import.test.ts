import { residentIdCheckCharacter } from '@fenqi/core';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { blacklistHits } from '../../src/modules/risk/blacklist/index.ts';
import { setInitialBusinessDate } from '../../src/platform/business-date.ts';
import type { signIn } from '../iam/support.ts';
import { http, useTestServer } from '../support/server.ts';
import { makerAndChecker, staffCalls, withLuhn } from './support.ts';

// Bulk import: a CSV file checked row by row, reported line by line, imported all or nothing under
// one approval request whose approval activates every entry at once. Business date 2026-06-15.

const { database, server } = useTestServer({
  accessControl: 'iam',
  prepare: (db) => db.db.transaction().execute((trx) => setInitialBusinessDate(trx, '2026-06-15')),
});

type Credentials = Awaited<ReturnType<typeof signIn>>;
type Import = { id: string; entryCount: number; approvalRequestId: string };
type Entry = { id: string; kind: string; status: string; source: string; importId: string | null };

const header = 'kind,value,reason,expires_on,note';
// The server object is filled in by useTestServer's hook; the calls read its address when made.
const { post, get } = staffCalls(server);
const importFile = (who: Credentials, csv: string, note?: string) =>
  post(who, '/api/v1/risk/blacklist/imports', note === undefined ? { csv } : { csv, note });

const sessions = () => makerAndChecker(database.db, server.config);

const idNumber = (first17: string) => `${first17}${residentIdCheckCharacter(first17)}`;

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

async function entriesOf(who: Credentials, importId: string): Promise<Entry[]> {
  const page = await get(who, `/api/v1/risk/blacklist?importId=${importId}&limit=500`);
  return (page.json as { entries: Entry[] }).entries;
}

describe('a valid file', () => {
  it('becomes pending entries of one import under one approval request; the approval activates them all', async () => {
    const { maker, checker } = await sessions();
    const person = idNumber('44030519850412001');
    const card = withLuhn('621700123456789012');
    const csv = [
      header,
      `id_number,${person},identity_theft,2027-06-15,`,
      'phone,13500000001,fraud_confirmed,,"Called as ""the bank"", asked for codes"',
      `card,"${card.slice(0, 4)} ${card.slice(4)}",cash_out,,"two lines:\r\nfake purchases"`,
      'device,imei-861234567890123,cash_out,,',
      '',
    ].join('\r\n');
    const before = await rowCounts();
    const response = await importFile(maker, csv, 'Fraud ring of May');
    expect(response.status, response.text).toBe(201);
    const batch = response.json as Import;
    expect(batch).toEqual({
      id: expect.any(String),
      entryCount: 4,
      note: 'Fraud ring of May',
      requestedBy: expect.any(String),
      approvalRequestId: expect.any(String),
      businessDate: '2026-06-15',
      createdAt: expect.any(String),
    });
    const after = await rowCounts();
    expect(after?.entries).toBe((before?.entries ?? 0n) + 4n);
    expect(after?.approvals).toBe((before?.approvals ?? 0n) + 1n);
    // One data key protects the file's values (each ciphertext is still bound to its own entry).
    expect(after?.data_keys).toBe((before?.data_keys ?? 0n) + 1n);

    const pending = await entriesOf(maker, batch.id);
    expect(pending.map((entry) => [entry.kind, entry.status, entry.source])).toEqual([
      ['device', 'pending_add', 'import'],
      ['card', 'pending_add', 'import'],
      ['phone', 'pending_add', 'import'],
      ['id_number', 'pending_add', 'import'],
    ]);
    expect(pending[2]).toMatchObject({
      valueMasked: '135****0001',
      note: 'Called as "the bank", asked for codes',
    });
    expect(pending[1]).toMatchObject({ note: 'two lines:\r\nfake purchases' });
    const probe = {
      idNumber: person,
      phone: '13500000001',
      cardNumbers: [card],
      deviceId: 'imei-861234567890123',
    };
    expect(await blacklistHits(database.db, server.config, probe, '2026-06-15')).toMatchObject({
      idNumber: false,
      phone: false,
      card: false,
      device: false,
    });

    const approved = await post(checker, `/api/v1/approvals/${batch.approvalRequestId}/approve`);
    expect(approved.json).toMatchObject({
      action: 'risk.blacklist-import',
      payload: { importId: batch.id, entries: 4 },
      status: 'approved',
      result: { importId: batch.id, entries: 4, activeFrom: '2026-06-15' },
    });
    expect((await entriesOf(maker, batch.id)).map((entry) => entry.status)).toEqual([
      'active',
      'active',
      'active',
      'active',
    ]);
    const hits = await blacklistHits(database.db, server.config, probe, '2026-06-15');
    expect(hits).toMatchObject({ idNumber: true, phone: true, card: true, device: true });
    expect(hits.entries.map((entry) => entry.reason)).toEqual([
      'identity_theft',
      'fraud_confirmed',
      'cash_out',
      'cash_out',
    ]);
    expect((await get(maker, `/api/v1/risk/blacklist/imports/${batch.id}`)).json).toEqual(batch);
  });

  it('10,000 rows: one import, and one approval activates every entry', async () => {
    const { maker, checker } = await sessions();
    const rows = Array.from({ length: 10_000 }, (_, i) => `phone,${15_000_000_000 + i},fraud_confirmed,,`);
    const response = await importFile(maker, [header, ...rows].join('\n'));
    expect(response.status, response.text).toBe(201);
    const batch = response.json as Import;
    expect(batch.entryCount).toBe(10_000);
    expect((await post(checker, `/api/v1/approvals/${batch.approvalRequestId}/approve`)).json).toMatchObject({
      result: { entries: 10_000 },
    });
    const counted = await sql<{ status: string; n: bigint }>`
      SELECT status, count(*) AS n FROM risk_blacklist_entries WHERE import_id = ${batch.id}::uuid GROUP BY status`.execute(
      database.db,
    );
    expect(counted.rows).toEqual([{ status: 'active', n: 10_000n }]);
    expect(
      (await blacklistHits(database.db, server.config, { phone: '15000009999' }, '2026-06-15')).phone,
    ).toBe(true);
  });

  it('after a rejected import, the same values import again (the rejected entries give their places up)', async () => {
    const { maker, checker } = await sessions();
    const csv = [header, 'phone,13500000101,cash_out,,', 'phone,13500000102,cash_out,,'].join('\n');
    const first = (await importFile(maker, csv)).json as Import;
    await post(checker, `/api/v1/approvals/${first.approvalRequestId}/reject`, { note: 'Wrong list' });
    const second = await importFile(maker, csv);
    expect(second.status).toBe(201);
    expect((await entriesOf(maker, first.id)).map((entry) => entry.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('a file with errors', () => {
  it('one planted error per rule: 422 with every error at its line and column, and nothing written', async () => {
    const { maker, checker } = await sessions();
    const listed = (
      await post(maker, '/api/v1/risk/blacklist', {
        kind: 'phone',
        value: '13500000200',
        reasonCode: 'fraud_confirmed',
      })
    ).json as { id: string; addApprovalId: string };
    await post(checker, `/api/v1/approvals/${listed.addApprovalId}/approve`);
    const lines = [
      header, // 1
      'phone,13500000201,fraud_confirmed,,fine', // 2
      'email,someone@example.com,fraud_confirmed,,', // 3
      'id_number,11010519900307001,fraud_confirmed,,', // 4
      'id_number,110105199003070011,fraud_confirmed,,', // 5
      `id_number,${idNumber('11010519900230001')},fraud_confirmed,,`, // 6
      `id_number,${idNumber('11010520260616001')},fraud_confirmed,,`, // 7
      `id_number,${idNumber('00010519900307001')},fraud_confirmed,,`, // 8
      'phone,1350000020,fraud_confirmed,,', // 9
      'card,622202123456789,cash_out,,', // 10
      'card,6222021234567890121,cash_out,,', // 11
      'device,-not a device,cash_out,,', // 12
      'phone,13500000213,spam,,', // 13
      'phone,13500000214,fraud_confirmed,2026-02-30,', // 14
      'phone,13500000215,fraud_confirmed,2026-06-15,', // 15
      `phone,13500000216,fraud_confirmed,,${'x'.repeat(501)}`, // 16
      'phone,13500000217,other,,', // 17
      'phone,13500000218,fraud_confirmed', // 18
      'phone,135"00000219,fraud_confirmed,,', // 19
      'phone,13500000201,cash_out,,', // 20
      'phone,13500000200,cash_out,,', // 21
    ];
    const before = await rowCounts();
    const response = await importFile(maker, lines.join('\n'));
    expect(response.status).toBe(422);
    const at = (path: string, code: string, message: string) => ({ in: 'body', path, code, message });
    const idMessage = (what: string) => `is not a valid resident ID number: it ${what}`;
    expect(response.json).toEqual({
      type: 'https://fenqi.dev/problems/blacklist_import_invalid',
      title: 'The blacklist import has errors; nothing was imported',
      status: 422,
      code: 'blacklist_import_invalid',
      detail: 'The file has 19 errors on 19 lines; nothing was imported.',
      rowsRead: 20,
      errorCount: 19,
      errors: [
        at('csv.3.kind', 'kind_unknown', 'must be one of id_number, phone, card, device'),
        at(
          'csv.4.value',
          'id_number_format',
          idMessage('must be 18 characters: 17 digits and a check character 0-9 or X'),
        ),
        at('csv.5.value', 'id_number_check_character', idMessage('has a wrong check character (the 18th)')),
        at(
          'csv.6.value',
          'id_number_birth_date_invalid',
          idMessage('has no real birth date from 1900 in characters 7 to 14'),
        ),
        at(
          'csv.7.value',
          'id_number_birth_date_future',
          idMessage('has a birth date after the business date'),
        ),
        at(
          'csv.8.value',
          'id_number_region_unknown',
          idMessage('has no GB/T 2260 region in its first 6 digits'),
        ),
        at(
          'csv.9.value',
          'phone_invalid',
          'must be a mainland China mobile number of 11 digits starting 13 to 19',
        ),
        at('csv.10.value', 'card_format', 'must be a bank card number of 16 to 19 digits'),
        at('csv.11.value', 'card_luhn', 'is not a bank card number: its check digit (Luhn) is wrong'),
        at(
          'csv.12.value',
          'device_id_invalid',
          'must be a device id of 1 to 128 letters, digits and . _ : - (starting with a letter or digit)',
        ),
        at(
          'csv.13.reason',
          'reason_unknown',
          'must be one of fraud_confirmed, identity_theft, forged_documents, dishonest_debtor, money_laundering, cash_out, self_exclusion, regulatory_request, other',
        ),
        at('csv.14.expires_on', 'date_invalid', 'must be a date YYYY-MM-DD'),
        at('csv.15.expires_on', 'expiry_not_future', 'must be after the business date 2026-06-15'),
        at('csv.16.note', 'note_too_long', 'must be at most 500 characters'),
        at('csv.17.note', 'note_required', 'must say what the reason is (reason other)'),
        at('csv.18', 'column_count', 'has 3 columns; every line has 5 (kind,value,reason,expires_on,note)'),
        at(
          'csv.19',
          'csv_malformed',
          'has a quote inside an unquoted field (quote the field and write the quote as "")',
        ),
        at('csv.20.value', 'duplicate_row', 'repeats the phone of line 2'),
        at(
          'csv.21.value',
          'already_listed',
          `is already on the blacklist or waiting for a decision (entry ${listed.id}, active)`,
        ),
      ],
      instance: '/api/v1/risk/blacklist/imports',
      requestId: expect.any(String),
    });
    expect(await rowCounts()).toEqual(before);
  });

  it('is all or nothing: three good rows and one bad import nothing; corrected, all four are imported', async () => {
    const { maker } = await sessions();
    const good = [
      'phone,13500000301,cash_out,,',
      'phone,13500000302,cash_out,,',
      'phone,13500000303,cash_out,,',
    ];
    const before = await rowCounts();
    const refused = await importFile(
      maker,
      [header, ...good, 'phone,13500000304,cash_out,2026-06-01,'].join('\n'),
    );
    expect(refused.json).toMatchObject({
      status: 422,
      detail: 'The file has 1 error on 1 line; nothing was imported.',
      errors: [{ path: 'csv.5.expires_on', code: 'expiry_not_future' }],
    });
    expect(await rowCounts()).toEqual(before);
    const accepted = await importFile(
      maker,
      [header, ...good, 'phone,13500000304,cash_out,2026-07-01,'].join('\n'),
    );
    expect(accepted.json).toMatchObject({ entryCount: 4 });
  });

  it.each([
    [
      'a header only',
      `${header}\n`,
      422,
      { code: 'blacklist_import_invalid', errors: [{ path: 'csv.1', code: 'no_rows' }] },
    ],
    [
      'a wrong header',
      'kind,value,reason\nphone,13500000401,cash_out',
      422,
      {
        errors: [
          { path: 'csv.1', code: 'header_invalid' },
          { path: 'csv.2', code: 'column_count' },
        ],
      },
    ],
    [
      '10,001 rows',
      [header, ...Array.from({ length: 10_001 }, (_, i) => `phone,${15_100_000_000 + i},cash_out,,`)].join(
        '\n',
      ),
      422,
      { errors: [{ path: 'csv.10002', code: 'too_many_rows' }] },
    ],
    [
      'more than 768 KiB',
      `${header}\n${'phone,13500000402,cash_out,,'.padEnd(800_000, 'x')}`,
      400,
      {
        code: 'validation_failed',
        errors: [
          { in: 'body', path: 'csv', message: 'must be at most 786432 bytes of UTF-8 (split the file)' },
        ],
      },
    ],
  ])('%s: refused, and nothing written', async (_name, csv, status, problem) => {
    const { maker } = await sessions();
    const before = await rowCounts();
    const response = await importFile(maker, csv);
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject(problem);
    expect(await rowCounts()).toEqual(before);
  });

  it('a CSV body (text/csv) is refused with 415: the file travels as a JSON string', async () => {
    const { maker } = await sessions();
    const response = await http(server.baseUrl, 'POST', '/api/v1/risk/blacklist/imports', {
      rawBody: `${header}\nphone,13500000501,cash_out,,\n`,
      headers: { ...maker.headers(), 'idempotency-key': crypto.randomUUID(), 'content-type': 'text/csv' },
    });
    expect(response.json).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });
});
