import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { application, composeApplication } from '../../src/modules/index.ts';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { blindIndex } from '../../src/platform/crypto/blind-index.ts';
import {
  createDataKey,
  decryptField,
  encryptField,
  loadDataKey,
} from '../../src/platform/crypto/envelope.ts';
import { LocalKms } from '../../src/platform/crypto/kms.ts';
import { maskCardNumber, maskIdNumber, maskName, maskPhone } from '../../src/platform/crypto/masking.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { queryRoute } from '../../src/platform/http/route.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';

const key = () => randomBytes(32).toString('base64');
const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

let database: TestDatabase;
const dirs: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('masking', () => {
  it('shows ID 3+4, phone 3+4, card 6+4 and the first character of a name', () => {
    expect(maskIdNumber('11010519900307123X')).toBe('110***********123X');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskCardNumber('6222021234567890123')).toBe('622202*********0123');
    expect(maskName('欧阳娜娜')).toBe('欧***');
  });
});

describe('field encryption', () => {
  const kms = new LocalKms([{ id: 'k1', key: randomBytes(32) }]);

  it('round-trips, and a ciphertext moved to another record or column does not decrypt', async () => {
    const dataKey = await createDataKey(database.db, kms, 'customers');
    const ciphertext = encryptField(dataKey, '13812345678', 'customers.phone:a');
    expect(ciphertext).toMatch(new RegExp(`^fq1\\.${dataKey.id}\\.[A-Za-z0-9_-]+$`));
    expect(ciphertext).not.toContain('13812345678');
    expect(encryptField(dataKey, '13812345678', 'customers.phone:a')).not.toBe(ciphertext);
    const loaded = await loadDataKey(database.db, kms, dataKey.id);
    expect(decryptField(loaded, ciphertext, 'customers.phone:a')).toBe('13812345678');
    expect(() => decryptField(loaded, ciphertext, 'customers.phone:b')).toThrow();
    expect(() => decryptField(loaded, ciphertext, 'customers.id_number:a')).toThrow();
  });

  it('a flipped bit in a ciphertext fails authentication', async () => {
    const dataKey = await createDataKey(database.db, kms, 'customers');
    const ciphertext = encryptField(dataKey, 'secret', 'c');
    const body = Buffer.from(ciphertext.split('.')[2] ?? '', 'base64url');
    body[14] = (body[14] ?? 0) ^ 1;
    expect(() => decryptField(dataKey, `fq1.${dataKey.id}.${body.toString('base64url')}`, 'c')).toThrow();
  });

  it('blind indexes are deterministic per key and kind, and differ across keys and kinds', () => {
    const a = randomBytes(32);
    expect(blindIndex(a, 'phone', '138 1234 5678')).toBe(blindIndex(a, 'phone', '13812345678'));
    expect(blindIndex(a, 'phone', '13812345678')).not.toBe(
      blindIndex(randomBytes(32), 'phone', '13812345678'),
    );
    expect(blindIndex(a, 'phone', '13812345678')).not.toBe(blindIndex(a, 'card-number', '13812345678'));
  });
});

