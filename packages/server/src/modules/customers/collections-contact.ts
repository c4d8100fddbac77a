import type { Config } from '../../platform/config.ts';
import {
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../platform/db.ts';
import * as store from './store.ts';

// The debtor's own phone for collections: the number a case calls first (post-loan collection
// reaches the debtor, and only the debtor, while they can be reached). Plain text for the caller
// to keep under its own encryption; never shown (collections masks it) and never logged.

export async function debtorPhoneOf(
  db: DB | Tx,
  config: Config,
  customerId: string,
): Promise<string | undefined> {
  const row = await store.findCustomer(db, customerId);
  if (!row) return undefined;
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(row.phone_enc));
  return decryptField(key, row.phone_enc, fieldContext('customers', 'phone', row.id));
}
