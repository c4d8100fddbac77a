// The amounts of a schedule before dates and fees are attached. Two representations of the same
// thing: bigint for the general (reference) engine, and safe-integer Numbers for the fast kernels,
// which property tests hold equal to the reference on random loans.

export interface Amounts {
  /** The regular payment (principal + interest), or undefined when the method has none. */
  readonly paymentMinor: bigint | undefined;
  readonly principalMinor: readonly bigint[];
  readonly interestMinor: readonly bigint[];
}

export interface SafeAmounts {
  readonly paymentMinor: number;
  readonly principalMinor: number[];
  readonly interestMinor: number[];
  /** Outstanding principal after each installment. */
  readonly balanceMinor: number[];
}

export type RemainderPolicy = 'last_principal' | 'last_interest';
