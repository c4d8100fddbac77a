// Where a single posting spends its time: N postings in their own transactions on one connection,
// with the Node process's CPU (process.cpuUsage) and the PostgreSQL backend's CPU (/proc/<pid>/stat
// of pg_backend_pid(), same machine) per posting transaction. Needs DATABASE_URL on this machine.
//
//   DATABASE_URL=postgres://… node bench/profile-posting.ts [count]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { postJournal } from '../packages/server/src/modules/ledger/service.ts';
import { createDb, createPool } from '../packages/server/src/platform/db.ts';
import { databaseUrlFor, withClient } from '../packages/server/src/platform/db-admin.ts';
import { migrate } from '../packages/server/src/platform/migrate.ts';

const count = Number(process.argv[2] ?? 5000);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error('set DATABASE_URL');
const name = `fenqi_profile_${randomBytes(3).toString('hex')}`;
await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
const url = databaseUrlFor(adminUrl, name);
await migrate(url);
const pool = createPool({ connectionString: url, max: 1 });
const db = createDb(pool);
const ticks = Number(process.env.CLK_TCK ?? 100);
const backendCpuMs = async (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
};
try {
  const pid = Number((await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db)).rows[0]?.pid);
  const run = async (label: string, n: number) => {
    const cpu0 = process.cpuUsage();
    const be0 = await backendCpuMs(pid);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await db.transaction().execute((trx) =>
        postJournal(trx, {
          idempotencyKey: `${label}-${i}`,
          eventType: 'bench',
          sourceRef: `bench:${i}`,
          lines: [
            {
              account: '1002.01',
              side: 'debit',
              amountMinor: BigInt(1 + i),
              currency: 'CNY',
              loanId: `L${i}`,
            },
            { account: '4001', side: 'credit', amountMinor: BigInt(1 + i), currency: 'CNY', loanId: `L${i}` },
          ],
        }),
      );
    }
    const wallUs = ((performance.now() - t0) * 1000) / n;
    const cpu = process.cpuUsage(cpu0);
    const nodeUs = (cpu.user + cpu.system) / n;
    const backendUs = (((await backendCpuMs(pid)) - be0) * 1000) / n;
    return { wallUs, nodeUs, backendUs };
  };
  await run('warm', 1000);
  const r = await run('p', count);
  console.log(
    `${count} postings, 1 connection: ${r.wallUs.toFixed(0)} µs wall, ${r.nodeUs.toFixed(0)} µs Node CPU, ${r.backendUs.toFixed(0)} µs backend CPU per posting transaction`,
  );
} finally {
  await db.destroy();
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
}
