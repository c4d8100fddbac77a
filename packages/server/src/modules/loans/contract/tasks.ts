import type { ContractData } from './contract-data.ts';
import { renderContractPdf } from './render.ts';

// The contract render as a compute task: ~40 ms of CPU per contract runs on the platform's worker
// threads (origination.ts asks for it), so the event loop keeps serving while a contract is drawn.
// The data arrives by structured clone (bigints and the acceptance Date survive it); the PDF goes
// back as bytes.

export function renderContractTask(data: ContractData): Promise<Buffer> {
  return renderContractPdf(data);
}

export const contractTasks = new URL(import.meta.url);
