// Collections: the conduct rules of post-loan collection, the case life cycle, strategies by
// bucket and who takes a case.
export * from './case-state.ts';
export * from './conduct.ts';
export * from './local-time.ts';
export * from './strategy.ts';
