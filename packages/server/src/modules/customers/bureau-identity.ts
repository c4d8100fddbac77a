import type { Config } from '../../platform/config.ts';
import {
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import type { Tx } from '../../platform/db.ts';
import { appendAudit } from '../iam/service.ts';
import type { CustomersDb } from './tables.ts';

// The borrowers' identity as the credit bureau's file names them (modules/bureau): full name, ID
// type 10 (居民身份证) and the ID number, decrypted only to write a submission file — the bureau's
// stored records never hold them. One audit row per file names the customers read (their ids,
// never the values), in the transaction that writes the file (JR/T 0171-2020: every disclosure of
// C3 data is recorded).

export type BureauIdentity = { name: string; idType: string; idNum: string };

export async function bureauIdentitiesOf(
  trx: Tx,
  config: Config,
  input: { customerIds: readonly string[]; sourceRef: string; actorId: string },
): Promise<Map<string, BureauIdentity>> {
  const identities = new Map<string, BureauIdentity>();
  const ids = [...new Set(input.customerIds)];
  if (ids.length === 0) return identities;
  const rows = await (trx as unknown as CustomersDb)
    .selectFrom('customers')
    .select(['id', 'name_enc', 'id_number_enc'])
    .where('id', 'in', ids)
    .execute();
  const kms = cryptoFor(config).kms;
  for (const row of rows) {
    const key = await loadDataKey(trx, kms, dataKeyIdOf(row.name_enc));
    identities.set(row.id, {
      name: decryptField(key, row.name_enc, fieldContext('customers', 'name', row.id)),
      idType: '10',
      idNum: decryptField(key, row.id_number_enc, fieldContext('customers', 'id_number', row.id)),
    });
  }
  if (rows.length > 0) {
    await appendAudit(trx, config.secrets.auditKey, {
      actor: { kind: 'staff', id: input.actorId },
      action: 'customers.identity-sent-to-bureau',
      subject: { type: 'bureau-submission', id: input.sourceRef },
      details: { customers: rows.length, fields: ['name', 'idNumber'] },
    });
  }
  return identities;
}
