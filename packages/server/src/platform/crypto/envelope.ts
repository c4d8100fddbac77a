import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { DB, PlatformDb, Tx } from '../db.ts';
import { type KeyManagementService, LocalKms } from './kms.ts';

// Field encryption (docs/architecture.md invariant 6, JR/T 0171-2020 C2 data encrypted at rest):
//   master key (KMS)  →  data key (one per record, AES-256, stored wrapped in data_keys)
//                     →  field ciphertext (AES-256-GCM under the record's data key)
// Every ciphertext names its data key; every wrapped data key names its master key, so
// `fenqi keys rotate` re-wraps data keys without touching a single field ciphertext.
// Ciphertext format: `fq1.<data key id>.<base64url(iv ‖ ciphertext ‖ tag)>`. The additional
// authenticated data binds it to its data key and to a context naming the table, column and
// record, so a ciphertext copied into another row or column fails to decrypt.

export type DataKey = { id: string; key: Buffer };

export type FieldCrypto = { kms: KeyManagementService; blindIndexKey: Buffer };

const version = 'fq1';
const ivBytes = 12;
const tagBytes = 16;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const byConfig = new WeakMap<Config, FieldCrypto>();

/** The process's field crypto for a configuration (one KMS client per config). */
export function cryptoFor(config: Config): FieldCrypto {
  let crypto = byConfig.get(config);
  if (!crypto) {
    crypto = { kms: new LocalKms(config.secrets.masterKeys), blindIndexKey: config.secrets.blindIndexKey };
    byConfig.set(config, crypto);
  }
  return crypto;
}

/** A new data key for one record, stored wrapped by the current master key. */
export async function createDataKey(
  connection: DB | Tx,
  kms: KeyManagementService,
  purpose: string,
): Promise<DataKey> {
  const trx: PlatformDb = connection;
  const key = randomBytes(32);
  const wrapped = await kms.wrap(key);
  const id = randomUUID();
  await trx
    .insertInto('data_keys')
    .values({
      id,
      purpose,
      master_key_id: wrapped.masterKeyId,
      wrapped_key: wrapped.wrapped,
      rewrapped_at: null,
    })
    .execute();
  return { id, key };
}

export async function loadDataKey(
  connection: DB | Tx,
  kms: KeyManagementService,
  id: string,
): Promise<DataKey> {
  const db: PlatformDb = connection;
  const row = await db
    .selectFrom('data_keys')
    .select(['master_key_id', 'wrapped_key'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new Error(`data key ${id} does not exist`);
  return { id, key: await kms.unwrap({ masterKeyId: row.master_key_id, wrapped: row.wrapped_key }) };
}

function aad(dataKeyId: string, context: string): Buffer {
  return Buffer.from(`${dataKeyId}\n${context}`, 'utf8');
}

/**
 * The context a field ciphertext is bound to: its table, column and record. A ciphertext copied to
 * another row or column then fails to decrypt (the context is authenticated data).
 */
export function fieldContext(table: string, column: string, recordId: string): string {
  return `${table}.${column}:${recordId}`;
}

/** Encrypts one field value; `context` names where it lives, e.g. `customers.id_number:<id>`. */
export function encryptField(dataKey: DataKey, plaintext: string, context: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
  cipher.setAAD(aad(dataKey.id, context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${version}.${dataKey.id}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The data key id a ciphertext was made with. */
export function dataKeyIdOf(ciphertext: string): string {
  const [prefix, id] = ciphertext.split('.');
  if (prefix !== version || id === undefined || !uuidPattern.test(id))
    throw new Error('not a field ciphertext');
  return id;
}

export function decryptField(dataKey: DataKey, ciphertext: string, context: string): string {
  const parts = ciphertext.split('.');
  if (parts.length !== 3 || dataKeyIdOf(ciphertext) !== dataKey.id) {
    throw new Error(`ciphertext was not made with data key ${dataKey.id}`);
  }
  const bytes = Buffer.from(parts[2] ?? '', 'base64url');
  if (bytes.length < ivBytes + tagBytes) throw new Error('field ciphertext is truncated');
  const decipher = createDecipheriv('aes-256-gcm', dataKey.key, bytes.subarray(0, ivBytes));
  decipher.setAAD(aad(dataKey.id, context));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  return Buffer.concat([
    decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)),
    decipher.final(),
  ]).toString('utf8');
}

export type RotationResult = { rewrapped: number; byMasterKey: Record<string, number>; currentKeyId: string };

/**
 * Re-wraps every data key not yet under the current master key, in batches, each batch in its own
 * transaction (rows locked with SKIP LOCKED, so two rotations at once share the work). Field
 * ciphertexts do not change. Afterwards the old master keys may be removed from configuration.
 */
export async function rotateDataKeys(
  db: PlatformDb,
  kms: KeyManagementService,
  batchKeysMax = 500,
): Promise<RotationResult> {
  const result: RotationResult = { rewrapped: 0, byMasterKey: {}, currentKeyId: kms.currentKeyId };
  for (;;) {
    const count = await db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('data_keys')
        .select(['id', 'master_key_id', 'wrapped_key'])
        .where('master_key_id', '<>', kms.currentKeyId)
        .orderBy('id')
        .limit(batchKeysMax)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of rows) {
        const key = await kms.unwrap({ masterKeyId: row.master_key_id, wrapped: row.wrapped_key });
        const wrapped = await kms.wrap(key);
        await trx
          .updateTable('data_keys')
          .set({ master_key_id: wrapped.masterKeyId, wrapped_key: wrapped.wrapped, rewrapped_at: new Date() })
          .where('id', '=', row.id)
          .execute();
        result.byMasterKey[row.master_key_id] = (result.byMasterKey[row.master_key_id] ?? 0) + 1;
      }
      return rows.length;
    });
    result.rewrapped += count;
    if (count < batchKeysMax) return result;
  }
}

/** How many data keys each master key wraps (for `fenqi keys status`). */
export async function dataKeysByMasterKey(db: PlatformDb): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('data_keys')
    .select(['master_key_id', (eb) => eb.fn.countAll<bigint>().as('n')])
    .groupBy('master_key_id')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.master_key_id, Number(row.n)]));
}
