import { randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { socialCreditCheckCharacter, socialCreditCodeCharacters } from '@fenqi/core';
import { createApiClient, listApiClients } from '../modules/iam/service.ts';
import {
  activateMerchant,
  createMerchant,
  type Merchant,
  merchantById,
} from '../modules/merchants/service.ts';
import { products } from '../modules/simulation/catalogue.ts';
import type { Config } from '../platform/config.ts';
import type { DB } from '../platform/db.ts';
import { AppError } from '../platform/errors.ts';
import {
  disableWebhookEndpoint,
  listWebhookEndpoints,
  registerWebhookEndpoint,
} from '../platform/outbox/webhooks.ts';
import { type ChildService, startChildService } from './children.ts';

// The merchant sandbox in `fenqi demo` (packages/merchant-sandbox, docs/merchant-integration.md):
// a demo shop that is its own process and knows Fenqi only through the public API. The demo makes
// it a merchant once — registered, activated, an API key, a webhook endpoint at the sandbox's URL
// behind the demo's proxy — as operations staff would, and keeps the credentials the way a
// merchant keeps its own: in a file (FENQI_DATA_DIR/sandbox-merchant.json, mode 0600), since Fenqi
// shows a secret once. The next start reuses them; what is gone (a revoked key, an endpoint at
// another URL) is made again.

export const sandboxBasePath = '/sandbox';
const sandboxMain = fileURLToPath(new URL('../../../merchant-sandbox/src/main.ts', import.meta.url));

/** What the sandbox hears of: its orders' way from checkout to refund, and its own status. */
export const sandboxEventTypes = [
  'loans.order-approved',
  'loans.loan-disbursed',
  'loans.order-cancelled',
  'loans.order-refunded',
  'merchants.suspended',
  'merchants.reinstated',
];

// The demo acts for operations staff without being one (api_clients.created_by is a uuid).
const demoActor = { kind: 'system', id: '00000000-0000-4000-8000-00000000de30' };
const origin = { ip: null, requestId: null };

export type SandboxCredentials = {
  merchantId: string;
  clientId: string;
  keyId: string;
  secret: string;
  webhookEndpointId: string;
  webhookUrl: string;
  webhookSecret: string;
};

const fields: (keyof SandboxCredentials)[] = [
  'merchantId',
  'clientId',
  'keyId',
  'secret',
  'webhookEndpointId',
  'webhookUrl',
  'webhookSecret',
];

export const sandboxCredentialsFile = (config: Config) => join(config.dataDir, 'sandbox-merchant.json');

function readSaved(file: string): SandboxCredentials | undefined {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return fields.every((field) => typeof saved[field] === 'string')
      ? (saved as SandboxCredentials)
      : undefined;
  } catch {
    return undefined;
  }
}

function save(file: string, credentials: SandboxCredentials): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function socialCreditCode(): string {
  // An enterprise (91) registered in Shenzhen (440300), a new subject each time: codes are unique.
  let subject = '';
  for (let i = 0; i < 9; i += 1) subject += socialCreditCodeCharacters.charAt(randomInt(0, 31));
  const first17 = `91440300${subject}`;
  return `${first17}${socialCreditCheckCharacter(first17)}`;
}

async function findMerchant(db: DB, id: string): Promise<Merchant | undefined> {
  try {
    return await merchantById(db, id);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return undefined;
    throw error;
  }
}

async function onboard(db: DB, config: Config, webhookUrl: string): Promise<SandboxCredentials> {
  const legalName = '深圳市演示商城科技有限公司';
  return db.transaction().execute(async (trx) => {
    const created = await createMerchant(trx, config, {
      name: '演示商城',
      legalName,
      scenario: 'ecommerce',
      socialCreditCode: socialCreditCode(),
      discountRate: '0.02',
      // The demo business's products for its four scenarios (docs/simulation.md).
      productCodes: [
        products.education.code,
        products.travel.code,
        products.home.code,
        products.electronics.code,
      ],
      settlementAccount: {
        accountName: legalName,
        accountNo: `622260${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e4)).padStart(4, '0')}`,
        bankName: '招商银行深圳分行',
      },
      actor: demoActor,
      origin,
    });
    await activateMerchant(trx, config, {
      merchantId: created.id,
      reason: '演示商城 the demo’s merchant sandbox',
      actor: demoActor,
      origin,
    });
    const key = await createApiClient(trx, config, {
      ownerKind: 'merchant',
      ownerId: created.id,
      name: 'merchant sandbox',
      actor: demoActor,
      origin,
    });
    const endpoint = await registerWebhookEndpoint(trx, config, {
      ownerKind: 'merchant',
      ownerId: created.id,
      url: webhookUrl,
      eventTypes: sandboxEventTypes,
    });
    return {
      merchantId: created.id,
      clientId: key.id,
      keyId: key.keyId,
      secret: key.secret,
      webhookEndpointId: endpoint.id,
      webhookUrl,
      webhookSecret: endpoint.secret,
    };
  });
}

