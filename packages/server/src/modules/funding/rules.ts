import { basisPointsTotal } from '@fenqi/core';
import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { text } from '../../platform/http/text.ts';
import { approvalAction, requestApproval } from '../iam/service.ts';
import { percent, ruleInvalid } from './problems.ts';
import * as store from './store.ts';
import { type FunderKind, type FundingDb, type FundingTx, type RuleKind, ruleKinds } from './tables.ts';

// A product's allocation rule: fixed shares (funder → basis points, summing to 10,000) or by quota
// remaining (each loan split in proportion to what is left of the listed funders' quotas, a bank
// raised to the minimum share). A rule changes by maker-checker: a staff user with funding:manage
// asks (checked now, so a checker is never asked to approve what cannot apply), a different one
// with funding:approve approves at POST /api/v1/approvals/{id}/approve, and the new version is
// written in that transaction, checked again — the funders may have changed in between.

/**
 * 2021 co-lending notice (商业银行互联网贷款管理暂行办法 补充通知): a bank co-lender funds at least
 * 30 % of each loan it co-funds. A rule may ask for more, never less.
 */
export const coLenderShareMinBp = 3000;
export const ruleFundersMax = 10;
export const productCodePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

export const setRuleAction = 'funding.set-rule';

export const productCode = text().regex(
  productCodePattern,
  'must be a product code (1 to 40 letters, digits, _ . -)',
);

const ruleFields = {
  kind: z.enum(ruleKinds).describe('`fixed`: shares as given; `quota`: by remaining quota'),
  minBankShareBp: z
    .number()
    .int()
    .min(coLenderShareMinBp)
    .max(basisPointsTotal)
    .default(coLenderShareMinBp)
    .describe('The least share a bank co-lender takes of a co-funded loan, in basis points (at least 3000)'),
  funders: z
    .array(
      z.strictObject({
        funderId: z.uuid(),
        shareBp: z
          .number()
          .int()
          .min(1)
          .max(basisPointsTotal)
          .optional()
          .describe('Basis points of each loan (fixed rules only)'),
      }),
    )
    .min(1)
    .max(ruleFundersMax)
    .describe('In order: the order breaks ties when a fen is left over'),
};

/** A rule change as the maker sends it. */
export const ruleChangeBody = z
  .strictObject({ ...ruleFields, reason: text().trim().min(1).max(500).describe('Why; the checker sees it') })
  .meta({ id: 'FundingRuleChange' });

export const setRulePayload = z
  .strictObject({ productCode, ...ruleFields, reason: text().trim().min(1).max(500) })
  .meta({ id: 'FundingRuleApproval' });

export type RuleChange = z.output<typeof ruleChangeBody>;
type RuleDefinition = Pick<RuleChange, 'kind' | 'minBankShareBp' | 'funders'>;

export type RuleFunder = {
  funderId: string;
  funderCode: string;
  funderKind: FunderKind;
  shareBp: number | null;
};

export type FundingRule = {
  productCode: string;
  version: number;
  kind: RuleKind;
  minBankShareBp: number;
  funders: RuleFunder[];
  reason: string;
  approvalRequestId: string;
  makerId: string;
  checkerId: string;
  createdAt: Date;
};

