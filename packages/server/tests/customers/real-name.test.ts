import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { setInitialBusinessDate } from '../../src/platform/business-date.ts';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { auditActions, createStaff, signIn, signInBorrower } from '../iam/support.ts';
import { type HttpResult, http, startTestServer, testKeys, useTestServer } from '../support/server.ts';

// Registration is real-name verification (docs/kyc.md): the ID number is checked by the core's
// GB 11643 rules against the business date, then the identity register (here the simulated
// provider, rule-driven) is asked. Every refusal is an exact problem and writes nothing.

const businessDate = '2026-06-15';
const { database, server } = useTestServer({
  accessControl: 'iam',
  prepare: (db) => db.db.transaction().execute((trx) => setInitialBusinessDate(trx, businessDate)),
});

let sequence = 100;
/** A valid ID number: region 110105 (Beijing, Chaoyang), born on `birth`. */
function idNumber(birth = '19900307', region = '110105'): string {
  sequence += 1;
  const first17 = `${region}${birth}${String(sequence).padStart(3, '0')}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

/** 17 digits with any check character but the right one. */
function withWrongCheck(valid: string): string {
  const wrong = valid[17] === '0' ? '1' : '0';
  return `${valid.slice(0, 17)}${wrong}`;
}

const key = () => ({ 'idempotency-key': crypto.randomUUID() });

/** Every table a registration writes, counted: a refused one leaves each count as it was. */
async function writes() {
  const result = await sql<Record<string, number>>`
    SELECT (SELECT count(*)::int FROM customers) AS customers,
           (SELECT count(*)::int FROM customer_real_name_checks) AS checks,
           (SELECT count(*)::int FROM audit_log) AS audit,
           (SELECT count(*)::int FROM data_keys) AS "dataKeys",
           (SELECT count(*)::int FROM idempotency_keys) AS "idempotencyKeys"`.execute(database.db);
  return result.rows[0];
}

async function register(
  borrower: { headers: Record<string, string> },
  body: unknown,
  headers: Record<string, string> = key(),
): Promise<HttpResult> {
  return http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
    body,
    headers: { ...borrower.headers, ...headers },
  });
}

function problem(result: HttpResult) {
  const { instance, requestId, ...rest } = result.json as Record<string, unknown>;
  expect(result.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  expect(instance).toBe('/api/v1/borrower/customers');
  expect(requestId).toEqual(expect.any(String));
  return rest;
}

const idProblem = (message: string, code: string) => ({
  type: 'https://fenqi.dev/problems/validation_failed',
  title: 'The request is not valid',
  status: 400,
  code: 'validation_failed',
  detail: `The body is not valid: idNumber: ${message}`,
  errors: [{ in: 'body', path: 'idNumber', message, code }],
});

describe('the ID number at registration (core GB 11643 checks, as of the business date)', () => {
  it.each([
    [
      'a wrong check character (without saying which is right)',
      () => withWrongCheck(idNumber()),
      'the check character (the 18th) does not match the first 17 digits; look for a mistyped digit',
      'check_character',
    ],
    [
      'a birth date after the business date',
      () => idNumber('20260616'),
      'the birth date in it (characters 7-14) is after today',
      'birth_date_future',
    ],
    [
      'a birth date that does not exist (30 February)',
      () => idNumber('19900230'),
      'the birth date in it (characters 7-14) is not a real date from 1900 on',
      'birth_date_invalid',
    ],
    [
      'an unknown region (province 16)',
      () => idNumber('19900307', '160105'),
      'the region code in it (characters 1-6) is not a region of mainland China',
      'region_unknown',
    ],
    [
      'the wrong form (17 characters)',
      () => idNumber().slice(0, 17),
      'must be 18 characters: 17 digits and a check character (0-9 or X)',
      'format',
    ],
  ])('refuses %s with a 400 naming it, and writes nothing', async (_what, make, message, code) => {
    const borrower = await signInBorrower(database.db, server.config);
    const before = await writes();
    const value = make();
    const refused = await register(borrower, { name: '张三', idNumber: value });
    expect(refused.status).toBe(400);
    expect(problem(refused)).toEqual(idProblem(message, code));
    expect(await writes()).toEqual(before);
  });

  it('never discloses the expected check character', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const valid = idNumber();
    const refused = await register(borrower, { name: '张三', idNumber: withWrongCheck(valid) });
    expect(refused.text).not.toContain(`"${valid[17]}"`);
    expect(refused.text).not.toContain(valid);
  });

  it('accepts a birth on the business date itself, and a lower-case x typed for X', async () => {
    const newborn = await signInBorrower(database.db, server.config);
    expect((await register(newborn, { name: '张小', idNumber: idNumber('20260615') })).status).toBe(201);
    let withX = idNumber();
    while (!withX.endsWith('X')) withX = idNumber();
    const borrower = await signInBorrower(database.db, server.config);
    expect((await register(borrower, { name: '张三', idNumber: withX.toLowerCase() })).status).toBe(201);
  });

  it('keeps refusing an ID number another borrower registered (409), and writes nothing', async () => {
    const shared = idNumber();
    const first = await signInBorrower(database.db, server.config);
    expect((await register(first, { name: '张三', idNumber: shared })).status).toBe(201);
    const second = await signInBorrower(database.db, server.config);
    const before = await writes();
    const taken = await register(second, { name: '张三', idNumber: shared });
    expect(problem(taken)).toEqual({
      type: 'https://fenqi.dev/problems/id_number_registered',
      title: 'The ID number belongs to another customer',
      status: 409,
      code: 'id_number_registered',
      detail: 'This ID number is registered to another account. Contact customer service.',
    });
    expect(await writes()).toEqual(before);
  });
});

describe('real-name verification by the identity register', () => {
  it('a match makes the profile real_name and records the check (provider reference, no personal data)', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const created = await register(borrower, { name: '王小明', idNumber: idNumber() });
    expect(created.status).toBe(201);
    const customer = created.json as { id: string; kyc: Record<string, unknown> };
    expect(customer.kyc).toEqual({
      level: 'real_name',
      phoneVerifiedAt: expect.any(String),
      realNameAt: expect.any(String),
      cardBoundAt: null,
    });
    const checks = await database.tables
      .selectFrom('customer_real_name_checks')
      .select(['id', 'adapter', 'outcome', 'provider_ref'])
      .where('customer_id', '=', customer.id)
      .execute();
    expect(checks).toEqual([
      {
        id: expect.any(String),
        adapter: 'simulated',
        outcome: 'match',
        provider_ref: expect.stringMatching(/^SIM-/),
      },
    ]);
    const audit = await database.tables
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('subject_id', '=', customer.id)
      .execute();
    expect(audit).toEqual([
      {
        action: 'customers.registered',
        details: { kycLevel: 'real_name', realNameCheckId: checks[0]?.id, adapter: 'simulated' },
      },
    ]);
  });

  it('不一致 (mismatch) is a 422 naming both fields; nothing is written and the log line holds no personal data', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const value = idNumber();
    const before = await writes();
    const refused = await register(borrower, { name: '李不一致', idNumber: value });
    expect(refused.status).toBe(422);
    expect(problem(refused)).toEqual({
      type: 'https://fenqi.dev/problems/real_name_mismatch',
      title: 'The identity register says the name does not match the ID number',
      status: 422,
      code: 'real_name_mismatch',
      detail:
        'The identity register says this name is not the holder of this ID number (不一致). Check both as written on the ID card.',
      errors: [
        {
          in: 'body',
          path: 'name',
          message: 'is not the name the register holds for idNumber',
          code: 'mismatch',
        },
        { in: 'body', path: 'idNumber', message: 'does not belong to the name given', code: 'mismatch' },
      ],
    });
    expect(await writes()).toEqual(before);
    const line = server.logs.find(
      (log) => log.msg === 'real-name verification refused' && log.borrowerId === borrower.borrowerId,
    );
    expect(line).toMatchObject({ kyc: 'real-name', adapter: 'simulated', outcome: 'mismatch' });
    expect(line?.providerRef).toMatch(/^SIM-/);
    const everything = JSON.stringify(server.logs);
    expect(everything).not.toContain(value);
    expect(everything).not.toContain('李不一致');
  });

  it('库中无此号 (not found) is a 422 naming idNumber, and writes nothing', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const before = await writes();
    const refused = await register(borrower, { name: '查无此人', idNumber: idNumber() });
    expect(problem(refused)).toEqual({
      type: 'https://fenqi.dev/problems/real_name_not_found',
      title: 'The identity register has no such ID number',
      status: 422,
      code: 'real_name_not_found',
      detail: 'The identity register has no such ID number (库中无此号). Check it as written on the ID card.',
      errors: [
        { in: 'body', path: 'idNumber', message: 'is not in the identity register', code: 'not_found' },
      ],
    });
    expect(await writes()).toEqual(before);
  });

  it('a provider that cannot answer is a 503 with Retry-After; nothing is written, so the same key works once it answers', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const body = { name: '赵维护中', idNumber: idNumber() };
    const sameKey = key();
    const before = await writes();
    const refused = await register(borrower, body, sameKey);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(problem(refused)).toEqual({
      type: 'https://fenqi.dev/problems/real_name_unavailable',
      title: 'Real-name verification is unavailable; retry later',
      status: 503,
      code: 'real_name_unavailable',
      detail: 'Real-name verification cannot be done right now; nothing was recorded. Retry in 30 seconds.',
      retryAfterSeconds: 30,
    });
    expect(await writes()).toEqual(before);

    // The provider is back (the rule that made it unavailable is gone): the retry registers.
    const admin = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const defaults = (
      await http(server.baseUrl, 'GET', '/api/v1/customers/real-name-sim/rules', {
        headers: admin.headers(false),
      })
    ).json as { rules: { outcome: string }[] };
    const put = await http(server.baseUrl, 'PUT', '/api/v1/customers/real-name-sim/rules', {
      body: { rules: defaults.rules.filter((rule) => rule.outcome !== 'unavailable') },
      headers: { ...admin.headers(), ...key() },
    });
    expect(put.status).toBe(200);
    expect((await register(borrower, body, sameKey)).status).toBe(201);
    await http(server.baseUrl, 'PUT', '/api/v1/customers/real-name-sim/rules', {
      body: defaults,
      headers: { ...admin.headers(), ...key() },
    });
  });
});

describe("the simulated provider's rules", () => {
  it('are the documented defaults, replaced whole by an admin (audited), first match wins', async () => {
    const admin = await createStaff(database.db, server.config, ['admin']);
    const session = await signIn(database.db, server.config, admin);
    const rules = () =>
      http(server.baseUrl, 'GET', '/api/v1/customers/real-name-sim/rules', {
        headers: session.headers(false),
      });
    const defaults = {
      rules: [
        { match: { nameContains: '查无' }, outcome: 'not_found' },
        { match: { nameContains: '不一致' }, outcome: 'mismatch' },
        { match: { nameContains: '维护中' }, outcome: 'unavailable' },
      ],
    };
    expect((await rules()).json).toEqual(defaults);
    const replacements = async () =>
      (await auditActions(database.db, 'rules')).filter((a) => a === 'customers.real-name-sim-rules-replaced')
        .length;
    const replacedBefore = await replacements();

    const value = idNumber();
    const replaced = {
      rules: [
        { match: { idNumberSuffix: value.slice(-6), nameContains: '孙' }, outcome: 'match' },
        { match: { idNumberSuffix: value.slice(-6) }, outcome: 'mismatch' },
        ...defaults.rules,
      ],
    };
    const put = await http(server.baseUrl, 'PUT', '/api/v1/customers/real-name-sim/rules', {
      body: replaced,
      headers: { ...session.headers(), ...key() },
    });
    expect(put.status).toBe(200);
    expect(put.json).toEqual(replaced);
    expect((await rules()).json).toEqual(replaced);
    expect(await replacements()).toBe(replacedBefore + 1);

    const refused = await register(await signInBorrower(database.db, server.config), {
      name: '周八',
      idNumber: value,
    });
    expect(refused.json).toMatchObject({ code: 'real_name_mismatch' });
    const matched = await register(await signInBorrower(database.db, server.config), {
      name: '孙七',
      idNumber: value,
    });
    expect(matched.status).toBe(201);

    const invalid = await http(server.baseUrl, 'PUT', '/api/v1/customers/real-name-sim/rules', {
      body: { rules: [{ match: { idNumberSuffix: 'abc' }, outcome: 'maybe' }] },
      headers: { ...session.headers(), ...key() },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({
      code: 'validation_failed',
      errors: [
        {
          in: 'body',
          path: 'rules.0.match.idNumberSuffix',
          message: 'must be 1 to 18 of 0-9 and X (the end of an ID number)',
        },
        { in: 'body', path: 'rules.0.outcome' },
      ],
    });
    expect((await rules()).json).toEqual(replaced);
    await http(server.baseUrl, 'PUT', '/api/v1/customers/real-name-sim/rules', {
      body: defaults,
      headers: { ...session.headers(), ...key() },
    });
  });

  it('need customers:simulate, which only admin holds', async () => {
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    const refused = await http(server.baseUrl, 'PUT', '/api/v1/customers/real-name-sim/rules', {
      body: { rules: [] },
      headers: { ...operator.headers(), ...key() },
    });
    expect(refused.status).toBe(403);
    expect(
      (
        await http(server.baseUrl, 'GET', '/api/v1/customers/real-name-sim/rules', {
          headers: operator.headers(false),
        })
      ).status,
    ).toBe(403);
  });
});

describe('a profile made before real-name verification (phone_verified)', () => {
  async function legacyProfile(name: string) {
    const borrower = await signInBorrower(database.db, server.config);
    const value = idNumber();
    const created = await register(borrower, { name, idNumber: value });
    const customerId = (created.json as { id: string }).id;
    // As migration 0013 leaves a profile registered before it: no check, phone_verified.
    await database.tables
      .deleteFrom('customer_real_name_checks')
      .where('customer_id', '=', customerId)
      .execute();
    await database.tables
      .updateTable('customers')
      .set({ real_name_at: null })
      .where('id', '=', customerId)
      .execute();
    const verify = (headers = key()) =>
      http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/real-name-verification`, {
        headers: { ...borrower.headers, ...headers },
      });
    return { borrower, customerId, idNumber: value, verify };
  }

  const checksOf = async (customerId: string) =>
    (
      await database.tables
        .selectFrom('customer_real_name_checks')
        .select('id')
        .where('customer_id', '=', customerId)
        .execute()
    ).length;

  it('is verified with its stored name and ID number; verifying again records nothing more', async () => {
    const legacy = await legacyProfile('钱七');
    const profile = await http(server.baseUrl, 'GET', `/api/v1/borrower/customers/${legacy.customerId}`, {
      headers: legacy.borrower.headers,
    });
    expect(profile.json).toMatchObject({ kyc: { level: 'phone_verified', realNameAt: null } });
    const verified = await legacy.verify();
    expect(verified.status).toBe(200);
    expect(verified.json).toMatchObject({ id: legacy.customerId, kyc: { level: 'real_name' } });
    expect(await checksOf(legacy.customerId)).toBe(1);
    expect((await legacy.verify()).json).toMatchObject({ kyc: { level: 'real_name' } });
    expect(await checksOf(legacy.customerId)).toBe(1);
    expect(await auditActions(database.db, legacy.customerId)).toEqual([
      'customers.registered',
      'customers.real-name-verified',
    ]);
  });

  it('stays phone_verified when the register refuses, with the problem and nothing written', async () => {
    const legacy = await legacyProfile('吴八');
    const admin = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const setRules = (rules: unknown[]) =>
      http(server.baseUrl, 'PUT', '/api/v1/customers/real-name-sim/rules', {
        body: { rules },
        headers: { ...admin.headers(), ...key() },
      });
    const defaults = (
      (
        await http(server.baseUrl, 'GET', '/api/v1/customers/real-name-sim/rules', {
          headers: admin.headers(false),
        })
      ).json as { rules: unknown[] }
    ).rules;
    await setRules([{ match: { idNumberSuffix: legacy.idNumber }, outcome: 'mismatch' }, ...defaults]);
    const before = await writes();
    const refused = await legacy.verify();
    expect(refused.status).toBe(422);
    const { instance, requestId, ...rest } = refused.json as Record<string, unknown>;
    expect(rest).toEqual({
      type: 'https://fenqi.dev/problems/real_name_mismatch',
      title: 'The identity register says the name does not match the ID number',
      status: 422,
      code: 'real_name_mismatch',
      detail:
        'The identity register says this name is not the holder of this ID number (不一致). Check both as written on the ID card.',
    });
    expect(await writes()).toEqual(before);
    const row = await database.tables
      .selectFrom('customers')
      .select(['kyc_level', 'real_name_at'])
      .where('id', '=', legacy.customerId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ kyc_level: 'phone_verified', real_name_at: null });
    await setRules(defaults);
  });

  it("is another borrower's 404", async () => {
    const legacy = await legacyProfile('郑九');
    const other = await signInBorrower(database.db, server.config);
    const answer = await http(
      server.baseUrl,
      'POST',
      `/api/v1/borrower/customers/${legacy.customerId}/real-name-verification`,
      { headers: { ...other.headers, ...key() } },
    );
    expect(answer.status).toBe(404);
    expect(await checksOf(legacy.customerId)).toBe(0);
  });
});

