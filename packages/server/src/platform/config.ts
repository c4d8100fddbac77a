import { z } from 'zod';
import { resolveSecrets, type Secrets } from './crypto/secrets.ts';

// Every setting comes from the environment (twelve-factor), is validated once at start-up and is
// then passed around as a typed object. Limits carry their unit last (docs/architecture.md, "Conventions").

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, `must be an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      return false;
    }
  }, 'must be a URL of the form postgres://user[:password]@host[:port]/database');

const redisUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'redis:' || url.protocol === 'rediss:';
    } catch {
      return false;
    }
  }, 'must be a URL of the form redis://host[:port][/db]');

const origins = z
  .string()
  .trim()
  .transform((value) =>
    value === ''
      ? []
      : value
          .split(',')
          .map((origin) => origin.trim())
          .filter((origin) => origin !== ''),
  )
  .refine(
    (list) =>
      list.every((origin) => {
        try {
          const url = new URL(origin);
          return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
        } catch {
          return false;
        }
      }),
    'must be a comma-separated list of origins like https://console.example.com (scheme, host, optional port; no path)',
  );

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => ['true', 'false', '1', '0', 'yes', 'no'].includes(value), 'must be true or false')
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const timeZone = z
  .string()
  .trim()
  .refine((value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Asia/Shanghai');

const httpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.search === '' && url.hash === '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without query or fragment, like https://pay.example.com')
  .transform((value) => value.replace(/\/+$/, ''));

/** Adapters Fenqi has, by name; a channel code picks one (PAYMENT_CHANNELS=simulated:sim). */
export const paymentAdapters = ['sim'] as const;

const paymentChannels = z
  .string()
  .trim()
  .transform((value, context) => {
    const channels: { code: string; adapter: (typeof paymentAdapters)[number] }[] = [];
    for (const item of value.split(',').map((part) => part.trim())) {
      const [code = '', adapter = ''] = item.split(':');
      if (!/^[a-z][a-z0-9_]{0,31}$/.test(code) || !(paymentAdapters as readonly string[]).includes(adapter)) {
        context.addIssue({
          code: 'custom',
          message: `must be a comma-separated list of channel:adapter, like simulated:sim (adapters: ${paymentAdapters.join(', ')})`,
        });
        return z.NEVER;
      }
      if (channels.some((channel) => channel.code === code)) {
        context.addIssue({ code: 'custom', message: `names channel ${code} twice` });
        return z.NEVER;
      }
      channels.push({ code, adapter: adapter as (typeof paymentAdapters)[number] });
    }
    return channels;
  });

/** The environment variables Fenqi reads, with their defaults. docs/configuration.md lists the same set. */
export const configSchema = z.object({
  DATABASE_URL: postgresUrl.optional(),
  PORT: integer(0, 65535).default(8080),
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  REDIS_URL: redisUrl.optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 : _ . -')
    .default('fenqi:'),
  LOG_LEVEL: z.enum(logLevels, { message: `must be one of ${logLevels.join(', ')}` }).default('info'),
  FENQI_DATA_DIR: z.string().trim().min(1, 'must not be empty').default('.fenqi'),
  FENQI_PG_DIR: z.string().trim().min(1, 'must not be empty').optional(),
  CORS_ORIGINS: origins.default([]),
  DB_POOL_MAX: integer(1, 1000).default(10),
  DB_STATEMENT_TIMEOUT_MS: integer(0, 3_600_000).default(30_000),
  HTTP_BODY_BYTES_MAX: integer(1024, 100 * 1024 * 1024).default(1024 * 1024),
  HTTP_BODY_DEPTH_MAX: integer(2, 256).default(32),
  HTTP_REQUEST_TIMEOUT_MS: integer(0, 600_000).default(30_000),
  RATE_LIMIT_MAX: integer(1, 10_000_000).default(1200),
  RATE_LIMIT_WINDOW_MS: integer(1000, 3_600_000).default(60_000),
  COMPUTE_RATE_LIMIT_MAX: integer(1, 10_000_000).default(120),
  COMPUTE_WORKERS: integer(1, 64).default(1),
  COMPUTE_QUEUE_MAX: integer(0, 10_000).default(64),
  COMPUTE_TASK_TIMEOUT_MS: integer(100, 60_000).default(5000),
  IDEMPOTENCY_TTL_HOURS: integer(1, 24 * 365).default(48),
  IDEMPOTENCY_LOCK_SECONDS: integer(1, 3600).default(60),
  BUSINESS_TIME_ZONE: timeZone.default('Asia/Shanghai'),
  TRUST_PROXY: booleanFlag.default(false),
  MIGRATE_ON_START: booleanFlag.default(false),
  FENQI_DEMO_SIMULATE: booleanFlag.default(true),
  OUTBOX_POLL_MS: integer(50, 60_000).default(1000),
  WEBHOOK_TIMEOUT_MS: integer(100, 60_000).default(10_000),
  NATS_URL: z
    .string()
    .trim()
    .regex(/^nats:\/\/[^\s]+$/, 'must be a URL of the form nats://host:4222')
    .optional(),
  NATS_STREAM: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 _ -')
    .default('FENQI'),
  NATS_SUBJECT_PREFIX: z
    .string()
    .trim()
    .regex(/^[a-z0-9_-]{1,32}$/, 'must be 1 to 32 of a-z 0-9 _ -')
    .default('fenqi'),
  // Payments (docs/payments.md): channels, callbacks, the submit and query jobs.
  PAYMENT_CHANNELS: paymentChannels.default([{ code: 'simulated', adapter: 'sim' }]),
  PAYMENT_CALLBACK_BASE_URL: httpUrl.optional(),
  PAYMENT_CHANNEL_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  PAYMENT_POLL_MS: integer(20, 60_000).default(500),
  PAYMENT_QUERY_AFTER_MS: integer(100, 3_600_000).default(30_000),
  PAYMENT_QUERY_INTERVAL_MAX_MS: integer(1000, 24 * 3_600_000).default(3_600_000),
  PAYMENT_ESCALATE_AFTER_MINUTES: integer(1, 7 * 24 * 60).default(120),
  SIM_CHANNEL_URL: httpUrl.default('http://127.0.0.1:8090'),
  SIM_MERCHANT_NO: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1 to 32 letters and digits')
    .default('M100001'),
  SIM_MERCHANT_SECRET: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  // Credit decisions (docs/risk.md): the review queue's SLA, when an approval after review needs a
  // second person, and how long a granted line lasts.
  RISK_REVIEW_SLA_HOURS: integer(1, 30 * 24).default(24),
  RISK_REVIEW_APPROVAL_LIMIT: z
    .string()
    .trim()
    .regex(/^\d{1,9}(\.\d{1,2})?$/, 'must be an amount in yuan such as 50000.00')
    .default('50000.00'),
  RISK_LINE_VALIDITY_DAYS: integer(1, 5 * 366).default(365),
  // Credit lines (docs/credit.md): the most one person's lines may add up to, in yuan.
  // 商业银行互联网贷款管理暂行办法 (2020): at most 200,000 CNY of consumer credit per person.
  CREDIT_EXPOSURE_CAP: z
    .string()
    .trim()
    .regex(/^\d{1,10}(\.\d{1,2})?$/, 'must be an amount in yuan with at most two decimals, such as 200000.00')
    .transform((yuan) => {
      const [whole = '0', fraction = ''] = yuan.split('.');
      return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
    })
    .pipe(z.bigint().min(1n, 'must be at least 0.01'))
    .default(20_000_000n),
  // Loan products (docs/products.md): the all-in annualized cost (IRR, PBOC 2021 No. 3) above which no
  // product may be published, as a fraction — 24 %, the line courts and regulators draw.
  APR_CAP: z
    .string()
    .trim()
    .regex(
      /^(0\.\d{1,4}|1(\.0{1,4})?)$/,
      'must be a fraction from 0.0001 to 1 with at most 4 decimals, such as 0.24',
    )
    .refine((value) => Number(value) > 0, 'must be above 0')
    .default('0.24'),
  // Origination (docs/loans.md): where a borrower checks out, how long an order stays open, and
  // how many payout orders a loan may go through before it is cancelled.
  CHECKOUT_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  ORDER_TTL_MINUTES: integer(5, 30 * 24 * 60).default(24 * 60),
  DISBURSEMENT_ATTEMPTS_MAX: integer(1, 10).default(3),
  // Servicing and close of business: docs/configuration.md, "Servicing"; docs/servicing.md, docs/cob.md.
  WRITE_OFF_DPD: integer(31, 1000).default(180),
  COB_PARTITION_LOANS: integer(100, 100_000).default(5000),
  // Unset: no automatic close; the day is closed by `fenqi cob` or POST /api/v1/cob/runs.
  COB_CRON: z
    .string()
    .trim()
    .regex(
      /^[0-9*/,A-Za-z?LW#-]+( [0-9*/,A-Za-z?LW#-]+){4}$/,
      'must be a cron expression of five fields (minute hour day month weekday), such as 30 23 * * *',
    )
    .optional(),
  // Access control and data protection (IAM): docs/configuration.md, "Security"; docs/security.md.
  FENQI_MASTER_KEYS: z.string().trim().optional(),
  FENQI_BLIND_INDEX_KEY: z.string().trim().optional(),
  FENQI_AUDIT_KEY: z.string().trim().optional(),
  FENQI_SESSION_KEY: z.string().trim().optional(),
  STAFF_SESSION_IDLE_MINUTES: integer(1, 24 * 60).default(30),
  STAFF_SESSION_ABSOLUTE_HOURS: integer(1, 7 * 24).default(12),
  STAFF_LOGIN_FAILURES_MAX: integer(1, 100).default(5),
  STAFF_LOCKOUT_MINUTES: integer(1, 24 * 60).default(15),
  BORROWER_ACCESS_TOKEN_MINUTES: integer(1, 60).default(15),
  BORROWER_REFRESH_TOKEN_DAYS: integer(1, 365).default(30),
  OTP_TTL_SECONDS: integer(60, 1800).default(300),
  OTP_ATTEMPTS_MAX: integer(1, 10).default(5),
  OTP_SENDS_PER_PHONE_MAX: integer(1, 100).default(5),
  OTP_SENDS_PER_IP_MAX: integer(1, 100_000).default(30),
  SIGNATURE_WINDOW_SECONDS: integer(30, 900).default(300),
  SMS_ADAPTER: z.enum(['log', 'disabled'], { message: 'must be log or disabled' }).optional(),
  // The demo's borrower H5 shows the codes it would read from a phone (docs/security.md, "Demo codes").
  DEMO_SHOW_CODES: booleanFlag.default(false),
  // KYC and consents (issue 15): docs/kyc.md.
  REAL_NAME_ADAPTER: z
    .enum(['simulated', 'disabled'], { message: 'must be simulated or disabled' })
    .optional(),
  // Notifications (docs/notifications.md): the provider SMS and app push go through.
  NOTIFICATIONS_PROVIDER: z
    .enum(['simulated', 'log', 'disabled'], { message: 'must be simulated, log or disabled' })
    .optional(),
});

export type EnvConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {
  readonly problems: { variable: string; message: string }[];

  constructor(problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}\n` +
        'See docs/configuration.md for every setting.',
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * `fenqi demo` shows the sign-in and card-binding codes in the H5 (DEMO_SHOW_CODES=true) unless the
 * environment sets DEMO_SHOW_CODES itself; with NODE_ENV=production it leaves the default (off), as
 * the setting is refused there. Called before the configuration is loaded.
 */
