import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  advanceBusinessDate,
  getBusinessDate,
  setInitialBusinessDate,
} from '../../src/platform/business-date.ts';
import { http, useTestServer } from '../support/server.ts';

const { database, server } = useTestServer();

describe('business date', () => {
  it('is set on a new installation, and only then, to a chosen date', async () => {
    const result = await database.db
      .transaction()
      .execute((trx) => setInitialBusinessDate(trx, '2026-01-30'));
    expect(result).toMatchObject({ ok: true, to: '2026-01-30' });
    expect(await getBusinessDate(database.db)).toBe('2026-01-30');
  });

  it('is served by GET /api/v1/business-date', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/business-date');
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ businessDate: '2026-01-30', timeZone: 'Asia/Shanghai' });
  });

  it('advances one day at a time through month ends, recording each closed day', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const current = await getBusinessDate(database.db);
      seen.push(await database.db.transaction().execute((trx) => advanceBusinessDate(trx, current)));
    }
    expect(seen).toEqual(['2026-01-31', '2026-02-01', '2026-02-02']);
    const history = await database.tables
      .selectFrom('business_date_history')
      .select('business_date')
      .orderBy('business_date')
      .execute();
    expect(history.map((row) => row.business_date)).toEqual(['2026-01-30', '2026-01-31', '2026-02-01']);
  });

  it('cannot close a day that is not the business date (a repeated close changes nothing)', async () => {
    await expect(
      database.db.transaction().execute((trx) => advanceBusinessDate(trx, '2026-02-01')),
    ).rejects.toThrow('cannot close 2026-02-01: the business date is 2026-02-02');
    expect(await getBusinessDate(database.db)).toBe('2026-02-02');
  });

  it('the database refuses to skip days, go back, or add or delete the row', async () => {
    await expect(
      sql`UPDATE business_date SET business_date = '2026-02-05'`.execute(database.db),
    ).rejects.toThrow('the business date only advances one day at a time (from 2026-02-02 to 2026-02-05)');
    await expect(
      sql`UPDATE business_date SET business_date = '2026-02-01'`.execute(database.db),
    ).rejects.toThrow(/only advances one day at a time/);
    await expect(sql`DELETE FROM business_date`.execute(database.db)).rejects.toThrow(/exactly one row/);
    await expect(
      sql`INSERT INTO business_date (singleton, business_date) VALUES (false, '2026-01-01')`.execute(
        database.db,
      ),
    ).rejects.toThrow();
    expect(await getBusinessDate(database.db)).toBe('2026-02-02');
  });

  it('can no longer be set once a day has been closed', async () => {
    const result = await database.db
      .transaction()
      .execute((trx) => setInitialBusinessDate(trx, '2025-01-01'));
    expect(result).toEqual({ ok: false, reason: 'day 2026-02-02 and earlier days were already closed' });
    expect(await getBusinessDate(database.db)).toBe('2026-02-02');
  });
});
