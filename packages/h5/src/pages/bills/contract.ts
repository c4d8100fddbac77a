import { api, unwrap } from '../../api/client';

// The contract PDF (and, at checkout, its preview before accepting): the API answers it as JSON (base64 with the SHA-256 stored at acceptance)
// behind the bearer token, so the page fetches it, checks the digest of the bytes it decoded, and
// hands the browser a blob to save (or open, where a phone's browser does not save files).

export class ContractDigestMismatch extends Error {}

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string | undefined> {
  // crypto.subtle exists in secure contexts only (https, localhost): elsewhere the check is skipped.
  if (globalThis.crypto?.subtle === undefined) return undefined;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Saves (or opens) a contract the API answered, after checking its bytes against its digest. */
export async function saveContract(
  contract: { contractNo: string; sha256: string; pdfBase64: string },
  fileName: string,
): Promise<void> {
  const bytes = bytesOf(contract.pdfBase64);
  const digest = await sha256Hex(bytes);
  if (digest !== undefined && digest !== contract.sha256.toLowerCase()) throw new ContractDigestMismatch();
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has read the blob once the download started; keep it a minute for slow phones.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function downloadContract(loanId: string): Promise<{ contractNo: string; sha256: string }> {
  const contract = await unwrap(
    api.GET('/api/v1/borrower/loans/{loanId}/contract', { params: { path: { loanId } } }),
  );
  await saveContract(contract, `${contract.contractNo}.pdf`);
  return { contractNo: contract.contractNo, sha256: contract.sha256 };
}

/** The contract of one term before accepting: the API's preview, marked as not in force. */
export async function downloadContractPreview(token: string, termCount: number): Promise<void> {
  const contract = await unwrap(
    api.GET('/api/v1/borrower/checkout/{token}/contract', {
      params: { path: { token }, query: { termCount } },
    }),
  );
  await saveContract(contract, `contract-preview-${termCount}.pdf`);
}
