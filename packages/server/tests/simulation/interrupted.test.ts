import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulationStatus } from '../../src/modules/simulation/service.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { fenqiRun, finished, startFenqi } from './support.ts';

// A simulation that was stopped half-way leaves half a business: it is told apart from one still
// running (which holds the run's advisory lock), and both are refused — the running one as busy,
// the interrupted one with the advice to reset the database (docs/simulation.md).

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

describe('an interrupted simulation', () => {
  it('is refused while it runs, and after a kill -9 is reported interrupted, not resumed', async () => {
    const child = startFenqi(database.url, ['simulate', '--months', '2', '--borrowers', '10', '--seed', '5']);
    const done = finished(child);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
        if (/simulation: day \d+ \/ \d+/.test(stderr)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`simulate exited with ${code} first:\n${stderr}`)));
    });

    const busy = await fenqiRun(database.url, ['simulate', '--months', '1', '--borrowers', '5']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(
      'the simulation (seed 5, 2 months, 10 borrowers) is running on this database now',
    );
    expect((await simulationStatus(database.db)).state).toBe('running');

    // The whole process group, as a lost terminal or a crash would: the channel simulator too.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    await done;

    const status = await simulationStatus(database.db);
    expect(status.state).toBe('interrupted');
    const again = await fenqiRun(database.url, [
      'simulate',
      '--months',
      '2',
      '--borrowers',
      '10',
      '--seed',
      '5',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'the simulation (seed 5, 2 months, 10 borrowers) on this database was interrupted',
    );
    expect(again.stderr).toContain('Reset the database');
    const row = await database.tables.selectFrom('simulation_runs').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('running');
  }, 600_000);
});
