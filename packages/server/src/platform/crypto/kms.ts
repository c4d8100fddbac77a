import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from './secrets.ts';

// Envelope encryption's top layer. A KMS holds the master keys (key-encryption keys) and only ever
// wraps and unwraps data keys; the master key material never leaves it. `LocalKms` keeps the
// master keys from configuration in this process; a cloud KMS (Alibaba Cloud KMS, AWS KMS, …) is
// another implementation of the same interface.

export type WrappedKey = { masterKeyId: string; wrapped: Buffer };

export interface KeyManagementService {
  /** The master key that wraps new data keys. */
  readonly currentKeyId: string;
  wrap(dataKey: Buffer): Promise<WrappedKey>;
  unwrap(key: WrappedKey): Promise<Buffer>;
}

const ivBytes = 12;
const tagBytes = 16;

function aadOf(masterKeyId: string): Buffer {
  // Binds a wrapped key to the master key id it claims, so a row cannot be relabelled.
  return Buffer.from(`fenqi-data-key:${masterKeyId}`, 'utf8');
}

export class LocalKms implements KeyManagementService {
  readonly currentKeyId: string;
  readonly #keys: Map<string, Buffer>;

  constructor(masterKeys: MasterKey[]) {
    const current = masterKeys[0];
    if (!current) throw new Error('LocalKms needs at least one master key');
    this.currentKeyId = current.id;
    this.#keys = new Map(masterKeys.map((key) => [key.id, key.key]));
  }

  async wrap(dataKey: Buffer): Promise<WrappedKey> {
    const key = this.#keys.get(this.currentKeyId);
    if (!key) throw new Error('current master key missing');
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aadOf(this.currentKeyId));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { masterKeyId: this.currentKeyId, wrapped: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  async unwrap({ masterKeyId, wrapped }: WrappedKey): Promise<Buffer> {
    const key = this.#keys.get(masterKeyId);
    if (!key) {
      throw new Error(
        `master key ${masterKeyId} is not configured (FENQI_MASTER_KEYS); it is needed until \`fenqi keys rotate\` re-wraps its data keys`,
      );
    }
    if (wrapped.length <= ivBytes + tagBytes) throw new Error('wrapped data key is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, wrapped.subarray(0, ivBytes));
    decipher.setAAD(aadOf(masterKeyId));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - tagBytes));
    return Buffer.concat([
      decipher.update(wrapped.subarray(ivBytes, wrapped.length - tagBytes)),
      decipher.final(),
    ]);
  }
}