describe('REAL_NAME_ADAPTER', () => {
  it('disabled: nobody can be verified (503) and there is no simulator (404)', async () => {
    const disabled = await startTestServer(database, {
      accessControl: 'iam',
      env: { REAL_NAME_ADAPTER: 'disabled' },
    });
    try {
      const borrower = await signInBorrower(database.db, disabled.config);
      const before = await writes();
      const refused = await http(disabled.baseUrl, 'POST', '/api/v1/borrower/customers', {
        body: { name: '张三', idNumber: idNumber() },
        headers: { ...borrower.headers, ...key() },
      });
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ code: 'real_name_unavailable' });
      expect(await writes()).toEqual(before);
      const admin = await signIn(
        database.db,
        disabled.config,
        await createStaff(database.db, disabled.config, ['admin']),
      );
      const rules = await http(disabled.baseUrl, 'GET', '/api/v1/customers/real-name-sim/rules', {
        headers: admin.headers(false),
      });
      expect(rules.status).toBe(404);
      expect(rules.json).toMatchObject({
        code: 'not_found',
        detail: 'There is no real-name simulator here: REAL_NAME_ADAPTER is disabled.',
      });
    } finally {
      await disabled.close();
    }
  });

  it('defaults to simulated, to disabled in production, and refuses simulated in production', () => {
    expect(loadConfig({ ...testKeys }).realNameAdapter).toBe('simulated');
    const production = {
      ...testKeys,
      NODE_ENV: 'production',
      SIM_MERCHANT_SECRET: 'a-production-secret-0123',
    };
    expect(loadConfig(production).realNameAdapter).toBe('disabled');
    let problems: unknown;
    try {
      loadConfig({ ...production, REAL_NAME_ADAPTER: 'simulated' });
    } catch (error) {
      problems = error instanceof ConfigError ? error.problems : error;
    }
    expect(problems).toEqual([
      {
        variable: 'REAL_NAME_ADAPTER',
        message: 'simulated passes anyone its rules allow and is refused when NODE_ENV=production',
      },
    ]);
  });
});
