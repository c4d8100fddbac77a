import { createHash } from 'node:crypto';

// External data bought at decision time: how many other lenders the applicant went to recently
// (多头借贷) and a bureau score. The adapter is called outside the database transaction (the
// application route's prepare step). The simulated provider answers deterministically from the
// customer id, so a test or the demo gets the same answer every time; a real adapter would call a
// data vendor and the credit bureau under the borrower's query authorisation.

export type ExternalData = {
  /** Lenders the applicant applied to in the last 30 days (多头). */
  multiLendingOrgs30d: number;
  /** The bureau's score, or null when the bureau has no file on the applicant (白户). */
  bureauScore: number | null;
  provider: string;
};

export interface ExternalDataProvider {
  fetch(input: { customerId: string }): Promise<ExternalData>;
}

/**
 * The simulated provider: from the SHA-256 of the customer id, 0–5 lenders (most often 0–1) and a
 * bureau score of 500–849, with one customer in twenty having no bureau file.
 */
export const simulatedExternalData: ExternalDataProvider = {
  async fetch({ customerId }) {
    const digest = createHash('sha256').update(`fenqi-external-sim:${customerId}`).digest();
    const lenders = [0, 0, 0, 1, 1, 2, 3, 5][digest.readUInt8(0) % 8] ?? 0;
    const noFile = digest.readUInt8(1) % 20 === 0;
    const score = 500 + (digest.readUInt16BE(2) % 350);
    return { multiLendingOrgs30d: lenders, bureauScore: noFile ? null : score, provider: 'simulated' };
  },
};
