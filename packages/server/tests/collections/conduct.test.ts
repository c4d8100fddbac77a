import type { LocalDate } from '@fenqi/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import type { SeededLoan } from '../servicing/seed.ts';
import { closeDaysThrough, startOn } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  caseOfLoan,
  collectionsCounts,
  count,
  deliver,
  expectProblem,
  seedLoans,
  staff,
  subscribe,
} from './support.ts';

// The acceptance tests of the conduct rules (docs/collections.md, "Conduct rules"), the wall clock
// injected: each attempt that would break a rule is refused with the rule named and stays in the
// contact log; the same attempt inside the rules is recorded.

let database: TestDatabase;
let server: TestServer;
let collector: StaffCredentials;
let loans: SeededLoan[];
/** The wall clock the server sees. */
let now = new Date('2026-04-12T02:00:00Z');
/** Local time in Asia/Shanghai (UTC+8) on 2026-04-12. */
const local = (hhmm: string, day = '2026-04-12') => new Date(`${day}T${hhmm}:00+08:00`);

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-03-01');
  await subscribe(database.db);
  loans = await seedLoans(database.db, '2026-03-01' as LocalDate, 7);
  // The first installments fall due on 2026-04-01; ten days later every loan is overdue (M1).
  await closeDaysThrough(database.db, '2026-04-11');
  server = await startTestServer(database, { accessControl: 'iam', clock: () => now });
  await deliver(server, database.db);
  collector = await signIn(
    database.db,
    server.config,
    await createStaff(database.db, server.config, ['collector']),
  );
}, 180_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

let phoneSeq = 0;
function nextPhone(): string {
  phoneSeq += 1;
  return `139${String(phoneSeq).padStart(8, '0')}`;
}

/** The loan's case with the debtor's own number and, optionally, a contact person. */
async function caseWithTargets(loan: SeededLoan, withContact = false) {
  const row = await caseOfLoan(database.db, loan.loanId);
  if (row === undefined) throw new Error('no case');
  const call = staff(server, collector);
  const own = await call.send('POST', `/api/v1/collections/cases/${row.id}/targets`, {
    role: 'debtor',
    relation: 'self',
    phone: nextPhone(),
  });
  expect(own.status, own.text).toBe(201);
  let contact: string | undefined;
  if (withContact) {
    const added = await call.send('POST', `/api/v1/collections/cases/${row.id}/targets`, {
      role: 'contact_person',
      relation: 'mother',
      phone: nextPhone(),
    });
    expect(added.status, added.text).toBe(201);
    contact = (added.json as { id: string }).id;
  }
  return { caseId: row.id, own: (own.json as { id: string }).id, contact };
}

async function attempt(
  caseId: string,
  body: { targetId: string; channel: string; outcome: string },
  at: Date,
  key?: string,
) {
  now = at;
  return staff(server, collector).send('POST', `/api/v1/collections/cases/${caseId}/contacts`, body, key);
}

async function logOf(caseId: string) {
  const detail = await staff(server, collector).get(`/api/v1/collections/cases/${caseId}`);
  expect(detail.status, detail.text).toBe(200);
  return (
    detail.json as { contacts: { id: string; outcome: string; refusedRule: string | null; at: string }[] }
  ).contacts;
}

/** The refusal: 422 contact_refused naming the rule, and its row in the contact log. */
async function expectRefused(caseId: string, response: Awaited<ReturnType<typeof attempt>>, rule: string) {
  const problem = expectProblem(response, 422, 'contact_refused');
  expect(problem.rule).toBe(rule);
  const log = await logOf(caseId);
  const row = log.find((a) => a.id === problem.attemptId);
  expect(row).toMatchObject({ outcome: 'refused', refusedRule: rule });
}

