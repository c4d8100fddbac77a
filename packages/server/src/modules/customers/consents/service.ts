import { randomUUID } from 'node:crypto';
import { addDays, parseLocalDate } from '@fenqi/core';
import { getBusinessDate } from '../../../platform/business-date.ts';
import type { DB, Tx } from '../../../platform/db.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Origin } from '../../../platform/http/origin.ts';
import type { DateString } from '../../../platform/tables.ts';
import type { BorrowerScope } from '../../iam/service.ts';
import * as customers from '../store.ts';
import * as store from './store.ts';

// Consents (docs/kyc.md): a borrower accepts the current version of an agreement, and the
// acceptance is kept as evidence — when (instant and business date), from where (IP, user agent)
// and on which device. An acceptance counts while its version is the current one and, for an
// agreement with a validity (the credit bureau authorisation: 365 days), until it expires. Other
// modules ask requireConsents before the act a consent authorises.

export type ConsentStatus = 'current' | 'missing' | 'expired' | 'superseded';

export type Consent = {
  id: string;
  code: string;
  version: number;
  acceptedAt: Date;
  acceptedOn: DateString;
  expiresOn: DateString | null;
  ip: string | null;
  userAgent: string | null;
  deviceId: string;
};

export type AgreementWithStatus = {
  code: string;
  version: number;
  titleZh: string;
  titleEn: string;
  validityDays: number | null;
  status: ConsentStatus;
  /** The acceptance the status is about: the counting one, else the latest. */
  acceptance: Consent | null;
};

function toConsent(row: store.ConsentRow): Consent {
  return {
    id: row.id,
    code: row.code,
    version: row.version,
    acceptedAt: row.accepted_at,
    acceptedOn: row.accepted_on,
    expiresOn: row.expires_on,
    ip: row.ip,
    userAgent: row.user_agent,
    deviceId: row.device_id,
  };
}

/** Where one agreement stands for a borrower, from their acceptances of it (newest first). */
function standing(
  current: store.AgreementVersionRow,
  acceptances: readonly store.ConsentRow[],
  asOf: DateString,
): { status: ConsentStatus; acceptance: store.ConsentRow | null } {
  const ofCurrent = acceptances.filter((row) => row.version === current.version);
  const counting = ofCurrent.find((row) => row.expires_on === null || asOf < row.expires_on);
  if (counting) return { status: 'current', acceptance: counting };
  if (ofCurrent[0]) return { status: 'expired', acceptance: ofCurrent[0] };
  if (acceptances[0]) return { status: 'superseded', acceptance: acceptances[0] };
  return { status: 'missing', acceptance: null };
}

function withStatus(
  agreements: readonly store.AgreementVersionRow[],
  acceptances: readonly store.ConsentRow[],
  asOf: DateString,
): AgreementWithStatus[] {
  return agreements.map((agreement) => {
    const { status, acceptance } = standing(
      agreement,
      acceptances.filter((row) => row.code === agreement.code),
      asOf,
    );
    return {
      code: agreement.code,
      version: agreement.version,
      titleZh: agreement.title_zh,
      titleEn: agreement.title_en,
      validityDays: agreement.validity_days,
      status,
      acceptance: acceptance && toConsent(acceptance),
    };
  });
}

/** Every agreement's current version, and whether the borrower's acceptance of it counts today. */
export async function agreementsFor(db: DB, scope: BorrowerScope): Promise<AgreementWithStatus[]> {
  const asOf = await getBusinessDate(db);
  return withStatus(await store.currentAgreements(db), await store.ownConsents(db, scope), asOf);
}

