// The funding module's public service: what other modules call (import from here, not from the
// inner files) and what its routes use.
//   allocation:  allocateLoan(trx, { loanId, productCode, principalMinor }) at origination — the
//                shares, exact to the fen, with the funders' quota taken; loanShares(db, loanId);
//                previewShares(db, { productCode, principalMinor }) plans them without writing (a
//                contract read before accepting);
//                releaseAllocation(trx, loanId) when a loan is cancelled before disbursement.
//                Every journal line of a loan carries its share's funderId (ledger dimension).
//   settlement:  splitRepayment(shares, amounts) for servicing; funderStatement(db, funderId, date)
//                and funderStatementCsv(statement), read from the ledger by funder.
//   funders:     createFunder, changeFunder, funderById, listFunders, ownFunder (a funder's API key).
//   rules:       requestRuleChange (maker) → the funding.set-rule approval (checker); listRules,
//                ruleHistory.
//   custody:     openCustodyAccount, applyCustodyInstruction (the custody bank's instructions, the
//                only way 1002.02 moves), custodyPosition.

export {
  allocateLoan,
  type LoanShare,
  loanPrincipalMinorMax,
  loanShares,
  previewShares,
  releaseAllocation,
} from './allocation.ts';
export {
  applyCustodyInstruction,
  type CustodyAccount,
  type CustodyInstruction,
  type CustodyPosition,
  custodyAccount,
  custodyPosition,
  type InstructionResult,
  openCustodyAccount,
  type Recorder,
} from './custody.ts';
export {
  changeFunder,
  createFunder,
  type Funder,
  type FunderChange,
  funderById,
  funderCodePattern,
  listFunders,
  type NewFunder,
  ownFunder,
  ownFundsFunderId,
  quotaMinorMax,
} from './funders.ts';
export {
  coLenderShareMinBp,
  type FundingRule,
  listRules,
  productCode,
  type RuleChange,
  requestRuleChange,
  ruleChangeBody,
  ruleFundersMax,
  ruleHistory,
  setRuleAction,
  setRuleApproval,
} from './rules.ts';
export {
  type FunderAmounts,
  type FunderStatement,
  funderStatement,
  funderStatementCsv,
  type StatementFigures,
  type StatementRow,
  splitRepayment,
  statementCsvColumns,
} from './settlement.ts';
