import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Caller } from '../../platform/http/route.ts';
import type { CollectionsDb } from './tables.ts';

// Who sees which cases. In-house staff see every case their permissions allow; a member of an
// outsourced agency sees only the cases assigned to that agency — through the platform, scoped in
// SQL like a merchant's own rows (modules/iam/scope.ts): a case outside the scope is "not found",
// never "forbidden", and agency members get no management routes and no export. The scope is
// derived from the authenticated caller and is a branded type only this file makes, so every
// store function serving a route must be given one.

declare const scopeBrand: unique symbol;

export type CollectionsScope =
  | { readonly kind: 'staff'; readonly userId: string; readonly [scopeBrand]: true }
  | {
      readonly kind: 'agency';
      readonly userId: string;
      readonly agencyId: string;
      readonly [scopeBrand]: true;
    };

const c = (db: DB | Tx) => db as unknown as CollectionsDb;

export async function collectionsScope(db: DB | Tx, caller: Caller): Promise<CollectionsScope> {
  if (caller.kind !== 'staff') throw new AppError('forbidden', 'Only staff can work collections.');
  const member = await c(db)
    .selectFrom('collections_agency_members')
    .select('agency_id')
    .where('staff_user_id', '=', caller.id)
    .executeTakeFirst();
  return (
    member === undefined
      ? { kind: 'staff', userId: caller.id }
      : { kind: 'agency', userId: caller.id, agencyId: member.agency_id }
  ) as CollectionsScope;
}

/** The scope of the collections system itself (a strategy's automated steps): in-house, every case. */
export function systemScope(id: string): CollectionsScope {
  return { kind: 'staff', userId: id } as CollectionsScope;
}

/** Management (strategies, agencies, queues, assignment) is in-house only. */
export async function inHouseScope(db: DB | Tx, caller: Caller): Promise<CollectionsScope> {
  const scope = await collectionsScope(db, caller);
  if (scope.kind === 'agency')
    throw new AppError('forbidden', 'Agency staff work their assigned cases only; this is in-house.');
  return scope;
}

/** The page size a list may ask for: agencies see a working page, never a bulk download. */
export function pageLimitFor(scope: CollectionsScope): number {
  return scope.kind === 'agency' ? 20 : 100;
}