export function defaultDemoShowCodes(env: NodeJS.ProcessEnv = process.env): void {
  if ((env.DEMO_SHOW_CODES ?? '') === '' && env.NODE_ENV !== 'production') env.DEMO_SHOW_CODES = 'true';
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    // An empty variable means "not set": `PORT= fenqi serve` should use the default.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '(environment)');
      const given = raw[variable];
      const shown =
        given === undefined || /_URL$|_KEYS?$/.test(variable) ? '' : ` (got ${JSON.stringify(given)})`;
      return { variable, message: `${issue.message}${shown}` };
    });
    throw new ConfigError(problems);
  }
  // Keys are resolved once the rest is valid: development keys live in FENQI_DATA_DIR.
  const production = env.NODE_ENV === 'production';
  const problems: { variable: string; message: string }[] = [];
  if (production && parsed.data.SMS_ADAPTER === 'log') {
    problems.push({
      variable: 'SMS_ADAPTER',
      message: 'log writes one-time codes to the log and is refused when NODE_ENV=production',
    });
  }
  if (production && parsed.data.DEMO_SHOW_CODES) {
    problems.push({
      variable: 'DEMO_SHOW_CODES',
      message: 'hands out sign-in and card-binding codes and is refused when NODE_ENV=production',
    });
  }
  if (
    production &&
    parsed.data.SIM_MERCHANT_SECRET === undefined &&
    parsed.data.PAYMENT_CHANNELS.some((channel) => channel.adapter === 'sim')
  ) {
    problems.push({
      variable: 'SIM_MERCHANT_SECRET',
      message: 'is required when NODE_ENV=production and a channel uses the sim adapter',
    });
  }
  if (
    production &&
    (parsed.data.NOTIFICATIONS_PROVIDER === 'simulated' || parsed.data.NOTIFICATIONS_PROVIDER === 'log')
  ) {
    problems.push({
      variable: 'NOTIFICATIONS_PROVIDER',
      message: `${parsed.data.NOTIFICATIONS_PROVIDER} sends nothing to a real phone and is refused when NODE_ENV=production`,
    });
  }
  if (production && parsed.data.REAL_NAME_ADAPTER === 'simulated') {
    problems.push({
      variable: 'REAL_NAME_ADAPTER',
      message: 'simulated passes anyone its rules allow and is refused when NODE_ENV=production',
    });
  }
  const secrets = resolveSecrets(parsed.data, { production, dataDir: parsed.data.FENQI_DATA_DIR });
  if ('problems' in secrets) problems.push(...secrets.problems);
  if (problems.length > 0 || !('secrets' in secrets)) throw new ConfigError(problems);
  return toConfig(parsed.data, { production, secrets: secrets.secrets });
}

