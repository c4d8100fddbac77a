import type { Insertable, Selectable } from 'kysely';
import type { BorrowerScope } from '../../iam/service.ts';
import type { AgreementVersionTable, ConsentTable, CustomersDb, CustomersTx } from '../tables.ts';

// The SQL of agreements and consents. A consent row is never changed (a trigger refuses it); the
// catalogue changes only by migration.

export type AgreementVersionRow = Selectable<AgreementVersionTable>;
export type ConsentRow = Selectable<ConsentTable>;

/** The current (highest) version of every agreement, in code order. */
export async function currentAgreements(db: CustomersDb): Promise<AgreementVersionRow[]> {
  return db
    .selectFrom('customer_agreement_versions')
    .selectAll()
    .distinctOn('code')
    .orderBy('code')
    .orderBy('version', 'desc')
    .execute();
}

export async function agreementVersion(
  db: CustomersDb,
  code: string,
  version: number,
): Promise<AgreementVersionRow | undefined> {
  return db
    .selectFrom('customer_agreement_versions')
    .selectAll()
    .where('code', '=', code)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function insertConsent(trx: CustomersTx, row: Insertable<ConsentTable>): Promise<ConsentRow> {
  return trx.insertInto('customer_consents').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The signed-in borrower's acceptances, newest first (optionally of some agreements only). */
export async function ownConsents(
  db: CustomersDb,
  scope: BorrowerScope,
  codes?: readonly string[],
): Promise<ConsentRow[]> {
  let query = db.selectFrom('customer_consents').selectAll().where('borrower_id', '=', scope.borrowerId);
  if (codes !== undefined) query = query.where('code', 'in', [...codes]);
  return query.orderBy('accepted_at', 'desc').orderBy('id').execute();
}

/** The acceptances of a customer's borrower, newest first (staff views, other modules' checks). */
export async function consentsOfCustomer(
  db: CustomersDb,
  customerId: string,
  codes?: readonly string[],
): Promise<ConsentRow[]> {
  let query = db
    .selectFrom('customer_consents as c')
    .innerJoin('customers as cu', 'cu.borrower_id', 'c.borrower_id')
    .selectAll('c')
    .where('cu.id', '=', customerId);
  if (codes !== undefined) query = query.where('c.code', 'in', [...codes]);
  return query.orderBy('c.accepted_at', 'desc').orderBy('c.id').execute();
}
