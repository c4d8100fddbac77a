import { useQuery } from '@tanstack/react-query';
import { api, type Schemas, unwrap } from '../../api/client';

// The borrower's servicing reads (docs/servicing.md "Read APIs", docs/loans.md "Borrower API"),
// shared by the home, bills, repay and drawdown areas. Every figure is the API's own: the pages
// show these strings of fen as they come (formatted) and add nothing up but whole components.

export type Bill = Schemas['BorrowerBill'];
export type BillLoan = Schemas['BillLoan'];
export type Loan = Schemas['BorrowerLoan'];
export type LoanDetail = Schemas['BorrowerLoanDetail'];
export type LoanServicing = Schemas['BorrowerLoanServicing'];
export type Installment = Schemas['LoanServicingInstallment'];
export type Transaction = Schemas['BorrowerLoanTransaction'];
export type CreditLine = Schemas['BorrowerCreditLine'];
export type CatalogueProduct = Schemas['CatalogueProduct'];
export type CardAgreement = Schemas['CardAgreement'];
export type BankCard = Schemas['BankCard'];
export type Collection = Schemas['RepaymentCollection'];
export type CollectionOutcome = Schemas['RepaymentRequestOutcome'];
export type FailureReason = NonNullable<CollectionOutcome['failureReason']>;

export const keys = {
  creditLines: ['borrower', 'credit-lines'] as const,
  bill: ['borrower', 'bill'] as const,
  loans: ['borrower', 'loans'] as const,
  loan: (loanId: string) => ['borrower', 'loans', loanId] as const,
  servicing: (loanId: string) => ['borrower', 'loans', loanId, 'servicing'] as const,
  transactions: (loanId: string) => ['borrower', 'loans', loanId, 'transactions'] as const,
  payoffQuote: (loanId: string) => ['borrower', 'loans', loanId, 'payoff-quote'] as const,
  agreements: ['borrower', 'card-agreements'] as const,
  cards: (customerId: string) => ['borrower', 'customers', customerId, 'cards'] as const,
  catalogue: ['catalogue', 'products'] as const,
};

/** Every query a repayment changes: refetched once the money is applied. */
export const afterRepayment = (loanId: string) => [
  keys.bill,
  keys.loans,
  keys.creditLines,
  keys.loan(loanId),
];

export function useCreditLines() {
  return useQuery({
    queryKey: keys.creditLines,
    queryFn: () => unwrap(api.GET('/api/v1/borrower/credit-lines')),
  });
}

export function useBill() {
  return useQuery({ queryKey: keys.bill, queryFn: () => unwrap(api.GET('/api/v1/borrower/bill')) });
}

export function useLoans() {
  return useQuery({ queryKey: keys.loans, queryFn: () => unwrap(api.GET('/api/v1/borrower/loans')) });
}

export function useLoan(loanId: string) {
  return useQuery({
    queryKey: keys.loan(loanId),
    queryFn: () => unwrap(api.GET('/api/v1/borrower/loans/{loanId}', { params: { path: { loanId } } })),
  });
}

export function useServicing(loanId: string, enabled = true) {
  return useQuery({
    queryKey: keys.servicing(loanId),
    enabled,
    queryFn: () =>
      unwrap(api.GET('/api/v1/borrower/loans/{loanId}/servicing', { params: { path: { loanId } } })),
  });
}

export function fetchTransactions(loanId: string, before?: string, limit = 20) {
  return unwrap(
    api.GET('/api/v1/borrower/loans/{loanId}/transactions', {
      params: { path: { loanId }, query: { limit, ...(before === undefined ? {} : { before }) } },
    }),
  );
}

/** What became of a repayment, payoff or prepayment asked for (its payment order). */
export function fetchCollectionOutcome(loanId: string, orderNo: string) {
  return unwrap(
    api.GET('/api/v1/borrower/loans/{loanId}/repayment-requests/{orderNo}', {
      params: { path: { loanId, orderNo } },
    }),
  );
}

export function usePayoffQuote(loanId: string, enabled = true) {
  return useQuery({
    queryKey: keys.payoffQuote(loanId),
    enabled,
    // A quote is valid on its business date only: always today's when the page opens.
    staleTime: 0,
    queryFn: () =>
      unwrap(api.GET('/api/v1/borrower/loans/{loanId}/payoff-quote', { params: { path: { loanId } } })),
  });
}

export function useCatalogue() {
  return useQuery({
    queryKey: keys.catalogue,
    staleTime: 5 * 60_000,
    queryFn: () => unwrap(api.GET('/api/v1/catalogue/products')),
  });
}

/** The borrower's active card agreements (newest first, as the API lists them) with their cards. */
export function useDebitCards() {
  const agreements = useQuery({
    queryKey: keys.agreements,
    queryFn: () => unwrap(api.GET('/api/v1/borrower/card-agreements')),
  });
  const active = (agreements.data ?? []).filter((agreement) => agreement.status === 'active');
  const customerId = active[0]?.customerId;
  const cards = useQuery({
    queryKey: keys.cards(customerId ?? ''),
    enabled: customerId !== undefined,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/borrower/customers/{customerId}/cards', {
          params: { path: { customerId: customerId ?? '' } },
        }),
      ),
  });
  const list = active.map((agreement) => ({
    agreement,
    card: cards.data?.find((card) => card.id === agreement.cardId),
  }));
  return {
    isPending: agreements.isPending || (customerId !== undefined && cards.isPending),
    error: agreements.error ?? cards.error,
    refetch: () => {
      void agreements.refetch();
      void cards.refetch();
    },
    list,
  };
}

export type DebitCard = ReturnType<typeof useDebitCards>['list'][number];

/** "工商银行 (尾号 1234)" parts: the bank and the last four digits of the masked number. */
export function cardTail(card: BankCard | undefined): string {
  return card?.cardNumberMasked.slice(-4) ?? '····';
}

type Figure = 'dueMinor' | 'paidMinor' | 'waivedMinor' | 'outstandingMinor';
const parts = ['principal', 'interest', 'fee', 'penalty'] as const;

/** One figure of a schedule row's components, added up in bigint (fen). */
function sum(
  installment: Installment,
  figure: Figure,
  of: readonly (typeof parts)[number][] = parts,
): bigint {
  return of.reduce((total, part) => total + BigInt(installment[part][figure]), 0n);
}

/** What an installment bills, what was paid and what was waived, every component. */
export const billed = (installment: Installment): bigint => sum(installment, 'dueMinor');
export const paid = (installment: Installment): bigint => sum(installment, 'paidMinor');
export const waived = (installment: Installment): bigint => sum(installment, 'waivedMinor');

/** Unpaid principal, interest and fee of an installment (its penalty apart). */
export const unpaidWithoutPenalty = (installment: Installment): bigint =>
  sum(installment, 'outstandingMinor', ['principal', 'interest', 'fee']);

export const isOpenLoan = (state: Loan['state']) => state === 'active' || state === 'overdue';
