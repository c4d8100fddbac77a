import { z } from 'zod';
import { text } from '../../../platform/http/text.ts';
import { instant, isoDate } from '../../../platform/http/wire.ts';

export const acceptBody = z.strictObject({
  code: text()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be an agreement code such as privacy_policy')
    .describe('The agreement, e.g. credit_bureau_query'),
  version: z.number().int().min(1).max(9999).describe('The version the borrower read: the current one'),
  deviceId: text()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1 to 128 of A-Z a-z 0-9 . _ : -')
    .describe('The app’s or H5 page’s stable device identifier, kept with the acceptance as evidence'),
});

export const consentView = z
  .object({
    id: z.uuid(),
    code: z.string(),
    version: z.number().int(),
    acceptedAt: instant,
    acceptedOn: isoDate.describe('The business date of the acceptance'),
    expiresOn: isoDate
      .nullable()
      .describe('The first business date it no longer counts; null: until a new version'),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    deviceId: z.string(),
  })
  .meta({ id: 'Consent' });

export const agreementView = z
  .object({
    code: z.string(),
    version: z.number().int().describe('The current version: the one to accept'),
    titleZh: z.string(),
    titleEn: z.string(),
    validityDays: z
      .number()
      .int()
      .nullable()
      .describe('How long an acceptance counts; null: until a new version'),
    status: z
      .enum(['current', 'missing', 'expired', 'superseded'])
      .describe(
        'current: accepted and counting; missing: never accepted; expired; superseded: an older version was accepted',
      ),
    acceptance: consentView.nullable(),
  })
  .meta({ id: 'AgreementStatus' });
