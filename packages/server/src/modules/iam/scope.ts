import { AppError } from '../../platform/errors.ts';
import type { Caller } from '../../platform/http/route.ts';

// Object-level authorization (OWASP API1:2023): a borrower or partner reaches only its own rows.
// The scope is derived from the authenticated caller — never from the path, query or body — and
// is a branded type that only these functions can make. Every store function that serves a
// borrower or partner route takes the scope as a required argument and filters by it in SQL, so a
// query that forgets the owner does not type-check. A row outside the scope is "not found" (404),
// never 403: its existence is not disclosed.

declare const ownerBrand: unique symbol;

export type BorrowerScope = {
  readonly kind: 'borrower';
  readonly borrowerId: string;
  readonly [ownerBrand]: true;
};

export type PartnerScope = {
  readonly kind: 'merchant' | 'funder';
  readonly ownerId: string;
  readonly [ownerBrand]: true;
};

export function borrowerScope(caller: Caller): BorrowerScope {
  if (caller.kind !== 'borrower') throw new AppError('forbidden', 'Only a signed-in borrower can do this.');
  return { kind: 'borrower', borrowerId: caller.id } as BorrowerScope;
}

export function partnerScope(caller: Caller): PartnerScope {
  if (caller.kind !== 'merchant' && caller.kind !== 'funder') {
    throw new AppError('forbidden', 'Only a merchant or funder API client can do this.');
  }
  return { kind: caller.kind, ownerId: caller.id } as PartnerScope;
}
