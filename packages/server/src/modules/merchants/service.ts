import { randomUUID } from 'node:crypto';
import { type SocialCreditCodeFailure, socialCreditCodeCheck } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import { maskCardNumber } from '../../platform/crypto/masking.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { type AuditEvent, appendAudit, type PartnerScope } from '../iam/service.ts';
import { type MerchantStatusAction, merchantTransition, statusBefore } from './status.ts';
import * as store from './store.ts';
import type { MerchantScenario, MerchantStatus, MerchantsDb, MerchantsTx } from './tables.ts';

export { type MerchantScenario, type MerchantStatus, merchantScenarios, merchantStatuses } from './tables.ts';

// Merchants: the scenario partners (教育, 旅游, 装修, 电商, 医美, 3C …) whose installment orders
// become loans. What other modules call:
//   merchantById(db, id)                      — the merchant, any status (not_found otherwise)
//   merchantForOrders(db, id)                 — the merchant, only while active (merchant_not_active)
//   merchantSettlementAccount(db, config, id) — the decrypted account, for the payout
// The settlement account number (and its name, which may be a person's for an individual
// business) are field ciphertexts under the record's data key, masked in every response; the
// clear view needs merchants:unmask and is audited in the same transaction that reads it. API keys
// are IAM's api clients with ownerKind 'merchant' and ownerId = the merchant id (docs/merchants.md).

