import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { wholeSchema } from '../../src/modules/database.ts';
import type { Config } from '../../src/platform/config.ts';
import { blindIndex } from '../../src/platform/crypto/blind-index.ts';
import { createDataKey, cryptoFor, encryptField, fieldContext } from '../../src/platform/crypto/envelope.ts';
import type { DB } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { OutboxEvent } from '../../src/platform/outbox/event.ts';
import type { Services } from '../../src/platform/services.ts';
import { randomPhone } from '../iam/support.ts';

// What the notification tests share: a customer profile with a known phone (written as the
// customers module writes it: fields encrypted under the record's data key, the phone
// blind-indexed), the services a dispatcher is given, and events read back from the outbox.

export async function seedCustomer(
  db: DB,
  config: Config,
  options: { customerId?: string; phone?: string } = {},
): Promise<{ customerId: string; phone: string }> {
  const id = options.customerId ?? randomUUID();
  const phone = options.phone ?? randomPhone();
  const idNumber = `11010119900307${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
  await db.transaction().execute(async (trx) => {
    const key = await createDataKey(trx, cryptoFor(config).kms, 'customers');
    const at = (column: string) => fieldContext('customers', column, id);
    await wholeSchema(trx as unknown as DB)
      .insertInto('customers')
      .values({
        id,
        borrower_id: randomUUID(),
        name_enc: encryptField(key, '张三', at('name')),
        id_number_enc: encryptField(key, idNumber, at('id_number')),
        id_number_bidx: blindIndex(config.secrets.blindIndexKey, 'id-number', `${idNumber}${id}`),
        phone_enc: encryptField(key, phone, at('phone')),
        phone_bidx: blindIndex(config.secrets.blindIndexKey, 'phone', phone),
      })
      .execute();
  });
  return { customerId: id, phone };
}

export function servicesFor(db: DB, config: Config): Services {
  return { config, db, logger: createLogger({ logLevel: 'silent' }) };
}

/** The events of a type in the outbox, oldest first, as consumers receive them. */
export async function outboxEvents(db: DB, type: string): Promise<OutboxEvent[]> {
  const rows = await sql<{
    event_id: string;
    type: string;
    occurred_at: Date;
    business_date: string;
    subject_type: string | null;
    subject_id: string | null;
    payload: OutboxEvent['data'];
  }>`SELECT event_id, type, occurred_at, business_date, subject_type, subject_id, payload
     FROM outbox_events WHERE type = ${type} ORDER BY id`.execute(db);
  return rows.rows.map((row) => ({
    id: row.event_id,
    type: row.type,
    occurredAt: row.occurred_at.toISOString(),
    businessDate: row.business_date,
    subject: row.subject_type === null ? null : { type: row.subject_type, id: row.subject_id ?? '' },
    data: row.payload,
  }));
}
