import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { simulate } from './support.ts';

// The same seed and options on two fresh databases print the same summary, to the fen and the
// count (ids, order numbers and wall times differ, and are not in it); another seed another one.

const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function fresh(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

describe('fenqi simulate is a function of its seed', () => {
  it('gives the identical summary for one seed on two databases, and another for another seed', async () => {
    const options = { months: 2, borrowers: 16, seed: 42 };
    const [first, second, other] = await Promise.all([
      fresh().then((db) => simulate(db.url, options)),
      fresh().then((db) => simulate(db.url, options)),
      fresh().then((db) => simulate(db.url, { ...options, seed: 43 })),
    ]);
    for (const run of [first, second, other]) expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(first.result.summary.loans.total).toBeGreaterThan(0);
    expect(second.result.summary).toEqual(first.result.summary);
    expect(JSON.stringify(second.result.summary)).toBe(JSON.stringify(first.result.summary));
    expect(other.result.summary).not.toEqual(first.result.summary);
    expect(other.result.summary.seed).toBe(43);
  }, 600_000);
});