export type Merchant = {
  id: string;
  name: string;
  legalName: string;
  scenario: MerchantScenario;
  socialCreditCode: string;
  status: MerchantStatus;
  /** A decimal fraction 0–0.3 of the principal kept from the payout, canonical (`0.035`, `0`). */
  discountRate: string;
  productCodes: string[];
  /** 6 + 4 (`622202******1234`); null until a settlement account is given (onboarding only). */
  settlementAccountMasked: string | null;
  settlementBankName: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type ScenarioLabel = { zh: string; en: string };

/** How each scenario is named to people (zh-CN and en). */
export const scenarioLabels: Readonly<Record<MerchantScenario, ScenarioLabel>> = {
  education: { zh: '教育', en: 'Education' },
  travel: { zh: '旅游', en: 'Travel' },
  home_renovation: { zh: '家装', en: 'Home renovation' },
  ecommerce: { zh: '电商', en: 'E-commerce' },
  medical_beauty: { zh: '医美', en: 'Medical beauty' },
  electronics_3c: { zh: '3C数码', en: '3C electronics' },
  other: { zh: '其他', en: 'Other' },
};

/** A merchant as staff see it: masked, with its scenario's names and why its status is what it is. */
export type MerchantView = Merchant & {
  scenarioLabel: ScenarioLabel;
  statusReason: string | null;
  statusChangedAt: Date | null;
};

export type StatusChange = {
  fromStatus: MerchantStatus;
  toStatus: MerchantStatus;
  reason: string;
  actor: { kind: 'staff' | 'system'; id: string };
  businessDate: string;
  at: Date;
};

export type MerchantDetail = MerchantView & { statusHistory: StatusChange[] };

/** What the merchant itself sees of its record: no staff notes. */
export type MerchantProfile = Merchant & { scenarioLabel: ScenarioLabel };

export type SettlementAccount = { accountName: string; accountNo: string; bankName: string };

export type Origin = NonNullable<AuditEvent['origin']>;
/** Who made a change, as the audit log records it (`actorOf(caller)`). */
export type AuditActor = AuditEvent['actor'];

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** numeric(7,6) as PostgreSQL writes it (`0.035000`), without its trailing zeros (`0.035`). */
export function canonicalRate(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

function toMerchant(row: store.MerchantRow): Merchant {
  return {
    id: row.id,
    name: row.name,
    legalName: row.legal_name,
    scenario: row.scenario,
    socialCreditCode: row.social_credit_code,
    status: row.status,
    discountRate: canonicalRate(row.discount_rate),
    productCodes: row.product_codes,
    settlementAccountMasked: row.settlement_account_no_masked,
    settlementBankName: row.settlement_bank_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toView(row: store.MerchantRow): MerchantView {
  return {
    ...toMerchant(row),
    scenarioLabel: scenarioLabels[row.scenario],
    statusReason: row.status_reason,
    statusChangedAt: row.status_changed_at,
  };
}

function toStatusChange(row: store.StatusHistoryRow): StatusChange {
  return {
    fromStatus: row.from_status,
    toStatus: row.to_status,
    reason: row.reason,
    actor: { kind: row.actor_kind, id: row.actor_id },
    businessDate: row.business_date,
    at: row.at,
  };
}

async function detailOf(db: MerchantsDb, row: store.MerchantRow): Promise<MerchantDetail> {
  return { ...toView(row), statusHistory: (await store.statusHistoryOf(db, row.id)).map(toStatusChange) };
}

const notFound = (id: string) => new AppError('not_found', `There is no merchant ${id}.`);

const codeRegistered = () =>
  new AppError(
    'social_credit_code_registered',
    'A merchant with this unified social credit code is already registered.',
    { errors: [{ in: 'body', path: 'socialCreditCode', message: 'is registered to another merchant' }] },
  );

const codeMessages: Record<SocialCreditCodeFailure, string> = {
  format:
    'must be 18 characters of 0-9 and A-Z without I, O, S, V and Z, with digits in positions 3-8 (GB 32100-2015)',
  check_character:
    'the check character (the 18th) does not match the first 17; look for a mistyped character',
  authority_unknown: 'the registration authority code (the 1st character) is not one of GB 32100-2015',
  category_unknown: 'the category code (the 2nd character) is not one its registration authority uses',
  region_unknown: 'the administrative division code (characters 3-8) is not a region of China',
};

/** The code as GB 32100-2015 writes it, or a 400 naming the field (`code` is the core's reason). */
export function checkSocialCreditCode(code: string): void {
  const result = socialCreditCodeCheck(code);
  if (result.ok) return;
  const message = codeMessages[result.reason];
  throw new AppError('validation_failed', `The body is not valid: socialCreditCode: ${message}`, {
    errors: [{ in: 'body', path: 'socialCreditCode', message, code: result.reason }],
  });
}

async function findMerchantRow(db: DB | Tx, id: string): Promise<store.MerchantRow | undefined> {
  // Ids come from other modules and from API keys, whose owner ids need not be uuids at all.
  return uuidPattern.test(id) ? store.findMerchant(db as MerchantsDb, id) : undefined;
}

async function lockMerchantRow(trx: Tx, id: string): Promise<store.MerchantRow> {
  const row = uuidPattern.test(id) ? await store.lockMerchant(trx as MerchantsTx, id) : undefined;
  if (!row) throw notFound(id);
  return row;
}

// ---- The settlement account ----

const accountContext = (column: 'settlement_account_name' | 'settlement_account_no', id: string) =>
  fieldContext('merchants', column, id);

/** The account's columns: name and number encrypted under a new data key, the number masked 6 + 4. */
async function encryptAccount(trx: Tx, config: Config, merchantId: string, account: SettlementAccount) {
  const key = await createDataKey(trx, cryptoFor(config).kms, 'merchant-settlement-account');
  return {
    settlement_account_name_enc: encryptField(
      key,
      account.accountName,
      accountContext('settlement_account_name', merchantId),
    ),
    settlement_account_no_enc: encryptField(
      key,
      account.accountNo,
      accountContext('settlement_account_no', merchantId),
    ),
    settlement_account_no_masked: maskCardNumber(account.accountNo),
    settlement_bank_name: account.bankName,
  };
}

async function decryptAccount(
  db: DB | Tx,
  config: Config,
  row: store.MerchantRow,
): Promise<SettlementAccount | undefined> {
  if (
    row.settlement_account_name_enc === null ||
    row.settlement_account_no_enc === null ||
    row.settlement_bank_name === null
  )
    return undefined;
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(row.settlement_account_no_enc));
  return {
    accountName: decryptField(
      key,
      row.settlement_account_name_enc,
      accountContext('settlement_account_name', row.id),
    ),
    accountNo: decryptField(
      key,
      row.settlement_account_no_enc,
      accountContext('settlement_account_no', row.id),
    ),
    bankName: row.settlement_bank_name,
  };
}

/** What the audit log keeps of a merchant: masked, never the account's name or number. */
function audited(row: store.MerchantRow) {
  return {
    name: row.name,
    legalName: row.legal_name,
    scenario: row.scenario,
    socialCreditCode: row.social_credit_code,
    status: row.status,
    discountRate: canonicalRate(row.discount_rate),
    productCodes: row.product_codes,
    settlementAccountMasked: row.settlement_account_no_masked,
    settlementBankName: row.settlement_bank_name,
  };
}

/** Product codes in one order, each once. */
function productSet(codes: readonly string[]): string[] {
  return [...new Set(codes)].sort();
}

// ---- Staff use cases ----

export type NewMerchant = {
  name: string;
  legalName: string;
  scenario: MerchantScenario;
  socialCreditCode: string;
  /** A decimal fraction 0–0.3 (checked by the route's schema and by the table). */
  discountRate: string;
  productCodes: readonly string[];
  settlementAccount?: SettlementAccount | undefined;
  actor: AuditActor;
  origin: Origin;
};

/** Registers a merchant, onboarding: it can create orders once activated. */
export async function createMerchant(trx: Tx, config: Config, input: NewMerchant): Promise<MerchantDetail> {
  const t: MerchantsTx = trx;
  checkSocialCreditCode(input.socialCreditCode);
  if (await store.merchantIdBySocialCreditCode(t, input.socialCreditCode)) throw codeRegistered();
  const id = randomUUID();
  const account =
    input.settlementAccount === undefined
      ? {}
      : await encryptAccount(trx, config, id, input.settlementAccount);
  // Concurrent registrations of one code pass the check above together; the unique constraint decides.
  const row = await orConflict(
    store.insertMerchant(t, {
      id,
      name: input.name,
      legal_name: input.legalName,
      scenario: input.scenario,
      social_credit_code: input.socialCreditCode,
      discount_rate: input.discountRate,
      product_codes: productSet(input.productCodes),
      ...account,
      created_by: input.actor.id,
    }),
    { merchants_social_credit_code_key: codeRegistered },
  );
  await appendAudit(trx, config.secrets.auditKey, {
    actor: input.actor,
    action: 'merchants.created',
    subject: { type: 'merchant', id },
    origin: input.origin,
    after: audited(row),
  });
  return { ...toView(row), statusHistory: [] };
}

export type MerchantChanges = {
  name?: string | undefined;
  legalName?: string | undefined;
  scenario?: MerchantScenario | undefined;
  discountRate?: string | undefined;
  productCodes?: readonly string[] | undefined;
  settlementAccount?: SettlementAccount | undefined;
};

/**
 * Changes what staff may change of a merchant; the unified social credit code is not among it (it
 * is the merchant's identity for life: a wrong one is a new merchant). A merchant once activated
 * keeps at least one product.
 */
export async function updateMerchant(
  trx: Tx,
  config: Config,
  input: { merchantId: string; changes: MerchantChanges; actor: AuditActor; origin: Origin },
): Promise<MerchantDetail> {
  const t: MerchantsTx = trx;
  const before = await lockMerchantRow(trx, input.merchantId);
  const { changes } = input;
  const productCodes = changes.productCodes === undefined ? undefined : productSet(changes.productCodes);
  if (productCodes?.length === 0 && before.status !== 'onboarding')
    throw invalid([
      {
        in: 'body',
        path: 'productCodes',
        message: `must list at least one product: the merchant is ${before.status}`,
      },
    ]);
  const after = await store.updateMerchant(t, before.id, {
    ...(changes.name === undefined ? {} : { name: changes.name }),
    ...(changes.legalName === undefined ? {} : { legal_name: changes.legalName }),
    ...(changes.scenario === undefined ? {} : { scenario: changes.scenario }),
    ...(changes.discountRate === undefined ? {} : { discount_rate: changes.discountRate }),
    ...(productCodes === undefined ? {} : { product_codes: productCodes }),
    ...(changes.settlementAccount === undefined
      ? {}
      : await encryptAccount(trx, config, before.id, changes.settlementAccount)),
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: input.actor,
    action: 'merchants.updated',
    subject: { type: 'merchant', id: before.id },
    origin: input.origin,
    before: audited(before),
    after: audited(after),
    details: {
      fields: Object.keys(changes).sort(),
      settlementAccountChanged: changes.settlementAccount !== undefined,
    },
  });
  return detailOf(t, after);
}

function invalid(errors: FieldError[]): AppError {
  return new AppError(
    'validation_failed',
    `The body is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

export type StatusChangeInput = { merchantId: string; reason: string; actor: AuditActor; origin: Origin };

const verbs: Record<MerchantStatusAction, 'activated' | 'suspended' | 'reinstated'> = {
  activate: 'activated',
  suspend: 'suspended',
  reinstate: 'reinstated',
};

async function changeStatus(
  trx: Tx,
  config: Config,
  action: MerchantStatusAction,
  input: StatusChangeInput,
): Promise<MerchantDetail> {
  const t: MerchantsTx = trx;
  const before = await lockMerchantRow(trx, input.merchantId);
  const to = merchantTransition(before.status, action);
  if (to === undefined)
    throw new AppError(
      'merchant_status_conflict',
      `Merchant ${before.id} is ${before.status}; only a merchant that is ${statusBefore(action)} can be ${verbs[action]}.`,
      { extensions: { merchantStatus: before.status } },
    );
  if (action === 'activate') checkReady(before);
  const after = await store.updateMerchant(t, before.id, {
    status: to,
    status_reason: input.reason,
    status_changed_at: new Date(),
  });
  const actorKind = input.actor.kind === 'system' ? 'system' : 'staff';
  await store.insertStatusChange(t, {
    merchant_id: before.id,
    from_status: before.status,
    to_status: to,
    reason: input.reason,
    actor_kind: actorKind,
    actor_id: input.actor.id,
    business_date: await getBusinessDate(trx),
  });
  // The merchant hears of it on its webhooks (owner), without the reason: a staff note.
  await publishEvent(trx, {
    type: `merchants.${verbs[action]}`,
    subject: { type: 'merchant', id: before.id },
    owner: { kind: 'merchant', id: before.id },
    payload: { merchantId: before.id, fromStatus: before.status, status: to },
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: input.actor,
    action: `merchants.${verbs[action]}`,
    subject: { type: 'merchant', id: before.id },
    origin: input.origin,
    before: { status: before.status },
    after: { status: to },
    details: { reason: input.reason },
  });
  return detailOf(t, after);
}

/** What activation needs: somewhere to pay the merchant, and something for it to sell. */
function checkReady(row: store.MerchantRow): void {
  const errors: FieldError[] = [];
  if (row.settlement_account_no_enc === null)
    errors.push({ path: 'settlementAccount', message: 'is needed: the payouts of its loans go there' });
  if (row.product_codes.length === 0)
    errors.push({ path: 'productCodes', message: 'must list at least one product the merchant offers' });
  if (errors.length > 0)
    throw new AppError(
      'merchant_not_ready',
      `Merchant ${row.id} cannot be activated yet: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}.`,
      { errors },
    );
}

/** onboarding → active: it may create orders from now on. */
export function activateMerchant(trx: Tx, config: Config, input: StatusChangeInput): Promise<MerchantDetail> {
  return changeStatus(trx, config, 'activate', input);
}

/** active → suspended: no new orders (those already accepted run on). */
export function suspendMerchant(trx: Tx, config: Config, input: StatusChangeInput): Promise<MerchantDetail> {
  return changeStatus(trx, config, 'suspend', input);
}

/** suspended → active. */
export function reinstateMerchant(
  trx: Tx,
  config: Config,
  input: StatusChangeInput,
): Promise<MerchantDetail> {
  return changeStatus(trx, config, 'reinstate', input);
}

export async function merchantDetail(db: DB, id: string): Promise<MerchantDetail> {
  const row = await findMerchantRow(db, id);
  if (!row) throw notFound(id);
  return detailOf(db as MerchantsDb, row);
}

export const merchantPageMax = 200;

export async function listMerchants(
  db: DB,
  filter: store.MerchantFilter,
): Promise<{ merchants: MerchantView[]; cursor: bigint | null }> {
  const limit = Math.min(filter.limit, merchantPageMax);
  const rows = await store.listMerchants(db as MerchantsDb, { ...filter, limit });
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  return { merchants: rows.map(toView), cursor: last?.seq ?? null };
}

/**
 * The settlement account in clear, for staff holding merchants:unmask. The audit row (with the
 * reason) commits with the read, or the read is not returned.
 */
export async function unmaskSettlementAccount(
  db: DB,
  config: Config,
  input: { merchantId: string; reason: string; actor: AuditActor; origin: Origin },
): Promise<SettlementAccount & { merchantId: string }> {
  return db.transaction().execute(async (trx) => {
    const row = await findMerchantRow(trx, input.merchantId);
    if (!row) throw notFound(input.merchantId);
    const account = await decryptAccount(trx, config, row);
    if (!account) throw new AppError('not_found', `Merchant ${row.id} has no settlement account yet.`);
    await appendAudit(trx, config.secrets.auditKey, {
      actor: input.actor,
      action: 'merchants.settlement-account-unmasked',
      subject: { type: 'merchant', id: row.id },
      origin: input.origin,
      details: { reason: input.reason, fields: ['accountName', 'accountNo'] },
    });
    return { merchantId: row.id, ...account };
  });
}

// ---- The merchant's own view ----

/** The calling merchant's own record (a key whose owner is no merchant finds nothing: 404). */
export async function ownMerchantProfile(db: DB, scope: PartnerScope): Promise<MerchantProfile> {
  if (scope.kind !== 'merchant')
    throw new AppError('forbidden', "Only a merchant's API key can read a merchant profile.");
  const row = uuidPattern.test(scope.ownerId)
    ? await store.findOwnMerchant(db as MerchantsDb, scope)
    : undefined;
  if (!row) throw new AppError('not_found', 'There is no merchant for this API key.');
  return { ...toMerchant(row), scenarioLabel: scenarioLabels[row.scenario] };
}

// ---- For other modules ----

export async function merchantById(db: DB | Tx, id: string): Promise<Merchant> {
  const row = await findMerchantRow(db, id);
  if (!row) throw notFound(id);
  return toMerchant(row);
}

/**
 * The merchant, if it may create orders now: only while active. In a transaction the row is read
 * FOR SHARE, so a suspension waits for the order being made to commit, and an order made after
 * a suspension committed sees it.
 */
export async function merchantForOrders(db: DB | Tx, id: string): Promise<Merchant> {
  const row = !uuidPattern.test(id)
    ? undefined
    : db.isTransaction
      ? await store.findMerchantForShare(db as MerchantsTx, id)
      : await store.findMerchant(db as MerchantsDb, id);
  if (!row) throw notFound(id);
  if (row.status !== 'active')
    throw new AppError(
      'merchant_not_active',
      `Merchant ${row.id} is ${row.status}: it cannot create orders.`,
      {
        extensions: { merchantStatus: row.status },
      },
    );
  return toMerchant(row);
}

/** The settlement account, decrypted for the payout of a loan (payments encrypts it again in its order). */
export async function merchantSettlementAccount(
  db: DB | Tx,
  config: Config,
  id: string,
): Promise<SettlementAccount> {
  const row = await findMerchantRow(db, id);
  if (!row) throw notFound(id);
  const account = await decryptAccount(db, config, row);
  if (!account) throw new AppError('not_found', `Merchant ${row.id} has no settlement account yet.`);
  return account;
}
