import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../src/platform/config.ts';

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'info',
      dataDir: '.fenqi',
      embeddedPgDir: '.fenqi/pg',
      corsOrigins: [],
      idempotencyTtlHours: 48,
      httpBodyBytesMax: 1_048_576,
      businessTimeZone: 'Asia/Shanghai',
    });
  });

  it('parses every kind of value', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://fenqi:secret@db.internal:5432/fenqi',
      PORT: '9000',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      CORS_ORIGINS: 'https://console.example.com, http://localhost:5173',
      TRUST_PROXY: 'yes',
      FENQI_DATA_DIR: '/var/lib/fenqi',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://fenqi:secret@db.internal:5432/fenqi',
      port: 9000,
      redisUrl: 'redis://127.0.0.1:6379/2',
      corsOrigins: ['https://console.example.com', 'http://localhost:5173'],
      trustProxy: true,
      embeddedPgDir: '/var/lib/fenqi/pg',
    });
  });

  it('names every bad variable at once, and never echoes URLs (they may hold passwords)', () => {
    expect(
      problemsOf({
        PORT: '80a',
        DATABASE_URL: 'mysql://root:hunter2@localhost/db',
        LOG_LEVEL: 'verbose',
        CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path',
        IDEMPOTENCY_TTL_HOURS: '0',
        BUSINESS_TIME_ZONE: 'Mars/Olympus',
      }),
    ).toEqual([
      {
        variable: 'DATABASE_URL',
        message: 'must be a URL of the form postgres://user[:password]@host[:port]/database',
      },
      { variable: 'PORT', message: 'must be an integer between 0 and 65535 (got "80a")' },
      {
        variable: 'LOG_LEVEL',
        message: 'must be one of fatal, error, warn, info, debug, trace, silent (got "verbose")',
      },
      {
        variable: 'CORS_ORIGINS',
        message:
          'must be a comma-separated list of origins like https://console.example.com (scheme, host, optional port; no path) (got "https://ok.example.com,https://bad.example.com/path")',
      },
      { variable: 'IDEMPOTENCY_TTL_HOURS', message: 'must be at least 1 (got "0")' },
      {
        variable: 'BUSINESS_TIME_ZONE',
        message: 'must be an IANA time zone such as Asia/Shanghai (got "Mars/Olympus")',
      },
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 8080, logLevel: 'info' });
  });

  it('a bad value stops `fenqi serve` before it starts, with one message naming it (exit 78)', async () => {
    const result = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [fenqi, 'serve'], {
        env: { ...process.env, DATABASE_URL: '', PORT: '99999', HOST: '127.0.0.1' },
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toBe(
      'fenqi: Invalid configuration:\n  PORT: must be at most 65535 (got "99999")\nSee docs/configuration.md for every setting.\n',
    );
    expect(result.stdout).toBe('');
  });
});

describe('docs/configuration.md', () => {
  const docs = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
  const documented = new Set([...docs.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((match) => match[1]));

  it('documents every variable Fenqi reads, and none it does not', () => {
    // NODE_ENV is read beside the schema: it decides whether development keys are allowed.
    const read = [...Object.keys(configSchema.shape), 'NODE_ENV'].sort();
    expect(read.filter((variable) => !documented.has(variable))).toEqual([]);
    expect([...documented].filter((variable) => variable !== undefined && !read.includes(variable))).toEqual(
      [],
    );
  });
});
