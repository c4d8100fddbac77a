import { checkedProduct, storedProduct } from './definitions.ts';
import { preview, previewGrid, type QuoteInput } from './quotes.ts';

// The previews as compute tasks: run on the platform's worker threads (routes.ts), so a grid of
// every term at every grade never holds the event loop. Inputs and results are plain data: the
// stored document travels and is parsed here (once per published version and worker).

type Stored = { versionId: string; status: string; definition: unknown; aprCap: string };

export function previewTask(input: Stored & { request: QuoteInput }) {
  const { product } = storedProduct(input.versionId, input.status, input.definition);
  return preview(product, input.request, input.aprCap);
}

export function previewGridTask(
  input: Stored & { request: { principalMinor?: bigint | undefined; startDate: string } },
) {
  const { product } = storedProduct(input.versionId, input.status, input.definition);
  return previewGrid(product, input.request, input.aprCap);
}

/**
 * An unsaved definition (the console's editor, as the author types): checked as a draft would be
 * (product_invalid with every issue), then the one loan and what a publish request would find.
 */
export function definitionPreviewTask(input: { definition: unknown; aprCap: string; request: QuoteInput }) {
  const { product } = checkedProduct(input.definition);
  const grid = previewGrid(product, { startDate: input.request.startDate }, input.aprCap);
  return { code: product.code, quote: preview(product, input.request, input.aprCap), grid };
}

export const productTasks = new URL(import.meta.url);
