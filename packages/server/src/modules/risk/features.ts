import type { FeatureSpec, FeatureType } from '@fenqi/core';
import { addDays, ageOn, localDate } from '@fenqi/core';
import { sql } from 'kysely';
import type { DateString } from '../../platform/tables.ts';
import type { ExternalData } from './external-data.ts';
import type { RiskTx } from './tables.ts';

// The features a credit decision reads, computed from Fenqi's own data at decision time (and the
// external data bought for it). A policy may declare any of these and no other: publishing refuses
// a policy that names a feature the platform does not compute, or computes with another type.

export const featureCatalogue = {
  age: { type: 'integer', description: 'whole years on the application date (from the resident ID)' },
  kycLevel: { type: 'string', description: 'phone_verified, real_name or card_bound' },
  cardBound: { type: 'boolean', description: 'a card agreement is active' },
  exposure: { type: 'money', description: 'fen held now across the applicant’s lines and loans' },
  capHeadroom: { type: 'money', description: 'fen left under the per-person exposure cap' },
  linesHeld: { type: 'integer', description: 'credit lines open (active or frozen)' },
  applications1d: {
    type: 'integer',
    description: 'earlier applications by the applicant on the same business date',
  },
  applications7d: {
    type: 'integer',
    description: 'earlier applications in the 7 days up to the application date',
  },
  applications30d: {
    type: 'integer',
    description: 'earlier applications in the 30 days up to the application date',
  },
  deviceSharedCustomers: { type: 'integer', description: 'other customers who applied from the same device' },
  blacklisted: {
    type: 'boolean',
    description: 'any of the ID number, phone, cards or device is on the blacklist',
  },
  blacklistIdNumber: { type: 'boolean' },
  blacklistPhone: { type: 'boolean' },
  blacklistCard: { type: 'boolean' },
  blacklistDevice: { type: 'boolean' },
  multiLendingOrgs30d: { type: 'integer', description: 'lenders applied to in 30 days (多头), external' },
  bureauScore: {
    type: 'integer',
    nullable: true,
    description: 'the bureau score, external; null without a file',
  },
  applicationDate: { type: 'date', description: 'the business date of the application' },
} as const satisfies Record<string, FeatureSpec>;

export type FeatureName = keyof typeof featureCatalogue;
export type Snapshot = Record<FeatureName, number | string | boolean | null>;

/** A policy's features the platform does not compute as declared: name → what is wrong. */
export function unknownFeatures(declared: Readonly<Record<string, FeatureSpec>>): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    const known = (featureCatalogue as Record<string, { type: FeatureType; nullable?: boolean }>)[name];
    if (!Object.hasOwn(featureCatalogue, name) || known === undefined)
      problems.push(`${name}: not a feature Fenqi computes`);
    else if (known.type !== spec.type)
      problems.push(`${name}: Fenqi computes it as ${known.type}, not ${spec.type}`);
    else if (known.nullable === true && spec.nullable !== true)
      problems.push(`${name}: may be null, so the policy must declare it nullable`);
  }
  return problems;
}

export type FeatureInputs = {
  customerId: string;
  deviceId: string;
  businessDate: DateString;
  birthDate: DateString;
  kycLevel: string;
  exposureMinor: bigint;
  headroomMinor: bigint;
  linesHeld: number;
  blacklist: { idNumber: boolean; phone: boolean; card: boolean; device: boolean };
  external: ExternalData;
};

/** The snapshot of one application: every catalogued feature, in catalogue order. */
export async function computeFeatures(trx: RiskTx, input: FeatureInputs): Promise<Snapshot> {
  const date = localDate(input.businessDate);
  const counts = await sql<{ d1: number; d7: number; d30: number; shared: number }>`
    SELECT count(*) FILTER (WHERE business_date = ${input.businessDate})::int AS d1,
           count(*) FILTER (WHERE business_date > ${addDays(date, -7)})::int AS d7,
           count(*) FILTER (WHERE business_date > ${addDays(date, -30)})::int AS d30,
           (SELECT count(DISTINCT customer_id)::int FROM risk_applications
             WHERE device_id = ${input.deviceId} AND customer_id <> ${input.customerId}) AS shared
    FROM risk_applications WHERE customer_id = ${input.customerId}`.execute(trx);
  const c = counts.rows[0] ?? { d1: 0, d7: 0, d30: 0, shared: 0 };
  const { blacklist } = input;
  return {
    age: ageOn(localDate(input.birthDate), date),
    kycLevel: input.kycLevel,
    cardBound: input.kycLevel === 'card_bound',
    exposure: String(input.exposureMinor),
    capHeadroom: String(input.headroomMinor),
    linesHeld: input.linesHeld,
    applications1d: c.d1,
    applications7d: c.d7,
    applications30d: c.d30,
    deviceSharedCustomers: c.shared,
    blacklisted: blacklist.idNumber || blacklist.phone || blacklist.card || blacklist.device,
    blacklistIdNumber: blacklist.idNumber,
    blacklistPhone: blacklist.phone,
    blacklistCard: blacklist.card,
    blacklistDevice: blacklist.device,
    multiLendingOrgs30d: input.external.multiLendingOrgs30d,
    bureauScore: input.external.bureauScore,
    applicationDate: input.businessDate,
  };
}
