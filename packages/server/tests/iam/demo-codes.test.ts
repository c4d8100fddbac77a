import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentSmsMessage } from '../../src/modules/iam/sms.ts';
import { ConfigError, defaultDemoShowCodes, loadConfig } from '../../src/platform/config.ts';
import { http, startTestServer, type TestServer, testKeys, useTestServer } from '../support/server.ts';
import { randomPhone } from './support.ts';

// DEMO_SHOW_CODES (docs/security.md, "Demo codes"): the demo's H5 is told the sign-in code the
// development SMS adapter did not send. Off — the default — the answer has no such field; with
// NODE_ENV=production the setting is refused at start-up.

const { database, server } = useTestServer({ accessControl: 'iam', env: { DEMO_SHOW_CODES: 'true' } });
/** The same database served with the default configuration. */
let plain: TestServer;
beforeAll(async () => {
  plain = await startTestServer(database, { accessControl: 'iam' });
});
afterAll(async () => {
  await plain?.close();
});

const masked = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(7)}`;

describe('the sign-in code in the demo', () => {
  it('DEMO_SHOW_CODES=true: the 202 carries the code just sent, and it signs in', async () => {
    const phone = randomPhone();
    const sent = await http(server.baseUrl, 'POST', '/api/v1/borrower/otp', { body: { phone } });
    expect(sent.status, sent.text).toBe(202);
    const { demoCode } = sent.json as { demoCode?: string };
    expect(demoCode).toMatch(/^\d{6}$/);
    // The same code the development adapter logged (as before: nothing new is logged).
    const logged = server.logs.filter((l) => l.msg === developmentSmsMessage && l.to === masked(phone));
    expect(logged.map((l) => l.code)).toEqual([demoCode]);
    const login = await http(server.baseUrl, 'POST', '/api/v1/borrower/login', {
      body: { phone, code: demoCode },
    });
    expect(login.status, login.text).toBe(200);
    expect(login.json).toMatchObject({ tokenType: 'Bearer' });
  });

  it('off (the default): the 202 has no demoCode', async () => {
    expect(plain.config.demoShowCodes).toBe(false);
    const sent = await http(plain.baseUrl, 'POST', '/api/v1/borrower/otp', {
      body: { phone: randomPhone() },
    });
    expect(sent.status, sent.text).toBe(202);
    expect(sent.json).toEqual({ expiresInSeconds: 300 });
  });

  it('is only effective with SMS_ADAPTER=log: disabled sends nothing, so there is nothing to show', async () => {
    const disabled = await startTestServer(database, {
      accessControl: 'iam',
      env: { DEMO_SHOW_CODES: 'true', SMS_ADAPTER: 'disabled' },
    });
    try {
      const sent = await http(disabled.baseUrl, 'POST', '/api/v1/borrower/otp', {
        body: { phone: randomPhone() },
      });
      expect(sent.json).toMatchObject({ status: 503, code: 'sms_unavailable' });
      expect(sent.text).not.toContain('demoCode');
    } finally {
      await disabled.close();
    }
  });
});

describe('DEMO_SHOW_CODES and production', () => {
  const production = { NODE_ENV: 'production', SIM_MERCHANT_SECRET: 'a-production-sim-secret', ...testKeys };

  it('NODE_ENV=production with DEMO_SHOW_CODES=true is a configuration error naming it', () => {
    let problems: { variable: string; message: string }[] = [];
    try {
      loadConfig({ ...production, DEMO_SHOW_CODES: 'true' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual([
      {
        variable: 'DEMO_SHOW_CODES',
        message: 'hands out sign-in and card-binding codes and is refused when NODE_ENV=production',
      },
    ]);
    expect(loadConfig({ ...production, DEMO_SHOW_CODES: 'false' }).demoShowCodes).toBe(false);
    expect(loadConfig(production).demoShowCodes).toBe(false);
  });

  it('`fenqi demo` turns it on unless the environment sets it, and never under NODE_ENV=production', () => {
    const cases: [Record<string, string>, string | undefined][] = [
      [{}, 'true'],
      [{ DEMO_SHOW_CODES: '' }, 'true'],
      [{ DEMO_SHOW_CODES: 'false' }, 'false'],
      [{ DEMO_SHOW_CODES: 'no' }, 'no'],
      [{ NODE_ENV: 'production' }, undefined],
    ];
    for (const [env, expected] of cases) {
      const given: NodeJS.ProcessEnv = { ...env };
      defaultDemoShowCodes(given);
      expect(given.DEMO_SHOW_CODES, JSON.stringify(env)).toBe(expected);
    }
    const demo: NodeJS.ProcessEnv = { ...testKeys };
    defaultDemoShowCodes(demo);
    expect(loadConfig(demo).demoShowCodes).toBe(true);
  });
});
