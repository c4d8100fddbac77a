import type pg from 'pg';

/** What every part of the simulator shares: its storage, its clock and its settings. */
export type SimContext = {
  pool: pg.Pool;
  merchantNo: string;
  secret: string;
  /** Milliseconds since the epoch; injectable so tests can move time (SMS expiry, stale signatures). */
  now: () => number;
  /** Every simulated delay is multiplied by this (1 = real time; tests use 0.001). */
  timeScale: number;
  payoutFeeFen: bigint;
  payoutDelayMs: number;
  /** Nudges the background loops: work was just queued. */
  wake: () => void;
};

export const scaled = (context: SimContext, ms: number) => Math.round(ms * context.timeScale);

/** The channel's own date, Asia/Shanghai (UTC+8 all year, no daylight saving). */
export function shanghaiDate(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}