/** What is wrong with a rule, field by field (paths as in the request body). */
export async function ruleErrors(db: DB | Tx, rule: RuleDefinition): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const at = (path: string, message: string): void => {
    errors.push({ in: 'body', path, message });
  };
  const ids = rule.funders.map((f) => f.funderId);
  const rows = new Map((await store.findFunders(db as FundingDb, [...new Set(ids)])).map((r) => [r.id, r]));
  const coFunded = rule.funders.length > 1;
  rule.funders.forEach((entry, index) => {
    const path = `funders.${index}`;
    if (ids.indexOf(entry.funderId) !== index) at(`${path}.funderId`, 'lists a funder twice');
    const funder = rows.get(entry.funderId);
    if (!funder) {
      at(`${path}.funderId`, 'names no funder');
      return;
    }
    if (funder.status !== 'active') at(`${path}.funderId`, `${funder.code} is suspended`);
    if (rule.kind === 'fixed') {
      if (entry.shareBp === undefined) at(`${path}.shareBp`, 'a fixed rule gives every funder a share');
      else if (funder.kind === 'bank' && coFunded && entry.shareBp < rule.minBankShareBp)
        at(
          `${path}.shareBp`,
          `${funder.code} is a bank co-lender: ${percent(entry.shareBp)} is below the ${percent(rule.minBankShareBp)} it must fund of each loan it co-funds (2021 co-lending notice)`,
        );
    } else {
      if (entry.shareBp !== undefined)
        at(`${path}.shareBp`, 'a by-quota rule takes no shares: they follow the remaining quotas');
      if (funder.quota_minor === null)
        at(`${path}.funderId`, `${funder.code} is unlimited: a by-quota rule splits by remaining quota`);
    }
  });
  if (rule.kind === 'fixed' && rule.funders.every((f) => f.shareBp !== undefined)) {
    const sum = rule.funders.reduce((total, f) => total + (f.shareBp ?? 0), 0);
    if (sum !== basisPointsTotal)
      at('funders', `the shares sum to ${sum} bp; they must sum to ${basisPointsTotal}`);
  }
  if (rule.kind === 'quota') {
    const banks = rule.funders.filter((f) => rows.get(f.funderId)?.kind === 'bank').length;
    if (banks > 1 && banks * rule.minBankShareBp > basisPointsTotal)
      at(
        'minBankShareBp',
        `${banks} bank co-lenders at ${percent(rule.minBankShareBp)} each need more than the whole loan`,
      );
  }
  return errors;
}

async function checkRule(db: DB | Tx, code: string, rule: RuleDefinition): Promise<void> {
  const errors = await ruleErrors(db, rule);
  if (errors.length > 0) throw ruleInvalid(code, errors);
}

export const setRuleApproval = approvalAction({
  name: setRuleAction,
  summary: 'Set the funding allocation rule of a product',
  makerPermission: 'funding:manage',
  checkerPermission: 'funding:approve',
  payload: setRulePayload,
  execute: async (trx, payload, context) => {
    await checkRule(trx, payload.productCode, payload);
    const t: FundingTx = trx;
    const row = await store.insertRuleVersion(t, {
      product_code: payload.productCode,
      kind: payload.kind,
      min_bank_share_bp: payload.minBankShareBp,
      funders: JSON.stringify(
        payload.funders.map((f) => (f.shareBp === undefined ? { funderId: f.funderId } : f)),
      ),
      reason: payload.reason,
      approval_request_id: context.requestId,
      maker_id: context.makerId,
      checker_id: context.checkerId,
    });
    return { productCode: row.product_code, version: row.version };
  },
});

/** Asks for a new rule for a product (the maker's step); refused with field errors, writing nothing. */
export async function requestRuleChange(
  trx: Tx,
  config: Config,
  input: {
    productCode: string;
    rule: RuleChange;
    maker: { userId: string; permissions: ReadonlySet<string> };
    origin: Origin;
  },
) {
  await checkRule(trx, input.productCode, input.rule);
  return requestApproval(trx, config, {
    action: setRuleApproval,
    payload: { productCode: input.productCode, ...input.rule },
    reason: input.rule.reason,
    maker: input.maker,
    origin: input.origin,
  });
}

async function toRules(db: DB | Tx, rows: readonly store.RuleVersionRow[]): Promise<FundingRule[]> {
  const ids = [...new Set(rows.flatMap((row) => row.funders.map((f) => f.funderId)))];
  const funders = new Map((await store.findFunders(db as FundingDb, ids)).map((r) => [r.id, r]));
  return rows.map((row) => ({
    productCode: row.product_code,
    version: row.version,
    kind: row.kind,
    minBankShareBp: row.min_bank_share_bp,
    funders: row.funders.map((f) => {
      const funder = funders.get(f.funderId);
      if (!funder) throw new Error(`rule ${row.product_code} v${row.version} names a missing funder`);
      return {
        funderId: f.funderId,
        funderCode: funder.code,
        funderKind: funder.kind,
        shareBp: f.shareBp ?? null,
      };
    }),
    reason: row.reason,
    approvalRequestId: row.approval_request_id,
    makerId: row.maker_id,
    checkerId: row.checker_id,
    createdAt: row.created_at,
  }));
}

/** Every product's rule in force. */
export async function listRules(db: DB | Tx): Promise<FundingRule[]> {
  return toRules(db, await store.currentRules(db as FundingDb));
}

/** A product's rule versions, the one in force first; empty when it has none (100 % own funds). */
export async function ruleHistory(db: DB | Tx, code: string): Promise<FundingRule[]> {
  return toRules(db, await store.ruleVersions(db as FundingDb, code));
}
