import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { bigintId, instant, isoDate, minorUnits } from '../../platform/http/wire.ts';
import { funderCodePattern, productCode, quotaMinorMax, ruleChangeBody } from './service.ts';
import {
  custodyHolderKinds,
  custodyInstructionKinds,
  funderKinds,
  funderStatuses,
  ruleKinds,
} from './tables.ts';

// The disclosure boundary of the funding routes. Staff see funders, rules, loans' shares, custody
// sub-accounts and statements; a funder sees its own statement only.

export { ruleChangeBody };

export const funderParams = z.strictObject({ funderId: z.uuid() });
export const productParams = z.strictObject({ productCode });
export const loanParams = z.strictObject({ loanId: z.uuid() });
export const statementParams = z.strictObject({ funderId: z.uuid(), date: isoDate });
export const ownStatementParams = z.strictObject({ date: isoDate });

// Request bodies stay plain JSON (the idempotency fingerprint hashes the parsed body): handlers
// read the digit strings as bigints.
const quotaText = text()
  .regex(/^\d{1,15}$/, `must be 0 to ${quotaMinorMax} fen`)
  .describe('Total principal the funder will fund, in fen, as a decimal string');
const name = text().trim().min(1).max(200);

export const createFunderBody = z
  .strictObject({
    code: text().regex(funderCodePattern, `must match ${funderCodePattern.source}`).describe('e.g. BANK_A'),
    name,
    kind: z.enum(['bank', 'investor_pool']).describe('The own funds (OWN) exist already'),
    quotaMinor: quotaText,
    custodyBankName: name.optional().describe('The bank holding an investor pool’s money (资金存管)'),
  })
  .meta({ id: 'NewFunder' });

export const changeFunderBody = z
  .strictObject({
    name: name.optional(),
    quotaMinor: quotaText.optional().describe('Not below what the funder’s loans use'),
    status: z.enum(funderStatuses).optional().describe('A suspended funder funds no new loans'),
    custodyBankName: name.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'change at least one field')
  .meta({ id: 'FunderChange' });

export const funderView = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    kind: z.enum(funderKinds),
    quotaMinor: minorUnits.nullable().describe('null: unlimited (the own funds), and not counted'),
    usedMinor: minorUnits.nullable().describe('Principal its allocated loans hold of the quota'),
    remainingMinor: minorUnits.nullable(),
    status: z.enum(funderStatuses),
    custodyBankName: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Funder' });

export const ruleView = z
  .object({
    productCode: z.string(),
    version: z.number().int(),
    kind: z.enum(ruleKinds),
    minBankShareBp: z.number().int(),
    funders: z.array(
      z.object({
        funderId: z.uuid(),
        funderCode: z.string(),
        funderKind: z.enum(funderKinds),
        shareBp: z.number().int().nullable().describe('null in a by-quota rule'),
      }),
    ),
    reason: z.string(),
    approvalRequestId: z.uuid(),
    makerId: z.string(),
    checkerId: z.string(),
    createdAt: instant,
  })
  .meta({ id: 'FundingRule' });

export const ruleHistoryView = z
  .object({ productCode: z.string(), versions: z.array(ruleView).describe('The rule in force first') })
  .meta({ id: 'FundingRuleHistory' });

export const loanShareView = z
  .object({
    funderId: z.uuid(),
    funderCode: z.string(),
    funderKind: z.enum(funderKinds),
    shareBp: z.number().int(),
    principalMinor: minorUnits,
  })
  .meta({ id: 'LoanShare' });

export const loanSharesView = z
  .object({ loanId: z.uuid(), shares: z.array(loanShareView) })
  .meta({ id: 'LoanShares' });

const figures = {
  principalFundedMinor: minorUnits,
  principalRepaidMinor: minorUnits,
  principalOtherMinor: minorUnits.describe('Refunds, write-offs and reversals: net principal reduction'),
  interestMinor: minorUnits.describe('Collected on repayments'),
  feeMinor: minorUnits,
  penaltyMinor: minorUnits,
};

export const statementView = z
  .object({
    funder: z.object({ id: z.uuid(), code: z.string(), name: z.string(), kind: z.enum(funderKinds) }),
    businessDate: z.string(),
    rows: z.array(z.object({ loanId: z.string().nullable(), ...figures })),
    totals: z.object(figures),
  })
  .meta({ id: 'FunderStatement' });

export const statementCsvView = z
  .object({
    fileName: z.string(),
    contentType: z.literal('text/csv; charset=utf-8'),
    csv: z.string().describe('RFC 4180, CRLF line ends, amounts in yuan; the last line is TOTAL'),
  })
  .meta({ id: 'FunderStatementCsv' });

export const custodyAccountBody = z
  .strictObject({
    holderKind: z.enum(custodyHolderKinds),
    holderRef: text()
      .trim()
      .min(1)
      .max(64)
      .describe('A lender: the custody bank’s lender id; a borrower: the customer id'),
    accountRef: text()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'must be 1 to 40 letters, digits, _ or -')
      .describe('The custody bank’s identifier of the sub-account'),
  })
  .meta({ id: 'NewCustodyAccount' });

export const custodyAccountView = z
  .object({
    id: z.uuid(),
    funderId: z.uuid(),
    holderKind: z.enum(custodyHolderKinds),
    holderRef: z.string(),
    accountRef: z.string(),
    balanceMinor: minorUnits,
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'CustodyAccount' });

export const custodyPositionView = z
  .object({
    funderId: z.uuid(),
    accounts: z.array(custodyAccountView),
    subAccountsMinor: minorUnits,
    ledgerMinor: minorUnits.describe('1002.02 for the pool, from the ledger'),
    agrees: z.boolean(),
  })
  .meta({ id: 'CustodyPosition' });

const ref = text().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'must be a sub-account reference');
const instructionFields = {
  instructionId: text()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1 to 64 letters, digits, _ . : or -')
    .describe('The custody bank’s own id of the instruction: unique per pool'),
  amountMinor: text().regex(/^[1-9]\d{0,14}$/, 'must be 1 to 999999999999999 fen'),
  loanId: z.uuid().optional().describe('The loan the money is for, if any'),
};

export const instructionBody = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('deposit'), ...instructionFields, to: ref }),
    z.strictObject({ kind: z.literal('withdrawal'), ...instructionFields, from: ref }),
    z.strictObject({ kind: z.literal('transfer'), ...instructionFields, from: ref, to: ref }),
  ])
  .meta({ id: 'CustodyInstruction' });

export const instructionView = z
  .object({
    id: z.uuid(),
    funderId: z.uuid(),
    instructionId: z.string(),
    kind: z.enum(custodyInstructionKinds),
    amountMinor: minorUnits,
    from: z.string().nullable(),
    to: z.string().nullable(),
    loanId: z.string().nullable(),
    journalEntryId: bigintId.nullable().describe('The entry on 1002.02; null for a transfer'),
    businessDate: z.string(),
    recordedBy: z.object({ kind: z.enum(['funder', 'staff']), id: z.string() }),
    createdAt: instant,
    replayed: z.boolean().describe('The bank sent this instruction before: nothing changed now'),
  })
  .meta({ id: 'CustodyInstructionResult' });
