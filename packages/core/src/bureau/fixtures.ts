import { localDate } from '../date/local-date.ts';
import type { LoanFacts } from './segments.ts';

// The loan the bureau's unit tests report on (not exported from the package): a D1 loan of
// 3,000.00 over three months, 2026-01-15 → 04-15, the same the server's scenario test originates.

export const testLoan: LoanFacts = {
  acctType: 'D1',
  acctCode: 'L202601150000000001',
  mngmtOrgCode: 'B10000000000FQ',
  openDate: localDate('2026-01-15'),
  maturityDate: localDate('2026-04-15'),
  loanAmountMinor: 300_000n,
  method: 'equal_installment',
  termCount: 3,
  applyBusiDist: '310000',
  lineContractCode: null,
  lineAmountMinor: null,
};