describe('the conduct rules, each refused with its rule named and logged', () => {
  it('refuses an attempt at 22:30 the debtor’s local time (quiet_hours) and records one at 21:59', async () => {
    const { caseId, own } = await caseWithTargets(loans[0] as SeededLoan);
    const refused = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'connected' },
      local('22:30'),
    );
    await expectRefused(caseId, refused, 'quiet_hours');
    const early = await attempt(caseId, { targetId: own, channel: 'sms', outcome: 'sent' }, local('07:59'));
    await expectRefused(caseId, early, 'quiet_hours');
    const inside = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'connected' },
      local('21:59'),
    );
    expect(inside.status, inside.text).toBe(201);
    expect(inside.json).toMatchObject({ outcome: 'connected', refusedRule: null, localDate: '2026-04-12' });
    // The log in the order of the attempts' times: 07:59, 21:59, 22:30.
    expect((await logOf(caseId)).map((a) => a.outcome)).toEqual(['refused', 'connected', 'refused']);
  });

  it('records 22:30 once the debtor agreed to be contacted until 23:00', async () => {
    const { caseId, own } = await caseWithTargets(loans[1] as SeededLoan);
    const agreed = await staff(server, collector).send(
      'POST',
      `/api/v1/collections/cases/${caseId}/contact-window`,
      {
        from: '09:00',
        to: '23:00',
        note: 'the debtor works a late shift and asked for evening calls (recorded call 2026-04-11)',
      },
    );
    expect(agreed.status, agreed.text).toBe(200);
    expect(agreed.json).toMatchObject({ contactWindow: { from: '09:00', to: '23:00' } });
    const late = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'unanswered' },
      local('22:30'),
    );
    expect(late.status, late.text).toBe(201);
    const morning = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'unanswered' },
      local('08:30'),
    );
    await expectRefused(caseId, morning, 'quiet_hours');
  });

  it('refuses a 4th connected call in a day (connected_voice_limit), AI voice counted; the 3rd and the next day’s are recorded', async () => {
    const { caseId, own } = await caseWithTargets(loans[2] as SeededLoan);
    for (const [time, channel] of [
      ['10:00', 'voice'],
      ['11:00', 'ai_voice'],
      ['12:00', 'voice'],
    ] as const) {
      const ok = await attempt(caseId, { targetId: own, channel, outcome: 'connected' }, local(time));
      expect(ok.status, ok.text).toBe(201);
    }
    const fourth = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'connected' },
      local('13:00'),
    );
    await expectRefused(caseId, fourth, 'connected_voice_limit');
    const aiFourth = await attempt(
      caseId,
      { targetId: own, channel: 'ai_voice', outcome: 'connected' },
      local('13:05'),
    );
    await expectRefused(caseId, aiFourth, 'connected_voice_limit');
    // An SMS is not a voice contact.
    const sms = await attempt(caseId, { targetId: own, channel: 'sms', outcome: 'sent' }, local('13:10'));
    expect(sms.status, sms.text).toBe(201);
    const tomorrow = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'connected' },
      local('10:00', '2026-04-13'),
    );
    expect(tomorrow.status, tomorrow.text).toBe(201);
  });

  it('refuses a 7th unanswered dial of one number in a day (unanswered_dial_limit); the 6th is recorded', async () => {
    const { caseId, own } = await caseWithTargets(loans[3] as SeededLoan);
    for (let i = 0; i < 6; i++) {
      const ok = await attempt(
        caseId,
        { targetId: own, channel: 'voice', outcome: 'unanswered' },
        local(`1${i}:00`),
      );
      expect(ok.status, ok.text).toBe(201);
    }
    const seventh = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'unanswered' },
      local('17:00'),
    );
    await expectRefused(caseId, seventh, 'unanswered_dial_limit');
    expect(
      await count(
        database.db,
        'collections_contact_attempts',
        sql`case_id = ${caseId} AND outcome = 'refused'`,
      ),
    ).toBe(1);
  });

  it('refuses a contact person while the debtor is reachable; records the call once the debtor’s number is invalid', async () => {
    const { caseId, own, contact } = await caseWithTargets(loans[4] as SeededLoan, true);
    if (contact === undefined) throw new Error('no contact');
    const early = await attempt(
      caseId,
      { targetId: contact, channel: 'voice', outcome: 'connected' },
      local('10:00'),
    );
    await expectRefused(caseId, early, 'contact_person_while_reachable');
    // The debtor's own number turns out to be out of service.
    const invalid = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'invalid_number' },
      local('10:05'),
    );
    expect(invalid.status, invalid.text).toBe(201);
    // Never told of the debt: no SMS to a contact person even now.
    const sms = await attempt(caseId, { targetId: contact, channel: 'sms', outcome: 'sent' }, local('10:08'));
    await expectRefused(caseId, sms, 'not_debtor_disclosure');
    const allowed = await attempt(
      caseId,
      { targetId: contact, channel: 'voice', outcome: 'connected' },
      local('10:10'),
    );
    expect(allowed.status, allowed.text).toBe(201);
    expect(allowed.json).toMatchObject({ targetRole: 'contact_person', outcome: 'connected' });
  });

  it('refuses any channel to a do-not-contact target, for good; another target is still reachable', async () => {
    const { caseId, own } = await caseWithTargets(loans[5] as SeededLoan);
    const second = await staff(server, collector).send(
      'POST',
      `/api/v1/collections/cases/${caseId}/targets`,
      {
        role: 'debtor',
        relation: 'self (work)',
        phone: nextPhone(),
      },
    );
    expect(second.status, second.text).toBe(201);
    const marked = await staff(server, collector).send(
      'POST',
      `/api/v1/collections/targets/${own}/do-not-contact`,
      {
        reason: 'the debtor asked, on a recorded call, never to be called on this number',
      },
    );
    expect(marked.status, marked.text).toBe(200);
    expect(marked.json).toMatchObject({ doNotContact: true });
    for (const channel of ['voice', 'ai_voice', 'sms', 'visit']) {
      const refused = await attempt(caseId, { targetId: own, channel, outcome: 'connected' }, local('10:00'));
      await expectRefused(caseId, refused, 'do_not_contact');
    }
    const other = await attempt(
      caseId,
      { targetId: (second.json as { id: string }).id, channel: 'voice', outcome: 'connected' },
      local('10:30'),
    );
    expect(other.status, other.text).toBe(201);
    // Permanent: the database refuses to clear it.
    await expect(
      sql`UPDATE collections_contact_targets SET do_not_contact = false, dnc_at = NULL WHERE id = ${own}`.execute(
        database.db,
      ),
    ).rejects.toThrow(/permanent/);
  });

  it('logs a refused request once however often it is retried with its Idempotency-Key', async () => {
    const { caseId, own } = await caseWithTargets(loans[6] as SeededLoan);
    const key = crypto.randomUUID();
    const first = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'connected' },
      local('23:00'),
      key,
    );
    const again = await attempt(
      caseId,
      { targetId: own, channel: 'voice', outcome: 'connected' },
      local('23:00'),
      key,
    );
    expectProblem(first, 422, 'contact_refused');
    expect(expectProblem(again, 422, 'contact_refused').attemptId).toBe(
      (first.json as { attemptId: string }).attemptId,
    );
    expect(await count(database.db, 'collections_contact_attempts', sql`case_id = ${caseId}`)).toBe(1);
  });

  it('answers bad input with problem+json and writes nothing', async () => {
    const row = await caseOfLoan(database.db, (loans[0] as SeededLoan).loanId);
    if (row === undefined) throw new Error('no case');
    const before = await collectionsCounts(database.db);
    const bad = await attempt(
      row.id,
      { targetId: 'not-a-uuid', channel: 'fax', outcome: 'refused' },
      local('10:00'),
    );
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      'channel',
      'outcome',
      'targetId',
    ]);
    const badTarget = await staff(server, collector).send(
      'POST',
      `/api/v1/collections/cases/${row.id}/targets`,
      {
        role: 'debtor',
        relation: 'self',
        phone: '12',
      },
    );
    expectProblem(badTarget, 400, 'validation_failed');
    const unknownCase = await attempt(
      crypto.randomUUID(),
      { targetId: crypto.randomUUID(), channel: 'voice', outcome: 'connected' },
      local('10:00'),
    );
    expectProblem(unknownCase, 404, 'not_found');
    expect(await collectionsCounts(database.db)).toEqual(before);
  });
});
