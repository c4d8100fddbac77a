// The loan contract PDF's public surface, for the loans module (accept, download) and the
// benchmarks. Import from here, not from the files.

export type {
  ContractAcceptance,
  ContractBorrower,
  ContractConsent,
  ContractData,
  ContractFunder,
  ContractInstallment,
  ContractMerchant,
  ContractPrice,
  ContractProduct,
  ContractTotals,
} from './contract-data.ts';
export { checkContractData } from './contract-data.ts';
export { capitalAmountCny, formatMoney, formatPercent, methodName } from './format.ts';
export type { ContractRenderTiming } from './measure.ts';
export { measureContractRender } from './measure.ts';
export { contractDigest, contractTitle, renderContractPdf, scenarioName } from './render.ts';
export type { SampleContractOptions } from './sample.ts';
export { sampleContractData } from './sample.ts';