export async function acceptAgreement(
  trx: Tx,
  scope: BorrowerScope,
  input: { code: string; version: number; deviceId: string; origin: Origin },
): Promise<Consent> {
  const current = (await store.currentAgreements(trx)).find((row) => row.code === input.code);
  if (!current) {
    throw new AppError(
      'validation_failed',
      `The body is not valid: code: there is no agreement ${input.code}`,
      {
        errors: [
          {
            in: 'body',
            path: 'code',
            message: `there is no agreement ${input.code}`,
            code: 'agreement_unknown',
          },
        ],
      },
    );
  }
  if (input.version !== current.version) {
    throw new AppError(
      'consent_version_not_current',
      `${current.code} is at version ${current.version}; version ${input.version} cannot be accepted. Read and accept version ${current.version}.`,
      {
        errors: [{ in: 'body', path: 'version', message: `must be ${current.version}, the current version` }],
        extensions: { currentVersion: current.version },
      },
    );
  }
  const acceptedOn = parseLocalDate(await getBusinessDate(trx));
  if (acceptedOn === undefined) throw new Error('the business date is not a date');
  const row = await store.insertConsent(trx, {
    id: randomUUID(),
    borrower_id: scope.borrowerId,
    code: current.code,
    version: current.version,
    accepted_on: acceptedOn,
    expires_on: current.validity_days === null ? null : addDays(acceptedOn, current.validity_days),
    ip: input.origin.ip || null,
    user_agent: input.origin.userAgent || null,
    device_id: input.deviceId,
  });
  return toConsent(row);
}

export async function ownConsents(db: DB, scope: BorrowerScope): Promise<Consent[]> {
  return (await store.ownConsents(db, scope)).map(toConsent);
}

export async function consentsOfCustomer(db: DB, customerId: string): Promise<Consent[]> {
  if (!(await customers.findCustomer(db, customerId)))
    throw new AppError('not_found', `There is no customer ${customerId}.`);
  return (await store.consentsOfCustomer(db, customerId)).map(toConsent);
}

export type MissingConsent = {
  code: string;
  /** The version to accept. */
  version: number;
  reason: 'missing' | 'expired' | 'superseded';
  titleZh: string;
  titleEn: string;
  /** For `superseded`: the version last accepted. */
  acceptedVersion?: number;
  /** For `expired`: the first business date it no longer counted. */
  expiredOn?: DateString;
};

function why(missing: MissingConsent): string {
  if (missing.reason === 'expired') return `expired on ${missing.expiredOn}`;
  if (missing.reason === 'superseded') return `version ${missing.acceptedVersion} was accepted`;
  return 'not accepted';
}

/**
 * Throws consent_required (409) unless the customer's borrower holds a counting acceptance of the
 * current version of every agreement in `codes` on the business date `asOf`; the problem names
 * each one that is missing, expired or superseded. A code the catalogue does not have is a bug.
 */
export async function requireConsents(
  db: DB | Tx,
  customerId: string,
  codes: readonly string[],
  asOf: DateString,
): Promise<void> {
  if (codes.length === 0) return;
  const agreements = (await store.currentAgreements(db)).filter((row) => codes.includes(row.code));
  const unknown = codes.filter((code) => !agreements.some((row) => row.code === code));
  if (unknown.length > 0)
    throw new Error(`requireConsents: no agreement ${unknown.join(', ')} in the catalogue`);
  if (!(await customers.findCustomer(db, customerId)))
    throw new AppError('not_found', `There is no customer ${customerId}.`);
  const missing = withStatus(agreements, await store.consentsOfCustomer(db, customerId, codes), asOf).flatMap(
    (agreement): MissingConsent[] => {
      if (agreement.status === 'current') return [];
      const base = {
        code: agreement.code,
        version: agreement.version,
        reason: agreement.status,
        titleZh: agreement.titleZh,
        titleEn: agreement.titleEn,
      };
      if (agreement.status === 'expired' && agreement.acceptance?.expiresOn)
        return [{ ...base, expiredOn: agreement.acceptance.expiresOn }];
      if (agreement.status === 'superseded' && agreement.acceptance)
        return [{ ...base, acceptedVersion: agreement.acceptance.version }];
      return [base];
    },
  );
  if (missing.length === 0) return;
  throw new AppError(
    'consent_required',
    `Accept the current version of: ${missing.map((m) => `${m.code} version ${m.version} (${why(m)})`).join('; ')}.`,
    { extensions: { consents: missing } },
  );
}
