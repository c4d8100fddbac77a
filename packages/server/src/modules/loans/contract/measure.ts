import type { ContractData } from './contract-data.ts';
import { renderContractPdf } from './render.ts';

// The contract render time alone, for bench/origination.ts and bench/contract-render.ts: renders
// run one after another (as the accept transaction does) after a warm-up that loads and parses the
// font and lets the JIT settle, and each one is timed.

export interface ContractRenderTiming {
  readonly renders: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Size of the rendered PDF. */
  readonly bytes: number;
  /** The first (cold) render: font load and parse included. */
  readonly firstMs: number;
}

export const contractRenderWarmupsDefault = 10;
export const contractRenderRendersDefault = 50;

export async function measureContractRender(
  data: ContractData,
  options: { readonly warmups?: number; readonly renders?: number } = {},
): Promise<ContractRenderTiming> {
  const warmups = options.warmups ?? contractRenderWarmupsDefault;
  const renders = options.renders ?? contractRenderRendersDefault;
  const coldStart = performance.now();
  let bytes = (await renderContractPdf(data)).length;
  const firstMs = performance.now() - coldStart;
  for (let index = 1; index < warmups; index += 1) await renderContractPdf(data);
  const times: number[] = [];
  for (let index = 0; index < renders; index += 1) {
    const start = performance.now();
    bytes = (await renderContractPdf(data)).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (fraction: number) =>
    times[Math.min(times.length - 1, Math.ceil(fraction * times.length) - 1)] ?? 0;
  return {
    renders,
    meanMs: times.reduce((sum, ms) => sum + ms, 0) / Math.max(1, times.length),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: times.at(-1) ?? 0,
    bytes,
    firstMs,
  };
}
