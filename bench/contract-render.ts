// Contract PDF render time alone: one 12-installment contract (and a 36-installment one for the
// page-spanning table), rendered one after another after a warm-up, as the accept step renders it.
//
//   node bench/contract-render.ts
//   BENCH_RENDERS=200 node bench/contract-render.ts
import {
  measureContractRender,
  sampleContractData,
} from '../packages/server/src/modules/loans/contract/index.ts';

const renders = Number(process.env.BENCH_RENDERS ?? 50);
for (const termCount of [12, 36]) {
  const timing = await measureContractRender(sampleContractData({ termCount }), { renders });
  console.log(
    `contract ${termCount} installments: ${timing.meanMs.toFixed(1)} ms mean, p50 ${timing.p50Ms.toFixed(1)} ms, ` +
      `p99 ${timing.p99Ms.toFixed(1)} ms over ${timing.renders} renders; first render ${timing.firstMs.toFixed(0)} ms; ` +
      `${(timing.bytes / 1024).toFixed(1)} KiB`,
  );
}