export type Config = ReturnType<typeof toConfig>;

/** "50000.00" → 5000000n, exactly (the pattern allows at most two decimals). */
function yuanToFen(yuan: string): bigint {
  const [whole = '0', fraction = ''] = yuan.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

function toConfig(c: EnvConfig, security: { production: boolean; secrets: Secrets }) {
  return {
    databaseUrl: c.DATABASE_URL,
    port: c.PORT,
    host: c.HOST,
    redisUrl: c.REDIS_URL,
    redisKeyPrefix: c.REDIS_KEY_PREFIX,
    logLevel: c.LOG_LEVEL,
    dataDir: c.FENQI_DATA_DIR,
    embeddedPgDir: c.FENQI_PG_DIR ?? `${c.FENQI_DATA_DIR}/pg`,
    corsOrigins: c.CORS_ORIGINS,
    dbPoolMax: c.DB_POOL_MAX,
    dbStatementTimeoutMs: c.DB_STATEMENT_TIMEOUT_MS,
    httpBodyBytesMax: c.HTTP_BODY_BYTES_MAX,
    httpBodyDepthMax: c.HTTP_BODY_DEPTH_MAX,
    httpRequestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
    rateLimitMax: c.RATE_LIMIT_MAX,
    rateLimitWindowMs: c.RATE_LIMIT_WINDOW_MS,
    computeRateLimitMax: c.COMPUTE_RATE_LIMIT_MAX,
    computeWorkers: c.COMPUTE_WORKERS,
    computeQueueMax: c.COMPUTE_QUEUE_MAX,
    computeTaskTimeoutMs: c.COMPUTE_TASK_TIMEOUT_MS,
    idempotencyTtlHours: c.IDEMPOTENCY_TTL_HOURS,
    idempotencyLockSeconds: c.IDEMPOTENCY_LOCK_SECONDS,
    businessTimeZone: c.BUSINESS_TIME_ZONE,
    trustProxy: c.TRUST_PROXY,
    migrateOnStart: c.MIGRATE_ON_START,
    /** `fenqi demo` simulates a year of business on a database that holds none (docs/simulation.md). */
    demoSimulate: c.FENQI_DEMO_SIMULATE,
    outboxPollMs: c.OUTBOX_POLL_MS,
    webhookTimeoutMs: c.WEBHOOK_TIMEOUT_MS,
    nats:
      c.NATS_URL === undefined
        ? undefined
        : { url: c.NATS_URL, stream: c.NATS_STREAM, subjectPrefix: c.NATS_SUBJECT_PREFIX },
    payments: {
      channels: c.PAYMENT_CHANNELS,
      callbackBaseUrl: c.PAYMENT_CALLBACK_BASE_URL ?? `http://127.0.0.1:${c.PORT}`,
      channelTimeoutMs: c.PAYMENT_CHANNEL_TIMEOUT_MS,
      pollMs: c.PAYMENT_POLL_MS,
      queryAfterMs: c.PAYMENT_QUERY_AFTER_MS,
      queryIntervalMaxMs: c.PAYMENT_QUERY_INTERVAL_MAX_MS,
      escalateAfterMinutes: c.PAYMENT_ESCALATE_AFTER_MINUTES,
      sim: {
        url: c.SIM_CHANNEL_URL,
        merchantNo: c.SIM_MERCHANT_NO,
        // The simulator's own development default (fenqi channel-sim warns when it runs on it).
        secret: c.SIM_MERCHANT_SECRET ?? 'channel-sim-development-secret',
      },
    },
    risk: {
      reviewSlaHours: c.RISK_REVIEW_SLA_HOURS,
      /** Above this limit (fen), approving a reviewed application is maker-checker. */
      reviewApprovalLimitMinor: yuanToFen(c.RISK_REVIEW_APPROVAL_LIMIT),
      lineValidityDays: c.RISK_LINE_VALIDITY_DAYS,
    },
    credit: {
      /** The per-person exposure cap in fen (docs/credit.md, "The exposure cap"). */
      exposureCapMinor: c.CREDIT_EXPOSURE_CAP,
    },
    /** The publication IRR cap, a decimal fraction such as "0.24" (docs/products.md). */
    aprCap: c.APR_CAP,
    loans: {
      /** The borrower's checkout page; the order's token is appended. */
      checkoutBaseUrl: (c.CHECKOUT_BASE_URL ?? `http://127.0.0.1:${c.PORT}/h5/checkout`).replace(/\/+$/, ''),
      orderTtlMinutes: c.ORDER_TTL_MINUTES,
      disbursementAttemptsMax: c.DISBURSEMENT_ATTEMPTS_MAX,
    },
    servicing: { writeOffDpd: c.WRITE_OFF_DPD },
    cob: {
      partitionLoans: c.COB_PARTITION_LOANS,
      /** When the scheduled job starts close of business (in BUSINESS_TIME_ZONE); undefined: never. */
      cron: c.COB_CRON,
    },
    production: security.production,
    secrets: security.secrets,
    staffSessionIdleMinutes: c.STAFF_SESSION_IDLE_MINUTES,
    staffSessionAbsoluteHours: c.STAFF_SESSION_ABSOLUTE_HOURS,
    staffLoginFailuresMax: c.STAFF_LOGIN_FAILURES_MAX,
    staffLockoutMinutes: c.STAFF_LOCKOUT_MINUTES,
    borrowerAccessTokenMinutes: c.BORROWER_ACCESS_TOKEN_MINUTES,
    borrowerRefreshTokenDays: c.BORROWER_REFRESH_TOKEN_DAYS,
    otpTtlSeconds: c.OTP_TTL_SECONDS,
    otpAttemptsMax: c.OTP_ATTEMPTS_MAX,
    otpSendsPerPhoneMax: c.OTP_SENDS_PER_PHONE_MAX,
    otpSendsPerIpMax: c.OTP_SENDS_PER_IP_MAX,
    signatureWindowSeconds: c.SIGNATURE_WINDOW_SECONDS,
    smsAdapter: c.SMS_ADAPTER ?? (security.production ? 'disabled' : 'log'),
    /**
     * Demo only, never in production: the sign-in code (with SMS_ADAPTER=log) and a binding's SMS
     * code (from a channel whose adapter can tell it: sim) are also answered to the borrower's app.
     */
    demoShowCodes: c.DEMO_SHOW_CODES,
    realNameAdapter: c.REAL_NAME_ADAPTER ?? (security.production ? 'disabled' : 'simulated'),
    notificationsProvider: c.NOTIFICATIONS_PROVIDER ?? (security.production ? 'disabled' : 'simulated'),
  };
}