describe('fenqi keys rotate', () => {
  it('re-wraps every data key under the new master key; data stays readable and the old key can go', async () => {
    const oldKey = `old1:${key()}`;
    const newKey = `new1:${key()}`;
    const env = { ...testKeys, FENQI_MASTER_KEYS: oldKey };
    const oldKms = new LocalKms(loadConfig({ ...env, DATABASE_URL: database.url }).secrets.masterKeys);
    // Data keys of the tests above were wrapped by a throw-away KMS that this run cannot unwrap.
    await database.tables.deleteFrom('data_keys').execute();
    const dataKey = await createDataKey(database.db, oldKms, 'customers');
    const ciphertext = encryptField(dataKey, '110105199003071237', `customers.id_number:${dataKey.id}`);

    const run = (masterKeys: string, action: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [fenqi, 'keys', action], {
          env: { ...process.env, ...env, FENQI_MASTER_KEYS: masterKeys, DATABASE_URL: database.url },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const rotated = await run(`${newKey},${oldKey}`, 'rotate');
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const before = await database.tables.selectFrom('data_keys').select('id').execute();
    expect(rotated.stdout).toMatch(
      new RegExp(`^re-wrapped ${before.length} data keys under master key new1 \\(`),
    );
    expect(rotated.stdout).toContain(
      `master key in use: new1\n  new1: ${before.length} data keys (current)\n`,
    );
    const row = await database.tables
      .selectFrom('data_keys')
      .select(['master_key_id', 'rewrapped_at'])
      .where('id', '=', dataKey.id)
      .executeTakeFirstOrThrow();
    expect(row.master_key_id).toBe('new1');
    // Only the new master key is configured now, and the old ciphertext still decrypts.
    const newKms = new LocalKms(loadConfig({ ...env, FENQI_MASTER_KEYS: newKey }).secrets.masterKeys);
    const reloaded = await loadDataKey(database.db, newKms, dataKey.id);
    expect(decryptField(reloaded, ciphertext, `customers.id_number:${dataKey.id}`)).toBe(
      '110105199003071237',
    );
    expect((await run(newKey, 'rotate')).stdout).toMatch(/^re-wrapped 0 data keys under master key new1\n/);
  });
});

describe('key configuration', () => {
  it('refuses to start in production without explicit keys (and the payment channel’s secret), naming each, and never echoes a key', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.variable)).toEqual([
      'SIM_MERCHANT_SECRET',
      'FENQI_MASTER_KEYS',
      'FENQI_BLIND_INDEX_KEY',
      'FENQI_AUDIT_KEY',
      'FENQI_SESSION_KEY',
    ]);
    const secretLooking = 'not-a-real-key-but-secret';
    const problems = problemsOf({
      ...testKeys,
      FENQI_AUDIT_KEY: secretLooking,
      FENQI_MASTER_KEYS: `a:${secretLooking}`,
    });
    expect(problems.map((p) => p.variable)).toEqual(['FENQI_MASTER_KEYS', 'FENQI_AUDIT_KEY']);
    expect(JSON.stringify(problems)).not.toContain(secretLooking);
    expect(problemsOf({ ...testKeys, FENQI_SESSION_KEY: testKeys.FENQI_AUDIT_KEY })).toEqual([
      { variable: 'FENQI_BLIND_INDEX_KEY', message: 'every key must be different from every other key' },
    ]);
    expect(
      problemsOf({
        ...testKeys,
        NODE_ENV: 'production',
        SMS_ADAPTER: 'log',
        SIM_MERCHANT_SECRET: 'a-production-secret-0123',
      }),
    ).toEqual([
      {
        variable: 'SMS_ADAPTER',
        message: 'log writes one-time codes to the log and is refused when NODE_ENV=production',
      },
    ]);
    const production = loadConfig({
      ...testKeys,
      NODE_ENV: 'production',
      SIM_MERCHANT_SECRET: 'a-production-secret-0123',
    });
    expect(production).toMatchObject({
      production: true,
      smsAdapter: 'disabled',
      secrets: { source: 'environment' },
    });
  });

  it('in development generates keys once into FENQI_DATA_DIR/keys.json with mode 0600, and reuses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-keys-'));
    dirs.push(dir);
    const first = loadConfig({ FENQI_DATA_DIR: dir });
    expect(first.secrets.source).toBe('development-file');
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    const second = loadConfig({ FENQI_DATA_DIR: dir });
    expect(second.secrets.auditKey.equals(first.secrets.auditKey)).toBe(true);
    expect(second.secrets.masterKeys[0]?.id).toBe('dev1');
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')))).toEqual([
      'masterKeys',
      'blindIndexKey',
      'auditKey',
      'sessionKey',
    ]);
  });
});

describe('start-up', () => {
  const config = loadConfig({ ...testKeys, LOG_LEVEL: 'silent' });
  const logger = createLogger(config);
  const route = (permission: string) =>
    queryRoute({
      method: 'GET',
      url: '/api/v1/probe',
      permission: permission as 'public',
      summary: 'probe',
      tags: ['test'],
      schema: { response: { 200: z.object({}) } },
      handler: async () => ({ status: 200, body: {} }),
    });

  it('fails when a route declares no permission', async () => {
    await expect(
      buildApp({
        services: { config, db: database.db, logger },
        modules: [...application.modules, { name: 'probe', routes: [route('')] }],
        accessControl: { authorize: async () => ({ kind: 'anonymous', id: 'anonymous' }) },
        version: 'test',
      }),
    ).rejects.toThrow('route GET /api/v1/probe declares no permission');
  });

  it('fails when a route declares a permission the registry does not know', () => {
    expect(() => composeApplication([{ name: 'probe', routes: [route('ledger:teleport')] }])).toThrow(
      'routes declare permissions that no module declares: GET /api/v1/probe (ledger:teleport)',
    );
  });
});
