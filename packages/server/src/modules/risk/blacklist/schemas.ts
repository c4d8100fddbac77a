import { z } from 'zod';
import { text } from '../../../platform/http/text.ts';
import { bigintId, instant, isoDate } from '../../../platform/http/wire.ts';
import { importColumns, importCsvBytesMax, importRowsMax } from './csv.ts';
import { blacklistKinds, blacklistReasonCodes, deviceIdCharsMax, noteCharsMax } from './values.ts';

// The disclosure boundary of the blacklist routes: an entry's value leaves only masked (ID 3+4,
// phone 3+4, card 6+4; a device id, not personal data, as it is). Values to look for travel in
// request bodies, never in URLs.

const statuses = ['pending_add', 'active', 'pending_remove', 'removed', 'rejected', 'expired'] as const;

export const kind = z.enum(blacklistKinds).describe('id_number, phone, card or device');
export const reasonCode = z
  .enum(blacklistReasonCodes)
  .describe('A code of GET /api/v1/risk/blacklist/reasons');
const note = text().trim().min(1).max(noteCharsMax);
// Long enough for any kind (a card with separators, a device id); the kind's own rule comes after.
const value = text().trim().min(1).max(Math.max(deviceIdCharsMax, 40));

export const entryParams = z.strictObject({ entryId: bigintId });
export const importParams = z.strictObject({ importId: z.uuid() });

export const proposeBody = z.strictObject({
  kind,
  value: value.describe('The ID number, phone, card number or device id, in full'),
  reasonCode,
  note: note.optional().describe('Required with reasonCode other'),
  expiresOn: isoDate
    .optional()
    .describe('The first business date the entry no longer applies (after the current one); none: never'),
});

export const removalBody = z.strictObject({ note: note.describe('Why the entry comes off the list') });

export const importBody = z.strictObject({
  csv: text()
    .min(1)
    .refine(
      (csv) => Buffer.byteLength(csv, 'utf8') <= importCsvBytesMax,
      `must be at most ${importCsvBytesMax} bytes of UTF-8 (split the file)`,
    )
    .describe(
      `The file as CSV text (RFC 4180, UTF-8): the header ${importColumns.join(',')} and at most ${importRowsMax} lines`,
    ),
  note: note.optional(),
});

export const searchBody = z.strictObject({ kind, value });

export const listQuery = z.strictObject({
  kind: kind.optional(),
  status: z.enum(statuses).optional(),
  importId: z.uuid().optional(),
  before: bigintId.optional().describe('The `cursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const date = z.string().describe('A business date, YYYY-MM-DD');

export const entryView = z
  .object({
    id: bigintId,
    kind,
    valueMasked: z
      .string()
      .describe('ID 110***********123X, phone 138****5678, card 622202******1234; a device id in full'),
    reasonCode: z.string(),
    note: z.string().nullable(),
    source: z.enum(['manual', 'import', 'fraud_event']),
    importId: z.uuid().nullable(),
    expiresOn: date.nullable(),
    status: z.enum(statuses),
    applies: z.boolean().describe('Whether the entry applies on the current business date'),
    activeFrom: date.nullable(),
    removedOn: date.nullable(),
    proposedBy: z.uuid(),
    addApprovalId: z.uuid(),
    approvedBy: z.uuid().nullable(),
    approvedAt: instant.nullable(),
    removalNote: z.string().nullable(),
    removalRequestedBy: z.uuid().nullable(),
    removalRequestedAt: instant.nullable(),
    removalApprovalId: z.uuid().nullable(),
    removedBy: z.uuid().nullable(),
    removedAt: instant.nullable(),
    createdAt: instant,
  })
  .meta({ id: 'RiskBlacklistEntry' });

export const entryPage = z
  .object({ entries: z.array(entryView), cursor: bigintId.nullable() })
  .meta({ id: 'RiskBlacklistEntryPage' });

export const importView = z
  .object({
    id: z.uuid(),
    entryCount: z.number().int(),
    note: z.string().nullable(),
    requestedBy: z.uuid(),
    approvalRequestId: z.uuid(),
    businessDate: date,
    createdAt: instant,
  })
  .meta({ id: 'RiskBlacklistImport' });

export const reasonView = z
  .object({ code: z.string(), en: z.string(), zh: z.string() })
  .meta({ id: 'RiskBlacklistReason' });
