import { addDays, ageOn, localDate } from '@fenqi/core';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import { grantLine as creditGrantLine, lockExposure as creditLockExposure } from '../credit/service.ts';
import {
  blindIndexesOf,
  kycOf as customersKycOf,
  requireConsents as customersRequireConsents,
} from '../customers/service.ts';
import { blacklistHitsByIndex } from './blacklist/index.ts';

// What the risk module asks of the others, in one place: customers (KYC, consents, the identity a
// blacklist is matched on), credit (the exposure lock and the line an approval grants). Each is the
// other module's own service function; risk reads none of their tables.

export async function requireConsents(
  trx: Tx,
  customerId: string,
  codes: readonly string[],
  asOf: DateString,
): Promise<void> {
  await customersRequireConsents(trx, customerId, codes, asOf);
}

export async function kycOf(
  trx: Tx,
  config: Config,
  customerId: string,
): Promise<{ level: 'phone_verified' | 'real_name' | 'card_bound'; birthDate: DateString }> {
  const kyc = await customersKycOf(trx, config, customerId);
  return { level: kyc.level, birthDate: kyc.birthDate };
}

export async function lockExposure(
  trx: Tx,
  config: Config,
  customerId: string,
): Promise<{ exposureMinor: bigint; headroomMinor: bigint; linesHeld: number }> {
  const exposure = await creditLockExposure(trx, config, customerId);
  return {
    exposureMinor: exposure.exposureMinor,
    headroomMinor: exposure.headroomMinor,
    linesHeld: exposure.linesHeld,
  };
}

export async function grantLine(
  trx: Tx,
  config: Config,
  input: {
    customerId: string;
    applicationId: string;
    limitMinor: bigint;
    productCodes: string[];
    revolving: boolean;
    expiresOn: DateString;
    actor: { kind: 'staff' | 'system'; id: string };
  },
): Promise<{ id: string }> {
  return creditGrantLine(trx, config, input);
}

export async function blacklistOf(
  trx: Tx,
  customerId: string,
  deviceId: string,
  asOf: DateString,
): Promise<{ idNumber: boolean; phone: boolean; card: boolean; device: boolean }> {
  // Matched by the blind indexes customers already keeps: nothing is decrypted to look.
  const indexes = await blindIndexesOf(trx, customerId);
  const hits = await blacklistHitsByIndex(trx, { ...indexes, deviceId }, asOf);
  return { idNumber: hits.idNumber, phone: hits.phone, card: hits.card, device: hits.device };
}

export function ageOnDate(birthDate: DateString, asOf: DateString): number {
  return ageOn(localDate(birthDate), localDate(asOf));
}

export function addDaysTo(date: DateString, days: number): DateString {
  return addDays(localDate(date), days);
}
