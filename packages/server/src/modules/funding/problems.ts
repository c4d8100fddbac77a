import { CNY, formatMinor } from '@fenqi/core';
import { AppError, type FieldError } from '../../platform/errors.ts';

// The funding module's expected failures, each a catalogued code (platform/errors.ts, "Funding").
// Figures travel in `extensions` as decimal strings of fen, and in the detail as yuan.

export const cny = (minor: bigint) => `${formatMinor(minor, CNY.minorDigits)} CNY`;
export const percent = (bp: number) => `${(bp / 100).toFixed(2)} %`;

export function funderNotFound(id: string): AppError {
  return new AppError('not_found', `There is no funder ${id}.`);
}

export function invalidInput(what: string, errors: FieldError[]): AppError {
  return new AppError(
    'validation_failed',
    `The ${what} is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

export function ruleInvalid(productCode: string, errors: FieldError[]): AppError {
  return new AppError(
    'funding_rule_invalid',
    `The funding rule for ${productCode} is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    { errors },
  );
}

export function funderCodeTaken(code: string): AppError {
  return new AppError('funder_code_taken', `A funder with code ${code} already exists.`);
}

export function quotaBelowUsed(funder: { code: string; used_minor: bigint }, quotaMinor: bigint): AppError {
  return new AppError(
    'funding_quota_below_used',
    `Funder ${funder.code}'s loans use ${cny(funder.used_minor)}; its quota cannot go down to ${cny(quotaMinor)}.`,
    { extensions: { usedMinor: String(funder.used_minor), requestedQuotaMinor: String(quotaMinor) } },
  );
}

export function funderSuspended(funder: { id: string; code: string }, productCode: string): AppError {
  return new AppError(
    'funder_suspended',
    `Funder ${funder.code} of the funding rule for ${productCode} is suspended: the loan cannot be funded by the rule.`,
    { extensions: { funderId: funder.id, funderCode: funder.code } },
  );
}

export function quotaExhausted(
  funder: { id: string; code: string } | undefined,
  figures: { remainingMinor: bigint; requestedMinor: bigint },
  productCode: string,
): AppError {
  const who =
    funder === undefined ? `The funders of the rule for ${productCode} have` : `Funder ${funder.code} has`;
  return new AppError(
    'funding_quota_exhausted',
    `${who} ${cny(figures.remainingMinor)} of quota left; the loan needs ${cny(figures.requestedMinor)} of it.`,
    {
      extensions: {
        ...(funder === undefined ? {} : { funderId: funder.id, funderCode: funder.code }),
        remainingMinor: String(figures.remainingMinor),
        requestedMinor: String(figures.requestedMinor),
      },
    },
  );
}

export function coLenderShareTooLow(
  funder: { id: string; code: string },
  shareBp: number,
  minimumBp: number,
): AppError {
  return new AppError(
    'funding_co_lender_share_too_low',
    `Bank co-lender ${funder.code} would fund ${percent(shareBp)} of this co-funded loan; a bank co-lender funds at least ${percent(minimumBp)} of each loan it co-funds (2021 co-lending notice).`,
    { extensions: { funderId: funder.id, funderCode: funder.code, shareBp, minimumShareBp: minimumBp } },
  );
}

export function allocationConflict(loanId: string, why: string): AppError {
  return new AppError('funding_allocation_conflict', `Loan ${loanId} ${why}.`);
}

export function notCustodial(funder: { code: string; kind: string }): AppError {
  return new AppError(
    'funder_not_custodial',
    `Funder ${funder.code} is ${funder.kind === 'own' ? 'the own funds' : 'a bank co-lender'}: only an investor pool's money is held at a custody bank.`,
  );
}

export function custodyAccountConflict(accountRef: string): AppError {
  return new AppError(
    'custody_account_conflict',
    `Custody sub-account ${accountRef}, or its holder, is already registered with other details.`,
  );
}

export function instructionConflict(instructionId: string): AppError {
  return new AppError(
    'custody_instruction_conflict',
    `Custody instruction ${instructionId} was already recorded with other content.`,
  );
}

export function insufficientBalance(
  accountRef: string,
  balanceMinor: bigint,
  requestedMinor: bigint,
): AppError {
  return new AppError(
    'custody_insufficient_balance',
    `Custody sub-account ${accountRef} holds ${cny(balanceMinor)}; ${cny(requestedMinor)} cannot leave it.`,
    { extensions: { balanceMinor: String(balanceMinor), requestedMinor: String(requestedMinor) } },
  );
}
