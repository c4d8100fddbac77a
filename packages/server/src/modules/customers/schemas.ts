import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant } from '../../platform/http/wire.ts';
import { kycLevels } from './tables.ts';
import { isBankCardNumber, isResidentIdNumberForm } from './validation.ts';

// The disclosure boundary of the customers routes: responses list masked fields only, except the
// one unmasked view (customers:unmask, audited).

/** A resident ID number to look up: its form and check character (a typo finds nobody). */
export const idNumber = text()
  .trim()
  .toUpperCase()
  .refine(
    isResidentIdNumberForm,
    'must be an 18-character resident ID number with a matching check character',
  );
export const phone = text()
  .trim()
  .regex(/^1[3-9]\d{9}$/, 'must be a mainland China mobile number of 11 digits');
export const cardNumber = text()
  .max(40)
  .transform((value) => value.replace(/[\s-]/g, ''))
  .refine(isBankCardNumber, 'must be 16 to 19 digits');

// Registration checks the ID number against the business date in the service (birth date not
// in the future), so the schema only bounds the text; every ID failure then has one shape.
export const registerCustomerBody = z.strictObject({
  name: text().trim().min(1).max(50),
  idNumber: text()
    .trim()
    .toUpperCase()
    .max(40, 'must be 18 characters: 17 digits and a check character (0-9 or X)')
    .describe('The 18-character resident ID number (GB 11643)'),
});

export const bindCardBody = z.strictObject({
  cardNumber,
  bankName: text().trim().min(1).max(60).optional(),
  reservedPhone: phone
    .optional()
    .describe('The phone the bank holds for the card (银行预留手机号); the sign-in phone when left out'),
});

export const kycView = z
  .object({
    level: z.enum(kycLevels).describe('phone_verified → real_name → card_bound (docs/kyc.md)'),
    phoneVerifiedAt: instant,
    realNameAt: instant.nullable(),
    cardBoundAt: instant.nullable().describe('Since when a card agreement has been active; null: none is'),
  })
  .meta({ id: 'Kyc' });

export const customerMasked = z
  .object({
    id: z.uuid(),
    nameMasked: z.string().describe('Family name initial only: 张**'),
    idNumberMasked: z.string().describe('ID number, first 3 and last 4: 110***********123X'),
    phoneMasked: z.string().describe('Phone, first 3 and last 4: 138****5678'),
    kyc: kycView,
    createdAt: instant,
  })
  .meta({ id: 'Customer' });

export const cardMasked = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    cardNumberMasked: z.string().describe('Card number, first 6 and last 4: 622202******1234'),
    bankName: z.string().nullable(),
    reservedPhoneMasked: z
      .string()
      .nullable()
      .describe('The bank-reserved phone, first 3 and last 4; null when it is the sign-in phone'),
    createdAt: instant,
  })
  .meta({ id: 'BankCard' });

export const customerDetail = customerMasked
  .extend({ cards: z.array(cardMasked) })
  .meta({ id: 'CustomerDetail' });

export const customerUnmasked = z
  .object({
    id: z.uuid(),
    name: z.string(),
    idNumber: z.string(),
    phone: z.string(),
    cards: z.array(z.object({ id: z.uuid(), cardNumber: z.string(), bankName: z.string().nullable() })),
  })
  .meta({ id: 'CustomerUnmasked' });

export const searchBody = z
  .strictObject({ phone: phone.optional(), idNumber: idNumber.optional(), cardNumber: cardNumber.optional() })
  .refine((by) => [by.phone, by.idNumber, by.cardNumber].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of phone, idNumber, cardNumber',
  });

export const unmaskQuery = z.strictObject({
  reason: text().trim().min(4, 'say why (at least 4 characters); it is recorded in the audit log').max(200),
});
