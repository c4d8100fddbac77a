// The ledger's public surface: what other modules may import.
export { ledgerModule } from './routes.ts';
export * from './service.ts';