export type SandboxMerchant = { credentials: SandboxCredentials; merchant: Merchant; notes: string[] };

/**
 * The demo's sandbox merchant, with a live API key and an active webhook endpoint at webhookUrl:
 * the saved one, mended where staff revoked or the URL moved, or a new one.
 */
export async function ensureSandboxMerchant(
  db: DB,
  config: Config,
  webhookUrl: string,
): Promise<SandboxMerchant> {
  const file = sandboxCredentialsFile(config);
  const saved = readSaved(file);
  const existing = saved === undefined ? undefined : await findMerchant(db, saved.merchantId);
  if (saved === undefined || existing === undefined) {
    const credentials = await onboard(db, config, webhookUrl);
    save(file, credentials);
    return {
      credentials,
      merchant: await merchantById(db, credentials.merchantId),
      notes: [`onboarded the sandbox merchant ${credentials.merchantId} (credentials in ${file})`],
    };
  }
  let credentials = saved;
  const notes: string[] = [];
  const owner = { ownerKind: 'merchant' as const, ownerId: saved.merchantId };
  const keys = await listApiClients(db, { ...owner, status: 'active' });
  if (!keys.some((key) => key.id === saved.clientId)) {
    const key = await db
      .transaction()
      .execute((trx) =>
        createApiClient(trx, config, { ...owner, name: 'merchant sandbox', actor: demoActor, origin }),
      );
    credentials = { ...credentials, clientId: key.id, keyId: key.keyId, secret: key.secret };
    notes.push('issued the sandbox merchant a new API key (the saved one was revoked)');
  }
  const endpoints = await listWebhookEndpoints(db, { kind: 'merchant', id: saved.merchantId });
  const endpoint = endpoints.find((candidate) => candidate.id === saved.webhookEndpointId);
  if (endpoint?.status !== 'active' || endpoint.url !== webhookUrl) {
    const registered = await db.transaction().execute(async (trx) => {
      if (endpoint?.status === 'active') await disableWebhookEndpoint(trx, endpoint.id);
      return registerWebhookEndpoint(trx, config, {
        ownerKind: 'merchant',
        ownerId: saved.merchantId,
        url: webhookUrl,
        eventTypes: sandboxEventTypes,
      });
    });
    credentials = {
      ...credentials,
      webhookEndpointId: registered.id,
      webhookUrl,
      webhookSecret: registered.secret,
    };
    notes.push(`registered the sandbox's webhook endpoint at ${webhookUrl}`);
  }
  if (credentials !== saved) save(file, credentials);
  if (existing.status !== 'active')
    notes.push(
      `the sandbox merchant is ${existing.status}: Fenqi refuses its orders until staff reinstate it`,
    );
  return { credentials, merchant: existing, notes };
}

// Node runs the sandbox's TypeScript as it runs Fenqi's: with the flags this process was given for it.
const typeStripping = process.execArgv.filter(
  (flag) => flag === '--experimental-strip-types' || flag.startsWith('--no-warnings'),
);

/** The sandbox as a child process on a loopback port, for the merchant with these keys. */
export function startSandbox(options: {
  apiUrl: string;
  /** Where shoppers reach it: the demo's own URL, which proxies /sandbox to it. */
  publicUrl: string;
  credentials: Pick<SandboxCredentials, 'keyId' | 'secret' | 'webhookSecret'>;
  /** Its port; any free one unless given (a test that registers its webhook URL first). */
  port?: number;
  onExit?: (description: string) => void;
}): Promise<ChildService> {
  return startChildService({
    name: 'merchant sandbox',
    command: process.execPath,
    args: [...typeStripping, sandboxMain],
    // The sandbox is an integrator: none of Fenqi's settings or keys go to it, only its own.
    env: {
      ...(process.env.PATH === undefined ? {} : { PATH: process.env.PATH }),
      FENQI_API_URL: options.apiUrl,
      SANDBOX_MERCHANT_KEY: options.credentials.keyId,
      SANDBOX_MERCHANT_SECRET: options.credentials.secret,
      SANDBOX_WEBHOOK_SECRET: options.credentials.webhookSecret,
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_PORT: String(options.port ?? 0),
      SANDBOX_BASE_PATH: sandboxBasePath,
      SANDBOX_PUBLIC_URL: options.publicUrl,
    },
    listening: /merchant-sandbox listening at (http:\/\/\S+)/,
    ...(options.onExit === undefined ? {} : { onExit: options.onExit }),
  });
}
