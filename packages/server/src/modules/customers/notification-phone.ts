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

/**
 * The customer's own phone, decrypted for the system to send them their messages (modules/
 * notifications): never a third party's number, never shown. The notification log records each
 * message's masked number, customer and provider, which is the record of the disclosure to the
 * SMS provider. Undefined when there is no such customer.
 */
export async function notificationPhoneOf(
  db: DB | Tx,
  config: Config,
  customerId: string,
): Promise<{ phone: string; phoneIndex: string } | undefined> {
  const row = await store.findCustomer(db, customerId);
  if (!row) return undefined;
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(row.phone_enc));
  const phone = decryptField(key, row.phone_enc, fieldContext('customers', 'phone', row.id));
  return { phone, phoneIndex: row.phone_bidx };
}
