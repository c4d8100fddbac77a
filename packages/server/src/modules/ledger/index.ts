// The ledger's public surface: what other modules may import.
export { ledgerModule } from './module.ts';
export * from './service.ts';
