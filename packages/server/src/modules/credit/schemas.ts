import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { bigintId, instant, minorUnits } from '../../platform/http/wire.ts';
import { historyPageMax, lineLimitMinorMax } from './service.ts';
import { historyKinds, lineStatuses } from './tables.ts';

// The disclosure boundary of the credit routes. A borrower sees their lines' figures and dates;
// the risk application behind a line and a freeze's reason (a staff note) are for staff only.

export const lineParams = z.strictObject({ lineId: z.uuid() });

export const customerQuery = z.strictObject({
  customerId: z.uuid().describe('The customer whose lines to list'),
});

export const historyQuery = z.strictObject({
  before: bigintId.optional().describe('The `historyCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(historyPageMax).default(50),
});

const reason = text().trim().min(1).max(500);

export const statusChangeBody = z.strictObject({
  reason: reason.describe('Why; kept in the line’s history and the audit log'),
});

// A request body stays plain JSON (a bigint codec here would reach the idempotency fingerprint,
// which hashes the parsed body): the handler reads the digits as a bigint.
export const limitAdjustmentBody = z.strictObject({
  limitMinor: text()
    .regex(/^[1-9]\d{0,11}$/, `must be 1 to ${lineLimitMinorMax} fen`)
    .describe('The new limit in fen, as a decimal string'),
  reason: reason.describe('Why; the checker sees it with the request'),
});

const figures = {
  currency: z.literal('CNY'),
  limitMinor: minorUnits,
  usedMinor: minorUnits.describe('Principal drawn and not restored'),
  reservedMinor: minorUnits.describe('Held by orders being accepted'),
  availableMinor: minorUnits.describe('limit − used − reserved'),
  revolving: z.boolean().describe('Whether repaid principal becomes available again'),
  productCodes: z.array(z.string()),
  expiresOn: z.string().describe('The last business date the line may be drawn on'),
  status: z.enum(lineStatuses),
  grantedOn: z.string(),
};

export const borrowerCreditLine = z.object({ id: z.uuid(), ...figures }).meta({ id: 'BorrowerCreditLine' });

export const creditLineView = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    applicationId: z.string().describe('The risk application whose approval granted it'),
    ...figures,
    repaidMinor: minorUnits.describe('Principal repaid on a non-revolving line (not available again)'),
    frozenReason: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'CreditLine' });

export const historyEntryView = z
  .object({
    id: bigintId,
    kind: z.enum(historyKinds),
    limitDeltaMinor: minorUnits,
    usedDeltaMinor: minorUnits,
    reservedDeltaMinor: minorUnits,
    repaidDeltaMinor: minorUnits,
    limitAfterMinor: minorUnits,
    usedAfterMinor: minorUnits,
    reservedAfterMinor: minorUnits,
    repaidAfterMinor: minorUnits,
    availableAfterMinor: minorUnits,
    statusAfter: z.enum(lineStatuses),
    sourceRef: z.string().nullable().describe('The application, reservation, repayment or approval request'),
    actor: z.object({ kind: z.enum(['staff', 'system']), id: z.string() }).nullable(),
    reason: z.string().nullable(),
    businessDate: z.string(),
    at: instant,
  })
  .meta({ id: 'CreditLineHistoryEntry' });

export const creditLineDetail = creditLineView
  .extend({ history: z.array(historyEntryView), historyCursor: bigintId.nullable() })
  .meta({ id: 'CreditLineDetail' });

export const customerCreditView = z
  .object({
    customerId: z.uuid(),
    capMinor: minorUnits.describe('CREDIT_EXPOSURE_CAP in fen'),
    exposureMinor: minorUnits.describe(
      'Limits of active and frozen lines, plus what is owed or held on expired and closed ones',
    ),
    headroomMinor: minorUnits.describe('What may still be granted'),
    linesHeld: z.number().int().describe('Active and frozen lines'),
    lines: z.array(creditLineView),
  })
  .meta({ id: 'CustomerCredit' });
